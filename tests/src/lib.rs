//! Shared helpers for the integration tests: finding fixtures, reading
//! recorded outputs of the real tools, running netsnap on them, and showing
//! differences.

use std::path::{Path, PathBuf};

/// The repository's `fixtures/` directory.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// One recorded command: its arguments and what the real tool printed.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Path of the `.args` file.
    pub path: PathBuf,
    /// Arguments after the tool name.
    pub args: Vec<Vec<u8>>,
    /// Expected stdout.
    pub stdout: Vec<u8>,
    /// Expected stderr.
    pub stderr: Vec<u8>,
    /// Expected exit status.
    pub status: i32,
}

/// Reads every recorded command in `dir` (files `<slug>.args`, `.stdout`,
/// `.stderr`, `.status`), sorted by name.
pub fn recorded(dir: &Path) -> Vec<Recorded> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut paths: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "args"))
        .collect();
    paths.sort();
    for p in paths {
        let read = |ext: &str| std::fs::read(p.with_extension(ext)).unwrap_or_default();
        let args_text = read("args");
        let args: Vec<Vec<u8>> = if args_text.is_empty() {
            Vec::new()
        } else {
            args_text
                .strip_suffix(b"\n")
                .unwrap_or(&args_text)
                .split(|&b| b == b'\n')
                .map(|a| a.to_vec())
                .collect()
        };
        let status = String::from_utf8_lossy(&read("status"))
            .trim()
            .parse()
            .unwrap_or(-1);
        out.push(Recorded {
            path: p.clone(),
            args,
            stdout: read("stdout"),
            stderr: read("stderr"),
            status,
        });
    }
    out
}

/// Runs `netsnap netstat` (the library, as the CLI runs it on a file: a view that can renders
/// its rows as they are read, see `netsnap::netstat_from_source`) on a snapshot file.
pub fn run_netstat(snapshot: &Path, args: &[Vec<u8>]) -> netsnap::Output {
    run_with(snapshot, args, |input, args, limits| {
        let mut first = Some(input);
        let reopen = || match first.take() {
            Some(i) => Ok(i),
            None => std::fs::File::open(snapshot).map(std::io::BufReader::new),
        };
        netsnap::netstat_from_source(reopen, args, limits)
    })
}

/// Runs `netsnap ss` (the library) on a snapshot file.
pub fn run_ss(snapshot: &Path, args: &[Vec<u8>]) -> netsnap::Output {
    run_with(snapshot, args, netsnap::ss_from_reader)
}

fn run_with(
    snapshot: &Path,
    args: &[Vec<u8>],
    tool: impl FnOnce(
        std::io::BufReader<std::fs::File>,
        &[Vec<u8>],
        &netsnap::Limits,
    ) -> Result<netsnap::Output, netsnap::Error>,
) -> netsnap::Output {
    let file = match std::fs::File::open(snapshot) {
        Ok(f) => f,
        Err(e) => {
            return netsnap::Output {
                stdout: Vec::new(),
                stderr: format!("cannot open {}: {e}\n", snapshot.display()).into_bytes(),
                status: 2,
                diagnostics: Vec::new(),
            };
        }
    };
    let reader = std::io::BufReader::new(file);
    match tool(reader, args, &netsnap::Limits::default()) {
        Ok(o) => o,
        Err(e) => netsnap::Output {
            stdout: Vec::new(),
            stderr: format!("netsnap: {e}\n").into_bytes(),
            status: 2,
            diagnostics: Vec::new(),
        },
    }
}

