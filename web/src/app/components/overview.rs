//! `#overview`: host, kernel, capture times, the collector's warnings,
//! socket counts by protocol and TCP state, listening services with their
//! processes, and interfaces with addresses and counters.
//!
//! It reads the worker's overview JSON (`netsnap::render::json::overview`)
//! leniently: a missing or odd field shows as a dash, never as an error.

use std::rc::Rc;

use serde_json::Value;
use yew::prelude::*;

use super::human_bytes;

/// Props of [`OverviewPanel`].
#[derive(Properties, PartialEq)]
pub struct OverviewPanelProps {
    /// The overview JSON.
    pub overview: Rc<Value>,
}

/// Text of a JSON value: strings as they are, other scalars in JSON, a dash for null.
fn txt(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "—".to_string(),
        Some(Value::String(s)) if s.is_empty() => "—".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// A file the collector could not read: `path (ERROR)`, or the value as text.
fn missing_text(v: &Value) -> String {
    match (v.get("path").and_then(Value::as_str), v.get("error")) {
        (Some(path), Some(err)) => format!("{path} ({})", txt(Some(err))),
        (Some(path), None) => path.to_string(),
        _ => txt(Some(v)),
    }
}

fn list(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn counts(v: Option<&Value>, caption: &str) -> Html {
    let Some(map) = v.and_then(Value::as_object).filter(|m| !m.is_empty()) else {
        return html! {};
    };
    html! {
        <table class="counts">
            <caption>{caption.to_string()}</caption>
            <tbody>
                { for map.iter().map(|(k, n)| html! {
                    <tr><th scope="row">{k.clone()}</th><td class="num">{txt(Some(n))}</td></tr>
                }) }
            </tbody>
        </table>
    }
}

fn listening(rows: &[Value]) -> Html {
    if rows.is_empty() {
        return html! { <p class="muted">{"No listening TCP or UDP sockets."}</p> };
    }
    html! {
        <table class="grid listening">
            <thead><tr>
                <th>{"Proto"}</th><th>{"Local Address"}</th><th>{"User"}</th>
                <th class="num">{"PID"}</th><th>{"Program"}</th>
            </tr></thead>
            <tbody>
                { for rows.iter().map(|r| html! {
                    <tr>
                        <td>{txt(r.get("proto"))}</td>
                        <td class="mono">{txt(r.get("local"))}</td>
                        <td>{txt(r.get("user"))}</td>
                        <td class="num">{txt(r.get("pid"))}</td>
                        <td>{txt(r.get("program"))}</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

fn counter(stats: Option<&Value>, key: &str) -> f64 {
    stats
        .and_then(|s| s.get(key))
        .and_then(Value::as_f64)
        .unwrap_or(0.0)
}

fn interfaces(rows: &[Value]) -> Html {
    if rows.is_empty() {
        return html! { <p class="muted">{"No interfaces recorded."}</p> };
    }
    html! {
        <table class="grid interfaces">
            <thead><tr>
                <th>{"Interface"}</th><th>{"Flags"}</th><th>{"MTU"}</th><th>{"Hardware"}</th>
                <th>{"Addresses"}</th><th>{"RX"}</th><th>{"TX"}</th>
            </tr></thead>
            <tbody>
                { for rows.iter().map(|i| {
                    let flags: Vec<String> = list(i.get("flag_names")).iter().map(|f| txt(Some(f))).collect();
                    let mut addrs: Vec<String> = list(i.get("inet")).iter().map(|a| {
                        let mut s = txt(a.get("address"));
                        if let Some(m) = a.get("netmask").and_then(Value::as_str) {
                            s.push_str(&format!(" mask {m}"));
                        }
                        if let Some(l) = a.get("label").and_then(Value::as_str)
                            && Some(l) != i.get("name").and_then(Value::as_str)
                        {
                            s.push_str(&format!(" ({l})"));
                        }
                        s
                    }).collect();
                    addrs.extend(list(i.get("inet6")).iter().map(|a| {
                        format!("{}/{} {}", txt(a.get("address")), txt(a.get("prefix_len")), txt(a.get("scope")))
                    }));
                    let stats = i.get("stats").filter(|s| s.is_object());
                    let dir = |p: &str| -> String {
                        if stats.is_none() {
                            return "—".to_string();
                        }
                        let bytes = counter(stats, &format!("{p}_bytes"));
                        let packets = counter(stats, &format!("{p}_packets"));
                        let errors = counter(stats, &format!("{p}_errors"));
                        let dropped = counter(stats, &format!("{p}_dropped"));
                        format!("{} · {packets:.0} pkts\n{errors:.0} err · {dropped:.0} drop", human_bytes(bytes))
                    };
                    let hw = i.get("hwaddr").and_then(|h| h.get("address")).cloned();
                    let error = i.get("error").and_then(Value::as_str).map(str::to_string);
                    html! {
                        <tr class={classes!((i.get("up") == Some(&Value::Bool(false))).then_some("down"))}>
                            <td class="mono nowrap">{txt(i.get("name"))}</td>
                            <td>
                                {flags.join(" ")}
                                if let Some(e) = error { <span class="warn">{format!(" {e}")}</span> }
                            </td>
                            <td class="num">{txt(i.get("mtu"))}</td>
                            <td class="mono">{txt(hw.as_ref())}</td>
                            <td class="mono addrs">{ for addrs.into_iter().map(|a| html! { <div>{a}</div> }) }</td>
                            <td class="traffic">{dir("rx")}</td>
                            <td class="traffic">{dir("tx")}</td>
                        </tr>
                    }
                }) }
            </tbody>
        </table>
    }
}

/// The overview panel.
#[function_component(OverviewPanel)]
pub fn overview_panel(props: &OverviewPanelProps) -> Html {
    let o = &*props.overview;
    let warnings = list(o.get("warnings"));
    let missing = list(o.get("missing"));
    let program_message = o
        .get("program_message")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty());
    let complete = o.get("complete").and_then(Value::as_bool) != Some(false);
    let facts: Vec<(&str, String)> = vec![
        ("Host", txt(o.get("host"))),
        (
            "Kernel",
            match o.get("machine").and_then(Value::as_str) {
                Some(m) if !m.is_empty() => format!("{} ({m})", txt(o.get("kernel"))),
                _ => txt(o.get("kernel")),
            },
        ),
        ("Capture started", txt(o.get("capture_start"))),
        ("Capture ended", txt(o.get("capture_end"))),
        ("Collector", txt(o.get("collector"))),
        ("Captured as uid", txt(o.get("euid"))),
        ("Frames", txt(o.get("frames"))),
        ("Processes", txt(o.get("processes"))),
        ("Sockets", txt(o.pointer("/sockets/total"))),
        ("Diagnostics", txt(o.get("diagnostics"))),
    ];
    html! {
        <section id="overview" class="panel overview">
            <h2>{"Overview"}</h2>
            <dl class="facts">
                { for facts.into_iter().map(|(k, v)| html! { <div class="fact"><dt>{k}</dt><dd>{v}</dd></div> }) }
            </dl>
            if !complete {
                <p class="warn">{"The capture did not finish: the snapshot has no closing manifest."}</p>
            }
            if !warnings.is_empty() || program_message.is_some() {
                <div class="warnings">
                    <h3>{"Collector warnings"}</h3>
                    <ul>
                        { for warnings.iter().map(|w| html! { <li>{txt(Some(w))}</li> }) }
                        if let Some(m) = program_message { <li>{m.trim().to_string()}</li> }
                    </ul>
                </div>
            }
            if !missing.is_empty() {
                <p class="missing muted">
                    {"Not in the snapshot (the collector could not read them): "}
                    {missing.iter().map(missing_text).collect::<Vec<_>>().join(", ")}
                </p>
            }
            <div class="count-tables">
                {counts(o.pointer("/sockets/by_protocol"), "Sockets by protocol")}
                {counts(o.pointer("/sockets/tcp_states"), "TCP sockets by state")}
            </div>
            <h3>{"Listening services"}</h3>
            {listening(list(o.get("listening")))}
            <h3>{"Interfaces"}</h3>
            {interfaces(list(o.get("interfaces")))}
        </section>
    }
}
