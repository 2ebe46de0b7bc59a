//! Peak memory stays under 256 MiB for any input of up to 10 MiB compressed
//! under the default limits: hostile snapshots (a gzip bomb in one entry, a
//! table of millions of identical rows, 300k fd links,
//! a manifest of millions of values, a line without end, a million small
//! files) run through the CLI with several views, peak RSS read by wait4.
#![allow(unsafe_code)]

use std::io::Write;

const CAP: u64 = 256 << 20;
const MAX_INPUT: usize = 10 << 20;

/// A tar stream written straight into a gzip encoder.
struct Tar {
    gz: flate2::write::GzEncoder<Vec<u8>>,
}

impl Tar {
    fn new() -> Tar {
        Tar {
            gz: flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()),
        }
    }

    fn header(&mut self, path: &str, size: u64, kind: u8, link: &str) {
        let mut h = tar::Header::new_gnu();
        h.set_path(path).unwrap();
        h.set_size(size);
        h.set_mode(if kind == b'5' { 0o755 } else { 0o644 });
        h.set_entry_type(tar::EntryType::new(kind));
        if !link.is_empty() {
            h.set_link_name(link).unwrap();
        }
        h.set_cksum();
        self.gz.write_all(h.as_bytes()).unwrap();
    }

    fn file(&mut self, path: &str, data: &[u8]) {
        self.header(path, data.len() as u64, b'0', "");
        self.gz.write_all(data).unwrap();
        self.pad(data.len() as u64);
    }

    /// A file of `size` bytes made by repeating `unit`.
    fn repeated(&mut self, path: &str, unit: &[u8], size: u64) {
        self.header(path, size, b'0', "");
        let chunk: Vec<u8> = unit.iter().copied().cycle().take(1 << 20).collect();
        let mut left = size;
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            self.gz.write_all(&chunk[..n]).unwrap();
            left -= n as u64;
        }
        self.pad(size);
    }

    fn pad(&mut self, size: u64) {
        let pad = (512 - size % 512) % 512;
        self.gz.write_all(&vec![0; pad as usize]).unwrap();
    }

    fn finish(mut self) -> Vec<u8> {
        self.gz.write_all(&[0; 1024]).unwrap();
        self.gz.finish().unwrap()
    }
}

const TCP_HEADER: &[u8] = b"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
const TCP_ROW: &[u8] = b"   0: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 20 4 30 10 -1\n";

fn inputs() -> Vec<(&'static str, Vec<u8>)> {
    let mut v = Vec::new();
    // A gzip bomb: one entry of 500 MiB of zeros.
    let mut t = Tar::new();
    t.file("netsnap.json", b"{}");
    t.repeated("proc/net/snmp", b"\0", 500 << 20);
    v.push(("zeros in one entry", t.finish()));
    // Millions of identical tcp rows.
    let mut t = Tar::new();
    t.file("proc/net/tcp", TCP_HEADER);
    t.repeated("proc/net/tcp6", TCP_ROW, (TCP_ROW.len() as u64) * 4_000_000);
    v.push(("4M identical rows", t.finish()));
    // Hundreds of thousands of fd links, and as many rows for them.
    let mut t = Tar::new();
    let mut tcp = TCP_HEADER.to_vec();
    for i in 0..300_000u32 {
        tcp.extend_from_slice(
            format!(
                "{i:4}: 0100007F:{:04X} 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 {} 1 0000000000000000 20 4 30 10 -1\n",
                i % 60000,
                1000 + i
            )
            .as_bytes(),
        );
    }
    t.file("proc/net/tcp", &tcp);
    for pid in 1..=30u32 {
        t.file(&format!("proc/{pid}/cmdline"), b"/usr/sbin/daemon\0");
        for fd in 0..10_000u32 {
            let inode = 1000 + (pid - 1) * 10_000 + fd;
            t.header(
                &format!("proc/{pid}/fd/{fd}"),
                0,
                b'2',
                &format!("socket:[{inode}]"),
            );
        }
    }
    v.push(("300k fd links", t.finish()));
    // A manifest of millions of values.
    let mut t = Tar::new();
    let mut m = b"{\"interfaces\":[0".to_vec();
    while m.len() < (8 << 20) - 16 {
        m.extend_from_slice(b",0");
    }
    m.extend_from_slice(b"]}");
    t.file("netsnap.json", &m);
    t.file("proc/net/tcp", TCP_HEADER);
    v.push(("a manifest of 4M values", t.finish()));
    // A table line without end.
    let mut t = Tar::new();
    t.file("proc/net/tcp", TCP_HEADER);
    t.repeated("proc/net/unix", b"x", 400 << 20);
    v.push(("a 400 MiB line", t.finish()));
    // Many small files.
    let mut t = Tar::new();
    t.file("proc/net/tcp", TCP_HEADER);
    for i in 0..300_000u32 {
        t.file(&format!("proc/net/stat/f{i}"), b"1\n");
    }
    v.push(("300k small files", t.finish()));
    v
}

