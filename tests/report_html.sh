#!/bin/bash
# report_html.sh ARTIFACT_DIR: the graph files and report.html of `c2hunt run` on a generated
# archive (small preset, seed 1) under mpirun -np 2 (one process without mpirun):
#   graph.dot      Graphviz reads it back (dot -Tcanon) and gvpr lists its nodes and drawn edges
#   graph.graphml  well-formed, keys declared, a role for every node, the nodes and edges of
#                  graph.dot, every c2/c2_predicted/controller/backend of roles.csv a node, the
#                  victims behind each C2's beacon edges those of report.json, under 300 nodes
#   graph.svg      well-formed SVG, a node group per node, one per C2, the legend
#   report.html    self-contained (no URL, no <link>, no src, no url()); headless Chromium's DOM
#                  (--dump-dom): the script ran, #js-errors empty, an inline SVG graph with a node
#                  per C2 and controller, a timeline row per C2 and c2_predicted, the counts per
#                  role, the profile, a table row per host of every role but victim, victims
#                  under each of their C2
#   the checks fail on a graph broken on purpose (a node without its role, a C2 missing from
#                  graph.svg) and on pages broken on purpose: a script error, a C2 missing from
#                  the graph, the timeline and the tables, an image fetched from the network
# Keeps ARTIFACT_DIR/report.png (1400x2400 screenshot) and prints its path. Exit 77 (skipped)
# without Chromium, once the graph checks have run.
set -euo pipefail

