//! The few things the collector can only learn by calling libc.
//!
//! This is the only module with `unsafe` code.
//! Every call here is a plain libc function with owned, correctly sized buffers, and every pointer the C library returns is checked for null before it is read.
#![allow(unsafe_code)]

use std::ffi::CStr;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::atomic::{AtomicI32, AtomicPtr, Ordering};

/// `sysconf(_SC_CLK_TCK)`, the USER_HZ that `/proc` times are counted in.
pub fn user_hz() -> i64 {
    // SAFETY: sysconf takes an integer and touches no memory of ours.
    // c_long is i64 or i32 depending on the target: widen without loss either way.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    hz as i64
}

/// The effective user id of this process.
pub fn euid() -> u32 {
    // SAFETY: geteuid cannot fail and touches no memory of ours.
    unsafe { libc::geteuid() }
}

/// The parts of `uname(2)` the manifest records.
pub struct Uname {
    pub nodename: String,
    pub release: String,
    pub machine: String,
}

pub fn uname() -> io::Result<Uname> {
    // SAFETY: utsname is plain old data, so all zeroes is a valid value.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: u is a valid, writable utsname.
    if unsafe { libc::uname(&mut u) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(Uname {
        nodename: c_field(&u.nodename),
        release: c_field(&u.release),
        machine: c_field(&u.machine),
    })
}

/// Text of a fixed-size C string field; the kernel NUL-terminates these, and a field without NUL is taken whole.
fn c_field(field: &[libc::c_char]) -> String {
    let bytes: Vec<u8> = field
        .iter()
        .map(|&c| c as u8)
        .take_while(|&b| b != 0)
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The signal that asked us to stop, 0 while none has arrived.
static SIGNAL: AtomicI32 = AtomicI32::new(0);

/// The temporary snapshot file (a leaked NUL-terminated path), null while there is none.
/// The handler removes it itself when a second signal arrives, and so does the panic hook.
static CLEANUP: AtomicPtr<libc::c_char> = AtomicPtr::new(std::ptr::null_mut());

/// What the handler writes before exiting on a second signal.
const AGAIN: &[u8] = b"netsnap-collect: interrupted again, no snapshot written\n";

extern "C" fn on_signal(sig: libc::c_int) {
    // The first signal only sets the flag (an atomic store is async-signal-safe); the collector checks it between entries and stops cleanly.
    if SIGNAL
        .compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst)
        .is_ok()
    {
        return;
    }
    // A second one means the collector did not stop in time (a read that blocks, a slow disk):
    // remove the temporary file and exit at once, with only async-signal-safe calls.
    remove_cleanup_file();
    // SAFETY: write and _exit are async-signal-safe; AGAIN is a valid buffer of its length.
    unsafe {
        libc::write(2, AGAIN.as_ptr().cast(), AGAIN.len());
        libc::_exit(128 + sig);
    }
}

/// Makes SIGINT, SIGTERM and SIGHUP only set a flag, which the collector checks between entries;
/// a second such signal removes the temporary file and exits at once.
/// A signal ignored from the start (SIGHUP under `nohup`, SIGINT of a background job of a script) stays ignored.
pub fn install_signal_handlers() -> io::Result<()> {
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: sigaction is plain old data, so all zeroes is a valid value.
        let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
        // SAFETY: a null new action only asks for the current one, written to the valid `old`.
        if unsafe { libc::sigaction(sig, std::ptr::null(), &mut old) } != 0 {
            return Err(io::Error::last_os_error());
        }
        if old.sa_sigaction == libc::SIG_IGN {
            continue;
        }
        // SAFETY: sigaction is plain old data, so all zeroes is a valid value.
        let mut sa: libc::sigaction = unsafe { std::mem::zeroed() };
        sa.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        sa.sa_flags = libc::SA_RESTART;
        // SAFETY: sa is a valid sigaction; its mask is a valid sigset_t to empty.
        unsafe { libc::sigemptyset(&mut sa.sa_mask) };
        // SAFETY: sa is fully initialised and the old action is not asked for.
        if unsafe { libc::sigaction(sig, &sa, std::ptr::null_mut()) } != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// The number of the signal that has arrived, if any.
pub fn pending_signal() -> Option<i32> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        sig => Some(sig),
    }
}

