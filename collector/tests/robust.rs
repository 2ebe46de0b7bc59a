//! The collector in bad moments (issue 6): processes coming and going by the hundred per second, an ordinary user,
//! a full file system, signals while it is blocked mid-capture, `--timeout`, and the mode of what it writes.
//!
//! Tests that need root (network and mount namespaces) are skipped without it, except under `CI=true`, where a missing
//! prerequisite is a failure (as in `live.rs`).

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use flate2::read::GzDecoder;
use serde_json::Value;
use tar::{Archive, EntryType};

const BIN: &str = env!("CARGO_BIN_EXE_netsnap-collect");

/// Forks `N` children that each hold a TCP listener, a UDP socket and a unix socket pair; with `RATE` > 0, kills the oldest
/// and forks a new one RATE times a second until SIGTERM, then prints what it did.
const HOLDERS: &str = r#"
import os, signal, socket, sys, time
n, rate = int(sys.argv[1]), float(sys.argv[2])
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel as they die

def child():
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    keep = []
    t = socket.socket(); t.bind(("127.0.0.1", 0)); t.listen(4); keep.append(t)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0)); keep.append(u)
    keep += list(socket.socketpair())
    while True:
        signal.pause()

def spawn():
    pid = os.fork()
    if pid == 0:
        try:
            child()
        finally:
            os._exit(0)
    return pid

stop = False
def on_term(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
alive = [spawn() for _ in range(n)]
print("ready " + " ".join(map(str, alive)), flush=True)
spawned = 0
start = time.monotonic()
while not stop:
    if rate == 0:
        signal.pause()
        continue
    os.kill(alive.pop(0), signal.SIGKILL)
    alive.append(spawn())
    spawned += 1
    ahead = start + spawned / rate - time.monotonic()
    if ahead > 0:
        time.sleep(ahead)
elapsed = time.monotonic() - start
for pid in alive:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
print("spawned %d killed %d in %.2f s" % (spawned, spawned, elapsed), flush=True)
"#;

/// One archive entry as read back.
struct Entry {
    path: String,
    kind: EntryType,
    mode: u32,
    data: Vec<u8>,
}

fn read_snapshot(bytes: &[u8]) -> Vec<Entry> {
    let mut plain = Vec::new();
    if bytes.starts_with(&[0x1f, 0x8b]) {
        GzDecoder::new(bytes)
            .read_to_end(&mut plain)
            .expect("gzip stream");
    } else {
        plain = bytes.to_vec();
    }
    let mut archive = Archive::new(plain.as_slice());
    let mut entries = Vec::new();
    for entry in archive.entries().expect("tar entries") {
        let mut entry = entry.expect("tar entry");
        let path = entry.path().expect("path").to_string_lossy().into_owned();
        let kind = entry.header().entry_type();
        let mode = entry.header().mode().expect("mode");
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("entry data");
        entries.push(Entry {
            path,
            kind,
            mode,
            data,
        });
    }
    entries
}

fn manifest(entries: &[Entry], name: &str) -> Value {
    let entry = entries
        .iter()
        .find(|e| e.path == name)
        .unwrap_or_else(|| panic!("{name} missing"));
    serde_json::from_slice(&entry.data).expect("manifest is JSON")
}

/// `netstat ARGS` on a snapshot through the analyzer library: must not fail or panic.
fn render(bytes: &[u8], args: &[&str]) -> netsnap::Output {
    netsnap::netstat_from_reader(bytes, args, &netsnap::Limits::default())
        .unwrap_or_else(|e| panic!("netstat {args:?}: {e}"))
}

/// The pid of a `proc/<pid>/...` path.
fn pid_of(path: &str) -> Option<u32> {
    path.strip_prefix("proc/")?.split('/').next()?.parse().ok()
}

/// Every process with fd links in the archive also has its cmdline and stat, before its links; returns those pids.
fn check_processes(entries: &[Entry]) -> Vec<u32> {
    let mut pids = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if !e.path.contains("/fd/") {
            continue;
        }
        let Some(pid) = pid_of(&e.path) else { continue };
        if pids.last() == Some(&pid) {
            continue;
        }
        for name in ["cmdline", "stat"] {
            let want = format!("proc/{pid}/{name}");
            assert!(
                entries[..i].iter().any(|e| e.path == want),
                "{} archived without {want}",
                e.path
            );
        }
        pids.push(pid);
    }
    pids
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn is_root() -> bool {
    fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Whether a test that needs root and these tools can run; under `CI=true` it must.
fn can_run(test: &str, tools: &[&str]) -> bool {
    netsnap_tests::can_replay(test, tools)
}

/// A fresh directory for one test, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("netsnap-robust-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    /// File names in the directory.
    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(&self.0)
            .expect("list dir")
            .filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()))
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A network namespace this test created, deleted at the end.
struct Netns(String);

