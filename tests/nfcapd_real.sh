#!/bin/bash
# nfcapd_real.sh: the nfcapd and nfdump csv readers against the real programs.
#
#   nfcapd_real.sh live  TOOL   a real nfcapd on 127.0.0.1 receives known flows (NetFlow v5 for
#                               IPv4, v9 for IPv6, from nfcapd_send.py); the nfcapd reader must
#                               give exactly those flows, ms included, and so must the archive
#                               that `c2hunt ingest --format nfcapd` makes of them.
#   nfcapd_real.sh csv   TOOL   nfdump's own -o csv of such a capture: our reader and writer
#                               must print it again byte for byte (save te, see below), and
#                               csv printed in Europe/Prague must read as the same flows.
#   nfcapd_real.sh slips TOOL   the real Slips file (shared data) gives 4,593 flows.
#
# TOOL is tests/nfcsv_tool. Environment (from ctest): C2HUNT, C2H_SRC, C2H_SHARED, C2H_PYTHON.
# Exit 77 (skipped) when nfcapd, nfdump, python or the shared data is missing.
set -euo pipefail

mode=${1:?mode: live, csv or slips}
tool=${2:?the nfcsv_tool program}
python=${C2H_PYTHON:-/usr/bin/python3}
src=${C2H_SRC:-$(cd "$(dirname "$0")/.." && pwd)}

skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAILED: $*" >&2; exit 1; }

command -v nfdump >/dev/null || skip "nfdump is not installed"

