//! Tests of ss's command line and filter against the recorded outputs.

use super::*;
use crate::parse::ss::port_range;
use crate::ss::filter::SockRef;
use crate::{Limits, LoadPlan, Snapshot, load};
use std::sync::OnceLock;

/// The server fixture, loaded once.
fn server() -> &'static Snapshot {
    static SNAP: OnceLock<Snapshot> = OnceLock::new();
    SNAP.get_or_init(|| {
        let path = format!(
            "{}/../fixtures/server/snapshot.tar.gz",
            env!("CARGO_MANIFEST_DIR")
        );
        let data = std::fs::read(path).expect("fixture");
        load(&data[..], &LoadPlan::everything(), &Limits::default()).expect("loads")
    })
}

/// The server's filter environment.
fn env() -> FilterEnv<'static> {
    let snap = server();
    let range = snap
        .other
        .get("proc/sys/net/ipv4/ip_local_port_range")
        .map(Vec::as_slice);
    FilterEnv::new(&snap.names, {
        let (lo, hi) = port_range(range);
        (i64::from(lo), i64::from(hi))
    })
}

/// parse + resolve on a list of words.
fn run(args: &[&[u8]]) -> Result<Listing, Exit> {
    let opts = parse(args)?;
    resolve(&opts, &env())
}

/// Splits a test line at spaces.
fn words(line: &str) -> Vec<&[u8]> {
    line.split(' ')
        .filter(|w| !w.is_empty())
        .map(str::as_bytes)
        .collect()
}

/// parse + resolve on a line split at spaces.
fn line(l: &str) -> Result<Listing, Exit> {
    run(&words(l))
}

/// The listing of a line that must succeed.
fn ok(l: &str) -> Listing {
    match line(l) {
        Ok(listing) => listing,
        Err(e) => panic!("{l}: {:?}", String::from_utf8_lossy(&e.stderr)),
    }
}

/// The exit of a line that must stop.
fn exit(l: &str) -> (String, String, i32) {
    match line(l) {
        Ok(listing) => panic!("{l}: ran {listing:?}"),
        Err(e) => (
            String::from_utf8_lossy(&e.stdout).into_owned(),
            String::from_utf8_lossy(&e.stderr).into_owned(),
            e.status,
        ),
    }
}

#[test]
fn recorded_cases() {
    let dir = format!(
        "{}/../fixtures/server/expected-ss",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("expected-ss")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "args"))
        .collect();
    entries.sort();
    let usage = USAGE_TEXT.as_bytes();
    let (mut exits, mut runs) = (0, 0);
    let mut failures = Vec::new();
    for path in &entries {
        let read = |ext: &str| std::fs::read(path.with_extension(ext)).unwrap_or_default();
        let args_text = read("args");
        let args: Vec<&[u8]> = args_text
            .split(|&b| b == b'\n')
            .filter(|w| !w.is_empty())
            .collect();
        let (stdout, stderr) = (read("stdout"), read("stderr"));
        let status: i32 = String::from_utf8_lossy(&read("status"))
            .trim()
            .parse()
            .expect("status");
        let stopping = status != 0
            || stdout.is_empty()
            || stdout == usage
            || stdout == VERSION_TEXT.as_bytes();
        let name = path.display().to_string();
        let result = parse(&args).and_then(|o| {
            // With -s the summary comes first; it is not ours to print.
            if o.summary_only() {
                return Err(Exit::default());
            }
            resolve(&o, &env())
        });
        match result {
            Err(e) if e == Exit::default() => runs += 1,
            Err(e) if stopping => {
                let ours_stdout_ok = e.stdout == stdout
                    || (args.iter().any(|a| a.starts_with(b"-s")) && e.stdout.is_empty());
                if ours_stdout_ok && e.stderr == stderr && e.status == status {
                    exits += 1;
                } else {
                    failures.push(format!(
                        "{name}: want {status} {:?} {:?}, got {} {:?} {:?}",
                        String::from_utf8_lossy(&stdout),
                        String::from_utf8_lossy(&stderr),
                        e.status,
                        String::from_utf8_lossy(&e.stdout),
                        String::from_utf8_lossy(&e.stderr)
                    ));
                }
            }
            Err(e) => failures.push(format!(
                "{name}: stopped with {} {:?}",
                e.status,
                String::from_utf8_lossy(&e.stderr)
            )),
            Ok(_) if status == 0 && stderr.is_empty() => runs += 1,
            Ok(_) if status == 0 && !stopping => runs += 1,
            Ok(_) => failures.push(format!(
                "{name}: ran, want {status} {:?}",
                String::from_utf8_lossy(&stderr)
            )),
        }
    }
    eprintln!(
        "recorded ss cases: {} lines, {exits} exits identical, {runs} runs",
        entries.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(exits >= 20 && entries.len() >= 190);
}

