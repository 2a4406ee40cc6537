#!/bin/bash
# run_resume.sh: checkpoints of `c2hunt run` (docs/ALGORITHM.md, Checkpoints). On the small
# preset under mpirun -np 2: a job stopped after pass N (C2H_STOP_AFTER_PASS=N, every rank
# exits 3 right after the checkpoint) for N = 1, 2, 3, then `--resume`, gives roles.csv and
# report.json byte-identical to an uninterrupted run and removes OUT.ckpt; so does a job
# whose mpirun is killed with SIGKILL (with its ranks) once the checkpoint of pass 1 is
# there. A resume with another rank count, other seeds or another --until is refused (exit
# 2, the reason named), and so is --resume without a checkpoint; a fresh run over a
# leftover checkpoint asks for --resume or --force (a folder without state.ini is no
# checkpoint: replaced); --keep-checkpoints keeps the folder.
set -euo pipefail

: "${C2HUNT:?}"
if ! command -v mpirun >/dev/null; then
    echo "SKIP: no mpirun"
    exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/c2h-run-resume.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
failures=0
ok() { echo "  ok   $*"; }
fail() {
    echo "  FAIL $*"
    failures=$((failures + 1))
}
show() { sed 's/^/    | /' "$work/err" | head -20; }
crun() { # NP OUT [ARGS...]: c2hunt run under mpirun -np NP, exit code in $rc, stderr in $work/err
    local np=$1 out=$2
    shift 2
    rc=0
    timeout 120 mpirun --oversubscribe -np "$np" "$C2HUNT" run --archive "$work/arch" --seeds "$work/arch/seeds.txt" \
        --out "$work/$out" --quiet "$@" >"$work/out" 2>"$work/err" || rc=$?
}
expect_rc() { # WANT WHAT
    if [[ $rc == "$1" ]]; then ok "$2: exit $1"; else
        fail "$2: exit $rc, expected $1"
        show
    fi
}
expect_msg() { # REGEX WHAT
    if grep -Eq -- "$1" "$work/err"; then ok "$2: says '$1'"; else
        fail "$2: no message matching '$1'"
        show
    fi
}
same_as_full() { # OUT WHAT
    if [[ -f $work/$1/roles.csv ]] && cmp -s "$work/full/roles.csv" "$work/$1/roles.csv"; then
        ok "$2: roles.csv identical to the uninterrupted run"
    else
        fail "$2: roles.csv differs from the uninterrupted run (or is missing)"
    fi
    if [[ -f $work/$1/report.json ]] && cmp -s "$work/full/report.json" "$work/$1/report.json"; then
        ok "$2: report.json identical"
    else
        fail "$2: report.json differs (or is missing)"
    fi
    if [[ ! -e $work/$1.ckpt ]]; then ok "$2: $1.ckpt removed"; else fail "$2: $1.ckpt left behind"; fi
}

echo "== c2hunt gen --preset small --seed 11"
"$C2HUNT" gen --preset small --seed 11 --out "$work/arch" --quiet

echo "== uninterrupted run, -np 2"
crun 2 full
expect_rc 0 "uninterrupted"
if [[ ! -e $work/full.ckpt ]]; then ok "no full.ckpt left after a complete run"; else fail "full.ckpt left behind"; fi

for n in 1 2 3; do
    echo "== stopped after pass $n, then --resume"
    C2H_STOP_AFTER_PASS=$n crun 2 "stop$n"
    expect_rc 3 "C2H_STOP_AFTER_PASS=$n"
    if [[ ! -e $work/stop$n ]]; then ok "stopped after pass $n: no output folder"; else fail "stopped: output written"; fi
    if grep -qx "pass=$n" "$work/stop$n.ckpt/state.ini" 2>/dev/null; then ok "state.ini names pass $n"; else
        fail "state.ini does not name pass $n"
    fi
    files=$(ls "$work/stop$n.ckpt" | grep -c "^pass$n-rank-000[01]\.h5$" || true)
    if [[ $files == 2 ]]; then ok "one checkpoint file per rank ($(du -sh "$work/stop$n.ckpt" | cut -f1))"; else
        fail "$files checkpoint files of pass $n, expected 2: $(ls "$work/stop$n.ckpt" | tr '\n' ' ')"
    fi
    crun 2 "stop$n" --resume
    expect_rc 0 "--resume after pass $n"
    same_as_full "stop$n" "resumed after pass $n"
