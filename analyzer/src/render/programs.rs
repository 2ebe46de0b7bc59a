//! The `-p` "PID/Program name" column: which process netstat names for a
//! socket inode.
//!
//! netstat walks processes in procfs order (ascending pid, then ascending
//! fd) and keeps the first process it finds for each inode. The name is
//! `<pid>/<argv[0]>` (basename only when argv[0] starts with `/`), cut to
//! 19 bytes. A process whose `cmdline` is missing is skipped for that fd.

use std::collections::HashMap;

use crate::model::Processes;
use crate::parse::cmdline::netstat_program;

/// Width of the column, including the space before it.
pub const PROGNAME_WIDTH: usize = 20;

/// The inode-to-name map and the message netstat prints when loading it.
#[derive(Debug, Clone, Default)]
pub struct ProgramMap {
    names: HashMap<u64, Vec<u8>>,
    /// What netstat writes to stderr after loading (non-root captures).
    pub message: Vec<u8>,
}

impl ProgramMap {
    /// Builds the map as netstat's `prg_cache_load` does. `euid` is the
    /// effective uid of the capture, used in netstat's message.
    pub fn build(procs: &Processes, euid: u32) -> ProgramMap {
        let mut names: HashMap<u64, Vec<u8>> = HashMap::with_capacity(procs.fds.len());
        let mut fds = procs.fds.iter().peekable();
        while let Some(first) = fds.peek().copied() {
            let pid = first.pid;
            let mut program: Option<&[u8]> = None;
            while let Some(link) = fds.next_if(|l| l.pid == pid) {
                let Some(inode) = link.inode else { continue };
                if program.is_none() {
                    match procs.cmdlines.get(&pid) {
                        Some(c) => program = Some(netstat_program(c)),
                        None => continue,
                    }
                }
                let prog = program.unwrap_or(&[]);
                names.entry(inode).or_insert_with(|| {
                    let mut n = pid.to_string().into_bytes();
                    n.push(b'/');
                    n.extend_from_slice(prog);
                    n.truncate(PROGNAME_WIDTH - 1);
                    n
                });
            }
        }
        let mut message = Vec::new();
        if !procs.denied.is_empty() {
            if names.is_empty() {
                message.extend_from_slice(
                    format!(
                        "(No info could be read for \"-p\": geteuid()={euid} but you should be root.)\n"
                    )
                    .as_bytes(),
                );
            } else {
                message.extend_from_slice(
                    b"(Not all processes could be identified, non-owned process info\n will not be shown, you would have to be root to see it all.)\n",
                );
            }
        }
        ProgramMap { names, message }
    }

    /// The column text for an inode: the name, or `-`.
    pub fn get(&self, inode: u64) -> &[u8] {
        self.names.get(&inode).map(|v| v.as_slice()).unwrap_or(b"-")
    }
}
