//! `/proc/net/sctp/eps` and `/proc/net/sctp/assocs`. Examples (Linux 6.x):
//!
//! ```text
//!  ENDPT     SOCK   STY SST HBKT LPORT   UID INODE LADDRS
//! ffff88017e0a0200 ffff880299f7fa00 2   10  29   5000      0 22222 10.0.0.1 192.168.7.7
//!  ASSOC     SOCK   STY SST ST HBKT ASSOC-ID TX_QUEUE RX_QUEUE UID INODE LPORT RPORT LADDRS <-> RADDRS HBINT INS OUTS MAXRT T1X T2X RTXC wmema wmemq sndbuf rcvbuf
//! ```
//!
//! netstat splits these rows with `strtok` and takes the fields it needs by
//! position; a row missing any of them is bogus.

use crate::model::{SctpRow, SctpTable};
use crate::parse::fgets_lines;
use crate::parse::inet::LINE_BUFFER;
use crate::parse::scan::{atoi, strtoul_whole};

fn is_delim(b: u8, set: &[u8]) -> bool {
    set.contains(&b)
}

/// C's `strtok` over a byte slice: returns the next token and the rest.
fn strtok<'a>(s: &'a [u8], set: &[u8]) -> Option<(&'a [u8], &'a [u8])> {
    let start = s.iter().position(|&b| !is_delim(b, set))?;
    let s = s.get(start..)?;
    let end = s.iter().position(|&b| is_delim(b, set)).unwrap_or(s.len());
    let tok = s.get(..end)?;
    // strtok overwrites the delimiter that ends the token.
    let rest = s.get(end + 1..).unwrap_or(&[]);
    Some((tok, rest))
}

const WS: &[u8] = b" \t\n";

fn inode_of(tok: &[u8]) -> u64 {
    // netstat calls strtoul(s, 0, 0) without checking the end.
    let digits: Vec<u8> = tok.to_vec();
    let mut end = digits.len();
    while end > 0 {
        if let Some(v) = strtoul_whole(digits.get(..end).unwrap_or(&[])) {
            return v;
        }
        end -= 1;
    }
    0
}

fn split_addrs(s: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some((tok, r)) = strtok(rest, WS) {
        out.push(tok.to_vec());
        rest = r;
    }
    out
}

/// The first `n` white-space-separated fields (fewer when the line is
/// short) and the rest of the line after them.
fn leading_fields(line: &[u8], n: usize) -> (Vec<&[u8]>, &[u8]) {
    let mut fields = Vec::with_capacity(n);
    let mut rest = line;
    while fields.len() < n {
        let Some((t, r)) = strtok(rest, WS) else {
            break;
        };
        fields.push(t);
        rest = r;
    }
    (fields, rest)
}

/// Parses `eps`.
pub fn parse_eps(input: &[u8]) -> SctpTable {
    let mut table = SctpTable::default();
    for (idx, line) in fgets_lines(input, LINE_BUFFER).enumerate() {
        if idx == 0 {
            continue;
        }
        let lineno = u32::try_from(idx + 1).unwrap_or(u32::MAX);
        let (fields, rest) = leading_fields(line, 8);
        let (Some(sst), Some(lport), Some(uid), Some(inode)) =
            (fields.get(3), fields.get(5), fields.get(6), fields.get(7))
        else {
            table.bogus_lines.push(lineno);
            continue;
        };
        let laddrs = strtok(rest, b"\t\n").map(|(t, _)| t).unwrap_or(&[]);
        table.rows.push(SctpRow {
            state: atoi(sst),
            local_port: atoi(lport),
            uid: atoi(uid),
            inode: inode_of(inode),
            local_addrs: split_addrs(laddrs),
            line: lineno,
            ..SctpRow::default()
        });
    }
    table
}

