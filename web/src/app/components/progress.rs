//! `#progress`: bytes read, then bytes parsed, while a snapshot loads.

use yew::prelude::*;

use super::human_bytes;
use crate::app::state::{Phase, Stage};

/// Props of [`ProgressPanel`].
#[derive(Properties, PartialEq)]
pub struct ProgressPanelProps {
    /// The app's phase; the panel shows only while loading.
    pub phase: Phase,
}

/// The progress panel.
#[function_component(ProgressPanel)]
pub fn progress_panel(props: &ProgressPanelProps) -> Html {
    let Phase::Loading {
        name,
        stage,
        done,
        total,
    } = &props.phase
    else {
        return html! {};
    };
    let verb = match stage {
        Stage::Reading => "Reading",
        Stage::Parsing => "Parsing",
    };
    let max = total.max(1.0);
    html! {
        <section id="progress" class="progress" aria-live="polite"
            data-stage={if *stage == Stage::Reading { "reading" } else { "parsing" }}
            data-done={format!("{done:.0}")} data-total={format!("{total:.0}")}>
            <progress max={format!("{max:.0}")} value={format!("{:.0}", done.min(max))}></progress>
            <span class="progress-text">
                {format!("{verb} {name}: {} of {}", human_bytes(*done), human_bytes(*total))}
            </span>
        </section>
    }
}
