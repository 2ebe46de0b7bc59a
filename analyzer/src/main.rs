//! `netsnap`: the command-line front end of the analyzer.

use std::io::{self, Read, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: netsnap netstat SNAPSHOT [NETSTAT FLAGS...]
       netsnap --version | --help

SNAPSHOT is a .tar.gz or .tar written by netsnap-collect, or - for stdin.
`netsnap netstat` prints what net-tools netstat 2.10 printed for the same
flags on the machine the snapshot was taken on.
";

fn open(path: &str) -> io::Result<Box<dyn Read + Send>> {
    if path == "-" {
        Ok(Box::new(io::stdin()))
    } else {
        Ok(Box::new(io::BufReader::with_capacity(
            1 << 20,
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
    let first = args.first().and_then(|a| a.to_str());
    match first {
        Some("netstat") => {}
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
    }
    let Some(snapshot) = args.get(1) else {
        let _ = err.write_all(b"netsnap: netstat: missing SNAPSHOT\n");
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
    let result = netsnap::netstat_from_reader_par(input, &flags, &netsnap::Limits::default());
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
            ExitCode::from(u8::try_from(out.status & 0xff).unwrap_or(255))
        }
        Err(e) => {
            let _ = writeln!(err, "netsnap: {path}: {e}");
            ExitCode::from(2)
        }
    }
}
