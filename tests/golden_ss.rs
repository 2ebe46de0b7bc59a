//! Every recorded (snapshot, ss command line) pair in `fixtures/*/expected-ss/`, replayed through
//! `netsnap ss` and compared byte for byte with what the real ss (iproute2 6.1) printed when it
//! read the snapshot's files.

use netsnap_tests::{fixtures_dir, mismatch, recorded, run_ss};

#[test]
fn golden_ss_outputs() {
    let root = fixtures_dir();
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    cases.sort();
    let (mut total, mut failures) = (0usize, Vec::new());
    let mut per_fixture = Vec::new();
    for case in cases {
        let snapshot = case.join("snapshot.tar.gz");
        let dir = case.join("expected-ss");
        if !snapshot.exists() || !dir.exists() {
            continue;
        }
        let recs = recorded(&dir);
        let mut ok = 0;
        for rec in &recs {
            total += 1;
            let got = run_ss(&snapshot, &rec.args);
            match mismatch(rec, &got) {
                None => ok += 1,
                Some(m) => failures.push(m),
            }
        }
        per_fixture.push(format!(
            "{}: {ok}/{}",
            case.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            recs.len()
        ));
    }
    eprintln!("golden ss: {}", per_fixture.join(", "));
    assert!(total > 0, "no recorded ss outputs under {}", root.display());
    assert!(
        failures.is_empty(),
        "{} of {total} outputs differ:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
