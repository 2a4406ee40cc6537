#!/bin/bash
# incidents.sh: `c2hunt run --customers FILE` writes incidents.csv (report/incidents.h):
#   - on a generated scenario with the generator's customers.csv: the file is byte for byte
#     what an independent computation (Python's ipaddress, longest prefix) makes of
#     roles.csv, report.json and the customer map; every victim is in some customer's row;
#   - a hand-made map: a customer with two networks is one row, a /32 inside another
#     customer's network takes its host (longest prefix), a quoted name with a comma and
#     quotes comes out quoted; a header-less map with comments and blank lines reads the same;
#   - no --customers: no incidents.csv;
#   - bad maps (an invalid CIDR on line 3, host bits set, a prefix too long, no name, the same
#     network twice, a missing file): exit 2, the file and line named, no output folder.
set -euo pipefail

: "${C2HUNT:?}" "${C2H_PYTHON:?}"
work=$(mktemp -d "${TMPDIR:-/tmp}/c2h-incidents.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

failures=0
ok() { echo "  ok   $*"; }
fail() {
    echo "  FAIL $*"
    failures=$((failures + 1))
}

expected() { # RUN-DIR CUSTOMERS-CSV: incidents.csv as it should be
    "$C2H_PYTHON" - "$1" "$2" <<'EOF'
import csv, io, ipaddress, json, sys
run, cust = sys.argv[1], sys.argv[2]
def key(ip):
    a = ipaddress.ip_address(ip)
    return int(ipaddress.IPv6Address("::ffff:" + ip)) if a.version == 4 else int(a)
nets = []
with open(cust, newline="") as f:
    for row in csv.reader(line for line in f if line.strip() and not line.lstrip().startswith("#")):
        if row[0].strip().lower() == "cidr":
            continue
        nets.append((ipaddress.ip_network(row[0].strip()), ",".join(row[1:]).strip()))
def customer(ip):
    a = ipaddress.ip_address(ip)
    best = None
    for n, name in nets:
        if a.version == n.version and a in n and (best is None or n.prefixlen > best[0].prefixlen):
            best = (n, name)
    return best[1] if best else None
beacons = {h["ip"]: [c["ip"] for c in h["c2"]] for h in json.load(open(run + "/report.json"))["hosts"]
           if h["role"] == "victim"}
rows = {}
with open(run + "/roles.csv", newline="") as f:
    for r in csv.DictReader(f):
        if r["role"] != "victim":
            continue
        c = customer(r["ip"])
        if c is None:
            continue
        x = rows.setdefault(c, {"hosts": set(), "c2": set(), "first": [], "last": []})
        x["hosts"].add(r["ip"])
        x["c2"].update(beacons[r["ip"]])
        if r["first_seen"]:
            x["first"].append(r["first_seen"])
            x["last"].append(r["last_seen"])
out = io.StringIO()
w = csv.writer(out, lineterminator="\n")
w.writerow(["customer", "infected_hosts", "hosts", "c2", "first_seen", "last_seen"])
for c in sorted(rows, key=lambda s: s.encode()):
    x = rows[c]
    w.writerow([c, len(x["hosts"]), " ".join(sorted(x["hosts"], key=key)), " ".join(sorted(x["c2"], key=key)),
                min(x["first"], default=""), max(x["last"], default="")])
sys.stdout.write(out.getvalue())
EOF
}

"$C2HUNT" gen --preset small --seed 4 --out "$work/g" --quiet
C=$work/g/customers.csv
[[ -s $C ]] && head -1 "$C" | grep -q '^cidr,customer$' && ok "gen wrote customers.csv ($(($(wc -l <"$C") - 1)) networks)" ||
    fail "gen wrote no customers.csv"
"$C2HUNT" run --archive "$work/g" --seeds "$work/g/seeds.txt" --out "$work/r" --quiet --customers "$C"
I=$work/r/incidents.csv
expected "$work/r" "$C" >"$work/want.csv"
if cmp -s "$work/want.csv" "$I"; then ok "incidents.csv agrees with roles.csv, report.json and the map ($(($(wc -l <"$I") - 1)) customers)"; else
    fail "incidents.csv differs from the independent computation:"
    diff "$work/want.csv" "$I" | head -10 | sed 's/^/    | /'
fi
victims=$(grep -c ',victim,' "$work/r/roles.csv" || true)
infected=$(awk -F, 'NR > 1 { s += $2 } END { print s + 0 }' "$I")
rows=$(($(wc -l <"$I") - 1))
if [[ $victims -gt 0 && $infected == "$victims" && $rows -ge 2 ]]; then ok "$infected infected hosts in $rows customers: every victim"; else
    fail "$infected infected hosts in $rows rows, roles.csv has $victims victims"
fi

# A hand-made map: two networks of one customer, a /32 override, a quoted name; comments.
read -r v1 v2 < <(awk -F, '$2 == "victim" { print $1 }' "$work/r/roles.csv" | head -2 | paste -sd' ')
{
    echo "# SOC customer map"
    echo
    tail -n +2 "$C" | sed -n '1p;2p' | sed 's/,customer-.*/,Acme Corp/'
    tail -n +3 "$C" | sed -n '2,$p'
    echo "$v1/32,\"VIP \"\"desk\"\", 3rd floor\""
} >"$work/map.csv"
"$C2HUNT" run --archive "$work/g" --seeds "$work/g/seeds.txt" --out "$work/r2" --quiet --customers "$work/map.csv"
expected "$work/r2" "$work/map.csv" >"$work/want2.csv"
if cmp -s "$work/want2.csv" "$work/r2/incidents.csv"; then ok "hand-made map: two networks one row, /32 wins, quoted name"; else
    fail "hand-made map: incidents.csv differs:"
    diff "$work/want2.csv" "$work/r2/incidents.csv" | head -10 | sed 's/^/    | /'
fi
grep -q '^"VIP ""desk"", 3rd floor",1,'"$v1"',' "$work/r2/incidents.csv" && ok "the /32 customer holds $v1 alone" ||
    fail "no row for the /32 customer with $v1"
[[ $(grep -c '^Acme Corp,' "$work/r2/incidents.csv") == 1 ]] && ok "Acme Corp (two networks) is one row" ||
    fail "Acme Corp is not exactly one row"
[[ -n $v2 ]] || fail "fewer than two victims"

# No --customers, no incidents.csv.
"$C2HUNT" run --archive "$work/g" --seeds "$work/g/seeds.txt" --out "$work/r3" --quiet
[[ ! -e $work/r3/incidents.csv ]] && ok "no --customers: no incidents.csv" || fail "incidents.csv without --customers"

# Bad maps.
mkdir "$work/o"
bad() { # NAME EXPECTED-TEXT FILE-CONTENT
    printf '%b' "$3" >"$work/$1.csv"
    local rc=0
    "$C2HUNT" run --archive "$work/g" --seeds "$work/g/seeds.txt" --out "$work/o/$1" --quiet \
        --customers "$work/$1.csv" >"$work/out" 2>"$work/err" || rc=$?
    local left
    left=$(find "$work/o" -mindepth 1 -maxdepth 1 -printf '%f ')
    if [[ $rc == 2 ]] && grep -qF -- "$2" "$work/err" && [[ -z $left ]]; then ok "$1: exit 2, $(head -1 "$work/err")"; else
        fail "$1: exit $rc (expected 2), wanted '$2' in stderr, left behind: '$left'"
        sed 's/^/    | /' "$work/err" | head -5
    fi
}
bad bad-cidr "bad-cidr.csv:3: '10.0.0.300/24' is not a CIDR network" 'cidr,customer\n10.0.0.0/8,a\n10.0.0.300/24,b\n'
bad host-bits "host-bits.csv:2: '10.1.2.3/16' is not a CIDR network: host bits are set" 'cidr,customer\n10.1.2.3/16,a\n'
bad long-prefix "long-prefix.csv:1: '10.0.0.0/33' is not a CIDR network" '10.0.0.0/33,a\n'
bad v6-prefix "v6-prefix.csv:2:" '# v6\n2001:db8::/129,a\n'
bad no-name "no-name.csv:3: no customer name" 'cidr,customer\n10.0.0.0/8,a\n100.64.0.0/10,  \n'
bad no-comma "no-comma.csv:2: no customer name" 'cidr,customer\n10.0.0.0/8\n'
bad open-quote "open-quote.csv:2: the quoted customer name has no closing quote" 'cidr,customer\n10.0.0.0/8,"Acme\n'
bad duplicate "duplicate.csv:4: the network 10.0.0.0/8 is already on line 2" 'cidr,customer\n10.0.0.0/8,a\n100.64.0.0/10,b\n10.0.0.0/8,c\n'
rc=0
"$C2HUNT" run --archive "$work/g" --seeds "$work/g/seeds.txt" --out "$work/o/missing" --quiet \
    --customers "$work/nonexistent.csv" >"$work/out" 2>"$work/err" || rc=$?
[[ $rc == 2 ]] && grep -qF "nonexistent.csv" "$work/err" && [[ ! -e $work/o/missing ]] &&
    ok "a missing map: exit 2, $(head -1 "$work/err")" || fail "a missing map: exit $rc"

if ((failures)); then
    echo "FAIL: $failures check(s) failed"
    exit 1
fi
echo "PASS: incidents.csv per customer agrees with the run; bad customer maps refused"
