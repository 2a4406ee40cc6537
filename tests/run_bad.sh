#!/bin/bash
# run_bad.sh: `c2hunt run` on bad input exits 2 with one message naming the file and the
# place, and leaves no output folder (nor staging folder .NAME.partial-*) behind:
#   a seeds file with a bad address on line 3 (file:3 named), a seeds file with no address,
#   a missing archive, an existing --out without --force (the old folder untouched; with
#   --force it is replaced), a flipped byte inside a compressed chunk of one shard under
#   mpirun -np 2 (every rank exits, the shard and dataset named; a column pass 1 reads and
#   one it does not), and bad profile files (file and key named).
set -euo pipefail

: "${C2HUNT:?}" "${C2H_PYTHON:?}"
if ! "$C2H_PYTHON" -c 'import h5py, numpy' 2>/dev/null; then
    echo "SKIP: $C2H_PYTHON has no h5py/numpy (apt install python3-h5py)"
    exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/c2h-run-bad.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
[[ -n ${C2H_PLUGIN_DIR:-} ]] && export HDF5_PLUGIN_PATH=$C2H_PLUGIN_DIR

failures=0
ok() { echo "  ok   $*"; }
fail() {
    echo "  FAIL $*"
    failures=$((failures + 1))
}
run() { # CMD...: stdout and stderr in $work/out and $work/err, exit code in $rc
    printf '  $'
    printf ' %q' "$@"
    echo
    rc=0
    "$@" >"$work/out" 2>"$work/err" || rc=$?
}
show() {
    echo "    --- exit $rc; stderr:"
    sed 's/^/    | /' "$work/err" | head -20
}
expect_rc() { # WANT WHAT
    if [[ $rc == "$1" ]]; then ok "$2: exit $1"; else
        fail "$2: exit $rc, expected $1"
        show
    fi
}
expect_err() { # FIXED-STRING WHAT: stderr contains the string
    if grep -qF -- "$1" "$work/err"; then ok "$2"; else
        fail "$2 (no '$1' in stderr)"
        show
    fi
}
expect_no_output() { # PARENT NAME
    local left
    left=$(find "$1" -maxdepth 1 \( -name "$2" -o -name ".$2.partial-*" \) -printf '%f ')
    if [[ -z $left ]]; then ok "no output '$2' and no staging folder .$2.partial-* in $(basename "$1")/"; else
        fail "left behind in $1: $left"
    fi
}

"$C2HUNT" gen --preset small --seed 5 --out "$work/g" --quiet
A=$work/g
S=$A/seeds.txt
mkdir "$work/o"

echo "== a seeds file with a bad address on line 3"
printf '# known C2\n%s\n10.1.2.300\n' "$(grep -v '^#' "$S" | head -1)" >"$work/bad-seeds.txt"
run "$C2HUNT" run --archive "$A" --seeds "$work/bad-seeds.txt" --out "$work/o/r1"
expect_rc 2 "bad seed on line 3"
expect_err "$work/bad-seeds.txt:3:" "names bad-seeds.txt:3"
expect_err "10.1.2.300" "quotes the bad address"
expect_no_output "$work/o" r1

echo "== a seeds file with only comments"
printf '# nothing\n\n' >"$work/no-seeds.txt"
run "$C2HUNT" run --archive "$A" --seeds "$work/no-seeds.txt" --out "$work/o/r1b"
expect_rc 2 "no seeds"
expect_err "$work/no-seeds.txt" "names no-seeds.txt"
expect_no_output "$work/o" r1b

echo "== a missing seeds file and a missing archive"
run "$C2HUNT" run --archive "$A" --seeds "$work/nope.txt" --out "$work/o/r2"
expect_rc 2 "missing seeds file"
expect_err "$work/nope.txt" "names the seeds file"
expect_no_output "$work/o" r2
run "$C2HUNT" run --archive "$work/no-archive" --seeds "$S" --out "$work/o/r3"
expect_rc 2 "missing archive"
expect_err "$work/no-archive" "names the archive"
expect_no_output "$work/o" r3

echo "== an existing --out without --force"
mkdir "$work/o/old"
echo "precious" >"$work/o/old/keep.txt"
before=$(cd "$work/o/old" && find . -printf '%p %s %T@\n' | sort)
run "$C2HUNT" run --archive "$A" --seeds "$S" --out "$work/o/old"
expect_rc 2 "--out exists"
expect_err "$work/o/old" "names the folder"
expect_err "--force" "mentions --force"
if [[ "$(cd "$work/o/old" && find . -printf '%p %s %T@\n' | sort)" == "$before" ]]; then
    ok "the old folder untouched"
