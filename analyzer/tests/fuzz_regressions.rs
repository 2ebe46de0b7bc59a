//! Replays the inputs the fuzzers found (`fuzz/regressions/<target>/`)
//! through the very bodies of the fuzz targets (`fuzz/src/bodies.rs`), and
//! runs those bodies on the fixtures and on random command lines, so that
//! what the fuzzers check is checked by `cargo test` too.
//!
//! A regression input whose bug lies outside the parsers (and is not fixed
//! yet) is listed in [`KNOWN`] with the reason, skipped by the replay of
//! its target, and replayed by an `#[ignore]`d test of its own.

#[path = "../../fuzz/src/bodies.rs"]
mod bodies;

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Inputs that still fail: (target, file name, reason).
const KNOWN: &[(&str, &str, &str)] = &[];

fn body(target: &str) -> bodies::Body {
    bodies::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .map(|(_, f)| *f)
        .unwrap_or_else(|| panic!("no fuzz target {target}"))
}

/// The regression inputs of one target, sorted by name.
fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = root().join("fuzz/regressions").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| {
        p.is_file()
            && !p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
    });
    files.sort();
    files
}

fn replay_file(target: &str, path: &Path) {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    eprintln!("replaying {target}/{}", path.display());
    body(target)(&data);
}

/// Replays every input of `target` but the known failures.
fn replay(target: &str) {
    for path in inputs(target) {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if KNOWN.iter().any(|(t, n, _)| *t == target && *n == name) {
            continue;
        }
        replay_file(target, &path);
    }
}

/// One known failure, by name (for its `#[ignore]`d test).
#[allow(dead_code)]
fn replay_known(target: &str, name: &str) {
    assert!(
        KNOWN.iter().any(|(t, n, _)| *t == target && *n == name),
        "{target}/{name} is not listed in KNOWN"
    );
    replay_file(
        target,
        &root().join("fuzz/regressions").join(target).join(name),
    );
}

#[test]
fn every_regression_directory_names_a_target() {
    let dir = root().join("fuzz/regressions");
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() {
            let _ = body(&name);
        }
    }
    for (target, name, _) in KNOWN {
        assert!(
            inputs(target)
                .iter()
                .any(|p| p.file_name().and_then(|n| n.to_str()) == Some(name)),
            "{target}/{name} listed in KNOWN but missing"
        );
    }
}

#[test]
fn regressions_parse_sockets() {
    replay("parse_sockets");
}

#[test]
fn regressions_parse_unix() {
    replay("parse_unix");
}

#[test]
fn regressions_parse_ss() {
    replay("parse_ss");
}

#[test]
fn regressions_parse_net() {
    replay("parse_net");
}

#[test]
fn regressions_parse_procs() {
    replay("parse_procs");
}

#[test]
fn regressions_parse_etc() {
    replay("parse_etc");
}

#[test]
fn regressions_parse_manifest() {
    replay("parse_manifest");
}

#[test]
fn regressions_archive() {
    replay("archive");
}

#[test]
fn regressions_args() {
    replay("args");
}

#[test]
fn regressions_end_to_end() {
    replay("end_to_end");
}

// ------------------------------------------------------------ the bodies on real data

/// Every fixture archive, and every file in it, through the targets'
/// bodies: the invariants they assert hold on real snapshots.
#[test]
fn bodies_accept_the_fixtures() {
    let mut archives: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("snapshot.tar.gz"))
        .filter(|p| p.is_file())
        .collect();
    archives.sort();
    assert!(!archives.is_empty());
    for path in archives {
        let data = std::fs::read(&path).unwrap_or_default();
        eprintln!("{}", path.display());
        bodies::archive(&data);
        bodies::end_to_end(&data);
        // The files inside, each through the parser targets.
        let mut files = Files(Vec::new());
        let mut diags = Vec::new();
        let limits = netsnap::Limits::default();
        let _ = netsnap::archive::read_entries(&data[..], &limits, &mut diags, &mut files);
        for (name, content) in &files.0 {
            for (target, f) in bodies::TARGETS {
                if target.starts_with("parse_") && content.len() < 64 << 10 {
                    f(content);
                }
            }
            bodies::parse_procs(name.as_bytes());
        }
    }
}

struct Files(Vec<(String, Vec<u8>)>);

impl netsnap::archive::Visitor for Files {
    fn wants(&mut self, _path: &str, _size: u64) -> netsnap::archive::Flow {
        netsnap::archive::Flow::Continue
    }

    fn visit(&mut self, path: &str, entry: netsnap::archive::Entry<'_>) -> netsnap::archive::Flow {
        match entry {
            netsnap::archive::Entry::File(d) | netsnap::archive::Entry::Symlink(d) => {
                self.0.push((path.to_string(), d.to_vec()));
            }
            _ => {}
        }
        netsnap::archive::Flow::Continue
    }
}

// ------------------------------------------------------------ flag parsing

/// xorshift64*: deterministic, no crates.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Words netstat's command line is made of, and a few that it is not.
const WORDS: &[&str] = &[
    "-t",
    "-u",
    "-w",
    "-x",
    "-a",
    "-l",
    "-n",
    "-p",
    "-e",
    "-o",
    "-W",
    "-c",
    "-r",
    "-s",
    "-i",
    "-g",
    "-M",
    "-v",
    "-V",
    "-h",
    "-?",
    "-C",
    "-F",
    "-N",
    "-T",
    "-S",
    "-U",
    "-Z",
    "-4",
    "-6",
    "-A",
    "inet",
    "inet6",
    "unix",
    "inet,inet6",
    "ax25",
    "--",
    "-",
    "--tcp",
    "--udp",
    "--raw",
    "--unix",
    "--sctp",
    "--listening",
    "--all",
    "--numeric",
    "--numeric-hosts",
    "--numeric-ports",
    "--numeric-users",
    "--program",
    "--extend",
    "--timers",
    "--wide",
    "--continuous",
    "--route",
    "--statistics",
    "--interfaces",
    "--groups",
    "--masquerade",
    "--verbose",
    "--version",
    "--help",
    "--protocol",
    "--protocol=inet",
    "--inet",
    "--inet6",
    "--tcpip",
    "--he",
    "--st",
    "--x",
    "-tulpn",
    "-tanpo",
    "-rnee",
    "-ieea",
    "-sA",
    "-Ainet",
    "x",
    "",
    "-\u{e9}",
    "--=",
    "-A=inet",
];

/// Random command lines (known words, glued words, random bytes) through
/// the `args` target's body: parsing never panics, is deterministic, stops
/// only with netstat's statuses, and its options always give a load plan.
#[test]
fn args_property_random_command_lines() {
    let mut rng = Rng(0x6172_6773_5f70_726f);
    for _ in 0..40_000 {
        let n = rng.below(7);
        let mut argv: Vec<Vec<u8>> = Vec::new();
        for _ in 0..n {
            let mut w = WORDS[rng.below(WORDS.len())].as_bytes().to_vec();
            match rng.below(8) {
                0 => w.extend_from_slice(WORDS[rng.below(WORDS.len())].as_bytes()),
                1 => {
                    let pos = rng.below(w.len() + 1);
                    w.insert(pos, rng.next() as u8);
                }
                2 if !w.is_empty() => {
                    w.truncate(rng.below(w.len()));
                }
                _ => {}
            }
            argv.push(w);
        }
        bodies::args(&argv.join(&0u8));
    }
}
