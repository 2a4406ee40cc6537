#!/bin/bash
# dying_rank.sh: one rank of a 2-rank job killed with SIGKILL (a node or process failure;
# mpirun itself lives on). Issue 6, item 3; docs/RELIABILITY.md, "A dying rank".
#
# c2hunt run (a medium archive cut to 2 M flows, so the job is still in passes 2-4 when the
# checkpoint of pass 1 appears; both ranks are frozen with SIGSTOP before the kill, so the
# test knows the job had not finished):
#   1. rank 1 killed, no earlier output: mpirun ends by itself (timeout 120 s: a hang
#      fails), exit not 0, no rank process left, no output folder, no staging folder
#      .NAME.partial-*, the checkpoint OUT.ckpt (state.ini) is there; `run --resume` then
#      gives roles.csv byte-identical to an uninterrupted run.
#   2. rank 0 killed in a --force run over an earlier complete output: the same, and the
#      earlier output is still there, file for file; a stale staging folder (what a rank 0
#      killed while writing its outputs, the only time one exists for run, would leave) does
#      not confuse `run --resume --force`: it is neither read nor removed.
# c2hunt ingest (nfdump CSV through two FIFOs, one per rank, held open so the job is
# mid-ingest with its staging folder made and rows written when the kill comes):
#   3. rank 1 killed, then 4. rank 0 killed: exit not 0, no rank process left, and neither
#      an archive nor a staging folder is left (mpirun ends the other rank with SIGTERM;
#      every rank removes the staging folder on SIGTERM, io/archive.h c2h_cleanup_on_signal).
set -euo pipefail

: "${C2HUNT:?}"
if ! command -v mpirun >/dev/null; then
    echo "SKIP: no mpirun"
    exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/c2h-dying-rank.XXXXXX")
cleanup() {
    # Our background jobs still running (a failed check may leave one): timeout passes
    # SIGTERM on to its mpirun; FIFO writers end on it too.
    local p
    for p in $(jobs -p); do kill -TERM "$p" 2>/dev/null || true; done
    touch "$work/release" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf -- "$work"
}
trap cleanup EXIT
failures=0
ok() { echo "  ok   $*"; }
fail() {
    echo "  FAIL $*"
    failures=$((failures + 1))
}
show() { sed 's/^/    | /' "$1" | head -20; }

# The pid of rank R among the children of mpirun M (by OMPI_COMM_WORLD_RANK), or nothing.
rank_pid() {
    local p
    for p in $(pgrep -P "$2" || true); do
        if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$1"; then
            echo "$p"
            return
        fi
    done
}
# Wait (at most about 120 s) until both ranks of the job whose `timeout` has pid $1 run;
# sets mp, r0, r1. @return 1 if the job ended first.
find_ranks() {
    mp="" r0="" r1=""
    for _ in $(seq 1 6000); do
        kill -0 "$1" 2>/dev/null || return 1
        mp=$(pgrep -P "$1" | head -1 || true)
        if [[ -n $mp ]]; then
            r0=$(rank_pid 0 "$mp")
            r1=$(rank_pid 1 "$mp")
            [[ -n $r0 && -n $r1 ]] && return 0
        fi
        sleep 0.02
    done
    return 1
}
# Ranks $@ are gone (waits up to about 10 s for the last of them to be reaped).
ranks_gone() {
    local p
    for _ in $(seq 1 500); do
        local left=""
        for p in "$@"; do
            if [[ -e /proc/$p ]] && grep -qa c2hunt "/proc/$p/cmdline" 2>/dev/null; then left+=" $p"; fi
        done
        if [[ -z $left ]]; then return 0; fi
        sleep 0.02
    done
    echo "  (still there:$left)"
    return 1
}
# Files and their checksums under a folder, to compare before and after.
snapshot() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 md5sum); }
no_partial() { # DIR NAME WHAT
    local left
    left=$(find "$1" -maxdepth 1 -name ".$2.partial-*" ! -name '*STALE*' -printf '%f ' 2>/dev/null || true)
    if [[ -z $left ]]; then ok "$3: no staging folder .$2.partial-* left"; else fail "$3: staging folder left: $left"; fi
}
expect_killed_rc() { # WHAT
    if [[ $rc == 124 ]]; then
        fail "$1: mpirun did not end within 120 s (a hang)"
    elif [[ $rc != 0 ]]; then
        ok "$1: mpirun ended by itself, exit $rc"
    else
        fail "$1: exit 0 after a rank was killed"
    fi
}

echo "== c2hunt gen --preset medium --flows 2000000 --seed 1 (2 ranks)"
timeout 300 mpirun --oversubscribe -np 2 "$C2HUNT" gen --preset medium --flows 2000000 --seed 1 --out "$work/arch" \
    --quiet
