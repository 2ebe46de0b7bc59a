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

/// Runs `args` both ways (and the streaming way on one thread, on several, and on several with
/// big tables written as they are done, as the CLI does) and checks that they agree; returns how
/// many times the input was opened by the streaming run.
fn same(bytes: &[u8], args: &[&str], limits: &Limits) -> usize {
    let plain = shown(netstat_from_reader(bytes, args, limits));
    let mut opened = 0;
    for (par, spill) in [(false, false), (true, false), (true, true)] {
        opened = 0;
        let open = || {
            opened += 1;
            Ok(Cursor::new(bytes))
        };
        let spilled = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        if spill {
            let to = spilled.clone();
            netsnap::render::set_spill(Some(Box::new(move |b: &[u8]| {
                to.borrow_mut().extend_from_slice(b)
            })));
        }
        let r = if par {
            netstat_from_source_par(open, args, limits)
        } else {
            netstat_from_source(open, args, limits)
        };
        netsnap::render::set_spill(None);
        let streamed = shown(r.map(|mut o| {
            let mut all = spilled.take();
            all.append(&mut o.stdout);
            o.stdout = all;
            o
        }));
        assert_eq!(streamed, plain, "{args:?} (par {par}, spill {spill})");
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
    // With -p: the program column is filled in after the processes are read.
    &["-tanp"],
    &["-tuanp"],
    &["-tanpo"],
    &["-tanpW"],
    &["-ltnp"],
    &["-anp"],
    &["-tanpeen"],
    &["-uanpoee", "--numeric-users"],
    // Not rendered as read: names, -c.
    &["-ta"],
    &["-tap"],
    &["-tanee"],
    &["-tanpee"],
    &["-tanc"],
    &["-tanpc"],
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
    let text = pre.text(netsnap::model::InetKind::Tcp).unwrap().concat();
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

/// The content of an archive entry that is a symbolic link to `target`.
const LINK: &[u8] = b"\0link\0";

fn link(target: &str) -> Vec<u8> {
    [LINK, target.as_bytes()].concat()
}

/// A gzip-compressed tar of these files (or links, made with [`link`]), in order.
fn archive(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut h = tar::Header::new_gnu();
        if let Some(target) = data.strip_prefix(LINK) {
            h.set_entry_type(tar::EntryType::Symlink);
            h.set_size(0);
            h.set_mode(0o777);
            h.set_link_name(std::str::from_utf8(target).unwrap())
                .unwrap();
            h.set_cksum();
            b.append_data(&mut h, path, &[][..]).unwrap();
            continue;
        }
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

/// The same tar, gzipped as the collector writes it (docs/snapshot-format.md): members of 1 MiB
/// of tar each, whose headers say their lengths, so that the reader inflates them on several
/// threads and reads the fd links there ([`netsnap::archive::Visitor::preparer`]).
fn members(gz: &[u8]) -> Vec<u8> {
    let mut tar = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(gz), &mut tar).unwrap();
    let mut out = Vec::new();
    for block in tar.chunks(1 << 20) {
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut e, block).unwrap();
        let body = e.finish().unwrap();
        let mut crc = flate2::Crc::new();
        crc.update(block);
        let total = (24 + body.len() + 8) as u32;
        out.extend_from_slice(&[
            0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 255, 12, 0, b'N', b'S', 8, 0,
        ]);
        out.extend_from_slice(&total.to_le_bytes());
        out.extend_from_slice(&(block.len() as u32).to_le_bytes());
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc.sum().to_le_bytes());
        out.extend_from_slice(&(block.len() as u32).to_le_bytes());
    }
    out
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

/// Processes holding some of [`tcp`]'s sockets (inodes from 9000): two share one, one has no
/// command line, one has a long one, one holds a socket twice.
fn processes() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        (
            "proc/100/cmdline",
            b"/usr/sbin/nginx\0-g\0daemon off;\0".to_vec(),
        ),
        ("proc/100/fd/3", link("socket:[9000]")),
        ("proc/100/fd/4", link("socket:[9002]")),
        ("proc/100/fd/5", link("/dev/null")),
        (
            "proc/200/cmdline",
            b"a-program-with-a-very-long-name\0".to_vec(),
        ),
        ("proc/200/fd/7", link("socket:[9000]")),
        ("proc/200/fd/8", link("socket:[9001]")),
        ("proc/200/fd/9", link("socket:[9001]")),
        ("proc/300/fd/3", link("socket:[9003]")),
        ("proc/4000/cmdline", b"sshd: root@pts/0\0".to_vec()),
        ("proc/4000/fd/12", link("socket:[9004]")),
        ("proc/4000/fd/13", link("socket:[12345]")),
    ]
}

