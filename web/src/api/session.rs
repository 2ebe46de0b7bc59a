//! The API in plain Rust, without JavaScript types: what the wasm-bindgen
//! exports of [`crate::api`] wrap, usable (and tested) natively.

use std::cell::RefCell;
use std::io::{self, Read};

use netsnap::render::json;
use netsnap::{Error, Limits, LoadPlan, Output, Snapshot};

use super::cmdline::{self, Tool};
use super::query::Index;

/// Bytes between two progress reports.
pub const PROGRESS_STEP: u64 = 1 << 20;

/// A reader that tells `report` how many bytes were read, each time the
/// count passes a multiple of [`PROGRESS_STEP`] and once at the end of the
/// input. `report` returns `false` to cancel: the next read then fails.
pub struct Progress<R, F> {
    inner: R,
    read: u64,
    reported: u64,
    report: F,
    cancelled: bool,
}

impl<R: Read, F: FnMut(u64) -> bool> Progress<R, F> {
    /// Wraps `inner`.
    pub fn new(inner: R, report: F) -> Self {
        Progress {
            inner,
            read: 0,
            reported: 0,
            report,
            cancelled: false,
        }
    }

    /// Bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.read
    }

    /// Whether `report` asked to stop.
    pub fn cancelled(&self) -> bool {
        self.cancelled
    }

    fn tell(&mut self) {
        self.reported = self.read;
        if !(self.report)(self.read) {
            self.cancelled = true;
        }
    }
}

impl<R: Read, F: FnMut(u64) -> bool> Read for Progress<R, F> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cancelled {
            return Err(io::Error::other("cancelled"));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        let passed = self.read / PROGRESS_STEP > self.reported / PROGRESS_STEP;
        if passed || (n == 0 && !buf.is_empty() && self.read != self.reported) {
            self.tell();
            if self.cancelled {
                return Err(io::Error::other("cancelled"));
            }
        }
        Ok(n)
    }
}

/// Where `ss` commands read the snapshot again: a fresh reader over the
/// snapshot's bytes each time it is called (the wasm API's reads the
/// caller's `Uint8Array`, kept by reference), or why it cannot give one.
pub type Source = Box<dyn Fn() -> Result<Box<dyn Read>, String>>;

/// A loaded snapshot and what the API keeps about it.
///
/// netstat views read the model loaded with everything
/// ([`LoadPlan::everything`]). ss views need the socket files raw, which
/// that model does not keep (a million sockets: the model is ~100 MB, the
/// raw files ~160 MB more), so the first `ss` command loads a second
/// snapshot from the [`Source`] with [`netsnap::ss::plan`]'s plan and keeps
/// it for the next ones; one without processes is loaded again, with them,
/// when an `ss` command needs processes. Sessions that never run `ss` never
/// pay for it.
pub struct Session {
    snap: Snapshot,
    index: Option<Index>,
    source: Option<Source>,
    ss: RefCell<Option<SsSnapshot>>,
}

/// The snapshot `ss` commands read, and whether it holds processes.
struct SsSnapshot {
    snap: Snapshot,
    processes: bool,
}

/// The message of a load error, as the API throws it.
pub fn error_text(e: &Error) -> String {
    match e {
        // The CLI's hint names its own flags; the API has none.
        Error::Limit { name, value, .. } => {
            format!("snapshot too large: the {name} exceeds the limit of {value}")
        }
        other => other.to_string(),
    }
}

impl Session {
    /// Reads a snapshot (gzip or plain tar) with everything it holds.
    pub fn open<R: Read>(input: R) -> Result<Session, String> {
        Self::open_with_progress(input, |_| true)
    }

    /// Reads a snapshot, reporting the input bytes read to `progress`
    /// (at most once per MiB, and at the end); `progress` returns `false`
    /// to cancel, and the load then fails with `cancelled`.
    pub fn open_with_progress<R: Read>(
        input: R,
        progress: impl FnMut(u64) -> bool,
    ) -> Result<Session, String> {
        let mut reader = Progress::new(input, progress);
        let loaded = netsnap::load(&mut reader, &LoadPlan::everything(), &Limits::default());
        if reader.read != reader.reported && !reader.cancelled() {
            reader.tell();
        }
        if reader.cancelled() {
            return Err("cancelled".to_string());
        }
        let snap = loaded.map_err(|e| error_text(&e))?;
        Self::from_snapshot(snap)
    }

    /// Wraps a loaded snapshot; refuses an archive that holds nothing of a
    /// snapshot (a tar of something else).
    pub fn from_snapshot(snap: Snapshot) -> Result<Session, String> {
        if !snap.recognised {
            return Err(error_text(&Error::NotASnapshot));
        }
        Ok(Session {
            snap,
            index: None,
            source: None,
            ss: RefCell::new(None),
        })
    }

