//! The process table of `-p`/`-T` (§9) and netlink's process names (§8).

use std::collections::HashMap;

use super::UserEnt;
use crate::diag::Diagnostic;
use crate::model::Processes;

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

/// Builds ss's process table from the snapshot's fd links.
pub fn read_users(procs: &Processes) -> Users {
    let _ = procs;
    Users::default()
}

/// The socket inode ss finds in a link target: at most 63 bytes are read,
/// the target must start with `socket:[` and `sscanf("socket:[%u]")`
/// must convert the number.
pub fn socket_inode(target: &[u8]) -> Option<u32> {
    let _ = target;
    None
}

/// A process name as netlink rows show it (`COMM` of `COMM/PID`): from the
/// pid's `stat`, `fscanf("%*d (%[^)])")`; `None` when ss prints the bare
/// number.
pub fn comm_of(procs: &Processes, pid: i32) -> Option<Vec<u8>> {
    let _ = (procs, pid);
    None
}
