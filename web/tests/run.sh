#!/usr/bin/env bash
# The wasm API's tests under Node: builds the browser package
# (scripts/build-web.sh, arguments passed on, e.g. --dev) and runs
# web/tests/*.test.mjs against target/web/pkg/ with Node's test runner.
# Needs Node 20 or later.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

node=${NODE:-node}
if ! major=$("$node" -p 'process.versions.node.split(".")[0]' 2>/dev/null); then
	echo "web/tests/run.sh: node not found (set NODE=/path/to/node; Node 20 or later)" >&2
	exit 1
fi
if ((major < 20)); then
	echo "web/tests/run.sh: Node $major is too old; Node 20 or later is needed" >&2
	exit 1
fi

bash scripts/build-web.sh "$@"
"$node" --test web/tests/*.test.mjs
