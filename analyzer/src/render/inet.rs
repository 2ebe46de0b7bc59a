//! netstat's Internet socket rows (tcp, udp, udplite, raw; v4 and v6) and
//! the extra columns every socket row shares.
//!
//! Row layout: proto left in 4 (5 for udp), two spaces (one for udp), Recv-Q
//! and Send-Q right in 6, local and foreign `address:port` left in 23, state
//! left in 11; then ` user inode` (each left in 10) with `-e`, ` program`
//! (left in 20) with `-p`, and ` timer` with `-o`.

use crate::model::{InetKind, InetRow, InetTable, Names};
use crate::netstat::args::NetstatOptions;
use crate::parse::etc::ServiceProto;
use crate::render::addr::{addr_port, addr_text, port_text};
use crate::render::programs::{PROGNAME_WIDTH, ProgramMap};
use crate::render::{dec, fixed2, pad_left, pad_right, udec};

/// TCP state names by `st` value (netstat's table; 0 is empty).
pub const TCP_STATES: [&str; 12] = [
    "",
    "ESTABLISHED",
    "SYN_SENT",
    "SYN_RECV",
    "FIN_WAIT1",
    "FIN_WAIT2",
    "TIME_WAIT",
    "CLOSE",
    "CLOSE_WAIT",
    "LAST_ACK",
    "LISTEN",
    "CLOSING",
];

/// What the shared trailing columns need.
pub struct Extras<'a> {
    /// netstat options.
    pub opts: &'a NetstatOptions,
    /// Name databases.
    pub names: &'a Names,
    /// The `-p` map when `-p` is on.
    pub programs: Option<&'a ProgramMap>,
}

impl Extras<'_> {
    /// netstat's `finish_this_one`: User/Inode, program, timer, newline.
    pub fn finish(&self, out: &mut Vec<u8>, uid: i32, inode: u64, timer: &[u8]) {
        if self.opts.extend > 1 {
            out.push(b' ');
            let name = if self.opts.numeric_users {
                None
            } else {
                u32::try_from(uid)
                    .ok()
                    .and_then(|u| self.names.passwd.lookup(u))
            };
            match name {
                Some(n) => pad_right(out, n, 10),
                None => pad_right(out, &dec(i64::from(uid)), 10),
            }
            out.push(b' ');
            pad_right(out, &udec(inode), 10);
        }
        if let Some(p) = self.programs {
            out.push(b' ');
            pad_right(out, p.get(inode), PROGNAME_WIDTH);
        }
        if self.opts.timers > 0 {
            out.push(b' ');
            out.extend_from_slice(timer);
        }
        out.push(b'\n');
    }
}

/// Whether a row passes netstat's `-a` / `-l` / default filter.
pub fn shown(kind: InetKind, row: &InetRow, opts: &NetstatOptions) -> bool {
    if opts.all > 0 {
        return true;
    }
    let server = match kind {
        InetKind::Tcp | InetKind::Tcp6 => row.remote_port == 0,
        _ => row.remote.is_unspecified(),
    };
    if opts.listening > 0 { server } else { !server }
}

fn proto_name(kind: InetKind) -> &'static [u8] {
    match kind {
        InetKind::Tcp => b"tcp",
        InetKind::Tcp6 => b"tcp6",
        InetKind::Udp => b"udp",
        InetKind::Udp6 => b"udp6",
        InetKind::UdpLite => b"udpl",
        InetKind::UdpLite6 => b"udpl6",
        InetKind::Raw => b"raw",
        InetKind::Raw6 => b"raw6",
    }
}

fn service_proto(kind: InetKind) -> ServiceProto {
    match kind {
        InetKind::Tcp | InetKind::Tcp6 => ServiceProto::Tcp,
        InetKind::Udp | InetKind::Udp6 | InetKind::UdpLite | InetKind::UdpLite6 => {
            ServiceProto::Udp
        }
        InetKind::Raw | InetKind::Raw6 => ServiceProto::Raw,
    }
}

