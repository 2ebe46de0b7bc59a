//! The `-p` "PID/Program name" column: which process netstat names for a
//! socket inode.
//!
//! netstat walks processes in procfs order (ascending pid, then ascending
//! fd) and keeps the first process it finds for each inode. The name is
//! `<pid>/<argv[0]>` (basename only when argv[0] starts with `/`), cut to
//! 19 bytes. A process whose `cmdline` is missing is skipped for that fd.
//!
//! The map keeps one record per process (all in one buffer) and, per
//! inode, where its process's record is: no allocation per socket, in an
//! open-addressing table made for batches of random lookups (`inodes`).

use crate::model::{FdLink, Processes};
use crate::parse::cmdline::netstat_program;
use crate::render::write_u64;

mod inodes;
use inodes::InodeMap;

/// Width of the column, including the space before it.
pub const PROGNAME_WIDTH: usize = 20;

/// Most inodes [`ProgramMap::get_many`] looks up at once.
pub const LOOKUPS: usize = 16;

/// How many shards (and threads) [`ProgramMap::build`] makes for `links` fd links: one for
/// fewer than 100,000, else up to the thread count (a power of two, at most 4).
fn shard_count(links: usize) -> usize {
    if links < 100_000 {
        return 1;
    }
    match crate::par::threads() {
        0 | 1 => 1,
        2 | 3 => 2,
        _ => 4,
    }
}

