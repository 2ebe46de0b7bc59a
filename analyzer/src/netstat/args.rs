//! netstat 2.10's command line, parsed as its `getopt_long` call parses it.
//!
//! The parser is pure: it takes the arguments after the program name and
//! returns either resolved options to render with, or the exact output and
//! exit status with which netstat stops during option parsing (usage errors,
//! `-V`, `-h`, unknown address families, `-Z`).
//!
//! Two layers are modelled:
//!
//! * glibc 2.36 `getopt_long` in its default (permuting) mode with netstat's
//!   short option string and long option table: non-option arguments are
//!   skipped, `--` ends the options, short options cluster, `-A` takes its
//!   argument attached or from the next argument, long options may be
//!   abbreviated to any unambiguous prefix (options whose table entries are
//!   identical do not make a prefix ambiguous), and every error message is
//!   glibc's, with `netstat` as the program name;
//! * netstat's `main()`: each option acts as soon as getopt returns it (so
//!   `-V`, `-h`, `-Z`, `-A <bad>` and getopt errors stop the scan where they
//!   are met), then the mode conflict check and the protocol/family
//!   defaults.

use crate::getopt::{Getopt, LongOption, Spec, c_str, long, push_all};

/// Address families that `-A`, `--<af>`, `-4`, `-6` and `-x` can name, by
/// their canonical names as netstat keeps them in its AF name list.
pub type AfName = &'static str;

/// netstat's options after parsing, with netstat's own post-processing
/// (the "no protocol" rule, inet/inet6 defaults) already applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetstatOptions {
    /// `-r` count.
    pub route: u32,
    /// `-i` count.
    pub interfaces: u32,
    /// `-s` count.
    pub statistics: u32,
    /// `-M` count.
    pub masquerade: u32,
    /// `-g` count.
    pub groups: u32,
    /// `-v`.
    pub verbose: bool,
    /// `-W` count.
    pub wide: u32,
    /// `-n` or `--numeric-hosts`.
    pub numeric_hosts: bool,
    /// `-n` or `--numeric-ports`.
    pub numeric_ports: bool,
    /// `-n` or `--numeric-users`.
    pub numeric_users: bool,
    /// `-N`.
    pub symbolic: bool,
    /// netstat's `flag_exp`: starts at 1, each `-e` adds 1.
    pub extend: u32,
    /// `-p` count.
    pub programs: u32,
    /// `-o` count.
    pub timers: u32,
    /// `-c` count.
    pub continuous: u32,
    /// `-l` count.
    pub listening: u32,
    /// `-a` count.
    pub all: u32,
    /// `-F`.
    pub fib: bool,
    /// `-C`.
    pub cache: bool,
    /// `-t` (after the no-protocol rule).
    pub tcp: bool,
    /// `-S` (after the no-protocol rule).
    pub sctp: bool,
    /// `-u` (after the no-protocol rule).
    pub udp: bool,
    /// `-U` (after the no-protocol rule).
    pub udplite: bool,
    /// `-w` (after the no-protocol rule).
    pub raw: bool,
    /// UNIX family flag (`-x`, `-A unix`, `--unix`).
    pub unix: bool,
    /// Legacy family flags: IPX, AX.25, NET/ROM, X.25, ROSE.
    pub ipx: bool,
    /// AX.25 family flag.
    pub ax25: bool,
    /// NET/ROM family flag.
    pub netrom: bool,
    /// X.25 family flag.
    pub x25: bool,
    /// ROSE family flag.
    pub rose: bool,
    /// Bluetooth L2CAP (`-2`; also implied by `-A bluetooth`).
    pub l2cap: bool,
    /// Bluetooth RFCOMM (`-f`; also implied by `-A bluetooth`).
    pub rfcomm: bool,
    /// inet family flag (after the defaults).
    pub inet: bool,
    /// inet6 family flag (after the defaults).
    pub inet6: bool,
    /// netstat's `flag_noprot`: protocols were implied by a family, not named.
    pub no_protocol: bool,
    /// The AF name list (canonical names, command-line order, duplicates kept).
    pub af_list: Vec<AfName>,
    /// Text netstat wrote to stderr while parsing without stopping
    /// (the `--tcpip` internal error).
    pub parse_stderr: Vec<u8>,
}

impl NetstatOptions {
    /// netstat's `flag_arg`: whether any protocol or family section was requested.
    pub fn any_requested(&self) -> bool {
        self.tcp
            || self.sctp
            || self.udplite
            || self.udp
            || self.raw
            || self.unix
            || self.ipx
            || self.ax25
            || self.netrom
            || self.groups > 0
            || self.x25
            || self.rose
            || self.l2cap
            || self.rfcomm
    }
}

/// What netstat does with a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// Go on and render with these options.
    Run(NetstatOptions),
    /// netstat stops during parsing: print exactly this and exit.
    Exit {
        /// Bytes for stdout.
        stdout: Vec<u8>,
        /// Bytes for stderr.
        stderr: Vec<u8>,
        /// Exit status.
        status: i32,
    },
}

/// netstat's `getopt_long` arguments: program name for glibc's messages,
/// short option string, long option table.
const SPEC: Spec = Spec {
    program: b"netstat",
    short: b"A:CFMacdeghilnNoprsStuUvVWw2fx64?Z",
    long: &LONG_OPTIONS,
};

