#!/bin/bash
# ctu13.sh: CTU-13 scenario 6 (the Menti bot, CTU-Malware-Capture-Botnet-47) end to end, on the
# 26 binetflow slices of $C2H_SHARED/data/real/ctu13-scenario6-menti (SOURCE.md there).
#
#   1. ingest the .gz slices as they are (--format binetflow --tz Europe/Prague, under mpirun
#      -np 2 when there is one): 558,919 rows = the official flow count, of which the arp and
#      ipx/spx rows are skipped, none rejected; flow starts span 08:01:46Z to 10:10:56Z (the
#      capture's 10:01:46 to 12:10:56 Prague summer time);
#   2. seed with the C2 that the labels name (the destinations of From-Botnet-*-CC* flows:
#      91.212.135.158, as SOURCE.md says) and run with docs/profiles/menti.ini;
#   3. roles.csv must name the infected host (the source of the From-Botnet flows,
#      147.32.84.165) as a victim, with as many beacon flows as the labels have C&C flows and
#      its first beacon at the first C&C flow's time in UTC; every victim must be a host the
#      labels call a bot; no host the labels call normal (sources of From-Normal flows,
#      destinations of To-Normal flows, both ends of Normal-* flows) may carry any role;
#   4. the same job under mpirun -np 2 gives the same roles.csv;
#   5. with the built-in trickbot profile (C2 ports 447, 449, 8082) the bot is not found:
#      the profile's C2 port is what ties the seed to the victim here.
#
# What this can and cannot show: docs/REAL_DATA.md. Exit 77 without the shared data.
# shellcheck disable=SC2015 # `A && ok ... || fail ...`: ok only prints, it cannot fail
set -euo pipefail

: "${C2HUNT:?}" "${C2H_SRC:?}" "${C2H_SHARED:=}"
data=$C2H_SHARED/data/real/ctu13-scenario6-menti
if [[ -z $C2H_SHARED || ! -d $data ]]; then
    echo "SKIP: no CTU-13 scenario 6 data under C2H_SHARED ($data)"
    exit 77
fi
profile=$C2H_SRC/docs/profiles/menti.ini