#[test]
fn selection_rules() {
    let l = ok("-4");
    assert!(l.has(Table::Tcp) && l.has(Table::Udp) && l.has(Table::Raw));
    assert!(l.v4 && !l.v6 && !l.has(Table::UnixStream));
    let l = ok("-x -t");
    assert!(l.has(Table::Tcp) && l.has(Table::UnixStream) && l.v4 && l.v6);
    assert!(!l.has(Table::Udp));
    let l = ok("-f inet6 -t");
    assert!(l.has(Table::Tcp) && !l.v4 && l.v6 && !l.show_netid);
    let l = ok("-tu");
    assert_eq!(l.states, state::CONN | (1 << state::ESTABLISHED));
    let l = ok("-w -0");
    assert_eq!(l.states, (1 << state::ESTABLISHED) | (1 << state::CLOSE));
    let l = ok("-0");
    assert!(!l.show_state && l.has(Table::PacketRaw) && l.has(Table::PacketDgram));
    let l = ok("-l");
    assert!(l.show_state && l.show_netid);
    let l = ok("-tan state established");
    assert!(!l.show_state && !l.show_netid && l.numeric);
    let l = ok("-tan exclude all");
    assert_eq!(l.states, state::CONN);
    let l = ok("-a state listening");
    assert_eq!(l.states, 1 << state::LISTEN);
    let l = ok("-A tcp -a");
    assert_eq!(l.states, state::ALL);
    let l = ok("-a -A tcp");
    assert_eq!(l.states, state::ALL);
    let l = ok("-A netlink");
    assert!(l.has(Table::Netlink) && !l.show_netid);
    let l = ok("");
    assert_eq!(l.states, state::CONN);
    assert!(l.has(Table::Netlink) && l.has(Table::Tcp) && l.has(Table::Xdp));
    assert!(!l.has(Table::Tipc));
    let l = ok("-ten");
    assert!(l.extended && l.timers && l.numeric);
    let l = ok("-b -T");
    assert!(l.timers && l.processes && l.threads);
    assert_eq!(
        exit("-A !all").1,
        "ss: no socket tables to show with such filter.\n"
    );
    assert_eq!(exit("-a -A tcp,!tcp").2, 0);
}

#[test]
fn summary_order() {
    let s = |l: &str| parse(&words(l)).map(|o| o.summary_only());
    assert_eq!(s("-s"), Ok(true));
    assert_eq!(s("-sa"), Ok(true));
    assert_eq!(s("-Hs"), Ok(true));
    assert_eq!(s("-s -t"), Ok(false));
    assert_eq!(s("-s state listening"), Ok(false));
    assert_eq!(s("-t"), Ok(false));
    // -s with a bad filter: the summary, then the error.
    let o = parse(&words("-s sport = :nosuchservice")).expect("parses");
    assert!(!o.summary_only());
    assert_eq!(resolve(&o, &env()).map(|_| ()).unwrap_err().status, 1);
}

