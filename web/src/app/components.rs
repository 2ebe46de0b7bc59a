//! The UI's components, one file each.

mod command_bar;
mod connections;
mod error_panel;
mod file_drop;
mod output_pane;
mod overview;
mod progress;

pub use command_bar::CommandBar;
pub use connections::Connections;
pub use error_panel::ErrorPanel;
pub use file_drop::FileDrop;
pub use output_pane::OutputPane;
pub use overview::OverviewPanel;
pub use progress::ProgressPanel;

/// A byte count for people: `512 B`, `1.5 KiB`, `3.2 MiB`.
pub fn human_bytes(n: f64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024.0 {
        return format!("{n:.0} B");
    }
    let mut v = n;
    let mut unit = "B";
    for u in UNITS {
        if v < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = u;
    }
    format!("{v:.1} {unit}")
}

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn bytes_for_people() {
        assert_eq!(human_bytes(0.0), "0 B");
        assert_eq!(human_bytes(1023.0), "1023 B");
        assert_eq!(human_bytes(1536.0), "1.5 KiB");
        assert_eq!(human_bytes(3.0 * 1024.0 * 1024.0), "3.0 MiB");
    }
}
