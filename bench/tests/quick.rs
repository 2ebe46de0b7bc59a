//! A generated 2k-row snapshot loads in netsnap, and (where root, netstat and
//! unshare are available) the real netstat replayed on it by
//! scripts/replay.sh prints exactly what netsnap prints.

use std::path::Path;
use std::process::{Command, Stdio};

use netsnap_bench::{Spec, generate};

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

fn can_replay() -> bool {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n");
    let have = |tool: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    root && have("netstat") && have("unshare") && have("python3")
}

#[test]
fn real_netstat_agrees_on_generated_snapshot() {
    if !can_replay() {
        eprintln!("skipped: needs root, netstat, unshare and python3");
        return;
    }
    let (bytes, _) = snapshot();
    let dir = std::env::temp_dir().join(format!("netsnap-bench-quick-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("snap.tar.gz");
    std::fs::write(&file, &bytes).unwrap();
    let outdir = dir.join("out");
    let replay = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/replay.sh");
    let mut child = Command::new(replay)
        .arg(&file)
        .arg(&outdir)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{}", VIEWS.join("\n")).unwrap();
    }
    assert!(child.wait().unwrap().success(), "replay.sh failed");
    let snap = netsnap::load(
        &bytes[..],
        &netsnap::LoadPlan::everything(),
        &netsnap::Limits::default(),
    )
    .unwrap();
    let mut seen = 0;
    for entry in std::fs::read_dir(&outdir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "args") {
            continue;
        }
        let args = std::fs::read_to_string(&path).unwrap();
        let args: Vec<&str> = args.lines().collect();
        let real = std::fs::read(path.with_extension("stdout")).unwrap();
        let ours = netsnap::netstat(&snap, &args);
        assert!(
            ours.stdout == real,
            "netstat {args:?}: netsnap differs from the real netstat (see {})",
            outdir.display()
        );
        seen += 1;
    }
    assert_eq!(seen, VIEWS.len());
    let _ = std::fs::remove_dir_all(&dir);
}