    /// Where `ss` commands read the snapshot's bytes again (without one
    /// they fail): the same bytes the session was opened from.
    pub fn with_source(mut self, source: Source) -> Session {
        self.source = Some(source);
        self
    }

    /// Whether `ss` commands have loaded their snapshot (and whether it
    /// holds processes): `None` before the first one.
    pub fn ss_loaded(&self) -> Option<bool> {
        self.ss.borrow().as_ref().map(|s| s.processes)
    }

    /// The snapshot.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snap
    }

    /// Runs a command line that starts with `netstat` or `ss` on the
    /// snapshot read from `input`, reading only what the view needs and
    /// keeping nothing (as the CLI does).
    /// `open` gives the input (a netstat view may read it twice, see
    /// `netsnap::netstat_from_source`).
    pub fn run_once<R: Read>(
        mut open: impl FnMut() -> std::io::Result<R>,
        line: &str,
    ) -> Result<Output, String> {
        let limits = Limits::default();
        match cmdline::command(line)? {
            (Tool::Netstat, args) => netsnap::netstat_from_source(open, &args, &limits),
            (Tool::Ss, args) => match open() {
                Ok(input) => netsnap::ss_from_reader(input, &args, &limits),
                Err(e) => Err(netsnap::Error::Io(e.to_string())),
            },
        }
        .map_err(|e| error_text(&e))
    }

    /// Runs a command line that starts with `netstat` or `ss`.
    pub fn run(&self, line: &str) -> Result<Output, String> {
        let args = match cmdline::command(line)? {
            (Tool::Netstat, args) => args,
            (Tool::Ss, args) => return self.run_ss(&args),
        };
        let mut out = netsnap::netstat(&self.snap, &args);
        if out.diagnostics.is_empty() {
            out.diagnostics = self.snap.diagnostics.clone();
        }
        Ok(out)
    }

    /// Runs ss's arguments as `netsnap ss` does: options that stop ss while
    /// parsing are answered without the snapshot; the others read the ss
    /// snapshot, loaded on first use. Diagnostics: the ss snapshot's, then
    /// the view's.
    fn run_ss(&self, args: &[String]) -> Result<Output, String> {
        let opts = match netsnap::ss::args::parse(args) {
            Ok(o) => o,
            Err(e) => return Ok(e.into()),
        };
        let plan = netsnap::ss::plan(&opts);
        let mut cache = self.ss.borrow_mut();
        if !cache
            .as_ref()
            .is_some_and(|c| c.processes || !plan.processes)
        {
            // Free the one without processes before loading its successor.
            *cache = None;
            let source = self.source.as_ref().ok_or(
                "ss needs the snapshot's bytes again, and this session has none (Session::with_source)",
            )?;
            let snap =
                netsnap::load(source()?, &plan, &Limits::default()).map_err(|e| error_text(&e))?;
            if !snap.recognised {
                return Err(error_text(&Error::NotASnapshot));
            }
            *cache = Some(SsSnapshot {
                snap,
                processes: plan.processes,
            });
        }
        let Some(ss) = cache.as_ref() else {
            return Err("the ss snapshot did not load".to_string());
        };
        let mut out = netsnap::ss::run(&ss.snap, &opts);
        let mut diagnostics = ss.snap.diagnostics.clone();
        diagnostics.append(&mut out.diagnostics);
        out.diagnostics = diagnostics;
        Ok(out)
    }

    /// The structured model as JSON text.
    pub fn model_json(&self) -> String {
        json::model_string(&self.snap)
    }

    /// The overview as JSON text.
    pub fn overview_json(&self) -> String {
        json::overview(&self.snap).to_string()
    }

    /// The row index, built on first use.
    pub fn index(&mut self) -> &mut Index {
        self.index.get_or_insert_with(|| Index::build(&self.snap))
    }

    /// Answers a connections-table query (JSON in, JSON out).
    pub fn query(&mut self, query: &str) -> Result<String, String> {
        let index = self.index.get_or_insert_with(|| Index::build(&self.snap));
        index.query_json(&self.snap, query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(rel: &str) -> Vec<u8> {
        std::fs::read(format!("{}/../fixtures/{rel}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
    }

    #[test]
    fn runs_netstat_like_the_golden_output() {
        let s = Session::open(&fixture("server/snapshot.tar.gz")[..]).expect("opens");
        let out = s.run("netstat -tanp").expect("runs");
        assert_eq!(out.stdout, fixture("server/expected/-tanp.stdout"));
        assert_eq!(out.stderr, fixture("server/expected/-tanp.stderr"));
        let out = s.run("netstat '-t' \"-a\"n").expect("runs");
        assert_eq!(out.stdout, fixture("server/expected/-tan.stdout"));
        assert!(s.run("ip -s link").is_err());
        // ss needs the bytes again: without a source it says so.
        assert!(s.run("ss -tan").is_err());
        // ss's own usage errors need no snapshot.
        assert_eq!(s.run("ss --bogus").expect("runs").status, 255);
        let v: serde_json::Value = serde_json::from_str(&s.model_json()).expect("model");
        assert!(v["sockets"].is_array());
        let v: serde_json::Value = serde_json::from_str(&s.overview_json()).expect("overview");
        assert!(v["listening"].is_array());
    }

    /// A session that can run ss, over `bytes`.
    fn with_ss(rel: &str) -> Session {
        let bytes = std::rc::Rc::new(fixture(rel));
        let again = bytes.clone();
        Session::open(&bytes[..])
            .expect("opens")
            .with_source(Box::new(move || {
                Ok(Box::new(io::Cursor::new(again.as_ref().clone())) as Box<dyn Read>)
            }))
    }

    #[test]
    fn runs_ss_like_the_golden_output_loading_lazily() {
        let s = with_ss("server/snapshot.tar.gz");
        assert_eq!(s.ss_loaded(), None);
        let out = s.run("ss -tan").expect("runs");
        assert_eq!(out.stdout, fixture("server/expected-ss/-tan.stdout"));
        assert_eq!(out.stderr, fixture("server/expected-ss/-tan.stderr"));
        assert_eq!(s.ss_loaded(), Some(false));
        // Processes wanted: loaded again, with them, and kept.
        let out = s.run("ss -tanp").expect("runs");
        assert_eq!(out.stdout, fixture("server/expected-ss/-tanp.stdout"));
        assert_eq!(s.ss_loaded(), Some(true));
        let out = s.run("ss -tan state established").expect("runs");
        assert_eq!(
            out.stdout,
            fixture("server/expected-ss/-tan_state_established.stdout")
        );
        assert_eq!(s.ss_loaded(), Some(true));
        // netstat still reads the full model.
        let out = s.run("netstat -tanp").expect("runs");
        assert_eq!(out.stdout, fixture("server/expected/-tanp.stdout"));
        let bytes = fixture("server/snapshot.tar.gz");
        let once = Session::run_once(|| Ok(&bytes[..]), "ss -xa").expect("runs");
        assert_eq!(once.stdout, fixture("server/expected-ss/-xa.stdout"));
        let once = Session::run_once(|| Ok(&bytes[..]), "netstat -tan").expect("runs");
        assert_eq!(once.stdout, fixture("server/expected/-tan.stdout"));
    }

    #[test]
    fn bad_input() {
        let e = Session::open(&b"hello, world"[..]).err().expect("refused");
        assert!(e.starts_with("not a snapshot: "), "{e}");
        let e = Session::open(&[][..]).err().expect("refused");
        assert!(e.starts_with("not a snapshot: "), "{e}");
        // A gzip stream that stops short.
        let gz = fixture("server/snapshot.tar.gz");
        let e = Session::open(&gz[..40]).err().expect("refused");
        assert!(e.starts_with("damaged archive: "), "{e}");
        // A tar of something else.
        let mut b = tar_of("hello.txt", b"hi\n");
        b.extend_from_slice(&[0; 1024]);
        let e = Session::open(&b[..]).err().expect("refused");
        assert!(e.starts_with("not a snapshot: "), "{e}");
    }

    fn tar_of(name: &str, data: &[u8]) -> Vec<u8> {
        let mut h = [0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[100..108].copy_from_slice(b"0000644\0");
        h[108..116].copy_from_slice(b"0000000\0");
        h[116..124].copy_from_slice(b"0000000\0");
        h[124..136].copy_from_slice(format!("{:011o}\0", data.len()).as_bytes());
        h[136..148].copy_from_slice(b"00000000000\0");
        h[156] = b'0';
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        let mut v = h.to_vec();
        v.extend_from_slice(data);
        v.resize(v.len().div_ceil(512) * 512, 0);
        v
    }

    #[test]
    fn progress_every_mib_and_at_the_end() {
        let data = vec![7u8; 3 * 1024 * 1024 + 10];
        let mut seen = Vec::new();
        let mut r = Progress::new(&data[..], |n| {
            seen.push(n);
            true
        });
        let mut sink = Vec::new();
        r.read_to_end(&mut sink).expect("reads");
        assert_eq!(seen.last(), Some(&(data.len() as u64)), "{seen:?}");
        assert!((3..=4).contains(&seen.len()), "{seen:?}");
        assert!(
            seen.windows(2)
                .all(|w| w[0] / PROGRESS_STEP < w[1] / PROGRESS_STEP || w[1] == data.len() as u64),
            "{seen:?}"
        );
    }

    #[test]
    fn cancel() {
        let gz = fixture("server/snapshot.tar.gz");
        let e = Session::open_with_progress(&gz[..], |_| false)
            .err()
            .expect("cancelled");
        assert_eq!(e, "cancelled");
    }
}