work=$(mktemp -d "${TMPDIR:-/tmp}/nfcapd_real.XXXXXX")
nfcapd_pid=
cleanup() {
    if [ -n "$nfcapd_pid" ] && kill -0 "$nfcapd_pid" 2>/dev/null; then
        kill -TERM "$nfcapd_pid"
        wait "$nfcapd_pid" || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# capture DIR V4 V6 SEED: run nfcapd on a free UDP port of 127.0.0.1 writing into DIR, send it
# V4 + V6 known flows, stop it (SIGTERM makes it close its file) and leave the flows sent,
# sorted, in DIR.expect.
capture() {
    local dir=$1 v4=$2 v6=$3 seed=$4
    command -v nfcapd >/dev/null || skip "nfcapd is not installed"
    [ -x "$python" ] || skip "no $python"
    mkdir -p "$dir"
    local port
    port=$("$python" -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    nfcapd -b 127.0.0.1 -p "$port" -w "$dir" >"$dir.log" 2>&1 &
    nfcapd_pid=$!
    # Ready when the port is bound (/proc/net/udp lists it in hex).
    local hexport i
    hexport=$(printf ':%04X ' "$port")
    for i in $(seq 100); do
        grep -q "0100007F$hexport" /proc/net/udp 2>/dev/null && break
        kill -0 "$nfcapd_pid" 2>/dev/null || { cat "$dir.log"; fail "nfcapd did not start"; }
        sleep 0.05
    done
    "$python" "$src/tests/nfcapd_send.py" --port "$port" --v4 "$v4" --v6 "$v6" --seed "$seed" --expect "$dir.expect"
    sleep 0.3 # let nfcapd take the last packets from its socket
    kill -TERM "$nfcapd_pid"
    wait "$nfcapd_pid" || { cat "$dir.log"; fail "nfcapd failed"; }
    nfcapd_pid=
    ls "$dir"/nfcapd.* >/dev/null 2>&1 || { cat "$dir.log"; fail "nfcapd wrote no file into $dir"; }
    echo "nfcapd wrote: $(ls "$dir")"
}

# The flows of an nfcapd folder as nfdump itself sees them, in the form of DIR.expect.
nfdump_view() {
    nfdump -q -N -6 -R "$1" -o 'fmt:%tsr,%td,%sa,%da,%sp,%dp,%pr,%flg,%ipkt,%ibyt' |
        "$python" -c '
import sys
flags = "CEUAPRSF"
for line in sys.stdin:
    f = [x.strip() for x in line.split(",")]
    if len(f) != 10:
        continue
    s, frac = f[0].split(".")
    start = int(s) * 1000 + int(frac)
    d, dfrac = f[1].split(".")
    end = start + int(d) * 1000 + int(dfrac)
    dp = f[5]
    if "." in dp:
        t, c = dp.split(".")
        dp = str(int(t) * 256 + int(c))
    fl = sum(0x80 >> i for i, ch in enumerate(f[7]) if ch != ".")
    print("%d,%d,%s,%s,%s,%s,%s,%d,%s,%s" % (start, end, f[2], f[3], f[4], dp, f[6], fl, f[8], f[9]))
' | sort
}

# Flows of DIR.expect as they come back from nfdump csv (start in whole seconds, floored).
to_seconds() {
    "$python" -c '
import sys
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split(",")
    start, end = int(f[0]), int(f[1])
    s = start - start % 1000
    print(",".join([str(s), str(s + end - start)] + f[2:]))
' "$1" | sort
}

case "$mode" in
live)
    capture "$work/flows" 200 60 1
    n=$(wc -l <"$work/flows.expect")

    # nfdump itself sees what was sent: the capture is sound.
    nfdump_view "$work/flows" >"$work/nfdump.txt"
    diff -u "$work/flows.expect" "$work/nfdump.txt" >"$work/diff" || { head -20 "$work/diff"; fail "nfdump does not see the flows sent"; }

    # The nfcapd reader, on the folder and on the file: exactly the flows sent, ms included.
    "$tool" dump nfcapd "$work/flows" 2>"$work/dump.err" | sort >"$work/reader.txt"
    cat "$work/dump.err"
    diff -u "$work/flows.expect" "$work/reader.txt" >"$work/diff" || { head -20 "$work/diff"; fail "the nfcapd reader differs from the flows sent"; }
    # File by file (nfcapd starts a new file every 5 minutes: there may be two).
    files=("$work"/flows/nfcapd.*)
    for file in "${files[@]}"; do
        "$tool" dump nfcapd "$file" 2>"$work/dump.err" >>"$work/reader1.txt"
        grep -q "bad=0 input_bytes=$(stat -c %s "$file")\$" "$work/dump.err" || { cat "$work/dump.err"; fail "input_bytes is not the size of $file"; }
    done
    sort -o "$work/reader1.txt" "$work/reader1.txt"
    cmp -s "$work/reader.txt" "$work/reader1.txt" || fail "the files and their folder read differently"
    file=${files[0]}

    # A corrupt file is an error, with nfdump's complaint, not a quiet partial read.
    head -c 1000 "$file" >"$work/truncated"
    if "$tool" dump nfcapd "$work/truncated" >/dev/null 2>"$work/trunc.err"; then fail "a truncated nfcapd file was read without error"; fi
    grep -q "nfdump reported an error" "$work/trunc.err" || { cat "$work/trunc.err"; fail "no nfdump message for a truncated file"; }

    # Through c2hunt: ingest the folder, then read the archive back.
    [ -x "${C2HUNT:-}" ] || fail "c2hunt is not built (C2HUNT=${C2HUNT:-})"
    "$C2HUNT" ingest --format nfcapd --out "$work/archive" "$work/flows"
    inspect_help=$("$C2HUNT" inspect --help 2>&1 || true)
    if grep -q -- '--dump' <<<"$inspect_help"; then
        # inspect --dump prints nfdump csv: start times in whole seconds.
        "$C2HUNT" inspect --dump "$work/archive" >"$work/dump.csv"
        "$tool" dump nfdump-csv "$work/dump.csv" 2>"$work/dump.err" | sort >"$work/archive.txt"
        to_seconds "$work/flows.expect" >"$work/expect_s.txt"
        diff -u "$work/expect_s.txt" "$work/archive.txt" >"$work/diff" || { head -20 "$work/diff"; fail "the archive differs from the flows sent"; }
        echo "archive read back through c2hunt inspect --dump: $n flows as sent"
    else
        rows=$(sed -n 's/^rows *= *//p' "$work/archive/archive.ini")
        [ "$rows" = "$n" ] || fail "the archive has $rows rows, $n flows were sent"
        echo "NOTE: c2hunt inspect has no --dump yet: checked the archive's row count ($rows) and nfdump's view only"
    fi
    echo "live: $n flows (IPv4 over NetFlow v5, IPv6 over v9) through nfcapd, nfdump, the reader and c2hunt"
    ;;

csv)
    capture "$work/flows" 150 50 2
    # nfdump's csv in UTC, printed again by our reader and writer. te is left out: nfdump
    # prints the end's own second, while csv keeps the start in whole seconds only, so the
    # reader's end is start + td and its second may be one less. ra, eng, exid and tr are
    # fields c2hunt does not keep (the writer prints nfdump's zeros for them).
    TZ=UTC nfdump -R "$work/flows" -o csv >"$work/nfdump.csv"
    "$tool" recode nfdump-csv "$work/nfdump.csv" >"$work/ours.csv"
    head -1 "$work/nfdump.csv" >"$work/h1"
    head -1 "$work/ours.csv" >"$work/h2"
    cmp "$work/h1" "$work/h2" || fail "the headers differ"
    grep -v -E '^(Summary|flows,bytes,|[0-9]+(,[0-9]+){5}$)' "$work/nfdump.csv" | cut -d, -f1,3-44 >"$work/a"
    cut -d, -f1,3-44 "$work/ours.csv" >"$work/b"
    [ "$(wc -l <"$work/a")" -eq 201 ] || fail "nfdump printed $(wc -l <"$work/a") lines, expected 201"
    diff -u "$work/a" "$work/b" >"$work/diff" || { head -20 "$work/diff"; fail "our csv differs from nfdump's"; }
    # te may differ by the lost ms of the start only: never later, at most one second earlier.
    paste -d, <(cut -d, -f1,2 "$work/ours.csv") <(grep -v -E '^(Summary|flows,bytes,|[0-9]+(,[0-9]+){5}$)' "$work/nfdump.csv" | cut -d, -f2) |
        tail -n +2 | "$python" -c '