#[test]
fn option_errors() {
    let usage = USAGE_TEXT;
    assert_eq!(exit("-h"), (usage.to_string(), String::new(), 0));
    assert_eq!(exit("--he"), (usage.to_string(), String::new(), 0));
    assert_eq!(exit("-f help"), (usage.to_string(), String::new(), 0));
    assert_eq!(exit("-V").0, VERSION_TEXT);
    assert_eq!(exit("-v -y").0, VERSION_TEXT);
    assert_eq!(exit("--vers").0, VERSION_TEXT);
    let e = exit("-y");
    assert_eq!(e.1, format!("ss: invalid option -- 'y'\n{usage}"));
    assert_eq!(e.2, 255);
    assert_eq!(
        exit("--bogus").1,
        format!("ss: unrecognized option '--bogus'\n{usage}")
    );
    assert_eq!(
        exit("--t").1,
        format!(
            "ss: option '--t' is ambiguous; possibilities: '--threads' '--tcp' '--tipc' '--tipcinfo' '--tos'\n{usage}"
        )
    );
    assert_eq!(
        exit("--tcp=1").1,
        format!("ss: option '--tcp' doesn't allow an argument\n{usage}")
    );
    assert_eq!(
        exit("--que").1,
        format!("ss: option '--query' requires an argument\n{usage}")
    );
    // --socket and --query are different entries with the same meaning.
    assert!(ok("--so tcp").has(Table::Tcp));
    assert_eq!(
        exit("-A").1,
        format!("ss: option requires an argument -- 'A'\n{usage}")
    );
    assert_eq!(
        exit("-A tcp,").1,
        format!("ss: \"\" is illegal socket table id\n{usage}")
    );
    assert_eq!(
        exit("-A x -V").1,
        format!("ss: \"x\" is illegal socket table id\n{usage}")
    );
    assert_eq!(
        exit("-f x").1,
        format!("ss: \"x\" is invalid family\n{usage}")
    );
    assert_eq!(
        exit("-Z"),
        (String::new(), "ss: SELinux is not enabled.\n".into(), 1)
    );
    assert_eq!(exit("-tz").2, 1);
    assert_eq!(exit("-V -Z").2, 0);
    assert_eq!(
        exit("-N foo"),
        (
            String::new(),
            "Cannot open network namespace \"foo\": No such file or directory\n".into(),
            1
        )
    );
    assert_eq!(exit("-F f").2, 1);
    assert_eq!(
        exit("-u -D f").1,
        "ss: tcpdiag dump requested and no tcp in filter.\n"
    );
    assert_eq!(exit("-t -D f").2, 1);
    assert_eq!(exit("-E").2, 1);
    assert!(ok("-K -t").has(Table::Tcp));
    // Options after words and after --.
    assert_eq!(ok("state listening -t").states, 1 << state::LISTEN);
    assert_eq!(
        exit("-t -- -y").1,
        "Error: an inet prefix is expected rather than \"-y\".\nCannot parse dst/src address.\n"
    );
}

#[test]
fn state_words() {
    assert_eq!(
        exit("-t state nosuch"),
        (String::new(), "ss: wrong state name: nosuch\n".into(), 255)
    );
    assert_eq!(
        exit("-t state"),
        (
            String::new(),
            "Command line is not complete. Try option \"help\"\n".into(),
            255
        )
    );
    assert_eq!(exit("-t exclude").2, 255);
    assert_eq!(ok("-t state SYN-RCV").states, 1 << state::SYN_RECV);
    assert_eq!(ok("-t state Closed").states, 1 << state::CLOSE);
    assert_eq!(ok("-t state unconnected").states, 1 << state::CLOSE);
    assert_eq!(ok("-t state unknown").states, 1);
    assert_eq!(
        ok("-t excl listening").states,
        state::ALL & !(1 << state::LISTEN)
    );
    assert_eq!(
        ok("-t state bucket").states,
        (1 << state::SYN_RECV) | (1 << state::TIME_WAIT)
    );
    assert_eq!(
        ok("-t state big").states,
        state::ALL & !((1 << state::SYN_RECV) | (1 << state::TIME_WAIT))
    );
    assert_eq!(
        ok("-t state synchronized").states,
        state::ALL & !((1 << state::CLOSE) | (1 << state::LISTEN) | (1 << state::SYN_SENT))
    );
}

/// A v4 tcp socket.
fn v4(l: [u8; 4], lp: u16, r: [u8; 4], rp: u16) -> (Vec<u8>, u16, Vec<u8>, u16) {
    (l.to_vec(), lp, r.to_vec(), rp)
}

/// Whether the filter of `l` keeps the socket.
fn keeps(l: &str, s: &SockRef) -> bool {
    match ok(l).filter {
        Some(f) => f.matches(s),
        None => true,
    }
}

