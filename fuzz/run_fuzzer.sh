#!/bin/sh
# run_fuzzer.sh FUZZER SEED_DIR SECONDS: runs a libFuzzer target for SECONDS from the seeds,
# with new inputs going to a scratch corpus (the source tree is never written).
set -eu
fuzzer=$(readlink -f "$1") seeds=$(readlink -f "$2") seconds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
cd "$work"  # crash-* files land here; they are printed on failure
"$fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
  "$work/corpus" "$seeds"
