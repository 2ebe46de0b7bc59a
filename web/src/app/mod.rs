//! The yew UI: open a snapshot, run netstat and ss command lines, browse the
//! connections table and the overview.
//!
//! Everything heavy happens in a Web Worker that holds the snapshot (see
//! [`bridge`] and `web/www/worker.js`); this module only renders, reads the
//! chosen file and sends requests. The page starts the UI with
//! [`mount_app`]. Layout, after yew's `function_todomvc` example:
//!
//! - [`state`]: `State`, `Action` and the reducer.
//! - [`components`]: one file per component, each with a props struct and
//!   `Callback`s.
//! - [`cmdline`] and [`table`]: the pure parts (flag toggles, download
//!   names, the virtual table's arithmetic), tested natively.

pub mod bridge;
pub mod cmdline;
pub mod components;
pub mod state;
pub mod table;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{ArrayBuffer, Function, Uint8Array};
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{File, FileReader, ProgressEvent};
use yew::prelude::*;

use bridge::{BridgeHandle, field, js_message};
use components::{
    CommandBar, Connections, ErrorPanel, FileDrop, OutputPane, OverviewPanel, ProgressPanel,
};
use state::{Action, CHUNK_LINES, Phase, RunOutput, SHOW_BYTES, Stage, State, chunk_lines};

/// Starts the UI in `root`. `make_worker` is a JavaScript function that
/// returns a new analysis `Worker` (the page builds it from a `blob:` URL
/// and posts it the wasm module); it is called again if a worker is lost.
#[wasm_bindgen(js_name = mountApp)]
pub fn mount_app(root: web_sys::Element, make_worker: Function) {
    yew::Renderer::<App>::with_root_and_props(root, AppProps { make_worker }).render();
}

/// Props of [`App`].
#[derive(Properties, PartialEq)]
pub struct AppProps {
    /// Returns a new analysis worker.
    pub make_worker: Function,
}

/// A file being read: the reader and its handlers stay alive until the
/// next file, since dropping them cancels the read.
struct Reading {
    reader: FileReader,
    _handlers: Vec<Closure<dyn FnMut(ProgressEvent)>>,
}

fn now() -> f64 {
    js_sys::Date::now()
}

fn set_body_data(key: &str, value: &str) {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.dataset().set(key, value);
    }
}

/// Builds a [`RunOutput`] from the worker's `{stdout, stderr, status}`.
fn run_output(seq: u32, cmdline: &str, v: &JsValue, ms: f64) -> Result<RunOutput, String> {
    let bytes = |key: &str| -> Option<Uint8Array> {
        let f = field(v, key);
        if f.is_undefined() || f.is_null() {
            None
        } else {
            Some(
                f.dyn_into::<Uint8Array>()
                    .unwrap_or_else(|f| Uint8Array::new(&f)),
            )
        }
    };
    let stdout = bytes("stdout").ok_or("the analyzer returned no output")?;
    let stderr = bytes("stderr").map(|b| b.to_vec()).unwrap_or_default();
    let len = stdout.length() as usize;
    let (shown, cut) = if len <= SHOW_BYTES {
        (stdout.to_vec(), false)
    } else {
        let mut head = stdout.subarray(0, SHOW_BYTES as u32).to_vec();
        if let Some(nl) = head.iter().rposition(|&b| b == b'\n') {
            head.truncate(nl + 1);
        }
        (head, true)
    };
    Ok(RunOutput {
        seq,
        cmdline: cmdline.to_string(),
        stdout,
        shown: chunk_lines(&String::from_utf8_lossy(&shown), CHUNK_LINES)
            .into_iter()
            .map(|c| AttrValue::from(c.to_string()))
            .collect(),
        shown_bytes: shown.len(),
        cut,
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        status: field(v, "status").as_f64().unwrap_or(-1.0) as i32,
        ms,
    })
}