/// An archive in the collector's order: the manifest, `tcp` with `rows` established rows, `tcp6`,
/// then [`processes`].
fn tables_then_processes(rows: usize) -> Vec<(&'static str, Vec<u8>)> {
    [
        vec![
            ("netsnap.json", manifest("little", 100)),
            ("proc/net/tcp", tcp(rows, "01")),
            ("proc/net/tcp6", tcp6()),
        ],
        processes(),
    ]
    .concat()
}

#[test]
fn program_columns_are_filled_in_as_netstat_names_them() {
    let archives = [
        // The collector's order: the tables, then the processes.
        tables_then_processes(8),
        // Processes before the tables, and a table twice.
        [
            vec![("netsnap.json", manifest("little", 100))],
            processes(),
            vec![
                ("proc/net/tcp", tcp(3, "0A")),
                ("proc/net/tcp6", tcp6()),
                ("proc/net/tcp", tcp(6, "01")),
            ],
        ]
        .concat(),
        // No processes at all.
        vec![
            ("netsnap.json", manifest("little", 100)),
            ("proc/net/tcp", tcp(4, "01")),
            ("proc/net/tcp6", tcp6()),
        ],
    ];
    for bytes in archives.iter().map(|a| archive(a)) {
        for args in [
            &["-tanp"][..],
            &["-tanpo"],
            &["-tanpW"],
            &["-tanpeen"],
            &["-6tanp"],
            &["-tanpc"],
        ] {
            assert_eq!(same(&bytes, args, &Limits::default()), 1, "{args:?}");
        }
    }
    // A table big enough to be filled in on two threads (while it is written, with a spill
    // target).
    netsnap::par::set_threads(2);
    let mut big = vec![
        ("netsnap.json", manifest("little", 100)),
        ("proc/net/tcp", tcp(60_000, "01")),
        ("proc/net/tcp6", tcp6()),
    ];
    // (Processes in procfs order: ascending pid, each one's fds in ascending order.)
    big.extend(processes());
    let held: Vec<String> = (0..60_000)
        .step_by(7)
        .map(|i| format!("proc/5000/fd/{i}"))
        .collect();
    big.push(("proc/5000/cmdline", b"haproxy\0".to_vec()));
    for (n, path) in held.iter().enumerate() {
        big.push((path, link(&format!("socket:[{}]", 9000 + n * 7))));
    }
    let bytes = archive(&big);
    // Also as the collector writes it, in members: more than 1 MiB of tar.
    let split = members(&bytes);
    assert!(
        split
            .windows(4)
            .filter(|w| w == &[0x1f, 0x8b, 8, 4])
            .count()
            > 1
    );
    for bytes in [bytes, split] {
        for args in [&["-tanp"][..], &["-tanpo"], &["-tanpeen"], &["-tanpc"]] {
            assert_eq!(same(&bytes, args, &Limits::default()), 1, "{args:?}");
        }
    }
    // The names are those of the ordinary reading, which the fixtures check against netstat's.
    let bytes = archive(&archives[0]);
    let out = netstat_from_source(|| Ok(&bytes[..]), &["-tanp"], &Limits::default()).unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(" ESTABLISHED 100/nginx           \n"),
        "{text}"
    );
    assert!(
        text.contains(" ESTABLISHED 200/a-program-with- \n"),
        "{text}"
    );
    assert!(
        text.contains(" ESTABLISHED -                   \n"),
        "{text}"
    );
    assert!(
        text.contains(" LISTEN      4000/sshd: root@pts \n"),
        "{text}"
    );
}

