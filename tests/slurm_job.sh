#!/bin/bash
# slurm_job.sh: the Slurm templates on a real single-node Slurm (Debian's slurm-wlm and munge)
# that the test stands up in a temporary folder (tests/slurm_cluster.sh) and stops on exit.
#   1. the demo's generation as a 2-task sbatch job (srun --mpi=pmix c2hunt gen): one MPI job
#      of 2 ranks, not two singletons;
#   2. slurm/submit pipeline: ingest (2 ranks) then run (2 ranks, srun --mpi=pmix) chained with
#      afterok: both succeed, run starts after ingest ended, roles.csv has C2 beyond the seeds
#      and equals the roles.csv of the same run under plain mpirun;
#   3. slurm/submit retro --launcher mpirun: one day per array task, the windows together read
#      every flow of the archive once, then the diff job (or its message that diff is missing);
#   4. a pipeline whose ingest fails: the failure is seen (exit code 2) and the run never starts.
# Skipped (77) without root or without the packages, except under CI, where it must run.
set -euo pipefail

: "${C2HUNT:?}" "${C2H_SRC:?}"
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/slurm_cluster.sh
source "$here/slurm_cluster.sh"
# A job around this test (its allocation, its task ids) must not leak into our commands.
while read -r v; do unset "$v"; done < <(compgen -e | grep '^SLURM_' || true)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

work=$(mktemp -d "${TMPDIR:-/tmp}/c2h-slurm.XXXXXX")
cleanup() {
    slurm_cluster_stop
    rm -rf -- "$work"
}
trap cleanup EXIT
failures=0
ok() { echo "  ok   $*"; }
fail() {
    echo "  FAIL $*"
    failures=$((failures + 1))
}
show_log() {
    if [[ -f $1 ]]; then grep -v ' pass [0-9]/' "$1" | tail -"${2:-15}" | sed 's/^/    | /'; else
        echo "    | (no log $1)"
    fi
}
# job_field ID FIELD: a field of `scontrol show job`, e.g. StartTime; empty if none.
job_field() {
    { scontrol show job -o "$1" 2>/dev/null || true; } |
        awk -v f="$2=" '{ for (i = 1; i <= NF; i++) if (index($i, f) == 1) { print substr($i, length(f) + 1); exit } }'
}

echo "== a single-node Slurm in $work/cluster"
start=$SECONDS
rc=0
slurm_cluster_start "$work/cluster" || rc=$?
if ((rc == 77)); then
    if [[ -n ${CI:-} ]]; then
        echo "  FAIL under CI Slurm must run here, but: $SLURM_CLUSTER_WHY"
        exit 1
    fi
    echo "SKIP: $SLURM_CLUSTER_WHY"
    exit 77
fi
if ((rc != 0)); then
    echo "  FAIL the daemons did not come up (above)"
    exit 1
fi
ok "munged, slurmctld and slurmd up in $((SECONDS - start)) s: $(sinfo -h -o '%N %c CPUs %m MiB %T')"

# submitted KIND FILE: the job id that slurm/submit printed as "KIND ID".
submitted() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

echo "== 1. sbatch, 2 tasks: srun --mpi=pmix c2hunt gen --preset small"
gen_job=$(sbatch --parsable --export=ALL --job-name=c2h-gen --ntasks=2 --cpus-per-task=1 --mem-per-cpu=256M \
    --time=5 --output="$work/gen.out" --wrap "srun --mpi=pmix '$C2HUNT' gen --preset small --seed 1 \
    --out '$work/gen' --csv '$work/flows.csv'")
if st=$(slurm_job_wait "$gen_job" 90); then ok "job $gen_job: $st"; else
    fail "gen job $gen_job: $st"
    show_log "$work/gen.out"
fi
if grep -q 'c2hunt gen: preset small, seed 1, 3 days, 2 ranks' "$work/gen.out" 2>/dev/null; then
    ok "one MPI job of 2 ranks"
else
    fail "the job's log does not say '2 ranks' (PMIx did not join the tasks?)"
    show_log "$work/gen.out"
fi
if [[ ! -f $work/gen/index.tsv || ! -f $work/flows.csv ]]; then
    fail "no archive or CSV from the gen job: nothing else can run"
    exit 1
fi
rows=$(sed -n 's/^rows=//p' "$work/gen/archive.ini")
n_seeds=$(grep -cv '^#' "$work/gen/seeds.txt")

