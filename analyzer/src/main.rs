//! `netsnap`: the command-line front end of the analyzer.

use std::io::{self, Read, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: netsnap [LIMITS] netstat SNAPSHOT [NETSTAT FLAGS...]
       netsnap [LIMITS] ss SNAPSHOT [SS OPTIONS...] [FILTER]
       netsnap --version | --help

SNAPSHOT is a .tar.gz or .tar written by netsnap-collect, or - for stdin.
`netsnap netstat` prints what net-tools netstat 2.10 printed for the same
flags on the machine the snapshot was taken on; `netsnap ss` what iproute2
ss 6.1 prints when it reads the snapshot's files (PROC_ROOT).

LIMITS (SIZE takes a K, M or G suffix, powers of 1024):
  --max-decompressed SIZE  decompressed tar stream (default 2G)
  --max-entries N          archive entries (default 20000000)
  --max-entry-size SIZE    one archive entry (default 512M)
  --max-line SIZE          one line of a /proc, /sys or /etc file (default 1M)
  --max-memory SIZE        rows, files and links kept in memory (default 192M)

Exit status: netstat's or ss's own (netstat: 0, or 1 when it would fail;
ss: 0, 1 or 255) when the snapshot is sound; 3 when it was shown but netsnap found it damaged (the netsnap:
lines on stderr say where); 2 when nothing could be shown (unreadable or
broken archive, a limit exceeded, a usage error of netsnap itself).
";

/// Parses a size: digits with an optional K, M or G suffix (powers of 1024).
fn parse_size(text: &str) -> Option<u64> {
    let (digits, shift) = match text.as_bytes().last()? {
        b'K' | b'k' => (&text[..text.len() - 1], 10),
        b'M' | b'm' => (&text[..text.len() - 1], 20),
        b'G' | b'g' => (&text[..text.len() - 1], 30),
        _ => (text, 0),
    };
    let n: u64 = digits.parse().ok()?;
    n.checked_mul(1u64 << shift)
}

/// Reads `--max-…` options from the front of `args` into `limits`;
/// returns how many arguments they took, or the message of a bad one.
fn parse_limits(
    args: &[std::ffi::OsString],
    limits: &mut netsnap::Limits,
) -> Result<usize, String> {
    let mut i = 0;
    while let Some(arg) = args.get(i).and_then(|a| a.to_str()) {
        if !arg.starts_with("--max-") {
            break;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (arg, None),
        };
        let value = match inline {
            Some(v) => v,
            None => {
                i += 1;
                args.get(i)
                    .and_then(|a| a.to_str())
                    .ok_or(format!("{name} needs a value"))?
                    .to_string()
            }
        };
        let size = parse_size(&value).ok_or(format!("{name}: not a size: {value}"))?;
        match name {
            "--max-decompressed" => limits.max_decompressed = size,
            "--max-entries" => limits.max_entries = size,
            "--max-entry-size" => limits.max_entry_size = size,
            "--max-line" => limits.max_line = size,
            "--max-memory" => limits.max_memory = size,
            _ => return Err(format!("unknown option {name}")),
        }
        i += 1;
    }
    Ok(i)
}

fn open(path: &str) -> io::Result<Box<dyn Read + Send>> {
    if path == "-" {
        Ok(Box::new(io::stdin()))
    } else {
        // Reads of a whole gzip member (hundreds of KiB) go straight to the file, past this
        // buffer, which only serves smaller reads.
        Ok(Box::new(io::BufReader::with_capacity(
            1 << 16,
            std::fs::File::open(path)?,
        )))
    }
}

/// How writing the spilled output went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spill {
    Writing,
    /// The reader went away (a closed pipe): not an error.
    Closed,
    Failed,
}

fn write_all(out: &mut dyn Write, data: &[u8]) -> bool {
    match out.write_all(data).and_then(|_| out.flush()) {
        Ok(()) => true,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => true,
        Err(_) => false,
    }
}

/// The tool whose output is reproduced.
#[derive(Clone, Copy)]
enum Tool {
    Netstat,
    Ss,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Netstat => "netstat",
            Tool::Ss => "ss",
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    // NETSNAP_THREADS=1 reads and renders on one thread (as in WebAssembly).
    if let Some(n) = std::env::var("NETSNAP_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        netsnap::par::set_threads(n);
    }
    let mut err = io::stderr().lock();
    let mut limits = netsnap::Limits::default();
    let skip = match parse_limits(&args, &mut limits) {
        Ok(n) => n,
        Err(m) => {
            let _ = writeln!(err, "netsnap: {m}");
            let _ = err.write_all(USAGE.as_bytes());
            return ExitCode::from(2);
        }
    };
    let args = args.get(skip..).unwrap_or(&[]);
    let first = args.first().and_then(|a| a.to_str());
    let tool = match first {
        Some("netstat") => Tool::Netstat,
        Some("ss") => Tool::Ss,
        Some("--version") | Some("-V") => {
            println!("netsnap {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Some("--help") | Some("-h") => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            let _ = err.write_all(USAGE.as_bytes());
            return ExitCode::from(2);
        }
    };
    let Some(snapshot) = args.get(1) else {
        let _ = writeln!(err, "netsnap: {}: missing SNAPSHOT", tool.name());
        let _ = err.write_all(USAGE.as_bytes());
        return ExitCode::from(2);
    };
    let path = snapshot.to_string_lossy().into_owned();
    use std::os::unix::ffi::OsStrExt;
    let flags: Vec<&[u8]> = args
        .get(2..)
        .unwrap_or(&[])
        .iter()
        .map(|a| a.as_bytes())
        .collect();
    let input = match open(&path) {
        Ok(i) => i,
        Err(e) => {
            let _ = writeln!(err, "netsnap: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    // Big tables are written as they are rendered (see render::set_spill);
    // a write failure other than a closed pipe is remembered for the exit
    // status, and nothing more is written after any failure.
    let spill_state = std::rc::Rc::new(std::cell::Cell::new(Spill::Writing));
    let state = spill_state.clone();
    netsnap::render::set_spill(Some(Box::new(move |bytes: &[u8]| {
        if state.get() != Spill::Writing {
            return;
        }
        match io::stdout().lock().write_all(bytes) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => state.set(Spill::Closed),
            Err(_) => state.set(Spill::Failed),
        }
    })));
    let result = match tool {
        // A file can be opened again (see netstat_from_source); standard input cannot.
        Tool::Netstat if path != "-" => {
            let mut first = Some(input);
            let reopen = || match first.take() {
                Some(i) => Ok(i),
                None => open(&path),
            };
            netsnap::netstat_from_source_par(reopen, &flags, &limits)
        }
        Tool::Netstat => netsnap::netstat_from_reader_par(input, &flags, &limits),
        Tool::Ss => netsnap::ss_from_reader_par(input, &flags, &limits),
    };
    netsnap::render::set_spill(None);
    match result {
        Ok(out) => {
            let ok = match spill_state.get() {
                Spill::Writing => write_all(&mut io::stdout().lock(), &out.stdout),
                Spill::Closed => true,
                Spill::Failed => false,
            };
            let _ = write_all(&mut err, &out.stderr);
            for d in &out.diagnostics {
                let _ = writeln!(err, "netsnap: {d}");
            }
            if !ok {
                return ExitCode::from(2);
            }
            if out.status == 0 && !out.diagnostics.is_empty() {
                return ExitCode::from(3);
            }
            ExitCode::from(u8::try_from(out.status & 0xff).unwrap_or(255))
        }
        Err(e) => {
            let _ = writeln!(err, "netsnap: {path}: {e}");
            ExitCode::from(2)
        }
    }
}
