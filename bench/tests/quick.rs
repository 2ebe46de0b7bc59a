//! A generated 2k-row snapshot loads in netsnap; the real netstat and ss
//! replayed on the benchmark's 10k snapshot by scripts/replay.sh accept every
//! row and print exactly what netsnap prints (needs root, the tools, unshare
//! and python3: skipped without them, a failure under `CI=true`, as the
//! integration tests do); and the floor inflates what it should.

use std::process::Command;

use netsnap_bench::{Spec, generate};
use netsnap_tests::{Tool, can_replay, mismatch, replay};

const VIEWS: &[&str] = &["-tan", "-tanp", "-xa"];

fn snapshot() -> (Vec<u8>, netsnap_bench::Summary) {
    let spec = Spec {
        tcp: 2000,
        unix: 200,
        procs: 40,
        seed: 7,
    };
    let mut buf = Vec::new();
    let summary = generate(&spec, &mut buf).expect("generate");
    (buf, summary)
}

#[test]
fn generated_snapshot_loads_in_netsnap() {
    let (bytes, summary) = snapshot();
    // Deterministic.
    assert_eq!(bytes, snapshot().0);
    let snap = netsnap::load(
        &bytes[..],
        &netsnap::LoadPlan::everything(),
        &netsnap::Limits::default(),
    )
    .expect("netsnap loads the generated snapshot");
    let out = netsnap::netstat(&snap, &["-tan"]);
    assert_eq!(out.status, 0, "{}", String::from_utf8_lossy(&out.stderr));
    let lines = out.stdout.iter().filter(|&&b| b == b'\n').count();
    assert_eq!(lines, 2 + summary.tcp4 + summary.tcp6);
    let out = netsnap::netstat(&snap, &["-xa"]);
    let lines = out.stdout.iter().filter(|&&b| b == b'\n').count();
    assert_eq!(lines, 2 + summary.unix);
    let out = netsnap::netstat(&snap, &["-tanp"]);
    assert_eq!(out.status, 0);
    assert!(summary.procs == 40 && summary.fds > 1500, "{summary:?}");
    for prog in ["nginx", "sshd", "python3"] {
        let needle = format!("/{prog}");
        assert!(
            out.stdout
                .windows(needle.len())
                .any(|w| w == needle.as_bytes()),
            "-tanp names {prog}"
        );
    }
    assert!(
        snap.diagnostics.is_empty(),
        "diagnostics on a generated snapshot: {:?}",
        snap.diagnostics
    );
}

fn lines(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

/// The benchmark's 10k snapshot (`Spec::standard`): the real netstat and ss accept every row
/// (one output line per socket), and netsnap prints what each of them prints.
#[test]
fn real_tools_agree_on_generated_10k_snapshot() {
    if !can_replay("the generator's replay test", &["ss", "python3"]) {
        return;
    }
    let mut bytes = Vec::new();
    let summary = generate(&Spec::standard(10_000), &mut bytes).expect("generate");
    let dir = std::env::temp_dir().join(format!("netsnap-bench-quick-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("snap.tar.gz");
    std::fs::write(&file, &bytes).expect("write snapshot");
    let views: Vec<String> = VIEWS.iter().map(|v| v.to_string()).collect();
    let tcp = summary.tcp4 + summary.tcp6;
    // Each tool with the lines of its header.
    for (tool, header) in [(Tool::Netstat, 2), (Tool::Ss, 1)] {
        let recs = replay(tool, &file, &dir.join(tool.name()), &views, 0);
        assert_eq!(
            recs.len(),
            VIEWS.len(),
            "{}: one output per view",
            tool.name()
        );
        for rec in recs {
            if let Some(m) = mismatch(&rec, &tool.run(&file, &rec.args)) {
                panic!("netsnap differs from the real {}: {m}", tool.name());
            }
            let sockets = if rec.args == [b"-xa"] {
                summary.unix
            } else {
                tcp
            };
            let got = lines(&rec.stdout);
            assert_eq!(
                got,
                header + sockets,
                "{} {}: a line per socket",
                tool.name(),
                rec.path.display()
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Where the entry `path` ends in the inflated tar stream of `gz`.
fn entry_end(gz: &[u8], path: &str) -> u64 {
    let mut archive = tar::Archive::new(flate2::read::MultiGzDecoder::new(gz));
    for entry in archive.entries().expect("tar") {
        let entry = entry.expect("entry");
        if entry.path().expect("path").to_str() == Some(path) {
            return entry.raw_file_position() + entry.size();
        }
    }
    panic!("{path} not in the archive");
}

/// The floor inflates through the end of the view's last entry, not just to its header (it
/// once stopped at the header of `proc/net/tcp6`, so `-tan`'s floor left that table out).
#[test]
fn floor_inflates_through_the_last_entry() {
    let mut gz = Vec::new();
    generate(&Spec::standard(30_000), &mut gz).expect("generate");
    let dir = std::env::temp_dir().join(format!("netsnap-floor-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("snap.tar.gz");
    std::fs::write(&file, &gz).expect("write snapshot");
    let floor = |extra: &[&str]| -> u64 {
        let out = Command::new(env!("CARGO_BIN_EXE_netsnap-floor"))
            .arg(&file)
            .args(extra)
            .output()
            .expect("run netsnap-floor");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("a byte count")
    };
    let mut all = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&gz[..]), &mut all)
        .expect("inflate");
    assert_eq!(floor(&[]), all.len() as u64);
    let mut ends = Vec::new();
    for path in ["proc/net/tcp", "proc/net/tcp6", "proc/net/unix"] {
        let end = entry_end(&gz, path);
        ends.push(end);
        let got = floor(&["--until", path]);
        let whole_blocks = got % (1 << 20) == 0 || got == all.len() as u64;
        assert!(
            whole_blocks && got >= end && got < end + (1 << 20),
            "{path} ends at {end}; the floor inflated {got}"
        );
    }
    assert!(ends[1] > 1 << 20, "tcp6 ends past the first block");
    let _ = std::fs::remove_dir_all(&dir);
}
