//! A map from socket inodes to process records, made for many random lookups: open addressing
//! with linear probing, each slot (8 bytes) holding its key and value, so that a lookup costs one
//! cache miss, and a batch of lookups can start all its misses before it waits for any
//! ([`InodeMap::home_slot`], [`InodeMap::finish`]).

/// A slot: an inode below 2^32 (every inode Linux gives a socket) in the high half, its value in
/// the low half; [`FREE`] when the slot is free.
pub(super) type Slot = u64;

/// A free slot (the one inode and value that would make it go to [`InodeMap::big`]).
const FREE: Slot = u64::MAX;

/// Inode → value (a process record's offset), the first value given for an inode kept.
#[derive(Debug, Clone, Default)]
pub(super) struct InodeMap {
    /// The slots (none until the first insertion), half as many again as the inodes they are
    /// made for.
    slots: Vec<Slot>,
    /// Inodes of 2^32 and more (none on Linux), and the pair that would read as [`FREE`].
    big: std::collections::HashMap<u64, u32>,
    len: usize,
}

impl InodeMap {
    /// A map with room for `n` inodes before it grows.
    pub(super) fn with_capacity(n: usize) -> Self {
        let mut m = InodeMap::default();
        m.resize(n);
        m
    }

    /// Slots for `n` inodes at a load of two thirds (at most three quarters before it grows).
    fn resize(&mut self, n: usize) {
        let count = n.saturating_mul(3).div_ceil(2).max(16);
        // (All ones, written now: zeroed memory, whose pages the kernel maps to its zero page on
        // the first read and copies on the next write, would cost a second fault each, and on
        // several threads a TLB flush on every core.)
        let old = std::mem::replace(&mut self.slots, vec![FREE; count]);
        self.len -= old.iter().filter(|&&s| s != FREE).count().min(self.len);
        for s in old.into_iter().filter(|&s| s != FREE) {
            self.insert_first((s >> 32) as u32, s as u32);
        }
    }

    /// The home slot of `key`: where its hash ([`hash`]) falls among the slots, so that keys
    /// of one [`region`] have their homes side by side, whatever the number of slots.
    #[inline]
    fn home(&self, key: u32) -> usize {
        // (The top half of the hash times the count, in 64 bits: a map has fewer than 2^32 slots;
        // past that the product wraps, still to a slot of the map.)
        ((hash(key) >> 32).wrapping_mul(self.slots.len() as u64) >> 32) as usize
    }

    /// The slot after `i`.
    #[inline]
    fn after(&self, i: usize) -> usize {
        if i + 1 < self.slots.len() { i + 1 } else { 0 }
    }

    /// Gives `key` the value `value` unless it has one.
    pub(super) fn insert(&mut self, key: u64, value: u32) {
        match u32::try_from(key) {
            Ok(k)
                if (k, value) != (u32::MAX, u32::MAX)
                    && (self.big.is_empty() || !self.big.contains_key(&key)) =>
            {
                self.insert_first(k, value)
            }
            _ => {
                if !self.big.contains_key(&key) && self.get(key).is_none() {
                    self.big.insert(key, value);
                    self.len += 1;
                }
            }
        }
    }

    /// [`InodeMap::insert`] for a key and value that fit a slot.
    fn insert_first(&mut self, key: u32, value: u32) {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.resize((self.len + 1) * 2);
        }
        let slot = (u64::from(key) << 32) | u64::from(value);
        let mut i = self.home(key);
        loop {
            let Some(s) = self.slots.get_mut(i) else {
                return;
            };
            if *s == FREE {
                *s = slot;
                self.len += 1;
                return;
            }
            if (*s >> 32) as u32 == key {
                return;
            }
            i = self.after(i);
        }
    }

    /// The value of `key`.
    #[inline]
    pub(super) fn get(&self, key: u64) -> Option<u32> {
        let home = self.home_slot(key);
        self.finish(key, home)
    }

    /// The home slot of `key`, for [`InodeMap::finish`]. Reading the home slots of a batch of
    /// keys before looking at any lets their cache misses overlap.
    #[inline]
    pub(super) fn home_slot(&self, key: u64) -> Slot {
        match u32::try_from(key) {
            Ok(k) => self.slots.get(self.home(k)).copied().unwrap_or(FREE),
            Err(_) => FREE,
        }
    }

    /// The value of `key`, whose home slot is `home`.
    #[inline]
    pub(super) fn finish(&self, key: u64, home: Slot) -> Option<u32> {
        if let Ok(k) = u32::try_from(key) {
            if home != FREE && (home >> 32) as u32 == k {
                return Some(home as u32);
            }
            if home != FREE {
                let mut i = self.after(self.home(k));
                loop {
                    let s = *self.slots.get(i)?;
                    if s == FREE {
                        break;
                    }
                    if (s >> 32) as u32 == k {
                        return Some(s as u32);
                    }
                    i = self.after(i);
                }
            }
        }
        if self.big.is_empty() {
            None
        } else {
            self.big.get(&key).copied()
        }
    }

    /// How many inodes have a value.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Inserts `pairs` (`key << 32 | value`) in order.
    pub(super) fn insert_pairs(&mut self, pairs: &[u64]) {
        for &pair in pairs {
            self.insert(pair >> 32, pair as u32);
        }
    }
}

