//! The `-s` summary's inputs (§11) and the ephemeral port range (§5.3).

/// ss's `struct ssummary` and `CurrEstab`, with the lines ss writes to
/// stderr while reading them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    /// `sockets: used N`.
    pub socks: i32,
    /// `TCP: … mem N`.
    pub tcp_mem: i32,
    /// `TCP: … alloc N`.
    pub tcp_total: i32,
    /// `TCP: … orphan N`.
    pub tcp_orphans: i32,
    /// `TCP: … tw N`.
    pub tcp_tws: i32,
    /// `TCP: inuse N`.
    pub tcp4_hashed: i32,
    /// `UDP: inuse N`.
    pub udp4: i32,
    /// `RAW: inuse N`.
    pub raw4: i32,
    /// `FRAG: inuse N`.
    pub frag4: i32,
    /// `FRAG: … memory N`.
    pub frag4_mem: i32,
    /// `TCP6: inuse N`.
    pub tcp6_hashed: i32,
    /// `UDP6: inuse N`.
    pub udp6: i32,
    /// `RAW6: inuse N`.
    pub raw6: i32,
    /// `FRAG6: inuse N`.
    pub frag6: i32,
    /// `FRAG6: … memory N`.
    pub frag6_mem: i32,
    /// `Tcp:` `CurrEstab` from `net/snmp` (0 when not found).
    pub tcp_estab: i32,
    /// ss's stderr lines (without newline), in order, e.g.
    /// `ss: get_sockstat: No such file or directory`.
    pub errors: Vec<String>,
}

/// Reads `net/sockstat`, `net/sockstat6` and `net/snmp` as ss's `-s` does.
pub fn read_summary(
    sockstat: Option<&[u8]>,
    sockstat6: Option<&[u8]>,
    snmp: Option<&[u8]>,
) -> Summary {
    let _ = (sockstat, sockstat6, snmp);
    Summary::default()
}

/// The ephemeral port range from `sys/net/ipv4/ip_local_port_range`
/// (`fscanf "%d %d"`), 1024–4999 when missing or unreadable.
pub fn port_range(file: Option<&[u8]>) -> (i32, i32) {
    let _ = file;
    (1024, 4999)
}
