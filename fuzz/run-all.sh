#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 600), PARALLEL at a time
# (default 2), in the background, niced, one libFuzzer worker each, and
# writes a summary (executions, seconds, crashes per target).
#
#   fuzz/seed.sh                      # once: corpora from the fixtures
#   fuzz/run-all.sh [SECONDS] [PARALLEL]
#   tail -f fuzz/logs/run-all.log     # progress; the summary ends up in
#   cat fuzz/logs/summary.txt         # fuzz/logs/summary.txt
#
# Per target: fuzz/logs/<target>/run.log (the fuzzer's driver) and
# fuzz/logs/<target>/fuzz-0.log (libFuzzer's, with the #N lines and the
# final stat:: lines). Crashing inputs land in fuzz/artifacts/<target>/;
# minimise one with `cargo +nightly fuzz tmin <target> <file>` and copy it
# to fuzz/regressions/<target>/ (replayed by `cargo test -p netsnap --test
# fuzz_regressions`).
#
# Environment: FOREGROUND=1 runs in the foreground; FUZZ_SANITIZER (default
# none: the library forbids unsafe code, and ASan roughly halves the speed)
# is passed to cargo fuzz; TARGETS limits the run to these targets.
set -euo pipefail

fuzz=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-600}
parallel=${2:-2}
sanitizer=${FUZZ_SANITIZER:-none}
targets=${TARGETS:-"parse_sockets parse_unix parse_ss parse_net parse_procs parse_etc parse_manifest archive args ss_args end_to_end"}
logs="$fuzz/logs"

if [ "${FOREGROUND:-0}" != 1 ]; then
    mkdir -p "$logs"
    FOREGROUND=1 setsid nohup "$0" "$seconds" "$parallel" >"$logs/run-all.log" 2>&1 </dev/null &
    echo "run-all: started in the background (pid $!); log: $logs/run-all.log, summary: $logs/summary.txt"
    exit 0
fi

cd "$fuzz"
flags=(--sanitizer "$sanitizer" --debug-assertions --fuzz-dir "$fuzz")
echo "$(date -u +%FT%TZ) building ($sanitizer sanitizer, debug assertions)"
nice -n 10 cargo +nightly fuzz build "${flags[@]}"
bin="$fuzz/target/$(rustc +nightly -vV | sed -n 's/^host: //p')/release"

run_one() {
    local t=$1 dir="$logs/$1"
    rm -rf "$dir"
    mkdir -p "$dir" "$fuzz/corpus/$t" "$fuzz/artifacts/$t"
    local max_len=()
    case "$t" in
    archive | end_to_end) max_len=(-max_len=65536) ;;
    args) max_len=(-max_len=512) ;;
    ss_args) max_len=(-max_len=4096) ;;
    *) max_len=(-max_len=16384) ;;
    esac
    echo "$(date -u +%FT%TZ) start $t"
    local start=$SECONDS
    # The binary built above (not `cargo fuzz run`, which would rebuild when
    # the sources change during the run); libFuzzer writes fuzz-0.log in the
    # working directory (-jobs).
    (cd "$dir" && nice -n 10 "$bin/$t" "$fuzz/corpus/$t" \
        -jobs=1 -workers=1 -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$fuzz/artifacts/$t/" "${max_len[@]}" \
        >"$dir/run.log" 2>&1) || true
    echo "$(date -u +%FT%TZ) end $t ($((SECONDS - start)) s)"
}

summary() {
    printf '%-16s %12s %8s %8s %s\n' target executions seconds crashes artifacts
    for t in $targets; do
        local log="$logs/$t/fuzz-0.log"
        [ -f "$log" ] || log="$logs/$t/run.log"
        local execs secs crashes
        execs=$(grep -ao 'stat::number_of_executed_units: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$' || true)
        [ -n "$execs" ] || execs=$(grep -aoE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#' || true)
        secs=$(grep -aoE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -n 1 | awk '{print $5}' || true)
        [ -n "$secs" ] || secs=$(grep -ao 'stat::average_exec_per_sec: [0-9]*' "$log" | tail -n 1 |
            awk -v e="${execs:-0}" '{ if ($2 > 0) printf "%d", e / $2 }' || true)
        crashes=$(grep -acE 'Test unit written to|SUMMARY: libFuzzer' "$log" || true)
        printf '%-16s %12s %8s %8s %s\n' "$t" "${execs:-?}" "${secs:-?}" "${crashes:-0}" \
            "$(ls "$fuzz/artifacts/$t" 2>/dev/null | tr '\n' ' ')"
    done
}

running=0
for t in $targets; do
    if [ "$running" -ge "$parallel" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    run_one "$t" &
    running=$((running + 1))
done
wait || true
summary | tee "$logs/summary.txt"
