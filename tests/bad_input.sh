#!/bin/bash
# bad_input.sh: bad input gives exit 2, a message naming the file and the place, and no
# archive (nor staging folder .NAME.partial-*) left behind:
#   malformed CSV lines beyond --max-bad (and within it: the archive, with file:line reports),
#   a truncated shard and a flipped byte inside a compressed chunk (inspect --verify),
#   a wrong schema version (archive.ini, and a shard's attribute), an unknown --format,
#   and input paths with spaces and shell characters (which must work, and run nothing).
# shellcheck disable=SC2016 # '$(touch pwned)' in single quotes is meant literally: it is part of file names
set -euo pipefail

: "${C2HUNT:?}" "${C2H_PYTHON:?}" "${C2H_SRC:?}" "${C2H_PLUGIN_DIR:?}" "${C2H_SHARED:=}"
if ! "$C2H_PYTHON" -c 'import h5py, numpy' 2>/dev/null; then
    echo "SKIP: $C2H_PYTHON has no h5py/numpy (apt install python3-h5py)"
    exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/c2h-bad-input.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
export HDF5_PLUGIN_PATH=$C2H_PLUGIN_DIR

failures=0
ok() { echo "  ok   $*"; }
fail() {
    echo "  FAIL $*"
    failures=$((failures + 1))
}
# run CMD...: run it with stdout and stderr kept in $work/out and $work/err, exit code in $rc.
run() {
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
expect_no_err() { # FIXED-STRING WHAT
    if grep -qF -- "$1" "$work/err"; then
        fail "$2 ('$1' in stderr)"
        show
    else ok "$2"; fi
}
expect_no_archive() { # PARENT NAME
    local left
    left=$(find "$1" -maxdepth 1 \( -name "$2" -o -name ".$2.partial-*" -o -name ".$2.partial-*.old-*" \) -printf '%f ')
    if [[ -z $left ]]; then ok "no archive '$2' and no staging folder .$2.partial-* left in $1"; else
        fail "left behind in $1: $left"
    fi
}
expect_rows() { # ARCHIVE ROWS V4 V6: inspect --verify says so
    run "$C2HUNT" inspect --verify "$1"
    if [[ $rc == 0 ]] && grep -qxF "rows         $2 (IPv4 $3, IPv6 $4)" "$work/out"; then
        ok "inspect --verify $(basename "$1"): $2 rows (IPv4 $3, IPv6 $4), every chunk decompressed"
    else
        fail "inspect --verify $1: exit $rc, expected 0 and 'rows $2 (IPv4 $3, IPv6 $4)'"
        sed 's/^/    | /' "$work/out" "$work/err" | head -20
    fi
}

# ---- data: nfdump 1.7.1 -o csv text (its header, as nfdump prints it) ----------------------------
header='ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,nhb,svln,dvln,ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,mpls10,cl,sl,al,ra,eng,exid,tr'
tail=',0,0,0,0,0,0,0,0,0.0.0.0,0.0.0.0,0,0,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,    0.000,    0.000,    0.000,0.0.0.0,0/0,0,1970-01-01 00:00:00.000'
flow() { # TS TD SA DA SP DP PR FLG PKT BYT
    echo "$1,$1,$2,$3,$4,$5,$6,$7,$8,0,0,$9,${10},0,0$tail"
}
good_lines() {
    flow '2024-03-01 10:00:01' 1.234 192.168.1.10 203.0.113.5 49152 443 TCP '...AP.SF' 12 3456
    flow '2024-03-01 10:00:05' 0.000 192.168.1.11 8.8.8.8 53000 53 UDP '........' 1 74
    flow '2024-03-01 10:01:00' 0.500 10.0.0.1 10.255.255.254 0 2048 ICMP '........' 2 168
    flow '2024-03-01 10:15:30' 135.999 172.16.0.1 198.51.100.77 65535 8080 TCP 'CEUAPRSF' 4294967297 1099511627783
    flow '2024-03-01 10:20:00' 0.001 1.2.3.4 255.255.255.255 1 1 UDP '........' 1 1
    flow '2024-03-01 10:45:59' 0.999 192.168.1.10 203.0.113.5 49153 443 TCP '......S.' 1 60
    flow '2024-03-01 10:46:00' 0.020 2001:db8::1 2001:db8:0:1::53 40001 53 UDP '........' 1 90
}
{
    echo "$header"
    good_lines
} >"$work/good.csv"
good_rows=7

# bad.csv: the good flows with three malformed lines among them, at lines 3, 6 and 9.
{
    echo "$header"                                                                             # 1
    flow '2024-03-01 10:00:01' 1.234 192.168.1.10 203.0.113.5 49152 443 TCP '...AP.SF' 12 3456 # 2
    echo 'this is not a flow'                                                                  # 3
    flow '2024-03-01 10:00:05' 0.000 192.168.1.11 8.8.8.8 53000 53 UDP '........' 1 74         # 4
    flow '2024-03-01 10:01:00' 0.500 10.0.0.1 10.255.255.254 0 2048 ICMP '........' 2 168      # 5
    flow '2024-03-01 10:15:30' 1.000 999.1.2.3 198.51.100.77 65535 8080 TCP '...A....' 3 180   # 6: bad sa
    flow '2024-03-01 10:20:00' 0.001 1.2.3.4 255.255.255.255 1 1 UDP '........' 1 1            # 7
    flow '2024-03-01 10:45:59' 0.999 192.168.1.10 203.0.113.5 49153 443 TCP '......S.' 1 60    # 8
    flow '2024-03-01 10:46:00' 0.020 10.9.9.9 10.8.8.8 40001 70000 UDP '........' 1 90         # 9: bad dp
    flow '2024-03-01 10:47:00' 0.020 10.9.9.9 10.8.8.8 40002 53 UDP '........' 1 90            # 10
} >"$work/bad.csv"
bad_good_rows=6

echo "== malformed CSV lines beyond --max-bad: exit 2, file:line named, no archive"
run "$C2HUNT" ingest --format nfdump-csv --max-bad 2 --out "$work/A-bad" "$work/bad.csv"
expect_rc 2 "3 bad lines, --max-bad 2"
expect_err "$work/bad.csv:3:" "names bad.csv:3 (the line that is not a flow)"
expect_err "$work/bad.csv:6:" "names bad.csv:6 (bad source address)"
expect_err "$work/bad.csv:9:" "names bad.csv:9 (the bad line beyond --max-bad)"
expect_err "'sa'" "says the field of line 6 is sa"
expect_err "'dp'" "says the field of line 9 is dp"
expect_no_archive "$work" A-bad

run "$C2HUNT" ingest --format nfdump-csv --max-bad 0 --out "$work/A-bad0" "$work/bad.csv"
expect_rc 2 "3 bad lines, --max-bad 0"
expect_err "$work/bad.csv:3:" "names bad.csv:3"
expect_no_err "$work/bad.csv:6:" "stops at the first bad line (line 6 not reached)"
expect_no_archive "$work" A-bad0

if command -v mpirun >/dev/null; then
    echo "== the same under mpirun -np 2 (one rank reads bad.csv, the other good.csv): all ranks fail cleanly"
    run timeout 120 mpirun -np 2 "$C2HUNT" ingest --format nfdump-csv --max-bad 2 --out "$work/A-mpi" \
        "$work/bad.csv" "$work/good.csv"
    expect_rc 2 "mpirun -np 2, 3 bad lines in one input, --max-bad 2"
    expect_err "$work/bad.csv:9:" "names bad.csv:9"
    expect_err "no archive written" "rank 0 says no archive was written"
    expect_no_archive "$work" A-mpi
fi

echo "== malformed CSV lines within --max-bad: the archive, and each bad line reported as file:line"
run "$C2HUNT" ingest --format nfdump-csv --max-bad 3 --out "$work/A-within" "$work/bad.csv"
expect_rc 0 "3 bad lines, --max-bad 3"
for l in 3 6 9; do
    expect_err "$work/bad.csv:$l: rejected" "reports bad.csv:$l as rejected"
done
for l in 2 4 5 7 8 10; do
    expect_no_err "$work/bad.csv:$l:" "does not report good line $l"
done
expect_err "$bad_good_rows rows, 3 rejected" "summary: $bad_good_rows rows, 3 rejected"
if [[ -d $work/A-within ]]; then ok "archive A-within made"; else fail "no archive A-within"; fi
expect_rows "$work/A-within" "$bad_good_rows" "$bad_good_rows" 0

echo "== an unknown --format: exit 2, the format named, no archive"
run "$C2HUNT" ingest --format nfdump-xml --out "$work/A-fmt" "$work/good.csv"
expect_rc 2 "--format nfdump-xml"
expect_err "'nfdump-xml'" "names the unknown format"
expect_err "nfdump-csv" "lists the known formats"
expect_no_archive "$work" A-fmt

echo "== a good archive to damage"
run "$C2HUNT" ingest --format nfdump-csv --chunk-rows 4 --out "$work/A" "$work/good.csv"
expect_rc 0 "ingest good.csv"
expect_rows "$work/A" "$good_rows" 6 1
v4shard=$(awk -F'\t' 'NR > 1 && $2 == 4 { print $1; exit }' "$work/A/index.tsv")
if [[ -n $v4shard && -f $work/A/$v4shard ]]; then ok "the IPv4 shard: $v4shard"; else
    fail "no IPv4 shard in $work/A/index.tsv"
    cat "$work/A/index.tsv"
    exit 1
fi
damaged() { # NAME: a fresh copy of A; prints its path
    rm -rf "${work:?}/$1"
    cp -a "$work/A" "$work/$1"
    echo "$work/$1"
}
# Whatever inspect of a damaged archive does, it must write nothing into the archive.
same_files() { # ARCHIVE LISTING-BEFORE
    if [[ "$(cd "$1" && find . | sort)" == "$2" ]]; then ok "inspect left $(basename "$1") as it was"; else
        fail "inspect changed the files of $1"
    fi
}

echo "== a truncated shard: inspect --verify exits 2 naming the shard"
for cut in half 64; do
    T=$(damaged "T-$cut")
    size=$(stat -c %s "$T/$v4shard")
    if [[ $cut == half ]]; then newsize=$((size / 2)); else newsize=$((size - 64)); fi
    truncate -s "$newsize" "$T/$v4shard"
    before=$(cd "$T" && find . | sort)
    run "$C2HUNT" inspect --verify "$T"
    expect_rc 2 "shard truncated from $size to $newsize bytes"
    expect_err "$T/$v4shard" "names the shard $T/$v4shard"
    expect_err "truncated" "says it is truncated"
    same_files "$T" "$before"
done

echo "== a flipped byte inside a compressed chunk: inspect --verify exits 2 naming the shard and dataset"
for dset in start_ms dst_addr packets; do
    F=$(damaged "F-$dset")
    "$C2H_PYTHON" - "$F/$v4shard" "$dset" <<'EOF'
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
print(f"  flipped byte {at} (chunk 0 of /flows/{dset} is bytes {info.byte_offset}..{info.byte_offset + info.size - 1})"
      f": {b[0]:#04x} -> {b[0] ^ 0xFF:#04x}")
EOF
    before=$(cd "$F" && find . | sort)
    run "$C2HUNT" inspect --verify "$F"
    expect_rc 2 "flipped byte in chunk 0 of /flows/$dset"
    expect_err "$F/$v4shard" "names the shard"
    expect_err "/flows/$dset" "names the dataset /flows/$dset"
    expect_err "rows 0..3" "names the rows of the chunk (0..3)"
    same_files "$F" "$before"
done

echo "== a wrong schema version in archive.ini: exit 2 naming archive.ini and the key"
S=$(damaged S-ini)
sed -i 's/^schema=1$/schema=2/' "$S/archive.ini"
if grep -qx 'schema=2' "$S/archive.ini"; then ok "archive.ini now says schema=2"; else fail "could not set schema=2"; fi
run "$C2HUNT" inspect "$S"
expect_rc 2 "inspect of an archive of schema 2"
expect_err "$S/archive.ini" "names $S/archive.ini"
expect_err "[archive] schema" "names the key [archive] schema"
expect_err "version 2" "says the version found (2)"

echo "== a wrong schema version in a shard's attribute: exit 2 naming the shard and the attribute"
S=$(damaged S-shard)
"$C2H_PYTHON" - "$S/$v4shard" <<'EOF'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r+") as f:
    f.attrs.modify("c2hunt_schema", np.int32(7))
    assert f.attrs["c2hunt_schema"] == 7 and f.attrs["c2hunt_schema"].dtype == np.int32
print("  set /c2hunt_schema = 7 (int32)")
EOF
run "$C2HUNT" inspect "$S"
expect_rc 2 "inspect of an archive with a shard of schema 7"
expect_err "$S/$v4shard" "names the shard"
expect_err "c2hunt_schema" "names the attribute c2hunt_schema"
expect_err "version 7" "says the version found (7)"

echo "== input paths with spaces and shell characters"
mkdir "$work/weird"
name='a b;$(touch pwned)'\''x.csv'
cp "$work/good.csv" "$work/weird/$name"
out='out dir;$(touch pwned2)`touch pwned3`'
(cd "$work/weird" && run "$C2HUNT" ingest --format nfdump-csv --out "$work/weird/$out" "$work/weird/$name" &&
    echo "$rc" >"$work/rc")
rc=$(cat "$work/rc")
expect_rc 0 "ingest of '$name' into '$out'"
if [[ -f "$work/weird/$out/archive.ini" ]]; then ok "the archive '$out' exists"; else fail "no archive '$out'"; fi
expect_rows "$work/weird/$out" "$good_rows" 6 1
run "$C2HUNT" inspect --dump "$work/weird/$out"
if [[ $rc == 0 && $(grep -c '^2024-03-01' "$work/out") == "$good_rows" ]] &&
    grep -qF '2024-03-01 10:15:30,2024-03-01 10:17:45,135.999,172.16.0.1,198.51.100.77,65535,8080,TCP,CEUAPRSF,0,0,4294967297,1099511627783,' "$work/out"; then
    ok "inspect --dump of '$out': $good_rows flows, the 10:15:30 flow as written"
else
    fail "inspect --dump of '$out'"
    head -5 "$work/out"
fi

missing="$work/weird/no such;\$(touch pwned4)'file.csv"
(cd "$work/weird" && run "$C2HUNT" ingest --format nfdump-csv --out "$work/weird/A-missing" "$missing" &&
    echo "$rc" >"$work/rc")
rc=$(cat "$work/rc")
expect_rc 2 "ingest of a missing '$(basename "$missing")'"
expect_err "$missing" "names the missing path exactly"
expect_no_archive "$work/weird" A-missing

if command -v nfdump >/dev/null && [[ -f $C2H_SHARED/data/real/slips-nfcapd-portscan/test1-malicious.nfdump ]]; then
    # nfcapd input runs nfdump: the path must reach it as one argument, through no shell.
    nfname='c d;$(touch pwned5)'\''y.nfcapd'
    cp "$C2H_SHARED/data/real/slips-nfcapd-portscan/test1-malicious.nfdump" "$work/weird/$nfname"
    want=$(nfdump -q -r "$work/weird/$nfname" -o csv | grep -c .)
    (cd "$work/weird" && run "$C2HUNT" ingest --format nfcapd --out "$work/weird/A-nfcapd" "$work/weird/$nfname" &&
        echo "$rc" >"$work/rc")
    rc=$(cat "$work/rc")
    expect_rc 0 "ingest --format nfcapd of '$nfname'"
    expect_err "$want rows, 0 rejected" "nfcapd: $want rows (as nfdump counts), 0 rejected"
else
    echo "  (no nfdump or no shared nfcapd file: nfcapd path not checked)"
fi

pwned=$(find "$work" -name 'pwned*')
if [[ -z $pwned ]]; then ok "no pwned* file was made (no shell ran the names)"; else fail "found: $pwned"; fi

echo
if ((failures > 0)); then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
