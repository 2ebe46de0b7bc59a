//! netsnap's analyzer: reads a snapshot archive and reproduces what
//! net-tools `netstat` 2.10 printed on the machine it was taken on.
//!
//! The flow runs one way: [`archive`] streams entries out of the tar (gzip or
//! plain), [`parse`] turns each /proc or /etc file into typed rows,
//! [`model::Snapshot`] holds them, and [`render`] and [`netstat`] turn the
//! model into the exact bytes netstat prints. The library does no I/O of its
//! own: it reads from any `std::io::Read` it is given, so it runs the same
//! natively and in WebAssembly.
//!
//! ```
//! let args = ["-tan"];
//! let out = netsnap::netstat_from_reader(&b"not an archive"[..], &args, &Default::default());
//! assert!(out.is_err());
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod archive;
pub mod diag;
mod getopt;
pub mod load;
pub mod model;
pub mod netstat;
pub mod par;
pub mod parse;
pub mod render;
pub mod ss;
#[cfg(test)]
mod testing;

pub use archive::Limits;
pub use diag::{Diagnostic, Error};
pub use load::{LoadPlan, RowSink, load, load_into, load_into_par, load_par};
pub use model::Snapshot;
pub use render::Output;

use netstat::args::{self, Parsed};

/// Runs a netstat command line (arguments after `netstat`) on the snapshot
/// read from `input`, reading only what the view needs. Options that make
/// netstat stop while parsing (usage errors, `-V`, `-h`) are answered
/// without reading the snapshot. Reads on the caller's thread.
pub fn netstat_from_reader<R: std::io::Read, A: AsRef<[u8]>>(
    input: R,
    args: &[A],
    limits: &Limits,
) -> Result<Output, Error> {
    one_shot(args, |plan| load(input, plan, limits))
}

/// [`netstat_from_reader`], inflating the input on a second thread beside
/// the parsing when [`par::threads`] allows (the CLI).
pub fn netstat_from_reader_par<R: std::io::Read + Send, A: AsRef<[u8]>>(
    input: R,
    args: &[A],
    limits: &Limits,
) -> Result<Output, Error> {
    one_shot(args, |plan| load_par(input, plan, limits))
}

/// [`netstat_from_reader`] for an input that `open` can open again. A socket listing whose
/// rows print from the row alone (numeric, one round: [`render::inet::prerenders`]) renders
/// them while the archive is read and keeps none (with `-p`, the program column is filled in
/// once the processes are read); an archive whose manifest comes after its tables (never the
/// collector's) is then read a second time, the ordinary way. The output is the same as
/// [`netstat_from_reader`]'s.
pub fn netstat_from_source<R: std::io::Read, A: AsRef<[u8]>>(
    open: impl FnMut() -> std::io::Result<R>,
    args: &[A],
    limits: &Limits,
) -> Result<Output, Error> {
    from_source(
        open,
        args,
        |input, plan, sink| load::load_into(input, plan, limits, sink),
        |input, plan| load(input, plan, limits),
    )
}

/// [`netstat_from_source`], inflating as [`netstat_from_reader_par`] does (the CLI).
/// With more than one thread allowed, the rows are rendered on a thread of their own.
pub fn netstat_from_source_par<R: std::io::Read + Send, A: AsRef<[u8]>>(
    open: impl FnMut() -> std::io::Result<R>,
    args: &[A],
    limits: &Limits,
) -> Result<Output, Error> {
    from_source(
        open,
        args,
        |input, plan, pre| {
            if par::threads() < 2 {
                return load::load_into_par(input, plan, limits, pre);
            }
            let (loaded, rendered) = render::inet::Prerender::on_thread(pre.options(), |sink| {
                load::load_into_par(input, plan, limits, sink)
            });
            *pre = rendered;
            loaded
        },
        |input, plan| load_par(input, plan, limits),
    )
}

type Loaded = Result<(Snapshot, bool), Error>;

