#!/bin/bash
# corrupt.sh [CASE...]: the corruption matrix (issue 6, item 2). Each case damages a copy of
# one small generated archive and runs, end to end, `c2hunt inspect --verify A` and
# `mpirun -np 2 c2hunt run --archive A ...`:
#   refused cases:  both exit 2 with ONE error line naming the shard file (and the dataset when
#                   a dataset is involved), no HDF5 diagnostics dump, and run leaves no output,
#                   staging (.NAME.partial-*) or checkpoint (NAME.ckpt) folder;
#   accepted cases: both exit 0 and roles.csv is byte-identical to the expected run's.
# Cases (one ctest test each, corrupt_CASE; no argument runs them all):
#   truncated_shard      a shard cut to half its size
#   flipped_byte         one byte flipped inside chunk 0 of /flows/dst_addr
#   frame_short          chunk 0 of /flows/dst_addr rewritten (write_direct_chunk) as a valid zstd
#   frame_long             frame whose content is 4096 bytes shorter / longer than the chunk
#   column_length        /flows/dst_port one row shorter than the other columns
#   index_missing_shard  index.tsv lists a shard whose file is gone
#   index_rows_wrong     index.tsv says N-1 rows for a shard of N (archive.ini's total follows)
#   index_rows_zero      index.tsv says 0 rows for a shard of N (archive.ini's total follows)
#   index_line_dropped   a line dropped from index.tsv, archive.ini left as it was
#   index_duplicate_line a shard listed twice (archive.ini's counts follow)
#   schema_archive       archive.ini says schema=2
#   schema_shard         a shard's attribute /c2hunt_schema is 2
#   empty_archive        ingest of an nfdump CSV with a header and no flow: 0 shards, index header only
#                        -> refused: a hunt over no flows would read as "clean" (plain inspect
#                        still describes it, exit 0)
#   zero_row_shard       an extra shard of zero rows, consistent with its index line and archive.ini
#                        -> accepted, read as nothing: roles.csv equals the original archive's
#   zero_row_shard_index_n  the same shard, but index.tsv says it has 1000 rows -> refused
#   skip_bad_shards      run --skip-bad-shards over three bad shards (truncated: fails to open; index
#                        rows disagree: fails the open check; a flipped byte: fails a pass-1 read):
#                        exit 0, one warning line per bad shard from rank 0, "skipped_shards" in
#                        metrics.json and report.json, and roles.csv equal to a run over a copy with
#                        those shards' lines dropped from index.tsv, their files deleted and
#                        archive.ini's shards/rows lowered to match; on a sound archive the flag
#                        changes nothing.
# At the end a table: case, command, exit code, the message (first error or warning line).
# Needs h5py/numpy for $C2H_PYTHON and mpirun (exit 77 without); the frame cases need the zstd CLI.
set -euo pipefail

cases_all=(truncated_shard flipped_byte frame_short frame_long column_length index_missing_shard index_rows_wrong index_rows_zero index_line_dropped index_duplicate_line schema_archive schema_shard empty_archive zero_row_shard zero_row_shard_index_n skip_bad_shards)

: "${C2HUNT:?}" "${C2H_PYTHON:?}" "${C2H_PLUGIN_DIR:?}"
if ! "$C2H_PYTHON" -c 'import h5py, numpy' 2>/dev/null; then
    echo "SKIP: $C2H_PYTHON has no h5py/numpy (apt install python3-h5py)"
    exit 77
fi
if ! command -v mpirun >/dev/null; then
    echo "SKIP: no mpirun"
    exit 77
