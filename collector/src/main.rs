//! netsnap-collect: captures this machine's network state into one snapshot archive.
//!
//! The collector reads and archives; it never interprets what it reads, except for decoding socket addresses for `--resolve`.
//! It is read-only on the system and only reads files under `/proc`, `/sys/class/net` and `/etc`, so it never makes the kernel load a module.
//! The archive layout is described in `docs/snapshot-format.md`.

mod archive;
mod cli;
mod deadline;
mod error;
mod gather;
mod ifaces;
mod manifest;
mod output;
mod procs;
mod resolve;
mod sys;

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cli::{Command, NAME, Output};
use deadline::Deadline;
use error::{Error, warning};
use gather::Files;
use manifest::{Header, Instant, Timeout};
use output::TempFile;
use procs::{Scan, Scanner};

fn main() -> ExitCode {
    let result = run();
    let mut stderr = io::stderr().lock();
    match result {
        Ok(()) | Err(Error::BrokenPipe) => ExitCode::SUCCESS,
        Err(Error::Usage(message)) => {
            let _ = writeln!(stderr, "{NAME}: {message}");
            ExitCode::from(2)
        }
        Err(Error::Failed(message)) => {
            let _ = writeln!(stderr, "{NAME}: {message}");
            ExitCode::from(1)
        }
        Err(Error::Signal(sig)) => {
            let name = match sig {
                libc::SIGINT => "SIGINT".to_string(),
                libc::SIGTERM => "SIGTERM".to_string(),
                libc::SIGHUP => "SIGHUP".to_string(),
                _ => format!("signal {sig}"),
            };
            let _ = writeln!(stderr, "{NAME}: interrupted by {name}, no snapshot written");
            ExitCode::from(128u8.saturating_add(u8::try_from(sig).unwrap_or(0)))
        }
    }
}

