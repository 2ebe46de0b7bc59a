//! `#drop-zone` and `#file-input`: open a snapshot by dropping it or
//! picking it.

use wasm_bindgen::JsCast;
use web_sys::{DragEvent, File, HtmlInputElement};
use yew::prelude::*;

/// Props of [`FileDrop`].
#[derive(Properties, PartialEq)]
pub struct FileDropProps {
    /// Called with the chosen file.
    pub on_file: Callback<File>,
    /// A snapshot is open or opening: show a slim bar instead of the big zone.
    pub compact: bool,
    /// Name of the open (or opening) file.
    pub file_name: Option<String>,
}

/// The drop zone with its file picker.
#[function_component(FileDrop)]
pub fn file_drop(props: &FileDropProps) -> Html {
    let hover = use_state(|| false);

    let on_change = {
        let on_file = props.on_file.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            else {
                return;
            };
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                on_file.emit(file);
            }
            // Choosing the same file again must load it again.
            input.set_value("");
        })
    };
    let on_drag_over = {
        let hover = hover.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(dt) = e.data_transfer() {
                dt.set_drop_effect("copy");
            }
            hover.set(true);
        })
    };
    let on_drag_leave = {
        let hover = hover.clone();
        Callback::from(move |_e: DragEvent| hover.set(false))
    };
    let on_drop = {
        let hover = hover.clone();
        let on_file = props.on_file.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            hover.set(false);
            if let Some(file) = e
                .data_transfer()
                .and_then(|dt| dt.files())
                .and_then(|f| f.get(0))
            {
                on_file.emit(file);
            }
        })
    };

    let class = classes!(
        "drop-zone",
        props.compact.then_some("compact"),
        (*hover).then_some("hover")
    );
    html! {
        <section id="drop-zone" {class}
            ondragover={on_drag_over.clone()} ondragenter={on_drag_over}
            ondragleave={on_drag_leave} ondrop={on_drop}>
            if !props.compact {
                <p class="drop-title">{"Drop a netsnap snapshot here"}</p>
                <p class="drop-hint">
                    {"a .tar.gz written by "}<code>{"netsnap-collect"}</code>
                    {"; it is read in this page only and never uploaded"}
                </p>
            }
            if props.compact {
                if let Some(name) = &props.file_name {
                    <span class="file-name" title={name.clone()}>{name.clone()}</span>
                }
            }
            <label class="file-label">
                <span>{if props.compact { "open another (or drop it here):" } else { "or choose a file:" }}</span>
                <input id="file-input" type="file" onchange={on_change} />
            </label>
        </section>
    }
}