fi
cases=("$@")
((${#cases[@]} > 0)) || cases=("${cases_all[@]}")
for c in "${cases[@]}"; do
    [[ " ${cases_all[*]} " == *" $c "* ]] || { echo "unknown case '$c'; cases: ${cases_all[*]}" >&2; exit 1; }
done
needs_zstd=0
for c in "${cases[@]}"; do if [[ $c == frame_* ]]; then needs_zstd=1; fi; done
if ((needs_zstd)) && ! command -v zstd >/dev/null; then
    if ((${#cases[@]} == 1)); then echo "SKIP: no zstd CLI to make the frames (apt install zstd)"; exit 77; fi
    echo "NOTE: no zstd CLI: the frame_* cases are skipped"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/c2h-corrupt.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
export HDF5_PLUGIN_PATH=$C2H_PLUGIN_DIR
mkdir "$work/o"

failures=0
ok() { echo "  ok   $*"; }
fail() {
    echo "  FAIL $*"
    failures=$((failures + 1))
}
# run LABEL CMD...: stdout and stderr in $work/out and $work/err, exit code in $rc.
run() {
    local label=$1
    shift
    printf '  $'
    printf ' %q' "$@"
    echo
    rc=0
    timeout 180 "$@" >"$work/out" 2>"$work/err" || rc=$?
    ((rc != 124)) || echo "  (killed after 180 s)" >>"$work/err"
    local msg
    msg=$(grep -m1 -E '^c2hunt [a-z]+: (error|warning):' "$work/err" || head -1 "$work/err" || true)
    printf '%s\t%s\t%s\t%s\n' "$case" "$label" "$rc" "${msg//$work\//}" >>"$work/table.tsv"
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
expect_err() { # FIXED-STRING WHAT
    if grep -qF -- "$1" "$work/err"; then ok "$2"; else
        fail "$2 (no '$1' in stderr)"
        show
    fi
}
# one_error CMD WHAT: stderr holds exactly one "c2hunt CMD: error:" line and nothing else but
# mpirun's own notice of a non-zero exit and rank 0's "failed on another rank" (no second
# copy from another rank, no continuation line, no HDF5 diagnostics dump, no crash).
one_error() {
    local n rest
    n=$(grep -cE "^c2hunt $1: error: " "$work/err" || true)
    rest=$(grep -vE "^c2hunt $1: error: |^c2hunt run: failed on another rank; no output written$|^-+$|^Primary job +terminated normally|^a non-zero exit code|^mpirun detected that one or more|^the job to be terminated|^ *Process name:|^ *Exit code:|^$" "$work/err" || true)
    if [[ $n == 1 && -z $rest ]]; then ok "$2: one message"; else
        fail "$2: $n error lines, expected 1${rest:+, and other lines}"
        show
    fi
}
expect_no_output() { # NAME: nothing of run's output under $work/o
    local left
    left=$(find "$work/o" -maxdepth 1 \( -name "$1" -o -name ".$1.partial-*" -o -name "$1.ckpt" \) -printf '%f ')
    if [[ -z $left ]]; then ok "no output folder $1, staging .$1.partial-* nor checkpoint $1.ckpt"; else
        fail "left behind in o/: $left"
    fi
}
job() { # OUT [ARGS...]: mpirun -np 2 run over $D into $work/o/OUT
    local out=$1
    shift
    run "mpirun -np 2 run${*:+ $*}" mpirun -np 2 "$C2HUNT" run --archive "$D" --seeds "$work/base/seeds.txt" \
        --out "$work/o/$out" --quiet "$@"
}

# refused SHARD DATASET TEXT...: both commands exit 2 with one message naming $D/SHARD (when
# SHARD is not empty), /flows/DATASET (when not empty) and each TEXT.
refused() {
    local shard=$1 dset=$2
    shift 2
    local what cmd
    for cmd in inspect run; do
        if [[ $cmd == inspect ]]; then
            run "inspect --verify" "$C2HUNT" inspect --verify "$D"
            what="inspect --verify"
        else
            job "$case"
            what="mpirun -np 2 run"
        fi
        expect_rc 2 "$what"
        one_error "$cmd" "$what"
        [[ -z $shard ]] || expect_err "$D/$shard" "$what names the shard $shard"
        [[ -z $dset ]] || expect_err "/flows/$dset" "$what names the dataset /flows/$dset"
        local t
        for t in "$@"; do expect_err "$t" "$what says '$t'"; done
    done
    expect_no_output "$case"
}

# Damage done with h5py: py ACTION ARGS...
py() {
    "$C2H_PYTHON" - "$@" <<'EOF'
import subprocess, sys
import h5py, numpy as np
act, path = sys.argv[1], sys.argv[2]
if act == "flip":  # DATASET: one byte in the middle of chunk 0
    with h5py.File(path, "r") as f:
        info = f["flows"][sys.argv[3]].id.get_chunk_info(0)
    at = info.byte_offset + info.size // 2
    with open(path, "r+b") as f:
        f.seek(at)
        b = f.read(1)[0]
        f.seek(at)
        f.write(bytes([b ^ 0xFF]))
    print(f"  flipped byte {at} (chunk 0 of /flows/{sys.argv[3]}, bytes {info.byte_offset}.."
          f"{info.byte_offset + info.size - 1}): {b:#04x} -> {b ^ 0xFF:#04x}")
elif act == "frame":  # DATASET DELTA: chunk 0 as a valid frame of DELTA more (or fewer) bytes
    delta = int(sys.argv[4])
    with h5py.File(path, "r+") as f:
        d = f["flows"][sys.argv[3]]
        mask, frame = d.id.read_direct_chunk((0,))
        raw = subprocess.run(["zstd", "-q", "-d", "-c"], input=frame, capture_output=True, check=True).stdout
        assert len(raw) == d.chunks[0] * d.dtype.itemsize, (len(raw), d.chunks, d.dtype)
        new = raw[:len(raw) + delta] if delta < 0 else raw + bytes(range(256)) * (delta // 256) + bytes(delta % 256)
        nf = subprocess.run(["zstd", "-q", "-c", "-3", "--check", "--content-size", f"--stream-size={len(new)}"],
                            input=new, capture_output=True, check=True).stdout
        # the frame is valid and says its size: the zstd CLI gives the content back
        back = subprocess.run(["zstd", "-q", "-d", "-c"], input=nf, capture_output=True, check=True).stdout
        assert back == new
        assert int.from_bytes(nf[:4], "little") == 0xFD2FB528
        d.id.write_direct_chunk((0,), nf, mask)
    print(f"  chunk 0 of /flows/{sys.argv[3]}: a zstd frame of {len(new)} bytes where the chunk holds {len(raw)}")
elif act == "resize":  # DATASET ROWS
    with h5py.File(path, "r+") as f:
        f["flows"][sys.argv[3]].resize((int(sys.argv[4]),))
elif act == "attr":  # NAME VALUE (int32)
    with h5py.File(path, "r+") as f:
        f.attrs.create(sys.argv[3], int(sys.argv[4]), dtype=np.int32)
elif act == "empty":  # a shard of zero rows: every column and the attributes say so
    with h5py.File(path, "r+") as f:
        for d in f["flows"].values():
            d.resize((0,))
        f.attrs.create("rows", 0, dtype=np.uint64)
        f.attrs.create("t_min_ms", 0, dtype=np.int64)
        f.attrs.create("t_max_ms", 0, dtype=np.int64)
else:
    raise SystemExit("unknown action " + act)
EOF
}

# Index and archive.ini edits.
index_field() { awk -F'\t' -v f="$2" -v s="$1" '$1 == s { print $f }' "$D/index.tsv"; } # SHARD FIELD
set_index_rows() {                                                                        # SHARD ROWS
    awk -F'\t' -v OFS='\t' -v s="$1" -v r="$2" '$1 == s { $3 = r } { print }' "$D/index.tsv" >"$work/i.tsv"
    mv "$work/i.tsv" "$D/index.tsv"
}
ini_add() { # KEY DELTA: archive.ini's KEY += DELTA
    local v
    v=$(sed -n "s/^$1=//p" "$D/archive.ini")
    sed -i "s/^$1=.*/$1=$((v + $2))/" "$D/archive.ini"
}
sort_index() {
    { head -1 "$D/index.tsv"; tail -n +2 "$D/index.tsv" | LC_ALL=C sort; } >"$work/i.tsv"
    mv "$work/i.tsv" "$D/index.tsv"
}
# drop_shard SHARD: the archive without SHARD, as if it had never been written.
drop_shard() {
    local rows
    rows=$(index_field "$1" 3)
    awk -F'\t' -v s="$1" '$1 != s' "$D/index.tsv" >"$work/i.tsv"
    mv "$work/i.tsv" "$D/index.tsv"
    rm -f "$D/$1"
    ini_add shards -1
    ini_add rows "-$rows"
}
fresh() { # a copy of the base archive in $D
    D=$work/$case
    cp -a "$work/base" "$D"
}

# ---- the base archive (one day, 30,000 flows, 24 shards) and its result -------------------
echo "== base archive: gen --preset small --seed 1 --days 1 --flows 30000"
"$C2HUNT" gen --preset small --seed 1 --days 1 --flows 30000 --out "$work/base" --quiet
first=$(awk -F'\t' 'NR == 2 { print $1 }' "$work/base/index.tsv")
middle=$(awk -F'\t' 'NR == 13 { print $1 }' "$work/base/index.tsv")
last=$(awk -F'\t' 'NR > 1 { s = $1 } END { print s }' "$work/base/index.tsv")
[[ -n $first && -n $middle && $first != "$middle" && $middle != "$last" ]] || {
    echo "base archive has too few shards:"
    cat "$work/base/index.tsv"
    exit 1
}
have_ref=0
reference() { # roles.csv of the base archive, under mpirun -np 2, in $work/ref/roles.csv
    ((have_ref)) && return 0
    have_ref=1
    local D=$work/base case=reference
    job ../ref
    if [[ $rc == 0 && $(wc -l <"$work/ref/roles.csv") -gt 10 ]]; then
        ok "reference run: $(($(wc -l <"$work/ref/roles.csv") - 1)) hosts labeled"
    else
        fail "reference run over the base archive: exit $rc"
        show
        exit 1
    fi
}
same_roles() { # DIR WHAT: DIR/roles.csv equals the reference's
    if [[ -f $1/roles.csv ]] && cmp -s "$1/roles.csv" "$work/ref/roles.csv"; then
        ok "$2: roles.csv byte-identical to the expected one"
    else
        fail "$2: roles.csv differs from the expected one"
        if [[ -f $1/roles.csv ]]; then diff "$work/ref/roles.csv" "$1/roles.csv" | head -10 | sed 's/^/    | /' || true; fi
    fi
}

# ---- the cases ------------------------------------------------------------------------------
case_truncated_shard() {
    fresh
    local size
    size=$(stat -c %s "$D/$first")
    truncate -s $((size / 2)) "$D/$first"
    echo "  $first cut from $size to $((size / 2)) bytes"
    refused "$first" ""
}
case_flipped_byte() {
    fresh
    py flip "$D/$first" dst_addr
    refused "$first" dst_addr
}
case_frame_short() {
    command -v zstd >/dev/null || { echo "  (no zstd CLI: skipped)"; return 0; }
    fresh
    py frame "$D/$first" dst_addr -4096
    refused "$first" dst_addr
}
case_frame_long() {
    command -v zstd >/dev/null || { echo "  (no zstd CLI: skipped)"; return 0; }
    fresh
    py frame "$D/$first" dst_addr 4096
    refused "$first" dst_addr
}
case_column_length() {
    fresh
    local n
    n=$(index_field "$first" 3)
    py resize "$D/$first" dst_port $((n - 1))
    echo "  /flows/dst_port of $first: $((n - 1)) rows, the others $n"
    refused "$first" dst_port
}
case_index_missing_shard() {
    fresh
    rm "$D/$middle"
    echo "  deleted $middle, still in index.tsv"
    refused "$middle" ""
}
case_index_rows_wrong() {
    fresh
    local n
    n=$(index_field "$middle" 3)
    set_index_rows "$middle" $((n - 1))
    ini_add rows -1
    echo "  index.tsv: $middle has $((n - 1)) rows (it has $n); archive.ini's rows lowered by 1 to match"
    refused "$middle" "" "$n"
}
case_index_rows_zero() {
    fresh
    local n
    n=$(index_field "$middle" 3)
    set_index_rows "$middle" 0
    ini_add rows "-$n"
    echo "  index.tsv: $middle has 0 rows (it has $n); archive.ini's rows lowered by $n to match"
    refused "$middle" "" "$n"
}
case_index_line_dropped() {
    fresh
    awk -F'\t' -v s="$middle" '$1 != s' "$D/index.tsv" >"$work/i.tsv"
    mv "$work/i.tsv" "$D/index.tsv"
    echo "  the line of $middle dropped from index.tsv; archive.ini untouched"
    refused "" "" "$D/archive.ini" "index.tsv"
}
case_index_duplicate_line() {
    fresh
    grep -F "$middle" "$D/index.tsv" >"$work/line.tsv"
    cat "$work/line.tsv" >>"$D/index.tsv"
    sort_index
    ini_add shards 1
    ini_add rows "$(index_field "$middle" 3 | head -1)"
    echo "  $middle listed twice in index.tsv; archive.ini's counts raised to match"
    refused "" "" "index.tsv" "$middle" "twice"
}
case_schema_archive() {
    fresh
    sed -i 's/^schema=1$/schema=2/' "$D/archive.ini"
    grep -qx 'schema=2' "$D/archive.ini" || fail "could not set schema=2 in archive.ini"
    refused "" "" "$D/archive.ini" "schema version 2"
}
case_schema_shard() {
    fresh
    py attr "$D/$middle" c2hunt_schema 2
    refused "$middle" "" "c2hunt_schema" "schema version 2"
}
case_empty_archive() {
    D=$work/$case
    local header='ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,nhb,svln,dvln,ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,mpls10,cl,sl,al,ra,eng,exid,tr'
    echo "$header" >"$work/empty.csv"
    "$C2HUNT" ingest --format nfdump-csv --out "$D" "$work/empty.csv" 2>/dev/null
    if [[ $(wc -l <"$D/index.tsv") == 1 && -z $(ls -A "$D/shards") ]] && grep -qx 'shards=0' "$D/archive.ini"; then
        ok "ingest of a CSV with no flow: an archive of 0 shards, index.tsv a header only"
    else fail "the empty archive is not empty"; fi
    run "inspect" "$C2HUNT" inspect "$D"
    expect_rc 0 "plain inspect describes it"
    if grep -qxF 'shards       0 (IPv4 0, IPv6 0)' "$work/out"; then ok "inspect: 0 shards"; else fail "inspect: not 0 shards"; fi
    refused "" "" "$D"
    if grep -qiE 'no flows|no shards|empty' "$work/err"; then ok "run says there are no flows"; else
        fail "run does not say the archive holds no flows"
        show
    fi
}
# add_zero_row_shard ROWS: a shard of zero rows (a copy of the first, emptied), listed with ROWS.
zero=shards/20260105T00-v4-z-0001.h5
add_zero_row_shard() {
    cp "$D/$first" "$D/$zero"
    py empty "$D/$zero"
    local size t0
    size=$(stat -c %s "$D/$zero")
    t0=$(index_field "$first" 4)
    if [[ $1 == 0 ]]; then
        printf '%s\t4\t0\t0\t0\t%s\t0\n' "$zero" "$size" >>"$D/index.tsv"
    else
        printf '%s\t4\t%s\t%s\t%s\t%s\t%s\n' "$zero" "$1" "$t0" $((t0 + 3599000)) "$size" $(($1 * 46)) >>"$D/index.tsv"
    fi
    sort_index
    ini_add shards 1
    ini_add rows "$1"
}
case_zero_row_shard() {
    reference
    fresh
    add_zero_row_shard 0
    echo "  added $zero: 0 rows, listed with 0 rows; archive.ini's shard count raised by 1"
    run "inspect --verify" "$C2HUNT" inspect --verify "$D"
    expect_rc 0 "inspect --verify"
    local rows
    rows=$(sed -n 's/^rows=//p' "$work/base/archive.ini")
    if grep -qE "^shards +25 " "$work/out" && grep -qE "^rows +$rows " "$work/out"; then
        ok "inspect: 25 shards, $rows rows as before"
    else
        fail "inspect: expected 25 shards and $rows rows"
        sed 's/^/    | /' "$work/out"
    fi
    job "$case"
    expect_rc 0 "mpirun -np 2 run"
    same_roles "$work/o/$case" "with a zero-row shard"
}
case_zero_row_shard_index_n() {
    fresh
    add_zero_row_shard 1000
    echo "  added $zero: 0 rows, but listed with 1000 (archive.ini's counts follow)"
    refused "$zero" "" "1000"
}
case_skip_bad_shards() {
    # The expected result: the archive without the three shards.
    case=skip_expected
    D=$work/skip-expected
    cp -a "$work/base" "$D"
    local s
    for s in "$first" "$middle" "$last"; do drop_shard "$s"; done
    run "inspect --verify" "$C2HUNT" inspect --verify "$D"
    expect_rc 0 "the copy without the three shards passes inspect --verify"
    grep -qE '^shards +21 ' "$work/out" || fail "the copy has not 21 shards"
    job expected
    expect_rc 0 "mpirun -np 2 run over the copy without them"

    case=skip_bad_shards
    fresh
    local size n
    size=$(stat -c %s "$D/$first")
    truncate -s $((size / 2)) "$D/$first"
    n=$(index_field "$middle" 3)
    set_index_rows "$middle" $((n + 1))
    ini_add rows 1
    py flip "$D/$last" dst_addr
    echo "  bad: $first cut in half, $middle listed with $((n + 1)) rows (has $n), a flipped byte in $last"
    job "$case" --skip-bad-shards
    expect_rc 0 "mpirun -np 2 run --skip-bad-shards"
    local nw
    nw=$(grep -cE '^c2hunt run: warning: skipping bad shard ' "$work/err" || true)
    if [[ $nw == 3 ]]; then ok "three warning lines"; else
        fail "$nw 'c2hunt run: warning: skipping bad shard' lines, expected 3 (one per bad shard, from rank 0)"
        show
    fi
    for s in "$first" "$middle" "$last"; do
        if grep -qE "^c2hunt run: warning: skipping bad shard [^ ]*${s//./\\.}: .+" "$work/err"; then
            ok "a warning names $s and a reason"
        else fail "no warning 'skipping bad shard ...$s: REASON'"; fi
    done
    if grep -qE '^c2hunt run: error' "$work/err"; then fail "an error line with --skip-bad-shards"; show; fi
    if [[ -f $work/o/$case/roles.csv ]] && cmp -s "$work/o/$case/roles.csv" "$work/o/expected/roles.csv"; then
        ok "roles.csv byte-identical to the run over the archive without the three shards"
    else
        fail "roles.csv differs from the run over the archive without the three shards"
        if [[ -f $work/o/$case/roles.csv ]]; then
            diff "$work/o/expected/roles.csv" "$work/o/$case/roles.csv" | head -10 | sed 's/^/    | /' || true
        fi
    fi
    local f
    for f in metrics.json report.json; do
        if "$C2H_PYTHON" - "$work/o/$case/$f" "$first" "$middle" "$last" <<'EOF'; then ok "$f: skipped_shards lists the three with reasons"; else fail "$f: skipped_shards"; fi
import json, sys
try:
    doc = json.load(open(sys.argv[1]))
    got = doc["skipped_shards"]
    assert isinstance(got, list), "not a list"
    files = sorted(e["file"] for e in got)
    assert files == sorted(sys.argv[2:]), f"files {files}"
    assert all(isinstance(e["reason"], str) and e["reason"].strip() for e in got), "a reason is empty"
except Exception as e:  # noqa: BLE001 -- any shape error is a failure
    print(f"    {sys.argv[1].rsplit('/', 1)[1]}: {type(e).__name__}: {e}")
    sys.exit(1)
EOF
    done
    # report.html says the result is incomplete, naming each shard.
    if [[ -f $work/o/$case/report.html ]] && grep -q 'id="skipped"' "$work/o/$case/report.html" &&
        grep -qF "$first" "$work/o/$case/report.html" && grep -qF "$last" "$work/o/$case/report.html"; then
        ok "report.html: an 'Incomplete input' note naming the skipped shards"
    else fail "report.html does not say which shards were skipped"; fi
    # Sound archive: the flag changes nothing.
    reference
    case=skip_sound
    D=$work/base
    job skip-sound --skip-bad-shards
    expect_rc 0 "--skip-bad-shards over a sound archive"
    if grep -qE '^c2hunt run: warning: skipping' "$work/err"; then fail "a shard skipped in the sound archive"; show; fi
    same_roles "$work/o/skip-sound" "--skip-bad-shards over a sound archive"
    if "$C2H_PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d.get("skipped_shards", []) == [] else 1)' \
        "$work/o/skip-sound/metrics.json" 2>/dev/null; then
        ok "metrics.json: no shard skipped"
    else fail "metrics.json of the sound archive: skipped_shards not empty (or no metrics.json)"; fi
    case=skip_bad_shards
}

for case in "${cases[@]}"; do
    echo "== $case"
    "case_$case"
done

echo
echo "case                     command                              exit  message"
while IFS=$'\t' read -r c cmd code msg; do
    printf '%-24s %-36s %4s  %s\n' "$c" "$cmd" "$code" "${msg:0:200}"
done <"$work/table.tsv"
echo
if ((failures > 0)); then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