fn run() -> Result<(), Error> {
    let config = match cli::parse(std::env::args_os().skip(1))? {
        Command::Run(config) => config,
        Command::Help => return print_stdout(cli::HELP),
        Command::Version => return print_stdout(&format!("{NAME} {}\n", cli::VERSION)),
    };
    sys::install_signal_handlers().map_err(|e| Error::io("installing signal handlers", e))?;
    // Release builds abort on panic, without unwinding to the temporary file's destructor.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        sys::remove_cleanup_file();
        default_hook(info);
    }));
    let clock = std::time::Instant::now();
    let deadline = Deadline::new(clock, config.timeout);
    let mut left_out: Vec<String> = Vec::new();
    let capture_start = Instant::now();
    let mut warnings = Vec::new();
    let uname = sys::uname().unwrap_or_else(|e| {
        warnings.push(warning("uname", &e));
        sys::Uname {
            nodename: String::new(),
            release: String::new(),
            machine: String::new(),
        }
    });

    let target = match &config.output {
        Output::Stdout => None,
        Output::File(path) => Some(path.clone()),
        Output::Default => Some(default_name(&uname.nodename, capture_start, config.gzip)),
    };
    let mut temp = match &target {
        Some(path) if !config.force && path.symlink_metadata().is_ok() => {
            return Err(output::exists_error(path));
        }
        Some(path) => Some(TempFile::create(path, config.force)?),
        None => None,
    };

    let mut files = Files::new(deadline);
    files.read_socket_tables()?;
    files.read_others(&mut warnings)?;
    files_left_out(&files, "", &mut left_out);
    if deadline.passed() {
        left_out.push("netsnap-ifaces.json (the interface ioctl answers)".into());
    } else {
        ifaces::add_entry(&mut files, &mut warnings);
    }
    let interfaces = sys::interface_addresses().unwrap_or_else(|e| {
        warnings.push(warning("getifaddrs", &e));
        Vec::new()
    });
    let reverse_dns = if config.resolve && deadline.passed() {
        left_out.push("reverse DNS names (--resolve)".into());
        Some(Default::default())
    } else if config.resolve {
        let budget = deadline.remaining().map_or(config.resolve_budget, |left| {
            left.min(config.resolve_budget)
        });
        Some(resolve::reverse_dns(&files.tables, budget, &mut warnings)?)
    } else {
        None
    };
    let own_netns = fs::read_link("/proc/self/ns/net")
        .map(PathBuf::into_os_string)
        .map_err(|e| warnings.push(warning("readlink /proc/self/ns/net", &e)))
        .ok();
    let user_hz = match sys::user_hz() {
        hz if hz > 0 => hz,
        _ => {
            warnings.push("sysconf(_SC_CLK_TCK) failed; USER_HZ recorded as 100".into());
            100
        }
    };
    let boot_id = gather::read_whole(Path::new("/proc/sys/kernel/random/boot_id"))
        .map(|id| String::from_utf8_lossy(&id).trim().to_string())
        .unwrap_or_else(|e| {
            warnings.push(warning("reading /proc/sys/kernel/random/boot_id", &e));
            String::new()
        });
    let header = Header {
        capture_start,
        boot_id,
        hostname: uname.nodename,
        kernel_release: uname.release,
        machine: uname.machine,
        user_hz,
        euid: sys::euid(),
        full_cmdline: config.full_cmdline,
        netns: own_netns
            .as_ref()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        interfaces: &interfaces,
        reverse_dns: reverse_dns.as_ref(),
        missing: &files.missing,
        tables: files
            .tables
            .iter()
            .map(|e| e.path.to_string_lossy().into_owned())
            .collect(),
        frames: config.count,
        interval_ms: u64::try_from(config.interval.as_millis()).unwrap_or(u64::MAX),
    }
    .to_json();
    let netlink_pids = files
        .tables
        .iter()
        .find(|e| e.path == Path::new("proc/net/netlink"))
        .map(|e| procs::netlink_pids(&e.data))
        .unwrap_or_default();

    let mut write = |out: &mut (dyn Write + Send), warnings: &mut Vec<String>| {
        archive::write(out, config.gzip, capture_start.secs, |ar| {
            ar.file(Path::new("netsnap.json"), &header)?;
            for entry in files.tables.iter().chain(&files.others) {
                ar.file(&entry.path, &entry.data)?;
            }
            let mut scan = Scanner {
                own_netns: own_netns.clone(),
                netlink_pids: &netlink_pids,
                full_cmdline: config.full_cmdline,
                warnings,
                deadline,
            }
            .run(ar)?;
            processes_left_out(&scan, "", &mut left_out);
            // Later frames: the same files and processes again, under frames/<k>/.
            for k in 1..config.count {
                wait(config.interval, deadline)?;
                if deadline.passed() {
                    left_out.push(format!(
                        "frames {k} to {} of {}",
                        config.count - 1,
                        config.count
                    ));
                    break;
                }
                let prefix = format!("frame {k}: ");
                let frame = read_frame(warnings, deadline, &prefix, &mut left_out)?;
                ar.set_prefix(&Path::new("frames").join(k.to_string()));
                for entry in frame.tables.iter().chain(&frame.others) {
                    ar.file(&entry.path, &entry.data)?;
                }
                let pids = frame
                    .tables
                    .iter()
                    .find(|e| e.path == Path::new("proc/net/netlink"))
                    .map(|e| procs::netlink_pids(&e.data))
                    .unwrap_or_default();
                let more = Scanner {
                    own_netns: own_netns.clone(),
                    netlink_pids: &pids,
                    full_cmdline: config.full_cmdline,
                    warnings,
                    deadline,
                }
                .run(ar)?;
                processes_left_out(&more, &prefix, &mut left_out);
                scan.add(more);
            }
            ar.set_prefix(Path::new(""));
            let timeout = config.timeout.map(|t| Timeout {
                timeout_ms: u64::try_from(t.as_millis()).unwrap_or(u64::MAX),
                timed_out: !left_out.is_empty(),
                left_out: left_out.clone(),
            });
            let end = manifest::closing(Instant::now(), &scan, warnings, timeout.as_ref());
            ar.file(Path::new("netsnap-end.json"), &end)?;
            Ok(scan)
        })
    };
    let scan = match temp.as_mut() {
        Some(temp) => write(temp.writer()?, &mut warnings).map_err(|e| temp.explain(e))?,
        None => {
            // Not locked: the compressing thread writes to it.
            let mut stdout = BufWriter::with_capacity(1 << 16, io::stdout());
            let scan = write(&mut stdout, &mut warnings)?;
            stdout
                .flush()
                .map_err(|e| Error::io("writing to stdout", e))?;
            scan
        }
    };
    if let Some(temp) = temp {
        temp.commit()?;
    }
    report(
        target.as_deref(),
        &files,
        &scan,
        clock.elapsed().as_secs_f64(),
        &left_out,
    );
    Ok(())
}