/// Names the file that a second signal or a panic must remove (None once it is committed or removed).
/// The previous path is leaked rather than freed: the handler may be reading it; there is one per run.
pub fn set_cleanup_file(path: Option<&std::path::Path>) {
    use std::os::unix::ffi::OsStrExt;
    let ptr = path
        .and_then(|p| std::ffi::CString::new(p.as_os_str().as_bytes()).ok())
        .map_or(std::ptr::null_mut(), std::ffi::CString::into_raw);
    CLEANUP.store(ptr, Ordering::SeqCst);
}

/// Removes the file named by [`set_cleanup_file`], if any (async-signal-safe: one atomic swap and `unlink`).
pub fn remove_cleanup_file() {
    let path = CLEANUP.swap(std::ptr::null_mut(), Ordering::SeqCst);
    if !path.is_null() {
        // SAFETY: path came from CString::into_raw and is never freed, so it is a valid NUL-terminated string.
        unsafe { libc::unlink(path) };
    }
}

/// One `getifaddrs` answer, all addresses in numeric text.
pub struct IfAddr {
    pub name: String,
    pub family: &'static str,
    pub address: Option<String>,
    pub netmask: Option<String>,
    pub broadcast: Option<String>,
    pub destination: Option<String>,
    pub flags: u32,
}

/// The interface addresses as `getifaddrs(3)` lists them, in its order; entries of other families than inet, inet6 and packet are left out.
pub fn interface_addresses() -> io::Result<Vec<IfAddr>> {
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: head is a valid place for the list pointer.
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let mut out = Vec::new();
    let mut cur = head;
    while !cur.is_null() {
        // SAFETY: cur is a non-null node of the list getifaddrs built, alive until freeifaddrs.
        let ifa = unsafe { &*cur };
        cur = ifa.ifa_next;
        let Some((family, address)) = sockaddr_text(ifa.ifa_addr) else {
            continue;
        };
        let name = if ifa.ifa_name.is_null() {
            String::new()
        } else {
            // SAFETY: ifa_name is a non-null NUL-terminated string owned by the list.
            unsafe { CStr::from_ptr(ifa.ifa_name) }
                .to_string_lossy()
                .into_owned()
        };
        let flags = ifa.ifa_flags;
        let other = sockaddr_text(ifa.ifa_ifu).map(|(_, text)| text);
        let (broadcast, destination) = if flags & libc::IFF_POINTOPOINT as u32 != 0 {
            (None, other)
        } else if flags & libc::IFF_BROADCAST as u32 != 0 {
            (other, None)
        } else {
            (None, None)
        };
        out.push(IfAddr {
            name,
            family,
            address: Some(address),
            netmask: sockaddr_text(ifa.ifa_netmask).map(|(_, text)| text),
            broadcast,
            destination,
            flags,
        });
    }
    // SAFETY: head came from getifaddrs and is freed exactly once; no reference into it outlives this.
    unsafe { libc::freeifaddrs(head) };
    Ok(out)
}

/// Family name and numeric text of a socket address, or None for a null pointer or another family.
/// A link-level address without bytes gives an empty text.
fn sockaddr_text(sa: *const libc::sockaddr) -> Option<(&'static str, String)> {
    if sa.is_null() {
        return None;
    }
    // SAFETY: sa is non-null and points at least at a sockaddr header.
    let family = i32::from(unsafe { (*sa).sa_family });
    match family {
        libc::AF_INET => {
            // SAFETY: a sockaddr of family AF_INET is a sockaddr_in.
            let sin = unsafe { &*(sa as *const libc::sockaddr_in) };
            let ip = Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes());
            Some(("inet", ip.to_string()))
        }
        libc::AF_INET6 => {
            // SAFETY: a sockaddr of family AF_INET6 is a sockaddr_in6.
            let sin6 = unsafe { &*(sa as *const libc::sockaddr_in6) };
            Some(("inet6", Ipv6Addr::from(sin6.sin6_addr.s6_addr).to_string()))
        }
        libc::AF_PACKET => {
            // SAFETY: a sockaddr of family AF_PACKET is a sockaddr_ll.
            let sll = unsafe { &*(sa as *const libc::sockaddr_ll) };
            let len = usize::from(sll.sll_halen).min(sll.sll_addr.len());
            let text: Vec<String> = sll.sll_addr[..len]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            Some(("packet", text.join(":")))
        }
        _ => None,
    }
}