crun() { # OUT [ARGS...]: run under mpirun -np 2 in the foreground; exit code in $rc
    local out=$1
    shift
    rc=0
    timeout 120 mpirun --oversubscribe -np 2 "$C2HUNT" run --archive "$work/arch" --seeds "$work/arch/seeds.txt" \
        --out "$work/$out" --quiet "$@" >"$work/$out.log" 2>&1 || rc=$?
}
echo "== uninterrupted run"
crun full
if [[ $rc == 0 && -f $work/full/roles.csv ]]; then ok "uninterrupted run: $(($(wc -l <"$work/full/roles.csv") - 1)) hosts"; else
    fail "uninterrupted run: exit $rc"
    show "$work/full.log"
    exit 1
fi

# kill_run CASE OUT RANK [ARGS...]: start run, wait for the checkpoint of pass 1, freeze both
# ranks, check the job had not finished (check_unfinished OUT), kill rank RANK with SIGKILL,
# let the other go on, wait for mpirun. Sets rc, r0, r1.
kill_run() {
    local what=$1 out=$2 victim=$3
    shift 3
    rc=0
    timeout 120 mpirun --oversubscribe -np 2 "$C2HUNT" run --archive "$work/arch" --seeds "$work/arch/seeds.txt" \
        --out "$work/$out" --quiet "$@" >"$work/$out.log" 2>&1 &
    local job=$!
    if ! find_ranks "$job"; then
        wait "$job" || rc=$?
        fail "$what: the ranks did not start (exit $rc)"
        show "$work/$out.log"
        return 1
    fi
    for _ in $(seq 1 6000); do
        grep -qE '^pass=[1-3]$' "$work/$out.ckpt/state.ini" 2>/dev/null && break
        kill -0 "$job" 2>/dev/null || break
        sleep 0.02
    done
    kill -STOP "$r0" "$r1" 2>/dev/null || true
    if ! check_unfinished "$out"; then
        kill -CONT "$r0" "$r1" 2>/dev/null || true
        wait "$job" || rc=$?
        fail "$what: the job finished (exit $rc) before the kill: a test archive too small for this machine?"
        return 1
    fi
    ok "$what: frozen after the checkpoint of $(grep '^pass=' "$work/$out.ckpt/state.ini"), not finished"
    local other=$r1
    [[ $victim == 1 ]] && other=$r0
    kill -KILL "$(rank_pid "$victim" "$mp")"
    kill -CONT "$other"
    wait "$job" || rc=$?
    expect_killed_rc "$what"
    if ranks_gone "$r0" "$r1"; then ok "$what: no rank process left"; else fail "$what: a rank process is left"; fi
}
after_kill_common() { # WHAT OUT
    no_partial "$work" "$2" "$1"
    if grep -qE '^pass=[1-3]$' "$work/$2.ckpt/state.ini" 2>/dev/null; then
        ok "$1: $2.ckpt names $(grep '^pass=' "$work/$2.ckpt/state.ini")"
    else
        fail "$1: no checkpoint left in $2.ckpt"
    fi
}
resumed_same() { # WHAT OUT
    if [[ $rc == 0 ]]; then ok "$1: --resume exit 0"; else
        fail "$1: --resume exit $rc"
        show "$work/$2.log"
    fi
    if [[ -f $work/$2/roles.csv ]] && cmp -s "$work/full/roles.csv" "$work/$2/roles.csv"; then
        ok "$1: roles.csv byte-identical to the uninterrupted run"
    else
        fail "$1: roles.csv differs from the uninterrupted run (or is missing)"
    fi
    if [[ ! -e $work/$2.ckpt ]]; then ok "$1: $2.ckpt removed"; else fail "$1: $2.ckpt left behind"; fi
    no_partial "$work" "$2" "$1 (after --resume)"
}

echo "== 1. run: rank 1 killed with SIGKILL after the checkpoint of pass 1"
check_unfinished() { [[ ! -e $work/$1 ]] && kill -0 "$r0" "$r1" 2>/dev/null; }
if kill_run "rank 1 killed" killed1 1; then
    if [[ ! -e $work/killed1 ]]; then ok "rank 1 killed: no output folder"; else fail "rank 1 killed: output folder written"; fi
    after_kill_common "rank 1 killed" killed1
    crun killed1 --resume
    resumed_same "rank 1 killed" killed1
fi

