//! `#error`: present only while there is an error; its text is the message.

use yew::prelude::*;

/// Props of [`ErrorPanel`].
#[derive(Properties, PartialEq)]
pub struct ErrorPanelProps {
    /// The message, if any.
    pub message: Option<String>,
}

/// The error panel.
#[function_component(ErrorPanel)]
pub fn error_panel(props: &ErrorPanelProps) -> Html {
    match &props.message {
        Some(m) => html! { <div id="error" class="error" role="alert">{m.clone()}</div> },
        None => html! {},
    }
}
