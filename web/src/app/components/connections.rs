//! `#connections`: the socket table, sorted and filtered by the worker and
//! virtualised here: only [`VISIBLE`] rows are in the DOM, and the worker
//! is asked for the page around the scroll position. At most one query is
//! in flight; while it runs, newer wishes replace each other, so fast
//! typing or scrolling never queues work in the worker.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::Value;
use wasm_bindgen::JsValue;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement, KeyboardEvent};
use yew::prelude::*;

use crate::app::bridge::BridgeHandle;
use crate::app::table::{
    COLUMNS, MAX_SCROLL_PX, ROW_PX, VISIBLE, View, cell_text, covers, first_row, page_for,
    spacer_px,
};

/// Header row height in CSS pixels (kept in step with the CSS).
const HEAD_PX: f64 = 28.0;

/// TCP and UNIX state names offered by the state filter.
const STATES: [&str; 16] = [
    "LISTEN",
    "ESTABLISHED",
    "SYN_SENT",
    "SYN_RECV",
    "FIN_WAIT1",
    "FIN_WAIT2",
    "TIME_WAIT",
    "CLOSE",
    "CLOSE_WAIT",
    "LAST_ACK",
    "CLOSING",
    "UNKNOWN",
    "LISTENING",
    "CONNECTED",
    "CONNECTING",
    "DISCONNECTING",
];

/// Protocols offered when the overview names none.
const PROTOCOLS: [&str; 9] = [
    "tcp", "tcp6", "udp", "udp6", "udpl", "udpl6", "raw", "raw6", "unix",
];

/// Props of [`Connections`].
#[derive(Properties, PartialEq)]
pub struct ConnectionsProps {
    /// The worker connection.
    pub bridge: BridgeHandle,
    /// A snapshot is open (otherwise nothing is asked).
    pub active: bool,
    /// Protocols present in the snapshot, for the protocol filter.
    pub protocols: Rc<Vec<String>>,
}

/// One answered query.
#[derive(Debug, PartialEq)]
struct Page {
    view: View,
    offset: usize,
    rows: Vec<Value>,
    matched: usize,
    total: usize,
    ms: f64,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct TableState {
    view: View,
    first: usize,
    page: Option<Rc<Page>>,
    error: Option<String>,
}

enum TableAction {
    SetView(View),
    Scroll(usize),
    Page(Rc<Page>),
    Failed(String),
}

impl Reducible for TableState {
    type Action = TableAction;

    fn reduce(self: Rc<Self>, action: TableAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            TableAction::SetView(v) => {
                if v == s.view {
                    return self;
                }
                s.view = v;
                s.first = 0;
            }
            TableAction::Scroll(first) => {
                if first == s.first {
                    return self;
                }
                s.first = first;
            }
            TableAction::Page(p) => {
                s.page = Some(p);
                s.error = None;
            }
            TableAction::Failed(e) => s.error = Some(e),
        }
        Rc::new(s)
    }
}

/// A page wanted from the worker.
struct Want {
    view: View,
    offset: usize,
    limit: usize,
}

/// Sends queries one at a time, keeping only the newest waiting one.
struct Pager {
    bridge: BridgeHandle,
    dispatcher: UseReducerDispatcher<TableState>,
    busy: RefCell<bool>,
    next: RefCell<Option<Want>>,
}

impl Pager {
    fn ask(self: &Rc<Self>, want: Want) {
        if *self.busy.borrow() {
            *self.next.borrow_mut() = Some(want);
            return;
        }
        *self.busy.borrow_mut() = true;
        let query = want.view.query(want.offset, want.limit);
        let started = js_sys::Date::now();
        let this = self.clone();
        self.bridge.request(
            "query",
            &[("query", JsValue::from_str(&query))],
            None,
            None,
            Box::new(move |res| {
                let ms = js_sys::Date::now() - started;
                let action = match res.map(|v| parse_page(&v, want, ms)) {
                    Ok(Ok(page)) => TableAction::Page(Rc::new(page)),
                    Ok(Err(e)) | Err(e) => TableAction::Failed(e),
                };
                this.dispatcher.dispatch(action);
                *this.busy.borrow_mut() = false;
                let next = this.next.borrow_mut().take();
                if let Some(n) = next {
                    this.ask(n);
                }
            }),
        );
    }
}

