#!/usr/bin/env python3
"""stix_check.py: check a STIX 2.1 bundle against the OASIS STIX 2.1 JSON schemas and the
rules of the specification that the schemas cannot express; with --roles, also check that it
says what c2hunt's roles.csv says.

    stix_check.py SCHEMA_DIR BUNDLE [--roles ROLES_CSV]

SCHEMA_DIR holds schemas/{common,sdos,sros}/*.json (tests/data/stix, see its SOURCE.md).
Exit 0 when the bundle passes, 1 with one line per problem when it does not, 2 when the check
itself cannot run (a schema it needs is missing, the bundle is not JSON).

The JSON Schema validator is written here with the standard library only (the jsonschema
package is not installed): draft 2020-12 keywords as the STIX schemas use them ($ref, type,
enum, const, pattern, minLength, maxLength, minimum, maximum, items, minItems, maxItems,
properties, patternProperties, additionalProperties, required, minProperties, allOf,
anyOf, oneOf, not). A keyword it does not know is an error of the check, never a pass.
"""
import argparse
import csv
import datetime
import ipaddress
import json
import os
import re
import sys
import uuid

ANNOTATIONS = {"$schema", "$id", "id", "title", "description", "definitions", "$defs", "$comment", "examples",
               "default"}
TYPE_STUB_DIRS = {"sdos", "sros", "observables"}
TYPE_STUB_FILES = {"language-content.json", "marking-definition.json", "cyber-observable-core.json"}


class CheckError(Exception):
    """The check cannot run (exit 2)."""


