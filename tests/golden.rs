//! Every recorded (snapshot, flags) pair in `fixtures/*/expected/`, replayed
//! through netsnap and compared byte for byte with what the real netstat
//! printed.

use netsnap_tests::{fixtures_dir, mismatch, recorded, run_netstat};

#[test]
fn golden_netstat_outputs() {
    let root = fixtures_dir();
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    cases.sort();
    let (mut total, mut failures) = (0usize, Vec::new());
    let mut per_fixture = Vec::new();
    for case in cases {
        let snapshot = case.join("snapshot.tar.gz");
        if !snapshot.exists() {
            continue;
        }
        let mut recs = recorded(&case.join("expected"));
        recs.extend(recorded(&case.join("expected-views")));
        let mut ok = 0;
        for rec in &recs {
            total += 1;
            let got = run_netstat(&snapshot, &rec.args);
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
    eprintln!("golden: {}", per_fixture.join(", "));
    assert!(
        total > 0,
        "no recorded outputs found under {}",
        root.display()
    );
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
