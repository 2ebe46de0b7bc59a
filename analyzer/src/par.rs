//! How many threads the analyzer may use: inflating beside parsing, and
//! rendering large tables in parts. One in WebAssembly (no threads there).

use std::sync::atomic::{AtomicUsize, Ordering};

static THREADS: AtomicUsize = AtomicUsize::new(0);

/// Sets the number of threads (0: as many as the machine has). The CLI sets
/// it from `NETSNAP_THREADS`.
pub fn set_threads(n: usize) {
    THREADS.store(n, Ordering::Relaxed);
}

/// The number of threads to use, at least 1.
pub fn threads() -> usize {
    if cfg!(target_arch = "wasm32") {
        return 1;
    }
    match THREADS.load(Ordering::Relaxed) {
        0 => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        n => n,
    }
}

/// Drops `t` on a thread of its own when threads are allowed, else here: big structures whose
/// memory is given back while the caller goes on (the CLI exits meanwhile, without waiting).
pub(crate) fn drop_later<T: Send + 'static>(t: T) {
    if threads() > 1 {
        // (Should the thread not start, `t` is dropped with the closure.)
        let _ = std::thread::Builder::new().spawn(move || drop(t));
    } else {
        drop(t);
    }
}

/// Buffers handed back to be used again (by threads that make and drop many of about the same
/// size): at most 16 are kept.
#[derive(Debug)]
pub(crate) struct Pool<T = u8>(std::sync::Mutex<Vec<Vec<T>>>);

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Pool(std::sync::Mutex::new(Vec::new()))
    }
}

impl<T> Pool<T> {
    /// A buffer given back before (empty), or a new one.
    pub(crate) fn take(&self) -> Vec<T> {
        self.0
            .lock()
            .ok()
            .and_then(|mut p| p.pop())
            .unwrap_or_default()
    }

    /// Gives `b` back.
    pub(crate) fn give(&self, mut b: Vec<T>) {
        b.clear();
        if let Ok(mut p) = self.0.lock()
            && p.len() < 16
        {
            p.push(b);
        }
    }
}