/// The value getopt returns for the address-family long options.
const AF_OPTION: u8 = 1;

/// How many leading long options netstat accepts as address families
/// (`AFTRANS_CNT`); `--tcpip` sits just past this bound.
const AF_OPTION_COUNT: usize = 12;

/// netstat 2.10's long option table, in table order (the order matters for
/// which entry an abbreviation picks and for the ambiguity message).
const LONG_OPTIONS: [LongOption; 45] = [
    long(b"ax25", false, AF_OPTION),
    long(b"x25", false, AF_OPTION),
    long(b"ip", false, AF_OPTION),
    long(b"ipx", false, AF_OPTION),
    long(b"appletalk", false, AF_OPTION),
    long(b"netrom", false, AF_OPTION),
    long(b"inet", false, AF_OPTION),
    long(b"inet6", false, AF_OPTION),
    long(b"ddp", false, AF_OPTION),
    long(b"rose", false, AF_OPTION),
    long(b"unix", false, AF_OPTION),
    long(b"bluetooth", false, AF_OPTION),
    long(b"tcpip", false, AF_OPTION),
    long(b"version", false, b'V'),
    long(b"interfaces", false, b'i'),
    long(b"help", false, b'h'),
    long(b"route", false, b'r'),
    long(b"masquerade", false, b'M'),
    long(b"protocol", true, b'A'),
    long(b"tcp", false, b't'),
    long(b"sctp", false, b'S'),
    long(b"udp", false, b'u'),
    long(b"udplite", false, b'U'),
    long(b"raw", false, b'w'),
    long(b"unix", false, b'x'),
    long(b"l2cap", false, b'2'),
    long(b"rfcomm", false, b'f'),
    long(b"listening", false, b'l'),
    long(b"all", false, b'a'),
    long(b"timers", false, b'o'),
    long(b"continuous", false, b'c'),
    long(b"extend", false, b'e'),
    long(b"programs", false, b'p'),
    long(b"verbose", false, b'v'),
    long(b"statistics", false, b's'),
    long(b"wide", false, b'W'),
    long(b"numeric", false, b'n'),
    long(b"numeric-hosts", false, b'!'),
    long(b"numeric-ports", false, b'@'),
    long(b"numeric-users", false, b'#'),
    long(b"symbolic", false, b'N'),
    long(b"cache", false, b'C'),
    long(b"fib", false, b'F'),
    long(b"groups", false, b'g'),
    long(b"context", false, b'Z'),
];

/// The address family names `-A` understands (alias, canonical name), in
/// the order netstat searches them.
const AF_ALIASES: [(&[u8], AfName); 16] = [
    (b"ax25", "ax25"),
    (b"ip", "inet"),
    (b"ip6", "inet6"),
    (b"ipx", "ipx"),
    (b"rose", "rose"),
    (b"appletalk", "ddp"),
    (b"netrom", "netrom"),
    (b"inet", "inet"),
    (b"inet6", "inet6"),
    (b"ddp", "ddp"),
    (b"unix", "unix"),
    (b"tcpip", "inet"),
    (b"econet", "ec"),
    (b"x25", "x25"),
    (b"ash", "ash"),
    (b"bluetooth", "bluetooth"),
];

/// Size of netstat's buffers for an `-A` argument and for the AF name list
/// (both include the terminating NUL).
const AF_BUFFER: usize = 256;

/// `netstat -V` / `--version`, on stdout.
pub const VERSION_TEXT: &str = "net-tools 2.10\n\
Fred Baumgarten, Alan Cox, Bernd Eckenfels, Phil Blundell, Tuan Hoang, Brian Micek and others\n\
+NEW_ADDRT +RTF_IRTT +RTF_REJECT +FW_MASQUERADE +I18N +SELINUX\n\
AF: (inet) +UNIX +INET +INET6 +IPX +AX25 +NETROM +X25 +ATALK +ECONET +ROSE -BLUETOOTH\n\
HW:  +ETHER +ARC +SLIP +PPP +TUNNEL -TR +AX25 +NETROM +X25 +FR +ROSE +ASH +SIT +FDDI +HIPPI +HDLC/LAPB +EUI64 \n";

/// The usage text: on stdout for `-h`, on stderr for usage errors.
pub const USAGE_TEXT: &str = "\
usage: netstat [-vWeenNcCF] [<Af>] -r         netstat {-V|--version|-h|--help}
       netstat [-vWnNcaeol] [<Socket> ...]
       netstat { [-vWeenNac] -i | [-cnNe] -M | -s [-6tuw] }

        -r, --route              display routing table
        -i, --interfaces         display interface table
        -g, --groups             display multicast group memberships
        -s, --statistics         display networking statistics (like SNMP)
        -M, --masquerade         display masqueraded connections

        -v, --verbose            be verbose
        -W, --wide               don't truncate IP addresses
        -n, --numeric            don't resolve names
        --numeric-hosts          don't resolve host names
        --numeric-ports          don't resolve port names
        --numeric-users          don't resolve user names
        -N, --symbolic           resolve hardware names
        -e, --extend             display other/more information
        -p, --programs           display PID/Program name for sockets
        -o, --timers             display timers
        -c, --continuous         continuous listing

        -l, --listening          display listening server sockets
        -a, --all                display all sockets (default: connected)
        -F, --fib                display Forwarding Information Base (default)
        -C, --cache              display routing cache instead of FIB
        -Z, --context            display SELinux security context for sockets

  <Socket>={-t|--tcp} {-u|--udp} {-U|--udplite} {-S|--sctp} {-w|--raw}
           {-x|--unix} --ax25 --ipx --netrom
  <AF>=Use '-6|-4' or '-A <af>' or '--<af>'; default: inet
  List of possible address families (which support routing):