fn parse_page(v: &JsValue, want: Want, ms: f64) -> Result<Page, String> {
    let text = match v.as_string() {
        Some(s) => s,
        None => js_sys::JSON::stringify(v)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default(),
    };
    let mut json: Value =
        serde_json::from_str(&text).map_err(|e| format!("the table query answered badly: {e}"))?;
    if let Some(e) = json.get("error").and_then(Value::as_str) {
        return Err(format!("the table query failed: {e}"));
    }
    let count = |k: &str| json.get(k).and_then(Value::as_u64).unwrap_or(0) as usize;
    let (matched, total) = (count("matched"), count("total"));
    let rows = match json.get_mut("rows").map(Value::take) {
        Some(Value::Array(rows)) => rows,
        _ => Vec::new(),
    };
    Ok(Page {
        view: want.view,
        offset: want.offset,
        rows,
        matched,
        total,
        ms,
    })
}

fn filter_input(
    id: &str,
    label: &str,
    field: &'static str,
    view: &View,
    on: &Callback<(&'static str, String)>,
) -> Html {
    let on = on.clone();
    let oninput = Callback::from(move |e: InputEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        on.emit((field, input.value()));
    });
    html! {
        <label class="filter">
            <span>{label.to_string()}</span>
            <input id={id.to_string()} type={if field == "text" { "search" } else { "text" }}
                value={view.filter_value(field).to_string()}
                spellcheck="false" autocomplete="off" {oninput} />
        </label>
    }
}

