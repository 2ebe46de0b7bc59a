#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls exactly this).
# On a fresh Debian machine with Rust it first installs what it needs:
# net-tools and iproute2 (the real tools the differential tests replay),
# and the wasm32 target (the analyzer library must build for the browser).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

need=()
for pkg in net-tools iproute2 util-linux python3; do
	dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if ((${#need[@]})); then
	apt-get update -qq && apt-get install -y -qq "${need[@]}"
fi
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

export CI=true
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo build --workspace --release
cargo test --workspace --release
cargo build -p netsnap --lib --no-default-features --target wasm32-unknown-unknown
# The browser: builds the web page, runs the wasm API's node test and the
# headless-Chromium tests (installs Debian's chromium and chromium-driver).
bash tests/browser/run.sh
echo "test.sh: all passed"
