//! netstat's `-i` view.

use crate::model::Snapshot;
use crate::netstat::args::NetstatOptions;
use crate::render::Output;

/// Renders the `-i` view into `out` (which already holds any text
/// netstat printed while parsing options) and returns it.
pub fn run(_snap: &Snapshot, _opts: &NetstatOptions, mut out: Output) -> Output {
    out.stderr
        .extend_from_slice(b"netsnap: netstat -i is not reproduced yet\n");
    out.status = 2;
    out
}