echo "== 2. slurm/submit pipeline: ingest -> run, afterok, 2 ranks each, srun --mpi=pmix"
# Two input files, so the two ingest ranks have one each.
awk -v a="$work/part1.csv" -v b="$work/part2.csv" 'NR == 1 { print > a; print > b; next }
    { print > (NR % 2 ? a : b) }' "$work/flows.csv"
"$C2H_SRC/slurm/submit" pipeline --format nfdump-csv --archive "$work/arch" --seeds "$work/gen/seeds.txt" \
    --out "$work/result" --ranks 2 --log-dir "$work/logs" "$work/part1.csv" "$work/part2.csv" \
    >"$work/pipeline.ids" 2>"$work/pipeline.err" || fail "submit pipeline: exit $?"
sed 's/^/    | /' "$work/pipeline.err"
ing_job=$(submitted ingest "$work/pipeline.ids")
run_job=$(submitted run "$work/pipeline.ids")
if [[ -z $ing_job || -z $run_job ]]; then
    fail "submit printed no 'ingest ID' and 'run ID' lines"
    cat "$work/pipeline.ids"
else
    dep=$(job_field "$run_job" Dependency)
    if [[ $dep == afterok:$ing_job* ]]; then ok "run job $run_job waits with Dependency=$dep"; else
        # The ingest may already be over; the order of the times below still shows the chain.
        echo "  note run job $run_job: Dependency=${dep:-none} at first look"
    fi
    if st=$(slurm_job_wait "$ing_job" 90); then ok "ingest job $ing_job: $st"; else
        fail "ingest job $ing_job: $st"
        show_log "$work/logs/c2h-ingest-$ing_job.out"
    fi
    if st=$(slurm_job_wait "$run_job" 90); then ok "run job $run_job: $st"; else
        fail "run job $run_job: $st"
        show_log "$work/logs/c2h-run-$run_job.out"
    fi
    ing_end=$(job_field "$ing_job" EndTime)
    run_start=$(job_field "$run_job" StartTime)
    if [[ -n $ing_end && -n $run_start && ! $run_start < $ing_end ]]; then
        ok "run started ($run_start) after ingest ended ($ing_end)"
    else
        fail "run started at '$run_start', ingest ended at '$ing_end'"
    fi
    grep -q 'c2hunt ingest: .* 2 ranks' "$work/logs/c2h-ingest-$ing_job.out" 2>/dev/null &&
        ok "ingest ran on 2 ranks" || fail "the ingest log does not say 2 ranks"
fi
roles=$work/result/roles.csv
if [[ -f $roles ]]; then
    n_c2=$(awk -F, 'NR > 1 && $2 == "c2"' "$roles" | wc -l)
    if ((n_c2 > n_seeds)); then ok "roles.csv: $n_c2 c2 rows (beyond the $n_seeds seeds)"; else
        fail "roles.csv: only $n_c2 c2 rows"
    fi
    if grep -q '"ranks": 2,' "$work/result/report.json"; then ok "report.json says \"ranks\": 2"; else
        fail "report.json does not say \"ranks\": 2"
    fi
    rc=0
    timeout 120 mpirun -np 2 "$C2HUNT" run --archive "$work/arch" --seeds "$work/gen/seeds.txt" \
        --out "$work/ref" --quiet >"$work/ref.out" 2>&1 || rc=$?
    if ((rc == 0)) && cmp -s "$roles" "$work/ref/roles.csv"; then
        ok "roles.csv identical to plain mpirun -np 2 on the same archive"
    else
        fail "plain mpirun: exit $rc, roles.csv $(cmp -s "$roles" "$work/ref/roles.csv" && echo same || echo differs)"
    fi
else
    fail "no $roles"
fi

echo "== 3. slurm/submit retro --step 1d --launcher mpirun: array of windows, then diff"
"$C2H_SRC/slurm/submit" retro --archive "$work/gen" --seeds "$work/gen/seeds.txt" --out "$work/retro" \
    --step 1d --ranks 2 --launcher mpirun --quiet --log-dir "$work/logs" \
    >"$work/retro.ids" 2>"$work/retro.err" || fail "submit retro: exit $?"
sed 's/^/    | /' "$work/retro.err"
retro_job=$(submitted retro "$work/retro.ids")
diff_job=$(submitted diff "$work/retro.ids")
n_win=$(($(wc -l <"$work/retro/windows.tsv" 2>/dev/null || echo 1) - 1))
if [[ -z $retro_job || -z $diff_job ]]; then
    fail "submit printed no 'retro ID' and 'diff ID' lines"