/// Replays every recording under `fixtures/*/<dir>` for each of `dirs` through `run` and fails
/// with the first differences; prints `label: fixture: identical/total, …` to stderr.
pub fn check_recorded(label: &str, dirs: &[&str], run: fn(&Path, &[Vec<u8>]) -> netsnap::Output) {
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
        let recs: Vec<Recorded> = dirs.iter().flat_map(|d| recorded(&case.join(d))).collect();
        if recs.is_empty() {
            continue;
        }
        let mut ok = 0;
        for rec in &recs {
            total += 1;
            let got = run(&snapshot, &rec.args);
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
    eprintln!("{label}: {}", per_fixture.join(", "));
    assert!(total > 0, "no recorded outputs under {}", root.display());
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

/// A line-by-line report of where two outputs first differ.
pub fn diff(expected: &[u8], got: &[u8]) -> String {
    let e: Vec<&[u8]> = expected.split(|&b| b == b'\n').collect();
    let g: Vec<&[u8]> = got.split(|&b| b == b'\n').collect();
    let mut report = String::new();
    let mut shown = 0;
    for i in 0..e.len().max(g.len()) {
        let (a, b) = (e.get(i), g.get(i));
        if a != b {
            report.push_str(&format!(
                "line {}:\n  expected: {:?}\n  got:      {:?}\n",
                i + 1,
                a.map(|x| String::from_utf8_lossy(x)),
                b.map(|x| String::from_utf8_lossy(x))
            ));
            shown += 1;
            if shown >= 5 {
                report.push_str("  ...\n");
                break;
            }
        }
    }
    report
}

/// Compares one output with a recording; `None` when identical.
pub fn mismatch(rec: &Recorded, got: &netsnap::Output) -> Option<String> {
    if got.stdout == rec.stdout && got.stderr == rec.stderr && got.status == rec.status {
        return None;
    }
    let args: Vec<String> = rec
        .args
        .iter()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    let mut m = format!("{} (args {:?})\n", rec.path.display(), args);
    if got.status != rec.status {
        m.push_str(&format!(
            "status: expected {}, got {}\n",
            rec.status, got.status
        ));
    }
    if got.stdout != rec.stdout {
        m.push_str("stdout differs:\n");
        m.push_str(&diff(&rec.stdout, &got.stdout));
    }
    if got.stderr != rec.stderr {
        m.push_str("stderr differs:\n");
        m.push_str(&diff(&rec.stderr, &got.stderr));
    }
    Some(m)
}

/// Replays `lines` (command lines, one per case) with the real `tool` on `snapshot` through
/// `scripts/replay.sh`, as `uid` when it is not 0, into `outdir`; returns the recordings.
/// Panics when the script fails or records nothing.
pub fn replay(
    tool: Tool,
    snapshot: &Path,
    outdir: &Path,
    lines: &[String],
    uid: u32,
) -> Vec<Recorded> {
    let mut cmd = std::process::Command::new("bash");
    cmd.arg(fixtures_dir().join("../scripts/replay.sh"))
        .arg("--tool")
        .arg(tool.name());
    if uid != 0 {
        cmd.arg("--uid").arg(uid.to_string());
    }
    let mut child = cmd
        .arg(snapshot)
        .arg(outdir)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("replay.sh: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        let cases = lines.join("\n") + "\n";
        stdin
            .write_all(cases.as_bytes())
            .unwrap_or_else(|e| panic!("replay.sh: {e}"));
    }
    let status = child.wait().unwrap_or_else(|e| panic!("replay.sh: {e}"));
    assert!(
        status.success(),
        "replay.sh failed on {}",
        snapshot.display()
    );
    let recs = recorded(outdir);
    assert!(
        !recs.is_empty(),
        "replay produced nothing for {}",
        snapshot.display()
    );
    recs
}

/// Whether the real tools can be replayed here: root, netstat, unshare,
/// and whichever extra `tools` (found on PATH) a test needs.
pub fn replay_prerequisites(tools: &[&str]) -> Result<(), String> {
    let out = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map_err(|e| e.to_string())?;
    if String::from_utf8_lossy(&out.stdout).trim() != "0" {
        return Err("not root".into());
    }
    for tool in ["/usr/bin/netstat", "/usr/bin/unshare"] {
        if !Path::new(tool).exists() {
            return Err(format!("{tool} missing"));
        }
    }
    for tool in tools {
        let found = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).exists()))
            .unwrap_or(false);
        if !found {
            return Err(format!("{tool} missing"));
        }
    }
    Ok(())
}

