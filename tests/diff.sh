#!/bin/bash
# diff.sh: `c2hunt diff OLD NEW` between runs of one scenario at two --until cut-offs and the
# whole span (mpi/cmd_diff.c):
#   - --csv is byte for byte what an independent computation makes of the two roles.csv
#     (appeared, changed role, gone; sorted by change, then numeric address);
#   - the text form has the same changes in the same order and a summary whose counts agree;
#     the later cut-off shows hosts that appeared (the infection grows);
#   - a run against itself: no change; a folder and its roles.csv give the same output;
#     swapping OLD and NEW swaps appeared and gone;
#   - bad input: an unknown role, a bad address, a bad score, a wrong header, a duplicate host,
#     a folder without roles.csv: exit 2 with the file and line; wrong arguments: exit 1.
set -euo pipefail

: "${C2HUNT:?}" "${C2H_PYTHON:?}"
work=$(mktemp -d "${TMPDIR:-/tmp}/c2h-diff.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

failures=0
ok() { echo "  ok   $*"; }
fail() {
    echo "  FAIL $*"
    failures=$((failures + 1))
}

expected_csv() { # OLD-ROLES NEW-ROLES
    "$C2H_PYTHON" - "$1" "$2" <<'EOF'
import csv, ipaddress, sys
def load(p):
    with open(p, newline="") as f:
        return {r["ip"]: (r["role"], r["score"]) for r in csv.DictReader(f)}
def key(ip):
    a = ipaddress.ip_address(ip)
    return int(ipaddress.IPv6Address("::ffff:" + ip)) if a.version == 4 else int(a)
old, new = load(sys.argv[1]), load(sys.argv[2])
rows = []
for ip in set(old) | set(new):
    if ip not in old:
        rows.append((0, key(ip), ip, "appeared", "", new[ip][0], "", new[ip][1]))
    elif ip not in new:
        rows.append((2, key(ip), ip, "gone", old[ip][0], "", old[ip][1], ""))
    elif old[ip][0] != new[ip][0]:
        rows.append((1, key(ip), ip, "changed", old[ip][0], new[ip][0], old[ip][1], new[ip][1]))
print("ip,change,old_role,new_role,old_score,new_score")
for r in sorted(rows):
    print(",".join(r[2:]))
EOF
}

"$C2HUNT" gen --preset small --seed 6 --out "$work/g" --quiet
runat() { "$C2HUNT" run --archive "$work/g" --seeds "$work/g/seeds.txt" --out "$work/$1" --quiet ${2:+--until "$2"}; }
runat early 2026-01-05T18:00:00Z
runat late 2026-01-06T18:00:00Z
runat all

for pair in "early late" "late all"; do
    read -r a b <<<"$pair"
    rc=0
    "$C2HUNT" diff --csv "$work/$a" "$work/$b" >"$work/got.csv" 2>"$work/err" || rc=$?
    expected_csv "$work/$a/roles.csv" "$work/$b/roles.csv" >"$work/want.csv"
    if [[ $rc == 0 ]] && cmp -s "$work/want.csv" "$work/got.csv"; then
        ok "diff --csv $a $b: $(($(wc -l <"$work/got.csv") - 1)) changes, as computed independently"
    else
        fail "diff --csv $a $b: exit $rc, or it differs from the independent computation:"
        diff "$work/want.csv" "$work/got.csv" | head -8 | sed 's/^/    | /'
        sed 's/^/    | /' "$work/err" | head -3
    fi
    rc=0
    "$C2HUNT" diff "$work/$a" "$work/$b" >"$work/got.txt" 2>"$work/err" || rc=$?
    # The text form: the same changes in the same order, and a summary that counts them.
    if [[ $rc == 0 ]] && "$C2H_PYTHON" - "$work/got.txt" "$work/got.csv" "$work/$a/roles.csv" "$work/$b/roles.csv" <<'EOF'; then
import csv, sys
lines = open(sys.argv[1]).read().splitlines()
rows = list(csv.DictReader(open(sys.argv[2])))
n_old = sum(1 for _ in open(sys.argv[3])) - 1
n_new = sum(1 for _ in open(sys.argv[4])) - 1
body, summary = lines[:-1], lines[-1]
assert len(body) == len(rows), (len(body), len(rows))
for line, r in zip(body, rows):
    f = line.split()
    assert f[0] == r["change"] and f[1] == r["ip"], (line, r)
    if r["change"] == "changed":
        assert f[2:] == [r["old_role"], r["old_score"], "->", r["new_role"], r["new_score"]], line
    elif r["change"] == "appeared":
        assert f[2:] == [r["new_role"], r["new_score"]], line
    else:
        assert f[2:] == [r["old_role"], r["old_score"]], line
c = {k: sum(1 for r in rows if r["change"] == k) for k in ("appeared", "changed", "gone")}
common = n_old - c["gone"]
want = (f"summary: {c['appeared']} appeared, {c['changed']} changed role, {c['gone']} gone, "
        f"{common - c['changed']} unchanged; old {n_old} hosts, new {n_new} hosts")
assert summary == want, (summary, want)
EOF
        ok "diff $a $b (text): $(tail -1 "$work/got.txt")"
    else
        fail "diff $a $b (text): exit $rc or it disagrees with --csv"
        head -5 "$work/got.txt" | sed 's/^/    | /'
    fi
done
appeared=$("$C2HUNT" diff --csv "$work/early" "$work/late" | grep -c ',appeared,' || true)
[[ $appeared -gt 0 ]] && ok "from the early to the late cut-off $appeared hosts appeared" ||
    fail "nothing appeared between the cut-offs: the test data shows no change"

# Against itself, folder against file, swapped.
out=$("$C2HUNT" diff "$work/late" "$work/late/roles.csv")
n=$(($(wc -l <"$work/late/roles.csv") - 1))
[[ $out == "summary: 0 appeared, 0 changed role, 0 gone, $n unchanged; old $n hosts, new $n hosts" ]] &&
    ok "a run against itself: $out" || fail "a run against itself: '$out'"
cmp -s <("$C2HUNT" diff "$work/early" "$work/late") <("$C2HUNT" diff "$work/early/roles.csv" "$work/late/roles.csv") &&
    ok "folders and roles.csv files give the same output" || fail "folder and file arguments differ"
fwd_app=$("$C2HUNT" diff --csv "$work/early" "$work/late" | grep -c ',appeared,' || true)
rev_gone=$("$C2HUNT" diff --csv "$work/late" "$work/early" | grep -c ',gone,' || true)
[[ $fwd_app == "$rev_gone" ]] && ok "swapped: $rev_gone gone = $fwd_app appeared" ||
    fail "swapped: $rev_gone gone, but $fwd_app appeared forwards"

# Bad input.
bad() { # NAME EXPECTED-TEXT SED-SCRIPT (applied to late/roles.csv)
    sed "$3" "$work/late/roles.csv" >"$work/$1.csv"
    local rc=0
    "$C2HUNT" diff "$work/early" "$work/$1.csv" >"$work/out" 2>"$work/err" || rc=$?
    if [[ $rc == 2 ]] && grep -qF -- "$2" "$work/err" && [[ ! -s $work/out ]]; then ok "$1: exit 2, $(head -1 "$work/err")"; else
        fail "$1: exit $rc (expected 2 and '$2', no output)"
        sed 's/^/    | /' "$work/err" | head -3
    fi
}
bad unknown-role "unknown-role.csv:3: unknown role 'botmaster'" '3s/,[a-z_0-9]*,/,botmaster,/'
bad bad-address "bad-address.csv:2: '10.0.0.300' is not an IPv4 or IPv6 address" '2s/^[^,]*,/10.0.0.300,/'
bad bad-score "bad-score.csv:4: score 'high' is not a number from 0 to 1" '4s/^\([^,]*,[^,]*\),[^,]*,/\1,high,/'
bad score-range "score-range.csv:2: score '1.5' is not a number" '2s/^\([^,]*,[^,]*\),[^,]*,/\1,1.5,/'
bad short-row "short-row.csv:5: 2 fields" '5s/^\([^,]*,[^,]*\),.*/\1/'
bad header "header.csv:1: not a roles.csv" '1s/.*/address,kind,score/'
bad duplicate "duplicate.csv:" '3p'
: >"$work/empty.csv"
rc=0
"$C2HUNT" diff "$work/empty.csv" "$work/late" >"$work/out" 2>"$work/err" || rc=$?
[[ $rc == 2 ]] && grep -qF "empty.csv:1:" "$work/err" && ok "an empty file: exit 2, $(head -1 "$work/err")" ||
    fail "an empty file: exit $rc"
mkdir "$work/not-a-run"
rc=0
"$C2HUNT" diff "$work/early" "$work/not-a-run" >"$work/out" 2>"$work/err" || rc=$?
[[ $rc == 2 ]] && grep -qF "not-a-run/roles.csv" "$work/err" && ok "a folder without roles.csv: exit 2, $(head -1 "$work/err")" ||
    fail "a folder without roles.csv: exit $rc"
rc=0
"$C2HUNT" diff "$work/early" >"$work/out" 2>"$work/err" || rc=$?
[[ $rc == 1 ]] && ok "one argument: exit 1" || fail "one argument: exit $rc, expected 1"

if ((failures)); then
    echo "FAIL: $failures check(s) failed"
    exit 1
fi
echo "PASS: c2hunt diff between --until cut-offs agrees with the roles; bad input refused"
