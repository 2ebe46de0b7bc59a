//! Runs the real `netsnap-collect` binary on this machine and reads back what it wrote.

use std::fs;
use std::io::Read;
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use flate2::read::GzDecoder;
use serde_json::Value;
use tar::{Archive, EntryType};

const BIN: &str = env!("CARGO_BIN_EXE_netsnap-collect");

/// One archive entry as read back.
struct Entry {
    path: String,
    kind: EntryType,
    mode: u32,
    data: Vec<u8>,
    link: Option<String>,
}

/// Reads a snapshot, gzip-compressed or not (told by the magic bytes).
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
        let link = entry
            .link_name()
            .expect("link name")
            .map(|l| l.to_string_lossy().into_owned());
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("entry data");
        entries.push(Entry {
            path,
            kind,
            mode,
            data,
            link,
        });
    }
    entries
}

fn json(entry: &Entry) -> Value {
    serde_json::from_slice(&entry.data).expect("manifest is JSON")
}

/// A fresh directory for one test, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "netsnap-collect-test-{}-{name}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run netsnap-collect")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn is_root() -> bool {
    fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

/// The inode `ls -i` would show for a socket of this process, from its fd link.
fn socket_inode(fd: i32) -> String {
    let link = fs::read_link(format!("/proc/self/fd/{fd}")).expect("own fd link");
    link.to_string_lossy().into_owned()
}

