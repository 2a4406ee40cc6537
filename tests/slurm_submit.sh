#!/bin/bash
# slurm_submit.sh: slurm/submit --dry-run sizes jobs by the model of docs/SLURM.md, on made-up
# indexes and inputs of research size (nothing is read but index.tsv and file sizes, and no
# Slurm is needed). The expected figures are worked out by hand from the model, so a change of
# the model or of its arithmetic shows here. Also: the chain's dependency, the array of
# windows, and the refusals (bad index, standard input, a window without shards).
set -euo pipefail

: "${C2H_SRC:?}"
submit=$C2H_SRC/slurm/submit
work=$(mktemp -d "${TMPDIR:-/tmp}/c2h-slurm-submit.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
failures=0
ok() { echo "  ok   $*"; }
fail() {
    echo "  FAIL $*"
    failures=$((failures + 1))
}
unset C2HUNT # --dry-run needs no binary

# make_archive DIR SHARDS ROWS STORED: an index of SHARDS hourly shards from 2026-01-05T00:00Z.
make_archive() {
    mkdir -p "$1"
    awk -v n="$2" -v rows="$3" -v stored="$4" 'BEGIN {
        OFS = "\t"; print "file", "family", "rows", "t_min_ms", "t_max_ms", "stored_bytes", "raw_bytes"
        t0 = 1767571200000
        for (i = 0; i < n; i++)
            printf "shards/s%05d.h5\t4\t%d\t%.0f\t%.0f\t%d\t%d\n", i, rows, t0 + i * 3600000, t0 + i * 3600000 + 3599000, stored, rows * 46
    }' >"$1/index.tsv"
}
# expect NAME OUTPUT WORD...: every WORD (an sbatch option) is on the sbatch line of OUTPUT.
expect() {
    local name=$1 out=$2 w missing=()
    shift 2
    for w in "$@"; do grep -qF -- " $w " <<<"$out " || missing+=("$w"); done
    if ((${#missing[@]} == 0)); then ok "$name: $*"; else
        fail "$name: missing ${missing[*]} in:"
        echo "$out" | sed 's/^/    | /'
    fi
}
# 685 full shards (1.46 M rows, 16.34 B/flow stored): 1,000.1 M flows, 15.22 GiB.
make_archive "$work/big" 685 1460000 23856400
make_archive "$work/tiny" 3 1000 20000

echo "== run over 1,000 M flows"
# 15.22 GiB / 4 GiB -> 4 ranks; busiest 250.025 + 1.46 M flows; memory 34.2 + 2.316 x 251.485
# = 616.6 MiB, x2 -> 1280 MiB; time 251.485 M x 4 / 1.3 M = 773.8 s + 60, x2 = 1668 s -> 28 min.
out=$("$submit" run --dry-run --archive "$work/big" --seeds s.txt --out r --gib-per-rank 4 --tasks-per-node 2 2>"$work/err")
expect "4 GiB per rank" "$out" --nodes=2 --ntasks=4 --ntasks-per-node=2 --mem-per-cpu=1280M --time=00:28:00
# 1 GiB per rank -> 16 ranks, 8 a node; busiest 62.506 + 1.46 M: 182.3 MiB x2 -> 384 MiB;
# 196.8 s + 60, x2 = 514 s -> 9 min, raised to the 10 min floor.
out=$("$submit" run --dry-run --archive "$work/big" --seeds s.txt --out r --tasks-per-node 8 2>"$work/err")
expect "1 GiB per rank" "$out" --nodes=2 --ntasks=16 --ntasks-per-node=8 --mem-per-cpu=384M --time=00:10:00
grep -q '1000.10 M flows in 685 shards -> 16 ranks' "$work/err" && ok "the sizing is explained on stderr" ||
    fail "no explanation on stderr: $(cat "$work/err")"
# One day of it: 24 shards, 35.04 M flows, 0.53 GiB -> 1 rank; 115.4 MiB x2 = 231 -> 256 MiB.
out=$("$submit" run --dry-run --archive "$work/big" --seeds s.txt --out r --tasks-per-node 8 \
    --since 2026-01-05T00:00:00Z --until 2026-01-06T00:00:00Z 2>"$work/err")
expect "one day (--since/--until)" "$out" --nodes=1 --ntasks=1 --mem-per-cpu=256M --since 2026-01-05T00:00:00Z
grep -q '35.04 M flows in 24 shards' "$work/err" && ok "the window's 24 shards only" ||
    fail "window sizing: $(cat "$work/err")"
out=$("$submit" run --dry-run --archive "$work/big" --seeds s.txt --out r --tasks-per-node 8 \
    --mem-per-rank 3000 --time-limit 1500 2>/dev/null)
expect "overrides" "$out" --mem-per-cpu=3000M --time=1-01:00:00
out=$("$submit" run --dry-run --archive "$work/tiny" --seeds s.txt --out r --gib-per-rank 0.000001 --tasks-per-node 2 2>"$work/err")
expect "no more ranks than shards" "$out" --nodes=2 --ntasks=3 --ntasks-per-node=2
grep -q 'capped at 3: the shards' "$work/err" && ok "the cap is explained" || fail "cap: $(cat "$work/err")"

echo "== pipeline from 4 x 10 GiB of nfdump CSV"
for i in 1 2 3 4; do truncate -s 10G "$work/in$i.csv"; done
# 40 GiB / 348 B = 123.42 M flows ~ 1.88 GiB stored -> 2 ranks; ingest 61.7 M rows per rank /
# 0.846 M/s = 73 s + 60, x2 -> 5 min, floor 10. The run, estimated: 2 ranks, busiest
# 61.71 + 1.46 M flows: 180.5 MiB x2 -> 384 MiB, 254 s x2 -> 9 min, floor 10.
out=$("$submit" pipeline --dry-run --format nfdump-csv --archive "$work/a" --seeds s.txt --out r \
    --tasks-per-node 4 "$work"/in?.csv 2>"$work/err")
ingest_line=$(grep 'ingest.sbatch' <<<"$out" || true)
run_line=$(grep 'run.sbatch' <<<"$out" || true)
expect "ingest" "$ingest_line" --ntasks=2 --mem-per-cpu=512M --time=00:10:00
expect "run after ingest" "$run_line" --ntasks=2 --mem-per-cpu=384M "'--dependency=afterok:\$INGEST_JOB'" \
    --kill-on-invalid-dep=yes
grep -q '123.42 M flows' "$work/err" && ok "flows estimated from the CSV bytes" || fail "estimate: $(cat "$work/err")"

echo "== retro over 28.5 days, a day per window"
out=$("$submit" retro --dry-run --archive "$work/big" --seeds s.txt --out "$work/retro" --step 1d \
    --max-parallel 3 --tasks-per-node 8 2>"$work/err")
retro_line=$(grep 'retro.sbatch' <<<"$out" || true)
diff_line=$(grep 'diff.sbatch' <<<"$out" || true)
expect "array" "$retro_line" --array=0-28%3 --ntasks=1 "$work/retro/windows.tsv"
expect "diff after the array" "$diff_line" "'--dependency=afterany:\$RETRO_JOB'" --ntasks=1
n=$(grep -c '  window ' "$work/err" || true)
first=$(grep -m1 '  window 0:' "$work/err" || true)
last=$(grep '  window 28:' "$work/err" || true)
if [[ $n == 29 && $first == *'[2026-01-05T00:00:00Z, 2026-01-06T00:00:00Z)'* &&
    $last == *'[2026-02-02T00:00:00Z, 2026-02-03T00:00:00Z)'* ]]; then
    ok "29 windows, 2026-01-05 to 2026-02-02"
else
    fail "windows: $n, first '$first', last '$last'"
fi
[[ ! -e $work/retro ]] && ok "--dry-run wrote nothing" || fail "--dry-run made $work/retro"
out=$("$submit" retro --dry-run --archive "$work/big" --seeds s.txt --out "$work/retro" --step 1w \
    --window all --from 2026-01-05T00:00:00Z --tasks-per-node 8 2>"$work/err")
n=$(grep -c '  window ' "$work/err" || true)
last=$(grep '  window 3:' "$work/err" || true)
# Weeks from Monday 2026-01-05: the last flow (2026-02-02T12:59:59Z) is in the 5th, which ends
# 2026-02-09; every window starts at the start.
if [[ $n == 5 && $last == *'[2026-01-05T00:00:00Z, 2026-02-02T00:00:00Z)'* ]] &&
    grep -q '  window 4: \[2026-01-05T00:00:00Z, 2026-02-09T00:00:00Z)' "$work/err"; then
    ok "--window all: 5 growing windows"
else
    fail "--window all: $n windows, last '$last'"
fi

echo "== refusals (exit 2, naming the problem; 1 for usage)"
refuse() { # refuse NAME PATTERN ARGS...
    local name=$1 pat=$2 rc=0
    shift 2
    "$submit" "$@" --dry-run >/dev/null 2>"$work/err" || rc=$?
    if ((rc == 2)) && grep -q -- "$pat" "$work/err"; then ok "$name: $(tail -1 "$work/err")"; else
        fail "$name: exit $rc, $(cat "$work/err")"
    fi
}
mkdir -p "$work/bad"
printf 'file\trows\n' >"$work/bad/index.tsv"
refuse "index header" 'index.tsv:1' run --archive "$work/bad" --seeds s --out r
refuse "no index" 'index.tsv' run --archive "$work/none" --seeds s --out r
refuse "standard input" 'standard input' ingest --format nfdump-csv --archive a -
refuse "empty window" 'no shard' run --archive "$work/big" --seeds s --out r --since 2027-01-01T00:00:00Z
rc=0
"$submit" run --archive "$work/big" --dry-run >/dev/null 2>"$work/err" || rc=$?
if ((rc == 1)) && grep -q 'required' "$work/err"; then ok "usage error: exit 1"; else fail "usage error: exit $rc"; fi

echo
if ((failures > 0)); then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
