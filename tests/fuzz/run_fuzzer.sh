#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time, seeded from the project's test data.
# usage: run_fuzzer.sh FUZZER SECONDS CORPUS_DIR DATA_DIR
# Exits non-zero when the fuzzer finds a crash, a leak, a timeout or a sanitizer report.
set -euo pipefail
fuzzer=$1 seconds=$2 corpus=$3 data=$4
[ -x "$fuzzer" ] || { echo "fuzz target $fuzzer was not built (run the test command)" >&2; exit 1; }
mkdir -p "$corpus" "$corpus.artifacts"
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
find "$data" -type f \( -name '*.xml' -o -name '*.log-archive' \) -size -2000k -exec cp {} "$seeds/" \;
echo "fuzzing $(basename "$fuzzer") for ${seconds}s with $(ls "$seeds" | wc -l) seed files"
"$fuzzer" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
  -artifact_prefix="$corpus.artifacts/" -print_final_stats=1 "$corpus" "$seeds" 2>&1 | tail -n 25
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
  echo "fuzzer $(basename "$fuzzer") FAILED (exit $status); reproducer in $corpus.artifacts/" >&2
  exit "$status"
fi