elif ((n_win != 3)); then
    fail "windows.tsv has $n_win windows, not 3 (3 days, 1 d steps)"
else
    ok "array job $retro_job of $n_win windows, diff job $diff_job"
    read_total=0
    for ((i = 0; i < n_win; i++)); do
        out=$(awk -F'\t' -v t="$i" 'NR > 1 && $1 == t { print $4 }' "$work/retro/windows.tsv")
        if st=$(slurm_job_wait "${retro_job}_$i" 90); then ok "window $i (${retro_job}_$i): $st"; else
            fail "window $i (${retro_job}_$i): $st"
            show_log "$work/logs/c2h-retro-${retro_job}_$i.out"
            continue
        fi
        if [[ -f $out/roles.csv && -f $out/metrics.json ]]; then
            n=$(/usr/bin/python3 -c 'import json, sys
m = json.load(open(sys.argv[1]))
print(sum(r["flows_read"] for r in m["phases"][0]["per_rank"]) if m["ranks"] == 2 else -1)' "$out/metrics.json")
            if ((n > 0 && n < rows)); then ok "window $i read $n of the $rows flows on 2 ranks"; else
                fail "window $i: pass 1 read $n flows (ranks not 2, or not a window of $rows)"
            fi
            read_total=$((read_total + n))
        else
            fail "window $i: no roles.csv or metrics.json in $out"
        fi
    done
    if ((read_total == rows)); then ok "the windows together read all $rows flows once"; else
        fail "the windows together read $read_total flows, the archive has $rows"
    fi
    if st=$(slurm_job_wait "$diff_job" 60); then ok "diff job $diff_job: $st"; else
        fail "diff job $diff_job: $st"
    fi
    dlog=$work/logs/c2h-diff-$diff_job.out
    if "$C2HUNT" diff --help >/dev/null 2>&1; then
        if grep -q '^summary:' "$work/retro/diff-1.txt" 2>/dev/null && grep -q '^summary:' "$work/retro/diff-2.txt" 2>/dev/null; then
            ok "diff-1.txt and diff-2.txt: $(tail -1 "$work/retro/diff-2.txt")"
        else
            fail "c2hunt diff exists but diff-1.txt / diff-2.txt have no summary line"
            show_log "$dlog"
        fi
    elif grep -q 'c2h-diff: skipped' "$dlog" 2>/dev/null; then
        ok "this c2hunt has no diff: the diff job said so and succeeded"
    else
        fail "no diff subcommand and no 'skipped' message from the diff job"
        show_log "$dlog"
    fi
fi

echo "== 4. a pipeline whose ingest fails: the run never starts"
printf 'this is,not,nfdump csv\n1,2,3\n' >"$work/bad.csv"
"$C2H_SRC/slurm/submit" pipeline --format nfdump-csv --archive "$work/bad-arch" --seeds "$work/gen/seeds.txt" \
    --out "$work/bad-result" --ranks 1 --log-dir "$work/logs" "$work/bad.csv" \
    >"$work/bad.ids" 2>/dev/null || fail "submit pipeline (bad input): exit $?"
bad_ing=$(submitted ingest "$work/bad.ids")
bad_run=$(submitted run "$work/bad.ids")
if [[ -z $bad_ing || -z $bad_run ]]; then
    fail "submit printed no job ids for the bad pipeline"
else
    if st=$(slurm_job_wait "$bad_ing" 60); then fail "ingest of garbage succeeded: $st"; else
        [[ $st == "FAILED 2:0" ]] && ok "bad ingest job $bad_ing: $st (c2hunt's exit 2 for bad input)" ||
            fail "bad ingest job $bad_ing: $st, not FAILED 2:0"
    fi
    st=$(slurm_job_wait "$bad_run" 30) || true
    reason=$(job_field "$bad_run" Reason)
    nodes=$(job_field "$bad_run" NodeList)
    if [[ $st == CANCELLED* && $reason == DependencyNeverSatisfied && -z $nodes && ! -e $work/bad-result ]]; then
        ok "its run job $bad_run was cancelled without starting ($st, $reason, no node)"
    else
        fail "run job $bad_run after a failed ingest: $st, Reason=$reason, NodeList=$nodes," \
            "result $([[ -e $work/bad-result ]] && echo exists || echo absent)"
    fi
fi

echo
echo "took $((SECONDS - start)) s"
if ((failures > 0)); then
    echo "-- daemon logs"
    slurm_cluster_logs
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