/// The connections table.
#[function_component(Connections)]
pub fn connections(props: &ConnectionsProps) -> Html {
    let state = use_reducer(TableState::default);
    let pager = use_memo((), {
        let bridge = props.bridge.clone();
        let dispatcher = state.dispatcher();
        move |_| {
            Rc::new(Pager {
                bridge,
                dispatcher,
                busy: RefCell::new(false),
                next: RefCell::new(None),
            })
        }
    });
    let scroller = use_node_ref();

    // Ask for the page around the first visible row when it is not at hand.
    {
        let pager = (*pager).clone();
        let page = state.page.clone();
        let active = props.active;
        use_effect_with(
            (state.view.clone(), state.first, active),
            move |(view, first, _)| {
                if !active {
                    return;
                }
                let at_hand = page.as_ref().is_some_and(|p| {
                    p.view == *view && covers(p.offset, p.rows.len(), p.matched, *first)
                });
                if !at_hand {
                    let (offset, limit) = page_for(*first);
                    pager.ask(Want {
                        view: view.clone(),
                        offset,
                        limit,
                    });
                }
            },
        );
    }
    // A new sort or filter starts at the top.
    {
        let scroller = scroller.clone();
        use_effect_with(state.view.clone(), move |_| {
            if let Some(el) = scroller.cast::<Element>() {
                el.set_scroll_top(0);
            }
        });
    }

    let matched = state.page.as_ref().map_or(0, |p| p.matched);
    let total = state.page.as_ref().map_or(0, |p| p.total);
    let onscroll = {
        let d = state.dispatcher();
        let scroller = scroller.clone();
        Callback::from(move |_e: Event| {
            if let Some(el) = scroller.cast::<Element>() {
                d.dispatch(TableAction::Scroll(first_row(
                    f64::from(el.scroll_top()),
                    matched,
                )));
            }
        })
    };
    let on_filter = {
        let d = state.dispatcher();
        let view = state.view.clone();
        Callback::from(move |(field, value): (&'static str, String)| {
            d.dispatch(TableAction::SetView(view.filtered(field, &value)));
        })
    };
    let select_filter = |field: &'static str| {
        let on = on_filter.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            on.emit((field, select.value()));
        })
    };
    let on_proto = select_filter("proto");
    let on_state = select_filter("state");

    let headers = COLUMNS.iter().map(|&(key, title)| {
        let d = state.dispatcher();
        let view = state.view.clone();
        let sort = move || d.dispatch(TableAction::SetView(view.sorted_by(key)));
        let onclick = {
            let sort = sort.clone();
            Callback::from(move |_: MouseEvent| sort())
        };
        let onkeydown = Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                sort();
            }
        });
        let (aria, mark) = match &state.view.sort {
            Some((k, false)) if k == key => ("ascending", " ▲"),
            Some((k, true)) if k == key => ("descending", " ▼"),
            _ => ("none", ""),
        };
        html! {
            <th data-key={key} aria-sort={aria} class={classes!("sortable", format!("col-{key}"))}
                title={format!("sort by {title}")} tabindex="0" {onclick} {onkeydown}>
                {title}<span class="sort-mark">{mark}</span>
            </th>
        }
    });

    let (rows, first_shown): (&[Value], usize) = match &state.page {
        Some(p) => {
            let end = p.offset + p.rows.len();
            let start = state.first.clamp(p.offset, end);
            let stop = (start + VISIBLE).min(end);
            (&p.rows[start - p.offset..stop - p.offset], start)
        }
        None => (&[], 0),
    };
    let body = rows.iter().enumerate().map(|(i, r)| {
        html! {
            <tr class="conn-row" data-index={(first_shown + i).to_string()}>
                { for COLUMNS.iter().map(|&(key, _)| {
                    let text = cell_text(r.get(key));
                    html! { <td class={format!("col-{key}")} title={text.clone()}>{text}</td> }
                }) }
            </tr>
        }
    });

    let pending = match &state.page {
        Some(p) => p.view != state.view || !covers(p.offset, p.rows.len(), p.matched, state.first),
        None => props.active,
    };
    let window_px = HEAD_PX + VISIBLE as f64 * ROW_PX;
    let spacer = spacer_px(matched);
    let protocols: Vec<String> = if props.protocols.is_empty() {
        PROTOCOLS.iter().map(|s| s.to_string()).collect()
    } else {
        (*props.protocols).clone()
    };
    let proto_now = state.view.filter_value("proto").to_string();
    let state_now = state.view.filter_value("state").to_string();

    html! {
        <section class="panel connections-panel">
            <h2>{"Connections"}</h2>
            <div class="filters">
                <label class="filter">
                    <span>{"Protocol"}</span>
                    <select id="filter-proto" onchange={on_proto}>
                        <option value="" selected={proto_now.is_empty()}>{"all"}</option>
                        { for protocols.into_iter().map(|p| html! {
                            <option value={p.clone()} selected={p == proto_now}>{p.clone()}</option>
                        }) }
                    </select>
                </label>
                <label class="filter">
                    <span>{"State"}</span>
                    <select id="filter-state" onchange={on_state}>
                        <option value="" selected={state_now.is_empty()}>{"all"}</option>
                        { for STATES.iter().map(|s| html! {
                            <option value={*s} selected={*s == state_now}>{*s}</option>
                        }) }
                    </select>
                </label>
                {filter_input("filter-local", "Local", "local", &state.view, &on_filter)}
                {filter_input("filter-remote", "Remote", "remote", &state.view, &on_filter)}
                {filter_input("filter-process", "Process", "process", &state.view, &on_filter)}
                {filter_input("filter-user", "User", "user", &state.view, &on_filter)}
                {filter_input("search", "Search", "text", &state.view, &on_filter)}
            </div>
            <p class="match-line">
                <span id="match-count">{matched.to_string()}</span>
                {format!(" of {total} sockets match")}
                if let Some(p) = &state.page {
                    <span class="muted" id="query-ms">{format!(" · {:.0} ms", p.ms)}</span>
                }
                if spacer >= MAX_SCROLL_PX {
                    <span class="muted">{" · scroll position is scaled"}</span>
                }
            </p>
            if let Some(e) = &state.error {
                <p class="error inline" role="alert">{e.clone()}</p>
            }
            <div id="connections" class="conn-scroll" tabindex="0" ref={scroller} {onscroll}
                data-pending={if pending { "true" } else { "false" }}
                data-first={state.first.to_string()}
                style={format!("height: {window_px}px")}>
                <div class="conn-window" style={format!("height: {window_px}px")}>
                    <table class="conn-table" aria-rowcount={matched.to_string()}>
                        <thead><tr>{for headers}</tr></thead>
                        <tbody>{for body}</tbody>
                    </table>
                    if !props.active {
                        <p class="muted empty-table">{"Open a snapshot to list its sockets."}</p>
                    } else if matched == 0 && !pending {
                        <p class="muted empty-table">{"No socket matches."}</p>
                    }
                </div>
                <div class="conn-spacer" style={format!("height: {spacer}px")}></div>
            </div>
        </section>
    }
}