: "${C2HUNT:?}" "${C2H_PYTHON:?}" "${C2H_SRC:?}"
artifacts=${1:?usage: report_html.sh ARTIFACT_DIR}
chromium=${C2H_CHROMIUM:-/usr/bin/chromium}
check=$C2H_SRC/tests/report_html_check.py
work=$(mktemp -d "${TMPDIR:-/tmp}/c2h-report-html.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
failures=0
ok() { echo "  ok   $*"; }
fail() {
    echo "  FAIL $*"
    failures=$((failures + 1))
}
if command -v mpirun >/dev/null; then
    job=(timeout 300 mpirun --oversubscribe -np 2 "$C2HUNT")
else
    echo "(no mpirun: the job runs as one process)"
    job=(timeout 300 "$C2HUNT")
fi

echo "== gen --preset small --seed 1, run"
"$C2HUNT" gen --preset small --seed 1 --out "$work/g" --quiet
rc=0
"${job[@]}" run --archive "$work/g" --seeds "$work/g/seeds.txt" --out "$work/r" --quiet 2>"$work/run.err" || rc=$?
if [[ $rc != 0 ]]; then
    fail "c2hunt run: exit $rc"
    sed 's/^/    | /' "$work/run.err" | head -20
    exit 1
fi
out=$work/r
for f in graph.dot graph.graphml graph.svg report.html; do
    if [[ -s $out/$f ]]; then ok "$f written ($(wc -c <"$out/$f") bytes)"; else fail "no $f"; fi
done

echo "== graph.dot, graph.graphml, graph.svg"
if dot -Tcanon "$out/graph.dot" >"$work/canon.dot" 2>"$work/canon.err"; then
    ok "dot -Tcanon reads graph.dot ($(grep -o 'layout=[a-z]*' "$out/graph.dot" | head -1))"
else
    fail "dot -Tcanon cannot read graph.dot:"
    sed 's/^/    | /' "$work/canon.err" | head
fi
# The nodes and the drawn edges (the invisible ones only hold scanners together), as Graphviz read them.
gvpr 'N { printf("%s\n", $.name) }' "$out/graph.dot" >"$work/nodes.txt"
gvpr 'E [aget($, "style") != "invis"] { printf("%s %s %s\n", $.tail.name, $.head.name, aget($, "class")) }' \
    "$out/graph.dot" >"$work/edges.txt"
rc=0
"$C2H_PYTHON" "$check" graph "$out" "$work/nodes.txt" "$work/edges.txt" || rc=$?
if [[ $rc != 0 ]]; then failures=$((failures + 1)); fi
echo "  (graph: $(wc -l <"$work/nodes.txt") nodes, $(wc -l <"$work/edges.txt") edges)"

# The graph checks fail on a broken graph: a node without its role, a C2 missing from the SVG.
c2=$(awk -F, '$2 == "c2" { print $1; exit }' "$out/roles.csv")
mkdir "$work/rb"
cp "$out"/* "$work/rb/"
sed -i '0,/<data key="n_role">c2<\/data>/{/<data key="n_role">c2<\/data>/d}' "$work/rb/graph.graphml"
sed -i "s~id=\"c2&#45;$c2\"~id=\"gone\"~" "$work/rb/graph.svg"
rc=0
"$C2H_PYTHON" "$check" graph "$work/rb" "$work/nodes.txt" "$work/edges.txt" >"$work/rb.out" || rc=$?
if [[ $rc != 0 ]] && grep -q "FAIL every one of the .* nodes has a role" "$work/rb.out" &&
    grep -q "FAIL graph.svg has a node for each of the .* C2.*$c2" "$work/rb.out"; then
    ok "a broken graph is refused (a node without role, C2 $c2 missing from graph.svg)"
else
    fail "a broken graph is not refused (exit $rc)"
    grep FAIL "$work/rb.out" | sed 's/^/    | /'
fi

if [[ ! -x $chromium ]]; then
    echo "no Chromium at $chromium: report.html not rendered, skipped"
    if ((failures > 0)); then exit 1; fi
    exit 77
fi

# chrome ARGS...: headless Chromium, nothing from the network, a fresh profile each time.
chrome() {
    local profile
    profile=$(mktemp -d "$work/profile.XXXXXX")
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync --disable-extensions \
        --user-data-dir="$profile" "$@" 2>>"$work/chromium.err"
}

echo "== report.html in headless Chromium"
if chrome --dump-dom "file://$out/report.html" >"$work/dom.html" && [[ -s $work/dom.html ]]; then
    ok "--dump-dom rendered report.html ($(wc -c <"$work/dom.html") bytes of DOM)"
else
    fail "Chromium did not render report.html"
    tail -5 "$work/chromium.err" | sed 's/^/    | /'
fi
rc=0
"$C2H_PYTHON" "$check" page "$out" "$out/report.html" "$work/dom.html" || rc=$?
if [[ $rc != 0 ]]; then failures=$((failures + 1)); fi

echo "== the checks fail on broken pages"
# broken_page NAME SED-SCRIPT WANT: report.html edited by SED-SCRIPT must fail with a FAIL line matching WANT.
broken_page() {
    local name=$1 edit=$2 want=$3
    sed -e "$edit" "$out/report.html" >"$work/$name.html"
    if cmp -s "$out/report.html" "$work/$name.html"; then
        fail "$name: the edit changed nothing"
        return
    fi
    chrome --dump-dom "file://$work/$name.html" >"$work/$name.dom" || true
    local rc=0
    "$C2H_PYTHON" "$check" page "$out" "$work/$name.html" "$work/$name.dom" >"$work/$name.out" || rc=$?
    if [[ $rc != 0 ]] && grep -q "FAIL.*$want" "$work/$name.out"; then
        ok "$name: refused ($(grep -m1 "FAIL.*$want" "$work/$name.out" | sed 's/^ *FAIL //' | cut -c1-90))"
    else
        fail "$name: not refused (exit $rc, no FAIL matching '$want')"
        sed 's/^/    | /' "$work/$name.out" | head -40
    fi
}
broken_page script-error 's#</body>#<script>c2hNoSuchFunction();</script></body>#' "no script error"
# (Graphviz writes the '-' of the node's id as &#45;.)
broken_page c2-missing "s~id=\"c2\(-\|&#45;\)$c2\"~id=\"gone-1\"~; s~id=\"tl-$c2\"~id=\"gone-2\"~; s~id=\"h-$c2\"~id=\"gone-3\"~" \
    "node for each of the .* C2"
grep -q "FAIL.*timeline has a row" "$work/c2-missing.out" && grep -q "FAIL.*c2 table row" "$work/c2-missing.out" &&
    ok "c2-missing: the timeline and table checks fail too" || fail "c2-missing: timeline or table check passed"
broken_page fetches 's#</body>#<img alt="" src="https://example.invalid/x.png"></body>#' "no URL"

echo "== screenshot"
mkdir -p "$artifacts"
rm -f "$artifacts/report.png"
chrome --hide-scrollbars --window-size=1400,2400 --screenshot="$artifacts/report.png" "file://$out/report.html" >/dev/null || true
if [[ -s $artifacts/report.png && $(head -c 8 "$artifacts/report.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]]; then
    ok "screenshot: $artifacts/report.png ($(wc -c <"$artifacts/report.png") bytes)"
else
    fail "no screenshot at $artifacts/report.png"
    tail -5 "$work/chromium.err" | sed 's/^/    | /'
fi
cp "$out/graph.svg" "$out/report.html" "$artifacts/"

echo
if ((failures > 0)); then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