#[test]
fn processes_out_of_procfs_order_read_the_input_again() {
    // The `-p` map is built as the processes are read, in procfs order (each process's command
    // line first, then its links by fd); an archive in another order is read again the ordinary
    // way, which sorts the links.
    let base = || {
        vec![
            ("netsnap.json", manifest("little", 100)),
            ("proc/net/tcp", tcp(8, "01")),
            ("proc/net/tcp6", tcp6()),
        ]
    };
    let cases: Vec<Vec<(&str, Vec<u8>)>> = vec![
        // Links of a process out of fd order.
        [
            base(),
            vec![
                ("proc/100/cmdline", b"nginx\0".to_vec()),
                ("proc/100/fd/4", link("socket:[9001]")),
                ("proc/100/fd/3", link("socket:[9000]")),
            ],
        ]
        .concat(),
        // Processes out of pid order: 200 names 9000 in procfs order.
        [
            base(),
            vec![
                ("proc/300/cmdline", b"late\0".to_vec()),
                ("proc/300/fd/1", link("socket:[9000]")),
                ("proc/200/cmdline", b"early\0".to_vec()),
                ("proc/200/fd/1", link("socket:[9000]")),
            ],
        ]
        .concat(),
        // A command line after the process's links.
        [
            base(),
            vec![
                ("proc/100/fd/3", link("socket:[9000]")),
                ("proc/100/cmdline", b"nginx\0".to_vec()),
            ],
        ]
        .concat(),
        // A link twice.
        [
            base(),
            vec![
                ("proc/100/cmdline", b"nginx\0".to_vec()),
                ("proc/100/fd/3", link("socket:[9000]")),
                ("proc/100/fd/3", link("socket:[9001]")),
            ],
        ]
        .concat(),
    ];
    for files in &cases {
        let bytes = archive(files);
        for bytes in [members(&bytes), bytes] {
            for args in [&["-tanp"][..], &["-tanpo"]] {
                assert_eq!(same(&bytes, args, &Limits::default()), 2, "{args:?}");
            }
        }
    }
}

#[test]
fn limits_stop_at_the_same_row_with_programs() {
    let bytes = archive(&tables_then_processes(2000));
    for max_memory in [1_000, 100_000, 250_000, 1 << 20] {
        let limits = Limits {
            max_memory,
            ..Limits::default()
        };
        same(&bytes, &["-tanp"], &limits);
    }
}

#[test]
fn views_read_only_the_tables_they_print() {
    use netsnap::model::InetKind;
    let bytes = fixture("server");
    let load = |args: &[&str]| {
        let opts = match netsnap::netstat::args::parse(args) {
            netsnap::netstat::args::Parsed::Run(o) => o,
            _ => panic!("{args:?} parses"),
        };
        netsnap::load(
            &bytes[..],
            &netsnap::netstat::plan(&opts),
            &Limits::default(),
        )
        .unwrap()
    };
    // -p reads the processes, which come after every table, but parses only the tables it prints.
    let tanp = load(&["-tanp"]);
    assert!(tanp.inet_table(InetKind::Tcp).is_some());
    assert!(tanp.inet_table(InetKind::Udp).is_none() && tanp.unix.is_none());
    assert!(!tanp.processes.fds.is_empty());
    let xp = load(&["-xp"]);
    assert!(xp.unix.is_some() && xp.inet_table(InetKind::Tcp).is_none());
    let all = load(&["-ap"]);
    assert!(all.unix.is_some() && all.inet_table(InetKind::Udp).is_some());
}
