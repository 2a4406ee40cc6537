#!/bin/bash
# gen_ranks.sh: `c2hunt gen` under `mpirun -np 1` and `-np 3` gives the same archive: the same
# rows (c2hunt inspect), the same shards (index.tsv: file, family, rows, time span), and the
# same truth.csv, seeds.txt and --csv file byte for byte. Another seed must give another archive.
set -euo pipefail

: "${C2HUNT:?}"
if ! command -v mpirun >/dev/null; then
    echo "SKIP: no mpirun"
    exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/c2h-gen-ranks.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

for np in 1 3; do
    mpirun --oversubscribe -np "$np" "$C2HUNT" gen --preset small --seed 7 --out "$work/np$np" --csv "$work/np$np.csv" \
        2> "$work/np$np.log" || { cat "$work/np$np.log"; fail "gen with $np ranks"; }
    grep -q "c2hunt gen: [0-9]* flows, [0-9]* shards, [0-9]* bytes, .* flows/s" "$work/np$np.log" ||
        { cat "$work/np$np.log"; fail "no summary line with $np ranks"; }
    [[ -z $(find "$work" -name "np$np.csv.*") ]] || fail "CSV parts left behind with $np ranks"
done

rows() { "$C2HUNT" inspect "$1" | awk '$1 == "rows" { print $2 }'; }
r1=$(rows "$work/np1")
r3=$(rows "$work/np3")
[[ -n $r1 && $r1 -gt 200000 ]] || fail "implausible row count '$r1'"
[[ $r1 == "$r3" ]] || fail "rows differ: $r1 with 1 rank, $r3 with 3"
cmp <(cut -f1-5 "$work/np1/index.tsv") <(cut -f1-5 "$work/np3/index.tsv") || fail "index.tsv differs"
for f in truth.csv seeds.txt; do
    cmp "$work/np1/$f" "$work/np3/$f" || fail "$f differs"
done
cmp "$work/np1.csv" "$work/np3.csv" || fail "the CSV differs"
[[ $(($(wc -l < "$work/np1.csv") - 1)) == "$r1" ]] || fail "the CSV does not hold $r1 flows"
grep -q '^ip,role,t_stage,t_active,t_down$' "$work/np1/truth.csv" || fail "truth.csv header"
for role in victim c2 c2_predicted controller backend scanner benign; do
    grep -q ",$role," "$work/np1/truth.csv" || fail "no $role in truth.csv"
done
n_seeds=$(grep -vc '^#' "$work/np1/seeds.txt")
[[ $n_seeds == 2 || $n_seeds == 3 ]] || fail "$n_seeds seeds"

# The twin that must differ: another seed.
mpirun --oversubscribe -np 2 "$C2HUNT" gen --preset small --seed 8 --out "$work/seed8" -q
if cmp -s "$work/np1/truth.csv" "$work/seed8/truth.csv"; then
    fail "seed 8 gives the truth of seed 7"
fi
echo "PASS: $r1 rows, the same with 1 and 3 ranks"