#[test]
fn filter_evaluation() {
    let (la, lp, ra, rp) = v4([10, 77, 0, 1], 22, [10, 77, 0, 2], 40001);
    let s = SockRef::inet(&la, lp, &ra, rp);
    assert!(keeps("-t sport = :22", &s));
    assert!(keeps("-t sport == 22", &s));
    assert!(keeps("-t sport :22", &s));
    assert!(!keeps("-t sport != :22", &s));
    assert!(keeps("-t dport gt :1024", &s));
    assert!(!keeps("-t dport < :1024", &s));
    assert!(keeps("-t dport >= :40001 and sport <= :22", &s));
    assert!(keeps("-t sport = :ssh", &s));
    assert!(keeps("-t dst 10.0.0.0/8", &s));
    assert!(keeps("-t dst 10.77.0.2:40001", &s));
    assert!(!keeps("-t dst 10.77.0.2:40002", &s));
    assert!(keeps("-t dst 10.77.0.0/255.255.255.0", &s));
    assert!(keeps("-t src *:22", &s));
    assert!(keeps("-t src :22", &s));
    assert!(keeps("-t src 10.77", &s) == (la == [10, 77, 0, 0]));
    assert!(!keeps("-t src 127.0.0.1", &s));
    assert!(keeps("-t src default", &s));
    assert!(keeps("-t not src 127.0.0.1", &s));
    // No precedence: (sport 22 or sport 631) and dport 40020.
    assert!(!keeps(
        "-t sport = :22 or sport = :631 and dport = :40020",
        &s
    ));
    assert!(keeps(
        "-t sport = :22 or ( sport = :631 and dport = :40020 )",
        &s
    ));
    assert!(keeps("-t ! ( sport = :631 ) dport = :40001", &s));
    // Escaped and split words.
    assert!(keeps("-t sport\\ =\\ :22", &s));
    assert!(run(&[b"-t", b"sport = :22 or\tsport = :23"]).is_ok());
    // v4 rule and v4-mapped socket; v4-mapped rule only on mapped sockets.
    let mapped: Vec<u8> = [&[0u8; 10][..], &[0xff, 0xff], &[10, 77, 0, 1]].concat();
    let zero = [0u8; 16];
    let m = SockRef::inet(&mapped, 80, &zero, 0);
    assert!(keeps("-t src 10.77.0.1", &m));
    assert!(keeps("-t src 10.77.0.0/16", &m));
    assert!(keeps("-t src [::ffff:10.77.0.1]", &m));
    assert!(!keeps("-t src [::ffff:10.77.0.1]", &s));
    // Family not compared: a v4 rule 0.0.0.0 matches ::1's first bytes.
    let one: Vec<u8> = [&[0u8; 15][..], &[1]].concat();
    let l6 = SockRef::inet(&one, 631, &zero, 0);
    assert!(keeps("-t src [::1]", &l6));
    assert!(keeps("-t src [::1]:631", &l6));
    assert!(keeps("-t src 0.0.0.0", &l6));
    assert!(keeps("-t src localhost", &l6));
    // autobound.
    let eph = SockRef::inet(&la, 40000, &ra, 22);
    assert!(keeps("-t autobound", &eph));
    assert!(!keeps("-t autobound", &s));
    // dev never matches a file-mode row; fwmark against mark 0.
    assert!(!keeps("-t dev lo", &s));
    assert!(!keeps("-t dev if1", &s));
    assert!(keeps("-t dev 0", &s));
    assert!(keeps("-t dev != lo", &s));
    assert!(keeps("-t fwmark = 0x0", &s));
    assert!(keeps("-t fwmark 0/0", &s));
    assert!(!keeps("-t fwmark = 0x1/0x1", &s));
    assert!(keeps("-t fwmark != 1", &s));
}

