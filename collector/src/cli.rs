//! The command line.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::Error;

pub const NAME: &str = "netsnap-collect";
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub const HELP: &str = "\
Usage: netsnap-collect [OPTIONS]

Archives this machine's network state (/proc/net tables, socket fd links of
processes, interface attributes, name files from /etc) into one snapshot that
netsnap can read offline.

Options:
  -o, --output FILE        write the snapshot to FILE ('-' for stdout); default
                           netsnap-<hostname>-<UTC time>.tar.gz in the current
                           directory (.tar with --no-gzip)
      --force              overwrite FILE if it exists
      --full-cmdline       keep whole command lines (default: argv[0] only,
                           since arguments can hold secrets)
      --resolve            also record reverse-DNS names of the socket addresses
      --resolve-budget SECS
                           time allowed for --resolve (default 5; implies --resolve)
      --no-gzip            write a plain tar archive
      --count N            take N frames into the snapshot (default 1), one
                           every --interval, for `netsnap netstat -c`
      --interval SECS      time between frames (default 1, as netstat -c)
      --timeout SECS       bound the whole capture: when SECS have passed, stop
                           gathering and write what was gathered (a valid
                           snapshot; netsnap-end.json says timed_out and what
                           was left out)
  -h, --help               print this help
  -V, --version            print the version

The snapshot is written to a temporary file (mode 0600) in the target's
directory and renamed into place only once complete: on any error or signal
no partial file is left. Files that cannot be read, processes that vanish
during the scan and fd directories that cannot be read (run as an ordinary
user) are recorded in the snapshot's manifests, not treated as errors.
SIGINT, SIGTERM and SIGHUP (unless ignored at start, as under nohup) stop
the capture at the next entry; a second one stops it at once. Both remove the
temporary file.

Exit status:
  0    snapshot written (also when --timeout cut it short), or stdout closed
  1    capture failed (for example no space left, or FILE exists without
       --force); the reason, with the file, is on stderr
  2    invalid command line
  128+N  stopped by signal N (130 SIGINT, 143 SIGTERM, 129 SIGHUP)
";

/// Where the snapshot goes.
pub enum Output {
    /// `-o -`.
    Stdout,
    /// A file, never overwritten without `--force`.
    File(PathBuf),
    /// The default name, known once the capture time is.
    Default,
}

pub struct Config {
    pub output: Output,
    pub force: bool,
    pub full_cmdline: bool,
    pub resolve: bool,
    pub resolve_budget: Duration,
    pub gzip: bool,
    /// Frames to take (`--count`), at least 1.
    pub count: u32,
    /// Time between frames (`--interval`).
    pub interval: Duration,
    /// Bound of the whole run (`--timeout`).
    pub timeout: Option<Duration>,
}

pub enum Command {
    Run(Config),
    Help,
    Version,
}

/// Parses the arguments after the program name.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, Error> {
    let mut config = Config {
        output: Output::Default,
        force: false,
        full_cmdline: false,
        resolve: false,
        resolve_budget: Duration::from_secs(5),
        gzip: true,
        count: 1,
        interval: Duration::from_secs(1),
        timeout: None,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let Some(text) = arg.to_str() else {
            return Err(usage(format!(
                "unexpected argument '{}'",
                arg.to_string_lossy()
            )));
        };
        // `--opt=value` and `-ovalue` carry their value inside the argument.
        let (opt, inline) = match text.split_once('=') {
            Some((opt, value)) if opt.starts_with("--") => (opt, Some(OsString::from(value))),
            _ if text.starts_with("-o") && text.len() > 2 => {
                ("-o", Some(OsString::from(&text[2..])))
            }
            _ => (text, None),
        };
        let takes_value = matches!(
            opt,
            "-o" | "--output" | "--resolve-budget" | "--count" | "--interval" | "--timeout"
        );
        if inline.is_some() && !takes_value {
            return Err(usage(format!("option '{opt}' takes no value")));
        }
        let mut value = || match inline.clone() {
            Some(v) => Ok(v),
            None => args
                .next()
                .ok_or_else(|| usage(format!("option '{opt}' needs a value"))),
        };
        match opt {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            "-o" | "--output" => {
                let v = value()?;
                if v.is_empty() {
                    return Err(usage(format!("option '{opt}' needs a file name")));
                }
                config.output = if v == "-" {
                    Output::Stdout
                } else {
                    Output::File(PathBuf::from(v))
                };
            }
            "--force" => config.force = true,
            "--full-cmdline" => config.full_cmdline = true,
            "--resolve" => config.resolve = true,
            "--resolve-budget" => {
                let v = value()?;
                let secs = v
                    .to_str()
                    .and_then(|s| s.parse::<f64>().ok())
                    .filter(|s| s.is_finite() && (0.0..=3600.0).contains(s))
                    .ok_or_else(|| {
                        usage(format!(
                            "invalid --resolve-budget '{}' (seconds, 0 to 3600)",
                            v.to_string_lossy()
                        ))
                    })?;
                config.resolve = true;
                config.resolve_budget = Duration::from_secs_f64(secs);
            }
            "--no-gzip" => config.gzip = false,
            "--count" => {
                let v = value()?;
                config.count = v
                    .to_str()
                    .and_then(|s| s.parse::<u32>().ok())
                    .filter(|n| (1..=10_000).contains(n))
                    .ok_or_else(|| {
                        usage(format!(
                            "invalid --count '{}' (frames, 1 to 10000)",
                            v.to_string_lossy()
                        ))
                    })?;
            }
            "--interval" => {
                let v = value()?;
                let secs = v
                    .to_str()
                    .and_then(|s| s.parse::<f64>().ok())
                    .filter(|s| s.is_finite() && (0.0..=86400.0).contains(s))
                    .ok_or_else(|| {
                        usage(format!(
                            "invalid --interval '{}' (seconds, 0 to 86400)",
                            v.to_string_lossy()
                        ))
                    })?;
                config.interval = Duration::from_secs_f64(secs);
            }
            "--timeout" => {
                let v = value()?;
                let secs = v
                    .to_str()
                    .and_then(|s| s.parse::<f64>().ok())
                    .filter(|s| s.is_finite() && (0.0..=86400.0).contains(s))
                    .ok_or_else(|| {
                        usage(format!(
                            "invalid --timeout '{}' (seconds, 0 to 86400)",
                            v.to_string_lossy()
                        ))
                    })?;
                config.timeout = Some(Duration::from_secs_f64(secs));
            }
            _ if opt.starts_with('-') && opt != "-" => {
                return Err(usage(format!("unknown option '{opt}'")));
            }
            _ => return Err(usage(format!("unexpected argument '{text}'"))),
        }
    }
    Ok(Command::Run(config))
}