";

/// The routable address family list that follows the usage text; netstat
/// always writes it to stderr.
pub const AF_LIST_TEXT: &str = "    inet (DARPA Internet) inet6 (IPv6) ax25 (AMPR AX.25) \n    \
netrom (AMPR NET/ROM) rose (AMPR ROSE) ipx (Novell IPX) \n    \
ddp (Appletalk DDP) x25 (CCITT X.25) \n";

/// Exit status of usage errors (`E_OPTERR`).
const STATUS_OPTERR: i32 = 3;

/// Family flags that netstat keeps but that never reach the renderer.
#[derive(Default)]
struct HiddenFamilies {
    /// `flag_bluetooth` (`-A bluetooth`, `--bluetooth`).
    bluetooth: bool,
}

/// netstat's `aftrans_opt`: applies a comma separated family list.
/// On an unknown family, writes the message to `stderr` and returns `false`.
fn apply_families(
    arg: &[u8],
    opts: &mut NetstatOptions,
    hidden: &mut HiddenFamilies,
    stderr: &mut Vec<u8>,
) -> bool {
    // netstat copies the argument into a 256 byte buffer first.
    let arg = c_str(arg);
    let arg = arg.get(..arg.len().min(AF_BUFFER - 1)).unwrap_or(arg);
    for item in arg.split(|&b| b == b',') {
        let Some(&(_, name)) = AF_ALIASES.iter().find(|(alias, _)| *alias == item) else {
            push_all(stderr, &[b"Unknown address family `", item, b"'.\n"]);
            return false;
        };
        let list_len = opts.af_list.iter().map(|n| n.len() + 1).sum::<usize>();
        // The current list text is `list_len - 1` bytes long (or empty).
        if name.len() + list_len.saturating_sub(1) + 1 >= AF_BUFFER {
            stderr.extend_from_slice(b"Too much address family arguments.\n");
            return true;
        }
        match name {
            "ax25" => opts.ax25 = true,
            "inet" => opts.inet = true,
            "inet6" => opts.inet6 = true,
            "ipx" => opts.ipx = true,
            "rose" => opts.rose = true,
            "netrom" => opts.netrom = true,
            "unix" => opts.unix = true,
            "x25" => opts.x25 = true,
            "bluetooth" => hidden.bluetooth = true,
            // ddp, ec, ash: flags nothing else looks at.
            _ => {}
        }
        opts.af_list.push(name);
    }
    true
}

/// Increments a counter the way netstat's `flag_x++` does, without overflow.
fn bump(counter: &mut u32) {
    *counter = counter.saturating_add(1);
}