done

echo "== refusals"
C2H_STOP_AFTER_PASS=2 crun 2 keep
expect_rc 3 "stopped after pass 2"
crun 3 keep --resume
expect_rc 2 "--resume with 3 ranks"
expect_msg "cannot resume: the rank count differs \(it has 2 ranks, this run 3\)" "--resume with 3 ranks"
grep -v '^#' "$work/arch/seeds.txt" | head -n -1 >"$work/fewer-seeds.txt"
rc=0
timeout 120 mpirun --oversubscribe -np 2 "$C2HUNT" run --archive "$work/arch" --seeds "$work/fewer-seeds.txt" \
    --out "$work/keep" --quiet --resume >"$work/out" 2>"$work/err" || rc=$?
expect_rc 2 "--resume with other seeds"
expect_msg "cannot resume: the seeds differ" "--resume with other seeds"
crun 2 keep --resume --until 2026-01-06T00:00:00Z
expect_rc 2 "--resume with another --until"
expect_msg "cannot resume: --since/--until differ" "--resume with another --until"
crun 2 keep
expect_rc 2 "a fresh run over a leftover checkpoint"
expect_msg "keep.ckpt: a checkpoint of an earlier run is there" "a fresh run over a leftover checkpoint"
mkdir "$work/empty.ckpt"
crun 2 empty
expect_rc 0 "a fresh run over a checkpoint folder without state.ini"
if [[ ! -e $work/empty.ckpt ]]; then ok "the folder is gone after the run"; else fail "empty.ckpt left behind"; fi
crun 2 none --resume
expect_rc 2 "--resume without a checkpoint"
expect_msg "no checkpoint to resume" "--resume without a checkpoint"
if [[ ! -e $work/none && ! -e $work/none.ckpt ]]; then ok "nothing written"; else fail "--resume without a checkpoint wrote something"; fi
crun 2 keep --resume --keep-checkpoints
expect_rc 0 "the refused checkpoint still resumes, --keep-checkpoints"
if [[ -f $work/keep.ckpt/state.ini ]]; then ok "--keep-checkpoints keeps keep.ckpt"; else fail "keep.ckpt removed"; fi
if cmp -s "$work/full/roles.csv" "$work/keep/roles.csv"; then ok "roles.csv identical"; else fail "roles.csv differs"; fi

echo "== mpirun killed with SIGKILL once the checkpoint of pass 1 is there"
rc=0
mpirun --oversubscribe -np 2 "$C2HUNT" run --archive "$work/arch" --seeds "$work/arch/seeds.txt" \
    --out "$work/killed" --quiet >"$work/out" 2>"$work/err" &
job=$!
for _ in $(seq 1 1000); do
    [[ -f $work/killed.ckpt/state.ini || -e $work/killed ]] && break
    sleep 0.01
done
# mpirun and its ranks (its children) at once, as a node failure would.
kill -9 "$job" $(pgrep -P "$job" || true) 2>/dev/null || true
wait "$job" 2>/dev/null || rc=$?
sleep 0.5
if [[ $rc == 137 && ! -e $work/killed ]]; then
    ok "killed (exit $rc) after the checkpoint of $(grep '^pass=' "$work/killed.ckpt/state.ini")"
    crun 2 killed --resume
    expect_rc 0 "--resume after the kill"
    same_as_full killed "resumed after the kill"
else
    fail "the job was not killed in time (exit $rc, output $([[ -e $work/killed ]] && echo written || echo absent))"
fi

echo
if ((failures > 0)); then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