echo "== 2. run --force over an earlier complete output: rank 0 killed with SIGKILL"
cp -a "$work/full" "$work/forced"
snapshot "$work/forced" >"$work/forced.before"
check_unfinished() { snapshot "$work/$1" | cmp -s - "$work/$1.before" && kill -0 "$r0" "$r1" 2>/dev/null; }
if kill_run "rank 0 killed (--force)" forced 0 --force; then
    if [[ -d $work/forced ]] && snapshot "$work/forced" | cmp -s - "$work/forced.before"; then
        ok "rank 0 killed (--force): the earlier output is intact, file for file"
    else
        fail "rank 0 killed (--force): the earlier output was changed or removed"
    fi
    after_kill_common "rank 0 killed (--force)" forced
    # What a rank 0 killed while renaming its outputs in would leave: a rerun ignores it.
    mkdir "$work/.forced.partial-STALE1"
    cp "$work/full/roles.csv" "$work/.forced.partial-STALE1/roles.csv"
    echo "not a roles.csv" >"$work/.forced.partial-STALE1/report.json"
    crun forced --resume --force
    resumed_same "rank 0 killed (--force)" forced
    if [[ -f $work/.forced.partial-STALE1/report.json ]] && ! cmp -s "$work/forced/report.json" \
        "$work/.forced.partial-STALE1/report.json"; then
        ok "a stale staging folder is neither read nor removed by the rerun"
    else
        fail "the rerun used or removed a stale staging folder"
    fi
fi

echo "== c2hunt ingest: the flows as nfdump CSV in two parts, read through FIFOs"
"$C2HUNT" gen --preset small --flows 40000 --seed 2 --out "$work/small" --csv "$work/small.csv" --quiet
rows=$(($(wc -l <"$work/small.csv") - 1))
head -1 "$work/small.csv" >"$work/part0.csv"
head -1 "$work/small.csv" >"$work/part1.csv"
sed -n "2,$((rows / 2 + 1))p" "$work/small.csv" >>"$work/part0.csv"
sed -n "$((rows / 2 + 2)),\$p" "$work/small.csv" >>"$work/part1.csv"

# kill_ingest CASE RANK: ingest f0 f1 under mpirun -np 2; a writer per FIFO writes its part
# and holds the FIFO open; once both parts are read and the staging folder is there, rank
# RANK is killed with SIGKILL.
kill_ingest() {
    local what=$1 victim=$2
    rm -f "$work/f0" "$work/f1" "$work/w0.done" "$work/w1.done" "$work/release"
    mkfifo "$work/f0" "$work/f1"
    local i writers=()
    for i in 0 1; do
        (
            exec >"$work/f$i" # blocks until a rank opens it
            cat "$work/part$i.csv"
            touch "$work/w$i.done"
            while [[ ! -e $work/release ]]; do sleep 0.05; done
        ) 2>/dev/null &
        writers+=($!)
    done
    rc=0
    timeout 120 mpirun --oversubscribe -np 2 "$C2HUNT" ingest --format nfdump-csv --out "$work/ing" "$work/f0" \
        "$work/f1" >"$work/ing.log" 2>&1 &
    local job=$!
    local ready=0
    if find_ranks "$job"; then
        for _ in $(seq 1 6000); do
            if [[ -e $work/w0.done && -e $work/w1.done ]] && compgen -G "$work/.ing.partial-*/shards" >/dev/null; then
                ready=1
                break
            fi
            kill -0 "$job" 2>/dev/null || break
            sleep 0.02
        done
    fi
    if ((ready == 0)); then
        touch "$work/release"
        wait "$job" || rc=$?
        fail "$what: the job did not reach the middle of the ingest (exit $rc)"
        show "$work/ing.log"
        return
    fi
    ok "$what: both parts read, staging folder $(basename "$work"/.ing.partial-*) there"
    kill -KILL "$(rank_pid "$victim" "$mp")"
    wait "$job" || rc=$?
    touch "$work/release"
    for i in "${writers[@]}"; do wait "$i" 2>/dev/null || true; done
    expect_killed_rc "$what"
    if ranks_gone "$r0" "$r1"; then ok "$what: no rank process left"; else fail "$what: a rank process is left"; fi
    if [[ ! -e $work/ing ]]; then ok "$what: no archive"; else fail "$what: an archive was written"; fi
    no_partial "$work" ing "$what"
}
echo "== 3. ingest: rank 1 killed with SIGKILL"
kill_ingest "ingest, rank 1 killed" 1
echo "== 4. ingest: rank 0 killed with SIGKILL"
kill_ingest "ingest, rank 0 killed" 0

echo "== the same ingest, not interrupted, for comparison"
rc=0
timeout 120 mpirun --oversubscribe -np 2 "$C2HUNT" ingest --format nfdump-csv --out "$work/ing" "$work/part0.csv" \
    "$work/part1.csv" --quiet >"$work/ing.log" 2>&1 || rc=$?
if [[ $rc == 0 ]] && grep -qx "rows=$rows" "$work/ing/archive.ini"; then ok "ingest: $rows rows"; else
    fail "ingest not interrupted: exit $rc"
    show "$work/ing.log"
fi

echo
if ((failures > 0)); then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