else fail "the old folder changed"; fi
left=$(find "$work/o" -maxdepth 1 -name '.old.partial-*' -printf '%f ')
if [[ -z $left ]]; then ok "no staging folder .old.partial-*"; else fail "left behind: $left"; fi
run "$C2HUNT" run --archive "$A" --seeds "$S" --out "$work/o/old" --force --quiet
expect_rc 0 "--out exists, with --force"
if [[ -f $work/o/old/roles.csv && ! -e $work/o/old/keep.txt ]]; then ok "--force replaced the folder"; else
    fail "--force: roles.csv $([[ -f $work/o/old/roles.csv ]] && echo present || echo missing)," \
        "keep.txt $([[ -e $work/o/old/keep.txt ]] && echo still there || echo gone)"
fi

echo "== bad profile files"
profile_case() { # NAME CONTENT KEY-OR-TEXT WHAT
    printf '%b' "$2" >"$work/$1.ini"
    run "$C2HUNT" run --archive "$A" --seeds "$S" --out "$work/o/p-$1" --profile "$work/$1.ini"
    expect_rc 2 "$4"
    expect_err "$work/$1.ini" "names $1.ini"
    expect_err "$3" "names '$3'"
    expect_no_output "$work/o" "p-$1"
}
profile_case not-a-number '[profile]\nbeacon_min_flows=many\n' "beacon_min_flows" "beacon_min_flows=many"
profile_case share '[profile]\nc2_min_victim_share=1.5\n' "c2_min_victim_share" "c2_min_victim_share=1.5"
profile_case port '[profile]\nc2_ports=447;70000\n' "c2_ports" "c2_ports=447;70000"
profile_case no-group '[thresholds]\nbeacon_min_flows=4\n' "[profile]" "no [profile] group"
run "$C2HUNT" run --archive "$A" --seeds "$S" --out "$work/o/p-missing" --profile "$work/no-profile.ini"
expect_rc 2 "missing profile file"
expect_err "$work/no-profile.ini" "names the profile file"
expect_no_output "$work/o" p-missing

if command -v mpirun >/dev/null; then
    # Two damaged copies: dst_addr (read by every pass) in the first shard, protocol (read by
    # pass 1 only) in the last: with byte-balanced shares they fall to different ranks.
    for case in "dst_addr first" "protocol last"; do
        read -r dset which <<<"$case"
        echo "== a flipped byte in chunk 0 of /flows/$dset of the $which shard, mpirun -np 2"
        D=$work/d-$dset
        cp -a "$A" "$D"
        if [[ $which == first ]]; then
            shard=$(awk -F'\t' 'NR == 2 { print $1 }' "$D/index.tsv")
        else
            shard=$(awk -F'\t' 'NR > 1 { s = $1 } END { print s }' "$D/index.tsv")
        fi
        "$C2H_PYTHON" - "$D/$shard" "$dset" <<'EOF'
import sys, h5py
path, dset = sys.argv[1], sys.argv[2]
with h5py.File(path, "r") as f:
    d = f["flows"][dset]
    info = d.id.get_chunk_info(0)
    mask, frame = d.id.read_direct_chunk((0,))
assert info.size == len(frame) and frame[:4] == b"\x28\xb5\x2f\xfd", (info, frame[:4])
at = info.byte_offset + info.size // 2
with open(path, "r+b") as f:
    f.seek(at)
    b = f.read(1)
    f.seek(at)
    f.write(bytes([b[0] ^ 0xFF]))
print(f"  flipped byte {at} of {path.rsplit('/', 1)[1]} (chunk 0 of /flows/{dset}: bytes "
      f"{info.byte_offset}..{info.byte_offset + info.size - 1}): {b[0]:#04x} -> {b[0] ^ 0xFF:#04x}")
EOF
        run timeout 120 mpirun --oversubscribe -np 2 "$C2HUNT" run --archive "$D" --seeds "$D/seeds.txt" \
            --out "$work/o/c-$dset"
        if [[ $rc == 124 ]]; then fail "mpirun -np 2 hung (killed after 120 s)"; show
        elif [[ $rc != 0 ]]; then ok "mpirun -np 2: every rank exited, exit $rc"
        else fail "mpirun -np 2: exit 0 on a corrupt shard"; show; fi
        expect_err "$D/$shard" "names the shard $shard"
        expect_err "/flows/$dset" "names the dataset /flows/$dset"
        if [[ $rc == 2 ]] || grep -qE 'Exit code: +2$' "$work/err"; then ok "a rank exited with code 2"; else
            fail "no rank exited with code 2 (exit $rc)"
            show
        fi
        expect_no_output "$work/o" "c-$dset"
    done
else
    echo "  (no mpirun: the corrupt shard under mpirun -np 2 not checked)"
fi

left=$(find "$work/o" -maxdepth 1 -name '.*partial-*' -printf '%f ')
if [[ -z $left ]]; then ok "no staging folder anywhere in o/"; else fail "left behind: $left"; fi

echo
if ((failures > 0)); then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