/// The host name that reverse DNS gives for `ip` (`getnameinfo` with `NI_NAMEREQD`), or None.
pub fn reverse_lookup(ip: IpAddr) -> Option<String> {
    let mut host = [0 as libc::c_char; 1025];
    let rc = match ip {
        IpAddr::V4(v4) => {
            // SAFETY: sockaddr_in is plain old data, so all zeroes is a valid value.
            let mut sin: libc::sockaddr_in = unsafe { std::mem::zeroed() };
            sin.sin_family = libc::AF_INET as libc::sa_family_t;
            sin.sin_addr.s_addr = u32::from_ne_bytes(v4.octets());
            // SAFETY: sin is a valid sockaddr_in of the length given; host is writable for its length.
            unsafe {
                libc::getnameinfo(
                    (&sin as *const libc::sockaddr_in).cast(),
                    std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
                    host.as_mut_ptr(),
                    host.len() as libc::socklen_t,
                    std::ptr::null_mut(),
                    0,
                    libc::NI_NAMEREQD,
                )
            }
        }
        IpAddr::V6(v6) => {
            // SAFETY: sockaddr_in6 is plain old data, so all zeroes is a valid value.
            let mut sin6: libc::sockaddr_in6 = unsafe { std::mem::zeroed() };
            sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
            sin6.sin6_addr.s6_addr = v6.octets();
            // SAFETY: sin6 is a valid sockaddr_in6 of the length given; host is writable for its length.
            unsafe {
                libc::getnameinfo(
                    (&sin6 as *const libc::sockaddr_in6).cast(),
                    std::mem::size_of::<libc::sockaddr_in6>() as libc::socklen_t,
                    host.as_mut_ptr(),
                    host.len() as libc::socklen_t,
                    std::ptr::null_mut(),
                    0,
                    libc::NI_NAMEREQD,
                )
            }
        }
    };
    if rc != 0 {
        return None;
    }
    let name = c_field(&host);
    (!name.is_empty()).then_some(name)
}

/// `SIOCDEVPRIVATE + 1`: the SLIP driver's keepalive query.
const SIOCGKEEPALIVE: u32 = 0x89F1;
/// `SIOCDEVPRIVATE + 3`: the SLIP driver's outfill query.
const SIOCGOUTFILL: u32 = 0x89F3;

/// ARPHRD values of the SLIP family, the only devices netstat asks for outfill and keepalive.
const SLIP_TYPES: [u16; 5] = [256, 257, 258, 259, 264];

/// `SIOCGIFMAP`'s answer.
#[derive(Clone, Copy, Default)]
pub struct IfMap {
    pub mem_start: u64,
    pub mem_end: u64,
    pub base_addr: u16,
    pub irq: u8,
    pub dma: u8,
    pub port: u8,
}

/// The IPv4 answers for one label; the three others are asked only after `SIOCGIFADDR` succeeded.
pub struct IfInet {
    pub addr: io::Result<Ipv4Addr>,
    pub dstaddr: Option<io::Result<Ipv4Addr>>,
    pub broadaddr: Option<io::Result<Ipv4Addr>>,
    pub netmask: Option<io::Result<Ipv4Addr>>,
}

/// Everything asked after `SIOCGIFFLAGS` succeeded.
pub struct IfDetails {
    /// ARPHRD type and the 14 bytes of `sa_data`.
    pub hwaddr: io::Result<(u16, [u8; 14])>,
    pub mtu: io::Result<i32>,
    /// Asked only for SLIP devices.
    pub outfill: Option<io::Result<u64>>,
    pub keepalive: Option<io::Result<u64>>,
    pub map: io::Result<IfMap>,
    pub txqlen: io::Result<i32>,
    pub inet: IfInet,
}

/// The ioctl answers for one interface name (or IPv4 label such as `eth0:1`).
pub struct IfQuery {
    /// `SIOCGIFFLAGS`, the 16 bits as the kernel gives them.
    pub flags: io::Result<u16>,
    /// `None` when `SIOCGIFFLAGS` failed: then nothing else is asked, as netstat asks nothing more.
    pub details: Option<IfDetails>,
}