import sys, datetime
p = lambda s: datetime.datetime.strptime(s, "%Y-%m-%d %H:%M:%S")
for line in sys.stdin:
    ts, te_ours, te_nfdump = line.rstrip("\n").split(",")
    d = (p(te_nfdump) - p(te_ours)).total_seconds()
    if d not in (0, 1):
        sys.exit("te %s, nfdump %s" % (te_ours, te_nfdump))
' || fail "te out of bounds"
    # The same flows in local time of Europe/Prague read back to the same UTC times.
    TZ=Europe/Prague nfdump -R "$work/flows" -o csv >"$work/prague.csv"
    "$tool" dump nfdump-csv "$work/nfdump.csv" 2>/dev/null | sort >"$work/utc.txt"
    "$tool" dump nfdump-csv "$work/prague.csv" Europe/Prague 2>/dev/null | sort >"$work/prague.txt"
    cmp -s "$work/utc.txt" "$work/prague.txt" || fail "csv in Europe/Prague time reads differently"
    cmp -s "$work/h1" <(head -1 "$work/prague.csv") || fail "header"
    ! cmp -s "$work/nfdump.csv" "$work/prague.csv" || fail "TZ had no effect on nfdump: the zone test proves nothing"
    # And the flows sent, seconds apart, are what the csv reader gives.
    to_seconds "$work/flows.expect" >"$work/expect_s.txt"
    diff -u "$work/expect_s.txt" "$work/utc.txt" >"$work/diff" || { head -20 "$work/diff"; fail "csv reader differs from the flows sent"; }
    echo "csv: 200 flows, nfdump's csv printed again byte for byte (te aside); Europe/Prague read back to UTC"
    ;;

slips)
    [ -d "${C2H_SHARED:-/nonexistent}" ] || skip "no shared data (C2H_SHARED=${C2H_SHARED:-})"
    file="$C2H_SHARED/data/real/slips-nfcapd-portscan/test1-malicious.nfdump"
    [ -f "$file" ] || skip "missing $file"
    "$tool" dump nfcapd "$file" 2>"$work/err" >"$work/flows.txt"
    cat "$work/err"
    grep -q "rows=4593 bad=0 input_bytes=386216" "$work/err" || fail "expected 4593 rows of 386216 bytes"
    tcp=$(awk -F, '$7 == 6' "$work/flows.txt" | wc -l)
    udp=$(awk -F, '$7 == 17' "$work/flows.txt" | wc -l)
    [ "$tcp" -eq 4576 ] && [ "$udp" -eq 17 ] || fail "expected 4576 TCP and 17 UDP flows, got $tcp and $udp"
    # The file's times: 2018-01-12 15:37:30 to 15:38:03 UTC (nfdump's own summary).
    span=$(awk -F, 'NR == 1 || $1 < lo { lo = $1 } NR == 1 || $1 > hi { hi = $1 } END { printf "%d %d", lo / 1000, hi / 1000 }' "$work/flows.txt")
    [ "$span" = "1515771450 1515771483" ] || fail "times (s) $span, expected 1515771450 1515771483"
    [ -x "${C2HUNT:-}" ] || fail "c2hunt is not built (C2HUNT=${C2HUNT:-})"
    "$C2HUNT" ingest --format nfcapd --out "$work/archive" "$file"
    rows=$(sed -n 's/^rows *= *//p' "$work/archive/archive.ini")
    [ "$rows" = 4593 ] || fail "the archive has $rows rows, not 4593"
    echo "slips: 4593 flows (4576 TCP, 17 UDP) read and ingested"
    ;;

*)
    fail "unknown mode $mode"
    ;;
esac
