//! Each fixture holds the states its scenario promises
//! (`fixtures/<case>/states.json`), counted by `scripts/snapshot-stats.py`,
//! an implementation independent of netsnap's parsers.

use std::process::Command;

use netsnap_tests::fixtures_dir;

#[test]
fn fixtures_hold_the_states_they_promise() {
    let root = fixtures_dir();
    let mut fixtures: Vec<_> = std::fs::read_dir(&root)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    fixtures.sort();
    let mut checked = 0;
    let mut failures = Vec::new();
    for fx in fixtures {
        let (snap, states) = (fx.join("snapshot.tar.gz"), fx.join("states.json"));
        if !snap.exists() || !states.exists() {
            continue;
        }
        let out = Command::new("python3")
            .arg(root.join("../scripts/snapshot-stats.py"))
            .arg(&snap)
            .arg("--check")
            .arg(&states)
            .output()
            .unwrap_or_else(|e| panic!("python3: {e}"));
        checked += 1;
        if !out.status.success() {
            failures.push(format!(
                "{}:\n{}{}",
                fx.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(
        checked > 0,
        "no fixture with states.json under {}",
        root.display()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