/// An `AF_INET` datagram socket: the handle of the interface ioctls.
pub struct InetSocket(std::os::fd::OwnedFd);

/// An all-zero `ifreq` holding `name` (cut to 15 bytes, NUL-padded).
fn ifreq_named(name: &[u8]) -> libc::ifreq {
    // SAFETY: ifreq is plain old data (its pointer member may be null), so all zeroes is a valid value.
    let mut ifr: libc::ifreq = unsafe { std::mem::zeroed() };
    set_name(&mut ifr, name);
    ifr
}

/// Writes `name` into `ifr_name` the way `strncpy` into 15 bytes plus a NUL does.
fn set_name(ifr: &mut libc::ifreq, name: &[u8]) {
    for (i, slot) in ifr.ifr_name.iter_mut().enumerate() {
        let b = if i + 1 < libc::IFNAMSIZ {
            name.get(i).copied().unwrap_or(0)
        } else {
            0
        };
        *slot = b as libc::c_char;
    }
}

impl InetSocket {
    pub fn open() -> io::Result<InetSocket> {
        use std::os::fd::FromRawFd;
        // SAFETY: socket takes integers and touches no memory of ours.
        let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: fd is a freshly created descriptor that nothing else owns or closes.
        Ok(InetSocket(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) }))
    }

    /// One ioctl with an `ifreq`; the kernel reads the name and writes its answer into the union.
    fn ifreq_ioctl(&self, request: u32, ifr: &mut libc::ifreq) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        // SAFETY: ifr is a valid, writable ifreq, which is what every SIOCGIF* request (and the SLIP private ones) reads and writes.
        let rc = unsafe {
            libc::ioctl(
                self.0.as_raw_fd(),
                request as libc::Ioctl,
                ifr as *mut libc::ifreq,
            )
        };
        if rc < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(())
        }
    }

    /// `SIOCGIFCONF`: the label of every IPv4 address, in the kernel's order (one entry per address).
    /// The buffer starts at 30 entries and doubles while the kernel fills it completely, as netstat's does.
    pub fn ifconf_names(&self) -> io::Result<Vec<Vec<u8>>> {
        use std::os::fd::AsRawFd;
        let size = std::mem::size_of::<libc::ifreq>();
        let mut count = 30usize;
        loop {
            let mut buf: Vec<libc::ifreq> = (0..count).map(|_| ifreq_named(b"")).collect();
            // SAFETY: ifconf is plain old data (a length and a pointer), so all zeroes is a valid value.
            let mut ifc: libc::ifconf = unsafe { std::mem::zeroed() };
            ifc.ifc_len = libc::c_int::try_from(count * size)
                .map_err(|_| io::Error::from_raw_os_error(libc::ENOMEM))?;
            ifc.ifc_ifcu.ifcu_req = buf.as_mut_ptr();
            // SAFETY: ifc describes buf, which is writable for exactly ifc_len bytes and outlives the call.
            let rc = unsafe {
                libc::ioctl(
                    self.0.as_raw_fd(),
                    libc::SIOCGIFCONF as libc::Ioctl,
                    &mut ifc as *mut libc::ifconf,
                )
            };
            if rc < 0 {
                return Err(io::Error::last_os_error());
            }
            let len = usize::try_from(ifc.ifc_len).unwrap_or(0);
            if len == count * size {
                count *= 2;
                continue;
            }
            let used = (len / size).min(count);
            return Ok(buf[..used].iter().map(|r| c_bytes(&r.ifr_name)).collect());
        }
    }

    /// Asks what netstat's `if_fetch` asks, in its order, reusing one `ifreq` as it does:
    /// a request's union still holds the previous answer, which the kernel's IPv4 calls
    /// use to pick among addresses that share a label.
    pub fn query(&self, name: &[u8]) -> IfQuery {
        let mut ifr = ifreq_named(name);
        let flags = self
            .ifreq_ioctl(libc::SIOCGIFFLAGS as u32, &mut ifr)
            .map(|()| {
                // SAFETY: SIOCGIFFLAGS succeeded, so the union holds ifru_flags.
                unsafe { ifr.ifr_ifru.ifru_flags as u16 }
            });
        if flags.is_err() {
            return IfQuery {
                flags,
                details: None,
            };
        }
        set_name(&mut ifr, name);
        let hwaddr = self
            .ifreq_ioctl(libc::SIOCGIFHWADDR as u32, &mut ifr)
            .map(|()| {
                // SAFETY: SIOCGIFHWADDR succeeded, so the union holds a sockaddr.
                let sa = unsafe { ifr.ifr_ifru.ifru_hwaddr };
                (sa.sa_family, sa.sa_data.map(|c| c as u8))
            });
        set_name(&mut ifr, name);
        let mtu = self
            .ifreq_ioctl(libc::SIOCGIFMTU as u32, &mut ifr)
            .map(|()| {
                // SAFETY: SIOCGIFMTU succeeded, so the union holds ifru_mtu.
                unsafe { ifr.ifr_ifru.ifru_mtu }
            });
        let (mut outfill, mut keepalive) = (None, None);
        if let Ok((kind, _)) = &hwaddr
            && SLIP_TYPES.contains(kind)
        {
            for (request, slot) in [
                (SIOCGOUTFILL, &mut outfill),
                (SIOCGKEEPALIVE, &mut keepalive),
            ] {
                set_name(&mut ifr, name);
                *slot = Some(self.ifreq_ioctl(request, &mut ifr).map(|()| {
                    // SAFETY: the SLIP driver answered by storing an unsigned long at the start of the union.
                    unsafe { ifr.ifr_ifru.ifru_data as usize as u64 }
                }));
            }
        }
        let mut map = Err(io::Error::from_raw_os_error(libc::EINVAL));
        for _ in 0..2 {
            set_name(&mut ifr, name);
            map = self
                .ifreq_ioctl(libc::SIOCGIFMAP as u32, &mut ifr)
                .map(|()| {
                    // SAFETY: SIOCGIFMAP succeeded, so the union holds an ifmap.
                    let m = unsafe { ifr.ifr_ifru.ifru_map };
                    // c_ulong is 32 bits wide on 32-bit targets.
                    #[allow(clippy::unnecessary_cast)]
                    let (mem_start, mem_end) = (m.mem_start as u64, m.mem_end as u64);
                    IfMap {
                        mem_start,
                        mem_end,
                        base_addr: m.base_addr,
                        irq: m.irq,
                        dma: m.dma,
                        port: m.port,
                    }
                });
        }
        set_name(&mut ifr, name);
        let txqlen = self
            .ifreq_ioctl(libc::SIOCGIFTXQLEN as u32, &mut ifr)
            .map(|()| {
                // SAFETY: SIOCGIFTXQLEN succeeded, so the union holds an int (ifru_mtu's place).
                unsafe { ifr.ifr_ifru.ifru_mtu }
            });
        set_name(&mut ifr, name);
        // Writing a union field is safe; the sockaddr's other bytes keep the previous answer, as in netstat.
        ifr.ifr_ifru.ifru_addr.sa_family = libc::AF_INET as libc::sa_family_t;
        let addr = self.inet_ioctl(libc::SIOCGIFADDR as u32, &mut ifr);
        let mut inet = IfInet {
            addr,
            dstaddr: None,
            broadaddr: None,
            netmask: None,
        };
        if inet.addr.is_ok() {
            for (request, slot) in [
                (libc::SIOCGIFDSTADDR, &mut inet.dstaddr),
                (libc::SIOCGIFBRDADDR, &mut inet.broadaddr),
                (libc::SIOCGIFNETMASK, &mut inet.netmask),
            ] {
                set_name(&mut ifr, name);
                *slot = Some(self.inet_ioctl(request as u32, &mut ifr));
            }
        }
        IfQuery {
            flags,
            details: Some(IfDetails {
                hwaddr,
                mtu,
                outfill,
                keepalive,
                map,
                txqlen,
                inet,
            }),
        }
    }

    /// One of the IPv4 address requests; the answer is a `sockaddr_in` in the union.
    fn inet_ioctl(&self, request: u32, ifr: &mut libc::ifreq) -> io::Result<Ipv4Addr> {
        self.ifreq_ioctl(request, ifr)?;
        // SAFETY: the request succeeded, so the union holds a sockaddr, which has the size and layout of a sockaddr_in.
        let sin: libc::sockaddr_in = unsafe { std::mem::transmute(ifr.ifr_ifru.ifru_addr) };
        if i32::from(sin.sin_family) != libc::AF_INET {
            return Err(io::Error::from_raw_os_error(libc::EAFNOSUPPORT));
        }
        Ok(Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes()))
    }
}

