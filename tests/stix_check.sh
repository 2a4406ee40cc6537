#!/bin/bash
# stix_check.sh: stix.json of `c2hunt run` is a valid STIX 2.1 bundle and says what roles.csv
# says, and the check can fail.
#   - the bundle of a generated scenario passes tests/stix_check.py: the OASIS STIX 2.1 JSON
#     schemas vendored in tests/data/stix (bundle, core, indicator, infrastructure,
#     relationship), the rules the schemas cannot express (spec_version 2.1, id prefix,
#     unique ids, real dates, modified >= created, refs inside the bundle, the pattern's
#     address) and c2hunt's promises (one indicator per c2, c2_predicted and controller of
#     roles.csv, each `indicates` the botnet, name-based ids, c2_predicted confidence below
#     every c2 and controller, confidence rising with the score);
#   - reproducible: the same run again, into another folder, and under mpirun -np 2, gives
#     the same bytes; with --until T every created/modified is T;
#   - broken bundles are refused (exit 1, the problem named): each of a dozen mutations.
set -euo pipefail

: "${C2HUNT:?}" "${C2H_PYTHON:?}" "${C2H_SRC:?}"
work=$(mktemp -d "${TMPDIR:-/tmp}/c2h-stix.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
check() { "$C2H_PYTHON" "$C2H_SRC/tests/stix_check.py" "$C2H_SRC/tests/data/stix" "$@"; }

failures=0
ok() { echo "  ok   $*"; }
fail() {
    echo "  FAIL $*"
    failures=$((failures + 1))
}

"$C2HUNT" gen --preset small --seed 3 --out "$work/g" --quiet
"$C2HUNT" run --archive "$work/g" --seeds "$work/g/seeds.txt" --out "$work/r" --quiet
B=$work/r/stix.json

if check "$B" --roles "$work/r/roles.csv" >"$work/out" 2>&1; then ok "$(cat "$work/out")"; else
    fail "the bundle of a run does not pass:"
    sed 's/^/    | /' "$work/out" | head -20
fi
n_ind=$(grep -c '"type": "indicator"' "$B" || true)
n_roles=$(grep -cE '^[^,]+,(c2|c2_predicted|controller),' "$work/r/roles.csv" || true)
if [[ $n_ind -gt 3 && $n_ind == "$n_roles" ]]; then ok "$n_ind indicators for $n_roles c2, c2_predicted and controller rows"; else
    fail "$n_ind indicators, roles.csv has $n_roles c2, c2_predicted and controller rows"
fi
grep -q '"infrastructure_types": \["botnet", "command-and-control"\]' "$B" && ok "the botnet infrastructure" ||
    fail "no botnet infrastructure object"

# Reproducible.
"$C2HUNT" run --archive "$work/g" --seeds "$work/g/seeds.txt" --out "$work/other-name" --quiet
cmp -s "$B" "$work/other-name/stix.json" && ok "the same run into another folder: the same bytes" ||
    fail "stix.json differs between two runs of the same input"
if command -v mpirun >/dev/null; then
    mpirun --oversubscribe -np 2 "$C2HUNT" run --archive "$work/g" --seeds "$work/g/seeds.txt" --out "$work/np2" --quiet
    cmp -s "$B" "$work/np2/stix.json" && ok "mpirun -np 2: the same bytes" || fail "stix.json differs with 2 ranks"
fi
T=2026-01-06T12:00:00Z
"$C2HUNT" run --archive "$work/g" --seeds "$work/g/seeds.txt" --out "$work/until" --quiet --until "$T"
times=$("$C2H_PYTHON" -c '
import json, sys
b = json.load(open(sys.argv[1]))
print(" ".join(sorted({o["created"] for o in b["objects"]} | {o["modified"] for o in b["objects"]})))' "$work/until/stix.json")
[[ $times == "2026-01-06T12:00:00.000Z" ]] && ok "--until $T: every created and modified is $times" ||
    fail "--until $T: created/modified are '$times'"
check "$work/until/stix.json" --roles "$work/until/roles.csv" >/dev/null && ok "the --until bundle passes" ||
    fail "the --until bundle does not pass"

# Broken bundles: each mutation must be refused with its problem named.
mutate() { # NAME EXPECTED-TEXT PYTHON-STATEMENT (on b, with first(type) and objs)
    "$C2H_PYTHON" - "$B" "$work/bad-$1.json" "$3" <<'EOF'
import json, sys
b = json.load(open(sys.argv[1]))
objs = b["objects"]
def first(t):
    return next(o for o in objs if o["type"] == t)
exec(sys.argv[3])
json.dump(b, open(sys.argv[2], "w"), indent=1)
EOF
    local rc=0
    check "$work/bad-$1.json" --roles "$work/r/roles.csv" >"$work/out" 2>&1 || rc=$?
    if [[ $rc == 1 ]] && grep -qF -- "$2" "$work/out"; then ok "refused: $1 ($(grep -F -m1 -- "$2" "$work/out" | cut -c1-90))"; else
        fail "$1: exit $rc, expected 1 with '$2':"
        sed 's/^/    | /' "$work/out" | head -5
    fi
}
mutate no-pattern-type "'pattern_type' is missing" 'del first("indicator")["pattern_type"]'
mutate confidence-150 "greater than the maximum 100" 'first("indicator")["confidence"] = 150'
mutate id-not-uuid "does not match the pattern" 'first("indicator")["id"] = "indicator--1234"'
mutate created-no-millis "does not match the pattern T" 'first("relationship")["created"] = first("relationship")["created"][:19] + "Z"'
mutate infra-no-name "'name' is missing" 'del first("infrastructure")["name"]'
mutate bad-property "'Bad-Prop' is not allowed" 'first("indicator")["Bad-Prop"] = 1'
mutate spec-2.0 "not '2.1'" 'first("indicator")["spec_version"] = "2.0"'
mutate no-spec-version "'spec_version' is missing" 'del first("indicator")["spec_version"]'
mutate dangling-ref "is no object of this bundle" 'first("relationship")["target_ref"] = "infrastructure--00000000-0000-5000-8000-000000000000"'
mutate impossible-date "not an RFC 3339 UTC timestamp" 'first("infrastructure")["created"] = "2026-02-30T00:00:00.000Z"'
mutate valid-from-garbage "does not match the pattern" 'first("indicator")["valid_from"] = "yesterday"'
mutate duplicate-id "is also the id of" 'objs.append(dict(first("indicator")))'
mutate bad-pattern "is not an IP address" 'first("indicator")["pattern"] = "[ipv4-addr:value = '"'"'1.2.3.999'"'"']"'
mutate no-objects "fewer than 1" 'b["objects"] = []'
mutate predicted-too-confident "not below every c2 and controller" \
    '[o.update(confidence=99) for o in objs if o.get("labels") == ["c2_predicted"]]'
mutate lost-relationship "relationships to the botnet, expected one" \
    'objs.remove(next(o for o in objs if o["type"] == "relationship"))'
mutate unknown-host "is not in" 'first("indicator")["pattern"] = "[ipv4-addr:value = '"'"'192.0.2.77'"'"']"'
echo 'not json' >"$work/bad-notjson.json"
rc=0
check "$work/bad-notjson.json" >"$work/out" 2>&1 || rc=$?
[[ $rc == 2 ]] && ok "not JSON: exit 2" || fail "not JSON: exit $rc, expected 2"

if ((failures)); then
    echo "FAIL: $failures check(s) failed"
    exit 1
fi
echo "PASS: stix.json valid against the STIX 2.1 schemas and c2hunt's roles; broken bundles refused"
