//! Every recorded (snapshot, flags) pair in `fixtures/*/expected/` and `expected-views/`, replayed
//! through netsnap and compared byte for byte with what the real netstat printed.

use netsnap_tests::{check_recorded, run_netstat};

#[test]
fn golden_netstat_outputs() {
    check_recorded("golden", &["expected", "expected-views"], run_netstat);
}