#[test]
fn unix_and_netlink_conditions() {
    let p = SockRef::unix(Some(b"/tmp/nsnap-unix/Stream.sock"));
    let none = SockRef::unix(None);
    let auto = SockRef::unix(Some(b"@0a1f3"));
    assert!(keeps("-x src /tmp/nsnap-unix/*", &p));
    assert!(keeps("-x src /TMP/NSNAP-UNIX/stream.sock", &p));
    assert!(keeps("-x src /tmp/*/[rs]tream.so?k", &p));
    assert!(!keeps("-x src /tmp/[!n]*", &p));
    assert!(keeps("-x dst *", &p));
    assert!(!keeps("-x dst /tmp*", &p));
    assert!(keeps("-x src ''", &SockRef::unix(Some(b"''"))));
    assert!(keeps("-a src unix:*", &none));
    assert!(keeps("-x autobound", &none));
    assert!(keeps("-x autobound", &auto));
    assert!(!keeps("-x autobound", &p));
    assert!(!keeps("-x autobound", &SockRef::unix(Some(b"@0A1F3"))));
    // inet conditions on unix rows: ports 0, no peer (zero address).
    assert!(keeps("-a dst 0.0.0.0", &none));
    assert!(!keeps("-a src 10.0.0.1", &p));
    assert!(!keeps("-a sport = :22", &p));
    // A family prefix restricts the listing.
    let l = ok("-an src unix:/tmp/x");
    assert!(l.has(Table::UnixStream) && !l.has(Table::Tcp) && l.show_netid);
    let l = ok("-an dst inet:10.77.0.2");
    assert!(l.has(Table::Tcp) && l.v4 && !l.v6 && !l.has(Table::UnixStream));
    let l = ok("-an src inet6:[::1]");
    assert!(!l.v4 && l.v6);
    let l = ok("-4 -6 -tan dst [::1]");
    assert!(!l.v4 && l.v6);
    // Netlink: protocol names and pids.
    let rtnl = 0u32.to_le_bytes();
    let k = SockRef::netlink(&rtnl, 0);
    let f = |l: &str, s: &SockRef| keeps(l, s);
    assert!(f("-A netlink src netlink:rtnl:kernel", &k));
    assert!(f("-A netlink src netlink:0", &k));
    assert!(!f("-A netlink src netlink:audit", &k));
    assert!(!f("-A netlink src netlink:*:5", &k));
    assert!(f("-f netlink -a autobound", &SockRef::netlink(&rtnl, -1)));
    assert_eq!(
        exit("-A netlink src netlink:nosuch").1,
        "Cannot parse dst/src address.\n"
    );
}

#[test]
fn filter_errors() {
    let usage = USAGE_TEXT;
    let bison =
        format!("ss: bison bellows (while parsing filter): \"syntax error!\" Sorry.\n{usage}");
    for l in [
        "-t ( sport = :22",
        "-t sport = :22 )",
        "-t sport gt",
        "-t sport = :22 or",
        "-t dst != 1.2.3.4",
        "-t )",
        "-t dev",
        "-t = 1",
        "-t not",
    ] {
        assert_eq!(exit(l), (String::new(), bison.clone(), 255), "{l}");
    }
    let addr = |a: &str| {
        format!(
            "Error: an inet prefix is expected rather than \"{a}\".\nCannot parse dst/src address.\n"
        )
    };
    assert_eq!(
        exit("-t dst 300.1.2.3"),
        (String::new(), addr("300.1.2.3"), 1)
    );
    assert_eq!(exit("-t dst 10.0.0.0/99").1, addr("10.0.0.0/99"));
    assert_eq!(exit("-t nosuchword").1, addr("nosuchword"));
    assert_eq!(exit("-t src ::1").1, addr(":"));
    assert_eq!(exit("-4 -t src [::1]").1, addr("::1"));
    // `state` after a condition is an operand of the last keyword.
    assert_eq!(
        exit("-t sport = :22 and state established").1,
        "Error: \"state\" does not look like a port.\nCannot parse dst/src address.\n"
    );
    assert_eq!(exit("-t src 1.2.3.4 state established").1, addr("state"));
    assert_eq!(exit("-t dst [::1").1, "Cannot parse dst/src address.\n");
    assert_eq!(
        exit("-t sport = :nosuchservice").1,
        "Error: \"nosuchservice\" does not look like a port.\nCannot parse dst/src address.\n"
    );
    assert_eq!(
        exit("-t dev nosuchdev"),
        (String::new(), "Cannot parse device.\n".into(), 1)
    );
    assert_eq!(
        exit("-t fwmark = junk"),
        (String::new(), "Cannot parse mark junk.\n".into(), 1)
    );
    assert_eq!(exit("-t fwmark = 1/junk").1, "Cannot parse mark 1/junk.\n");
    assert_eq!(exit("-t cgroup /x").2, 1);
    // An operand error met before a syntax error wins, and vice versa.
    assert_eq!(exit("-t dst 300.1.2.3 )").2, 1);
    assert_eq!(exit("-t ) dst 300.1.2.3").2, 255);
}