/// What to say when the overview shows a snapshot cut short or damaged:
/// it still opened (the analyzer reads what it can), but a person should
/// know that parts may be missing.
fn damage_note(o: &Value) -> Option<String> {
    let incomplete = o.get("complete").and_then(Value::as_bool) == Some(false);
    let no_manifest = o
        .get("collector")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty);
    let problems = o.get("diagnostics").and_then(Value::as_u64).unwrap_or(0);
    let mut says = Vec::new();
    if incomplete && no_manifest {
        says.push(
            "it has no netsnap manifest, so host, kernel and capture time are unknown".to_string(),
        );
    } else if incomplete {
        says.push("the capture did not finish (the archive has no closing manifest)".to_string());
    }
    if problems > 0 {
        let s = if problems == 1 { "" } else { "s" };
        says.push(format!("{problems} problem{s} while reading it"));
    }
    if says.is_empty() {
        return None;
    }
    Some(format!(
        "This snapshot may be incomplete: {}. What could be read is shown.",
        says.join("; ")
    ))
}

/// Parses a JSON answer that may come as a string or as an object.
fn json_of(v: &JsValue) -> Option<Value> {
    let text = match v.as_string() {
        Some(s) => s,
        None => js_sys::JSON::stringify(v).ok()?.as_string()?,
    };
    serde_json::from_str(&text).ok()
}

