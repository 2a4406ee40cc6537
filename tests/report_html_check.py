"""report_html_check.py: the checks of report_html.sh on one `c2hunt run` output folder.

  report_html_check.py graph OUT NODES_TXT EDGES_TXT
      graph.graphml (well-formed, keys, a role for every node) and graph.svg (well-formed, a
      node for every C2) against graph.dot as Graphviz read it (NODES_TXT: one node name a
      line, EDGES_TXT: "tail head class" of every drawn edge, both printed by gvpr), against
      roles.csv and against report.json (the victims behind each C2's beacon edges).
  report_html_check.py page OUT HTML DOM
      HTML: report.html (or a copy) as written: self-contained; DOM: what headless Chromium
      made of it (--dump-dom): the script ran, no script error, the graph with a node per C2,
      the timeline with a row per C2 and c2_predicted, the counts per role, a table row for
      every host but victims, victims listed under each of their C2.

Prints "  ok ..." or "  FAIL ..." per check; exits 1 when a check failed.
"""
import csv
import html.parser
import json
import re
import sys
import xml.etree.ElementTree as ET

ROLES = ("backend", "c2", "c2_predicted", "controller", "scanner", "victim")
GML = "{http://graphml.graphdrawing.org/xmlns}"
SVG = "{http://www.w3.org/2000/svg}"
SCANNERS_DRAWN = 12  # C2H_GRAPH_SCANNERS
bad = 0


def check(cond, what, detail=""):
    global bad
    print("  %s %s%s" % ("ok  " if cond else "FAIL", what, "" if cond or not detail else ": " + detail))
    bad += not cond
    return cond


def roles_of(out):
    with open(out + "/roles.csv", newline="") as f:
        return list(csv.DictReader(f))


def victims_per_c2(out):
    """C2 -> the victims report.json lists with a beacon into it."""
    rep = json.load(open(out + "/report.json"))
    per = {}
    for h in rep["hosts"]:
        if h["role"] == "victim":
            for e in h["c2"]:
                per.setdefault(e["ip"], set()).add(h["ip"])
    return per


def some(items, n=5):
    items = sorted(items)
    return " ".join(items[:n]) + (" ..." if len(items) > n else "")


