//! Integration tests: golden outputs of the real netstat and ss over `fixtures/`,
//! and differential tests against the real tools where they are installed.

mod differential;
mod golden;
mod golden_ss;
mod states;
