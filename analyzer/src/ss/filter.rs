//! ss 6.1's filter expression: tokens, grammar and evaluation (docs/ss-behaviour.md §12, §13).
