//! A socket listing whose rows print from the row alone is rendered while the archive is read
//! (`netstat_from_source`): the same output, warnings, diagnostics and errors as the ordinary
//! reading (`netstat_from_reader`), on fixtures and on archives that contradict themselves.

use std::io::Cursor;
use std::path::PathBuf;

use netsnap::render::inet::{Prerender, prerenders};
use netsnap::{
    Limits, LoadPlan, Output, netstat_from_reader, netstat_from_source, netstat_from_source_par,
};

fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(name)
        .join("snapshot.tar.gz");
    std::fs::read(p).unwrap()
}

/// What a run printed, or the error it stopped with.
fn shown(r: Result<Output, netsnap::Error>) -> String {
    match r {
        Ok(o) => format!(
            "status {}\n--stdout\n{}--stderr\n{}--diagnostics\n{}",
            o.status,
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
            o.diagnostics
                .iter()
                .map(|d| format!("{d}\n"))
                .collect::<String>()
        ),
        Err(e) => format!("error {e}"),
    }
}

/// Runs `args` both ways (and the streaming way on one thread and on several) and checks that
/// they agree; returns how many times the input was opened by the streaming run.
fn same(bytes: &[u8], args: &[&str], limits: &Limits) -> usize {
    let plain = shown(netstat_from_reader(bytes, args, limits));
    let mut opened = 0;
    for par in [false, true] {
        opened = 0;
        let open = || {
            opened += 1;
            Ok(Cursor::new(bytes))
        };
        let streamed = shown(if par {
            netstat_from_source_par(open, args, limits)
        } else {
            netstat_from_source(open, args, limits)
        });
        assert_eq!(streamed, plain, "{args:?} (par {par})");
    }
    opened
}

const VIEWS: &[&[&str]] = &[
    &["-tan"],
    &["-tuan"],
    &["-tn"],
    &["-ltn"],
    &["-an"],
    &["-tanW"],
    &["-tanw"],
    &["-tane"],
    &["-taneen"],
    &["-tanee", "--numeric-users"],
    &["-tano"],
    &["-uanoee", "--numeric-users"],
    &["-rawn"],
    &["-46tan"],
    &["-A", "inet6", "-tan"],
    &["-tan", "--inet"],
    &["-t", "-u", "-n", "-a", "-v"],
    // Not rendered as read: names, programs, -c.
    &["-ta"],
    &["-tanp"],
    &["-tanee"],
    &["-tanc"],
];

#[test]
fn fixtures_print_the_same_either_way() {
    for name in [
        "server",
        "procs",
        "bigendian",
        "malformed",
        "mcast",
        "no-manifest",
        "nonroot",
        "sctp",
        "unix",
        "loopback-many",
        "continuous",
    ] {
        let bytes = fixture(name);
        for args in VIEWS {
            assert_eq!(same(&bytes, args, &Limits::default()), 1, "{name} {args:?}");
        }
    }
}

#[test]
fn rows_are_not_kept_when_rendered_as_read() {
    let bytes = fixture("server");
    let opts = match netsnap::netstat::args::parse(&["-tan"]) {
        netsnap::netstat::args::Parsed::Run(o) => o,
        _ => panic!("-tan parses"),
    };
    assert!(prerenders(&opts));
    let mut pre = Prerender::new(&opts);
    let plan = netsnap::netstat::plan(&opts);
    let (snap, fresh) =
        netsnap::load_into(&bytes[..], &plan, &Limits::default(), &mut pre).unwrap();
    assert!(fresh);
    let tcp = snap.inet_table(netsnap::model::InetKind::Tcp).unwrap();
    assert!(tcp.rows.is_empty());
    let text = pre.text(netsnap::model::InetKind::Tcp).unwrap();
    assert!(text.starts_with(b"tcp        0      0 "), "{text:?}");
    // The ordinary reading keeps them.
    let snap = netsnap::load(&bytes[..], &plan, &Limits::default()).unwrap();
    assert!(
        !snap
            .inet_table(netsnap::model::InetKind::Tcp)
            .unwrap()
            .rows
            .is_empty()
    );
    let _ = LoadPlan::everything();
}

