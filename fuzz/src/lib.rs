//! netsnap's fuzz targets: the bodies live in `bodies.rs`, which the
//! regression test `analyzer/tests/fuzz_regressions.rs` includes as well.
#![forbid(unsafe_code)]

pub mod bodies;
pub use bodies::*;
