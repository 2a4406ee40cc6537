#!/usr/bin/python3
"""score.py: compare a c2hunt roles.csv with a generator's truth.csv.

Usage: score.py TRUTH ROLES [--json]
Prints, per role, truth, found, correct, precision and recall. Exit 0.
Only the standard library: runs under Debian's /usr/bin/python3.
"""
import csv
import json
import sys

ROLES = ["victim", "c2", "c2_predicted", "controller", "backend", "scanner"]


def load(path, key="role"):
    with open(path, newline="") as f:
        return {row["ip"]: row for row in csv.DictReader(f)}


def score(truth, roles):
    rows = []
    for role in ROLES + ["c2_or_predicted"]:
        want = {"c2_or_predicted": ("c2", "c2_predicted")}.get(role, (role,))
        t = {ip for ip, r in truth.items() if r["role"] in want}
        f = {ip for ip, r in roles.items() if r["role"] in want}
        ok = len(t & f)
        rows.append({"role": role, "truth": len(t), "found": len(f), "correct": ok,
                     "precision": ok / len(f) if f else None, "recall": ok / len(t) if t else None})
    benign_flagged = sorted(ip for ip, r in truth.items() if r["role"] == "benign" and ip in roles)
    return rows, benign_flagged


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 1
    truth, roles = load(sys.argv[1]), load(sys.argv[2])
    rows, benign = score(truth, roles)
    if "--json" in sys.argv:
        print(json.dumps({"roles": rows, "benign_flagged": benign}, indent=1))
        return 0
    fmt = "{:<16} {:>7} {:>7} {:>7} {:>10} {:>8}"
    print(fmt.format("role", "truth", "found", "correct", "precision", "recall"))
    for r in rows:
        p = "-" if r["precision"] is None else "%.3f" % r["precision"]
        c = "-" if r["recall"] is None else "%.3f" % r["recall"]
        print(fmt.format(r["role"], r["truth"], r["found"], r["correct"], p, c))
    print("benign look-alikes labeled: %d %s" % (len(benign), " ".join(benign[:10])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
