//! Every recorded (snapshot, ss command line) pair in `fixtures/*/expected-ss/`, replayed through
//! `netsnap ss` and compared byte for byte with what the real ss (iproute2 6.1) printed when it
//! read the snapshot's files.

use netsnap_tests::{check_recorded, run_ss};

#[test]
fn golden_ss_outputs() {
    check_recorded("golden ss", &["expected-ss"], run_ss);
}
