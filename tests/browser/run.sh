#!/usr/bin/env bash
# The browser part of the suite (scripts/test.sh calls this).
#
# 1. Installs Debian's chromium and chromium-driver if missing (nothing else
#    brings a browser here: no Selenium Manager, no playwright download).
# 2. Builds the web outputs: scripts/build-web.sh (target/web/pkg/), then
#    scripts/package-web.py (target/web/site/ and target/web/netsnap.html).
# 3. Runs the wasm API's node test, web/tests/run.sh, when it exists.
# 4. Runs the browser tests, tests/browser/test_browser.py (headless Chromium
#    through chromedriver, against the page from disk and the served site).
#
# Exits non-zero if any step fails; every step runs even after a failure, so
# one run reports everything.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if [[ ! -x /usr/bin/chromium || ! -x /usr/bin/chromedriver ]]; then
	echo "browser: installing chromium and chromium-driver"
	apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null || {
		echo "browser: could not install chromium and chromium-driver" >&2
		exit 1
	}
fi

failed=()
step() {
	local name=$1
	shift
	local t0=$SECONDS
	echo "browser: == $name"
	if "$@"; then
		echo "browser: -- $name: ok ($((SECONDS - t0))s)"
	else
		echo "browser: -- $name: FAILED ($((SECONDS - t0))s)"
		failed+=("$name")
	fi
}

t_start=$SECONDS
built=1
for script in scripts/build-web.sh scripts/package-web.py; do
	if [[ ! -f $script ]]; then
		echo "browser: $script does not exist"
		failed+=("$script missing")
		built=0
	fi
done
if ((built)); then
	step "scripts/build-web.sh" bash scripts/build-web.sh
	step "scripts/package-web.py" python3 scripts/package-web.py
fi
if [[ -f web/tests/run.sh ]]; then
	step "web/tests/run.sh (wasm API under node)" bash web/tests/run.sh
else
	echo "browser: no web/tests/run.sh; no node API test to run"
fi
step "tests/browser/test_browser.py" python3 tests/browser/test_browser.py

echo "browser: took $((SECONDS - t_start))s"
if ((${#failed[@]})); then
	printf 'browser: failed: %s\n' "${failed[@]}"
	exit 1
fi
echo "browser: all passed"
