#!/usr/bin/env bash
# check.sh BIN TARGET: the ctest test fuzz_TARGET (tests/fuzz.cmake).
#   1. fuzz BIN for C2H_FUZZ_SECONDS (default 15) seconds over a copy of its committed seed
#      corpus (tests/fuzz/corpus/TARGET) and its regression inputs (tests/fuzz/regress/TARGET);
#   2. run each regression input once, so a crash that was fixed stays fixed.
# A crash, hang, leak or sanitizer report fails the test; its input is kept in
# fuzz-artifacts/TARGET/ under the test's working folder (build-fuzz/tests).
set -euo pipefail
bin=$1 target=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
seconds=${C2H_FUZZ_SECONDS:-15}
work=$(mktemp -d "${TMPDIR:-/tmp}/c2h-fuzz-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
for d in "$here/corpus/$target" "$here/regress/$target"; do
  [ -d "$d" ] && find "$d" -maxdepth 1 -type f ! -name '*.md' -exec cp {} "$work/corpus/" \;
done
echo "fuzz_$target: $(ls "$work/corpus" | wc -l) seed inputs, $seconds s"
mapfile -t opts < <(fuzz_opts "$target")
mapfile -t env < <(fuzz_env "$target")
export TMPDIR=$work "${env[@]}"
rc=0
"$bin" "${opts[@]}" -max_total_time="$seconds" -artifact_prefix="$work/" "$work/corpus" >"$work/log" 2>&1 || rc=$?
tail -n 12 "$work/log"
if [ "$rc" -ne 0 ]; then
  keep=$PWD/fuzz-artifacts/$target
  mkdir -p "$keep"
  cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* "$keep/" 2>/dev/null || true
  cp "$work/log" "$keep/log"
  echo "FAIL: fuzz_$target exited $rc; inputs and log kept in $keep" >&2
  grep -m 5 -E "ERROR|SUMMARY|runtime error|fuzz:" "$work/log" >&2 || true
  exit 1
fi
regress=()
if [ -d "$here/regress/$target" ]; then
  mapfile -t regress < <(find "$here/regress/$target" -maxdepth 1 -type f ! -name '*.md' | sort)
fi
if ((${#regress[@]})); then
  echo "fuzz_$target: ${#regress[@]} regression inputs, once each"
  "$bin" "${opts[@]}" "${regress[@]}" >"$work/regress.log" 2>&1 || {
    tail -n 30 "$work/regress.log" >&2
    echo "FAIL: fuzz_$target: a regression input fails again" >&2
    exit 1
  }
fi
echo "fuzz_$target: ok"