/// Parses `assocs`.
pub fn parse_assocs(input: &[u8]) -> SctpTable {
    let mut table = SctpTable::default();
    for (idx, line) in fgets_lines(input, LINE_BUFFER).enumerate() {
        if idx == 0 {
            continue;
        }
        let lineno = u32::try_from(idx + 1).unwrap_or(u32::MAX);
        let (fields, rest) = leading_fields(line, 13);
        let (Some(sst), Some(txq), Some(rxq), Some(uid), Some(inode), Some(lport), Some(rport)) = (
            fields.get(3),
            fields.get(7),
            fields.get(8),
            fields.get(9),
            fields.get(10),
            fields.get(11),
            fields.get(12),
        ) else {
            table.bogus_lines.push(lineno);
            continue;
        };
        let (laddrs, rest) = strtok(rest, b"<->\t\n").unwrap_or((&[], &[]));
        let raddrs = strtok(rest, b"<->\t\n").map(|(t, _)| t).unwrap_or(&[]);
        table.rows.push(SctpRow {
            state: atoi(sst),
            tx_queue: atoi(txq) as u32,
            rx_queue: atoi(rxq) as u32,
            uid: atoi(uid),
            inode: inode_of(inode),
            local_port: atoi(lport),
            remote_port: atoi(rport),
            local_addrs: split_addrs(laddrs),
            remote_addrs: split_addrs(raddrs),
            line: lineno,
        });
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eps_and_assocs() {
        let eps = parse_eps(b" ENDPT     SOCK   STY SST HBKT LPORT   UID INODE LADDRS\nffff88017e0a0200 ffff880299f7fa00 2   10  29   5000      0 22222 10.0.0.1 192.168.7.7 \n");
        assert_eq!(eps.rows.len(), 1);
        assert_eq!(eps.rows[0].state, 10);
        assert_eq!(eps.rows[0].local_port, 5000);
        assert_eq!(
            eps.rows[0].local_addrs,
            vec![b"10.0.0.1".to_vec(), b"192.168.7.7".to_vec()]
        );
        let assocs = parse_assocs(b" ASSOC     SOCK   STY SST ST HBKT ASSOC-ID TX_QUEUE RX_QUEUE UID INODE LPORT RPORT LADDRS <-> RADDRS HBINT INS OUTS MAXRT T1X T2X RTXC wmema wmemq sndbuf rcvbuf\nffff8801 ffff8802 2 1 4 1000 1 5 7 0 33333 5000 6000 *10.0.0.1 192.168.7.7 <-> *10.0.0.2 10.0.0.3 \t7500 10 10 10 0 0 0 1 0 212992 212992\n");
        assert_eq!(assocs.rows.len(), 1);
        let r = &assocs.rows[0];
        assert_eq!((r.state, r.tx_queue, r.rx_queue, r.inode), (1, 5, 7, 33333));
        assert_eq!(r.local_addrs.len(), 2);
        assert_eq!(
            r.remote_addrs,
            vec![b"*10.0.0.2".to_vec(), b"10.0.0.3".to_vec()]
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::parse::inet::tests::Rng;

    const EPS: &[&[u8]] = &[
        b" ENDPT     SOCK   STY SST HBKT LPORT   UID INODE LADDRS",
        b"ffff88017e0a0200 ffff880299f7fa00 2   10  29   5000      0 22222 10.0.0.1 192.168.7.7 ",
        b"ffff8801 ffff8802 2 1 4 1000 1 5 7 0 33333 5000 6000 *10.0.0.1 192.168.7.7 <-> *10.0.0.2 10.0.0.3 \t7500 10 10 10 0 0 0 1 0 212992 212992",
    ];

    /// Every line after the header is a row or a bogus line, in both files.
    #[test]
    fn lines_are_rows_or_bogus() {
        let mut rng = Rng(0x7363_7470_7072);
        for _ in 0..30_000 {
            let mut text = Vec::new();
            for _ in 0..rng.below(8) {
                let line = EPS[rng.below(EPS.len())];
                text.extend_from_slice(&rng.mutate(line));
                text.push(b'\n');
            }
            let lines = fgets_lines(&text, LINE_BUFFER).count();
            for t in [parse_eps(&text), parse_assocs(&text)] {
                let mut all: Vec<u32> = t.rows.iter().map(|r| r.line).collect();
                all.extend(&t.bogus_lines);
                all.sort_unstable();
                assert_eq!(all, (2..=lines as u32).collect::<Vec<_>>());
            }
        }
    }
}
