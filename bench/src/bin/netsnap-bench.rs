//! `netsnap-bench`: times netsnap against the real netstat, ss and the floor
//! (inflating the archive) on generated snapshots, and prints the figures as
//! a Markdown table. Must run as root (mount namespace), see BENCHMARKS.md.
//!
//!   netsnap-bench [--sizes 10k,100k,1M] [--rounds N] [--views -tan,-tanp,-xa,-s]
//!                 [--skip-real-p] [--dir DIR] [--netsnap PATH] [--floor PATH]
//!
//! For every size a snapshot is generated (`Spec::standard`, cached in DIR)
//! and extracted; a helper (this program with `--inner`) is started in a
//! private mount and network namespace under `unshare`, copies the proc tree
//! into a tmpfs once (`scripts/proctree.py build`, ascending readdir order as
//! procfs), binds it over /proc and the snapshot's etc files over /etc, then
//! runs the real tools one at a time on request. Every run, inside or out, is
//! a whole process timed from spawn to `wait4`, which also gives its peak RSS.
//! The tools alternate within each round; every round checks that netsnap's
//! stdout equals netstat's.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use netsnap_bench::{Spec, parse_size};

/// PATH for the real tools, as scripts/replay.sh.
const TOOL_PATH: &str = "/usr/sbin:/usr/bin:/sbin:/bin";
const ETC_FILES: &[&str] = &[
    "hosts",
    "services",
    "protocols",
    "networks",
    "passwd",
    "group",
    "hostname",
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = if args.first().map(String::as_str) == Some("--inner") {
        inner(&args[1..])
    } else if args.first().map(String::as_str) == Some("--runner") {
        serve()
    } else {
        outer(&args)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("netsnap-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

type Res<T> = Result<T, String>;

fn err<E: std::fmt::Display>(ctx: impl std::fmt::Display) -> impl FnOnce(E) -> String {
    move |e| format!("{ctx}: {e}")
}

/// One finished run.
#[derive(Debug, Clone, Copy)]
struct Run {
    secs: f64,
    rss_kb: u64,
    status: i32,
}

/// Waits for `pid` with `wait4`: its exit status and peak RSS (KiB).
#[allow(unsafe_code)]
fn wait4(pid: u32) -> io::Result<(i32, u64)> {
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; wait4 fills it and `status`.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: valid pointers to locals; pid is our own child.
        let r = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut ru) };
        if r >= 0 {
            break;
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    Ok((code, ru.ru_maxrss.max(0) as u64))
}

/// Runs `cmd` to the end with stdin from /dev/null and stdout/stderr to files.
fn measure(cmd: &mut Command, stdout: &Path, stderr: &Path) -> io::Result<Run> {
    let out = File::create(stdout)?;
    let errf = File::create(stderr)?;
    cmd.stdin(Stdio::null()).stdout(out).stderr(errf);
    let t = Instant::now();
    let child = cmd.spawn()?;
    let (status, rss_kb) = wait4(child.id())?;
    let secs = t.elapsed().as_secs_f64();
    // Reaped by wait4 above; dropping the handle does not wait again.
    drop(child);
    Ok(Run {
        secs,
        rss_kb,
        status,
    })
}

// ------------------------------------------------------------------ inner

/// `--inner WORK ROOT PROCTREE`: runs inside `unshare --mount --net`.
/// Sets up the replayed /proc and /etc once, prints `ready`, then answers
/// each request line `TOOL\tOUT\tARG…` with `SECS RSS_KB STATUS`.
fn inner(args: &[String]) -> Res<()> {
    let [work, root, proctree] = args else {
        return Err("--inner WORK ROOT PROCTREE".into());
    };
    let work = Path::new(work);
    let root = Path::new(root);
    let sh = |prog: &str, args: &[&str]| -> Res<()> {
        let st = Command::new(prog).args(args).status().map_err(err(prog))?;
        if st.success() {
            Ok(())
        } else {
            Err(format!("{prog} {args:?}: {st}"))
        }
    };
    let proc_dir = work.join("proc");
    let etc_dir = work.join("etc");
    fs::create_dir_all(&proc_dir).map_err(err(proc_dir.display()))?;
    fs::create_dir_all(&etc_dir).map_err(err(etc_dir.display()))?;
    let p = proc_dir.to_string_lossy().into_owned();
    sh("mount", &["--make-rprivate", "/"])?;
    sh(
        "mount",
        &["-t", "tmpfs", "-o", "mode=0755", "netsnap-bench", &p],
    )?;
    let src = root.join("proc").to_string_lossy().into_owned();
    sh("python3", &[proctree, "build", &src, &p])?;
    for f in ETC_FILES {
        let from = root.join("etc").join(f);
        let to = etc_dir.join(f);
        if from.is_file() {
            fs::copy(&from, &to).map_err(err(from.display()))?;
        } else {
            fs::write(&to, b"").map_err(err(to.display()))?;
        }
    }
    fs::write(
        etc_dir.join("nsswitch.conf"),
        "passwd: files\ngroup: files\nhosts: files\nnetworks: files\nprotocols: files\nservices: files\n",
    )
    .map_err(err("nsswitch.conf"))?;
    fs::write(etc_dir.join("host.conf"), b"").map_err(err("host.conf"))?;
    for f in ETC_FILES
        .iter()
        .copied()
        .chain(["nsswitch.conf", "host.conf"])
    {
        let from = etc_dir.join(f).to_string_lossy().into_owned();
        let to = format!("/etc/{f}");
        if Path::new(&to).exists() {
            sh("mount", &["--bind", &from, &to])?;
        }
    }
    sh("mount", &["--bind", &p, "/proc"])?;
    std::env::set_current_dir("/").map_err(err("cd /"))?;
    serve()
}

/// The request loop of `--inner` and `--runner`: a small process that only
/// spawns and reaps, so that no child inherits a large peak RSS from it
/// (the kernel counts the spawning process's high-water mark in the
/// child's `ru_maxrss`).
fn serve() -> Res<()> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    writeln!(out, "ready").map_err(err("stdout"))?;
    out.flush().map_err(err("stdout"))?;
    for line in io::stdin().lock().lines() {
        let line = line.map_err(err("stdin"))?;
        let mut parts = line.split('\t');
        let (Some(tool), Some(file)) = (parts.next(), parts.next()) else {
            continue;
        };
        let targs: Vec<&str> = parts.collect();
        let mut cmd = Command::new(tool);
        cmd.env_clear()
            .env("PATH", TOOL_PATH)
            .env("LC_ALL", "C")
            .args(&targs);
        if tool == "ss" {
            cmd.env("PROC_ROOT", "/proc");
        }
        let run = measure(&mut cmd, Path::new(file), Path::new(&format!("{file}.err")))
            .map_err(err(tool))?;
        writeln!(out, "{} {} {}", run.secs, run.rss_kb, run.status).map_err(err("stdout"))?;
        out.flush().map_err(err("stdout"))?;
    }
    Ok(())
}

/// A helper (in its namespace, or plain), seen from outside.
struct Replayer {
    child: std::process::Child,
    to: std::process::ChildStdin,
    from: BufReader<std::process::ChildStdout>,
}

impl Replayer {
    fn start(ns: Option<(&Path, &Path)>) -> Res<Replayer> {
        let me = std::env::current_exe().map_err(err("current_exe"))?;
        let proctree = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/proctree.py");
        let mut cmd = match ns {
            Some((work, root)) => {
                let mut c = Command::new("unshare");
                c.args(["--mount", "--propagation", "private", "--net", "--"])
                    .arg(me)
                    .arg("--inner")
                    .arg(work)
                    .arg(root)
                    .arg(proctree);
                c
            }
            None => {
                let mut c = Command::new(me);
                c.arg("--runner");
                c
            }
        };
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(err("unshare"))?;
        let to = child.stdin.take().ok_or("no stdin")?;
        let mut from = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let mut line = String::new();
        from.read_line(&mut line).map_err(err("helper"))?;
        if line.trim() != "ready" {
            return Err("the namespace helper failed (root, unshare and mount needed)".into());
        }
        Ok(Replayer { child, to, from })
    }

    fn run<S: AsRef<str>>(&mut self, tool: &str, args: &[S], out: &Path) -> Res<Run> {
        let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
        let mut req = format!("{tool}\t{}", out.display());
        for a in &args {
            req.push('\t');
            req.push_str(a);
        }
        writeln!(self.to, "{req}").map_err(err("helper"))?;
        self.to.flush().map_err(err("helper"))?;
        let mut line = String::new();
        self.from.read_line(&mut line).map_err(err("helper"))?;
        let f: Vec<&str> = line.split_whitespace().collect();
        match f[..] {
            [s, r, st] => Ok(Run {
                secs: s.parse().map_err(err("helper"))?,
                rss_kb: r.parse().map_err(err("helper"))?,
                status: st.parse().map_err(err("helper"))?,
            }),
            _ => Err(format!("helper died running {tool} {args:?}")),
        }
    }

    fn stop(mut self) {
        drop(self.to);
        let _ = self.child.wait();
    }
}

// ------------------------------------------------------------------ outer

struct Opts {
    sizes: Vec<usize>,
    rounds: usize,
    views: Vec<String>,
    skip_real_p: bool,
    dir: PathBuf,
    /// Where the tools' outputs go (a tmpfs by default: writing them is timed, disk writeback
    /// is not wanted in the timings).
    out: Option<PathBuf>,
    netsnap: PathBuf,
    floor: PathBuf,
    generator: PathBuf,
}

fn usage() -> String {
    "usage: netsnap-bench [--sizes 10k,100k,1M] [--rounds N] [--views -tan,-tanp,-xa,-s] \
     [--skip-real-p] [--dir DIR] [--out DIR] [--netsnap PATH] [--floor PATH]"
        .into()
}

fn parse_opts(args: &[String]) -> Res<Opts> {
    let here = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    let mut o = Opts {
        sizes: vec![10_000, 100_000],
        rounds: 5,
        views: ["-tan", "-tanp", "-xa", "-s"].map(String::from).to_vec(),
        skip_real_p: false,
        dir: std::env::temp_dir().join("netsnap-bench"),
        out: Path::new("/dev/shm")
            .is_dir()
            .then(|| PathBuf::from("/dev/shm/netsnap-bench-out")),
        netsnap: here.join("netsnap"),
        floor: here.join("netsnap-floor"),
        generator: here.join("netsnap-gen"),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (key, inline) = match a.split_once('=') {
            Some((k, v)) if k.starts_with("--") => (k, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let mut value = || -> Res<String> {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("{key} needs a value"))
        };
        match key {
            "--sizes" => {
                o.sizes = value()?
                    .split(',')
                    .map(|s| parse_size(s).ok_or_else(|| format!("not a size: {s}")))
                    .collect::<Res<_>>()?
            }
            "--rounds" => o.rounds = value()?.parse().map_err(err("--rounds"))?,
            "--views" => o.views = value()?.split(',').map(String::from).collect(),
            "--skip-real-p" => o.skip_real_p = true,
            "--dir" => o.dir = value()?.into(),
            "--out" => o.out = Some(value()?.into()),
            "--netsnap" => o.netsnap = value()?.into(),
            "--floor" => o.floor = value()?.into(),
            "--gen" => o.generator = value()?.into(),
            "-h" | "--help" => return Err(usage()),
            _ => return Err(format!("unknown argument {a}\n{}", usage())),
        }
    }
    if o.rounds == 0 {
        return Err("--rounds must be at least 1".into());
    }
    for (p, what) in [
        (&o.netsnap, "netsnap"),
        (&o.floor, "netsnap-floor"),
        (&o.generator, "netsnap-gen"),
    ] {
        if !p.is_file() {
            return Err(format!(
                "{}: not found; build it first (cargo build --release -p netsnap -p netsnap-bench) or pass --{}",
                p.display(),
                what.trim_start_matches("netsnap-")
            ));
        }
    }
    Ok(o)
}

fn size_name(n: usize) -> String {
    if n >= 1_000_000 && n % 1_000_000 == 0 {
        format!("{}M", n / 1_000_000)
    } else if n >= 1000 && n % 1000 == 0 {
        format!("{}k", n / 1000)
    } else {
        n.to_string()
    }
}

/// The entry after which netstat has read everything a view needs (None:
/// the whole archive, as `-p` reads every process).
fn floor_until(view: &str) -> Option<&'static str> {
    let flags = view.trim_start_matches('-');
    if flags.contains('p') {
        None
    } else if flags.contains('s') {
        Some("proc/net/netstat")
    } else if flags.contains('x') {
        Some("proc/net/unix")
    } else {
        Some("proc/net/tcp6")
    }
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

#[derive(Default)]
struct Series {
    secs: Vec<f64>,
    rss_kb: u64,
}

impl Series {
    fn push(&mut self, r: Run) {
        self.secs.push(r.secs);
        self.rss_kb = self.rss_kb.max(r.rss_kb);
    }
    fn med(&self) -> Option<f64> {
        (!self.secs.is_empty()).then(|| median(&self.secs))
    }
}

struct ViewResult {
    view: String,
    netsnap: Series,
    netstat: Series,
    ss: Series,
    floor: Series,
    checks: usize,
    equal: usize,
}

struct SizeResult {
    name: String,
    spec: Spec,
    archive_bytes: u64,
    procnet_bytes: u64,
    views: Vec<ViewResult>,
}

/// Compares two files in pieces (whole outputs in memory would raise this
/// process's RSS): the offset of the first difference, if any.
fn first_difference(a: &Path, b: &Path) -> Res<Option<u64>> {
    let mut fa = BufReader::new(File::open(a).map_err(err(a.display()))?);
    let mut fb = BufReader::new(File::open(b).map_err(err(b.display()))?);
    let (mut ba, mut bb) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    let mut off = 0u64;
    loop {
        let na = read_full(&mut fa, &mut ba).map_err(err(a.display()))?;
        let nb = read_full(&mut fb, &mut bb).map_err(err(b.display()))?;
        if let Some(i) = ba[..na].iter().zip(&bb[..nb]).position(|(x, y)| x != y) {
            return Ok(Some(off + i as u64));
        }
        if na != nb {
            return Ok(Some(off + na.min(nb) as u64));
        }
        if na == 0 {
            return Ok(None);
        }
        off += na as u64;
    }
}

fn read_full(r: &mut impl std::io::Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn dir_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => total += dir_bytes(&e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

fn outer(args: &[String]) -> Res<()> {
    let o = parse_opts(args)?;
    fs::create_dir_all(&o.dir).map_err(err(o.dir.display()))?;
    let mut results = Vec::new();
    for &n in &o.sizes {
        results.push(bench_size(&o, n)?);
    }
    print_report(&o, &results);
    let bad: usize = results
        .iter()
        .flat_map(|r| &r.views)
        .map(|v| v.checks - v.equal)
        .sum();
    if bad > 0 {
        return Err(format!(
            "{bad} round(s) where netsnap's output differed from netstat's"
        ));
    }
    Ok(())
}

fn bench_size(o: &Opts, n: usize) -> Res<SizeResult> {
    let name = size_name(n);
    let spec = Spec::standard(n);
    let snap = o.dir.join(format!("snap-{name}.tar.gz"));
    if !snap.is_file() {
        eprintln!(
            "netsnap-bench: generating {} ({} tcp, {} unix, {} processes)",
            snap.display(),
            spec.tcp,
            spec.unix,
            spec.procs
        );
        let t = Instant::now();
        let tmp = snap.with_extension("partial");
        // In a child process: this one stays small (see `serve`).
        let st = Command::new(&o.generator)
            .arg("--tcp")
            .arg(spec.tcp.to_string())
            .arg("--unix")
            .arg(spec.unix.to_string())
            .arg("--procs")
            .arg(spec.procs.to_string())
            .arg("--seed")
            .arg(spec.seed.to_string())
            .arg("-o")
            .arg(&tmp)
            .status()
            .map_err(err("netsnap-gen"))?;
        if !st.success() {
            return Err(format!("netsnap-gen: {st}"));
        }
        fs::rename(&tmp, &snap).map_err(err(snap.display()))?;
        eprintln!("netsnap-bench:   {:.1} s", t.elapsed().as_secs_f64());
    }
    let archive_bytes = fs::metadata(&snap).map_err(err(snap.display()))?.len();
    let work = o.dir.join(format!("work-{name}"));
    if work.exists() {
        fs::remove_dir_all(&work).map_err(err(work.display()))?;
    }
    let root = work.join("snap");
    let ns = work.join("ns");
    let out = match &o.out {
        Some(d) => d.join(format!("out-{name}")),
        None => work.join("out"),
    };
    if out.exists() {
        fs::remove_dir_all(&out).map_err(err(out.display()))?;
    }
    for d in [&root, &ns, &out] {
        fs::create_dir_all(d).map_err(err(d.display()))?;
    }
    eprintln!("netsnap-bench: {name}: extracting and building the replayed /proc");
    let st = Command::new("tar")
        .arg("-xf")
        .arg(&snap)
        .arg("-C")
        .arg(&root)
        .arg("--no-same-owner")
        .status()
        .map_err(err("tar"))?;
    if !st.success() {
        return Err(format!("tar -xf {}: {st}", snap.display()));
    }
    let procnet_bytes = dir_bytes(&root.join("proc/net"));
    let mut rep = Replayer::start(Some((&ns, &root)))?;
    let mut local = Replayer::start(None)?;
    let netsnap = o.netsnap.to_string_lossy().into_owned();
    let floor = o.floor.to_string_lossy().into_owned();
    let snap_arg = snap.to_string_lossy().into_owned();

    let mut views = Vec::new();
    for view in &o.views {
        let is_p = view.contains('p');
        let real = !(is_p && o.skip_real_p);
        let real_rounds = if is_p && n >= 1_000_000 { 1 } else { o.rounds };
        let mut vr = ViewResult {
            view: view.clone(),
            netsnap: Series::default(),
            netstat: Series::default(),
            ss: Series::default(),
            floor: Series::default(),
            checks: 0,
            equal: 0,
        };
        let until = floor_until(view);
        for round in 0..o.rounds {
            let with_real = real && round < real_rounds;
            let mut order: Vec<&str> = vec!["netsnap", "netstat", "ss", "floor"];
            order.rotate_left(round % 4);
            for tool in order {
                let file = out.join(format!("{tool}.out"));
                match tool {
                    "netsnap" => {
                        let r = local.run(&netsnap, &["netstat", &snap_arg, view], &file)?;
                        vr.netsnap.push(r);
                    }
                    "floor" => {
                        let mut args = vec![snap_arg.as_str()];
                        if let Some(u) = until {
                            args.extend(["--until", u]);
                        }
                        let r = local.run(&floor, &args, &file)?;
                        if r.status != 0 {
                            return Err("netsnap-floor failed".into());
                        }
                        vr.floor.push(r);
                    }
                    "netstat" if with_real => {
                        let r = rep.run("netstat", &[view], &file)?;
                        vr.netstat.push(r);
                    }
                    "ss" if with_real => {
                        let r = rep.run("ss", &[view], &file)?;
                        vr.ss.push(r);
                    }
                    _ => {}
                }
            }
            if with_real {
                vr.checks += 1;
                match first_difference(&out.join("netsnap.out"), &out.join("netstat.out"))? {
                    None => vr.equal += 1,
                    Some(at) => eprintln!(
                        "netsnap-bench: {name} {view} round {round}: netsnap's output differs from netstat's at byte {at} (kept in {})",
                        out.display()
                    ),
                }
            }
        }
        let f = |s: &Series| s.med().map_or("-".into(), |m| format!("{:.1} ms", m * 1e3));
        eprintln!(
            "netsnap-bench: {name} {view}: netsnap {} netstat {} ss {} floor {} (equal {}/{})",
            f(&vr.netsnap),
            f(&vr.netstat),
            f(&vr.ss),
            f(&vr.floor),
            vr.equal,
            vr.checks
        );
        views.push(vr);
    }
    rep.stop();
    local.stop();
    if o.out.is_some() {
        let _ = fs::remove_dir_all(&out);
    }
    if views.iter().all(|v| v.equal == v.checks) {
        let _ = fs::remove_dir_all(&work);
    }
    Ok(SizeResult {
        name,
        spec,
        archive_bytes,
        procnet_bytes,
        views,
    })
}

fn print_report(o: &Opts, results: &[SizeResult]) {
    let ms = |s: &Series| {
        s.med()
            .map_or("–".to_string(), |m| format!("{:.1}", m * 1e3))
    };
    let mb = |s: &Series| {
        if s.secs.is_empty() {
            "–".to_string()
        } else {
            format!("{:.1}", s.rss_kb as f64 / 1024.0)
        }
    };
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 && a / b < 0.1 => format!("{:.3}×", a / b),
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "–".to_string(),
    };
    println!(
        "netsnap-bench: {} round(s){}; medians in ms, peak RSS in MiB\n",
        o.rounds,
        if o.skip_real_p {
            ", real -p skipped"
        } else {
            ""
        }
    );
    for r in results {
        println!(
            "### {} TCP sockets ({} unix, {} processes): archive {:.1} MB, proc/net {:.1} MB uncompressed\n",
            r.name,
            r.spec.unix,
            r.spec.procs,
            r.archive_bytes as f64 / 1e6,
            r.procnet_bytes as f64 / 1e6
        );
        println!(
            "| view | netsnap | netstat | ss | floor | netstat ÷ netsnap | ss ÷ netsnap | netsnap ÷ floor | RSS netsnap | RSS netstat | RSS ss | RSS floor | netsnap RSS ÷ proc/net | same as netstat |"
        );
        println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for v in &r.views {
            let (a, b, c, d) = (v.netsnap.med(), v.netstat.med(), v.ss.med(), v.floor.med());
            println!(
                "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.2} | {}/{} |",
                v.view,
                ms(&v.netsnap),
                ms(&v.netstat),
                ms(&v.ss),
                ms(&v.floor),
                ratio(b, a),
                ratio(c, a),
                ratio(a, d),
                mb(&v.netsnap),
                mb(&v.netstat),
                mb(&v.ss),
                mb(&v.floor),
                v.netsnap.rss_kb as f64 * 1024.0 / r.procnet_bytes as f64,
                v.equal,
                v.checks
            );
        }
        println!();
    }
}
