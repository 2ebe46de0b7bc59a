//! The socket files as ss 6.1 reads them (docs/ss-behaviour.md §5-§9, §11), which differs from netstat's reading (`inet`, `unix`).
