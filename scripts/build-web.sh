#!/usr/bin/env bash
# Builds the browser package of netsnap (crate netsnap-web) into target/web/pkg/:
#   netsnap_web.js        ES module: `init` (default export), `Snapshot`, `version`, the UI's `mountApp`
#   netsnap_web_bg.wasm   the analyzer and the UI, compiled to wasm32-unknown-unknown
#   netsnap_web.d.ts      TypeScript declarations
#   package.json          name "netsnap", the workspace version
#
# Usage: scripts/build-web.sh [--release | --dev]
#   --release  optimised build (the default; what ships and what the tests use)
#   --dev      unoptimised build, quicker to compile, much larger and slower
#
# Needs rustup and cargo. Installs the wasm32-unknown-unknown target and
# wasm-bindgen-cli at exactly the version of the wasm-bindgen crate in
# Cargo.lock when missing (cargo install, about 3 minutes, once). No
# wasm-pack, no trunk: they download prebuilt binaries.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

profile=release
for arg in "$@"; do
	case $arg in
	--release) profile=release ;;
	--dev) profile=dev ;;
	-h | --help)
		sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "build-web.sh: unknown argument: $arg (try --help)" >&2
		exit 2
		;;
	esac
done

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

# wasm-bindgen-cli must match the wasm-bindgen crate exactly.
want=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [[ -z $want ]]; then
	echo "build-web.sh: no wasm-bindgen in Cargo.lock" >&2
	exit 1
fi
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [[ $have != "$want" ]]; then
	echo "build-web.sh: installing wasm-bindgen-cli $want (found: ${have:-none})"
	cargo install wasm-bindgen-cli --version "$want" --locked ||
		cargo install wasm-bindgen-cli --version "$want"
fi

cargo_flags=(-p netsnap-web --lib --target wasm32-unknown-unknown)
if [[ $profile == release ]]; then
	cargo_flags+=(--release)
	dir=release
else
	dir=debug
fi
# WebAssembly SIMD (every browser since 2021, Node 16.4): the inflater's and the line
# scanner's 128-bit paths; 1M-socket `netstat -tan` in Chromium took 1,080 ms without, 782 with.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS:-} -C target-feature=+simd128"
cargo build "${cargo_flags[@]}"

target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
wasm="${target_dir:-target}/wasm32-unknown-unknown/$dir/netsnap_web.wasm"
out=target/web/pkg
rm -rf "$out"
mkdir -p "$out"
wasm-bindgen --target web --remove-name-section --remove-producers-section --out-dir "$out" --out-name netsnap_web "$wasm"

# package.json from web/package.json.in, with the workspace's version and license.
ws_field() {
	awk -v key="$1" '
		/^\[/ { in_ws = ($0 == "[workspace.package]") }
		in_ws && $1 == key { sub(/^[^=]*= *"/, ""); sub(/".*$/, ""); print; exit }
	' Cargo.toml
}
version=$(ws_field version)
license=$(ws_field license)
sed -e "s/@VERSION@/$version/" -e "s/@LICENSE@/$license/" web/package.json.in >"$out/package.json"

echo "build-web.sh: $profile build of netsnap $version in $out/:"
for f in "$out"/netsnap_web.js "$out"/netsnap_web_bg.wasm "$out"/netsnap_web.d.ts "$out"/package.json; do
	printf '  %-28s %9d bytes  (gzip -9: %d)\n' "$(basename "$f")" "$(wc -c <"$f")" "$(gzip -9c "$f" | wc -c)"
done