/// The `-o` text of a row.
fn timer_text(kind: InetKind, row: &InetRow, user_hz: u32) -> Vec<u8> {
    let is_tcp = matches!(kind, InetKind::Tcp | InetKind::Tcp6);
    let retr = if is_tcp { row.retransmits as i64 } else { 0 };
    let divisor = if is_tcp {
        f64::from(user_hz.max(1))
    } else {
        100.0
    };
    let secs = fixed2(row.when as f64 / divisor);
    let secs = String::from_utf8_lossy(&secs).into_owned();
    let tail = format!("{secs}/{retr}/{})", row.timeout);
    let text = match (is_tcp, row.timer) {
        (_, 0) => format!("off (0.00/{retr}/{})", row.timeout),
        (true, 1) => format!("on ({tail}"),
        (true, 2) => format!("keepalive ({tail}"),
        (true, 3) => format!("timewait ({tail}"),
        (true, 4) => format!("probe ({tail}"),
        (false, t @ (1 | 2)) => format!("on{t} ({tail}"),
        (_, t) => format!("unkn-{} ({tail}", t as i32),
    };
    let mut v = text.into_bytes();
    v.truncate(63);
    v
}

/// Renders the shown rows of one table into `out`, and its bogus-line
/// warnings into `err`.
pub fn render_table(
    out: &mut Vec<u8>,
    err: &mut Vec<u8>,
    kind: InetKind,
    table: &InetTable,
    ex: &Extras<'_>,
    user_hz: u32,
) {
    let opts = ex.opts;
    let warning: &[u8] = match kind {
        InetKind::Tcp | InetKind::Tcp6 => b"warning, got bogus tcp line.\n",
        InetKind::Raw | InetKind::Raw6 => b"warning, got bogus raw line.\n",
        _ => b"warning, got bogus udp line.\n",
    };
    for _ in &table.bogus_lines {
        err.extend_from_slice(warning);
    }
    let wide = opts.wide > 0;
    let sproto = service_proto(kind);
    for row in table.rows.iter().filter(|r| shown(kind, r, opts)) {
        let local = addr_port(
            &addr_text(ex.names, &row.local, opts.numeric_hosts),
            &port_text(ex.names, row.local_port, Some(sproto), opts.numeric_ports),
            wide,
        );
        let remote = addr_port(
            &addr_text(ex.names, &row.remote, opts.numeric_hosts),
            &port_text(ex.names, row.remote_port, Some(sproto), opts.numeric_ports),
            wide,
        );
        let is_udp = matches!(
            kind,
            InetKind::Udp | InetKind::Udp6 | InetKind::UdpLite | InetKind::UdpLite6
        );
        if is_udp {
            pad_right(out, proto_name(kind), 5);
            out.push(b' ');
        } else {
            pad_right(out, proto_name(kind), 4);
            out.extend_from_slice(b"  ");
        }
        pad_left(out, &dec(row.rx_queue as i64), 6);
        out.push(b' ');
        pad_left(out, &dec(row.tx_queue as i64), 6);
        out.push(b' ');
        pad_right(out, &local, 23);
        out.push(b' ');
        pad_right(out, &remote, 23);
        out.push(b' ');
        match kind {
            InetKind::Tcp | InetKind::Tcp6 => {
                let st = TCP_STATES.get(row.state as usize).copied().unwrap_or("");
                pad_right(out, st.as_bytes(), 11);
            }
            InetKind::Raw | InetKind::Raw6 => {
                pad_right(out, &dec(i64::from(row.state as i32)), 11);
            }
            _ => {
                let st: &[u8] = match row.state {
                    1 => b"ESTABLISHED",
                    7 => b"",
                    _ => b"UNKNOWN",
                };
                pad_right(out, st, 11);
            }
        }
        let timer = if opts.timers > 0 {
            timer_text(kind, row, user_hz)
        } else {
            Vec::new()
        };
        ex.finish(out, row.uid, row.inode, &timer);
    }
}