/// A gzip-compressed tar of these files, in order.
fn archive(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, path, &data[..]).unwrap();
    }
    let tar = b.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &tar).unwrap();
    gz.finish().unwrap()
}

fn manifest(order: &str, hz: u32) -> Vec<u8> {
    format!(
        "{{\"format\":\"netsnap\",\"format_version\":1,\"byte_order\":\"{order}\",\"user_hz\":{hz},\
         \"tables\":[\"proc/net/tcp\",\"proc/net/tcp6\"]}}"
    )
    .into_bytes()
}

const TCP_HEADER: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

fn tcp(rows: usize, state: &str) -> Vec<u8> {
    let mut t = TCP_HEADER.to_string();
    for i in 0..rows {
        t.push_str(&format!(
            "{i:4}: 0100007F:{:04X} 0A00020F:01BB {state} 00000000:00000010 02:000005DC 00000000  1000        0 {} 1 0000000000000000 20 4 30 10 -1\n",
            1024 + i,
            9000 + i
        ));
    }
    t.into_bytes()
}

fn tcp6() -> Vec<u8> {
    let mut t = TCP_HEADER.to_string();
    t.push_str("   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0\n");
    t.into_bytes()
}

#[test]
fn a_manifest_after_the_rows_reads_the_input_again() {
    // The second manifest turns the byte order round: the rows rendered as read are wrong, and
    // the input is read again the ordinary way.
    let bytes = archive(&[
        ("netsnap.json", manifest("little", 100)),
        ("proc/net/tcp", tcp(3, "01")),
        ("netsnap.json", manifest("big", 250)),
        ("proc/net/tcp6", tcp6()),
    ]);
    for args in [&["-tan"][..], &["-tano"], &["-tane"]] {
        assert_eq!(same(&bytes, args, &Limits::default()), 2, "{args:?}");
    }
}

#[test]
fn archives_that_contradict_themselves_print_the_same() {
    let cases: Vec<Vec<(&str, Vec<u8>)>> = vec![
        // A table twice: the last one is used.
        vec![
            ("netsnap.json", manifest("little", 100)),
            ("proc/net/tcp", tcp(5, "01")),
            ("proc/net/tcp6", tcp6()),
            ("proc/net/tcp", tcp(2, "0A")),
        ],
        // The tables before the manifest.
        vec![
            ("proc/net/tcp", tcp(4, "06")),
            ("netsnap.json", manifest("big", 100)),
            ("proc/net/tcp6", tcp6()),
        ],
        // No manifest.
        vec![("proc/net/tcp", tcp(4, "01")), ("proc/net/tcp6", tcp6())],
        // States netstat cannot name, bogus lines, a line cut short.
        vec![
            ("netsnap.json", manifest("little", 100)),
            (
                "proc/net/tcp",
                [
                    tcp(2, "1F"),
                    b"   9: garbage\n".to_vec(),
                    tcp(3, "0B")[TCP_HEADER.len()..].to_vec(),
                    b"  10: 0100007F:0016".to_vec(),
                ]
                .concat(),
            ),
            ("proc/net/tcp6", tcp6()),
        ],
        // tcp6 before tcp.
        vec![
            ("netsnap.json", manifest("little", 100)),
            ("proc/net/tcp6", tcp6()),
            ("proc/net/tcp", tcp(3, "01")),
        ],
    ];
    for files in &cases {
        let bytes = archive(files);
        for args in [
            &["-tan"][..],
            &["-tuan"],
            &["-tano"],
            &["-6tan"],
            &["-4tan"],
        ] {
            same(&bytes, args, &Limits::default());
        }
    }
}

#[test]
fn limits_stop_at_the_same_row() {
    let bytes = archive(&[
        ("netsnap.json", manifest("little", 100)),
        ("proc/net/tcp", tcp(2000, "01")),
        ("proc/net/tcp6", tcp6()),
    ]);
    for max_memory in [1_000, 10_000, 100_000, 200_000, 250_000, 1 << 20] {
        let limits = Limits {
            max_memory,
            ..Limits::default()
        };
        same(&bytes, &["-tan"], &limits);
    }
    for max_line in [64, 150, 1 << 20] {
        let limits = Limits {
            max_line,
            ..Limits::default()
        };
        same(&bytes, &["-tan"], &limits);
    }
}
