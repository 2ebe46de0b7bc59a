//! `#command`, `#run`, the `#flag-<letter>` toggles (netstat's, or ss's
//! for a line starting with `ss`) and `#history`.

use std::rc::Rc;

use web_sys::{HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

use crate::app::cmdline::{Tool, has_flag, set_flag};

/// Props of [`CommandBar`].
#[derive(Properties, PartialEq)]
pub struct CommandBarProps {
    /// The command box's text.
    pub command: String,
    /// Commands run, oldest first.
    pub history: Rc<Vec<String>>,
    /// A snapshot is open: commands can run.
    pub enabled: bool,
    /// A command is running.
    pub running: bool,
    /// The text was edited (typing or a toggle).
    pub on_change: Callback<String>,
    /// Run a command line.
    pub on_run: Callback<String>,
    /// Arrow keys: `true` for back (up), `false` for forward (down), with
    /// what the box holds now.
    pub on_history: Callback<(bool, String)>,
}

/// The command box with its toggles and history.
#[function_component(CommandBar)]
pub fn command_bar(props: &CommandBarProps) -> Html {
    let input_ref = use_node_ref();
    let on_input = {
        let cb = props.on_change.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            cb.emit(input.value());
        })
    };
    let on_keydown = {
        let cb = props.on_history.clone();
        Callback::from(move |e: KeyboardEvent| {
            let back = match e.key().as_str() {
                "ArrowUp" => true,
                "ArrowDown" => false,
                _ => return,
            };
            e.prevent_default();
            let input: HtmlInputElement = e.target_unchecked_into();
            cb.emit((back, input.value()));
        })
    };
    let on_submit = {
        let run = props.on_run.clone();
        let command = props.command.clone();
        let input_ref = input_ref.clone();
        let enabled = props.enabled;
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !enabled {
                return;
            }
            // What the box shows now, even if its last edit is not rendered yet.
            let now = input_ref
                .cast::<HtmlInputElement>()
                .map_or_else(|| command.clone(), |i| i.value());
            run.emit(now);
        })
    };

    let tool = Tool::of(&props.command);
    let toggles = tool.flags().iter().map(|&(letter, long, hint)| {
        let on = has_flag(&props.command, letter);
        let cb = props.on_change.clone();
        let command = props.command.clone();
        let onchange = Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            cb.emit(set_flag(&command, letter, input.checked()));
        });
        html! {
            <label class="flag" title={format!("--{long}: {hint}")}>
                <input type="checkbox" id={format!("flag-{letter}")} checked={on} {onchange}
                    data-flag={letter.to_string()} />
                <code>{format!("-{letter}")}</code>
            </label>
        }
    });

    let history = props.history.iter().rev().map(|cmd| {
        let run = props.on_run.clone();
        let c = cmd.clone();
        html! {
            <li>
                <button type="button" class="history-item" title="run again"
                    onclick={Callback::from(move |_| run.emit(c.clone()))}>{cmd.clone()}</button>
            </li>
        }
    });

    html! {
        <section class="command-bar">
            <form class="command-form" onsubmit={on_submit}>
                <span class="prompt" aria-hidden="true">{"$"}</span>
                <input id="command" type="text" ref={input_ref} value={props.command.clone()}
                    aria-label="netstat or ss command line" spellcheck="false" autocomplete="off"
                    autocapitalize="off" oninput={on_input} onkeydown={on_keydown} />
                <button id="run" type="submit" class="primary" disabled={!props.enabled}
                    title={if props.enabled { "run (Enter)" } else { "open a snapshot first" }}>
                    {if props.running { "Running…" } else { "Run" }}
                </button>
            </form>
            <div class="flags" role="group" aria-label={format!("common {} flags", tool.name())}
                data-tool={tool.name()}>{for toggles}</div>
            <div class="history">
                <span class="label">{"History"}</span>
                <ol id="history" aria-label="commands run, newest first">{for history}</ol>
            </div>
        </section>
    }
}
