//! `net/packet` (§7) and `net/netlink` (§8) as ss reads them.

use super::{NetlinkSock, PacketSock, Read};

/// Reads `net/packet` as ss does (nothing unless `states` holds UNCONN);
/// `keep` is the filter expression.
pub fn read_packet(
    file: Option<&[u8]>,
    states: u32,
    keep: &mut dyn FnMut(&PacketSock) -> bool,
) -> Read<PacketSock> {
    let _ = (file, states, keep);
    Read::default()
}

/// Reads `net/netlink` as ss does (nothing unless `states` holds UNCONN);
/// `keep` is the filter expression (ss gives it the pid as local port, -1
/// as remote port and the protocol as the first address byte).
pub fn read_netlink(
    file: Option<&[u8]>,
    states: u32,
    keep: &mut dyn FnMut(&NetlinkSock) -> bool,
) -> Read<NetlinkSock> {
    let _ = (file, states, keep);
    Read::default()
}
