#!/bin/bash
# run_ranks.sh: `c2hunt run` gives the same roles.csv, byte for byte, under mpirun -np 1, 2, 3,
# 4 and 7 (oversubscribed on a small machine): every decision is made from merged values and
# every list is sorted (docs/ALGORITHM.md, Determinism). The result must not be trivial: it
# holds c2 rows beyond the seeds, victims and controllers. report.json must agree too, but
# for its "ranks" line. With --edge-budget 1024 pass 1 spills to disk, and the roles stay the same.
set -euo pipefail

: "${C2HUNT:?}"
if ! command -v mpirun >/dev/null; then
    echo "SKIP: no mpirun"
    exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/c2h-run-ranks.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
failures=0
ok() { echo "  ok   $*"; }
fail() {
    echo "  FAIL $*"
    failures=$((failures + 1))
}

echo "== c2hunt gen --preset small --seed 11"
"$C2HUNT" gen --preset small --seed 11 --out "$work/arch" --quiet
n_seeds=$(grep -cv '^#' "$work/arch/seeds.txt")
echo "  $(grep -c . "$work/arch/truth.csv") truth lines, $n_seeds seeds"

ranks=(1 2 3 4 7)
for np in "${ranks[@]}"; do
    echo "== mpirun -np $np c2hunt run --quiet"
    rc=0
    timeout 120 mpirun --oversubscribe -np "$np" "$C2HUNT" run --archive "$work/arch" --seeds "$work/arch/seeds.txt" \
        --out "$work/np$np" --quiet >"$work/np$np.out" 2>"$work/np$np.err" || rc=$?
    if [[ $rc != 0 || ! -f $work/np$np/roles.csv ]]; then
        fail "-np $np: exit $rc, roles.csv $([[ -f $work/np$np/roles.csv ]] && echo present || echo missing)"
        sed 's/^/    | /' "$work/np$np.err" | head -20
        continue
    fi
    ok "-np $np: exit 0, $(($(wc -l <"$work/np$np/roles.csv") - 1)) labels"
    ranks_line=$(grep -c "\"ranks\": $np," "$work/np$np/report.json" || true)
    if [[ $ranks_line == 1 ]]; then ok "-np $np: report.json says \"ranks\": $np"; else
        fail "-np $np: report.json does not say \"ranks\": $np"
    fi
    if [[ $np != 1 && -f $work/np1/roles.csv ]]; then
        if cmp "$work/np1/roles.csv" "$work/np$np/roles.csv"; then ok "-np $np: roles.csv identical to -np 1"; else
            fail "-np $np: roles.csv differs from -np 1:"
            diff "$work/np1/roles.csv" "$work/np$np/roles.csv" | head -20 | sed 's/^/    | /'
        fi
        if cmp <(grep -v '"ranks":' "$work/np1/report.json") <(grep -v '"ranks":' "$work/np$np/report.json"); then
            ok "-np $np: report.json identical to -np 1 but for \"ranks\""
        else
            fail "-np $np: report.json differs from -np 1 (beyond \"ranks\")"
        fi
    fi
done

# Pass 1 within a small memory budget: local sets exchanged many times, owners spilling sorted
# runs to OUT.ckpt and merging them back (docs/ALGORITHM.md). The same roles.csv, byte for byte.
for np in 1 2 3; do
    echo "== mpirun -np $np c2hunt run --edge-budget 1024 (spills)"
    rc=0
    timeout 120 mpirun --oversubscribe -np "$np" "$C2HUNT" run --archive "$work/arch" --seeds "$work/arch/seeds.txt" \
        --out "$work/b$np" --edge-budget 1024 --quiet >"$work/b$np.out" 2>"$work/b$np.err" || rc=$?
    if [[ $rc != 0 || ! -f $work/b$np/roles.csv ]]; then
        fail "--edge-budget 1024 -np $np: exit $rc"
        sed 's/^/    | /' "$work/b$np.err" | head -20
        continue
    fi
    spilled=$(grep -o '"spilled_bytes": [0-9]*' "$work/b$np/metrics.json" | awk '{ s += $2 } END { print s + 0 }')
    if ((spilled > 0)); then ok "-np $np: pass 1 spilled $spilled bytes"; else fail "-np $np: nothing spilled"; fi
    if cmp -s "$work/np1/roles.csv" "$work/b$np/roles.csv"; then ok "-np $np: roles.csv identical to the run without spilling"; else
        fail "-np $np --edge-budget 1024: roles.csv differs"
        diff "$work/np1/roles.csv" "$work/b$np/roles.csv" | head -20 | sed 's/^/    | /'
    fi
    if [[ -e $work/b$np.ckpt ]]; then fail "-np $np: $work/b$np.ckpt (spill runs) left behind"; else ok "-np $np: no spill run left"; fi
done

echo "== the result is not trivial"
roles=$work/np1/roles.csv
if [[ -f $roles ]]; then
    count() { awk -F, -v r="$1" 'NR > 1 && $2 == r' "$roles" | wc -l; }
    n_c2=$(count c2)
    n_victim=$(count victim)
    n_ctl=$(count controller)
    echo "  $n_c2 c2, $n_victim victim, $n_ctl controller, $(count c2_predicted) c2_predicted," \
        "$(count backend) backend, $(count scanner) scanner"
    if ((n_c2 > n_seeds)); then ok "c2 rows beyond the $n_seeds seeds: $n_c2"; else fail "only $n_c2 c2 rows"; fi
    if ((n_victim >= 10)); then ok "victim rows: $n_victim"; else fail "only $n_victim victim rows"; fi
    if ((n_ctl >= 1)); then ok "controller rows: $n_ctl"; else fail "no controller row"; fi
else
    fail "no roles.csv from -np 1"
fi

echo
if ((failures > 0)); then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
