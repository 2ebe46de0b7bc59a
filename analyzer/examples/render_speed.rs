//! Times the socket-row renderers on an in-memory model: 1M TCP rows
//! (3/4 IPv4, 1/4 IPv6, mixed states) and 850k fd links over 20k
//! processes.
//!
//! ```text
//! cargo run --release -p netsnap --example render_speed [rows [runs [only-options]]]
//! ```

use std::time::{Duration, Instant};

use netsnap::model::{Addr, FdLink, InetKind, InetRow, InetTable, Names, Processes};
use netsnap::netstat::args::{self, NetstatOptions, Parsed};
use netsnap::par;
use netsnap::render::inet::{Extras, render_table};
use netsnap::render::programs::ProgramMap;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn addr(rng: &mut Rng, v6: bool) -> Addr {
    if !v6 {
        let b = match rng.below(8) {
            0 => [0, 0, 0, 0],
            1 => [127, 0, 0, 1],
            _ => (rng.next() as u32).to_be_bytes(),
        };
        return Addr::v4(b);
    }
    let mut b = [0u8; 16];
    match rng.below(6) {
        0 => {}
        1 => b[15] = 1,
        2 => {
            b[10] = 0xff;
            b[11] = 0xff;
            b[12..].copy_from_slice(&(rng.next() as u32).to_be_bytes());
        }
        3 => {
            b[..2].copy_from_slice(&[0xfe, 0x80]);
            b[8..].copy_from_slice(&rng.next().to_be_bytes());
        }
        _ => {
            b[..2].copy_from_slice(&[0x20, 0x01]);
            b[2..4].copy_from_slice(&[0x0d, 0xb8]);
            b[4..12].copy_from_slice(&rng.next().to_be_bytes());
            b[12..].copy_from_slice(&(rng.next() as u32).to_be_bytes());
        }
    }
    Addr::v6(b)
}

fn table(rng: &mut Rng, n: usize, v6: bool, first_inode: u64) -> InetTable {
    let mut rows = Vec::with_capacity(n);
    for i in 0..n {
        let state = 1 + rng.below(11) as u32;
        let listen = state == 10;
        let timer = rng.below(5) as u32;
        rows.push(InetRow {
            local: addr(rng, v6),
            remote: if listen {
                Addr {
                    v6,
                    ..Addr::default()
                }
            } else {
                addr(rng, v6)
            },
            local_port: if rng.below(4) == 0 {
                [22, 80, 443, 8080][rng.below(4) as usize]
            } else {
                1024 + rng.below(64000) as u32
            },
            remote_port: if listen {
                0
            } else {
                1024 + rng.below(64000) as u32
            },
            state,
            tx_queue: if rng.below(10) == 0 {
                rng.below(100_000)
            } else {
                0
            },
            rx_queue: if rng.below(10) == 0 {
                rng.below(100_000)
            } else {
                0
            },
            timer,
            when: if timer == 0 { 0 } else { rng.below(200_000) },
            retransmits: rng.below(3),
            uid: [0, 33, 1000, 65534][rng.below(4) as usize],
            timeout: rng.below(3) as i32,
            inode: if state == 6 {
                0
            } else {
                first_inode + i as u64
            },
            items: 14,
            line: i as u32 + 2,
        });
    }
    InetTable {
        rows,
        bogus_lines: Vec::new(),
    }
}

fn processes(rng: &mut Rng, links: usize, procs: u32, inodes: u64) -> Processes {
    let mut p = Processes::default();
    let per = links / procs as usize;
    let mut extra = links - per * procs as usize;
    for i in 0..procs {
        let pid = 100 + i * 7;
        let mut n = per;
        if extra > 0 {
            n += 1;
            extra -= 1;
        }
        for fd in 0..n as u32 {
            let inode = match rng.below(20) {
                0 => None,
                // Shared sockets: another process's inode.
                1 => Some(1 + rng.below(inodes)),
                _ => Some(1 + rng.below(inodes)),
            };
            p.fds.push(FdLink { pid, fd, inode });
        }
        if i % 50 != 7 {
            let cmd: &[u8] = match i % 4 {
                0 => b"/usr/sbin/nginx\0-g\0daemon off;\0",
                1 => b"/usr/lib/jvm/java-17-openjdk-amd64/bin/java\0-jar\0",
                2 => b"postgres: checkpointer process\0",
                _ => b"./a-long-program-name-for-cutting\0",
            };
            p.cmdlines.insert(pid, cmd.to_vec());
        }
    }
    p
}