/// Runs the CLI; returns (exit code or signal, peak RSS in bytes).
///
/// Linux reports in a child's `ru_maxrss` at least the RSS its parent had
/// when it forked, and this test process holds the inputs; so the CLI is
/// started by a fresh helper: this test binary again, running
/// [`spawn_helper`] only.
fn run(file: &std::path::Path, flags: &[&str]) -> (String, u64) {
    let mut args = vec![env!("CARGO_BIN_EXE_netsnap").to_string(), "netstat".into()];
    args.push(file.to_string_lossy().into_owned());
    args.extend(flags.iter().map(|f| f.to_string()));
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "spawn_helper",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("NETSNAP_MEMORY_RUN", args.join("\u{1f}"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find_map(|l| l.split_once("MEMORY-RUN ").map(|(_, rest)| rest))
        .unwrap_or_else(|| panic!("the helper said: {text}"));
    let (how, rss) = line.rsplit_once(' ').unwrap();
    (how.to_string(), rss.parse().unwrap())
}

/// Not a test on its own: with NETSNAP_MEMORY_RUN set, runs that command
/// line and prints how it ended and its peak RSS.
#[test]
#[allow(clippy::zombie_processes)] // reaped by wait4
fn spawn_helper() {
    let Ok(cmd) = std::env::var("NETSNAP_MEMORY_RUN") else {
        return;
    };
    let mut parts = cmd.split('\u{1f}');
    let child = std::process::Command::new(parts.next().unwrap())
        .args(parts)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value; wait4 fills it for our child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    // SAFETY: pid is our child, not yet waited for; the pointers are valid.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid);
    let how = if libc::WIFEXITED(status) {
        format!("exit {}", libc::WEXITSTATUS(status))
    } else {
        format!("signal {}", libc::WTERMSIG(status))
    };
    println!("MEMORY-RUN {how} {}", usage.ru_maxrss as u64 * 1024);
}

#[test]
fn peak_memory_under_256_mib_for_hostile_inputs_of_10_mib() {
    let dir = std::env::temp_dir().join(format!("netsnap-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut report = Vec::new();
    let mut worst = 0;
    for (name, bytes) in inputs() {
        assert!(
            bytes.len() <= MAX_INPUT,
            "{name}: {} bytes compressed",
            bytes.len()
        );
        let file = dir.join("input.tar.gz");
        std::fs::write(&file, &bytes).unwrap();
        for flags in [&["-tanp"][..], &["-an"], &["-s"], &["-r"], &["-xa"]] {
            let (how, rss) = run(&file, flags);
            assert!(
                how.starts_with("exit ") && how != "exit 101",
                "{name} {flags:?}: {how}"
            );
            worst = worst.max(rss);
            report.push(format!(
                "{name} ({} bytes) {flags:?}: {how}, {} MiB",
                bytes.len(),
                rss >> 20
            ));
            assert!(
                rss < CAP,
                "{name} {flags:?}: peak RSS {} MiB\n{}",
                rss >> 20,
                report.join("\n")
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("{}\nworst peak: {} MiB", report.join("\n"), worst >> 20);
}
