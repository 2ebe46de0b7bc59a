//! netstat's `-r` view: walks the address family list (default `inet`) as
//! netstat's `route_info` does and prints each family's tables; the first
//! family that fails ends the walk with its status.

use crate::model::Snapshot;
use crate::netstat::args::NetstatOptions;
use crate::parse::route;
use crate::render::Output;
use crate::render::route::{self as rr, CacheEnd};

/// netstat's route detail level: `flag_exp` with 1 and 2 swapped, masked
/// with 3 (no `-e` gives 2, `-e` 1, `-ee` 3, `-eee` 0, `-eeee` 1, ...).
pub fn route_ext(flag_exp: u32) -> u32 {
    let e = match flag_exp {
        1 => 2,
        2 => 1,
        e => e,
    };
    e & 3
}

/// C's `strerror` text for the errno names the collector records.
fn strerror(name: &str) -> &'static str {
    match name {
        "EACCES" => "Permission denied",
        "EPERM" => "Operation not permitted",
        "EINVAL" => "Invalid argument",
        "EIO" => "Input/output error",
        "ENOTDIR" => "Not a directory",
        "EISDIR" => "Is a directory",
        "ENOMEM" => "Cannot allocate memory",
        "ELOOP" => "Too many levels of symbolic links",
        "ENXIO" => "No such device or address",
        "ENODEV" => "No such device",
        _ => "No such file or directory",
    }
}

/// The `perror` text for a file the snapshot lacks.
fn missing_text(snap: &Snapshot, path: &str) -> &'static str {
    snap.manifest
        .missing
        .iter()
        .find(|m| m.path == path)
        .map_or("No such file or directory", |m| strerror(&m.error))
}

struct Ctx<'a> {
    snap: &'a Snapshot,
    ext: u32,
    numeric: bool,
    fib: bool,
    cache: bool,
    /// netstat's `errno` as one family's printer leaves it for the next: the
    /// IPv4 routing cache's `perror` of an empty file prints it. ENOENT is
    /// left over from netstat's start.
    errno: std::cell::Cell<&'static str>,
}

/// What one family's printer ends with.
enum End {
    Status(i32),
    Exit(i32),
}

impl Ctx<'_> {
    fn not_configured(&self, out: &mut Output, path: &str, what: &str) -> End {
        let err = missing_text(self.snap, path);
        out.stderr
            .extend_from_slice(format!("/{path}: {err}\n").as_bytes());
        out.stdout
            .extend_from_slice(format!("{what} not configured in this system.\n").as_bytes());
        End::Status(1)
    }

    /// `INET_rprint`.
    fn inet(&self, out: &mut Output) -> End {
        let snap = self.snap;
        let order = snap.manifest.byte_order;
        let names = &snap.names;
        // netstat's errno when it reads the routing cache: as the families
        // before left it, or 0 once the resolver has been called.
        let mut errno_text = self.errno.get();
        if self.fib {
            let rc = match snap.other.get("proc/net/route") {
                None => self.not_configured(out, "proc/net/route", "INET (IPv4)"),
                Some(data) => {
                    let t = route::parse_route(data, order);
                    if rr::fib_resolves(&t, self.numeric) {
                        errno_text = "Success";
                    }
                    End::Status(rr::fib4(
                        &mut out.stdout,
                        &mut out.stderr,
                        &t,
                        names,
                        self.ext,
                        self.numeric,
                    ))
                }
            };
            if !matches!(rc, End::Status(0)) {
                return rc;
            }
        }
        if self.cache {
            return match snap.other.get("proc/net/rt_cache") {
                None => self.not_configured(out, "proc/net/rt_cache", "INET (IPv4)"),
                Some(data) => {
                    let t = route::parse_rt_cache(data, order);
                    match rr::cache4(
                        &mut out.stdout,
                        &mut out.stderr,
                        &t,
                        names,
                        self.ext,
                        self.numeric,
                        errno_text,
                    ) {
                        CacheEnd::Status(s) => End::Status(s),
                        CacheEnd::Exit(s) => End::Exit(s),
                    }
                }
            };
        }
        End::Status(0)
    }

    /// `INET6_rprint` (the cache printer falls back to the FIB file with
    /// only cache entries, as `/proc/net/ndisc` is gone from Linux).
    fn inet6(&self, out: &mut Output) -> End {
        for (wanted, cache) in [(self.fib, false), (self.cache, true)] {
            if !wanted {
                continue;
            }
            match self.snap.other.get("proc/net/ipv6_route") {
                None => return self.not_configured(out, "proc/net/ipv6_route", "INET6 (IPv6)"),
                Some(data) => {
                    let t = route::parse_ipv6_route(data);
                    if cache {
                        // The neighbour cache file it tries first is gone.
                        self.errno.set("No such file or directory");
                    }
                    if t.scan_met_end {
                        self.errno.set("Success");
                    }
                    rr::fib6(&mut out.stdout, &t, &self.snap.names, self.numeric, cache);
                }
            }
        }
        End::Status(0)
    }
}

