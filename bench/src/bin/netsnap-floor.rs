//! `netsnap-floor SNAP [--until PATH]`: the floor of the benchmark. Inflates
//! the archive (flate2 with the workspace's features, so netsnap's backend)
//! and walks its tar entries, reading every byte, up to and including the
//! entry PATH (to the end without it), and does nothing else.

use std::io::{BufReader, Read};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(snap), until) = (args.next(), args.next()) else {
        eprintln!("usage: netsnap-floor SNAP [--until PATH]");
        return ExitCode::from(2);
    };
    let until = match (until.as_deref(), args.next()) {
        (Some("--until"), Some(p)) => Some(p),
        (None, None) => None,
        _ => {
            eprintln!("usage: netsnap-floor SNAP [--until PATH]");
            return ExitCode::from(2);
        }
    };
    match run(&snap, until.as_deref()) {
        Ok(bytes) => {
            println!("{bytes}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("netsnap-floor: {snap}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(snap: &str, until: Option<&str>) -> std::io::Result<u64> {
    let file = std::fs::File::open(snap)?;
    let gz = flate2::read::GzDecoder::new(BufReader::with_capacity(1 << 16, file));
    let mut archive = tar::Archive::new(gz);
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    for entry in archive.entries()? {
        let mut entry = entry?;
        loop {
            let n = entry.read(&mut buf)?;
            if n == 0 {
                break;
            }
            total += n as u64;
        }
        if until.is_some_and(|u| entry.path_bytes().as_ref() == u.as_bytes()) {
            break;
        }
    }
    Ok(total)
}
