//! Times the socket-table parsers on synthetic rows in the kernel's format.
//!
//! Generates, in memory, 1M tcp rows (3/4 in a `/proc/net/tcp` table, padded
//! to 149 columns as the kernel pads them; 1/4 in `/proc/net/tcp6`) and 100k
//! `/proc/net/unix` rows, then feeds each table to its `TableParser` in
//! line-aligned pieces of about 1 MiB and prints MB/s and ns/row.
//!
//! ```text
//! cargo run --release -p netsnap --example parse_speed [rounds]
//! ```

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use netsnap::model::ByteOrder;
use netsnap::parse::{inet, unix};

const TCP_ROWS: usize = 1_000_000;
const UNIX_ROWS: usize = 100_000;
const PIECE: usize = 1 << 20;

/// xorshift64*: deterministic, no crates.
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

const TCP_HEADER: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     \n";
const TCP6_HEADER: &str = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
const UNIX_HEADER: &str = "Num       RefCount Protocol Flags    Type St Inode Path\n";

fn v4(rng: &mut Rng) -> u32 {
    match rng.below(4) {
        0 => 0x0100_007f,
        1 => 0,
        _ => rng.next() as u32,
    }
}

fn v6(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => "00000000000000000000000001000000".to_string(),
        1 => "00000000000000000000000000000000".to_string(),
        // v4-mapped
        2 => format!("0000000000000000FFFF0000{:08X}", rng.next() as u32),
        _ => format!("{:016X}{:016X}", rng.next(), rng.next()),
    }
}

/// One row as `tcp4_seq_show`/`tcp6_seq_show` write it (full sockets, and
/// the shorter TIME_WAIT and SYN_RECV forms).
fn tcp_row(out: &mut String, rng: &mut Rng, slot: usize, ipv6: bool) {
    let (local, remote) = if ipv6 {
        (v6(rng), v6(rng))
    } else {
        (format!("{:08X}", v4(rng)), format!("{:08X}", v4(rng)))
    };
    let state = 1 + rng.below(11);
    let lport = rng.below(65536);
    let rport = if state == 0x0a { 0 } else { rng.below(65536) };
    let start = out.len();
    let _ = write!(
        out,
        "{slot:4}: {local}:{lport:04X} {remote}:{rport:04X} {state:02X} "
    );
    let tx = if rng.below(8) == 0 {
        rng.below(1 << 20)
    } else {
        0
    };
    let rx = if rng.below(8) == 0 {
        rng.below(4096)
    } else {
        0
    };
    let timer = rng.below(5);
    let when = if timer == 0 { 0 } else { rng.below(1 << 24) };
    let uid = [0, 0, 1000, 65534, 101][rng.below(5) as usize];
    let inode = 10_000 + rng.below(10_000_000);
    match state {
        6 => {
            let _ = write!(
                out,
                "00000000:00000000 03:{when:08X} 00000000 {:5} {:8} 0 3 0000000000000000",
                0, 0
            );
        }
        3 => {
            let _ = write!(
                out,
                "00000000:00000000 02:{when:08X} {:08X} {uid:5} {:8} 0 1 0000000000000000",
                rng.below(3),
                0
            );
        }
        _ => {
            let _ = write!(
                out,
                "{tx:08X}:{rx:08X} {timer:02X}:{when:08X} {:08X} {uid:5} {:8} {inode} {} 0000000000000000 {} {} {} {} {}",
                rng.below(3),
                rng.below(3),
                1 + rng.below(3),
                [20, 200, 1000][rng.below(3) as usize],
                rng.below(40),
                rng.below(4),
                10,
                if state == 0x0a { 128 } else { -1 }
            );
        }
    }
    if !ipv6 {
        while out.len() - start < 149 {
            out.push(' ');
        }
    }
    out.push('\n');
}

fn unix_row(out: &mut String, rng: &mut Rng) {
    let sock_type = [1, 2, 5][rng.below(3) as usize];
    let state = 1 + rng.below(3);
    let flags = if rng.below(4) == 0 { 0x10000 } else { 0 };
    let _ = write!(
        out,
        "0000000000000000: {:08X} 00000000 {flags:08X} {sock_type:04X} {state:02X} {:5}",
        1 + rng.below(3),
        rng.below(10_000_000)
    );
    match rng.below(4) {
        0 => {}
        1 => {
            let _ = write!(out, " @/tmp/.X11-unix/X{}", rng.below(10));
        }
        2 => {
            let _ = write!(out, " /run/user/1000/bus");
        }
        _ => {
            let _ = write!(out, " /var/run/app {}/sock", rng.below(100));
        }
    }
    out.push('\n');
}

/// Line-aligned pieces of about `PIECE` bytes.
fn pieces(data: &[u8]) -> Vec<&[u8]> {
    let mut v = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let cut = if rest.len() <= PIECE {
            rest.len()
        } else {
            rest[PIECE..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(rest.len(), |p| PIECE + p + 1)
        };
        let (a, b) = rest.split_at(cut);
        v.push(a);
        rest = b;
    }
    v
}

fn best_of(rounds: usize, mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut n = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        n = f();
        best = best.min(t.elapsed());
    }
    (best, n)
}

fn report(name: &str, bytes: usize, rows: usize, t: Duration, parsed: usize) {
    let secs = t.as_secs_f64();
    println!(
        "{name:<22} {rows:>8} rows {:>7.1} MB  {:>8.2} ms  {:>7.1} MB/s  {:>6.1} ns/row  ({parsed} parsed)",
        bytes as f64 / 1e6,
        secs * 1e3,
        bytes as f64 / 1e6 / secs,
        secs * 1e9 / rows as f64,
    );
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);

    let mut tcp = String::from(TCP_HEADER);
    let mut tcp6 = String::from(TCP6_HEADER);
    let (mut n4, mut n6) = (0, 0);
    for _ in 0..TCP_ROWS {
        if rng.below(4) == 0 {
            tcp_row(&mut tcp6, &mut rng, n6, true);
            n6 += 1;
        } else {
            tcp_row(&mut tcp, &mut rng, n4, false);
            n4 += 1;
        }
    }
    let mut ux = String::from(UNIX_HEADER);
    for _ in 0..UNIX_ROWS {
        unix_row(&mut ux, &mut rng);
    }

    let (tcp, tcp6, ux) = (tcp.as_bytes(), tcp6.as_bytes(), ux.as_bytes());
    let (p4, p6, pu) = (pieces(tcp), pieces(tcp6), pieces(ux));

    let run_inet = |ps: &[&[u8]]| {
        let mut p = inet::TableParser::new(ByteOrder::Little, 11);
        for piece in ps {
            p.feed(black_box(piece));
        }
        let t = black_box(p.finish());
        t.rows.len() + t.bogus_lines.len()
    };

    let (t4, r4) = best_of(rounds, || run_inet(&p4));
    report("tcp (v4, padded)", tcp.len(), n4, t4, r4);
    let (t6, r6) = best_of(rounds, || run_inet(&p6));
    report("tcp6", tcp6.len(), n6, t6, r6);
    report(
        "tcp+tcp6",
        tcp.len() + tcp6.len(),
        n4 + n6,
        t4 + t6,
        r4 + r6,
    );
    let (tu, ru) = best_of(rounds, || {
        let mut p = unix::TableParser::default();
        for piece in &pu {
            p.feed(black_box(piece));
        }
        let t = black_box(p.finish());
        t.rows.len() + t.bogus_lines.len()
    });
    report("unix", ux.len(), UNIX_ROWS, tu, ru);
}
