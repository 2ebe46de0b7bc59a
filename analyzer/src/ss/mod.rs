//! `ss` (iproute2 6.1) views of a snapshot, as ss prints them when it reads the snapshot's files
//! (`PROC_ROOT`); docs/ss-behaviour.md is the behaviour this reproduces.

pub mod args;
pub mod filter;