impl Netns {
    fn new(name: &str) -> Netns {
        let name = format!("nsnap-{name}-{}", std::process::id());
        ip(&["netns", "add", &name]);
        let ns = Netns(name);
        ip(&["-n", &ns.0, "link", "set", "lo", "up"]);
        ns
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

fn ip(args: &[&str]) {
    let st = Command::new("ip").args(args).status();
    assert!(st.is_ok_and(|s| s.success()), "ip {args:?} failed");
}

/// The holder script in its own process group, killed whole at the end.
struct Holders {
    child: Child,
    pids: Vec<u32>,
}

impl Holders {
    fn start(ns: &Netns, count: usize, rate: u32) -> Holders {
        let mut child = Command::new("ip")
            .args(["netns", "exec", &ns.0, "python3", "-c", HOLDERS])
            .args([count.to_string(), rate.to_string()])
            .stdout(Stdio::piped())
            .process_group(0)
            .spawn()
            .expect("python3");
        let mut line = String::new();
        if let Some(out) = child.stdout.as_mut() {
            let _ = BufReader::new(out).read_line(&mut line);
        }
        let pids: Vec<u32> = match line.trim().strip_prefix("ready ") {
            Some(pids) => pids.split(' ').filter_map(|p| p.parse().ok()).collect(),
            None => panic!("holders did not start: {line:?}"),
        };
        assert_eq!(pids.len(), count);
        Holders { child, pids }
    }

    /// Stops the churn and returns its report line.
    fn stop(mut self) -> String {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let mut rest = String::new();
        if let Some(mut out) = self.child.stdout.take() {
            let _ = out.read_to_string(&mut rest);
        }
        rest.trim().to_string()
    }
}

impl Drop for Holders {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.wait();
    }
}

/// `netsnap-collect ARGS` as uid 65534 (nobody) through setpriv, run in `ns`.
fn as_nobody(ns: &Netns) -> Command {
    let mut cmd = Command::new("ip");
    cmd.args([
        "netns",
        "exec",
        &ns.0,
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        BIN,
    ]);
    cmd
}

/// 50 captures in a row while processes holding sockets are forked and killed by the hundred per second: all succeed,
/// all render (`netstat -tanp`), every archived process is whole, and the processes that vanished mid-scan are counted.
/// Then 10 more as nobody, under the same churn: they succeed and record the fd directories they could not read.
#[test]
fn captures_under_process_churn() {
    if !can_run("churn test", &["ip", "python3", "setpriv"]) {
        return;
    }
    let ns = Netns::new("churn");
    let holders = Holders::start(&ns, 100, 400);
    let dir = TempDir::new("churn");
    fs::set_permissions(&dir.0, fs::Permissions::from_mode(0o777)).expect("chmod");
    let started = Instant::now();
    let (mut vanished_processes, mut vanished_fds, mut sizes, mut processes) =
        (0u64, 0u64, Vec::new(), Vec::new());
    for i in 0..60 {
        let nobody = i >= 50;
        let path = dir.0.join(format!("snap-{i}.tgz"));
        let out = if nobody {
            as_nobody(&ns).arg("-o").arg(&path).output()
        } else {
            Command::new("ip")
                .args(["netns", "exec", &ns.0, BIN, "-o"])
                .arg(&path)
                .output()
        }
        .expect("run netsnap-collect");
        assert!(
            out.status.success(),
            "capture {i}: {:?}: {}",
            out.status,
            stderr(&out)
        );
        let meta = fs::metadata(&path).expect("snapshot written");
        assert_eq!(meta.mode() & 0o777, 0o600, "capture {i}");
        let bytes = fs::read(&path).expect("read snapshot");
        let rendered = render(&bytes, &["-tanp"]);
        assert_eq!(
            rendered.status,
            0,
            "capture {i}: {}",
            String::from_utf8_lossy(&rendered.stderr)
        );
        let entries = read_snapshot(&bytes);
        assert_eq!(
            entries.last().map(|e| e.path.as_str()),
            Some("netsnap-end.json")
        );
        let archived = check_processes(&entries);
        let end = manifest(&entries, "netsnap-end.json");
        let count = |k: &str| end[k].as_u64().unwrap_or_else(|| panic!("{k}: {end}"));
        assert_eq!(count("processes"), archived.len() as u64, "{end}");
        if nobody {
            let header = manifest(&entries, "netsnap.json");
            assert_eq!(header["euid"], 65534);
            let denied = end["fd_denied"].as_array().expect("fd_denied");
            assert!(!denied.is_empty(), "capture {i} as nobody: {end}");
            for pid in denied.iter().filter_map(Value::as_u64) {
                let want = format!("proc/{pid}/fd");
                let e = entries
                    .iter()
                    .find(|e| e.path.trim_end_matches('/') == want)
                    .unwrap_or_else(|| panic!("no {want} entry"));
                assert!(e.kind == EntryType::Directory && e.mode == 0, "{want}");
            }
        } else {
            vanished_processes += count("vanished_processes");
            vanished_fds += count("vanished_fds");
            sizes.push(bytes.len());
            processes.push(archived.len());
        }
        fs::remove_file(&path).expect("remove snapshot");
    }
    let secs = started.elapsed().as_secs_f64();
    let report = holders.stop();
    assert!(dir.names().is_empty(), "left behind: {:?}", dir.names());
    eprintln!(
        "churn: 60 captures (50 as root, 10 as nobody) in {secs:.2} s; root captures: {}..{} bytes, {}..{} processes, \
         vanished {vanished_processes} processes and {vanished_fds} fds in all; holders: {report}",
        sizes.iter().min().unwrap_or(&0),
        sizes.iter().max().unwrap_or(&0),
        processes.iter().min().unwrap_or(&0),
        processes.iter().max().unwrap_or(&0),
    );
    let spawned: u64 = report
        .split(' ')
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(
        spawned as f64 / secs > 100.0,
        "churn too slow to mean anything: {report}"
    );
    assert!(
        vanished_processes + vanished_fds > 0,
        "no process vanished mid-scan in 50 captures under churn"
    );
}

/// Runs `script` (with `$1`.. = `args`) in a private mount namespace: as root `unshare -m`, otherwise in a user
/// namespace (`unshare -rm`). None when neither is possible here.
fn in_mount_namespace(script: &str, args: &[&str]) -> Option<Output> {
    let mut cmd = Command::new("unshare");
    if is_root() {
        cmd.arg("-m");
    } else {
        cmd.args(["-r", "-m"]);
    }
    let out = cmd
        .args(["sh", "-c", script, "sh"])
        .args(args)
        .output()
        .ok()?;
    let err = stderr(&out);
    if err.starts_with("unshare:") || err.contains("mount:") {
        eprintln!("cannot make a private mount namespace: {err}");
        return None;
    }
    Some(out)
}

/// A capture into a full file system (a 64 KiB tmpfs) fails with the file and the cause on stderr, exit status 1,
/// and leaves nothing behind: the plain tar with 4 KiB left (it fails mid-archive), then gzip with nothing left.
#[test]
fn full_file_system_leaves_nothing() {
    let dir = TempDir::new("full");
    let script = r#"
        mount -t tmpfs -o size=64k tmpfs "$1" || exit 99
        head -c 61440 /dev/zero > "$1/filler"
        "$2" -o "$1/snap.tar" --no-gzip
        echo "status $?" >&2
        ls -A "$1" >&2
        echo end >&2
        head -c 65536 /dev/zero > "$1/filler2" 2>/dev/null
        "$2" -o "$1/snap.tar.gz"
        echo "status $?" >&2
        ls -A "$1" >&2
        echo end >&2
    "#;
    let Some(out) = in_mount_namespace(script, &[&dir.0.to_string_lossy(), BIN]) else {
        assert!(
            !under_ci(),
            "full file system test cannot run under CI=true"
        );
        return;
    };
    assert_ne!(out.status.code(), Some(99), "{}", stderr(&out));
    let err = stderr(&out);
    let runs: Vec<&str> = err.split_inclusive("end\n").collect();
    assert_eq!(runs.len(), 2, "{err}");
    for (run, (name, files)) in runs.iter().zip([
        ("snap.tar", &["filler"][..]),
        ("snap.tar.gz", &["filler", "filler2"]),
    ]) {
        let target = dir.0.join(name);
        let lines: Vec<&str> = run.lines().collect();
        // One message, the status, then the directory listing: only the fillers.
        assert_eq!(lines.len(), 3 + files.len(), "{name}: {run}");
        assert_eq!(lines[1], "status 1", "{name}: {run}");
        assert_eq!(&lines[2..2 + files.len()], files, "{name}: {run}");
        let message = lines[0];
        assert!(
            message.starts_with(&format!(
                "netsnap-collect: cannot write {}: ",
                target.display()
            )) && message.contains("No space left on device")
                && message.contains("no snapshot written"),
            "{message}"
        );
    }
    assert!(dir.names().is_empty(), "{:?}", dir.names());
}

/// Snapshot files are created mode 0600 whatever the umask, also when `--force` replaces a file of another mode.
#[test]
fn snapshots_are_mode_0600() {
    let dir = TempDir::new("mode");
    let out = Command::new("sh")
        .args(["-c", "umask 000 && exec \"$0\" -o snap.tgz", BIN])
        .current_dir(&dir.0)
        .output()
        .expect("sh");
    assert!(out.status.success(), "{}", stderr(&out));
    let mode = |name: &str| fs::metadata(dir.0.join(name)).expect("written").mode() & 0o7777;
    assert_eq!(mode("snap.tgz"), 0o600);
    fs::write(dir.0.join("old.tar"), b"old").expect("write");
    fs::set_permissions(dir.0.join("old.tar"), fs::Permissions::from_mode(0o644)).expect("chmod");
    let out = Command::new("sh")
        .args([
            "-c",
            "umask 000 && exec \"$0\" -o old.tar --no-gzip --force",
            BIN,
        ])
        .current_dir(&dir.0)
        .output()
        .expect("sh");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode("old.tar"), 0o600);
    assert_eq!(dir.names(), ["old.tar", "snap.tgz"]);
}