/// Adds the files of a frame that the deadline left unread to `left_out`.
fn files_left_out(files: &Files, prefix: &str, left_out: &mut Vec<String>) {
    if files.timed_out > 0 {
        left_out.push(format!(
            "{prefix}{} file(s), listed in netsnap.json's missing with {}",
            files.timed_out,
            gather::TIMED_OUT
        ));
    }
}

/// Adds the processes of a frame that the deadline left unscanned to `left_out`.
fn processes_left_out(scan: &Scan, prefix: &str, left_out: &mut Vec<String>) {
    if let Some(from) = scan.unscanned_from {
        left_out.push(format!(
            "{prefix}{} process(es) not scanned, pids {from} and above",
            scan.unscanned
        ));
    }
}

/// Sleeps for `interval` (no later than the deadline), waking every 50 ms to honour SIGINT and SIGTERM.
fn wait(interval: std::time::Duration, deadline: Deadline) -> Result<(), Error> {
    let mut until = std::time::Instant::now() + interval;
    if let Some(left) = deadline.remaining() {
        until = until.min(std::time::Instant::now() + left);
    }
    loop {
        error::check_signal()?;
        let now = std::time::Instant::now();
        if now >= until {
            return Ok(());
        }
        std::thread::sleep((until - now).min(std::time::Duration::from_millis(50)));
    }
}

/// The files of one later frame: socket tables, then the other machine files and the interface entry (no `/etc`).
/// What the deadline left out is added to `left_out`, after `prefix`.
fn read_frame(
    warnings: &mut Vec<String>,
    deadline: Deadline,
    prefix: &str,
    left_out: &mut Vec<String>,
) -> Result<Files, Error> {
    let mut files = Files::new(deadline);
    files.read_socket_tables()?;
    files.read_machine_files(warnings)?;
    files_left_out(&files, prefix, left_out);
    if deadline.passed() {
        left_out.push(format!("{prefix}netsnap-ifaces.json"));
    } else {
        ifaces::add_entry(&mut files, warnings);
    }
    Ok(files)
}

/// `netsnap-<hostname>-<UTC time>.tar.gz` in the current directory.
fn default_name(hostname: &str, start: Instant, gzip: bool) -> PathBuf {
    let host: String = hostname
        .chars()
        .map(|c| if c == '/' || c.is_control() { '_' } else { c })
        .collect();
    let host = if host.is_empty() { "unknown" } else { &host };
    let ext = if gzip { "tar.gz" } else { "tar" };
    PathBuf::from(format!("netsnap-{host}-{}.{ext}", start.compact()))
}

/// The one line on stderr that says where the snapshot went.
fn report(target: Option<&Path>, files: &Files, scan: &Scan, secs: f64, left_out: &[String]) {
    let sockets: usize = files.tables.iter().map(|t| gather::rows(&t.data)).sum();
    let place = match target {
        Some(path) => std::path::absolute(path)
            .unwrap_or_else(|_| path.to_path_buf())
            .display()
            .to_string(),
        None => "to stdout".to_string(),
    };
    let timed_out = if left_out.is_empty() {
        String::new()
    } else {
        format!("; timed out, left out: {}", left_out.join("; "))
    };
    let _ = writeln!(
        io::stderr(),
        "{NAME}: wrote {place} ({sockets} sockets, {} processes, {secs:.2} s){timed_out}",
        scan.processes
    );
}

fn print_stdout(text: &str) -> Result<(), Error> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::io("writing to stdout", e))
}