/// The root component.
#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let state = use_reducer(State::default);
    let bridge = (*use_memo((), {
        let f = props.make_worker.clone();
        move |_| BridgeHandle::new(f)
    }))
    .clone();
    let reading = use_mut_ref(|| None::<Reading>);
    let counters = use_memo((), |_| (Cell::new(0u32), Cell::new(0u32)));

    {
        let bridge = bridge.clone();
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            bridge.set_on_lost(move |m| dispatcher.dispatch(Action::WorkerLost(m)));
            bridge.warm_up();
        });
    }
    use_effect_with(state.body_state(), |s| set_body_data("state", s));
    use_effect_with(state.file_name.clone(), |name| {
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title(&match name {
                Some(n) => format!("{n} · netsnap"),
                None => "netsnap".to_string(),
            });
        }
    });
    use_effect_with(state.running, |r| {
        set_body_data("running", if *r { "true" } else { "false" })
    });

    let on_file = {
        let dispatcher = state.dispatcher();
        let bridge = bridge.clone();
        let reading = reading.clone();
        let counters = counters.clone();
        let command = state.command.clone();
        Callback::from(move |file: File| {
            let seq = counters.0.get() + 1;
            counters.0.set(seq);
            let run_seq = counters.1.get() + 1;
            counters.1.set(run_seq);
            start_load(LoadCtx {
                file,
                seq,
                run_seq,
                command: command.clone(),
                dispatcher: dispatcher.clone(),
                bridge: bridge.clone(),
                reading: reading.clone(),
            });
        })
    };

    let on_run = {
        let dispatcher = state.dispatcher();
        let bridge = bridge.clone();
        let counters = counters.clone();
        Callback::from(move |cmdline: String| {
            let cmdline = cmdline.trim().to_string();
            if cmdline.is_empty() {
                return;
            }
            let seq = counters.1.get() + 1;
            counters.1.set(seq);
            dispatcher.dispatch(Action::RunStarted {
                seq,
                cmdline: cmdline.clone(),
            });
            let d = dispatcher.clone();
            let started = now();
            let cmd = cmdline.clone();
            bridge.request(
                "run",
                &[("cmdline", JsValue::from_str(&cmdline))],
                None,
                None,
                Box::new(move |res| {
                    let result = res.and_then(|v| run_output(seq, &cmd, &v, now() - started));
                    d.dispatch(Action::RunDone { seq, result });
                }),
            );
        })
    };

    let on_command = {
        let d = state.dispatcher();
        Callback::from(move |c: String| d.dispatch(Action::SetCommand(c)))
    };
    let on_history = {
        let d = state.dispatcher();
        Callback::from(move |(back, now): (bool, String)| {
            d.dispatch(if back {
                Action::HistoryBack { now }
            } else {
                Action::HistoryForward
            })
        })
    };

    let loading = matches!(state.phase, Phase::Loading { .. });
    let ready = state.phase == Phase::Ready;
    let protocols: Rc<Vec<String>> = Rc::new(
        state
            .overview
            .as_ref()
            .and_then(|o| o.pointer("/sockets/by_protocol"))
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default(),
    );

    // One line in the header: host, kernel and capture time.
    let summary = state.overview.as_ref().map(|o| {
        let field = |k: &str| o.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
        let mut parts = vec![field("host").unwrap_or("unnamed host").to_string()];
        if let Some(k) = field("kernel") {
            parts.push(format!("Linux {k}"));
        }
        if let Some(t) = field("capture_start") {
            parts.push(format!("captured {t}"));
        }
        parts.join(" · ")
    });
    let damage = state.overview.as_ref().and_then(|o| damage_note(o));
    let problems: Vec<String> = state
        .overview
        .as_ref()
        .and_then(|o| o.get("problems"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(|p| format!("netsnap: {p}"))
                .collect()
        })
        .unwrap_or_default();

    html! {
        <div class="app">
            <header class="top">
                <h1>{"netsnap"}</h1>
                <span class="tagline">{"netstat and ss from a snapshot, in your browser: nothing leaves this page"}</span>
                if let Some(summary) = &summary {
                    <span class="summary">{summary.clone()}</span>
                }
            </header>
            <FileDrop on_file={on_file} compact={ready || loading} file_name={state.file_name.clone()} />
            <ProgressPanel phase={state.phase.clone()} />
            <ErrorPanel message={state.error.clone()} />
            if let Some(note) = damage {
                <div id="snapshot-warning" class="warn-panel" role="status">
                    {note}
                    if !problems.is_empty() {
                        <ul id="snapshot-problems">
                            { for problems.iter().map(|p| html! { <li>{p.clone()}</li> }) }
                        </ul>
                    }
                </div>
            }
            <section class="workbench">
                <CommandBar
                    command={state.command.clone()}
                    history={state.history.clone()}
                    enabled={ready}
                    running={state.running}
                    on_change={on_command}
                    on_run={on_run}
                    on_history={on_history}
                />
                <OutputPane output={state.output.clone()} running={state.running} />
            </section>
            <Connections key={state.generation.to_string()} bridge={bridge.clone()}
                active={ready} {protocols} />
            if let Some(ov) = &state.overview {
                <OverviewPanel overview={ov.clone()} />
            }
            <footer class="foot">
                {format!("netsnap {} · reproduces net-tools netstat 2.10 and iproute2 ss 6.1", env!("CARGO_PKG_VERSION"))}
            </footer>
        </div>
    }
}

struct LoadCtx {
    file: File,
    seq: u32,
    run_seq: u32,
    command: String,
    dispatcher: UseReducerDispatcher<State>,
    bridge: BridgeHandle,
    reading: Rc<RefCell<Option<Reading>>>,
}

