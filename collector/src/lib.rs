//! The part of the collector that other crates of the workspace share: the gzip member writer
//! (the synthetic-snapshot generator in `bench/` writes archives the way the collector does).

pub mod members;