/// The shard of an inode among `shards` (a power of two): high bits of a product other than the
/// maps' own hash, so that the inodes of a shard still spread over its buckets.
#[inline]
fn shard_of(inode: u64, shards: usize) -> usize {
    if shards <= 1 {
        return 0;
    }
    let h = (inode ^ (inode >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    (h >> 62) as usize & (shards - 1)
}

/// The inode-to-name map and the message netstat prints when loading it.
#[derive(Debug, Clone, Default)]
pub struct ProgramMap {
    /// Process (its record's offset in `text`) by socket inode, in shards ([`shard_of`]), built
    /// on as many threads.
    shards: Vec<InodeMap>,
    /// One record per named process, one after another: the pid (4 bytes,
    /// little-endian), the length of the column text (1 byte), the column
    /// text (`pid/program`, cut to 19 bytes).
    text: Vec<u8>,
    /// Number of records in `text`.
    count: usize,
    /// What netstat writes to stderr after loading (non-root captures).
    pub message: Vec<u8>,
}

impl ProgramMap {
    /// Builds the map as netstat's `prg_cache_load` does. `euid` is the
    /// effective uid of the capture, used in netstat's message.
    pub fn build(procs: &Processes, euid: u32) -> ProgramMap {
        // Each process names its sockets from its first socket link on (its record is made
        // there, when it has a command line).
        let mut b = ProgramBuilder::with_capacity(procs.fds.len());
        for group in procs.fds.chunk_by(|a, b| a.pid == b.pid) {
            if let Some(first) = group.first()
                && let Some(cmdline) = procs.cmdlines.get(&first.pid)
            {
                b.cmdline(first.pid, cmdline);
            }
            b.links(group);
        }
        b.finish(&procs.denied, euid)
    }

    /// netstat's message when some processes' fds could not be read (`denied`).
    fn note_denied(&mut self, denied: &std::collections::BTreeSet<u32>, euid: u32) {
        if denied.is_empty() {
            return;
        }
        if self.is_empty() {
            self.message
                .extend_from_slice(b"(No info could be read for \"-p\": geteuid()=");
            write_u64(&mut self.message, u64::from(euid));
            self.message
                .extend_from_slice(b" but you should be root.)\n");
        } else {
            self.message.extend_from_slice(
                b"(Not all processes could be identified, non-owned process info\n will not be shown, you would have to be root to see it all.)\n",
            );
        }
    }

    /// Adds a process's record; returns its offset (`None` past 4 GiB).
    fn add_process(&mut self, pid: u32, program: &[u8]) -> Option<u32> {
        let start = self.text.len();
        let id = u32::try_from(start).ok()?;
        self.text.extend_from_slice(&pid.to_le_bytes());
        self.text.push(0);
        let name = self.text.len();
        write_u64(&mut self.text, u64::from(pid));
        self.text.push(b'/');
        self.text.extend_from_slice(program);
        self.text.truncate(name + PROGNAME_WIDTH - 1);
        let len = (self.text.len() - name) as u8;
        if let Some(l) = self.text.get_mut(start + 4) {
            *l = len;
        }
        self.count += 1;
        Some(id)
    }

    /// The column text for an inode: the name, or `-`.
    #[inline]
    pub fn get(&self, inode: u64) -> &[u8] {
        self.process(inode)
            .and_then(|p| self.name_of(p))
            .unwrap_or(b"-")
    }

    /// The column texts for `inodes` (at most [`LOOKUPS`]) into `names`, as [`ProgramMap::get`]
    /// gives them: the map is read for all before any is looked at, so that their cache misses
    /// overlap.
    #[inline]
    pub fn get_many<'a>(&'a self, inodes: &[u64], names: &mut [&'a [u8]]) {
        let shards = self.shards.len();
        let mut homes = [None; LOOKUPS];
        for (h, &inode) in homes.iter_mut().zip(inodes) {
            *h = self
                .shards
                .get(shard_of(inode, shards))
                .map(|m| m.home_slot(inode));
        }
        for ((name, &inode), h) in names.iter_mut().zip(inodes).zip(homes) {
            *name = h
                .and_then(|h| self.shards.get(shard_of(inode, shards))?.finish(inode, h))
                .and_then(|p| self.name_of(p))
                .unwrap_or(b"-");
        }
    }

    /// The process netstat names for an inode, if any: an id for
    /// [`ProgramMap::name_of`] and [`ProgramMap::pid_of`].
    #[inline]
    pub fn process(&self, inode: u64) -> Option<u32> {
        self.shards
            .get(shard_of(inode, self.shards.len()))?
            .get(inode)
    }

    /// How many processes have a name in the map.
    pub fn process_count(&self) -> usize {
        self.count
    }

    /// The pid of a process.
    pub fn pid_of(&self, process: u32) -> Option<u32> {
        let p = process as usize;
        let b = self.text.get(p..p + 4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// The column text (`pid/program`, cut to 19 bytes) of a process.
    #[inline]
    pub fn name_of(&self, process: u32) -> Option<&[u8]> {
        let p = process as usize + 4;
        let len = *self.text.get(p)? as usize;
        self.text.get(p + 1..p + 1 + len)
    }

    /// The processes with a name, in the order netstat met them (ascending
    /// pid).
    pub fn processes(&self) -> impl Iterator<Item = u32> + '_ {
        let mut at = 0usize;
        std::iter::from_fn(move || {
            let len = *self.text.get(at + 4)? as usize;
            let id = u32::try_from(at).ok()?;
            at += 5 + len;
            Some(id)
        })
    }

    /// Whether no inode has a process.
    pub fn is_empty(&self) -> bool {
        self.shards.iter().all(|m| m.len() == 0)
    }
}

/// Builds a [`ProgramMap`] from command lines and fd links as they are read, in procfs order
/// (ascending pid, then fd, as the collector writes them), each process's command line before its
/// links (the reader checks that order: [`crate::load::RowSink::links`]), or from a snapshot's
/// processes ([`ProgramMap::build`]). Of each socket link it keeps only the inode and the
/// process's record (8 bytes) until [`ProgramBuilder::finish`] makes the map of them at once.
#[derive(Debug, Default)]
pub struct ProgramBuilder {
    map: ProgramMap,
    /// The program of each process whose command line was read: where it lies in `names` (one
    /// buffer, not one per process: freed at once).
    programs: std::collections::HashMap<u32, std::ops::Range<usize>>,
    names: Vec<u8>,
    /// The process of the links being read: its pid and, once its first socket link was met,
    /// its record (`None` inside: no command line).
    current: Option<(u32, Option<Option<u32>>)>,
    /// The socket links read (`inode << 32 | record`) by shard and region of their inode
    /// ([`inodes::region`] of `region_bits`), for the shards to be made at the end, each the size
    /// its links need, and filled a region after the other; those of inodes past 32 bits (none
    /// on Linux) in `big`.
    buckets: Vec<Vec<u64>>,
    shards: usize,
    region_bits: u32,
    big: Vec<(u64, u32)>,
}

impl ProgramBuilder {
    /// A builder for about `inodes` sockets (which sets how its links are sorted: the map is
    /// made at the end, for as many as there are).
    pub fn with_capacity(inodes: usize) -> Self {
        let shards = shard_count(inodes);
        let region_bits = inodes::region_bits(inodes / shards);
        // Room for an even share of the links and a tenth more: a bucket that grows copies what
        // it holds to pages new to the process (room not filled costs none).
        let buckets = shards << region_bits;
        let room = inodes / buckets + inodes / (10 * buckets);
        ProgramBuilder {
            buckets: (0..buckets).map(|_| Vec::with_capacity(room)).collect(),
            shards,
            region_bits,
            ..ProgramBuilder::default()
        }
    }

    /// A process's `cmdline` (the last one read counts, as in [`Processes::cmdlines`]).
    pub fn cmdline(&mut self, pid: u32, cmdline: &[u8]) {
        let start = self.names.len();
        self.names.extend_from_slice(netstat_program(cmdline));
        self.programs.insert(pid, start..self.names.len());
    }

    /// The next fd link.
    pub fn link(&mut self, link: &FdLink) {
        let Some(inode) = link.inode else {
            if self.current.is_none_or(|(pid, _)| pid != link.pid) {
                self.current = Some((link.pid, None));
            }
            return;
        };
        let record = match self.current {
            Some((pid, Some(record))) if pid == link.pid => record,
            _ => {
                // The process's first socket link: its record is made now, if it has a name.
                let program = self.programs.get(&link.pid).cloned();
                let record = match program.and_then(|r| self.names.get(r)) {
                    Some(program) => self.map.add_process(link.pid, program),
                    None => None,
                };
                self.current = Some((link.pid, Some(record)));
                record
            }
        };
        let Some(record) = record else {
            return;
        };
        let Ok(k) = u32::try_from(inode) else {
            self.big.push((inode, record));
            return;
        };
        let pair = u64::from(k) << 32 | u64::from(record);
        let bucket = (shard_of(inode, self.shards) << self.region_bits)
            + inodes::region(pair, self.region_bits);
        match self.buckets.get_mut(bucket) {
            Some(bucket) => bucket.push(pair),
            None => self.big.push((inode, record)),
        }
    }

    /// The next fd links, in order ([`ProgramBuilder::link`] for each).
    pub fn links(&mut self, links: &[FdLink]) {
        for link in links {
            self.link(link);
        }
    }

    /// The map, with netstat's message for the processes whose fds could not be read.
    pub fn finish(mut self, denied: &std::collections::BTreeSet<u32>, euid: u32) -> ProgramMap {
        let shards = self.shards.max(1);
        self.map.shards = vec![InodeMap::default(); shards];
        // Each shard made and filled on a thread of its own, a region after the other.
        let regions = 1usize << self.region_bits;
        let fill = |(map, buckets): (&mut InodeMap, &[Vec<u64>])| {
            *map = InodeMap::with_capacity(buckets.iter().map(Vec::len).sum());
            for bucket in buckets {
                map.insert_pairs(bucket);
            }
        };
        let several = self.map.shards.len() > 1;
        let mut work = self.map.shards.iter_mut().zip(self.buckets.chunks(regions));
        let first = work.next();
        if several {
            std::thread::scope(|s| {
                for w in work {
                    s.spawn(move || fill(w));
                }
                first.map(fill);
            });
        } else {
            first.map(fill);
        }
        for &(inode, record) in &self.big {
            if let Some(m) = self.map.shards.get_mut(shard_of(inode, shards)) {
                m.insert(inode, record);
            }
        }
        self.map.note_denied(denied, euid);
        self.map
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The map as it was built before the arena: one string per inode.
    fn reference(procs: &Processes) -> HashMap<u64, Vec<u8>> {
        let mut names: HashMap<u64, Vec<u8>> = HashMap::new();
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
        names
    }

    #[test]
    fn same_as_one_string_per_inode() {
        same_as_reference(3000, 20_000);
    }

    /// Over 100,000 links the map is built in shards, on threads.
    #[test]
    fn shards_are_the_same_map() {
        for threads in [1, 2, 4] {
            crate::par::set_threads(threads);
            same_as_reference(30_000, 200_000);
        }
        crate::par::set_threads(0);
    }

    /// Processes 1, 4, 7, … below `pids` with up to 40 fds each, on inodes below `inodes`
    /// (shared at random), named or not: the map names each inode as [`reference`] does.
    fn same_as_reference(pids: u32, inodes: u64) {
        let mut p = Processes::default();
        let mut seed = 0x5555_1234_abcd_0001u64;
        let mut rnd = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for pid in (1..pids).step_by(3) {
            let fds = rnd() % 40;
            for fd in 0..fds as u32 {
                let inode = match rnd() % 10 {
                    0 => None,
                    _ => Some(rnd() % inodes),
                };
                p.fds.push(FdLink { pid, fd, inode });
            }
            match pid % 5 {
                0 => {}
                1 => {
                    p.cmdlines.insert(pid, b"/usr/sbin/sshd\0-D\0".to_vec());
                }
                2 => {
                    p.cmdlines
                        .insert(pid, b"a-really-long-program-name\0".to_vec());
                }
                3 => {
                    p.cmdlines.insert(pid, Vec::new());
                }
                _ => {
                    p.cmdlines.insert(pid, b"/a/b/\0".to_vec());
                }
            }
        }
        let want = reference(&p);
        let got = ProgramMap::build(&p, 0);
        for inode in 0..=inodes {
            let w = want.get(&inode).map(|v| v.as_slice()).unwrap_or(b"-");
            assert_eq!(got.get(inode), w, "{inode}");
        }
        assert!(got.message.is_empty());
        let ids: Vec<u32> = got.processes().collect();
        assert_eq!(ids.len(), got.process_count());
        let pids: Vec<u32> = ids.iter().filter_map(|&i| got.pid_of(i)).collect();
        assert!(pids.windows(2).all(|w| w[0] < w[1]));
        for (&id, &pid) in ids.iter().zip(&pids) {
            let name = got.name_of(id).unwrap_or_default();
            assert!(name.starts_with(format!("{pid}/").as_bytes()));
        }
        assert_eq!(got.is_empty(), want.is_empty());
        // Built as read: each process's command line, then its links (one at a time, or a
        // process's links at once).
        let mut b = ProgramBuilder::with_capacity(10);
        for group in p.fds.chunk_by(|a, b| a.pid == b.pid) {
            let pid = group[0].pid;
            if let Some(c) = p.cmdlines.get(&pid) {
                b.cmdline(pid, c);
            }
            if pid % 2 == 0 {
                b.links(group);
            } else {
                group.iter().for_each(|link| b.link(link));
            }
        }
        let built = b.finish(&p.denied, 0);
        for inode in 0..=inodes {
            assert_eq!(built.get(inode), got.get(inode), "{inode}");
        }
        assert_eq!(built.process_count(), got.process_count());
    }

    #[test]
    fn messages() {
        let mut p = Processes::default();
        p.denied.insert(7);
        assert_eq!(
            ProgramBuilder::default().finish(&p.denied, 1000).message,
            ProgramMap::build(&p, 1000).message
        );
        assert_eq!(
            ProgramMap::build(&p, 1000).message,
            b"(No info could be read for \"-p\": geteuid()=1000 but you should be root.)\n"
        );
        p.fds.push(FdLink {
            pid: 3,
            fd: 1,
            inode: Some(5),
        });
        p.cmdlines.insert(3, b"/bin/nc\0".to_vec());
        let m = ProgramMap::build(&p, 1000);
        assert!(m.message.starts_with(b"(Not all processes"));
        assert_eq!(m.get(5), b"3/nc");
        assert_eq!(m.get(6), b"-");
        assert_eq!(m.process(5).and_then(|i| m.pid_of(i)), Some(3));
        assert_eq!(m.processes().count(), 1);
    }
}
