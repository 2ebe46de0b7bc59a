//! `netsnap-gen --tcp N --unix M --procs P --seed S -o FILE`: writes a
//! synthetic snapshot (see the library's docs). Sizes take `k`/`M` suffixes.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use netsnap_bench::{Spec, generate, parse_size};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("netsnap-gen: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    use lexopt::prelude::*;
    let mut spec = Spec::standard(10_000);
    let mut out: Option<String> = None;
    let mut parser = lexopt::Parser::from_env();
    let size = |v: std::ffi::OsString| -> Result<usize, String> {
        let s = v.to_string_lossy().into_owned();
        parse_size(&s).ok_or_else(|| format!("not a size: {s}"))
    };
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long("tcp") => spec.tcp = size(parser.value().map_err(|e| e.to_string())?)?,
            Long("unix") => spec.unix = size(parser.value().map_err(|e| e.to_string())?)?,
            Long("procs") => spec.procs = size(parser.value().map_err(|e| e.to_string())?)?,
            Long("seed") => spec.seed = size(parser.value().map_err(|e| e.to_string())?)? as u64,
            Short('o') | Long("output") => {
                out = Some(
                    parser
                        .value()
                        .map_err(|e| e.to_string())?
                        .to_string_lossy()
                        .into_owned(),
                )
            }
            Short('h') | Long("help") => {
                println!("usage: netsnap-gen --tcp N --unix M --procs P --seed S -o FILE");
                return Ok(());
            }
            _ => return Err(arg.unexpected().to_string()),
        }
    }
    let out = out.ok_or("-o FILE is required (- for stdout)")?;
    let t = std::time::Instant::now();
    let summary = if out == "-" {
        let stdout = std::io::stdout();
        let mut w = BufWriter::with_capacity(1 << 20, stdout.lock());
        let s = generate(&spec, &mut w).map_err(|e| e.to_string())?;
        w.flush().map_err(|e| e.to_string())?;
        s
    } else {
        let f = std::fs::File::create(&out).map_err(|e| format!("{out}: {e}"))?;
        let mut w = BufWriter::with_capacity(1 << 20, f);
        let s = generate(&spec, &mut w).map_err(|e| format!("{out}: {e}"))?;
        w.flush().map_err(|e| format!("{out}: {e}"))?;
        s
    };
    eprintln!(
        "netsnap-gen: {} tcp + {} tcp6 + {} unix rows, {} processes, {} fd links, {:.1} MB of tables in {:.2} s",
        summary.tcp4,
        summary.tcp6,
        summary.unix,
        summary.procs,
        summary.fds,
        summary.table_bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
