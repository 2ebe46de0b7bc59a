//! The two manifests' JSON text, and the UTC times in them.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::gather::Missing;
use crate::procs::Scan;
use crate::sys::IfAddr;

/// What the header manifest `netsnap.json` records (see docs/snapshot-format.md).
pub struct Header<'a> {
    pub capture_start: Instant,
    pub boot_id: String,
    pub hostname: String,
    pub kernel_release: String,
    pub machine: String,
    pub user_hz: i64,
    pub euid: u32,
    pub full_cmdline: bool,
    pub netns: String,
    pub interfaces: &'a [IfAddr],
    /// Present only with `--resolve`.
    pub reverse_dns: Option<&'a BTreeMap<String, String>>,
    pub missing: &'a [Missing],
    pub tables: Vec<String>,
    /// Frames in the archive (`--count`); later ones live under `frames/<k>/`.
    pub frames: u32,
    /// Time between frames in milliseconds.
    pub interval_ms: u64,
}

impl Header<'_> {
    pub fn to_json(&self) -> Vec<u8> {
        let interfaces = self
            .interfaces
            .iter()
            .map(|i| {
                json!({
                    "name": i.name,
                    "family": i.family,
                    "address": i.address,
                    "netmask": i.netmask,
                    "broadcast": i.broadcast,
                    "destination": i.destination,
                    "flags": i.flags,
                })
            })
            .collect();
        let missing = self
            .missing
            .iter()
            .map(|m| json!({"path": m.path, "error": m.error}))
            .collect();
        let mut fields = vec![
            ("format", json!("netsnap")),
            ("format_version", json!(1)),
            (
                "collector",
                json!(format!("{} {}", crate::cli::NAME, crate::cli::VERSION)),
            ),
            ("capture_start", json!(self.capture_start.rfc3339())),
            ("boot_id", json!(self.boot_id)),
            ("hostname", json!(self.hostname)),
            ("kernel_release", json!(self.kernel_release)),
            ("machine", json!(self.machine)),
            (
                "byte_order",
                json!(if cfg!(target_endian = "big") {
                    "big"
                } else {
                    "little"
                }),
            ),
            ("user_hz", json!(self.user_hz)),
            ("euid", json!(self.euid)),
            ("full_cmdline", json!(self.full_cmdline)),
            ("netns", json!(self.netns)),
            ("interfaces", Value::Array(interfaces)),
        ];
        if let Some(names) = self.reverse_dns {
            fields.push(("reverse_dns", json!(names)));
        }
        fields.push(("missing", Value::Array(missing)));
        fields.push(("tables", json!(self.tables)));
        if self.frames > 1 {
            fields.push(("frames", json!(self.frames)));
            fields.push(("interval_ms", json!(self.interval_ms)));
        }
        render(&fields)
    }
}

/// What `--timeout` did to a run.
pub struct Timeout {
    /// The bound asked for.
    pub timeout_ms: u64,
    /// Whether it ran out before everything was gathered.
    pub timed_out: bool,
    /// What was left out, one phrase each (files, interface answers, processes, frames).
    pub left_out: Vec<String>,
}

/// The closing manifest `netsnap-end.json`; the timeout fields only with `--timeout`.
pub fn closing(
    capture_end: Instant,
    scan: &Scan,
    warnings: &[String],
    timeout: Option<&Timeout>,
) -> Vec<u8> {
    let mut fields = vec![
        ("capture_end", json!(capture_end.rfc3339())),
        ("processes", json!(scan.processes)),
        ("vanished_processes", json!(scan.vanished_processes)),
        ("vanished_fds", json!(scan.vanished_fds)),
        ("fd_denied", json!(scan.fd_denied)),
        ("warnings", json!(warnings)),
    ];
    if let Some(t) = timeout {
        fields.push(("timeout_ms", json!(t.timeout_ms)));
        fields.push(("timed_out", json!(t.timed_out)));
        fields.push(("left_out", json!(t.left_out)));
    }
    render(&fields)
}