fn options(arg: &str) -> NetstatOptions {
    match args::parse(&[arg]) {
        Parsed::Run(o) => o,
        Parsed::Exit { .. } => {
            eprintln!("bad options {arg}");
            std::process::exit(2)
        }
    }
}

/// FNV-1a of the output, to compare runs.
fn fnv(bytes: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for &b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    h
}

fn best<F: FnMut() -> usize>(runs: usize, mut f: F) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut bytes = 0;
    for _ in 0..runs {
        let t = Instant::now();
        bytes = f();
        best = best.min(t.elapsed());
    }
    (best, bytes)
}

fn main() {
    let rows: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let runs: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    // Only these options (for profiling), e.g. `-tan`.
    let only = std::env::args().nth(3);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let v4 = rows * 3 / 4;
    let tcp = table(&mut rng, v4, false, 1);
    let tcp6 = table(&mut rng, rows - v4, true, 1 + v4 as u64);
    let procs = processes(&mut rng, rows * 85 / 100, 20_000, rows as u64);
    let names = Names::default();
    let hz = 100;
    println!(
        "{} rows ({} v4, {} v6), {} fd links, {} processes",
        rows,
        tcp.rows.len(),
        tcp6.rows.len(),
        procs.fds.len(),
        procs.cmdlines.len()
    );

    let (t, _) = best(runs, || ProgramMap::build(&procs, 1000).message.len());
    println!(
        "ProgramMap::build: {:8.1} ms  {:6.1} ns/link",
        t.as_secs_f64() * 1e3,
        t.as_nanos() as f64 / procs.fds.len() as f64
    );
    let programs = ProgramMap::build(&procs, 1000);
    let (t, found) = best(runs, || {
        let mut n = 0;
        for r in tcp.rows.iter().chain(&tcp6.rows) {
            n += programs.get(r.inode).len();
        }
        n
    });
    println!(
        "ProgramMap::get:   {:8.1} ms  {:6.1} ns/row ({found})",
        t.as_secs_f64() * 1e3,
        t.as_nanos() as f64 / rows as f64
    );

    for threads in [1, 2] {
        par::set_threads(threads);
        for arg in ["-tan", "-tanp", "-tanee", "-tano", "-tanW", "-ta"] {
            if only.as_deref().is_some_and(|o| o != arg) {
                continue;
            }
            let opts = options(arg);
            let ex = Extras {
                opts: &opts,
                names: &names,
                programs: if opts.programs > 0 {
                    Some(&programs)
                } else {
                    None
                },
            };
            let render = |out: &mut Vec<u8>| {
                let mut err = Vec::new();
                render_table(out, &mut err, InetKind::Tcp, &tcp, &ex, hz);
                render_table(out, &mut err, InetKind::Tcp6, &tcp6, &ex, hz);
            };
            let mut out = Vec::new();
            render(&mut out);
            let hash = fnv(&out);
            // A fresh buffer each time, as a run of the CLI has.
            let (t, bytes) = best(runs, || {
                let mut out = Vec::new();
                render(&mut out);
                out.len()
            });
            // The buffer of the last run again: no page faults.
            let (warm, _) = best(runs, || {
                out.clear();
                render(&mut out);
                out.len()
            });
            println!(
                "threads {threads} {arg:7} {:7.1} ms (warm buffer {:6.1} ms)  {:6.1} ns/row  {:7.1} MB/s  ({} bytes, fnv {:016x})",
                t.as_secs_f64() * 1e3,
                warm.as_secs_f64() * 1e3,
                t.as_nanos() as f64 / rows as f64,
                bytes as f64 / t.as_secs_f64() / 1e6,
                bytes,
                hash
            );
        }
    }
}