/// Parses netstat's arguments (those after `argv[0]`), exactly as netstat
/// 2.10 does under glibc 2.36 with `LC_ALL=C` and without `POSIXLY_CORRECT`.
///
/// Returns [`Parsed::Run`] with the resolved options when netstat would go
/// on to print something, or [`Parsed::Exit`] with netstat's exact stdout,
/// stderr and exit status when it stops while parsing: getopt errors, `-?`
/// and mode conflicts (usage on stderr, status 3), `-h`/`--help` (usage on
/// stdout, family list on stderr, 0), `-V`/`--version` (0), an unknown
/// address family (1) and `-Z` (SELinux is taken to be disabled, 1).
/// Messages netstat writes without stopping (`--tcpip`, an overlong family
/// list) are kept in [`NetstatOptions::parse_stderr`], and also lead the
/// stderr of an `Exit`.
pub fn parse<A: AsRef<[u8]>>(args: &[A]) -> Parsed {
    let mut opts = NetstatOptions {
        extend: 1,
        ..NetstatOptions::default()
    };
    let mut hidden = HiddenFamilies::default();
    let mut stderr = Vec::new();
    let mut getopt = Getopt::new(&SPEC, args.iter().map(|a| c_str(a.as_ref())).collect());

    let exit = |stdout: &[u8], stderr: Vec<u8>, status: i32| Parsed::Exit {
        stdout: stdout.to_vec(),
        stderr,
        status,
    };
    let usage_error = |mut stderr: Vec<u8>| {
        stderr.extend_from_slice(USAGE_TEXT.as_bytes());
        stderr.extend_from_slice(AF_LIST_TEXT.as_bytes());
        exit(b"", stderr, STATUS_OPTERR)
    };

    while let Some(got) = getopt.next(&mut stderr) {
        let family = match got.code {
            AF_OPTION => match got.long_index {
                Some(index) if index < AF_OPTION_COUNT => LONG_OPTIONS.get(index).map(|o| o.name),
                _ => {
                    stderr.extend_from_slice(b"netstat.c: Internal Error `longopts 1 range'.\n");
                    None
                }
            },
            b'A' => Some(got.optarg),
            b'4' => Some(b"inet".as_slice()),
            b'6' => Some(b"inet6".as_slice()),
            b'x' => Some(b"unix".as_slice()),
            b'M' => {
                bump(&mut opts.masquerade);
                None
            }
            b'a' => {
                bump(&mut opts.all);
                None
            }
            b'l' => {
                bump(&mut opts.listening);
                None
            }
            b'c' => {
                bump(&mut opts.continuous);
                None
            }
            b'g' => {
                bump(&mut opts.groups);
                None
            }
            b'e' => {
                bump(&mut opts.extend);
                None
            }
            b'p' => {
                bump(&mut opts.programs);
                None
            }
            b'i' => {
                bump(&mut opts.interfaces);
                None
            }
            b'W' => {
                bump(&mut opts.wide);
                None
            }
            b'o' => {
                bump(&mut opts.timers);
                None
            }
            b'r' => {
                bump(&mut opts.route);
                None
            }
            b's' => {
                bump(&mut opts.statistics);
                None
            }
            b'n' => {
                opts.numeric_hosts = true;
                opts.numeric_ports = true;
                opts.numeric_users = true;
                None
            }
            b'!' => {
                opts.numeric_hosts = true;
                None
            }
            b'@' => {
                opts.numeric_ports = true;
                None
            }
            b'#' => {
                opts.numeric_users = true;
                None
            }
            b'N' => {
                opts.symbolic = true;
                None
            }
            b'C' => {
                opts.cache = true;
                None
            }
            b'F' => {
                opts.fib = true;
                None
            }
            b'v' => {
                opts.verbose = true;
                None
            }
            b't' => {
                opts.tcp = true;
                None
            }
            b'S' => {
                opts.sctp = true;
                None
            }
            b'u' => {
                opts.udp = true;
                None
            }
            b'U' => {
                opts.udplite = true;
                None
            }
            b'w' => {
                opts.raw = true;
                None
            }
            b'2' => {
                opts.l2cap = true;
                None
            }
            b'f' => {
                opts.rfcomm = true;
                None
            }
            b'V' => return exit(VERSION_TEXT.as_bytes(), stderr, 0),
            b'Z' => {
                stderr.extend_from_slice(b"SELinux is not enabled on this machine.\n");
                return exit(b"", stderr, 1);
            }
            b'h' => {
                stderr.extend_from_slice(AF_LIST_TEXT.as_bytes());
                return exit(USAGE_TEXT.as_bytes(), stderr, 0);
            }
            // `-d` (debug counter, unused) and nothing else is left.
            b'd' => None,
            _ => return usage_error(stderr),
        };
        if let Some(family) = family
            && !apply_families(family, &mut opts, &mut hidden, &mut stderr)
        {
            return exit(b"", stderr, 1);
        }
    }

    let modes = [
        opts.interfaces,
        opts.route,
        opts.masquerade,
        opts.statistics,
    ];
    if modes.iter().map(|&n| u64::from(n)).sum::<u64>() > 1 {
        return usage_error(stderr);
    }

    let any_protocol = opts.tcp || opts.sctp || opts.udp || opts.udplite || opts.raw;
    if (opts.inet || opts.inet6 || opts.statistics > 0) && !any_protocol {
        opts.no_protocol = true;
        opts.tcp = true;
        opts.sctp = true;
        opts.udp = true;
        opts.udplite = true;
        opts.raw = true;
    }
    let any_protocol = opts.tcp || opts.sctp || opts.udp || opts.udplite || opts.raw;
    if (any_protocol || opts.groups > 0) && !(opts.inet || opts.inet6) {
        opts.inet = true;
        opts.inet6 = true;
    }
    if hidden.bluetooth && !(opts.l2cap || opts.rfcomm) {
        opts.l2cap = true;
        opts.rfcomm = true;
    }

    opts.parse_stderr = stderr;
    Parsed::Run(opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits a command line on spaces (none of the test lines needs quoting).
    fn words(line: &str) -> Vec<&str> {
        line.split(' ').filter(|w| !w.is_empty()).collect()
    }

    fn run(line: &str) -> NetstatOptions {
        match parse(&words(line)) {
            Parsed::Run(opts) => opts,
            Parsed::Exit { stderr, .. } => {
                panic!(
                    "{line:?}: expected Run, got {}",
                    String::from_utf8_lossy(&stderr)
                )
            }
        }
    }

    fn exit_of<A: AsRef<[u8]>>(args: &[A]) -> (String, String, i32) {
        match parse(args) {
            Parsed::Exit {
                stdout,
                stderr,
                status,
            } => (
                String::from_utf8_lossy(&stdout).into_owned(),
                String::from_utf8_lossy(&stderr).into_owned(),
                status,
            ),
            Parsed::Run(opts) => panic!("expected Exit, got {opts:?}"),
        }
    }

    fn exit(line: &str) -> (String, String, i32) {
        exit_of(&words(line))
    }

    /// A usage error: `message` (possibly empty) then usage, all on stderr.
    fn usage_error(message: &str) -> (String, String, i32) {
        (
            String::new(),
            format!("{message}{USAGE_TEXT}{AF_LIST_TEXT}"),
            3,
        )
    }

    #[test]
    fn defaults() {
        let o = run("");
        assert_eq!(
            o,
            NetstatOptions {
                extend: 1,
                ..NetstatOptions::default()
            }
        );
        assert!(!o.any_requested());
    }

    #[test]
    fn tulpn() {
        let o = run("-tulpn");
        assert!(o.tcp && o.udp && !o.udplite && !o.sctp && !o.raw && !o.unix);
        assert!(o.inet && o.inet6 && !o.no_protocol);
        assert_eq!((o.listening, o.programs, o.all), (1, 1, 0));
        assert!(o.numeric_hosts && o.numeric_ports && o.numeric_users);
        assert!(o.af_list.is_empty() && o.parse_stderr.is_empty());
        assert!(o.any_requested());
        assert_eq!(run("-t -u -l -p -n"), o);
        assert_eq!(run("--tcp --udp --listening --programs --numeric"), o);
        assert_eq!(run("--tcp --udp --listen --prog --numeric"), o);
    }

    #[test]
    fn families() {
        let o = run("-A inet,unix");
        assert_eq!(o.af_list, ["inet", "unix"]);
        assert!(o.inet && !o.inet6 && o.unix && o.no_protocol);
        assert!(o.tcp && o.sctp && o.udp && o.udplite && o.raw);
        assert_eq!(run("-Ainet,unix"), o);
        assert_eq!(run("--protocol=inet,unix"), o);
        assert_eq!(run("--protocol inet,unix"), o);
        assert_eq!(run("--proto ip,unix"), o);
        assert_eq!(run("-4 -x"), o);
        assert_eq!(run("--inet --unix"), o);
        assert_eq!(run("--ine --unix"), o);

        assert_eq!(run("-4 -6").af_list, ["inet", "inet6"]);
        assert_eq!(run("-6 -4").af_list, ["inet6", "inet"]);
        assert_eq!(run("-64").af_list, ["inet6", "inet"]);
        assert_eq!(run("-A inet -A inet").af_list, ["inet", "inet"]);
        assert_eq!(run("-A tcpip,ip6,ip").af_list, ["inet", "inet6", "inet"]);
        assert_eq!(
            run("-A appletalk,ddp,econet,ash,x25,ax25,netrom,rose,ipx").af_list,
            [
                "ddp", "ddp", "ec", "ash", "x25", "ax25", "netrom", "rose", "ipx"
            ]
        );
        let o = run("-A ddp");
        assert!(!o.any_requested() && !o.inet && !o.tcp);
        let o = run("--x25 --ax25 --netrom --rose --ipx --appletalk");
        assert!(o.x25 && o.ax25 && o.netrom && o.rose && o.ipx && !o.inet);
        assert_eq!(o.af_list, ["x25", "ax25", "netrom", "rose", "ipx", "ddp"]);

        let o = run("-6 -t");
        assert!(o.tcp && !o.udp && o.inet6 && !o.inet && !o.no_protocol);
        assert_eq!(o.af_list, ["inet6"]);
    }

    #[test]
    fn bluetooth() {
        let o = run("-A bluetooth");
        assert!(o.l2cap && o.rfcomm && o.any_requested());
        assert_eq!(o.af_list, ["bluetooth"]);
        let o = run("--bluetooth -2");
        assert!(o.l2cap && !o.rfcomm);
        let o = run("-f");
        assert!(!o.l2cap && o.rfcomm && !o.inet);
        assert!(run("--l2cap").l2cap && run("--rfcomm").rfcomm);
    }

    #[test]
    fn numeric_and_counts() {
        let o = run("--numeric-hosts");
        assert!(o.numeric_hosts && !o.numeric_ports && !o.numeric_users);
        let o = run("--numeric-p --numeric-u");
        assert!(!o.numeric_hosts && o.numeric_ports && o.numeric_users);
        assert!(run("-N").symbolic && run("--sym").symbolic);

        assert_eq!(run("-ee").extend, 3);
        assert_eq!(run("-e --extend").extend, 3);
        assert_eq!(run("-aalll").all, 2);
        assert_eq!(run("-aalll").listening, 3);
        assert_eq!(run("-ppoooccWWWW").programs, 2);
        assert_eq!(run("-ppoooccWWWW").timers, 3);
        assert_eq!(run("-ppoooccWWWW").continuous, 2);
        assert_eq!(run("-ppoooccWWWW").wide, 4);
    }

    #[test]
    fn modes() {
        let o = run("-rn");
        assert_eq!(o.route, 1);
        assert!(o.numeric_hosts && o.numeric_ports && o.numeric_users);
        assert!(!o.tcp && !o.inet && o.af_list.is_empty());
        let o = run("-rCF");
        assert!(o.cache && o.fib);

        let o = run("-s");
        assert_eq!(o.statistics, 1);
        assert!(o.no_protocol && o.tcp && o.sctp && o.udp && o.udplite && o.raw);
        assert!(o.inet && o.inet6);
        let o = run("-st");
        assert!(!o.no_protocol && o.tcp && !o.udp);

        let o = run("-x -t");
        assert!(o.unix && o.tcp && !o.udp && o.inet && o.inet6 && !o.no_protocol);
        assert_eq!(o.af_list, ["unix"]);

        let o = run("-g");
        assert_eq!(o.groups, 1);
        assert!(o.inet && o.inet6 && !o.tcp && o.any_requested());

        let o = run("-v");
        assert!(o.verbose && !o.any_requested());
        assert_eq!(run("-i").interfaces, 1);
        assert_eq!(run("-M").masquerade, 1);
        assert_eq!(run("--int -d").interfaces, 1);
        assert_eq!(run("--rou -d").route, 1);
    }

    #[test]
    fn non_options_and_double_dash() {
        assert_eq!(run("foo -t bar"), run("-t"));
        assert_eq!(run("- -t"), run("-t"));
        assert_eq!(run("-t -- -k --bogus"), run("-t"));
        assert_eq!(run("-A inet -- -A foo"), run("-4"));
        // The argument of -A is taken even when it looks like an option.
        assert_eq!(
            exit("-A -t"),
            (String::new(), "Unknown address family `-t'.\n".into(), 1)
        );
        assert_eq!(
            exit("-A --"),
            (String::new(), "Unknown address family `--'.\n".into(), 1)
        );
    }

    #[test]
    fn version_and_help() {
        let version = (VERSION_TEXT.to_string(), String::new(), 0);
        assert_eq!(exit("-V"), version);
        assert_eq!(exit("--version"), version);
        assert_eq!(exit("-V -k"), version);
        assert_eq!(exit("-tV"), version);
        assert_eq!(exit("-i -r -V"), version);
        assert_eq!(
            exit("-k -V"),
            usage_error("netstat: invalid option -- 'k'\n")
        );

        let help = (USAGE_TEXT.to_string(), AF_LIST_TEXT.to_string(), 0);
        assert_eq!(exit("-h"), help);
        assert_eq!(exit("--help"), help);
        assert_eq!(exit("--he -k"), help);
        assert_eq!(exit("-i -r -h"), help);
        assert_eq!(exit("-?"), usage_error(""));
        assert_eq!(exit("-t?"), usage_error(""));
        assert_eq!(exit("-?h"), usage_error(""));
        assert_eq!(exit("-h?"), help);
    }

    #[test]
    fn getopt_errors() {
        let cases = [
            ("-k", "netstat: invalid option -- 'k'\n"),
            ("-T", "netstat: invalid option -- 'T'\n"),
            ("-tulpnk", "netstat: invalid option -- 'k'\n"),
            ("-:", "netstat: invalid option -- ':'\n"),
            ("-;", "netstat: invalid option -- ';'\n"),
            ("-A", "netstat: option requires an argument -- 'A'\n"),
            ("-tA", "netstat: option requires an argument -- 'A'\n"),
            ("--bogus", "netstat: unrecognized option '--bogus'\n"),
            ("--bogus=1", "netstat: unrecognized option '--bogus=1'\n"),
            (
                "--tcp=x",
                "netstat: option '--tcp' doesn't allow an argument\n",
            ),
            (
                "--tcpi=",
                "netstat: option '--tcpip' doesn't allow an argument\n",
            ),
            (
                "--ine=x",
                "netstat: option '--inet' doesn't allow an argument\n",
            ),
            (
                "--unix=1",
                "netstat: option '--unix' doesn't allow an argument\n",
            ),
            (
                "--protocol",
                "netstat: option '--protocol' requires an argument\n",
            ),
            (
                "--prot",
                "netstat: option '--protocol' requires an argument\n",
            ),
            (
                "--in",
                "netstat: option '--in' is ambiguous; possibilities: '--inet' '--interfaces'\n",
            ),
            (
                "--in=3",
                "netstat: option '--in=3' is ambiguous; possibilities: '--inet' '--interfaces'\n",
            ),
            (
                "--u",
                "netstat: option '--u' is ambiguous; possibilities: \
                 '--unix' '--udp' '--udplite' '--unix'\n",
            ),
            (
                "--uni",
                "netstat: option '--uni' is ambiguous; possibilities: '--unix' '--unix'\n",
            ),
            (
                "--tc=x",
                "netstat: option '--tc=x' is ambiguous; possibilities: '--tcpip' '--tcp'\n",
            ),
            (
                "--r",
                "netstat: option '--r' is ambiguous; possibilities: \
                 '--rose' '--route' '--raw' '--rfcomm'\n",
            ),
            (
                "--numeric-",
                "netstat: option '--numeric-' is ambiguous; possibilities: \
                 '--numeric-hosts' '--numeric-ports' '--numeric-users'\n",
            ),
        ];
        for (line, message) in cases {
            assert_eq!(exit(line), usage_error(message), "{line}");
        }
        // Processing stops at the first error.
        assert_eq!(
            exit("-k -A foo"),
            usage_error("netstat: invalid option -- 'k'\n")
        );
        assert_eq!(exit("-kj"), usage_error("netstat: invalid option -- 'k'\n"));
        // Bytes are reported as they are.
        assert_eq!(
            parse(&[b"-\xff".as_slice()]),
            Parsed::Exit {
                stdout: Vec::new(),
                stderr: [
                    b"netstat: invalid option -- '\xff'\n".as_slice(),
                    USAGE_TEXT.as_bytes(),
                    AF_LIST_TEXT.as_bytes()
                ]
                .concat(),
                status: 3,
            }
        );
    }

    #[test]
    fn conflicts() {
        for line in [
            "-i -r",
            "-ri",
            "-rr",
            "-ii",
            "-MM",
            "-s -r",
            "-M -i",
            "-ss",
            "--route -r",
        ] {
            assert_eq!(exit(line), usage_error(""), "{line}");
        }
    }

    #[test]
    fn family_errors() {
        let unknown = |name: &str| {
            (
                String::new(),
                format!("Unknown address family `{name}'.\n"),
                1,
            )
        };
        assert_eq!(exit("-A foo"), unknown("foo"));
        assert_eq!(exit("-Afoo -k"), unknown("foo"));
        assert_eq!(exit("-A inet,foo,unix"), unknown("foo"));
        assert_eq!(exit("-A inet,"), unknown(""));
        assert_eq!(exit("--protocol="), unknown(""));
        assert_eq!(exit("--protocol=inet=x"), unknown("inet=x"));
        assert_eq!(exit("-A INET"), unknown("INET"));
        assert_eq!(exit("-A ec"), unknown("ec"));
        assert_eq!(exit_of(&["-A", ""]), unknown(""));
        // The argument is cut to 255 bytes first.
        let long = "x".repeat(300);
        assert_eq!(exit_of(&["-A", long.as_str()]), unknown(&long[..255]));
        let list = "inet,".repeat(60);
        assert_eq!(exit_of(&["-A", list.as_str()]), unknown(""));
    }

    #[test]
    fn selinux_and_internal_error() {
        let selinux = (
            String::new(),
            "SELinux is not enabled on this machine.\n".to_string(),
            1,
        );
        assert_eq!(exit("-Z"), selinux);
        assert_eq!(exit("--context -k"), selinux);
        assert_eq!(exit("-tZ"), selinux);

        let internal = "netstat.c: Internal Error `longopts 1 range'.\n";
        let o = run("--tcpip");
        assert_eq!(o.parse_stderr, internal.as_bytes());
        assert!(o.af_list.is_empty() && !o.inet);
        assert_eq!(
            exit("--tcpip -k"),
            usage_error(&format!("{internal}netstat: invalid option -- 'k'\n"))
        );
        assert_eq!(
            exit("--tcpip -V"),
            (VERSION_TEXT.to_string(), internal.to_string(), 0)
        );
    }

    #[test]
    fn too_many_families() {
        let args = vec!["-4"; 52];
        let o = match parse(&args) {
            Parsed::Run(o) => o,
            other => panic!("{other:?}"),
        };
        assert_eq!(o.af_list.len(), 51);
        assert_eq!(o.parse_stderr, b"Too much address family arguments.\n");
        assert!(matches!(parse(&vec!["-4"; 51]), Parsed::Run(o) if o.parse_stderr.is_empty()));
    }

    /// Odd command lines for the differential check, split on spaces.
    const ODD_LINES: &[&str] = &[
        // Invalid short options, alone, clustered and positioned.
        "-k",
        "-T",
        "-I",
        "-L",
        "-P",
        "-b",
        "-m",
        "-tulpnk",
        "-kj",
        "-:",
        "-;",
        "-!",
        "-?",
        "-t?",
        "-?k",
        "-k?",
        "-n -t -k",
        // -V / -h positions.
        "-V",
        "--version",
        "--vers",
        "-V -k",
        "-k -V",
        "-tV",
        "-i -r -V",
        "-V -i -r",
        "-h",
        "--help",
        "--he",
        "-h -k",
        "-k -h",
        "-h?",
        "-?h",
        "-i -r -h",
        "--help=1",
        "--version=1",
        // -A attached, detached, missing, bad.
        "-A",
        "-tA",
        "-A foo",
        "-Afoo",
        "-Afoo -k",
        "-k -A foo",
        "-A inet,foo",
        "-A inet,",
        "-A ,inet",
        "-A ,",
        "-A INET",
        "-A ec",
        "-A -t",
        "-A --",
        "-A inet -A foo",
        "-A inet -k",
        "-A unix -V",
        "-Ainet -V",
        // --protocol.
        "--protocol",
        "--prot",
        "--protocol=",
        "--protocol=foo",
        "--protocol foo",
        "--protocol=inet=x",
        "--protocol -V",
        "--proto=inet -V",
        // Long option prefixes, ambiguity, arguments.
        "--in",
        "--in=3",
        "--u",
        "--uni",
        "--un",
        "--i",
        "--n",
        "--nu",
        "--numeric-",
        "--p",
        "--pro",
        "--r",
        "--ro",
        "--s",
        "--t",
        "--c",
        "--a",
        "--l",
        "--cont",
        "--=x",
        "--tcp=x",
        "--tc=x",
        "--tcpi=x",
        "--ine=x",
        "--inet=x",
        "--inet6=x",
        "--unix=1",
        "--x25=1",
        "--ip=1",
        "--bogus",
        "--bogus=1",
        "--TCP",
        "--numeric-h -k",
        "--masq -k",
        "--ap -k",
        // -Z.
        "-Z",
        "--context",
        "--conte",
        "-tZ",
        "-Z -V",
        "-V -Z",
        "-A inet -Z",
        // Mode conflicts.
        "-i -r",
        "-ri",
        "-rr",
        "-ii",
        "-MM",
        "-ss",
        "-s -r",
        "-M -i",
        "--route -r",
        "-r -i -k",
        "-r -i -A foo",
        // --tcpip.
        "--tcpip -k",
        "--tcpip -V",
        "--tcpip -h",
        "--tcpip -i -r",
        "-tcpip -k",
        // Non-option arguments, - and --.
        "foo -k",
        "foo bar -V",
        "- -k",
        "-W foo -k",
        "-W -k",
        "-Wk",
        "-- -k",
        "-n -- -k",
        "foo -- -k",
        "-k -- -V",
        "-6x -k",
        "-4 -k",
        // Lines netstat runs (checked to be Run, not compared byte for byte).
        "-rn",
        "-rn -A inet -A inet",
        "-tn",
        "-tulpn",
        "-s",
        "-st",
        "-s -6",
        "-s -A unix",
        "-in",
        "-gn",
        "-n --ra",
        "-n -d -t",
        "-n foo bar -t",
        "-n -- -k",
        "-n -W foo",
        "-2",
        "-f",
        "-A bluetooth",
        "-rn -A unix",
        "-M",
        "--tcpip -tn",
        "-A inet,inet6 -n",
        "-A ddp -n",
        "--numeric-hosts --numeric-ports -t",
    ];

    /// Texts that only netstat's option parsing produces.
    const PARSE_ONLY_TEXTS: &[&str] = &[
        "usage: netstat",
        "invalid option",
        "unrecognized option",
        "is ambiguous",
        "requires an argument",
        "doesn't allow an argument",
        "Unknown address family",
        "SELinux is not enabled",
    ];

    /// Runs the real netstat as `netstat` (C locale, permuting getopt),
    /// killing it after 20 seconds. Returns stdout, stderr and the exit
    /// status (-1 when killed).
    fn real_netstat(args: &[Vec<u8>]) -> (Vec<u8>, Vec<u8>, i32) {
        use std::io::Read;
        use std::os::unix::ffi::OsStrExt;
        use std::os::unix::process::CommandExt;
        use std::process::{Command, Stdio};
        use std::time::{Duration, Instant};

        let mut child = Command::new("/usr/bin/netstat")
            .arg0("netstat")
            .args(args.iter().map(|a| std::ffi::OsStr::from_bytes(a)))
            .env("LC_ALL", "C")
            .env_remove("POSIXLY_CORRECT")
            .env_remove("LANGUAGE")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start /usr/bin/netstat");
        let reader = |pipe: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                if let Some(mut pipe) = pipe {
                    pipe.read_to_end(&mut buf).expect("read netstat output");
                }
                buf
            })
        };
        let out = reader(
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let err = reader(
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for netstat") {
                break status.code().unwrap_or(-1);
            }
            if Instant::now() > deadline {
                child.kill().expect("kill netstat");
                child.wait().expect("reap netstat");
                break -1;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        (
            out.join().expect("stdout reader"),
            err.join().expect("stderr reader"),
            status,
        )
    }

    #[test]
    fn differential_against_real_netstat() {
        if !std::path::Path::new("/usr/bin/netstat").exists()
            || !std::path::Path::new("/usr/bin/timeout").exists()
        {
            eprintln!("no /usr/bin/netstat here: differential check skipped");
            return;
        }
        let mut lines: Vec<Vec<Vec<u8>>> = ODD_LINES
            .iter()
            .map(|l| words(l).iter().map(|w| w.as_bytes().to_vec()).collect())
            .collect();
        let extra: [&[&[u8]]; 10] = [
            &[b"-A", b""],
            &[b"-A", b"inet unix"],
            &[b"--protocol", b""],
            &[b"-\xff"],
            &[b"--\xc3\xbc"],
            &[b""],
            &[b"", b"-k"],
            &[b"-A", &[b'x'; 300]],
            &[b"-A", b"inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,inet,"],
            &[b"-A", b"bluetooth", b"-k"],
        ];
        lines.extend(extra.iter().map(|l| l.iter().map(|w| w.to_vec()).collect()));
        let mut many: Vec<Vec<u8>> = vec![b"-4".to_vec(); 53];
        many.push(b"-k".to_vec());
        lines.push(many);
        let mut many: Vec<Vec<u8>> = vec![b"-x".to_vec(); 60];
        many.push(b"-V".to_vec());
        lines.push(many);

        let (mut exits, mut runs) = (0, 0);
        let mut failures = Vec::new();
        for line in &lines {
            let shown = line
                .iter()
                .map(|w| String::from_utf8_lossy(w).into_owned())
                .collect::<Vec<_>>()
                .join(" ");
            let (real_out, real_err, status) = real_netstat(line);
            match parse(line) {
                Parsed::Exit {
                    stdout,
                    stderr,
                    status: ours,
                } => {
                    if (stdout.as_slice(), stderr.as_slice(), ours)
                        == (real_out.as_slice(), real_err.as_slice(), status)
                    {
                        exits += 1;
                    } else {
                        failures.push(format!(
                            "{shown:?}: real status {status} stdout {:?} stderr {:?}; \
                             ours status {ours} stdout {:?} stderr {:?}",
                            String::from_utf8_lossy(&real_out),
                            String::from_utf8_lossy(&real_err),
                            String::from_utf8_lossy(&stdout),
                            String::from_utf8_lossy(&stderr),
                        ));
                    }
                }
                Parsed::Run(opts) => {
                    let out = String::from_utf8_lossy(&real_out);
                    let err = String::from_utf8_lossy(&real_err);
                    let parse_only = PARSE_ONLY_TEXTS
                        .iter()
                        .any(|t| out.contains(t) || err.contains(t))
                        || out.starts_with("net-tools 2.10\n");
                    if real_err.starts_with(&opts.parse_stderr) && !parse_only && status != -1 {
                        runs += 1;
                    } else {
                        failures.push(format!(
                            "{shown:?}: ours Run, real status {status} stdout {out:?} stderr {err:?}"
                        ));
                    }
                }
            }
        }
        eprintln!(
            "differential: {} lines, {exits} exits identical, {runs} runs consistent, {} failures",
            lines.len(),
            failures.len()
        );
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert!(exits + runs >= 80);
    }
}
