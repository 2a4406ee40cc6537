#!/bin/bash
# inputs_cli.sh: `c2hunt ingest --format ipfix|binetflow` and `c2hunt run --seeds-family`
# end to end, on files made here (no shared data needed):
#   - an IPFIX file written by Python byte by byte (not by libfixbuf: an independent writer),
#     IPv4 and IPv6, milliseconds and NTP microseconds: the archive holds exactly those flows;
#     the same file gzip-compressed too;
#   - IPFIX cut short, garbage, a wrong version: exit 2, the file, message and byte named, no
#     archive; records without addresses beyond --max-bad: exit 2 naming the record;
#   - binetflow with a bad date: exit 2 past --max-bad naming file:line and the field, the
#     archive within it; arp rows counted as skipped;
#   - run with a Feodo Tracker CSV: --seeds-family keeps the family's seeds only, --until
#     drops a seed first seen after T, an unknown family and a plain file with a family
#     are exit 2.
# shellcheck disable=SC2015 # `A && ok ... || fail ...`: ok only prints, it cannot fail
set -euo pipefail

: "${C2HUNT:?}" "${C2H_PYTHON:?}"
[[ -x $C2H_PYTHON ]] || { echo "SKIP: no $C2H_PYTHON"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/c2h-inputs-cli.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

failures=0
ok() { echo "  ok   $*"; }
fail() {
    echo "  FAIL $*"
    failures=$((failures + 1))
}
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
expect_rc() {
    if [[ $rc == "$1" ]]; then ok "$2: exit $1"; else
        fail "$2: exit $rc, expected $1"
        show
    fi
}
expect_err() {
    if grep -qF -- "$1" "$work/err"; then ok "$2"; else
        fail "$2 (no '$1' in stderr)"
        show
    fi
}
expect_no_archive() { # PARENT NAME
    local left
    left=$(find "$1" -maxdepth 1 \( -name "$2" -o -name ".$2.partial-*" \) -printf '%f ')
    if [[ -z $left ]]; then ok "no archive '$2' left behind"; else fail "left behind: $left"; fi
}

# ---- IPFIX, written by Python ----------------------------------------------------------------
# ipfix.py OUT EXPECT [--no-addr N]: three messages (templates; IPv4 flows with ms times; IPv6
# flows with NTP microseconds), the flows as `inspect --dump` prints them (fields 1-13) in EXPECT.
cat >"$work/ipfix.py" <<'EOF'
import ipaddress, struct, sys
out, expect = sys.argv[1], sys.argv[2]
no_addr = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--no-addr" else 0
NTP = 2208988800
def ntp(ms):
    frac = ((ms % 1000) * 2**32 + 999) // 1000
    return ((ms // 1000 + NTP) << 32) | frac
def message(sets, seq, domain=1, export=1709287300):
    body = b"".join(struct.pack("!HH", sid, 4 + len(data)) + data for sid, data in sets)
    return struct.pack("!HHIII", 10, 16 + len(body), export, seq, domain) + body
def template(tid, fields):
    return struct.pack("!HH", tid, len(fields)) + b"".join(struct.pack("!HH", i, l) for i, l in fields)
V4 = [(152, 8), (153, 8), (8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (6, 1), (2, 8), (1, 8)]
V6 = [(154, 8), (155, 8), (27, 16), (28, 16), (7, 2), (11, 2), (4, 1), (6, 2), (2, 4), (1, 4)]
NOADDR = [(152, 8), (153, 8), (7, 2), (11, 2)]
T0 = 1709287201000  # 2024-03-01T10:00:01Z
flows4 = [(T0 + i * 61000, T0 + i * 61000 + 1234 + i, "192.0.2.%d" % (i + 1), "198.51.100.7", 40000 + i, 447, 6,
           0x1b if i % 2 else 0x02, 10 + i, 1000 * (i + 1)) for i in range(40)]
flows6 = [(T0 + 5000 + i * 1000, T0 + 5000 + i * 1000 + 999, "2001:db8::%x" % (i + 1), "2001:db8:0:1::53", 50000 + i,
           53, 17, 0, 1, 90 + i) for i in range(25)]
flows6.append((T0, T0 + 2500, "2001:db8::ff", "2001:db8::1", 0, 0x0800, 1, 0, 3, 252))  # ICMP echo request
d4 = b"".join(struct.pack("!QQIIHHBBQQ", s, e, int(ipaddress.IPv4Address(a)), int(ipaddress.IPv4Address(b)), sp, dp,
                          pr, fl, pk, by) for s, e, a, b, sp, dp, pr, fl, pk, by in flows4)
d6 = b"".join(struct.pack("!QQ16s16sHHBHII", ntp(s), ntp(e), ipaddress.IPv6Address(a).packed,
                          ipaddress.IPv6Address(b).packed, sp, dp, pr, fl, pk, by)
              for s, e, a, b, sp, dp, pr, fl, pk, by in flows6)
msgs = [message([(2, template(256, V4) + template(257, V6) + template(258, NOADDR))], 0),
        message([(256, d4)], 0), message([(257, d6)], 40)]
if no_addr:
    msgs.append(message([(258, b"".join(struct.pack("!QQHH", T0, T0, 1, 2) for _ in range(no_addr)))], 66))
open(out, "wb").write(b"".join(msgs))
import time
def ts(ms): return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ms // 1000))
def flags(v): return "".join(c if v & (0x80 >> i) else "." for i, c in enumerate("CEUAPRSF"))
names = {6: "TCP", 17: "UDP", 1: "ICMP"}
with open(expect, "w") as f:
    for s, e, a, b, sp, dp, pr, fl, pk, by in flows4 + flows6:
        d = e - s
        f.write("%s,%s,%d.%03d,%s,%s,%d,%d,%s,%s,0,0,%d,%d\n" % (ts(s), ts(e), d // 1000, d % 1000, a, b, sp, dp,
                                                                names[pr], flags(fl), pk, by))
EOF

echo "== an IPFIX file written byte by byte: the archive holds exactly its flows"
"$C2H_PYTHON" "$work/ipfix.py" "$work/flows.ipfix" "$work/expect.csv"
run "$C2HUNT" ingest --format ipfix --out "$work/I" "$work/flows.ipfix"
expect_rc 0 "ingest --format ipfix"
expect_err "66 rows, 0 rejected" "66 rows, 0 rejected"
dump_cmp() { # ARCHIVE WHAT
    "$C2HUNT" inspect --dump "$1" 2>/dev/null | tail -n +2 | cut -d, -f1-13 | sort >"$work/got.csv"
    if sort "$work/expect.csv" | cmp -s - "$work/got.csv"; then ok "$2: inspect --dump gives the flows written"; else
        fail "$2: inspect --dump differs from the flows written"
        sort "$work/expect.csv" | diff - "$work/got.csv" | head -10
    fi
}
dump_cmp "$work/I" "IPFIX"
if command -v gzip >/dev/null; then
    gzip -c "$work/flows.ipfix" >"$work/flows.ipfix.gz"
    run "$C2HUNT" ingest --format ipfix --out "$work/Igz" "$work/flows.ipfix.gz"
    expect_rc 0 "ingest --format ipfix of the gzip-compressed file"
    dump_cmp "$work/Igz" "IPFIX .gz"
fi

echo "== IPFIX cut short, garbage, a wrong version: exit 2, file, message and byte named, no archive"
size=$(stat -c %s "$work/flows.ipfix")
head -c $((size - 7)) "$work/flows.ipfix" >"$work/cut.ipfix"
third=$("$C2H_PYTHON" -c '
import struct, sys
d = open(sys.argv[1], "rb").read(); o = 0; offs = []
while o < len(d): offs.append(o); o += struct.unpack("!H", d[o + 2:o + 4])[0]
print(offs[2])' "$work/flows.ipfix")
run "$C2HUNT" ingest --format ipfix --out "$work/Icut" "$work/cut.ipfix"
expect_rc 2 "a file 7 bytes short"
expect_err "$work/cut.ipfix: message 3 (byte $third): truncated" "names the file, message 3 and its byte $third"
expect_no_archive "$work" Icut
head -c 1000 /dev/urandom >"$work/garbage.ipfix"
printf 'GET / HTTP/1.1\r\n' | dd of="$work/garbage.ipfix" conv=notrunc status=none
run "$C2HUNT" ingest --format ipfix --out "$work/Ig" "$work/garbage.ipfix"
expect_rc 2 "garbage"
expect_err "$work/garbage.ipfix: message 1 (byte 0): version" "names message 1 at byte 0"
expect_no_archive "$work" Ig
cp "$work/flows.ipfix" "$work/v9.ipfix"
printf '\x00\x09' | dd of="$work/v9.ipfix" bs=1 seek="$third" conv=notrunc status=none
run "$C2HUNT" ingest --format ipfix --out "$work/Iv" "$work/v9.ipfix"
expect_rc 2 "version 9 in message 3"
expect_err "message 3 (byte $third): version 9, not IPFIX (10)" "says message 3 has version 9"
expect_no_archive "$work" Iv

echo "== IPFIX records without addresses: bad rows with their record numbers"
"$C2H_PYTHON" "$work/ipfix.py" "$work/noaddr.ipfix" "$work/expect.csv" --no-addr 3
run "$C2HUNT" ingest --format ipfix --max-bad 2 --out "$work/In" "$work/noaddr.ipfix"
expect_rc 2 "3 records without addresses, --max-bad 2"
expect_err "$work/noaddr.ipfix:67: rejected:" "reports record 67"
expect_err "no source address" "says why"
expect_err "$work/noaddr.ipfix:69:" "names record 69, the third"
expect_no_archive "$work" In
run "$C2HUNT" ingest --format ipfix --max-bad 3 --out "$work/In3" "$work/noaddr.ipfix"
expect_rc 0 "the same with --max-bad 3"
expect_err "66 rows, 3 rejected" "66 rows, 3 rejected"

# ---- binetflow ---------------------------------------------------------------------------------
echo "== binetflow: a bad date beyond --max-bad is exit 2 naming file:line; arp rows are skipped"
{
    echo 'StartTime,Dur,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,State,sTos,dTos,TotPkts,TotBytes,SrcBytes,Label'
    echo '2011/08/16 10:09:58.055000,1.0,tcp,147.32.84.165,1050,   ->,91.212.135.158,5678,FSPA_FSPA,0,0,9,1117,505,flow=From-Botnet'
    echo '2011/08/16 10:10:31.000000,0.0,arp,147.32.87.31,,  who,147.32.87.1,,CON,,,4,240,120,flow=Background'
    echo '2011/08/32 10:11:04.000000,1.0,tcp,147.32.84.165,1051,   ->,91.212.135.158,5678,FSPA_FSPA,0,0,9,1117,505,flow=From-Botnet'
    echo '2011/08/16 10:11:37.500000,0.25,udp,147.32.84.59,40941,  <->,147.32.80.9,53,CON,0,0,2,214,81,flow=Background'
} >"$work/slice.binetflow"
run "$C2HUNT" ingest --format binetflow --tz Europe/Prague --max-bad 0 --out "$work/B0" "$work/slice.binetflow"
expect_rc 2 "a bad date, --max-bad 0"
expect_err "$work/slice.binetflow:4:" "names slice.binetflow:4"
expect_err "field 'StartTime': '2011/08/32 10:11:04.000000' is not a time" "says the field and the value"
expect_no_archive "$work" B0
run "$C2HUNT" ingest --format binetflow --tz Europe/Prague --max-bad 1 --out "$work/B1" "$work/slice.binetflow"
expect_rc 0 "the same with --max-bad 1"
expect_err "2 rows, 1 rejected, 1 skipped (not IP)" "2 rows, 1 rejected, 1 skipped (the arp row)"
"$C2HUNT" inspect --dump "$work/B1" 2>/dev/null | tail -n +2 | cut -d, -f1-8 >"$work/got.csv"
if grep -qxF '2011-08-16 08:09:58,2011-08-16 08:09:59,1.000,147.32.84.165,91.212.135.158,1050,5678,TCP' "$work/got.csv" &&
    grep -qxF '2011-08-16 08:11:37,2011-08-16 08:11:37,0.250,147.32.84.59,147.32.80.9,40941,53,UDP' "$work/got.csv"; then
    ok "the flows in UTC (Prague time minus two hours in August)"
else
    fail "the binetflow flows in the archive"
    cat "$work/got.csv"
fi
if command -v gzip >/dev/null; then
    gzip -c "$work/slice.binetflow" >"$work/slice.binetflow.gz"
    run "$C2HUNT" ingest --format binetflow --tz Europe/Prague --max-bad 1 --out "$work/Bgz" "$work/slice.binetflow.gz"
    expect_rc 0 "the same gzip-compressed"
    expect_err "2 rows, 1 rejected, 1 skipped (not IP)" "the same counts"
    expect_err "$work/slice.binetflow.gz:4: rejected" "the line named in the .gz file"
fi

# ---- seeds with families -------------------------------------------------------------------------
echo "== run with a Feodo Tracker CSV: --seeds-family and --until"
"$C2HUNT" gen --preset small --seed 1 --out "$work/g" --quiet
mapfile -t seeds < <(grep -v '^#' "$work/g/seeds.txt")
# The decoys: hosts of the archive that are no C2 (benign look-alikes of the truth).
mapfile -t decoys < <(awk -F, '$2 == "benign" { print $1 }' "$work/g/truth.csv" | head -2)
if ((${#seeds[@]} < 2 || ${#decoys[@]} < 2)); then
    fail "gen gave ${#seeds[@]} seeds and ${#decoys[@]} benign hosts"
else
    {
        echo '################################################################'
        echo '# abuse.ch Feodo Tracker Botnet C2 IP Blocklist (CSV)          #'
        echo '#'
        echo '"first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware"'
        for s in "${seeds[@]}"; do echo "\"2026-01-04 12:00:00\",\"$s\",\"447\",\"online\",\"2026-01-08\",\"TrickBot\""; done
        echo "\"2026-01-04 13:00:00\",\"${decoys[0]}\",\"443\",\"online\",\"2026-01-08\",\"Dridex\""
        echo "\"2026-01-04 14:00:00\",\"${decoys[1]}\",\"443\",\"online\",\"2026-01-08\",\"Emotet\""
        echo "# END $((${#seeds[@]} + 2)) entries"
    } >"$work/feodo.csv"
    run "$C2HUNT" run --archive "$work/g" --seeds "$work/g/seeds.txt" --out "$work/r-plain" --quiet
    expect_rc 0 "run with the plain seeds"
    run "$C2HUNT" run --archive "$work/g" --seeds "$work/feodo.csv" --seeds-family trickbot --out "$work/r-tb"
    expect_rc 0 "run with the Feodo CSV, --seeds-family trickbot"
    expect_err "seeds: feodo list, $((${#seeds[@]} + 2)) address entries (Dridex 1, Emotet 1, TrickBot ${#seeds[@]})" \
        "says what the list holds"
    if cmp -s "$work/r-plain/roles.csv" "$work/r-tb/roles.csv"; then
        ok "roles.csv is that of the plain seeds (the decoys left out)"
    else
        fail "roles.csv differs from the plain seeds' run"
        diff "$work/r-plain/roles.csv" "$work/r-tb/roles.csv" | head
    fi
    run "$C2HUNT" run --archive "$work/g" --seeds "$work/feodo.csv" --out "$work/r-all" --quiet
    expect_rc 0 "run with every family"
    if grep -q "^${decoys[0]},c2," "$work/r-all/roles.csv" && grep -q "^${decoys[1]},c2," "$work/r-all/roles.csv"; then
        ok "without --seeds-family the decoys are seeds (c2) too"
    else fail "the decoys are not c2 without --seeds-family"; fi
    run "$C2HUNT" run --archive "$work/g" --seeds "$work/feodo.csv" --until 2026-01-04T13:30:00Z --out "$work/r-until" --quiet
    expect_rc 0 "run with --until between the decoys' first_seen"
    if grep -q "^${decoys[0]},c2," "$work/r-until/roles.csv" && ! grep -q "^${decoys[1]}," "$work/r-until/roles.csv"; then
        ok "--until: the seed first seen after T is left out, the one before kept"
    else
        fail "--until and first_seen"
        cat "$work/r-until/roles.csv"
    fi
    run "$C2HUNT" run --archive "$work/g" --seeds "$work/feodo.csv" --seeds-family QakBot --out "$work/r-qb"
    expect_rc 2 "--seeds-family QakBot"
    expect_err "no seeds of family 'QakBot' (families there: Dridex 1, Emotet 1, TrickBot ${#seeds[@]})" "lists the families there"
    run "$C2HUNT" run --archive "$work/g" --seeds "$work/g/seeds.txt" --seeds-family TrickBot --out "$work/r-pf"
    expect_rc 2 "--seeds-family with a plain list"
    expect_err "$work/g/seeds.txt: a plain list of addresses names no malware families" "says why"
    [[ ! -e $work/r-qb && ! -e $work/r-pf ]] && ok "no output folders" || fail "output folder left behind"
fi

echo
if ((failures > 0)); then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