/// Decides whether a test that needs the real tools runs: `true` when the
/// prerequisites hold; `false` (skip, with a message) when they do not,
/// except under `CI=true`, where a missing prerequisite fails the test.
pub fn can_replay(test: &str, tools: &[&str]) -> bool {
    match replay_prerequisites(tools) {
        Ok(()) => true,
        Err(why) => {
            assert!(
                !std::env::var("CI").is_ok_and(|v| v == "true"),
                "{test} cannot run under CI=true: {why}"
            );
            eprintln!("{test} skipped: {why}");
            false
        }
    }
}

/// A small deterministic random number generator (xorshift64*), so that
/// differential tests are reproducible from their seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (0 is replaced by a fixed constant).
    pub fn new(seed: u64) -> Self {
        Rng(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// Flags that select socket views, as people type them; the random
/// differential test draws from these.
pub const SOCKET_FLAGS: &[&str] = &[
    "-a",
    "-l",
    "-t",
    "-u",
    "-U",
    "-w",
    "-x",
    "-n",
    "--numeric-hosts",
    "--numeric-ports",
    "--numeric-users",
    "-N",
    "-e",
    "-ee",
    "-o",
    "-p",
    "-W",
    "-4",
    "-6",
    "-v",
    "-S",
    "-A inet",
    "-A inet6",
    "-A unix",
    "-A inet,unix",
    "-A inet6,inet",
    "--inet",
    "--inet6",
    "--unix",
    "--tcp",
    "--udp",
    "--raw",
    "--all",
    "--listening",
    "--programs",
    "--timers",
    "--extend",
    "--wide",
    "--numeric",
    "--sctp",
    "--udplite",
    "-tan",
    "-tulpn",
    "-xap",
    "-anp",
    "-taneo",
];

/// Flags that select the other file-based views (routes, statistics,
/// groups, masquerade); `-i` and `-c` ask the kernel or loop, so they are
/// left out.
pub const VIEW_FLAGS: &[&str] = &[
    "-r",
    "-rn",
    "-re",
    "-ree",
    "-reee",
    "-rC",
    "-rF",
    "-r6",
    "-rN",
    "-s",
    "-st",
    "-su",
    "-sw",
    "-sU",
    "-s6",
    "-s4",
    "-g",
    "-gn",
    "-g6",
    "-M",
    "--route",
    "--statistics",
    "--groups",
];

/// A random netstat command line: socket views, and one time in four one
/// of the other file-based views combined with socket flags.
pub fn random_socket_args(rng: &mut Rng) -> Vec<String> {
    let n = 1 + rng.below(4);
    let mut out = Vec::new();
    if rng.below(4) == 0 {
        out.push(VIEW_FLAGS[rng.below(VIEW_FLAGS.len())].to_string());
    }
    for _ in 0..n {
        let f = SOCKET_FLAGS[rng.below(SOCKET_FLAGS.len())];
        out.extend(f.split(' ').map(|s| s.to_string()));
    }
    // Now and then a cluster of short options, or a rejected one.
    match rng.below(12) {
        0 => out.push("-T".to_string()),
        1 => {
            let letters = b"atulxnepoWw46";
            let k = 2 + rng.below(4);
            let mut s = String::from("-");
            for _ in 0..k {
                s.push(letters[rng.below(letters.len())] as char);
            }
            out.push(s);
        }
        _ => {}
    }
    out
}

/// A tool the differential test compares netsnap with: how the oracle
/// (`scripts/replay.sh --tool NAME`) is told to run it, what netsnap runs
/// for it, and the random command lines it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// net-tools netstat.
    Netstat,
    /// iproute2 ss, in PROC_ROOT file mode.
    Ss,
}

impl Tool {
    /// The program's name (`--tool` of replay.sh).
    pub fn name(self) -> &'static str {
        match self {
            Tool::Netstat => "netstat",
            Tool::Ss => "ss",
        }
    }

    /// netsnap's answer to a command line on a snapshot file.
    pub fn run(self, snapshot: &Path, args: &[Vec<u8>]) -> netsnap::Output {
        match self {
            Tool::Netstat => run_netstat(snapshot, args),
            Tool::Ss => run_ss(snapshot, args),
        }
    }

    /// A random command line for this tool.
    pub fn random_args(self, rng: &mut Rng) -> Vec<String> {
        match self {
            Tool::Netstat => random_socket_args(rng),
            Tool::Ss => random_ss_args(rng),
        }
    }
}