def graph(out, nodes_txt, edges_txt):
    rows = roles_of(out)
    dot_nodes = [l.rstrip("\n") for l in open(nodes_txt) if l.strip()]
    dot_edges = [l.split() for l in open(edges_txt) if l.strip()]
    check(len(dot_nodes) > 0 and len(set(dot_nodes)) == len(dot_nodes),
          "graph.dot read back by Graphviz: %d nodes, %d drawn edges" % (len(dot_nodes), len(dot_edges)))

    # ---- graph.graphml
    try:
        root = ET.parse(out + "/graph.graphml").getroot()
    except ET.ParseError as e:
        check(False, "graph.graphml is well-formed XML", str(e))
        return
    check(root.tag == GML + "graphml", "graph.graphml is well-formed GraphML")
    keys = {k.get("id"): (k.get("for"), k.get("attr.name"), k.get("attr.type")) for k in root.iter(GML + "key")}
    names = {(f, n) for f, n, _ in keys.values()}
    want = [("node", n) for n in ("role", "score", "first_seen", "last_seen", "hosts", "count_a", "count_b", "label")] + \
           [("edge", n) for n in ("kind", "flows", "first_seen", "last_seen", "hosts")]
    check(all(w in names for w in want), "keys declared: node role, score, first_seen, last_seen, counts; edge kind, "
          "flows, first_seen, last_seen", " ".join("%s.%s" % w for w in want if w not in names))
    check(all(t in ("string", "int", "long", "double", "boolean", "float") for _, _, t in keys.values()),
          "every key has a GraphML attr.type")
    g = root.find(GML + "graph")
    check(g is not None and g.get("edgedefault") == "directed", "one directed graph")
    nodes = {}
    for n in g.iter(GML + "node"):
        d = {keys[x.get("key")][1]: (x.text or "") for x in n.iter(GML + "data")}
        nodes[n.get("id")] = d
    edges = []
    for e in g.iter(GML + "edge"):
        d = {keys[x.get("key")][1]: (x.text or "") for x in e.iter(GML + "data")}
        edges.append((e.get("source"), e.get("target"), d))
    no_role = [i for i, d in nodes.items() if d.get("role") not in ROLES]
    check(not no_role, "every one of the %d nodes has a role attribute (one of the six)" % len(nodes), some(no_role))
    check(len(nodes) < 300, "fewer than 300 nodes (%d)" % len(nodes))
    check(sorted(nodes) == sorted(dot_nodes), "the nodes of graph.graphml are those of graph.dot",
          "only in GraphML: %s; only in DOT: %s" % (some(set(nodes) - set(dot_nodes)), some(set(dot_nodes) - set(nodes))))
    check(len(edges) == len(dot_edges), "as many edges as graph.dot draws (%d, %d)" % (len(edges), len(dot_edges)))
    dangling = [e for e in edges if e[0] not in nodes or e[1] not in nodes]
    check(not dangling, "every edge joins two nodes", str(dangling[:3]))
    times = [d[k] for d in list(nodes.values()) + [e[2] for e in edges] for k in ("first_seen", "last_seen") if k in d]
    check(all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$", t) for t in times) and times,
          "first_seen and last_seen are ISO 8601 UTC (%d of them)" % len(times))
    for role in ("c2", "c2_predicted", "controller", "backend"):
        ips = [r["ip"] for r in rows if r["role"] == role]
        missing = [ip for ip in ips if nodes.get(ip, {}).get("role") != role or nodes[ip].get("kind") != "host"]
        check(not missing, "every %s of roles.csv is a node with role %s (%d)" % (role, role, len(ips)), some(missing))
    sc = [r["ip"] for r in rows if r["role"] == "scanner"]
    drawn = [i for i, d in nodes.items() if d.get("role") == "scanner"]
    hidden = sum(int(d.get("hosts", "0")) for d in nodes.values() if d.get("role") == "scanner" and d.get("kind") == "more")
    check(len(drawn) == min(len(sc), SCANNERS_DRAWN) and len(drawn) - (hidden > 0) + hidden == len(sc),
          "scanners: %d of %d drawn, the rest (%d) as one node" % (len(drawn), len(sc), hidden))
    scanner_edges = [e for e in edges if nodes.get(e[0], {}).get("role") == "scanner" or
                     nodes.get(e[1], {}).get("role") == "scanner"]
    check(not scanner_edges, "no edge to or from a scanner (a count in its label instead)")
    kinds = {e[2].get("kind") for e in edges}
    check(kinds <= {"beacon", "control", "staging", "proxy"}, "edge kinds: %s" % " ".join(sorted(kinds)))
    ends = {"beacon": ("victim", "c2"), "control": ("controller", "c2"), "staging": ("controller", "c2_predicted"),
            "proxy": ("c2", "backend")}
    wrong = ["%s %s -> %s" % (d.get("kind"), s, t) for s, t, d in edges if s in nodes and t in nodes and
             ends.get(d.get("kind")) != (nodes[s].get("role"), nodes[t].get("role"))]
    ok_dir = not wrong
    check(ok_dir, "beacon: victims -> c2, control: controller -> c2, staging: controller -> c2_predicted, "
          "proxy: c2 -> backend", "; ".join(wrong[:3]))
    # The victims behind each C2's beacon edges are those report.json lists with a beacon into it.
    per = victims_per_c2(out)
    got = {}
    for s, t, d in edges:
        if d.get("kind") == "beacon":
            got[t] = got.get(t, 0) + int(d.get("hosts", "0"))
    wrong = ["%s: %d drawn, %d in report.json" % (c, got.get(c, 0), len(v)) for c, v in per.items()
             if got.get(c, 0) != len(v)]
    check(not wrong and per, "beacon edges into each of %d C2 stand for its victims in report.json" % len(per),
          "; ".join(wrong[:4]))
    dashed = [e for e in dot_edges if e[2] == "staging"]
    check(len(dashed) == sum(1 for e in edges if e[2].get("kind") == "staging"),
          "staging edges in graph.dot: %d" % len(dashed))

    # ---- graph.svg
    try:
        svg = ET.parse(out + "/graph.svg").getroot()
    except ET.ParseError as e:
        check(False, "graph.svg is well-formed XML", str(e))
        return
    gs = [x for x in svg.iter(SVG + "g") if "node" in (x.get("class") or "").split()]
    check(svg.tag == SVG + "svg" and len(gs) == len(nodes), "graph.svg is SVG with a node group per node (%d)" % len(gs))
    ids = {x.get("id") for x in gs}
    c2 = [r["ip"] for r in rows if r["role"] == "c2"]
    missing = [ip for ip in c2 if "c2-" + ip not in ids]
    check(not missing, "graph.svg has a node for each of the %d C2 (id c2-IP)" % len(c2), some(missing))
    texts = " ".join("".join(t.itertext()) for t in svg.iter(SVG + "text"))
    for word in ("controller", "c2_predicted", "backend", "victim", "scanner"):
        if not check(word in texts, "graph.svg's legend names %s" % word):
            break


class Dom(html.parser.HTMLParser):
    """Elements with their attributes, text and enclosing elements' ids."""
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.elements = [], []

    def handle_starttag(self, tag, attrs):
        el = {"tag": tag, "attrs": dict(attrs), "text": [], "within": [e["attrs"].get("id") for e in self.stack
                                                                         if e["attrs"].get("id")]}
        self.elements.append(el)
        if tag not in self.VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i]["tag"] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        for el in self.stack:
            el["text"].append(data)


