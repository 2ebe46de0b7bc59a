//! A generated 2k-row snapshot loads in netsnap; (where root, netstat, ss and
//! unshare are available) the real netstat and ss replayed on the benchmark's
//! 10k snapshot by scripts/replay.sh accept every row and print exactly what
//! netsnap prints; and the floor inflates what it should.

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
    root && have("netstat") && have("ss") && have("unshare") && have("python3")
}

/// Runs `scripts/replay.sh` (the real `tool` on the snapshot in `file`) on `views`, into
/// `outdir`; returns each view's arguments with the real stdout, stderr and status.
fn replay(file: &Path, outdir: &Path, tool: &str, views: &[&str]) -> Vec<(Vec<String>, Output)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/replay.sh");
    let mut child = Command::new(script)
        .args(["--tool", tool])
        .arg(file)
        .arg(outdir)
        .stdin(Stdio::piped())
        .spawn()
        .expect("run replay.sh");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "{}", views.join("\n")).expect("write the cases");
    }
    assert!(child.wait().expect("wait").success(), "replay.sh failed");
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(outdir).expect("outdir") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "args") {
            continue;
        }
        let read = |ext: &str| std::fs::read(path.with_extension(ext)).expect("an output file");
        let args = String::from_utf8(read("args")).expect("args");
        let status = String::from_utf8(read("status")).expect("status");
        cases.push((
            args.lines().map(str::to_string).collect(),
            Output {
                stdout: read("stdout"),
                stderr: read("stderr"),
                status: status.trim().parse().expect("a status"),
            },
        ));
    }
    assert_eq!(cases.len(), views.len(), "{tool}: one output per view");
    cases
}

/// What a tool printed.
struct Output {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    status: i32,
}

fn lines(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

/// The benchmark's 10k snapshot (`Spec::standard`): the real netstat and ss accept every row
/// (one output line per socket), and netsnap prints what each of them prints.
#[test]
fn real_tools_agree_on_generated_10k_snapshot() {
    if !can_replay() {
        eprintln!("skipped: needs root, netstat, ss, unshare and python3");
        return;
    }
    let mut bytes = Vec::new();
    let summary = generate(&Spec::standard(10_000), &mut bytes).expect("generate");
    let dir = std::env::temp_dir().join(format!("netsnap-bench-quick-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("snap.tar.gz");
    std::fs::write(&file, &bytes).expect("write snapshot");
    let limits = netsnap::Limits::default();
    let tcp = summary.tcp4 + summary.tcp6;
    // Each tool, netsnap's entry point for it, and the lines of its header.
    type Run = fn(&[u8], &[String], &netsnap::Limits) -> Result<netsnap::Output, netsnap::Error>;
    let tools: [(&str, Run, usize); 2] = [
        (
            "netstat",
            |b, a, l| netsnap::netstat_from_reader(b, a, l),
            2,
        ),
        ("ss", |b, a, l| netsnap::ss_from_reader(b, a, l), 1),
    ];
    for (tool, run, header) in tools {
        for (args, real) in replay(&file, &dir.join(tool), tool, VIEWS) {
            let ours = run(&bytes[..], &args, &limits).expect("netsnap");
            assert!(
                ours.stdout == real.stdout
                    && ours.stderr == real.stderr
                    && ours.status == real.status,
                "{tool} {args:?}: netsnap differs from the real {tool} (see {})",
                dir.display()
            );
            let sockets = if args[0] == "-xa" { summary.unix } else { tcp };
            let got = lines(&real.stdout);
            assert_eq!(got, header + sockets, "{tool} {args:?}: a line per socket");
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
    for path in ["proc/net/tcp", "proc/net/tcp6", "proc/net/unix"] {
        let end = entry_end(&gz, path);
        let got = floor(&["--until", path]);
        let whole_blocks = got % (1 << 20) == 0 || got == all.len() as u64;
        assert!(
            whole_blocks && got >= end && got < end + (1 << 20),
            "{path} ends at {end}; the floor inflated {got}"
        );
    }
    assert!(
        entry_end(&gz, "proc/net/tcp6") > 1 << 20,
        "tcp6 ends past the first block"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