/// Opens the write end of `fifo` once a reader has it open (the collector, blocked in its read), or None if `child`
/// ended or 20 s passed first.
fn open_writer(fifo: &Path, child: &mut Child) -> Option<fs::File> {
    let until = Instant::now() + Duration::from_secs(20);
    while Instant::now() < until {
        match fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(fifo)
        {
            Ok(file) => return Some(file),
            Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {}
            Err(e) => panic!("{}: {e}", fifo.display()),
        }
        if child.try_wait().ok().flatten().is_some() {
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    None
}

fn mkfifo(path: &Path) {
    let st = Command::new("mkfifo").arg(path).status();
    assert!(st.is_ok_and(|s| s.success()), "mkfifo {}", path.display());
}

fn kill(sig: &str, pid: u32) {
    let st = Command::new("kill").args([sig, &pid.to_string()]).status();
    assert!(st.is_ok_and(|s| s.success()), "kill {sig} {pid}");
}

/// Starts the collector in a private mount namespace where `/proc/<blocked>/cmdline` is `fifo`:
/// its read of that process's command line blocks, mid-capture (the header and tables are in the archive by then),
/// until the fifo's writer goes away.
fn blocked_capture(fifo: &Path, blocked: u32, netns: Option<&Netns>, args: &[&str]) -> Child {
    let mut cmd = Command::new("unshare");
    cmd.args([
        "-m",
        "sh",
        "-c",
        "mount --bind \"$1\" /proc/$2/cmdline && shift 2 && exec \"$@\"",
        "sh",
    ]);
    cmd.arg(fifo).arg(blocked.to_string());
    if let Some(ns) = netns {
        cmd.args(["ip", "netns", "exec", &ns.0]);
    }
    cmd.arg(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("unshare")
}

/// SIGINT and SIGTERM while the collector is blocked mid-capture (reading a process's command line, its temporary
/// file partly written): it stops at the next entry, exits 130 or 143, and leaves neither snapshot nor temporary file.
/// A second signal while it is still blocked stops it at once, with the same result.
#[test]
fn signals_mid_capture_leave_nothing() {
    if !can_run("signal test", &[]) {
        return;
    }
    // A socket of ours, so that the collector reads our command line, which is the fifo.
    let _listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let me = std::process::id();
    let work = TempDir::new("signal-fifo");
    let dir = TempDir::new("signal");
    let fifo = work.0.join("cmdline");
    mkfifo(&fifo);
    let target = dir.0.join("snap.tar");
    let target_arg = target.to_string_lossy().into_owned();
    for (sig, twice, status) in [
        ("-INT", false, 130),
        ("-TERM", false, 143),
        ("-TERM", true, 143),
    ] {
        let mut child = blocked_capture(&fifo, me, None, &["-o", &target_arg, "--no-gzip"]);
        let Some(writer) = open_writer(&fifo, &mut child) else {
            let out = child.wait_with_output().expect("wait");
            panic!("collector never read the fifo: {}", stderr(&out));
        };
        let names = dir.names();
        assert!(
            names.len() == 1 && names[0].starts_with(".netsnap-") && names[0].ends_with(".tmp"),
            "{names:?}"
        );
        let written = fs::metadata(dir.0.join(&names[0])).map_or(0, |m| m.len());
        kill(sig, child.id());
        std::thread::sleep(Duration::from_millis(200));
        assert!(
            child.try_wait().expect("try_wait").is_none(),
            "the first signal should wait for the blocked read"
        );
        if twice {
            kill(sig, child.id());
            let out = child.wait_with_output().expect("wait");
            drop(writer);
            assert_eq!(out.status.code(), Some(status), "{}", stderr(&out));
            assert!(
                stderr(&out).contains("interrupted again"),
                "{}",
                stderr(&out)
            );
        } else {
            drop(writer);
            let out = child.wait_with_output().expect("wait");
            assert_eq!(out.status.code(), Some(status), "{}", stderr(&out));
            let name = if sig == "-INT" { "SIGINT" } else { "SIGTERM" };
            assert!(
                stderr(&out).contains(&format!("interrupted by {name}, no snapshot written")),
                "{}",
                stderr(&out)
            );
        }
        eprintln!("{sig} twice={twice}: temporary file had {written} bytes when signalled");
        assert!(dir.names().is_empty(), "left behind: {:?}", dir.names());
    }
}

/// `--timeout` on a namespace of 300 socket-holding processes: with the capture held up past the deadline on one
/// process's command line, that process is archived whole, every later pid is left out and said to be, and the
/// snapshot is complete and renders. With `--timeout 0` nothing is gathered, and the snapshot still renders.
#[test]
fn timeout_writes_what_it_has() {
    if !can_run("timeout test", &["ip", "python3"]) {
        return;
    }
    let ns = Netns::new("timeout");
    let holders = Holders::start(&ns, 300, 0);
    let work = TempDir::new("timeout-fifo");
    let dir = TempDir::new("timeout");
    let fifo = work.0.join("cmdline");
    mkfifo(&fifo);
    let blocked = holders.pids[holders.pids.len() / 2];
    let target = dir.0.join("snap.tgz");
    let target_arg = target.to_string_lossy().into_owned();
    // Long enough for the scan to reach the blocked process on a loaded machine.
    let timeout = Duration::from_millis(1500);
    let started = Instant::now();
    let mut child = blocked_capture(
        &fifo,
        blocked,
        Some(&ns),
        &["-o", &target_arg, "--timeout", "1.5"],
    );
    let Some(writer) = open_writer(&fifo, &mut child) else {
        let out = child.wait_with_output().expect("wait");
        panic!("collector never read the fifo: {}", stderr(&out));
    };
    std::thread::sleep(
        (started + timeout + Duration::from_millis(200)).saturating_duration_since(Instant::now()),
    );
    drop(writer);
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "{:?}: {}", out.status, stderr(&out));
    assert!(
        stderr(&out).contains("timed out, left out:"),
        "{}",
        stderr(&out)
    );
    let bytes = fs::read(&target).expect("snapshot written");
    let entries = read_snapshot(&bytes);
    let end = manifest(&entries, "netsnap-end.json");
    assert_eq!(end["timed_out"], true, "{end}");
    assert_eq!(end["timeout_ms"], 1500, "{end}");
    let archived = check_processes(&entries);
    let later: Vec<u32> = holders
        .pids
        .iter()
        .copied()
        .filter(|&p| p > blocked)
        .collect();
    assert!(archived.contains(&blocked), "{archived:?}");
    assert!(archived.iter().all(|&p| p <= blocked), "{archived:?}");
    assert!(
        entries
            .iter()
            .filter_map(|e| pid_of(&e.path))
            .all(|p| p <= blocked),
        "entries after the deadline"
    );
    let left_out: Vec<&str> = end["left_out"]
        .as_array()
        .expect("left_out")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    // Other processes of the machine may have pids between ours: the first left out is after the blocked one.
    let next = later.iter().min().copied().unwrap_or(u32::MAX);
    let (unscanned, from) = left_out
        .iter()
        .find_map(|l| {
            let (n, rest) = l.split_once(" process(es) not scanned, pids ")?;
            let from = rest.strip_suffix(" and above")?;
            Some((n.parse::<usize>().ok()?, from.parse::<u32>().ok()?))
        })
        .unwrap_or_else(|| panic!("{left_out:?}"));
    assert!(
        from > blocked && from <= next,
        "{left_out:?}: blocked {blocked}, next {next}"
    );
    assert!(unscanned >= later.len(), "{unscanned} < {}", later.len());
    let rendered = render(&bytes, &["-tanp"]);
    assert_eq!(rendered.status, 0);
    let text = String::from_utf8_lossy(&rendered.stdout);
    assert!(text.contains(&format!("{}/", holders.pids[0])), "{text}");

    // Nothing at all within the bound: still a snapshot, every file recorded as left out.
    let zero = dir.0.join("zero.tgz");
    let out = Command::new("ip")
        .args(["netns", "exec", &ns.0, BIN, "--timeout", "0", "-o"])
        .arg(&zero)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = fs::read(&zero).expect("snapshot written");
    let entries = read_snapshot(&bytes);
    let header = manifest(&entries, "netsnap.json");
    let missing = header["missing"].as_array().expect("missing");
    assert!(
        missing
            .iter()
            .any(|m| m["path"] == "proc/net/tcp" && m["error"] == "ETIMEDOUT"),
        "{header}"
    );
    let end = manifest(&entries, "netsnap-end.json");
    assert_eq!(end["timed_out"], true);
    assert_eq!(end["processes"], 0);
    for args in [&["-tanp"][..], &["-s"], &["-i"], &["-r"]] {
        render(&bytes, args);
    }
    drop(holders);
}

/// `--help` documents `--timeout`, the no-partial-file behaviour and every exit status.
#[test]
fn help_documents_exit_statuses() {
    let out = Command::new(BIN).arg("--help").output().expect("run");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "--timeout SECS",
        "no partial file is left",
        "Exit status:",
        "  0  ",
        "  1  ",
        "  2  ",
        "130 SIGINT, 143 SIGTERM",
    ] {
        assert!(help.contains(needle), "help lacks {needle:?}:\n{help}");
    }
}

/// SIGHUP stops a capture as SIGINT and SIGTERM do (status 129, nothing left), except when it was ignored from the
/// start (`nohup`): then the capture goes on and is written.
#[test]
fn sighup_unless_ignored() {
    let dir = TempDir::new("hup");
    for (ignored, name) in [(false, "hup.tgz"), (true, "nohup.tgz")] {
        let trap = if ignored { "trap '' HUP; " } else { "" };
        let child = Command::new("sh")
            .args([
                "-c",
                &format!("{trap}exec \"$0\" -o {name} --count 3 --interval 0.4"),
                BIN,
            ])
            .current_dir(&dir.0)
            .stderr(Stdio::piped())
            .spawn()
            .expect("sh");
        // The handlers are in place once the temporary file exists.
        let until = Instant::now() + Duration::from_secs(20);
        while !dir.names().iter().any(|n| n.ends_with(".tmp")) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
        kill("-HUP", child.id());
        let out = child.wait_with_output().expect("wait");
        if ignored {
            assert!(out.status.success(), "{}", stderr(&out));
            assert_eq!(dir.names(), [name]);
        } else {
            assert_eq!(out.status.code(), Some(129), "{}", stderr(&out));
            assert!(stderr(&out).contains("interrupted by SIGHUP"));
            assert!(dir.names().is_empty(), "{:?}", dir.names());
        }
    }
}