/// Fibonacci hashing: keys one after the other (as Linux numbers sockets) spread evenly.
#[inline]
fn hash(key: u32) -> u64 {
    u64::from(key).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Of `2^bits` regions, the one where the key of `pair` (`key << 32 | value`) has its home, in
/// any map: the regions split the slots in runs one after the other, so that pairs inserted a
/// region after the other ([`InodeMap::insert_pairs`]) find their slots in cache.
#[inline]
pub(super) fn region(pair: u64, bits: u32) -> usize {
    if bits == 0 {
        return 0;
    }
    (hash((pair >> 32) as u32) >> (64 - bits.min(32))) as usize
}

/// How many bits of [`region`] make regions of about 2^14 slots (128 KiB, well within a core's
/// cache) in a map made for `n` inodes.
pub(super) fn region_bits(n: usize) -> u32 {
    let slots = n.saturating_mul(3) / 2;
    (usize::BITS - slots.leading_zeros()).saturating_sub(14)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn same_as_a_hash_map() {
        let mut rng = crate::testing::Rng(0x9e37_79b9_7f4a_7c15u64);
        let mut next = move || rng.next();
        for (n, spread) in [
            (0, 1),
            (10, 5),
            (1000, 700),
            (50_000, 1 << 31),
            (50_000, 30_000),
        ] {
            let mut m = InodeMap::with_capacity(n / 3);
            let mut want: HashMap<u64, u32> = HashMap::new();
            for i in 0..n {
                let k = match i % 50 {
                    // Inodes past 32 bits, the largest that fits, and the largest values.
                    0 => next() | 1 << 40,
                    1 => u64::from(u32::MAX),
                    _ => next() % spread,
                };
                let v = if i % 70 == 0 {
                    u32::MAX
                } else {
                    (next() % 1000) as u32
                };
                m.insert(k, v);
                want.entry(k).or_insert(v);
            }
            // The pair that would read as a free slot.
            m.insert(u64::from(u32::MAX), u32::MAX);
            want.entry(u64::from(u32::MAX)).or_insert(u32::MAX);
            assert_eq!(m.len(), want.len());
            for _ in 0..3000 {
                let k = next() % (spread * 2);
                let got = m.get(k);
                assert_eq!(got, want.get(&k).copied(), "{n} {k}");
                assert_eq!(m.finish(k, m.home_slot(k)), got);
            }
        }
    }

    #[test]
    fn inserted_by_region_as_in_order() {
        let mut rng = crate::testing::Rng(0x2545_f491_4f6c_dd1du64);
        let mut next = move || rng.next();
        for (n, spread) in [
            (0, 1),
            (100, 40),
            (5000, 3000),
            (300_000, 1 << 31),
            (300_000, 100_000),
        ] {
            let pairs: Vec<u64> = (0..n)
                .map(|i| {
                    let k = if i % 97 == 0 {
                        u32::MAX
                    } else {
                        (next() % spread) as u32
                    };
                    let v = if i % 89 == 0 {
                        u32::MAX
                    } else {
                        (next() % 5000) as u32
                    };
                    u64::from(k) << 32 | u64::from(v)
                })
                .collect();
            let mut want = InodeMap::with_capacity(n / 4);
            for &p in &pairs {
                want.insert(p >> 32, p as u32);
            }
            // Inserted a region after the other, each region's pairs in order.
            let mut got = InodeMap::with_capacity(n);
            let bits = region_bits(n);
            let mut regions = vec![Vec::new(); 1 << bits];
            for &p in &pairs {
                regions[region(p, bits)].push(p);
            }
            regions.iter().for_each(|r| got.insert_pairs(r));
            assert_eq!(got.len(), want.len(), "{n}");
            for &p in pairs.iter().step_by(7) {
                assert_eq!(got.get(p >> 32), want.get(p >> 32), "{n}");
            }
            for _ in 0..2000 {
                let k = next() % (spread * 2);
                assert_eq!(got.get(k), want.get(k), "{n} {k}");
            }
        }
    }

    /// A region's keys have their homes in its share of the slots, one region after the other,
    /// whatever the number of slots.
    #[test]
    fn regions_are_runs_of_slots() {
        let mut rng = crate::testing::Rng(0x1234_5678_9abc_def1u64);
        for (n, bits) in [(10, 0), (100, 2), (5000, 4), (123_457, 6), (1_000_000, 10)] {
            let m = InodeMap::with_capacity(n);
            assert_eq!(m.slots.len(), (n * 3).div_ceil(2).max(16));
            let len = m.slots.len() as u64;
            for _ in 0..5000 {
                let key = rng.next() as u32;
                let r = region(u64::from(key) << 32, bits) as u64;
                let home = m.home(key) as u64;
                assert!(home < len);
                // Region r covers [r * len / 2^bits, (r + 1) * len / 2^bits], ends included.
                assert!(home >= (r * len) >> bits, "{n} {key}");
                assert!(home <= ((r + 1) * len) >> bits, "{n} {key}");
            }
        }
    }

    #[test]
    fn an_empty_map_has_nothing() {
        let m = InodeMap::default();
        assert_eq!(m.get(3), None);
        assert_eq!(m.finish(3, m.home_slot(3)), None);
    }
}