class Validator:
    def __init__(self, root):
        self.root = root
        self.cache = {}
        self.stubs = set()

    def load(self, ref):
        parts = [p for p in ref.split("#")[0].split("/") if p not in ("", ".", "..")]
        if len(parts) < 2:
            raise CheckError(f"cannot resolve $ref {ref!r}")
        key = "/".join(parts[-2:])
        if key in self.cache:
            return self.cache[key]
        path = os.path.join(self.root, "schemas", *parts[-2:])
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                schema = json.load(f)
        elif parts[-2] in TYPE_STUB_DIRS or parts[-1] in TYPE_STUB_FILES:
            # An object type c2hunt never writes: matches only objects of that type.
            schema = {"type": "object", "required": ["type"],
                      "properties": {"type": {"const": parts[-1][:-len(".json")]}}}
            self.stubs.add(key)
        else:
            raise CheckError(f"schema {key} is needed (from $ref {ref!r}) but not vendored in {self.root}")
        self.cache[key] = schema
        return schema

    @staticmethod
    def is_type(v, t):
        if t == "object":
            return isinstance(v, dict)
        if t == "array":
            return isinstance(v, list)
        if t == "string":
            return isinstance(v, str)
        if t == "boolean":
            return isinstance(v, bool)
        if t == "null":
            return v is None
        if t == "integer":
            return (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())
        if t == "number":
            return isinstance(v, (int, float)) and not isinstance(v, bool)
        raise CheckError(f"unknown type {t!r} in a schema")

    @staticmethod
    def same(a, b):
        """JSON equality (True is not 1)."""
        if isinstance(a, bool) or isinstance(b, bool):
            return type(a) is type(b) and a == b
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return a == b
        if isinstance(a, list) and isinstance(b, list):
            return len(a) == len(b) and all(Validator.same(x, y) for x, y in zip(a, b))
        if isinstance(a, dict) and isinstance(b, dict):
            return a.keys() == b.keys() and all(Validator.same(a[k], b[k]) for k in a)
        return type(a) is type(b) and a == b

    def validate(self, v, schema, path):
        """@return a list of (path, message)."""
        if schema is True:
            return []
        if schema is False:
            return [(path, "no value is allowed here")]
        errs = []
        for kw, arg in schema.items():
            if kw in ANNOTATIONS:
                continue
            if kw == "$ref":
                errs += self.validate(v, self.load(arg), path)
            elif kw == "type":
                types = arg if isinstance(arg, list) else [arg]
                if not any(self.is_type(v, t) for t in types):
                    errs.append((path, f"{json.dumps(v)[:60]} is not of type {' or '.join(types)}"))
            elif kw == "enum":
                if not any(self.same(v, x) for x in arg):
                    errs.append((path, f"{json.dumps(v)[:60]} is not one of {arg}"))
            elif kw == "const":
                if not self.same(v, arg):
                    errs.append((path, f"{json.dumps(v)[:60]} is not {json.dumps(arg)}"))
            elif kw == "pattern":
                if isinstance(v, str) and not re.search(arg, v):
                    errs.append((path, f"{v!r} does not match the pattern {arg}"))
            elif kw == "minLength":
                if isinstance(v, str) and len(v) < arg:
                    errs.append((path, f"{v!r} is shorter than {arg}"))
            elif kw == "maxLength":
                if isinstance(v, str) and len(v) > arg:
                    errs.append((path, f"{v[:40]!r}... is longer than {arg}"))
            elif kw == "minimum":
                if self.is_type(v, "number") and v < arg:
                    errs.append((path, f"{v} is less than the minimum {arg}"))
            elif kw == "maximum":
                if self.is_type(v, "number") and v > arg:
                    errs.append((path, f"{v} is greater than the maximum {arg}"))
            elif kw == "items":
                if isinstance(v, list):
                    for i, x in enumerate(v):
                        errs += self.validate(x, arg, f"{path}[{i}]")
            elif kw == "minItems":
                if isinstance(v, list) and len(v) < arg:
                    errs.append((path, f"{len(v)} items, fewer than {arg}"))
            elif kw == "maxItems":
                if isinstance(v, list) and len(v) > arg:
                    errs.append((path, f"{len(v)} items, more than {arg}"))
            elif kw == "required":
                if isinstance(v, dict):
                    for k in arg:
                        if k not in v:
                            errs.append((path, f"the required property {k!r} is missing"))
            elif kw == "minProperties":
                if isinstance(v, dict) and len(v) < arg:
                    errs.append((path, f"{len(v)} properties, fewer than {arg}"))
            elif kw == "properties":
                if isinstance(v, dict):
                    for k, sub in arg.items():
                        if k in v:
                            errs += self.validate(v[k], sub, f"{path}.{k}")
            elif kw == "patternProperties":
                if isinstance(v, dict):
                    for pat, sub in arg.items():
                        for k in v:
                            if re.search(pat, k):
                                errs += self.validate(v[k], sub, f"{path}.{k}")
            elif kw == "additionalProperties":
                if isinstance(v, dict):
                    known = schema.get("properties", {})
                    pats = list(schema.get("patternProperties", {}))
                    for k in v:
                        if k not in known and not any(re.search(p, k) for p in pats):
                            errs += [(p, m if arg is not False else f"the property {k!r} is not allowed")
                                     for p, m in self.validate(v[k], arg, f"{path}.{k}")]
            elif kw == "allOf":
                for sub in arg:
                    errs += self.validate(v, sub, path)
            elif kw in ("anyOf", "oneOf"):
                results = [self.validate(v, sub, path) for sub in arg]
                ok = sum(1 for r in results if not r)
                if kw == "anyOf" and ok == 0 or kw == "oneOf" and ok != 1:
                    if ok > 1:
                        errs.append((path, f"matches {ok} of the oneOf schemas, not exactly one"))
                    else:
                        errs += self.explain(results, path, kw)
            elif kw == "not":
                if not self.validate(v, arg, path):
                    errs.append((path, f"must not match {json.dumps(arg)[:80]}"))
            else:
                raise CheckError(f"the validator does not know the keyword {kw!r}")
        return errs

    @staticmethod
    def explain(results, path, kw):
        """Why no branch matched: the errors of the branches that did not fail on the object's
        type (the branch meant for it), else a summary."""
        own = [r for r in results if not any(p.endswith(".type") for p, _ in r)]
        if own:
            return [e for r in own for e in r]
        return [(path, f"matches none of the {len(results)} {kw} schemas (wrong or unknown type)")]


TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
PATTERN = re.compile(r"^\[(ipv4|ipv6)-addr:value = '([^']+)'\]$")
NAMESPACE = uuid.uuid5(uuid.UUID(int=0), "c2hunt STIX 2.1")
INDICATED = ("c2", "c2_predicted", "controller")


def ts_key(s):
    """A timestamp as a comparable (seconds, fraction) pair, or None."""
    m = TS.match(s) if isinstance(s, str) else None
    if not m:
        return None
    try:
        base = datetime.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return None
    return (base.timestamp(), float("0" + m.group(1)) if m.group(1) else 0.0)


