//! ss 6.1's command line (docs/ss-behaviour.md §1, §2, §12.1, §13).
