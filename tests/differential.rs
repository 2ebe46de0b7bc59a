//! Seeded random differential tests: netsnap against the real netstat and
//! the real ss, each replayed on the fixture snapshots
//! (scripts/replay.sh, `--tool ss` for ss). Needs root, the real tools and
//! unshare; skipped without them, except that with `CI=true` a missing
//! prerequisite is a failure.
//!
//! `NETSNAP_SEED` (the seed), `NETSNAP_DIFF_CASES` (command lines per
//! fixture) and `NETSNAP_DIFF_FIXTURES=a,b` (only these fixtures) apply to
//! both.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use netsnap_tests::{Rng, Tool, can_replay, fixtures_dir, mismatch, replay};

/// The two tests share the machine's two cores: one runs at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

#[test]
fn random_flags_against_real_netstat() {
    // Every fixture.
    differential(Tool::Netstat, &[], |_| true);
}

#[test]
fn random_ss_against_real_ss() {
    // Every fixture, as for netstat (not only those with expected-ss/:
    // the hand-made and multi-frame snapshots are inputs too), except
    // bigendian (skipped below: the host's ss decodes in its own order).
    differential(Tool::Ss, &["ss"], |_| true);
}

/// Replays `NETSNAP_DIFF_CASES` (default 300) random command lines of
/// `tool` on every fixture `wanted` accepts, on two workers, and fails with
/// the first differences; prints `identical of total`.
fn differential(tool: Tool, needs: &[&str], wanted: fn(&Path) -> bool) {
    let name = tool.name();
    if !can_replay(&format!("{name} differential test"), needs) {
        return;
    }
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let per_fixture: usize = std::env::var("NETSNAP_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let seed: u64 = std::env::var("NETSNAP_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20261128);
    eprintln!("{name} differential: seed {seed}, {per_fixture} command lines per fixture");
    let root = fixtures_dir();
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&root)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    fixtures.sort();
    fixtures.retain(|f| wanted(f));
    // NETSNAP_DIFF_FIXTURES=a,b: only these fixtures (by directory name).
    if let Ok(only) = std::env::var("NETSNAP_DIFF_FIXTURES") {
        let only: Vec<&str> = only.split(',').collect();
        fixtures.retain(|f| {
            f.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| only.contains(&n))
        });
    }
    // Two workers (the machine's cores), each taking every other fixture.
    let results: Vec<(usize, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|w| {
                let fixtures = &fixtures;
                scope.spawn(move || {
                    let mut total = 0;
                    let mut failures = Vec::new();
                    for (i, fx) in fixtures.iter().enumerate().skip(w).step_by(2) {
                        let (t, f) = one_fixture(tool, i, fx, seed, per_fixture);
                        total += t;
                        failures.extend(f);
                    }
                    (total, failures)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| panic!("a {name} differential worker failed"))
            })
            .collect()
    });
    let total: usize = results.iter().map(|r| r.0).sum();
    let failures: Vec<String> = results.into_iter().flat_map(|r| r.1).collect();
    eprintln!(
        "{name} differential: {} of {total} command lines identical (seed {seed})",
        total - failures.len()
    );
    assert!(total > 0, "no fixture snapshots under {}", root.display());
    assert!(
        failures.is_empty(),
        "{name}: {} of {total} differ (seed {seed}):\n{}",
        failures.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Replays random command lines on one fixture; returns how many were
/// compared and the differences.
fn one_fixture(
    tool: Tool,
    i: usize,
    fx: &Path,
    seed: u64,
    per_fixture: usize,
) -> (usize, Vec<String>) {
    let snapshot = fx.join("snapshot.tar.gz");
    if !snapshot.exists() {
        return (0, Vec::new());
    }
    // The real tools decode addresses in this host's byte order, so they
    // cannot be replayed on a big-endian snapshot (the bigendian fixture is
    // compared with its little-endian original instead).
    let manifest = std::fs::File::open(&snapshot)
        .ok()
        .and_then(|f| {
            netsnap::load(
                std::io::BufReader::new(f),
                &netsnap::LoadPlan {
                    processes: false,
                    frames: false,
                    sockets: false,
                    tables: None,
                    only_tables: None,
                    raw_tables: false,
                    stats: false,
                },
                &netsnap::Limits::default(),
            )
            .ok()
        })
        .map(|s| s.manifest)
        .unwrap_or_default();
    if manifest.byte_order == netsnap::model::ByteOrder::Big {
        return (0, Vec::new());
    }
    let mut rng = Rng::new(seed.wrapping_add(i as u64));
    let mut lines: Vec<String> = (0..per_fixture)
        .map(|_| tool.random_args(&mut rng).join(" "))
        .collect();
    lines.sort();
    lines.dedup();
    let work = std::env::temp_dir().join(format!(
        "netsnap-diff-{}-{}-{}",
        tool.name(),
        std::process::id(),
        fx.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    let _ = std::fs::remove_dir_all(&work);
    let _ = std::fs::create_dir_all(&work);
    // Replay as the user the snapshot was taken as.
    let recs = replay(tool, &snapshot, &work.join("out"), &lines, manifest.euid);
    let failures: Vec<String> = recs
        .iter()
        .filter_map(|rec| mismatch(rec, &tool.run(&snapshot, &rec.args)))
        .collect();
    let _ = std::fs::remove_dir_all(&work);
    (recs.len(), failures)
}