/// Reads the file with progress, then hands the bytes to the worker.
fn start_load(ctx: LoadCtx) {
    let LoadCtx {
        file,
        seq,
        run_seq,
        command,
        dispatcher,
        bridge,
        reading,
    } = ctx;
    let name = file.name();
    let size = file.size();
    if let Some(old) = reading.borrow_mut().take() {
        old.reader.abort();
    }
    // Said at once, not after the next render: a test watching the
    // attribute sees every load start, even one that fails at once.
    set_body_data("state", "loading");
    dispatcher.dispatch(Action::StartLoad {
        seq,
        name: name.clone(),
        size,
    });
    let reader = match FileReader::new() {
        Ok(r) => r,
        Err(e) => {
            return dispatcher.dispatch(Action::LoadFailed {
                seq,
                message: format!("cannot read files here: {}", js_message(&e)),
            });
        }
    };
    let d = dispatcher.clone();
    let onprogress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
        d.dispatch(Action::Progress {
            seq,
            stage: Stage::Reading,
            done: e.loaded(),
            total: if e.length_computable() {
                e.total()
            } else {
                size
            },
        });
    });
    let d = dispatcher.clone();
    let r = reader.clone();
    let file_name = name.clone();
    let onerror = Closure::<dyn FnMut(ProgressEvent)>::new(move |_e: ProgressEvent| {
        let why = r.error().map(|e| e.message()).unwrap_or_default();
        d.dispatch(Action::LoadFailed {
            seq,
            message: format!("cannot read {file_name}: {why}"),
        });
    });
    let d = dispatcher.clone();
    let r = reader.clone();
    let onload = Closure::<dyn FnMut(ProgressEvent)>::new(move |_e: ProgressEvent| {
        let buf: ArrayBuffer = match r.result() {
            Ok(v) => v.unchecked_into(),
            Err(e) => {
                return d.dispatch(Action::LoadFailed {
                    seq,
                    message: format!("cannot read the file: {}", js_message(&e)),
                });
            }
        };
        let total = f64::from(buf.byte_length());
        d.dispatch(Action::Progress {
            seq,
            stage: Stage::Parsing,
            done: 0.0,
            total,
        });
        let dp = d.clone();
        let progress: bridge::Progress = Rc::new(move |read, total| {
            dp.dispatch(Action::Progress {
                seq,
                stage: Stage::Parsing,
                done: read,
                total,
            })
        });
        let dd = d.clone();
        let cmd = command.clone();
        let started = now();
        let buf_js: JsValue = buf.into();
        bridge.request(
            "open",
            &[
                ("bytes", buf_js.clone()),
                ("cmdline", JsValue::from_str(&command)),
            ],
            Some(&buf_js),
            Some(progress),
            Box::new(move |res| match res {
                Ok(v) => {
                    let run = field(&v, "run");
                    let output = if run.is_object() {
                        run_output(run_seq, &cmd, &run, now() - started)
                    } else {
                        Err(field(&v, "runError")
                            .as_string()
                            .unwrap_or_else(|| "the first command did not run".into()))
                    };
                    dd.dispatch(Action::Loaded {
                        seq,
                        overview: json_of(&field(&v, "overview")),
                        output,
                    });
                }
                Err(message) => dd.dispatch(Action::LoadFailed { seq, message }),
            }),
        );
    });
    reader.set_onprogress(Some(onprogress.as_ref().unchecked_ref()));
    reader.set_onerror(Some(onerror.as_ref().unchecked_ref()));
    reader.set_onload(Some(onload.as_ref().unchecked_ref()));
    if let Err(e) = reader.read_as_array_buffer(&file) {
        return dispatcher.dispatch(Action::LoadFailed {
            seq,
            message: format!("cannot read {name}: {}", js_message(&e)),
        });
    }
    *reading.borrow_mut() = Some(Reading {
        reader,
        _handlers: vec![onprogress, onerror, onload],
    });
}

#[cfg(test)]
mod tests {
    use super::damage_note;
    use serde_json::json;

    #[test]
    fn notes_damaged_snapshots() {
        assert_eq!(
            damage_note(&json!({"complete": true, "diagnostics": 0})),
            None
        );
        assert_eq!(damage_note(&json!({})), None);
        let note = damage_note(&json!({"complete": false, "collector": ""})).unwrap();
        assert!(note.contains("no netsnap manifest"), "{note}");
        let note = damage_note(
            &json!({"complete": false, "collector": "netsnap-collect 0.1.0", "diagnostics": 1}),
        )
        .unwrap();
        assert!(
            note.contains("did not finish") && note.contains("1 problem while"),
            "{note}"
        );
        let note = damage_note(&json!({"complete": true, "diagnostics": 3})).unwrap();
        assert!(note.contains("3 problems"), "{note}");
    }
}