fn usage(message: String) -> Error {
    Error::Usage(format!(
        "{message}\nTry '{NAME} --help' for more information."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn run(args: &[&str]) -> Result<Config, String> {
        match parse(args.iter().map(OsString::from)) {
            Ok(Command::Run(c)) => Ok(c),
            Ok(_) => Err("help or version".into()),
            Err(Error::Usage(m)) => Err(m),
            Err(e) => Err(format!("{e:?}")),
        }
    }

    #[test]
    fn output_forms() {
        for args in [
            &["-o", "x.tgz"][..],
            &["-ox.tgz"],
            &["--output", "x.tgz"],
            &["--output=x.tgz"],
        ] {
            let c = run(args).map_err(|e| format!("{args:?}: {e}"));
            assert!(matches!(c.map(|c| c.output), Ok(Output::File(p)) if p == Path::new("x.tgz")));
        }
        assert!(matches!(
            run(&["-o", "-"]).map(|c| c.output),
            Ok(Output::Stdout)
        ));
        assert!(matches!(run(&[]).map(|c| c.output), Ok(Output::Default)));
    }

    #[test]
    fn flags() {
        let c = run(&[
            "--force",
            "--full-cmdline",
            "--no-gzip",
            "--resolve-budget=0.5",
        ]);
        let c = c.map_err(|e| e.to_string());
        assert!(
            matches!(c, Ok(ref c) if c.force && c.full_cmdline && !c.gzip && c.resolve
            && c.resolve_budget == Duration::from_millis(500))
        );
    }

    #[test]
    fn frames() {
        let c = run(&["--count", "3", "--interval=0.5"]).map_err(|e| e.to_string());
        assert!(matches!(c, Ok(ref c) if c.count == 3 && c.interval == Duration::from_millis(500)));
    }

    #[test]
    fn timeout() {
        assert!(matches!(run(&[]), Ok(ref c) if c.timeout.is_none()));
        let c = run(&["--timeout", "0.25"]).map_err(|e| e.to_string());
        assert!(matches!(c, Ok(ref c) if c.timeout == Some(Duration::from_millis(250))));
        let c = run(&["--timeout=0"]).map_err(|e| e.to_string());
        assert!(matches!(c, Ok(ref c) if c.timeout == Some(Duration::ZERO)));
    }

    #[test]
    fn bad_usage() {
        for args in [
            &["-x"][..],
            &["file"],
            &["-o"],
            &["--force=yes"],
            &["--resolve-budget", "-1"],
            &["--resolve-budget", "soon"],
            &["-o", ""],
            &["--count", "0"],
            &["--count", "x"],
            &["--interval", "-1"],
            &["--timeout"],
            &["--timeout", "-1"],
            &["--timeout", "inf"],
            &["--timeout", "never"],
        ] {
            assert!(run(args).is_err(), "{args:?} accepted");
        }
    }
}