/// The route printers of the legacy families, as they answer on a kernel
/// without them (their files are never in a snapshot).
fn legacy(name: &str, out: &mut Output) -> Option<i32> {
    let (stderr, stdout): (&str, &str) = match name {
        "ax25" => (
            "/proc/net/ax25_route: No such file or directory\n",
            "AX.25 not configured in this system.\n",
        ),
        "netrom" => (
            "/proc/net/nr_nodes: No such file or directory\n/proc/net/nr_neigh: Invalid argument\n",
            "NET/ROM not configured in this system.\n",
        ),
        "rose" => (
            "/proc/net/rose_nodes: No such file or directory\nROSE not configured in this system.\n",
            "",
        ),
        "ipx" => (
            "No such file or directory\n",
            "IPX routing not in file /proc/net/ipx/route or /proc/net/ipx_route found.\n",
        ),
        "ddp" => (
            "Error opening /proc/net/atalk_route: No such file or directory\nDDP (AppleTalk) not configured on this system.\n",
            "",
        ),
        "x25" => ("", "X.25 not configured in this system.\n"),
        _ => return None,
    };
    out.stderr.extend_from_slice(stderr.as_bytes());
    out.stdout.extend_from_slice(stdout.as_bytes());
    Some(1)
}

/// Renders the `-r` view into `out` (which already holds any text
/// netstat printed while parsing options) and returns it.
pub fn run(snap: &Snapshot, opts: &NetstatOptions, mut out: Output) -> Output {
    let ctx = Ctx {
        snap,
        ext: route_ext(opts.extend),
        numeric: opts.numeric_hosts || opts.symbolic,
        fib: opts.fib || !opts.cache,
        cache: opts.cache,
        errno: std::cell::Cell::new("No such file or directory"),
    };
    let default = ["inet"];
    let families: &[&str] = if opts.af_list.is_empty() {
        &default
    } else {
        &opts.af_list
    };
    // netstat's `route_info` answers E_NOTFOUND when the list names nothing.
    let mut status = 8;
    for &name in families {
        if name.is_empty() {
            continue;
        }
        let end = match name {
            "inet" => ctx.inet(&mut out),
            "inet6" => ctx.inet6(&mut out),
            "unix" | "ash" | "ec" | "unspec" => {
                out.stderr.extend_from_slice(
                    format!("No routing for address family `{name}'.\n").as_bytes(),
                );
                End::Status(3)
            }
            other => match legacy(other, &mut out) {
                Some(s) => End::Status(s),
                None => {
                    out.stderr.extend_from_slice(
                        format!("Address family `{name}' not supported.\n").as_bytes(),
                    );
                    End::Status(3)
                }
            },
        };
        match end {
            End::Status(0) => status = 0,
            End::Status(s) | End::Exit(s) => {
                out.status = s;
                return out;
            }
        }
    }
    out.status = status;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ext_swap() {
        assert_eq!(
            (1..=6).map(route_ext).collect::<Vec<_>>(),
            vec![2, 1, 3, 0, 1, 2]
        );
    }
}
