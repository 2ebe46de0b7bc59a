//! netstat's `-g` table: `Interface` left in 15, `RefCnt` left in 6, then
//! the group address (resolved unless numeric hosts).

use crate::model::Names;
use crate::parse::igmp::Groups;
use crate::render::addr::addr_text;
use crate::render::{dec, pad_right};

/// The table's title lines.
pub const HEADER: &[u8] =
    b"IPv6/IPv4 Group Memberships\nInterface       RefCnt Group\n--------------- ------ ---------------------\n";

/// Renders one file's rows; `v6` picks the warning text.
pub fn render(
    out: &mut Vec<u8>,
    err: &mut Vec<u8>,
    g: &Groups,
    names: &Names,
    numeric: bool,
    v6: bool,
) {
    for l in &g.bogus_lines {
        let kind = if v6 { "igmp6" } else { "igmp" };
        err.extend_from_slice(format!("warning, got bogus {kind} line {l}.\n").as_bytes());
    }
    for row in &g.rows {
        pad_right(out, &row.device, 15);
        out.push(b' ');
        pad_right(out, &dec(i64::from(row.users)), 6);
        out.push(b' ');
        let mut a = addr_text(names, &row.group, numeric);
        a.truncate(127);
        out.extend_from_slice(&a);
        out.push(b'\n');
    }
}