#[test]
fn snapshot_layout() {
    use std::os::fd::AsRawFd;
    let dir = TempDir::new("layout");
    // A listening socket of ours, so that this process shows up with a socket link.
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    let own_link = socket_inode(listener.as_raw_fd());
    let out = run(&dir.0, &["-o", "snap.tar.gz"]);
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(
        err.starts_with("netsnap-collect: wrote ")
            && err.contains("snap.tar.gz (")
            && err.ends_with(" s)\n"),
        "stderr: {err}"
    );
    assert_eq!(err.lines().count(), 1, "stderr: {err}");

    let path = dir.0.join("snap.tar.gz");
    let meta = fs::metadata(&path).expect("snapshot written");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let leftovers: Vec<_> = fs::read_dir(&dir.0)
        .expect("list dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name() != "snap.tar.gz")
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");

    let entries = read_snapshot(&fs::read(&path).expect("read snapshot"));
    let first = entries.first().expect("entries");
    assert_eq!(first.path, "netsnap.json");
    let header = json(first);
    for field in [
        "format",
        "format_version",
        "collector",
        "capture_start",
        "boot_id",
        "hostname",
        "kernel_release",
        "machine",
        "byte_order",
        "user_hz",
        "euid",
        "full_cmdline",
        "netns",
        "interfaces",
        "missing",
        "tables",
    ] {
        assert!(
            header.get(field).is_some(),
            "header lacks {field}: {header}"
        );
    }
    assert_eq!(header["format"], "netsnap");
    assert_eq!(header["format_version"], 1);
    assert!(
        header.get("reverse_dns").is_none(),
        "reverse_dns without --resolve"
    );
    let expected_order = if cfg!(target_endian = "big") {
        "big"
    } else {
        "little"
    };
    assert_eq!(header["byte_order"], expected_order);
    assert_eq!(
        header["netns"].as_str(),
        fs::read_link("/proc/self/ns/net")
            .ok()
            .as_deref()
            .and_then(Path::to_str)
    );
    assert!(
        header["capture_start"]
            .as_str()
            .is_some_and(|t| t.len() == 24 && t.ends_with('Z')),
        "capture_start {}",
        header["capture_start"]
    );

    let last = entries.last().expect("entries");
    assert_eq!(last.path, "netsnap-end.json");
    let end = json(last);
    for field in [
        "capture_end",
        "processes",
        "vanished_processes",
        "vanished_fds",
        "fd_denied",
        "warnings",
    ] {
        assert!(
            end.get(field).is_some(),
            "closing manifest lacks {field}: {end}"
        );
    }

    let tcp = entries
        .iter()
        .find(|e| e.path == "proc/net/tcp")
        .expect("proc/net/tcp archived");
    assert!(!tcp.data.is_empty());
    assert_eq!(tcp.mode, 0o644);
    assert_eq!(tcp.kind, EntryType::Regular);
    // The tables list names socket tables that are in the archive, in its order, right after the header.
    let tables: Vec<&str> = header["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(tables.first(), Some(&"proc/net/tcp"));
    assert!(tables.contains(&"proc/net/unix") && !tables.contains(&"proc/net/route"));
    let following: Vec<&str> = entries[1..=tables.len()]
        .iter()
        .map(|e| e.path.as_str())
        .collect();
    assert_eq!(following, tables);

    let last_net = entries
        .iter()
        .rposition(|e| e.path.starts_with("proc/net/"))
        .expect("proc/net entries");
    let links: Vec<(usize, &Entry)> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.path.contains("/fd/"))
        .collect();
    assert!(!links.is_empty(), "no fd links archived");
    for (i, link) in &links {
        assert!(*i > last_net, "{} comes before proc/net entries", link.path);
        assert_eq!(link.kind, EntryType::Symlink, "{}", link.path);
        assert_eq!(link.mode, 0o777);
        let target = link.link.as_deref().unwrap_or("");
        let inode = target
            .strip_prefix("socket:[")
            .and_then(|t| t.strip_suffix(']'))
            .unwrap_or("");
        assert!(
            !inode.is_empty() && inode.bytes().all(|b| b.is_ascii_digit()),
            "{} -> {target}",
            link.path
        );
    }
    // Our own listener is there, under our pid, with cmdline and stat before it.
    let pid = std::process::id();
    let mine = links
        .iter()
        .find(|(_, e)| e.path == format!("proc/{pid}/fd/{}", listener.as_raw_fd()))
        .expect("our listening socket's fd link");
    assert_eq!(mine.1.link.as_deref(), Some(own_link.as_str()));
    let pos = |p: String| entries.iter().position(|e| e.path == p);
    let cmdline = pos(format!("proc/{pid}/cmdline")).expect("our cmdline");
    let stat = pos(format!("proc/{pid}/stat")).expect("our stat");
    assert!(cmdline < stat && stat < mine.0);
    // Only argv[0] and its NUL.
    let argv0 = &entries[cmdline].data;
    assert_eq!(argv0.iter().filter(|&&b| b == 0).count(), 1);
    assert_eq!(argv0.last(), Some(&0));

    // Processes ascending, fds ascending within a process.
    let keys: Vec<(u32, u32)> = links
        .iter()
        .filter_map(|(_, e)| {
            let rest = e.path.strip_prefix("proc/")?;
            let (pid, fd) = rest.split_once("/fd/")?;
            Some((pid.parse().ok()?, fd.parse().ok()?))
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(keys, sorted);

    if is_root() {
        let passwd = entries
            .iter()
            .find(|e| e.path == "etc/passwd")
            .expect("etc/passwd");
        let text = String::from_utf8_lossy(&passwd.data);
        assert!(text.lines().any(|l| l == "root:x:0:0:::"), "{text}");
    }
}

#[test]
fn default_name_and_no_overwrite() {
    let dir = TempDir::new("overwrite");
    let out = run(&dir.0, &["--no-gzip"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let names: Vec<String> = fs::read_dir(&dir.0)
        .expect("list dir")
        .filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()))
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    let name = &names[0];
    // netsnap-<hostname>-20261128T034000Z.tar
    let stamp = name
        .strip_prefix("netsnap-")
        .and_then(|n| n.strip_suffix(".tar"))
        .and_then(|n| n.rsplit_once('-'))
        .map(|(_, stamp)| stamp)
        .unwrap_or("");
    assert!(
        stamp.len() == 16 && stamp.as_bytes()[8] == b'T' && stamp.ends_with('Z'),
        "{name}"
    );
    let plain = fs::read(dir.0.join(name)).expect("read");
    assert!(!plain.starts_with(&[0x1f, 0x8b]), "--no-gzip wrote gzip");
    assert_eq!(read_snapshot(&plain)[0].path, "netsnap.json");

    let target = dir.0.join("taken.tar.gz");
    fs::write(&target, b"precious").expect("write");
    let out = run(&dir.0, &["-o", "taken.tar.gz"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("netsnap-collect: ") && err.contains("exists"),
        "{err}"
    );
    assert_eq!(fs::read(&target).expect("read"), b"precious");

    let out = run(&dir.0, &["-o", "taken.tar.gz", "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let entries = read_snapshot(&fs::read(&target).expect("read"));
    assert_eq!(entries[0].path, "netsnap.json");
    assert_eq!(
        fs::read_dir(&dir.0).expect("list").count(),
        2,
        "temporary files left behind"
    );
}

#[test]
fn stdout_output() {
    let dir = TempDir::new("stdout");
    let out = run(&dir.0, &["-o", "-", "--full-cmdline"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.starts_with(&[0x1f, 0x8b]));
    let entries = read_snapshot(&out.stdout);
    assert_eq!(entries[0].path, "netsnap.json");
    assert_eq!(json(&entries[0])["full_cmdline"], true);
    assert_eq!(
        entries.last().map(|e| e.path.as_str()),
        Some("netsnap-end.json")
    );
    assert_eq!(fs::read_dir(&dir.0).expect("list").count(), 0);
    assert!(stderr(&out).contains("wrote to stdout"), "{}", stderr(&out));
}

#[test]
fn frames_follow_the_first_under_their_prefix() {
    let dir = TempDir::new("frames");
    let out = run(&dir.0, &["-o", "-", "--count", "3", "--interval", "0.1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let entries = read_snapshot(&out.stdout);
    let header = json(&entries[0]);
    assert_eq!(header["frames"], 3);
    assert_eq!(header["interval_ms"], 100);
    let pos = |p: &str| entries.iter().position(|e| e.path == p);
    let (tcp0, tcp1, tcp2) = (
        pos("proc/net/tcp"),
        pos("frames/1/proc/net/tcp"),
        pos("frames/2/proc/net/tcp"),
    );
    assert!(
        tcp0.is_some() && tcp0 < tcp1 && tcp1 < tcp2,
        "{tcp0:?} {tcp1:?} {tcp2:?}"
    );
    assert!(pos("frames/1/netsnap-ifaces.json").is_some());
    // Later frames share frame 0's manifests and /etc files.
    assert!(pos("frames/1/etc/hosts").is_none());
    assert!(pos("frames/1/netsnap.json").is_none());
    assert_eq!(
        entries.last().map(|e| e.path.as_str()),
        Some("netsnap-end.json")
    );
}

#[test]
fn usage_errors() {
    let dir = TempDir::new("usage");
    for args in [
        &["--bogus"][..],
        &["-o"],
        &["extra"],
        &["--resolve-budget", "x"],
    ] {
        let out = run(&dir.0, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).starts_with("netsnap-collect: "), "{args:?}");
        assert!(out.stdout.is_empty());
    }
    let help = run(&dir.0, &["--help"]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).starts_with("Usage: netsnap-collect"));
    let version = run(&dir.0, &["-V"]);
    assert!(version.status.success());
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("netsnap-collect 0."));
    assert_eq!(fs::read_dir(&dir.0).expect("list").count(), 0);
}

#[test]
fn resolve_records_names() {
    let dir = TempDir::new("resolve");
    // A loopback connection, so that 127.0.0.1 is among the addresses; /etc/hosts names it without DNS.
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    let _client = TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
    let out = run(&dir.0, &["-o", "-", "--resolve-budget", "3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let entries = read_snapshot(&out.stdout);
    let names = &json(&entries[0])["reverse_dns"];
    assert!(names.is_object(), "reverse_dns missing: {names}");
    let hosts = fs::read_to_string("/etc/hosts").unwrap_or_default();
    let in_hosts = hosts
        .lines()
        .any(|l| l.split_whitespace().next() == Some("127.0.0.1"));
    // Slow DNS for other addresses may spend the budget first; the collector then says so.
    let warnings = json(entries.last().expect("entries"))["warnings"].to_string();
    if in_hosts && !warnings.contains("time budget") {
        assert!(
            names.get("127.0.0.1").is_some_and(Value::is_string),
            "{names}"
        );
    }
    assert!(names.get("0.0.0.0").is_none());
}

#[test]
fn sigterm_stops_without_output() {
    let dir = TempDir::new("signal");
    // Enough sockets that the plain archive overflows a pipe buffer: the collector then blocks on stdout until we read.
    let sockets: Vec<UdpSocket> = (0..400)
        .filter_map(|_| UdpSocket::bind("127.0.0.1:0").ok())
        .collect();
    assert!(sockets.len() > 300);
    let mut child = Command::new(BIN)
        .args(["-o", "-", "--no-gzip"])
        .current_dir(&dir.0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(500));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let mut sink = Vec::new();
    if let Some(mut stdout) = child.stdout.take() {
        let _ = stdout.read_to_end(&mut sink);
    }
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(143), "{}", stderr(&out));
    assert!(stderr(&out).contains("interrupted"), "{}", stderr(&out));
    drop(sockets);
}

#[test]
fn unprivileged_run_records_denied_fd_dirs() {
    if !is_root() {
        eprintln!("skipped: needs root to switch to nobody");
        return;
    }
    let dir = TempDir::new("nobody");
    fs::set_permissions(&dir.0, fs::Permissions::from_mode(0o777)).expect("chmod");
    let out = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            BIN,
            "-o",
            "n.tgz",
        ])
        .current_dir(&dir.0)
        .output();
    let out = match out {
        Ok(out) => out,
        Err(e) => {
            eprintln!("skipped: cannot run setpriv: {e}");
            return;
        }
    };
    if matches!(out.status.code(), Some(126 | 127)) {
        eprintln!("skipped: nobody cannot execute {BIN}: {}", stderr(&out));
        return;
    }
    assert!(out.status.success(), "{}", stderr(&out));
    let path = dir.0.join("n.tgz");
    assert_eq!(fs::metadata(&path).expect("written").uid(), 65534);
    let entries = read_snapshot(&fs::read(&path).expect("read"));
    let header = json(&entries[0]);
    assert_eq!(header["euid"], 65534);
    let end = json(entries.last().expect("entries"));
    let denied: Vec<u64> = end["fd_denied"]
        .as_array()
        .expect("fd_denied")
        .iter()
        .filter_map(Value::as_u64)
        .collect();
    assert!(!denied.is_empty(), "{end}");
    for pid in denied {
        let dir_entry = entries
            .iter()
            .find(|e| e.path.trim_end_matches('/') == format!("proc/{pid}/fd"))
            .expect("a directory entry for each denied pid");
        assert_eq!(dir_entry.kind, EntryType::Directory);
        assert_eq!(dir_entry.mode, 0);
    }
    assert!(entries.iter().any(|e| e.path == "proc/net/tcp"));
    let passwd = entries
        .iter()
        .find(|e| e.path == "etc/passwd")
        .expect("passwd");
    assert!(String::from_utf8_lossy(&passwd.data).contains("nobody:x:65534:"));
}
