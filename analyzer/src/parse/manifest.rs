//! `netsnap.json` and `netsnap-end.json`, the snapshot's manifests
//! (see docs/snapshot-format.md). Unknown fields are ignored and absent
//! ones take their documented defaults.

use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;
use crate::model::ByteOrder;

fn default_version() -> u32 {
    1
}

fn default_user_hz() -> u32 {
    100
}

/// The header manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Manifest {
    /// Format version.
    #[serde(default = "default_version")]
    pub format_version: u32,
    /// Writer of the archive.
    pub collector: String,
    /// Capture start (RFC 3339).
    pub capture_start: String,
    /// Boot id of the source.
    pub boot_id: String,
    /// Node name.
    pub hostname: String,
    /// Kernel release.
    pub kernel_release: String,
    /// Machine architecture.
    pub machine: String,
    /// Byte order of the source.
    pub byte_order: ByteOrder,
    /// `sysconf(_SC_CLK_TCK)` on the source.
    #[serde(default = "default_user_hz")]
    pub user_hz: u32,
    /// Effective uid of the collector.
    pub euid: u32,
    /// Whether whole command lines were kept.
    pub full_cmdline: bool,
    /// Network namespace link.
    pub netns: String,
    /// getifaddrs answers, kept as JSON.
    pub interfaces: Vec<serde_json::Value>,
    /// Reverse-DNS answers: address text to name.
    pub reverse_dns: std::collections::BTreeMap<String, String>,
    /// Files the source lacked or could not be read.
    pub missing: Vec<Missing>,
    /// The `proc/net` paths that precede the process entries.
    pub tables: Vec<String>,
}

impl Default for Manifest {
    fn default() -> Self {
        Manifest {
            format_version: 1,
            collector: String::new(),
            capture_start: String::new(),
            boot_id: String::new(),
            hostname: String::new(),
            kernel_release: String::new(),
            machine: String::new(),
            byte_order: ByteOrder::Little,
            user_hz: 100,
            euid: 0,
            full_cmdline: false,
            netns: String::new(),
            interfaces: Vec::new(),
            reverse_dns: Default::default(),
            missing: Vec::new(),
            tables: Vec::new(),
        }
    }
}

/// A file the source lacked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Missing {
    /// Archive path.
    pub path: String,
    /// errno name.
    pub error: String,
}

/// The closing manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Closing {
    /// Capture end (RFC 3339).
    pub capture_end: String,
    /// Processes whose fds were archived.
    pub processes: u64,
    /// Processes that vanished during the scan.
    pub vanished_processes: u64,
    /// Fds that vanished during the scan.
    pub vanished_fds: u64,
    /// Pids whose fd directory could not be read.
    pub fd_denied: Vec<u32>,
    /// Warnings met while collecting.
    pub warnings: Vec<String>,
}

/// Reads a manifest; on damage, the defaults and a diagnostic.
pub fn parse_manifest(path: &str, input: &[u8]) -> (Manifest, Option<Diagnostic>) {
    match serde_json::from_slice::<Manifest>(input) {
        Ok(m) => (m, None),
        Err(e) => (
            Manifest::default(),
            Some(Diagnostic::at(
                path,
                u32::try_from(e.line()).unwrap_or(0),
                format!("unreadable manifest, using defaults: {e}"),
            )),
        ),
    }
}

/// Reads the closing manifest.
pub fn parse_closing(path: &str, input: &[u8]) -> (Option<Closing>, Option<Diagnostic>) {
    match serde_json::from_slice::<Closing>(input) {
        Ok(m) => (Some(m), None),
        Err(e) => (
            None,
            Some(Diagnostic::at(
                path,
                u32::try_from(e.line()).unwrap_or(0),
                format!("unreadable closing manifest: {e}"),
            )),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_are_ignored_and_defaults_apply() {
        let (m, d) = parse_manifest(
            "netsnap.json",
            br#"{"format_version":1,"future":{"x":1},"byte_order":"big"}"#,
        );
        assert!(d.is_none());
        assert_eq!(m.byte_order, ByteOrder::Big);
        assert_eq!(m.user_hz, 100);
    }

    #[test]
    fn damaged_manifest_gives_defaults() {
        let (m, d) = parse_manifest("netsnap.json", b"{nope");
        assert_eq!(m, Manifest::default());
        assert!(d.is_some());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::parse::inet::tests::Rng;

    const MANIFEST: &[u8] = br#"{"format_version":1,"collector":"netsnap-collect 0.1.0","capture_start":"2026-01-02T03:04:05Z","boot_id":"b","hostname":"h","kernel_release":"6.18.0","machine":"x86_64","byte_order":"little","user_hz":100,"euid":0,"full_cmdline":true,"netns":"net:[4026531840]","interfaces":[{"name":"lo","family":"inet","address":"127.0.0.1","netmask":"255.0.0.0","flags":73},{"name":"lo","family":"packet","flags":73}],"reverse_dns":{"10.0.0.1":"a.example"},"missing":[{"path":"proc/net/sctp/eps","error":"ENOENT"}],"tables":["proc/net/tcp","proc/net/unix"]}"#;

    const CLOSING: &[u8] = br#"{"capture_end":"2026-01-02T03:04:06Z","processes":12,"vanished_processes":1,"vanished_fds":2,"fd_denied":[1,2],"warnings":["w"]}"#;

    /// Mutated manifests: either read without a word or give the defaults
    /// and a diagnostic; what was read writes back and reads the same.
    #[test]
    fn mutated_manifests() {
        let mut rng = Rng(0x6d61_6e69_6673);
        let mut read = 0;
        for _ in 0..20_000 {
            let text = rng.mutate(MANIFEST);
            let (m, d) = parse_manifest("netsnap.json", &text);
            match d {
                Some(_) => assert_eq!(m, Manifest::default()),
                None => {
                    read += 1;
                    let again = serde_json::to_vec(&m).unwrap_or_default();
                    let (m2, d2) = parse_manifest("netsnap.json", &again);
                    assert!(d2.is_none());
                    assert_eq!(m2.interfaces.len(), m.interfaces.len());
                    assert_eq!(
                        Manifest {
                            interfaces: Vec::new(),
                            ..m2
                        },
                        Manifest {
                            interfaces: Vec::new(),
                            ..m
                        }
                    );
                }
            }
            let text = rng.mutate(CLOSING);
            let (c, d) = parse_closing("netsnap-end.json", &text);
            assert!(c.is_some() != d.is_some());
        }
        // The mutations keep some manifests readable.
        assert!(read > 1_000 && read < 19_000, "{read}");
    }
}