def spec_checks(bundle):
    """The rules of STIX 2.1 that the schemas cannot express, and the ones c2hunt relies on."""
    errs = []
    objs = bundle.get("objects", []) if isinstance(bundle, dict) else []
    ids = {}
    for i, o in enumerate(objs):
        where = f"objects[{i}]"
        if not isinstance(o, dict):
            continue
        t, oid = o.get("type"), o.get("id", "")
        if o.get("spec_version") != "2.1":
            errs.append((f"{where}.spec_version", f"{o.get('spec_version')!r}, not '2.1'"))
        if isinstance(oid, str) and not oid.startswith(f"{t}--"):
            errs.append((f"{where}.id", f"{oid!r} does not start with its type {t!r}"))
        if oid in ids:
            errs.append((f"{where}.id", f"{oid} is also the id of objects[{ids[oid]}]"))
        ids.setdefault(oid, i)
        for k in ("created", "modified", "valid_from", "valid_until", "first_seen", "last_seen"):
            if k in o and ts_key(o[k]) is None:
                errs.append((f"{where}.{k}", f"{o[k]!r} is not an RFC 3339 UTC timestamp ending in Z"))
        if ts_key(o.get("created")) and ts_key(o.get("modified")) and ts_key(o["modified"]) < ts_key(o["created"]):
            errs.append((f"{where}.modified", "earlier than created"))
        if "confidence" in o and not (type(o["confidence"]) is int and 0 <= o["confidence"] <= 100):
            errs.append((f"{where}.confidence", f"{o['confidence']!r} is not an integer from 0 to 100"))
        if t == "indicator":
            m = PATTERN.match(o.get("pattern", "")) if isinstance(o.get("pattern"), str) else None
            if o.get("pattern_type") != "stix":
                errs.append((f"{where}.pattern_type", f"{o.get('pattern_type')!r}, c2hunt writes 'stix'"))
            if not m:
                errs.append((f"{where}.pattern", f"{o.get('pattern')!r} is not [ipv4-addr:value = '...'] or ipv6-addr"))
            else:
                try:
                    a = ipaddress.ip_address(m.group(2))
                    if (a.version == 4) != (m.group(1) == "ipv4"):
                        errs.append((f"{where}.pattern", f"{m.group(2)} is not an {m.group(1)} address"))
                except ValueError:
                    errs.append((f"{where}.pattern", f"{m.group(2)!r} is not an IP address"))
            if ts_key(o.get("valid_until")) and ts_key(o.get("valid_from")) and \
                    ts_key(o["valid_until"]) <= ts_key(o["valid_from"]):
                errs.append((f"{where}.valid_until", "not later than valid_from"))
        if t == "relationship":
            for k in ("source_ref", "target_ref"):
                if o.get(k) not in {x.get("id") for x in objs if isinstance(x, dict)}:
                    errs.append((f"{where}.{k}", f"{o.get(k)!r} is no object of this bundle"))
    return errs


