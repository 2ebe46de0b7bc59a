//! The process table of `-p`/`-T` (§9) and netlink's process names (§8).

use std::collections::HashMap;

use super::UserEnt;
use crate::diag::Diagnostic;
use crate::model::Processes;
use crate::parse::scan::Scanner;

/// Socket inode → its ` users:(…)` entries, in ss's order (newest first:
/// descending pid, then descending fd).
#[derive(Debug, Clone, Default)]
pub struct Users {
    map: HashMap<u32, Vec<UserEnt>>,
    /// Problems met (process names longer than ss's buffer).
    pub diagnostics: Vec<Diagnostic>,
}

impl Users {
    /// The entries of a socket inode (none for inode 0), in print order.
    pub fn get(&self, ino: u32) -> &[UserEnt] {
        if ino == 0 {
            return &[];
        }
        self.map.get(&ino).map_or(&[], |v| v.as_slice())
    }
}

/// Builds ss's process table from the snapshot's fd links, as
/// `user_ent_hash_build` walks `PROC_ROOT` (pids ascending, each pid's fds
/// ascending: [`Processes::fds`] order): each link ss takes for a socket
/// (see [`socket_inode`]) adds an entry, named from the pid's `stat`. The
/// link text is [`Processes::link_targets`] when the loader kept it, else
/// netstat's reading of it ([`crate::model::FdLink::inode`]).
pub fn read_users(procs: &Processes) -> Users {
    let mut users = Users::default();
    let mut names: HashMap<u32, Vec<u8>> = HashMap::new();
    for link in &procs.fds {
        let ino = match procs.link_targets.get(&(link.pid, link.fd)) {
            Some(target) => socket_inode(target),
            None => link.inode.and_then(|i| u32::try_from(i).ok()),
        };
        let Some(ino) = ino else {
            continue;
        };
        let name = names
            .entry(link.pid)
            .or_insert_with(|| {
                let name = procs
                    .stats
                    .get(&link.pid)
                    .and_then(|s| stat_comm(s))
                    .unwrap_or_default();
                if name.len() > 15 {
                    users.diagnostics.push(Diagnostic::file(
                        &format!("proc/{}/stat", link.pid),
                        "process name longer than ss's 16-byte buffer (undefined \
                         behaviour); shown whole",
                    ));
                }
                name
            })
            .clone();
        users.map.entry(ino).or_default().push(UserEnt {
            name,
            pid: link.pid as i32,
            tid: link.pid as i32,
            fd: link.fd as i32,
        });
    }
    // ss prepends to its hash chains: newest first.
    for v in users.map.values_mut() {
        v.reverse();
    }
    users
}

/// `fscanf(stat, "%*d (%[^)])")`: the text after `(` up to the first `)`,
/// if the number, the `(` and at least one byte are there.
pub fn stat_comm(stat: &[u8]) -> Option<Vec<u8>> {
    let mut sc = Scanner::new(stat);
    sc.int(10)?;
    sc.space();
    sc.lit(b'(')?;
    let rest = sc.rest();
    let n = rest.iter().position(|&b| b == b')').unwrap_or(rest.len());
    (n > 0).then(|| rest.get(..n).unwrap_or(rest).to_vec())
}

/// The socket inode ss finds in a link target: at most 63 bytes are read,
/// the target must start with `socket:[` and `sscanf("socket:[%u]")`
/// must convert the number (white space and a sign allowed, the value
/// taken modulo 2^32, nothing checked after it).
pub fn socket_inode(target: &[u8]) -> Option<u32> {
    const PATTERN: &[u8] = b"socket:[";
    let t = target.get(..63).unwrap_or(target);
    let t = t.get(..t.iter().position(|&b| b == 0).unwrap_or(t.len()))?;
    let rest = t.strip_prefix(PATTERN)?;
    Scanner::new(rest).int(10).map(|v| v as u32)
}

/// A process name as netlink rows show it (`COMM` of `COMM/PID`): from the
/// pid's `stat`, `fscanf("%*d (%[^)])")`; `None` (ss prints the bare
/// number) for pids of 0 or less, a missing `stat` or a failed scan.
/// (ss's buffer is 64 bytes with `/PID` appended; a longer `COMM`, which no
/// kernel writes, would overflow it: shown whole here.)
pub fn comm_of(procs: &Processes, pid: i32) -> Option<Vec<u8>> {
    let key = u32::try_from(pid).ok().filter(|&p| p > 0)?;
    stat_comm(procs.stats.get(&key)?)
}