/// ss options as people type them (single letters, clusters, long forms,
/// `-A`/`-f` with their words); the random ss command lines draw from these.
/// Left out: what asks the running system or waits (`-E`, `-K`, `-N`, `-D`,
/// `-F`, `-b`, `-V`).
pub const SS_FLAGS: &[&str] = &[
    "-t",
    "-u",
    "-w",
    "-x",
    "-a",
    "-l",
    "-n",
    "-r",
    "-p",
    "-e",
    "-o",
    "-i",
    "-m",
    "-4",
    "-6",
    "-0",
    "-H",
    "-O",
    "-s",
    "-T",
    "-S",
    "-d",
    "-M",
    "-ta",
    "-tan",
    "-tanp",
    "-tlnp",
    "-uan",
    "-ulnp",
    "-xa",
    "-xap",
    "-an",
    "-anp",
    "-tanpeo",
    "-tanmi",
    "-Oe",
    "-tn",
    "-tl",
    "-A tcp",
    "-A udp",
    "-A raw",
    "-A inet",
    "-A unix",
    "-A tcp,udp",
    "-A all",
    "-A netlink",
    "-A packet",
    "-A unix_stream",
    "-A u_dgr",
    "-A p_raw,p_dgr",
    "-A all,!tcp",
    "-A !all",
    "-f inet",
    "-f inet6",
    "-f unix",
    "-f link",
    "-f netlink",
    "--tcp",
    "--udp",
    "--raw",
    "--unix",
    "--all",
    "--listening",
    "--numeric",
    "--resolve",
    "--processes",
    "--extended",
    "--options",
    "--info",
    "--memory",
    "--no-header",
    "--oneline",
    "--summary",
    "--ipv4",
    "--ipv6",
    "--packet",
    "--family=inet",
    "--query=tcp,udp",
];

/// Ports the fixtures use (and a few around them), with and without names.
const SS_PORTS: &[&str] = &[
    ":22", ":80", ":443", ":631", ":2049", ":5432", ":1024", ":40000", ":40001", ":0", ":65535",
    ":ssh", ":http", ":https", ":*", "22", ":domain",
];

/// Addresses and prefixes the fixtures use, host names from their
/// `etc/hosts`, unix paths and family-qualified forms.
const SS_ADDRS: &[&str] = &[
    "127.0.0.1",
    "127.0.0.1/32",
    "127.0.0.0/8",
    "10.77.0.1",
    "10.77.0.2",
    "10.77.0.2:5432",
    "10.0.0.0/8",
    "0.0.0.0/0",
    "0.0.0.0",
    "[::1]",
    "[::1]:22",
    "::/0",
    "[::]",
    "[::ffff:10.77.0.1]",
    "2001:db8:1234:5678::/64",
    "[2001:db8:1234:5678::11]:443",
    "*",
    "*:22",
    "*:*",
    ":22",
    "localhost",
    "server",
    "peer",
    "server:22",
    "/tmp/nsnap-unix/*",
    "/tmp/nsnap-unix/stream.sock",
    "@*",
    "unix:/tmp/*",
    "inet:10.77.0.2",
    "inet6:[::1]",
];

/// State names of `state`/`exclude`.
const SS_STATES: &[&str] = &[
    "established",
    "syn-sent",
    "syn-recv",
    "fin-wait-1",
    "fin-wait-2",
    "time-wait",
    "closed",
    "close-wait",
    "last-ack",
    "listening",
    "closing",
    "all",
    "connected",
    "synchronized",
    "bucket",
    "big",
];

/// Comparison words of `sport`/`dport`.
const SS_OPS: &[&str] = &[
    "=", "==", "eq", "!=", "neq", "ne", ">", "gt", "<", "lt", ">=", "ge", "<=", "le",
];

