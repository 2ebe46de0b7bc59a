#!/usr/bin/env bash
# Serves the static site target/web/site/ on 127.0.0.1 (never on other
# addresses) and prints its URL. The page fetches nothing after it loads.
#
# Usage: scripts/serve-web.sh [PORT]   (default 8080)
# Build the site first: scripts/build-web.sh && scripts/package-web.py
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

port=${1:-8080}
if [[ ! $port =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
	echo "serve-web.sh: not a port: $port" >&2
	exit 2
fi
site=target/web/site
if [[ ! -f $site/index.html ]]; then
	echo "serve-web.sh: $site/index.html does not exist; run scripts/build-web.sh and scripts/package-web.py" >&2
	exit 1
fi
echo "netsnap: http://127.0.0.1:$port/ (serving $site; Ctrl-C stops)"
exec python3 -m http.server "$port" --bind 127.0.0.1 --directory "$site"