work=$(mktemp -d "${TMPDIR:-/tmp}/c2h-ctu13.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

failures=0
ok() { echo "  ok   $*"; }
fail() {
    echo "  FAIL $*"
    failures=$((failures + 1))
}
# The slices in capture order (1_1, 1_2, 2_1, ..., 13_2), as SOURCE.md says to join them.
mapfile -t slices < <(for n in $(seq 1 13); do for h in 1 2; do echo "$data/capture20110816.binetflow.slice_${n}_$h.gz"; done; done)
for f in "${slices[@]}"; do [[ -f $f ]] || { echo "SKIP: missing $f"; exit 77; }; done

mpi=()
if command -v mpirun >/dev/null; then mpi=(timeout 300 mpirun -np 2); fi

echo "== 1. ingest the 26 slices (${#slices[@]} files, gzip, Prague time)"
rc=0
"${mpi[@]}" "$C2HUNT" ingest --format binetflow --tz Europe/Prague --max-bad 0 --out "$work/A" "${slices[@]}" \
    2>"$work/ingest.err" || rc=$?
sed 's/^/    | /' "$work/ingest.err"
[[ $rc == 0 ]] || { fail "ingest: exit $rc"; exit 1; }
read -r rows rejected skipped < <(sed -n 's/^c2hunt ingest: \([0-9]*\) rows, \([0-9]*\) rejected, \([0-9]*\) skipped.*/\1 \2 \3/p' "$work/ingest.err")
# The labels, from the source files themselves: the non-IP rows, the C&C flows, the normal hosts.
zcat "${slices[@]}" | awk -F, -v dir="$work" '
    $1 == "StartTime" { next }
    $3 == "arp" || $3 == "ipx/spx" { nonip++ }
    { all++ }
    $15 ~ /^flow=From-Botnet/ { bot[$4] = 1 }
    $15 ~ /^flow=From-Botnet-.*-CC/ { cc[$7] = 1; ccn++; if (first == "" || $1 < first) first = $1 }
    $15 ~ /^flow=From-Normal/ { normal[$4] = 1 }
    $15 ~ /^flow=To-Normal/ { normal[$7] = 1 }
    $15 ~ /^flow=Normal/ { normal[$4] = 1; normal[$7] = 1 }
    END {
        for (h in bot) print h > (dir "/bots.txt")
        for (h in cc) print h > (dir "/cc.txt")
        for (h in normal) print h > (dir "/normal.txt")
        printf "%d %d %d %s\n", all, nonip, ccn, first > (dir "/counts.txt")
    }'
read -r all nonip ccn first_date first_time <"$work/counts.txt"
echo "  the labels: $all flows, $nonip non-IP, $ccn C&C flows (first $first_date $first_time), bots: $(tr '\n' ' ' <"$work/bots.txt")"
echo "              C2: $(tr '\n' ' ' <"$work/cc.txt"), normal hosts: $(sort "$work/normal.txt" | tr '\n' ' ')"
[[ $all == 558919 ]] && ok "the slices hold 558,919 flows (SOURCE.md, the official count)" || fail "the slices hold $all flows"
if [[ $rows == $((all - nonip)) && $skipped == "$nonip" && $rejected == 0 ]]; then
    ok "ingest: $rows rows, $skipped skipped (arp, ipx/spx), 0 rejected"
else
    fail "ingest: rows '$rows' skipped '$skipped' rejected '$rejected'; expected $((all - nonip)), $nonip, 0"
fi
"$C2HUNT" inspect --verify "$work/A" >"$work/inspect.out"
if grep -qF "rows         $rows (" "$work/inspect.out" &&
    grep -qE '^time span +2011-08-16T08:01:46\.972Z \.\. 2011-08-16T10:10:56\.[0-9]+Z' "$work/inspect.out"; then
    ok "inspect --verify: $rows rows, flow starts 08:01:46.972Z .. 10:10:56Z (Prague minus 2 h)"
else
    fail "inspect --verify"
    cat "$work/inspect.out"
fi

echo "== 2. seed with the labels' C2 and run with the menti profile"
if [[ $(cat "$work/cc.txt") == 91.212.135.158 ]]; then ok "the labels' only C2 is 91.212.135.158"; else
    fail "the labels' C2: $(cat "$work/cc.txt")"
fi
cp "$work/cc.txt" "$work/seeds.txt"
rc=0
"$C2HUNT" run --archive "$work/A" --seeds "$work/seeds.txt" --profile "$profile" --out "$work/r1" 2>"$work/run.err" || rc=$?
sed 's/^/    | /' "$work/run.err" | grep -v ' pass '
[[ $rc == 0 ]] || { fail "run: exit $rc"; exit 1; }
echo "  roles.csv:"
sed 's/^/    | /' "$work/r1/roles.csv"

echo "== 3. the infected host is the victim; nothing normal is labeled"
bot=$(cat "$work/bots.txt")
[[ $bot == 147.32.84.165 ]] && ok "the labels' only bot is 147.32.84.165 (CTU-13)" || fail "the labels' bots: $bot"
want_first=$(TZ=UTC date -d "TZ=\"Europe/Prague\" ${first_date//\//-} $first_time" +%Y-%m-%dT%H:%M:%S.%3NZ)
line=$(grep "^$bot,victim," "$work/r1/roles.csv" || true)
if [[ -n $line ]]; then ok "$bot is a victim"; else fail "$bot is not a victim"; fi
IFS=, read -r _ _ _ first_seen _ count_a count_b _ <<<"$line"
[[ $count_b == "$ccn" ]] && ok "with $ccn beacon flows, the labels' C&C flows" || fail "beacon flows '$count_b', labels say $ccn"
[[ $count_a == 1 ]] && ok "to 1 C2" || fail "C2 beaconed to: '$count_a'"
[[ $first_seen == "$want_first" ]] && ok "first beacon $first_seen = the first C&C flow ($first_date $first_time Prague)" ||
    fail "first_seen '$first_seen', the first C&C flow is $want_first"
grep -q '^91.212.135.158,c2,' "$work/r1/roles.csv" && ok "91.212.135.158 is c2" || fail "the seed is not c2"
while IFS=, read -r ip role _; do
    [[ $ip == ip ]] && continue
    if [[ $role == victim ]] && ! grep -qxF "$ip" "$work/bots.txt"; then fail "victim $ip is no bot in the labels"; fi
    if grep -qxF "$ip" "$work/normal.txt"; then fail "$ip ($role) is a normal host in the labels"; fi
done <"$work/r1/roles.csv"
n_normal=$(wc -l <"$work/normal.txt")
((n_normal >= 7)) && ok "none of the $n_normal normal hosts carries a role; every victim is a labeled bot" ||
    fail "only $n_normal normal hosts in the labels"

if ((${#mpi[@]} > 0)); then
    echo "== 4. the same job under mpirun -np 2"
    rc=0
    "${mpi[@]}" "$C2HUNT" run --archive "$work/A" --seeds "$work/seeds.txt" --profile "$profile" --out "$work/r2" --quiet ||
        rc=$?
    if [[ $rc == 0 ]] && cmp -s "$work/r1/roles.csv" "$work/r2/roles.csv"; then ok "roles.csv identical with 2 ranks"; else
        fail "2 ranks: exit $rc or roles.csv differs"
    fi
fi

echo "== 5. with the trickbot profile the bot is not found"
"$C2HUNT" run --archive "$work/A" --seeds "$work/seeds.txt" --out "$work/r3" --quiet
if ! grep -q ',victim,' "$work/r3/roles.csv"; then ok "no victim with C2 ports 447, 449, 8082"; else
    fail "victims with the trickbot profile"
    cat "$work/r3/roles.csv"
fi

echo
if ((failures > 0)); then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