/// The bytes of a NUL-terminated C array (all of it when there is no NUL).
fn c_bytes(field: &[libc::c_char]) -> Vec<u8> {
    field
        .iter()
        .map(|&c| c as u8)
        .take_while(|&b| b != 0)
        .collect()
}

/// An open `/proc/<pid>/fd` directory: its entries are listed with `getdents64` and its links read with `readlinkat` relative to it,
/// so that each link costs one syscall and no path walk from `/`.
pub struct FdDir(std::os::fd::OwnedFd);

impl FdDir {
    /// Opens `path` (`O_RDONLY | O_DIRECTORY | O_CLOEXEC`, as `opendir` does).
    pub fn open(path: &CStr) -> io::Result<FdDir> {
        use std::os::fd::FromRawFd;
        // SAFETY: path is a valid NUL-terminated string; open touches no other memory of ours.
        let fd = unsafe {
            libc::open(
                path.as_ptr(),
                libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: fd is a freshly opened descriptor that nothing else owns or closes.
        Ok(FdDir(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) }))
    }

    /// Appends the entry names that are decimal numbers (the fds) to `fds`, in the directory's order.
    /// `buf` is scratch space for `getdents64`, reused from call to call.
    pub fn fds(&self, buf: &mut Vec<u8>, fds: &mut Vec<u32>) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        const HEADER: usize = 19; // d_ino (8), d_off (8), d_reclen (2), d_type (1), then the name
        buf.resize(32 * 1024, 0);
        loop {
            // SAFETY: buf is a writable buffer of buf.len() bytes, which getdents64 fills with whole records only.
            let n = unsafe {
                libc::syscall(
                    libc::SYS_getdents64,
                    self.0.as_raw_fd(),
                    buf.as_mut_ptr(),
                    buf.len(),
                )
            };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            let n = usize::try_from(n).unwrap_or(0).min(buf.len());
            if n == 0 {
                return Ok(());
            }
            let mut at = 0;
            while at + HEADER <= n {
                let reclen = usize::from(u16::from_ne_bytes([buf[at + 16], buf[at + 17]]));
                if reclen < HEADER || at + reclen > n {
                    break;
                }
                let name = &buf[at + HEADER..at + reclen];
                let name = &name[..name.iter().position(|&b| b == 0).unwrap_or(name.len())];
                if let Some(fd) = decimal(name) {
                    fds.push(fd);
                }
                at += reclen;
            }
        }
    }

    /// `readlinkat` of entry `fd`: the target is appended to `out`.
    pub fn read_link(&self, fd: u32, out: &mut Vec<u8>) -> io::Result<()> {
        use std::io::Write;
        use std::os::fd::AsRawFd;
        let mut name = [0u8; 12];
        let _ = write!(&mut name[..11], "{fd}");
        let start = out.len();
        let mut room = 256;
        loop {
            out.resize(start + room, 0);
            // SAFETY: name is NUL-terminated (12 bytes, at most 10 digits written); the target buffer is writable for `room` bytes.
            let n = unsafe {
                libc::readlinkat(
                    self.0.as_raw_fd(),
                    name.as_ptr().cast(),
                    out[start..].as_mut_ptr().cast(),
                    room,
                )
            };
            if n < 0 {
                out.truncate(start);
                return Err(io::Error::last_os_error());
            }
            let n = usize::try_from(n).unwrap_or(0);
            if n < room {
                out.truncate(start + n);
                return Ok(());
            }
            // The target may have been cut: try again with more room.
            room *= 4;
        }
    }
}

/// An entry name as a number, as `str::parse::<u32>` reads it.
fn decimal(s: &[u8]) -> Option<u32> {
    std::str::from_utf8(s).ok()?.parse().ok()
}