def page(out, html_path, dom_path):
    rows = roles_of(out)
    src = open(html_path, encoding="utf-8").read()
    # ---- the file as written: one file, nothing to fetch
    check(src.startswith("<!DOCTYPE html>"), "report.html is an HTML5 document")
    for pat, what in ((r"://", "no URL (no scheme://) anywhere"),
                      (r"<link\b", "no <link> (CSS is inline)"),
                      (r"<(?:script|img|iframe|embed|source|audio|video)\b[^>]*\ssrc\s*=", "no element loads a src"),
                      (r"url\(", "no url() in CSS"),
                      (r"@import", "no @import")):
        m = re.search(pat, src, re.I)
        check(not m, "report.html: " + what, m and src[max(0, m.start() - 60):m.end() + 60].replace("\n", " "))
    # ---- what Chromium rendered
    d = Dom()
    d.feed(open(dom_path, encoding="utf-8", errors="replace").read())
    els = d.elements
    by_id = {}
    for e in els:
        if "id" in e["attrs"]:
            by_id.setdefault(e["attrs"]["id"], e)
    htm = next((e for e in els if e["tag"] == "html"), None)
    check(htm is not None and htm["attrs"].get("data-js") == "ready", "the page's script ran (data-js=\"ready\")")
    errs = by_id.get("js-errors")
    text = "".join(errs["text"]).strip() if errs else None
    check(errs is not None and text == "", "no script error (#js-errors empty)", repr(text))
    svg = by_id.get("graph-svg")
    check(svg is not None and svg["tag"] == "svg", "the graph is an inline <svg id=\"graph-svg\">")
    in_graph = {e["attrs"].get("id") for e in els if "graph-svg" in e["within"] and e["tag"] == "g"
                and "node" in e["attrs"].get("class", "").split()}
    c2 = [r["ip"] for r in rows if r["role"] == "c2"]
    pred = [r["ip"] for r in rows if r["role"] == "c2_predicted"]
    ctl = [r["ip"] for r in rows if r["role"] == "controller"]
    missing = [ip for ip in c2 if "c2-" + ip not in in_graph]
    check(c2 and not missing, "the graph has a node for each of the %d C2" % len(c2), some(missing))
    missing = [ip for ip in ctl if "controller-" + ip not in in_graph]
    check(not missing, "the graph has a node for each of the %d controllers" % len(ctl), some(missing))
    tl = {e["attrs"].get("id") for e in els if "timeline-svg" in e["within"] and e["tag"] == "g"}
    missing = [ip for ip in c2 + pred if "tl-" + ip not in tl]
    check(c2 and not missing, "the timeline has a row for each of the %d C2 and %d c2_predicted" % (len(c2), len(pred)),
          some(missing))
    bars = [e for e in els if "timeline-svg" in e["within"] and e["tag"] == "rect"]
    check(any("live" in b["attrs"].get("class", "") for b in bars) and
          (not pred or any("staged" in b["attrs"].get("class", "") for b in bars)),
          "the timeline draws live and staged bars (%d bars)" % len(bars))
    for role in ROLES:
        n = sum(1 for r in rows if r["role"] == role)
        b = next((e for e in els if e["tag"] == "b" and "count-" + role in e["within"]), None)
        got = "".join(b["text"]).strip() if b else "nothing"
        check(got == str(n), "the summary counts %d %s" % (n, role), "shows %s" % got)
    for key in ("c2_min_victims", "controller_min_specificity", "predicted_max_others"):
        check(any(e["tag"] == "th" and "".join(e["text"]).strip() == key and "profile" in e["within"] for e in els),
              "the summary shows the profile's %s" % key)
    # Table rows: every host but victims, in its role's section.
    for role in ("c2", "c2_predicted", "controller", "backend", "scanner"):
        ips = [r["ip"] for r in rows if r["role"] == role]
        missing = [ip for ip in ips if not (by_id.get("h-" + ip) and by_id["h-" + ip]["tag"] == "td" and
                                            role in by_id["h-" + ip]["within"] and
                                            "".join(by_id["h-" + ip]["text"]).strip() == ip)]
        check(not missing, "a %s table row for each of the %d %s of roles.csv" % (role, len(ips), role), some(missing))
    per = victims_per_c2(out)
    wrong = []
    for c, v in per.items():
        det = by_id.get("victims-" + c)
        summary = next((e for e in els if e["tag"] == "summary" and "victims-" + c in e["within"]), None)
        words = "".join(summary["text"]).split() if summary else []
        if det is None or "%d" % len(v) not in words:
            wrong.append("%s (%d victims): %s" % (c, len(v), " ".join(words) or "no list"))
    check(per and not wrong, "victims listed under each of their %d C2, with the count" % len(per), "; ".join(wrong[:3]))
    listed = {"".join(e["text"]).strip() for e in els if e["tag"] == "td" and "victim" in e["within"]
              and "ip" in e["attrs"].get("class", "").split()}
    vict = {r["ip"] for r in rows if r["role"] == "victim"}
    check(len(listed & vict) > 0, "victim rows show victims of roles.csv (%d of %d)" % (len(listed & vict), len(vict)))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "graph":
        graph(*sys.argv[2:])
    elif len(sys.argv) == 5 and sys.argv[1] == "page":
        page(*sys.argv[2:])
    else:
        sys.exit(__doc__)
    sys.exit(1 if bad else 0)
