//! `#output` (stdout exactly as netstat or ss prints it), `#stderr`, `#status`,
//! `#copy` and `#download`.

use std::rc::Rc;

use js_sys::{Array, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};
use yew::prelude::*;

use crate::app::bridge::js_message;
use crate::app::cmdline::download_name;
use crate::app::state::RunOutput;

/// Props of [`OutputPane`].
#[derive(Properties, PartialEq)]
pub struct OutputPaneProps {
    /// The last command's output.
    pub output: Option<Rc<RunOutput>>,
    /// A command is running.
    pub running: bool,
}

#[wasm_bindgen]
extern "C" {
    /// The browser's `TextDecoder`, bound here so that decoded text stays a
    /// JS string and never passes through the module's memory.
    #[wasm_bindgen(js_name = TextDecoder)]
    type Decoder;
    #[wasm_bindgen(constructor, js_class = "TextDecoder")]
    fn new() -> Decoder;
    #[wasm_bindgen(method, js_class = "TextDecoder")]
    fn decode(this: &Decoder, bytes: &js_sys::Uint8Array) -> js_sys::JsString;
}

/// Writes `bytes`, decoded as UTF-8 (lossily), to the clipboard.
fn copy_text(bytes: &js_sys::Uint8Array) -> Result<js_sys::Promise, JsValue> {
    let text = Decoder::new().decode(bytes);
    let window = web_sys::window().ok_or("no window")?;
    let clipboard = Reflect::get(&window.navigator(), &"clipboard".into())?;
    if clipboard.is_undefined() {
        return Err("this page may not use the clipboard".into());
    }
    let write: js_sys::Function = Reflect::get(&clipboard, &"writeText".into())?.dyn_into()?;
    write.call1(&clipboard, &text)?.dyn_into()
}

/// Offers `bytes` as a download named `name`.
fn download(bytes: &js_sys::Uint8Array, name: &str) -> Result<(), JsValue> {
    let opts = BlobPropertyBag::new();
    opts.set_type("text/plain");
    let blob = Blob::new_with_u8_array_sequence_and_options(&Array::of1(bytes), &opts)?;
    let url = Url::create_object_url_with_blob(&blob)?;
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let a: HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // Give the browser time to start the download before freeing the URL.
    let revoke = Closure::once_into_js(move || {
        let _ = Url::revoke_object_url(&url);
    });
    window.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000)?;
    Ok(())
}

/// The output pane.
#[function_component(OutputPane)]
pub fn output_pane(props: &OutputPaneProps) -> Html {
    // What the Copy and Download buttons last did.
    let note = use_state(String::new);
    {
        let note = note.clone();
        let seq = props.output.as_ref().map(|o| o.seq);
        use_effect_with(seq, move |_| note.set(String::new()));
    }

    let Some(out) = props.output.clone() else {
        return html! {
            <section class="output-pane">
                <div class="output-bar">
                    <span id="status" class="status"></span>
                    <span class="meta">{"Open a snapshot, then run any netstat or ss command line."}</span>
                    <span class="spacer"></span>
                    <button id="copy" type="button" disabled=true>{"Copy"}</button>
                    <button id="download" type="button" disabled=true>{"Download"}</button>
                </div>
                <pre id="output" class="output empty"></pre>
            </section>
        };
    };

    let on_copy = {
        let out = out.clone();
        let note = note.clone();
        Callback::from(move |_| {
            let promise = match copy_text(&out.stdout) {
                Ok(p) => p,
                Err(e) => return note.set(format!("Copy failed: {}", js_message(&e))),
            };
            let note = note.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match wasm_bindgen_futures::JsFuture::from(promise).await {
                    Ok(_) => note.set("Copied.".into()),
                    Err(e) => note.set(format!("Copy failed: {}", js_message(&e))),
                }
            });
        })
    };
    let on_download = {
        let out = out.clone();
        let note = note.clone();
        Callback::from(move |_| {
            let name = download_name(&out.cmdline);
            match download(&out.stdout, &name) {
                Ok(()) => note.set(format!("Saved as {name}.")),
                Err(e) => note.set(format!("Download failed: {}", js_message(&e))),
            }
        })
    };

    let bytes = out.stdout.length();
    html! {
        <section class="output-pane" aria-busy={if props.running { "true" } else { "false" }}>
            <div class="output-bar">
                <span id="status" data-status={out.status.to_string()}
                    class={classes!("status", (out.status != 0).then_some("bad"))}>
                    {format!("exit status {}", out.status)}
                </span>
                <span class="meta">
                    <code>{out.cmdline.clone()}</code>
                    {format!(" · {bytes} bytes · {:.0} ms", out.ms)}
                </span>
                <span class="spacer"></span>
                <span class="note" aria-live="polite">{(*note).clone()}</span>
                <button id="copy" type="button" onclick={on_copy}>{"Copy"}</button>
                <button id="download" type="button" title={download_name(&out.cmdline)}
                    onclick={on_download}>{"Download"}</button>
            </div>
            if out.cut {
                <p class="cut-note" id="output-cut">
                    {format!("The page shows the first {} bytes of {bytes}; Copy and Download have all of it.", out.shown_bytes)}
                </p>
            }
            // Chunks of whole lines, each laid out only when scrolled to;
            // the text of #output is stdout exactly (when not cut).
            <pre id="output" class="output" data-command={out.cmdline.clone()}
                data-bytes={bytes.to_string()}>
                { for out.shown.iter().enumerate().map(|(i, c)| {
                    // Every chunk but the last has CHUNK_LINES lines (the CSS's size).
                    let style = (i + 1 == out.shown.len()).then(|| {
                        let lines = c.matches('\n').count() + usize::from(!c.ends_with('\n'));
                        format!("contain-intrinsic-block-size: auto calc({lines} * 1.35em)")
                    });
                    html! { <span class="chunk" {style}>{c.clone()}</span> }
                }) }
            </pre>
            if !out.stderr.is_empty() {
                <pre id="stderr" class="stderr">{out.stderr.clone()}</pre>
            }
        </section>
    }
}
