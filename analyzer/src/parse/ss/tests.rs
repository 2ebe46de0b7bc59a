//! The readers against the recorded ss outputs: row counts of simple
//! listings (lines of `expected-ss/*.stdout` minus the header).

use super::*;
use crate::archive::Limits;
use crate::model::Snapshot;

const ALL: u32 = (1 << 12) - 1;
const CONNECTED: u32 = ALL
    & !((1 << state::LISTEN)
        | (1 << state::UNCONN)
        | (1 << state::TIME_WAIT)
        | (1 << state::SYN_RECV));

fn fixture(name: &str) -> Option<Snapshot> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(name)
        .join("snapshot.tar.gz");
    let f = std::fs::File::open(path).ok()?;
    crate::load::load(f, &ss_plan(true), &Limits::default()).ok()
}

fn raw<'a>(snap: &'a Snapshot, path: &str) -> Option<&'a [u8]> {
    snap.other.get(path).map(|v| v.as_slice())
}

fn expected_rows(name: &str, case: &str) -> Option<usize> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(name)
        .join("expected-ss")
        .join(format!("{case}.stdout"));
    let text = std::fs::read(path).ok()?;
    Some(
        text.split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .count()
            - 1,
    )
}

fn inet(snap: &Snapshot, t: InetTable, states: u32) -> usize {
    let (a, b) = t.paths();
    read_inet(
        t,
        snap.byte_order(),
        raw(snap, a),
        raw(snap, b),
        true,
        true,
        states,
        &mut |_| true,
    )
    .rows
    .len()
}

fn unix(snap: &Snapshot, states: u32) -> usize {
    read_unix(
        raw(snap, "proc/net/unix"),
        UnixTypes::ALL,
        states,
        &mut |_| true,
    )
    .rows
    .len()
}

fn everything(snap: &Snapshot, states: u32) -> usize {
    read_netlink(raw(snap, "proc/net/netlink"), states, &mut |_| true)
        .rows
        .len()
        + read_packet(raw(snap, "proc/net/packet"), states, &mut |_| true)
            .rows
            .len()
        + unix(snap, states)
        + inet(snap, InetTable::Raw, states)
        + inet(snap, InetTable::Udp, states)
        + inet(snap, InetTable::Tcp, states)
}

#[test]
fn row_counts_match_the_recorded_listings() {
    let mut checked = 0;
    for name in [
        "server",
        "malformed",
        "unix",
        "procs",
        "nonroot",
        "mcast",
        "loopback-many",
        "sctp",
        "no-manifest",
    ] {
        let Some(snap) = fixture(name) else {
            continue;
        };
        let cases: [(&str, usize); 10] = [
            ("-tan", inet(&snap, InetTable::Tcp, ALL)),
            ("-t", inet(&snap, InetTable::Tcp, CONNECTED)),
            ("-uan", inet(&snap, InetTable::Udp, ALL)),
            ("-u", inet(&snap, InetTable::Udp, 1 << state::ESTAB)),
            ("-wan", inet(&snap, InetTable::Raw, ALL)),
            ("-xa", unix(&snap, ALL)),
            ("-x", unix(&snap, CONNECTED)),
            ("-a", everything(&snap, ALL)),
            ("-n", everything(&snap, CONNECTED)),
            (
                "-l",
                everything(&snap, (1 << state::LISTEN) | (1 << state::UNCONN)),
            ),
        ];
        for (case, got) in cases {
            if let Some(want) = expected_rows(name, case) {
                assert_eq!(got, want, "{name} {case}");
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "only {checked} cases found");
}
