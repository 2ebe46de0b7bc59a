//! The few things the collector can only learn by calling libc.
//!
//! This is the only module with `unsafe` code.
//! Every call here is a plain libc function with owned, correctly sized buffers, and every pointer the C library returns is checked for null before it is read.
#![allow(unsafe_code)]

use std::ffi::CStr;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::atomic::{AtomicI32, Ordering};

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

extern "C" fn on_signal(sig: libc::c_int) {
    // An atomic store is async-signal-safe.
    SIGNAL.store(sig, Ordering::SeqCst);
}

/// Makes SIGINT and SIGTERM only set a flag, which the collector checks between entries.
pub fn install_signal_handlers() -> io::Result<()> {
    for sig in [libc::SIGINT, libc::SIGTERM] {
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
