//! Live differential test: capture a fresh network namespace now, replay
//! the real netstat on the snapshot now, and compare netsnap's output with
//! it. Needs root, ip, unshare, python3 and netstat; skipped without them,
//! except that under `CI=true` a missing prerequisite is a failure.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use netsnap_tests::{can_replay, fixtures_dir, mismatch, recorded, run_netstat};

const HOLDER: &str = r#"
import socket, sys, os
keep = []
l4 = socket.socket(); l4.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l4.bind(("127.0.0.1", 22)); l4.listen(8); keep.append(l4)
l6 = socket.socket(socket.AF_INET6); l6.bind(("::1", 8080)); l6.listen(8); keep.append(l6)
c = socket.create_connection(("127.0.0.1", 22)); keep.append(c)
a, _ = l4.accept(); keep.append(a)
c.send(b"x" * 100)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 53)); keep.append(u)
uc = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); uc.connect(("127.0.0.1", 53)); keep.append(uc)
ux = socket.socket(socket.AF_UNIX); ux.bind("/tmp/netsnap-live-%d.sock" % os.getpid()); ux.listen(1); keep.append(ux)
p1, p2 = socket.socketpair(); keep += [p1, p2]
ab = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); ab.bind("\0netsnap-live-abstract"); keep.append(ab)
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP); keep.append(r)
print("ready", flush=True)
sys.stdin.read()
"#;

struct Netns(String);

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

fn ip(args: &[&str]) {
    let st = Command::new("ip").args(args).status();
    assert!(st.is_ok_and(|s| s.success()), "ip {args:?} failed");
}

#[test]
fn live_capture_matches_real_netstat() {
    if !can_replay("live test", &["ip", "python3"]) {
        return;
    }
    let name = format!("nsnap-live-{}", std::process::id());
    ip(&["netns", "add", &name]);
    let ns = Netns(name);
    ip(&["-n", &ns.0, "link", "set", "lo", "up"]);
    let mut holder = Command::new("ip")
        .args(["netns", "exec", &ns.0, "python3", "-c", HOLDER])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("python3: {e}"));
    let mut line = String::new();
    if let Some(out) = holder.stdout.as_mut() {
        let _ = BufReader::new(out).read_line(&mut line);
    }
    assert_eq!(line.trim(), "ready", "socket holder did not start");

    let work: PathBuf = std::env::temp_dir().join(format!("netsnap-live-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap_or_else(|e| panic!("{e}"));
    let snap = work.join("snap.tar.gz");
    let st = Command::new("ip")
        .args([
            "netns",
            "exec",
            &ns.0,
            env!("CARGO_BIN_EXE_netsnap-collect"),
            "-o",
        ])
        .arg(&snap)
        .status();
    assert!(st.is_ok_and(|s| s.success()), "collector failed");
    // Interface views ask the kernel by ioctl: run the real netstat in the
    // namespace right after the capture (nothing moves there meanwhile).
    let mut live_ifaces = Vec::new();
    for args in [&["-i"][..], &["-ia"], &["-ie"], &["-iae"]] {
        let out = Command::new("ip")
            .args(["netns", "exec", &ns.0, "env", "LC_ALL=C", "netstat"])
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("netstat: {e}"));
        live_ifaces.push((args, out));
    }
    if let Some(mut stdin) = holder.stdin.take() {
        let _ = stdin.write_all(b"");
    }
    let _ = holder.kill();
    let _ = holder.wait();

    // Socket views, then routes, statistics, groups and masquerade.
    let mut recs = Vec::new();
    for (list, out) in [("netstat.txt", "out"), ("netstat-views.txt", "out-views")] {
        let cases = fixtures_dir().join("cases").join(list);
        let st = Command::new("bash")
            .arg(fixtures_dir().join("../scripts/replay.sh"))
            .arg(&snap)
            .arg(work.join(out))
            .stdin(std::fs::File::open(&cases).unwrap_or_else(|e| panic!("{e}")))
            .status();
        assert!(st.is_ok_and(|s| s.success()), "replay.sh failed on {list}");
        recs.extend(recorded(&work.join(out)));
    }
    assert!(recs.len() > 100, "too few replayed cases: {}", recs.len());
    let mut failures: Vec<String> = recs
        .iter()
        .filter_map(|rec| mismatch(rec, &run_netstat(&snap, &rec.args)))
        .collect();
    for (args, out) in &live_ifaces {
        let rec = netsnap_tests::Recorded {
            path: PathBuf::from(format!("live netstat {}", args.join(" "))),
            args: args.iter().map(|a| a.as_bytes().to_vec()).collect(),
            stdout: out.stdout.clone(),
            stderr: out.stderr.clone(),
            status: out.status.code().unwrap_or(-1),
        };
        failures.extend(mismatch(&rec, &run_netstat(&snap, &rec.args)));
    }
    let _ = std::fs::remove_dir_all(&work);
    assert!(
        failures.is_empty(),
        "{} of {} live outputs differ:\n{}",
        failures.len(),
        recs.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