/// A wall-clock instant as seconds and milliseconds since the epoch.
#[derive(Clone, Copy)]
pub struct Instant {
    pub secs: u64,
    pub millis: u32,
}

impl Instant {
    pub fn now() -> Instant {
        // A clock before 1970 is reported as 1970 rather than failing the capture.
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO);
        Instant {
            secs: since.as_secs(),
            millis: since.subsec_millis(),
        }
    }

    /// RFC 3339 UTC with milliseconds: `2026-11-28T03:40:00.123Z`.
    pub fn rfc3339(self) -> String {
        let (y, mo, d, h, mi, s) = civil(self.secs);
        format!(
            "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}Z",
            self.millis
        )
    }

    /// Compact UTC for file names: `20261128T034000Z`.
    pub fn compact(self) -> String {
        let (y, mo, d, h, mi, s) = civil(self.secs);
        format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
    }
}

/// Year, month, day, hour, minute, second of a Unix time (proleptic Gregorian calendar, UTC).
fn civil(secs: u64) -> (u64, u64, u64, u64, u64, u64) {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil algorithm, shifted so that eras start on 0000-03-01.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
}

/// A JSON object with its keys in the given order, one key per line;
/// arrays (except arrays of numbers) and objects at the top level get one element per line, so that a manifest reads well in a terminal.
pub fn render(fields: &[(&str, Value)]) -> Vec<u8> {
    let mut out = String::from("{\n");
    for (i, (key, value)) in fields.iter().enumerate() {
        out.push_str("  ");
        out.push_str(&Value::from(*key).to_string());
        out.push_str(": ");
        match value {
            Value::Array(items) if !items.is_empty() && !items.iter().all(Value::is_number) => {
                let lines: Vec<String> = items.iter().map(Value::to_string).collect();
                nested(&mut out, '[', ']', &lines);
            }
            Value::Object(map) if !map.is_empty() => {
                let lines: Vec<String> = map
                    .iter()
                    .map(|(k, v)| format!("{}: {v}", Value::from(k.as_str())))
                    .collect();
                nested(&mut out, '{', '}', &lines);
            }
            _ => out.push_str(&value.to_string()),
        }
        if i + 1 < fields.len() {
            out.push(',');
        }
        out.push('\n');
    }
    out.push_str("}\n");
    out.into_bytes()
}

fn nested(out: &mut String, open: char, close: char, lines: &[String]) {
    out.push(open);
    out.push('\n');
    for (j, line) in lines.iter().enumerate() {
        out.push_str("    ");
        out.push_str(line);
        if j + 1 < lines.len() {
            out.push(',');
        }
        out.push('\n');
    }
    out.push_str("  ");
    out.push(close);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        let t = Instant {
            secs: 1_795_837_200,
            millis: 7,
        };
        assert_eq!(t.rfc3339(), "2026-11-28T03:40:00.007Z");
        assert_eq!(t.compact(), "20261128T034000Z");
        let epoch = Instant { secs: 0, millis: 0 };
        assert_eq!(epoch.rfc3339(), "1970-01-01T00:00:00.000Z");
        let leap = Instant {
            secs: 951_782_400,
            millis: 999,
        };
        assert_eq!(leap.rfc3339(), "2000-02-29T00:00:00.999Z");
    }

    #[test]
    fn rendered_json_parses_back_in_order() {
        let text = render(&[
            ("b", json!(1)),
            ("a", json!(["x", {"k": null}])),
            ("m", json!({"1.2.3.4": "h\"ost"})),
            ("e", json!([])),
        ]);
        let text = String::from_utf8(text).unwrap_or_default();
        let v: Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(
            v,
            json!({"b": 1, "a": ["x", {"k": null}], "m": {"1.2.3.4": "h\"ost"}, "e": []})
        );
        assert!(text.find("\"b\"") < text.find("\"a\""));
    }
}