def c2hunt_checks(bundle, roles_path):
    """What c2hunt promises about stix.json, against its roles.csv."""
    errs = []
    objs = [o for o in bundle.get("objects", []) if isinstance(o, dict)]
    with open(roles_path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["role"] in INDICATED]
    want = {(r["role"], r["ip"]): float(r["score"]) for r in rows}
    infra = [o for o in objs if o.get("type") == "infrastructure"]
    if len(infra) != 1:
        return [("bundle", f"{len(infra)} infrastructure objects, expected the botnet's one")]
    infra = infra[0]
    if not {"botnet", "command-and-control"} <= set(infra.get("infrastructure_types", [])):
        errs.append(("infrastructure", "infrastructure_types lacks botnet or command-and-control"))
    profile = infra.get("name", "").removesuffix(" botnet")
    expect_id = f"infrastructure--{uuid.uuid5(NAMESPACE, f'infrastructure|botnet|{profile}')}"
    if infra.get("id") != expect_id:
        errs.append(("infrastructure.id", f"{infra.get('id')}, expected {expect_id}"))
    seen = {}
    times = {o.get("created") for o in objs} | {o.get("modified") for o in objs}
    if len(times) != 1:
        errs.append(("bundle", f"created/modified differ between objects: {sorted(map(str, times))[:3]}"))
    for o in objs:
        if o.get("type") != "indicator":
            continue
        m = PATTERN.match(o.get("pattern", ""))
        role = (o.get("labels") or ["?"])[0]
        if not m or role not in INDICATED:
            errs.append((o.get("id", "?"), f"no c2hunt role label or address pattern ({role}, {o.get('pattern')})"))
            continue
        ip = str(ipaddress.ip_address(m.group(2)))
        key = (role, ip)
        seen[key] = o
        expect = f"indicator--{uuid.uuid5(NAMESPACE, f'indicator|{role}|{ip}')}"
        if o.get("id") != expect:
            errs.append((o.get("id", "?"), f"not the name-based id of {role} {ip} ({expect})"))
        if key not in want:
            errs.append((o.get("id", "?"), f"{role} {ip} is not in {roles_path}"))
    for key in want:
        if key not in seen:
            errs.append(("bundle", f"no indicator for {key[0]} {key[1]} of {roles_path}"))
    rels = {}
    for o in objs:
        if o.get("type") == "relationship" and o.get("relationship_type") == "indicates":
            rels.setdefault(o.get("source_ref"), []).append(o)
    for key, ind in seen.items():
        r = rels.get(ind.get("id"), [])
        if len(r) != 1 or r[0].get("target_ref") != infra.get("id"):
            errs.append((ind.get("id"), f"{len(r)} 'indicates' relationships to the botnet, expected one"))
        elif r[0].get("confidence") != ind.get("confidence"):
            errs.append((r[0].get("id"), "confidence differs from its indicator's"))
        else:
            name = "relationship|indicates|%s|%s" % (ind.get("id"), infra.get("id"))
            rid = f"relationship--{uuid.uuid5(NAMESPACE, name)}"
            if r[0].get("id") != rid:
                errs.append((r[0].get("id"), f"not the name-based id {rid}"))
    # Confidence follows the score; staged C2 below every c2 and controller.
    conf = {k: o.get("confidence") for k, o in seen.items() if isinstance(o.get("confidence"), int)}
    pred = [c for (role, _), c in conf.items() if role == "c2_predicted"]
    firm = [c for (role, _), c in conf.items() if role != "c2_predicted"]
    if pred and firm and max(pred) >= min(firm):
        errs.append(("confidence", f"a c2_predicted has {max(pred)}, not below every c2 and controller ({min(firm)})"))
    for role in INDICATED:
        pairs = sorted((want[k], c) for k, c in conf.items() if k[0] == role and k in want)
        for (s0, c0), (s1, c1) in zip(pairs, pairs[1:]):
            if c1 < c0:
                errs.append(("confidence", f"{role}: score {s1} has confidence {c1} < {c0} of score {s0}"))
                break
    ids = ",".join(o.get("id", "") for o in objs)
    expect_bundle = f"bundle--{uuid.uuid5(NAMESPACE, 'bundle|' + ids)}"
    if bundle.get("id") != expect_bundle:
        errs.append(("bundle.id", f"{bundle.get('id')}, expected {expect_bundle}"))
    return errs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("schema_dir")
    ap.add_argument("bundle")
    ap.add_argument("--roles", help="roles.csv of the same run: check the bundle against it")
    args = ap.parse_args()
    try:
        with open(args.bundle, encoding="utf-8") as f:
            bundle = json.load(f)
    except (OSError, ValueError) as e:
        print(f"stix_check: {args.bundle}: {e}", file=sys.stderr)
        return 2
    v = Validator(args.schema_dir)
    try:
        errs = v.validate(bundle, v.load("common/bundle.json"), "bundle")
    except CheckError as e:
        print(f"stix_check: {e}", file=sys.stderr)
        return 2
    kinds = "schema"
    if not isinstance(bundle, dict) or not isinstance(bundle.get("objects"), list):
        errs.append(("bundle", "no objects array"))
    else:
        errs += spec_checks(bundle)
        kinds += " and spec"
        if args.roles and not errs:
            errs += c2hunt_checks(bundle, args.roles)
            kinds += " and c2hunt"
    if errs:
        for p, m in errs[:40]:
            print(f"INVALID {p}: {m}")
        if len(errs) > 40:
            print(f"INVALID ... and {len(errs) - 40} more")
        return 1
    n = len(bundle["objects"])
    types = sorted({o["type"] for o in bundle["objects"]})
    print(f"VALID {args.bundle}: {n} objects ({', '.join(types)}), {kinds} checks; "
          f"{len(v.stubs)} object types not vendored stood in by type-only stubs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
