//! `/proc/net/igmp` and `/proc/net/igmp6`: multicast group memberships.
//!
//! ```text
//! (tabs shown as spaces)
//! Idx    Device    : Count Querier    Group    Users Timer    Reporter
//! 1    lo        :     1      V3
//!                 010000E0     1 0:00000000        0
//! 1    lo              ff020000000000000000000000000001     1 0000000C 0
//! ```
//!
//! Read as netstat reads them: an igmp line not starting with a tab names
//! the device (the 15 bytes after the index, cut at their last `:`), and
//! each tab-indented line under it is one group (hex in the source's byte
//! order). igmp6 lines carry index, device, group (hex in network order)
//! and users. netstat numbers lines from 0 in its warnings.

use crate::model::{Addr, ByteOrder};
use crate::parse::fgets_lines;
use crate::parse::inet::{LINE_BUFFER, decode_addr};
use crate::parse::scan::Scanner;

/// One membership row as netstat prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRow {
    /// The device text netstat shows.
    pub device: Vec<u8>,
    /// Users of the membership.
    pub users: i32,
    /// The group address.
    pub group: Addr,
}

/// A parsed igmp or igmp6 file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Groups {
    /// Rows in file order.
    pub rows: Vec<GroupRow>,
    /// netstat's 0-based numbers of the lines it calls bogus.
    pub bogus_lines: Vec<u32>,
}

/// Parses `/proc/net/igmp`.
pub fn parse_igmp(input: &[u8], order: ByteOrder) -> Groups {
    let mut g = Groups::default();
    let mut has_idx = false;
    let mut device: Vec<u8> = Vec::new();
    for (lnr, line) in fgets_lines(input, LINE_BUFFER).enumerate() {
        let lnr = u32::try_from(lnr).unwrap_or(u32::MAX);
        if lnr == 0 {
            has_idx = line.starts_with(b"Idx");
            continue;
        }
        if line.first() != Some(&b'\t') {
            // The line as fgets returned it still ends with its newline,
            // which `%15c` may take.
            let full_len = line.len() + 1;
            let mut s = Scanner::new(line);
            if has_idx {
                if s.int(10).is_none() {
                    g.bogus_lines.push(lnr);
                    continue;
                }
                s.space();
            }
            let rest = s.rest();
            let consumed = line.len() - rest.len();
            if full_len - consumed < 15 {
                g.bogus_lines.push(lnr);
                continue;
            }
            let mut window: Vec<u8> = rest.iter().copied().take(15).collect();
            if window.len() < 15 {
                window.push(b'\n');
            }
            if let Some(colon) = window.iter().rposition(|&b| b == b':') {
                window.truncate(colon);
            }
            // A C string ends at its first NUL.
            if let Some(nul) = window.iter().position(|&b| b == 0) {
                window.truncate(nul);
            }
            device = window;
            continue;
        }
        let mut s = Scanner::new(line);
        s.space();
        let Some(hex) = s.hex_set(8) else {
            g.bogus_lines.push(lnr);
            continue;
        };
        let Some(users) = s.int(10) else {
            g.bogus_lines.push(lnr);
            continue;
        };
        g.rows.push(GroupRow {
            device: device.clone(),
            users: users as i32,
            group: decode_addr(hex, order, false),
        });
    }
    g
}

/// Parses `/proc/net/igmp6`.
pub fn parse_igmp6(input: &[u8]) -> Groups {
    let mut g = Groups::default();
    for (lnr, line) in fgets_lines(input, LINE_BUFFER).enumerate() {
        let lnr = u32::try_from(lnr).unwrap_or(u32::MAX);
        let mut s = Scanner::new(line);
        let parsed = (|| {
            s.int(10)?;
            let dev = s.word()?;
            s.space();
            let hex = s.hex_set(64)?;
            let users = s.int(10)?;
            Some((dev, hex, users))
        })();
        let Some((dev, hex, users)) = parsed else {
            g.bogus_lines.push(lnr);
            continue;
        };
        let mut bytes = [0u8; 16];
        for (i, chunk) in hex.chunks(8).take(4).enumerate() {
            let mut w = Scanner::new(chunk);
            let v = w.int(16).map(|v| v as u32).unwrap_or(0);
            if let Some(dst) = bytes.get_mut(i * 4..i * 4 + 4) {
                dst.copy_from_slice(&v.to_be_bytes());
            }
        }
        g.rows.push(GroupRow {
            device: dev.get(..15).unwrap_or(dev).to_vec(),
            users: users as i32,
            group: Addr::v6(bytes),
        });
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn igmp_devices_and_groups() {
        let g = parse_igmp(
            b"Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n1\tlo        :     1      V3\n\t\t\t\t010000E0     1 0:00000000\t\t0\n5\tveth-long-name0:     2      V3\n\t\t\t\t010000E0     3 0:00000000\t\t0\n",
            ByteOrder::Little,
        );
        assert_eq!(g.rows.len(), 2);
        assert_eq!(g.rows[0].device, b"lo        ");
        assert_eq!(g.rows[0].group.v4_bytes(), [224, 0, 0, 1]);
        assert_eq!(g.rows[1].device, b"veth-long-name0");
        assert_eq!(g.rows[1].users, 3);
    }

    #[test]
    fn igmp6_rows() {
        let g = parse_igmp6(
            b"1    lo              ff020000000000000000000000000001     1 0000000C 0\n",
        );
        assert_eq!(g.rows.len(), 1);
        assert_eq!(g.rows[0].device, b"lo");
        assert_eq!(g.rows[0].group.bytes[0], 0xff);
        assert_eq!(g.rows[0].group.bytes[15], 1);
    }
}