/// One filter term.
fn ss_term(rng: &mut Rng, out: &mut Vec<String>) {
    let pick = |rng: &mut Rng, v: &[&str]| v[rng.below(v.len())].to_string();
    match rng.below(10) {
        0..=2 => {
            out.push(pick(rng, &["sport", "dport"]));
            if rng.below(5) != 0 {
                out.push(pick(rng, SS_OPS));
            }
            out.push(pick(rng, SS_PORTS));
        }
        3..=5 => {
            out.push(pick(rng, &["src", "dst"]));
            out.push(pick(rng, SS_ADDRS));
        }
        6 => out.push("autobound".to_string()),
        // `state` inside an expression is an error in 6.1: now and then.
        7 if rng.below(4) == 0 => {
            out.push("state".to_string());
            out.push(pick(rng, SS_STATES));
        }
        7 => {
            out.push(pick(rng, &["src", "dst"]));
            out.push(pick(rng, SS_ADDRS));
        }
        8 => {
            out.push("dev".to_string());
            out.push(pick(rng, &["lo", "eth0", "1"]));
        }
        _ => {
            out.push("fwmark".to_string());
            out.push("=".to_string());
            out.push(pick(rng, &["0x0", "0x1/0x1", "0"]));
        }
    }
}

/// A filter expression of about `depth` levels: terms joined by and/or
/// (spelled as words or symbols, or by juxtaposition), negations,
/// parentheses.
fn ss_expr(rng: &mut Rng, depth: usize, out: &mut Vec<String>) {
    if rng.below(6) == 0 {
        out.push(["not", "!"][rng.below(2)].to_string());
    }
    if depth > 0 && rng.below(4) == 0 {
        out.push("(".to_string());
        ss_expr(rng, depth - 1, out);
        out.push(")".to_string());
    } else {
        ss_term(rng, out);
    }
    if depth > 0 && rng.below(3) == 0 {
        let join = ["and", "or", "&&", "||", "&", "|", ""][rng.below(7)];
        if !join.is_empty() {
            out.push(join.to_string());
        }
        ss_expr(rng, depth - 1, out);
    }
}

/// Syntax errors and odd words.
const SS_BAD: &[&str] = &[
    "( sport = :22",
    "sport = :22 )",
    "sport gt",
    "sport = :22 or",
    "dst 300.1.2.3",
    "dst [::1",
    "dst 10.0.0.0/99",
    "sport = :nosuchservice",
    "nosuchword",
    "state nosuchstate",
    "state",
    "( )",
    "not",
];

/// A random ss command line: options (from [`SS_FLAGS`]), then often
/// leading `state`/`exclude` words and a filter expression, now and then a
/// syntax error, an option after the filter, or a rejected option.
pub fn random_ss_args(rng: &mut Rng) -> Vec<String> {
    let mut out = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let f = SS_FLAGS[rng.below(SS_FLAGS.len())];
        out.extend(f.split(' ').map(|s| s.to_string()));
    }
    if rng.below(4) == 0 {
        let letters = b"tuwxalnrpeoim460HOsT";
        let mut s = String::from("-");
        for _ in 0..2 + rng.below(4) {
            s.push(letters[rng.below(letters.len())] as char);
        }
        out.push(s);
    }
    if rng.below(4) == 0 {
        for _ in 0..1 + rng.below(2) {
            out.push(["state", "exclude"][rng.below(2)].to_string());
            out.push(SS_STATES[rng.below(SS_STATES.len())].to_string());
        }
    }
    match rng.below(10) {
        0..=5 => {
            let depth = 1 + rng.below(3);
            ss_expr(rng, depth, &mut out);
        }
        6 => out.extend(SS_BAD[rng.below(SS_BAD.len())].split(' ').map(String::from)),
        _ => {}
    }
    match rng.below(20) {
        0 => out.push("-n".to_string()),
        1 => out.push("--bogus".to_string()),
        2 => out.push("-y".to_string()),
        3 => out.push("-Z".to_string()),
        4 => out.push("-h".to_string()),
        _ => {}
    }
    out
}
