#!/bin/bash
# run_outputs.sh: what `c2hunt run` writes, checked against docs/ALGORITHM.md, README.md and
# mpi/cmd_run.c, on a generated archive (small preset, seed 3: every role present) under
# mpirun -np 2 and on a hand-made archive (nfdump CSV written here, ingested):
#   roles.csv    header ip,role,score,first_seen,last_seen then more columns; rows sorted by
#                role name, then address in the byte order of its 16-byte form (IPv4 as
#                ::ffff:a.b.c.d); ISO 8601 UTC times, first <= last, inside the archive's span;
#                scores in 0..1; one row per host
#   report.json  parses; hosts are the rows of roles.csv; summary counts them; the evidence of
#                each role (victim: its C2 over time; c2: victims, ports, first/last seen,
#                controllers; controller: its C2 with first contact; c2_predicted: controllers
#                with first touch; scanner: fan-out and C2 share; backend: its C2) agrees with
#                roles.csv and with the evidence of the other hosts
#   metrics.json per phase and rank: wall_s, flows_read, bytes_read, edges, bytes_exchanged, spilled_bytes,
#                peak_rss; pass 1's flows_read sums to the archive's rows
#   --until T    no flow at or after T counts (beacons that straddle T, one flow exactly at T);
#                at the archive's start only the seeds are labeled. --since T keeps a flow at T.
#   stderr       progress lines without --quiet, nothing with --quiet (and the same roles.csv)
set -euo pipefail