fn from_source<R, A: AsRef<[u8]>>(
    mut open: impl FnMut() -> std::io::Result<R>,
    args: &[A],
    load_into: impl FnOnce(R, &LoadPlan, &mut render::inet::Prerender<'_>) -> Loaded,
    load: impl FnOnce(R, &LoadPlan) -> Result<Snapshot, Error>,
) -> Result<Output, Error> {
    let io = |e: std::io::Error| Error::Io(e.to_string());
    let opts = match options(args) {
        Ok(o) => o,
        Err(exit) => return Ok(exit),
    };
    let plan = netstat::plan(&opts);
    if render::inet::prerenders(&opts) {
        let mut pre = render::inet::Prerender::new(&opts);
        let (snap, fresh) = load_into(open().map_err(io)?, &plan, &mut pre)?;
        if fresh {
            let out = finish(snap, &opts, Some(&mut pre));
            par::drop_later(pre.take_memory());
            return out;
        }
    }
    let snap = load(open().map_err(io)?, &plan)?;
    finish(snap, &opts, None)
}

/// netstat's options, or what netstat prints when it stops while parsing them (usage errors,
/// `-V`, `-h`).
fn options<A: AsRef<[u8]>>(args: &[A]) -> Result<netstat::args::NetstatOptions, Output> {
    match args::parse(args) {
        Parsed::Exit {
            stdout,
            stderr,
            status,
        } => Err(Output {
            stdout,
            stderr,
            status,
            diagnostics: Vec::new(),
        }),
        Parsed::Run(o) => Ok(o),
    }
}

/// The view of a loaded snapshot, with its diagnostics.
fn finish(
    snap: Snapshot,
    opts: &netstat::args::NetstatOptions,
    pre: Option<&mut render::inet::Prerender<'_>>,
) -> Result<Output, Error> {
    if !snap.recognised {
        return Err(Error::NotASnapshot);
    }
    let mut out = netstat::run_with(&snap, opts, pre);
    let mut snap = snap;
    out.diagnostics = std::mem::take(&mut snap.diagnostics);
    par::drop_later(snap);
    Ok(out)
}

fn one_shot<A: AsRef<[u8]>>(
    args: &[A],
    load: impl FnOnce(&LoadPlan) -> Result<Snapshot, Error>,
) -> Result<Output, Error> {
    let opts = match options(args) {
        Ok(o) => o,
        Err(exit) => return Ok(exit),
    };
    let snap = load(&netstat::plan(&opts))?;
    finish(snap, &opts, None)
}

/// Runs an ss command line (the arguments after `ss`) on a snapshot archive read from `input`:
/// what iproute2 ss 6.1 prints when it reads the snapshot's files.
pub fn ss_from_reader<R: std::io::Read, A: AsRef<[u8]>>(
    input: R,
    args: &[A],
    limits: &Limits,
) -> Result<Output, Error> {
    ss_one_shot(args, |plan| load(input, plan, limits))
}

/// [`ss_from_reader`], inflating on other threads when [`par::threads`] allows (the CLI).
pub fn ss_from_reader_par<R: std::io::Read + Send, A: AsRef<[u8]>>(
    input: R,
    args: &[A],
    limits: &Limits,
) -> Result<Output, Error> {
    ss_one_shot(args, |plan| load_par(input, plan, limits))
}

fn ss_one_shot<A: AsRef<[u8]>>(
    args: &[A],
    load: impl FnOnce(&LoadPlan) -> Result<Snapshot, Error>,
) -> Result<Output, Error> {
    let opts = match ss::args::parse(args) {
        Ok(o) => o,
        Err(e) => return Ok(e.into()),
    };
    let snap = load(&ss::plan(&opts))?;
    if !snap.recognised {
        return Err(Error::NotASnapshot);
    }
    let mut out = ss::run(&snap, &opts);
    let mut diagnostics = snap.diagnostics;
    diagnostics.append(&mut out.diagnostics);
    out.diagnostics = diagnostics;
    Ok(out)
}

/// Runs a netstat command line on an already loaded snapshot (one loaded
/// with [`LoadPlan::everything`]).
pub fn netstat<A: AsRef<[u8]>>(snap: &Snapshot, args: &[A]) -> Output {
    match options(args) {
        Ok(o) => netstat::run(snap, &o),
        Err(exit) => exit,
    }
}