#[test]
fn service_names() {
    let names = crate::model::Names {
        services: crate::parse::etc::Services::parse(
            b"odd 100/tcp alias\nodd 200/udp\nsame 7/tcp\nsame 7/udp\nodd 300/tcp\n",
            b"",
        ),
        ..Default::default()
    };
    let env = FilterEnv::new(&names, (32768, 60999));
    let run = |l: &str| parse(&words(l)).and_then(|o| resolve(&o, &env));
    let port = |l: &str| match run(l).map(|l| l.filter) {
        Ok(Some(Filter::Src(c))) => c.port,
        other => panic!("{l}: {other:?}"),
    };
    assert_eq!(port("-t sport = :odd"), 100);
    assert_eq!(port("-t sport = :alias"), 100);
    assert_eq!(port("-u sport = :odd"), 200);
    assert_eq!(port("-tu sport = :same"), 7);
    // -x makes unix the preferred family: the operand is a unix pattern.
    assert_eq!(port("-x -t sport = :odd"), -1);
    assert_eq!(port("-t -x -4 sport = :odd"), 100);
    let e = run("-tu sport = :odd").map(|_| ()).unwrap_err();
    assert_eq!(
        e.stderr,
        b"Error: ambiguous port \"odd\".\nCannot parse dst/src address.\n"
    );
    // Neither tcp nor udp selected: no lookup at all.
    assert_eq!(run("-w sport = :odd").map(|_| ()).unwrap_err().status, 1);
}

#[test]
fn ports_and_numbers() {
    let (la, lp, ra, rp) = v4([1, 2, 3, 4], 0x16, [0; 4], 0);
    let s = SockRef::inet(&la, lp, &ra, rp);
    assert!(keeps("-t sport = 0x16", &s));
    assert!(keeps("-t sport = 026", &s));
    assert!(keeps("-t src 0x1.2.3.4", &s));
    assert!(keeps("-t src 1.2.0x3.04", &s));
    assert!(keeps("-t src 1.2.3.4/0", &s));
    assert!(keeps("-t src 1.0.0.0/8", &s));
    assert!(keeps("-t sport = *", &s));
    assert!(keeps("-t sport ge *", &s));
    assert_eq!(exit("-t src 1.2.3.4/0x").2, 1);
    assert_eq!(exit("-t src 1.2.3.4/255.0.255.0").2, 1);
    assert_eq!(port_range(Some(b"x")), (1024, 4999));
}

/// Words the random command lines are made of, besides random bytes.
const PIECES: &[&[u8]] = &[
    b"-t",
    b"-x",
    b"-s",
    b"-A",
    b"-f",
    b"-a",
    b"-0",
    b"--",
    b"-4",
    b"-6",
    b"state",
    b"exclude",
    b"(",
    b")",
    b"or",
    b"and",
    b"not",
    b"!",
    b"src",
    b"dst",
    b"sport",
    b"dport",
    b"dev",
    b"fwmark",
    b"autobound",
    b"cgroup",
    b"=",
    b"!=",
    b"gt",
    b"unix:/a*",
    b"netlink:",
    b"link:ip:1",
    b"vsock:1:2",
    b"inet6:",
    b"[::1]:22",
    b"10.0.0.0/8",
    b"*",
    b":ssh",
    b"tcp",
    b"all",
    b"localhost",
    b"\\",
    b"a\\ b",
    b"[",
    b"/",
    b"0x",
    b"-",
    b"listening",
    b"help",
];

use crate::testing::Rng;

#[test]
fn never_panics_on_arbitrary_words() {
    let mut rng = Rng(0x5eed_1234_abcd_9876);
    let a = [10u8, 0, 0, 1];
    let nl = [0u8; 4];
    let socks = [
        SockRef::inet(&a, 1, &a, 2),
        SockRef::unix(Some(b"/x")),
        SockRef::unix(None),
        SockRef::netlink(&nl, 3),
    ];
    for _ in 0..4000 {
        let n = (rng.next() % 9) as usize;
        let words: Vec<Vec<u8>> = (0..n)
            .map(|_| {
                if rng.next().is_multiple_of(4) {
                    let len = (rng.next() % 10) as usize;
                    (0..len).map(|_| (rng.next() % 256) as u8).collect()
                } else {
                    PIECES[(rng.next() % PIECES.len() as u64) as usize].to_vec()
                }
            })
            .collect();
        let Ok(o) = parse(&words) else {
            continue;
        };
        if let Ok(Listing {
            filter: Some(f), ..
        }) = resolve(&o, &env())
        {
            for s in &socks {
                let _ = f.matches(s);
            }
        }
    }
}