: "${C2HUNT:?}" "${C2H_PYTHON:?}"
work=$(mktemp -d "${TMPDIR:-/tmp}/c2h-run-outputs.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
if command -v mpirun >/dev/null; then
    np=2
    job=(timeout 120 mpirun --oversubscribe -np 2 "$C2HUNT")
else
    echo "(no mpirun: the job runs as one process)"
    np=1
    job=("$C2HUNT")
fi
failures=0
ok() { echo "  ok   $*"; }
fail() {
    echo "  FAIL $*"
    failures=$((failures + 1))
}
# job_run NAME ARGS...: the job (under mpirun -np 2) with stderr in $work/NAME.err; exit in $rc.
job_run() {
    local name=$1
    shift
    rc=0
    "${job[@]}" run "$@" >"$work/$name.out" 2>"$work/$name.err" || rc=$?
    if [[ $rc != 0 ]]; then
        fail "$name: exit $rc"
        sed 's/^/    | /' "$work/$name.err" | head -20
    fi
}

echo "== a generated archive (small, seed 3), the job with progress and with --quiet ($np ranks)"
"$C2HUNT" gen --preset small --seed 3 --out "$work/g" --quiet
job_run loud --archive "$work/g" --seeds "$work/g/seeds.txt" --out "$work/r"
job_run quiet --archive "$work/g" --seeds "$work/g/seeds.txt" --out "$work/rq" --quiet
for want in "c2hunt run: 72 of 72 shards in the window, $np ranks" "c2hunt run: pass 1/4 " "c2hunt run: round 1: " \
    "c2hunt run: pass 2/4 " "c2hunt run: pass 3/4 " "% of rank 0's shards" " rounds; " "-> $work/r ("; do
    if grep -qF -- "$want" "$work/loud.err"; then ok "without --quiet, stderr has '$want'"; else
        fail "without --quiet, no '$want' on stderr"
        sed 's/^/    | /' "$work/loud.err" | head -20
    fi
done
if [[ ! -s $work/quiet.err && ! -s $work/quiet.out ]]; then ok "with --quiet, nothing on stderr or stdout"; else
    fail "with --quiet, output:"
    sed 's/^/    | /' "$work/quiet.err" "$work/quiet.out" | head -10
fi
if cmp -s "$work/r/roles.csv" "$work/rq/roles.csv"; then ok "roles.csv the same with and without --quiet"; else
    fail "roles.csv differs with --quiet"
fi
for f in roles.csv report.json metrics.json profile.ini; do
    if [[ -s $work/r/$f ]]; then ok "$f written"; else fail "no $f"; fi
done

echo "== roles.csv, report.json and metrics.json of the generated archive"
rc=0
"$C2H_PYTHON" - "$work/r" "$work/g" "$np" <<'EOF' || rc=$?
import configparser, csv, ipaddress, json, re, sys
out, arch, nranks = sys.argv[1], sys.argv[2], int(sys.argv[3])
bad = 0

def check(cond, what):
    global bad
    print("  %s %s" % ("ok  " if cond else "FAIL", what))
    bad += not cond
    return cond

def key16(ip):
    a = ipaddress.ip_address(ip)
    return a.packed if a.version == 6 else ipaddress.IPv6Address("::ffff:" + ip).packed

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
ini = configparser.ConfigParser()
ini.read(arch + "/archive.ini")
t_min, t_max, rows_total = ini["archive"]["t_min"], ini["archive"]["t_max"], int(ini["archive"]["rows"])
prof = configparser.ConfigParser()
prof.read(out + "/profile.ini")
spec = float(prof["profile"]["controller_min_specificity"])
c2_ports = {p for p in prof["profile"]["c2_ports"].split(";") if p}
operator_ports = c2_ports | {p for p in prof["profile"]["admin_ports"].split(";") if p}

# ---- roles.csv
with open(out + "/roles.csv", newline="") as f:
    lines = f.read().split("\n")
header = lines[0].split(",")
check(header[:5] == ["ip", "role", "score", "first_seen", "last_seen"] and len(header) > 5,
      "header starts ip,role,score,first_seen,last_seen and has more columns: %s" % lines[0])
rows = list(csv.DictReader(open(out + "/roles.csv", newline="")))
check(all(len(r) == len(header) and None not in r for r in rows), "every row has %d fields" % len(header))
ROLES = {"victim", "c2", "c2_predicted", "controller", "backend", "scanner"}
check(all(r["role"] in ROLES for r in rows), "every role is one of %s" % " ".join(sorted(ROLES)))
keys = [(r["role"], key16(r["ip"])) for r in rows]
order = [r["role"] for r in rows]
first_unsorted = next((i for i in range(1, len(keys)) if keys[i - 1] >= keys[i]), None)
check(first_unsorted is None, "rows strictly sorted by role name, then the 16-byte address (%d rows)%s" % (
    len(rows), "" if first_unsorted is None else ": rows %d and %d are not: %s %s / %s %s" % (
        first_unsorted + 1, first_unsorted + 2, rows[first_unsorted - 1]["role"], rows[first_unsorted - 1]["ip"],
        rows[first_unsorted]["role"], rows[first_unsorted]["ip"])))
seen_roles = [r for i, r in enumerate(order) if i == 0 or order[i - 1] != r]
check(seen_roles == sorted(set(order)) == sorted(ROLES), "role blocks in order, every role present: %s" % " ".join(seen_roles))
check(len({r["ip"] for r in rows}) == len(rows), "one row per host")
by_ip = {r["ip"]: r for r in rows}
with open(arch + "/seeds.txt") as f:
    seeds = {l.split("#")[0].strip() for l in f} - {""}
times_ok, span_ok, order_ok, missing = True, True, True, []
for r in rows:
    for k in ("first_seen", "last_seen"):
        if r[k] and not ISO.match(r[k]):
            times_ok = False
    if not r["first_seen"] or not r["last_seen"]:
        missing.append(r["ip"])
        continue
    if not (t_min <= r["first_seen"] <= r["last_seen"] <= t_max):
        span_ok = False
        print("    %s %s %s..%s" % (r["ip"], r["role"], r["first_seen"], r["last_seen"]))
check(times_ok, "every time is ISO 8601 UTC (YYYY-MM-DDTHH:MM:SSZ)")
check(span_ok, "first_seen <= last_seen, both within the archive's %s..%s" % (t_min, t_max))
check(not missing, "every host has first_seen and last_seen (all seeds have traffic here) %s" % " ".join(missing))
check(all(0.0 <= float(r["score"]) <= 1.0 for r in rows), "every score in 0..1")
check(all(by_ip.get(s, {}).get("role") == "c2" and float(by_ip[s]["score"]) == 1.0 for s in seeds),
      "every seed is a c2 row with score 1")

# ---- report.json
rep = json.load(open(out + "/report.json"))
check(True, "report.json parses as JSON")
for k in ("archive", "seeds", "profile", "since", "until", "ranks", "summary", "hosts"):
    check(k in rep, "report.json has \"%s\"" % k)
check(rep["ranks"] == nranks and rep["archive"] == arch and rep["since"] == "" and rep["until"] == "",
      "ranks %d, the archive, no since/until" % nranks)
counts = {role: order.count(role) for role in ROLES}
check(rep["summary"] == counts, "summary %s counts roles.csv" % rep["summary"])
hosts = rep["hosts"]
check([(h["ip"], h["role"], "%.4f" % h["score"], h["first_seen"], h["last_seen"]) for h in hosts] ==
      [(r["ip"], r["role"], r["score"], r["first_seen"], r["last_seen"]) for r in rows],
      "hosts are the rows of roles.csv, in order, with the same score and times")
H = {h["ip"]: h for h in hosts}
role_of = lambda ip: by_ip.get(ip, {}).get("role")

def edges_ok(lst):
    return isinstance(lst, list) and all(ISO.match(e["first"]) and ISO.match(e["last"]) and e["first"] <= e["last"]
                                         and e["flows"] > 0 for e in lst)

problems = {role: [] for role in ROLES}
def problem(h, msg):
    problems[h["role"]].append("%s: %s" % (h["ip"], msg))

victims_of = {}  # c2 -> victim edges into it
for h in hosts:
    r = by_ip[h["ip"]]
    if h["role"] == "victim":
        c = h["c2"]
        if not edges_ok(c) or not c:
            problem(h, "bad c2 list"); continue
        if h["c2_count"] != len(c) or str(h["c2_count"]) != r["count_a"]:
            problem(h, "c2_count %s, %d listed, count_a %s" % (h["c2_count"], len(c), r["count_a"]))
        if h["beacon_flows"] != sum(e["flows"] for e in c) or str(h["beacon_flows"]) != r["count_b"]:
            problem(h, "beacon_flows %s, listed flows sum %d" % (h["beacon_flows"], sum(e["flows"] for e in c)))
        if any(role_of(e["ip"]) != "c2" for e in c):
            problem(h, "lists a host that is not c2")
        if h["first_seen"] != min(e["first"] for e in c) or h["last_seen"] != max(e["last"] for e in c):
            problem(h, "first/last_seen not the span of its C2 contacts")
        if [e["ip"] for e in c] != sorted((e["ip"] for e in c), key=key16):
            problem(h, "c2 list not sorted by address")
        for e in c:
            victims_of.setdefault(e["ip"], []).append(e)
    elif h["role"] == "c2":
        if str(h["victims"]) != r["count_a"] or str(h["beaconing_clients"]) != r["count_b"] or h["ports"] != r["ports"]:
            problem(h, "victims/beaconing_clients/ports differ from roles.csv")
        if h["victims"] > h["beaconing_clients"]:
            problem(h, "more victims than beaconing clients")
        if not edges_ok(h["controllers"]) or any(role_of(e["ip"]) != "controller" for e in h["controllers"]):
            problem(h, "controllers list has a host that is not a controller")
    elif h["role"] == "controller":
        c = h["c2"]
        if not edges_ok(c) or any(role_of(e["ip"]) != "c2" for e in c):
            problem(h, "c2 list has a host that is not c2")
        if str(h["c2_touched"]) != r["count_a"] or str(h["c2_set"]) != r["count_b"] or "%.0f" % h["fanout"] != r["fanout"]:
            problem(h, "c2_touched/c2_set/fanout differ from roles.csv")
        if h["c2_set"] != counts["c2"]:
            problem(h, "c2_set %d but %d c2 rows" % (h["c2_set"], counts["c2"]))
        if len(c) < h["c2_touched"]:
            problem(h, "c2_touched %d but %d C2 listed" % (h["c2_touched"], len(c)))
        if h["fanout"] <= 0 or h["c2_touched"] / h["fanout"] < spec:
            problem(h, "C2 share of its fan-out %d/%s below the specificity %g" % (h["c2_touched"], h["fanout"], spec))
        if h["first_seen"] != min(e["first"] for e in c) or h["last_seen"] != max(e["last"] for e in c):
            problem(h, "first/last_seen not the span of its C2 contacts")
        for e in c:  # the C2 it lists list it, with the same first contact
            back = [x for x in H[e["ip"]]["controllers"] if x["ip"] == h["ip"]]
            if back != [dict(e, ip=h["ip"])]:
                problem(h, "C2 %s does not list it back with the same contact" % e["ip"])
    elif h["role"] == "c2_predicted":
        c = h["controllers"]
        if not edges_ok(c) or any(role_of(e["ip"]) != "controller" for e in c):
            problem(h, "controllers list has a host that is not a controller")
        op = [e for e in c if set(e["ports"].split()) & operator_ports]
        if h["controllers_touching"] != len(op) or str(h["controllers_touching"]) != r["count_a"]:
            problem(h, "controllers_touching %s, %d touch on C2/admin ports" % (h["controllers_touching"], len(op)))
        if op and (h["first_seen"] != min(e["first"] for e in op) or h["last_seen"] != max(e["last"] for e in op)):
            problem(h, "first_seen/last_seen not the first/last touch of its controllers")
        if int(r["count_b"]) != counts["controller"]:
            problem(h, "count_b %s but %d controllers" % (r["count_b"], counts["controller"]))
    elif h["role"] == "scanner":
        if str(h["c2_touched"]) != r["count_a"] or str(h["c2_set"]) != r["count_b"] or "%.0f" % h["fanout"] != r["fanout"]:
            problem(h, "c2_touched/c2_set/fanout differ from roles.csv")
        if h["fanout"] <= 0 or abs(h["c2_share_of_fanout"] - h["c2_touched"] / h["fanout"]) > 1e-6:
            problem(h, "c2_share_of_fanout is not c2_touched / fanout")
        if h["c2_share_of_fanout"] >= spec:
            problem(h, "c2_share_of_fanout %g reaches the specificity %g" % (h["c2_share_of_fanout"], spec))
    elif h["role"] == "backend":
        c = h["c2"]
        if not edges_ok(c) or any(role_of(e["ip"]) != "c2" for e in c) or len(c) < h["c2_connecting"]:
            problem(h, "c2 list: a host that is not c2, or fewer than c2_connecting")
        if str(h["c2_connecting"]) != r["count_a"] or str(h["other_clients"]) != r["count_b"]:
            problem(h, "c2_connecting/other_clients differ from roles.csv")
# A C2's victims and first/last seen are those of the victims' beacons into it.
for h in hosts:
    if h["role"] != "c2":
        continue
    v = victims_of.get(h["ip"], [])
    if len(v) != h["victims"]:
        problem(h, "victims %d, but %d victims list it" % (h["victims"], len(v)))
    if v and (h["first_seen"] != min(e["first"] for e in v) or h["last_seen"] != max(e["last"] for e in v)):
        problem(h, "first/last_seen %s..%s, its victims' beacons %s..%s" % (
            h["first_seen"], h["last_seen"], min(e["first"] for e in v), max(e["last"] for e in v)))
what = {"victim": "c2_count, beacon_flows, its C2 over time (all c2 rows), span = first_seen..last_seen",
        "c2": "victims = victims listing it, beaconing_clients, ports, first/last seen = its victims' beacons, controllers",
        "controller": "c2_touched, c2_set = c2 rows, fanout, specificity, its C2 with first contact (listed back)",
        "c2_predicted": "controllers (all controller rows), controllers_touching, first touch = first_seen",
        "scanner": "c2_touched, c2_set, fanout, c2_share_of_fanout below the specificity",
        "backend": "c2_connecting, other_clients, its C2"}
for role in sorted(ROLES):
    n = counts[role]
    check(not problems[role], "report.json evidence of %d %s: %s" % (n, role, what[role]))
    for p in problems[role][:5]:
        print("      " + p)

# ---- metrics.json
met = json.load(open(out + "/metrics.json"))
check(met["ranks"] == nranks and met["wall_s"] > 0, "metrics.json: ranks %d, wall_s %s" % (met["ranks"], met["wall_s"]))
n_shards = sum(1 for _ in open(arch + "/index.tsv")) - 1
check(met["shards_in_window"] == n_shards, "shards_in_window %d = shards in index.tsv" % met["shards_in_window"])
phases = {p["phase"]: p["per_rank"] for p in met["phases"]}
want = ["c2_port_subgraph", "victims_and_c2_rounds", "touching_c2", "controllers", "fanin"]
check(list(phases) == want, "phases %s" % " ".join(phases))
fields = ["rank", "wall_s", "cpu_s", "flows_read", "bytes_read", "edges", "bytes_exchanged", "spilled_bytes", "peak_rss",
          "exchange_s", "spill_s"]
check(all([m["rank"] for m in pr] == list(range(nranks)) and all(sorted(m) == sorted(fields) for m in pr)
          for pr in phases.values()), "every phase has one entry per rank with %s" % ", ".join(fields))
allm = [m for pr in phases.values() for m in pr]
check(all(m["wall_s"] >= 0 and m["peak_rss"] > 0 for m in allm), "wall_s >= 0 and peak_rss > 0 everywhere")
check(all(0 <= m["exchange_s"] <= m["wall_s"] + 0.002 and 0 <= m["spill_s"] <= m["wall_s"] + 0.002 for m in allm),
      "exchange_s and spill_s within each phase's wall_s")
check(met.get("peak_rss_max", 0) >= max(m["peak_rss"] for m in allm),
      "peak_rss_max %s >= every phase's peak_rss" % met.get("peak_rss_max"))
check(met.get("edge_budget", 0) >= 1024 and met.get("skipped_shards") == [],
      "edge_budget %s, skipped_shards %s" % (met.get("edge_budget"), met.get("skipped_shards")))
# Pass 3 scans only when pass 2 did not gather every toucher's flows ahead of it (the small
# preset's touchers all touch a seed: it did).
ahead = met.get("touchers_from_pass_2")
check(ahead is True, "touchers_from_pass_2: %s" % ahead)
check(all(m["flows_read"] == 0 and m["bytes_read"] == 0 for m in phases.get("controllers", [])),
      "controllers: reads nothing when pass 2 gathered the touchers' flows")
for ph in ("c2_port_subgraph", "touching_c2"):
    pr = phases.get(ph, [])
    s = sum(m["flows_read"] for m in pr)
    check(s == rows_total, "%s: flows_read sums to the archive's %d rows (%s)" % (ph, rows_total,
                                                                              " + ".join(str(m["flows_read"]) for m in pr)))
    check(all(m["bytes_read"] > 0 and m["flows_read"] > 0 and m["wall_s"] > 0 for m in pr),
          "%s: every rank read flows and bytes, wall_s > 0" % ph)
    check(sum(m["edges"] for m in pr) > 0, "%s: edges %s" % (ph, " + ".join(str(m["edges"]) for m in pr)))
    if nranks > 1:
        check(sum(m["bytes_exchanged"] for m in pr) > 0, "%s: bytes_exchanged %s" % (
            ph, " + ".join(str(m["bytes_exchanged"]) for m in pr)))
check(all(m["flows_read"] == 0 and m["bytes_read"] == 0 for m in phases.get("victims_and_c2_rounds", [])),
      "victims_and_c2_rounds reads nothing")
# Pass 4 reads the archive only when there are c2_predicted or backend candidates; it does here.
pr = phases.get("fanin", [])
n_cand = counts["c2_predicted"] + counts["backend"]
check(n_cand > 0 and sum(m["flows_read"] for m in pr) == rows_total,
      "fanin: reads the archive once when there are candidates (%d c2_predicted, %d backends)" % (
          counts["c2_predicted"], counts["backend"]))
sys.exit(1 if bad else 0)
EOF
if [[ $rc != 0 ]]; then failures=$((failures + 1)); fi

echo "== --until at the archive's start: only the seeds"
t0=$(sed -n 's/^t_min=\(....-..-..\)T.*/\1T00:00:00Z/p' "$work/g/archive.ini")
job_run until0 --archive "$work/g" --seeds "$work/g/seeds.txt" --out "$work/u0" --quiet --until "$t0"
if [[ -f $work/u0/roles.csv ]]; then
    want=$({
        echo "ip,role"
        grep -v '^#' "$work/g/seeds.txt" | sed 's/$/,c2/'
    } | sort)
    got=$(cut -d, -f1,2 "$work/u0/roles.csv" | sort)
    if [[ $got == "$want" ]]; then ok "--until $t0: roles.csv holds the $(($(wc -l <<<"$want") - 1)) seeds as c2, nothing else"; else
        fail "--until $t0: roles.csv is not just the seeds:"
        sed 's/^/    | /' "$work/u0/roles.csv" | head
    fi
    if grep -q '"flows_read": [1-9]' "$work/u0/metrics.json"; then fail "--until $t0: flows read"; else
        ok "--until $t0: no flow read"
    fi
fi

echo "== pass 3 scans when pass 2 did not gather the touchers' flows: the same labels"
# likely_touchers=0: pass 2 gathers none; =1: only one, fewer than the touchers. Either way
# pass 3 reads the archive and roles.csv and report.json stay byte-identical.
for k in 0 1; do
    sed "s/^likely_touchers=.*/likely_touchers=$k/" "$work/r/profile.ini" >"$work/likely$k.ini"
    job_run likely$k --archive "$work/g" --seeds "$work/g/seeds.txt" --out "$work/l$k" --quiet --profile "$work/likely$k.ini"
    if cmp -s "$work/r/roles.csv" "$work/l$k/roles.csv" && cmp -s "$work/r/report.json" "$work/l$k/report.json"; then
        ok "likely_touchers=$k: roles.csv and report.json identical to the run that skipped pass 3's scan"
    else
        fail "likely_touchers=$k: outputs differ"
        diff "$work/r/roles.csv" "$work/l$k/roles.csv" | head -10 | sed 's/^/    | /'
    fi
    if "$C2H_PYTHON" -c 'import json, sys
m = json.load(open(sys.argv[1])); rows = int(sys.argv[2])
ph = {p["phase"]: p["per_rank"] for p in m["phases"]}
sys.exit(0 if m["touchers_from_pass_2"] is False and sum(r["flows_read"] for r in ph["controllers"]) == rows else 1)' \
        "$work/l$k/metrics.json" "$(awk -F= '/^rows=/{print $2}' "$work/g/archive.ini")"; then
        ok "likely_touchers=$k: pass 3 read the whole archive (touchers_from_pass_2 false)"
    else
        fail "likely_touchers=$k: pass 3 did not scan, or touchers_from_pass_2 is not false"
    fi
done
if grep -q "^likely_touchers=64$" "$work/r/profile.ini"; then ok "profile.ini: likely_touchers=64 (the default)"; else
    fail "profile.ini has no likely_touchers=64"
fi

echo "== a hand-made archive: beacons straddling T = 2026-02-01T06:00:00Z, one exactly at T"
# Seeds A (45.1.1.1, port 447) and A6 (2001:db8::c2, 449). Every 30 min:
#   V1 10.0.0.1   -> A  01:00:00 .. 11:30:00 (one beacon exactly at 06:00:00)
#   V2 10.0.0.2   -> A  01:15 .. 05:45, then -> B (45.2.2.2, 449) 06:15 .. 11:45
#   V3 9.0.0.3    -> A  01:20 .. 05:50, then -> B 06:20 .. 11:50
#   V4 10.0.0.4   -> A  06:00:00 .. 11:30 (starts at T)
#   V6a, V6b 2001:db8:1::1, ::2 -> A6 02:00 .. 09:30
# plus DNS and web noise. Before T, B has no victim and V4 no beacon.
"$C2H_PYTHON" - "$work/tiny.csv" <<'EOF'
import datetime as dt, sys
header = ("ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,nhb,svln,dvln,"
          "ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,mpls10,cl,sl,al,ra,eng,exid,tr")
tail = (",0,0,0,0,0,0,0,0,0.0.0.0,0.0.0.0,0,0,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,"
        "00:00:00:00:00:00,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,    0.000,    0.000,    0.000,"
        "0.0.0.0,0/0,0,1970-01-01 00:00:00.000")
day = dt.datetime(2026, 2, 1)
rows = []
def flow(t, sa, da, dp, pr="TCP", flg="...AP.SF", pkts=8, byts=900):
    ts = t.strftime("%Y-%m-%d %H:%M:%S")
    rows.append((t, sa, "%s,%s,0.000,%s,%s,%d,%d,%s,%s,0,0,%d,%d,0,0%s" % (ts, ts, sa, da, 40000 + len(rows) % 20000, dp, pr,
                                                                        flg, pkts, byts, tail)))
def every30(sa, da, dp, h0, m0, h1, m1):
    t, end = day + dt.timedelta(hours=h0, minutes=m0), day + dt.timedelta(hours=h1, minutes=m1)
    while t <= end:
        flow(t, sa, da, dp)
        t += dt.timedelta(minutes=30)
every30("10.0.0.1", "45.1.1.1", 447, 1, 0, 11, 30)
every30("10.0.0.2", "45.1.1.1", 447, 1, 15, 5, 45)
every30("10.0.0.2", "45.2.2.2", 449, 6, 15, 11, 45)
every30("9.0.0.3", "45.1.1.1", 447, 1, 20, 5, 50)
every30("9.0.0.3", "45.2.2.2", 449, 6, 20, 11, 50)
every30("10.0.0.4", "45.1.1.1", 447, 6, 0, 11, 30)
every30("2001:db8:1::1", "2001:db8::c2", 449, 2, 0, 9, 30)
every30("2001:db8:1::2", "2001:db8::c2", 449, 2, 5, 9, 35)
for h in range(12):
    for i, c in enumerate(("10.0.0.1", "10.0.0.2", "9.0.0.3", "10.0.0.9")):
        flow(day + dt.timedelta(hours=h, minutes=7 + i), c, "8.8.8.8", 53, "UDP", "........", 1, 70)
        flow(day + dt.timedelta(hours=h, minutes=9 + i), c, "93.184.216.34", 443)
rows.sort(key=lambda r: r[0])
with open(sys.argv[1], "w") as f:
    f.write(header + "\n" + "".join(r[2] + "\n" for r in rows))
print("  wrote %d flows" % len(rows))
EOF
"$C2HUNT" ingest --format nfdump-csv --quiet --out "$work/tiny" "$work/tiny.csv"
printf '# hand-made seeds\n45.1.1.1\n2001:db8::c2\n' >"$work/tiny-seeds.txt"
T=2026-02-01T06:00:00Z
job_run tiny-until --archive "$work/tiny" --seeds "$work/tiny-seeds.txt" --out "$work/t-until" --quiet --until "$T"
job_run tiny-all --archive "$work/tiny" --seeds "$work/tiny-seeds.txt" --out "$work/t-all" --quiet
job_run tiny-since --archive "$work/tiny" --seeds "$work/tiny-seeds.txt" --out "$work/t-since" --quiet --since "$T"
rc=0
"$C2H_PYTHON" - "$work" "$T" <<'EOF' || rc=$?
import csv, json, sys
work, T = sys.argv[1], sys.argv[2]
bad = 0
def check(cond, what):
    global bad
    print("  %s %s" % ("ok  " if cond else "FAIL", what))
    bad += not cond
def load(name):
    with open("%s/%s/roles.csv" % (work, name), newline="") as f:
        return list(csv.DictReader(f))
def table(rows):
    return {r["ip"]: (r["role"], r["first_seen"], r["last_seen"]) for r in rows}
def show(rows):
    for r in rows:
        print("      %s,%s,%s,%s" % (r["ip"], r["role"], r["first_seen"], r["last_seen"]))
D = "2026-02-01T"
# --until T
u = load("t-until")
want = {"45.1.1.1": ("c2", D + "01:00:00Z", D + "05:50:00Z"), "2001:db8::c2": ("c2", D + "02:00:00Z", D + "05:35:00Z"),
        "10.0.0.1": ("victim", D + "01:00:00Z", D + "05:30:00Z"), "10.0.0.2": ("victim", D + "01:15:00Z", D + "05:45:00Z"),
        "9.0.0.3": ("victim", D + "01:20:00Z", D + "05:50:00Z"),
        "2001:db8:1::1": ("victim", D + "02:00:00Z", D + "05:30:00Z"),
        "2001:db8:1::2": ("victim", D + "02:05:00Z", D + "05:35:00Z")}
check(all(r["first_seen"] < T and r["last_seen"] < T for r in u), "--until %s: every first_seen and last_seen before T" % T)
check(table(u).get("10.0.0.1") == want["10.0.0.1"], "--until: V1's beacons straddle T: last_seen 05:30:00, its 06:00:00 beacon dropped")
check("45.2.2.2" not in table(u), "--until: B, which victims reach only after T, is not labeled")
check("10.0.0.4" not in table(u), "--until: V4, which starts beaconing at T, is not labeled")
check(table(u) == want, "--until: exactly the two seeds and five victims, with these times")
if table(u) != want:
    show(u)
order = [r["ip"] for r in u]
check(order == ["45.1.1.1", "2001:db8::c2", "9.0.0.3", "10.0.0.1", "10.0.0.2", "2001:db8:1::1", "2001:db8:1::2"],
      "--until: rows by role, then 16-byte address (::ffff:45.1.1.1 < 2001:db8::c2, 9.0.0.3 < 10.0.0.1)")
rep = json.load(open(work + "/t-until/report.json"))
check(rep["until"] == T and rep["since"] == "", "--until: report.json says until %s" % T)
ev = [e for h in rep["hosts"] for e in h.get("c2", []) + h.get("controllers", [])]
check(ev and all(e["first"] < T and e["last"] < T for e in ev), "--until: every evidence edge in report.json before T")
v1 = next(h for h in rep["hosts"] if h["ip"] == "10.0.0.1")
check(v1["beacon_flows"] == 10, "--until: V1 beacon_flows 10 (01:00..05:30), got %s" % v1["beacon_flows"])
# no --until
a = table(load("t-all"))
check(a.get("45.2.2.2", ("",))[0] == "c2", "no --until: B is c2 (its victims V2 and V3 moved to it)")
check(a.get("10.0.0.4") == ("victim", D + "06:00:00Z", D + "11:30:00Z"), "no --until: V4 is a victim from 06:00:00")
check(a.get("10.0.0.1") == ("victim", D + "01:00:00Z", D + "11:30:00Z"), "no --until: V1 01:00:00..11:30:00")
if not (a.get("45.2.2.2", ("",))[0] == "c2" and "10.0.0.4" in a):
    show(load("t-all"))
# --since T
s = load("t-since")
check(all(r["first_seen"] >= T for r in s), "--since %s: every first_seen at or after T" % T)
check(table(s).get("10.0.0.1") == ("victim", D + "06:00:00Z", D + "11:30:00Z"),
      "--since: V1 first_seen 06:00:00 (the flow exactly at T counts)")
sys.exit(1 if bad else 0)
EOF
if [[ $rc != 0 ]]; then failures=$((failures + 1)); fi

echo
if ((failures > 0)); then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
