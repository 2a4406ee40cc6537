#!/bin/bash
# security.sh: outputs and hostile strings (issue 6, item 6; docs/RELIABILITY.md).
#   (a) A symbolic link planted at the output path of run, ingest and gen (to a folder or a
#       file of someone else's), and at gen --csv's file: without --force exit 2 naming the
#       path, the link and its target untouched; with --force the link itself is replaced,
#       its target untouched. Links planted at the names gen once used for its CSV parts and
#       temporary file are not followed (those files are made by mkstemp/mkdtemp now). A link
#       or a folder of someone else's at OUT.ckpt is refused without --force; with --force a
#       link there, and links inside an output folder replaced, are removed as links: what they
#       point to is left alone (c2h_rmtree follows no link).
#   (b) An existing output (folder, or gen --csv file) without --force: exit 2, untouched.
#   (c) Hostile strings from input, through a real `run` under mpirun -np 2: customer names
#       (--customers) with <script>, quotes, backslashes, literal \n, commas, & and
#       entity-like text, a C0 control and U+2028; a Feodo Tracker seeds file with a hostile
#       family, at a path with <, > and a byte that is not UTF-8; a profile file whose name
#       has quotes, </title><script>, a backslash, & and a newline; an archive path with
#       quotes, <b>, &amp; and a newline; an output path with spaces and quotes. Then:
#       report.html (html.parser: no element or on* attribute injected, every string back
#       as text), report.json and stix.json (json.load; the strings round-trip),
#       profile.ini, graph.dot (dot -Tsvg reads it; its SVG is XML and carries the names),
#       graph.svg and graph.graphml (XML parses, names round-trip), roles.csv and
#       incidents.csv (csv parses; customer names round-trip exactly). The seeds' family
#       reaches no output file (only stderr), which the test checks too.
#   (d) nfdump is run with an argument vector: an input path with ;, $(...), backquotes and
#       quotes reaches a stand-in nfdump (--nfdump) as one argument, and no shell runs it.
set -euo pipefail

: "${C2HUNT:?}"
PY=${C2H_PYTHON:-/usr/bin/python3}
for tool in mpirun dot "$PY"; do
    if ! command -v "$tool" >/dev/null; then
        echo "SKIP: no $tool"
        exit 77
    fi
done
work=$(mktemp -d "${TMPDIR:-/tmp}/c2h-security.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
failures=0
ok() { echo "  ok   $*"; }
fail() {
    echo "  FAIL $*"
    failures=$((failures + 1))
}
show() { sed 's/^/    | /' "$work/err" | head -20; }
c2h() { # ARGS...: c2hunt (one rank, no mpirun), exit code in $rc, stderr in $work/err
    rc=0
    timeout 300 "$C2HUNT" "$@" >"$work/out" 2>"$work/err" || rc=$?
}
expect_rc() { # WANT WHAT
    if [[ $rc == "$1" ]]; then ok "$2: exit $1"; else
        fail "$2: exit $rc, expected $1"
        show
    fi
}
expect_msg() { # FIXED-TEXT WHAT
    if grep -qF -- "$1" "$work/err"; then ok "$2: says '$1'"; else
        fail "$2: no message with '$1'"
        show
    fi
}
snapshot() { (cd "$1" && find . \( -type f -o -type l \) -printf '%p %l\n' | sort && find . -type f -print0 | sort -z |
    xargs -0 -r md5sum); }
victims_intact() { # WHAT
    if snapshot "$work/victim" | cmp -s - "$work/victim.before" && [[ $(cat "$work/victim-file") == precious ]]; then
        ok "$1: the link targets are untouched"
    else
        fail "$1: a link target was changed"
    fi
}
still_link() { # PATH TARGET WHAT
    if [[ -L $1 && $(readlink "$1") == "$2" ]]; then ok "$3: the link is still there"; else fail "$3: the link was changed"; fi
}
replaced_link() { # PATH FILE-INSIDE WHAT
    if [[ ! -L $1 && -e $1/$2 ]]; then ok "$3: the link itself was replaced by the output"; else
        fail "$3: $1 is not a fresh output folder"
    fi
}

echo "== setup"
mkdir "$work/victim"
echo precious >"$work/victim/file"
mkdir "$work/victim/sub"
echo precious too >"$work/victim/sub/file"
echo precious >"$work/victim-file"
snapshot "$work/victim" >"$work/victim.before"
# The archive at a hostile path (it shows in report.json and report.html).
arch="$work/arch \"q\" <b>&amp; 'x'"$'\n'"nl"
c2h gen --preset small --flows 20000 --seed 1 --out "$arch" --csv "$work/flows.csv" --quiet
expect_rc 0 "gen to a path with quotes, <b>, &amp; and a newline"
seeds="$arch/seeds.txt"

echo "== (a) a symbolic link planted at the output path"
for cmd in run ingest gen; do
    case $cmd in
    run) args=(run --archive "$arch" --seeds "$seeds" --quiet) file=roles.csv ;;
    ingest) args=(ingest --format nfdump-csv "$work/flows.csv" --quiet) file=archive.ini ;;
    gen) args=(gen --preset small --flows 5000 --seed 4 --quiet) file=archive.ini ;;
    esac
    for target in victim victim-file; do
        link="$work/link-$cmd-$target"
        ln -s "$work/$target" "$link"
        c2h "${args[@]}" --out "$link"
        expect_rc 2 "$cmd --out LINK (to a ${target/victim-file/file})"
        if [[ $cmd == run ]]; then expect_msg "link-$cmd-$target: already exists" "$cmd --out LINK"; else
            expect_msg "link-$cmd-$target: already exists as a symbolic link" "$cmd --out LINK"
        fi
        still_link "$link" "$work/$target" "$cmd --out LINK"
        c2h "${args[@]}" --out "$link" --force
        expect_rc 0 "$cmd --out LINK --force"
        replaced_link "$link" "$file" "$cmd --out LINK --force"
        victims_intact "$cmd --out LINK (--force)"
    done
done
ln -s "$work/nowhere" "$work/dangling"
c2h run --archive "$arch" --seeds "$seeds" --quiet --out "$work/dangling"
expect_rc 2 "run --out DANGLING-LINK"
if [[ -L $work/dangling && ! -e $work/nowhere ]]; then ok "a dangling link is left as it is"; else fail "dangling link followed"; fi

echo "== (a) gen --csv: a link at the CSV path, and at the names of the old temporaries"
ln -s "$work/victim-file" "$work/l.csv"
c2h gen --preset small --flows 5000 --seed 4 --quiet --out "$work/g-csv" --csv "$work/l.csv"
expect_rc 2 "gen --csv LINK"
expect_msg "l.csv: already exists as a symbolic link" "gen --csv LINK"
if [[ ! -e $work/g-csv ]]; then ok "gen --csv LINK: no archive written"; else fail "gen --csv LINK: archive written"; fi
c2h gen --preset small --flows 5000 --seed 4 --quiet --out "$work/g-csv" --csv "$work/l.csv" --force
expect_rc 0 "gen --csv LINK --force"
if [[ -f $work/l.csv && ! -L $work/l.csv ]] && head -1 "$work/l.csv" | grep -q '^ts,te,td,'; then
    ok "gen --csv LINK --force: the link itself was replaced by the CSV"
else
    fail "gen --csv LINK --force: l.csv is not the CSV"
fi
for name in c.csv.0.part c.csv.1.part c.csv.tmp; do ln -s "$work/victim-file" "$work/$name"; done
rc=0
timeout 300 mpirun --oversubscribe -np 2 "$C2HUNT" gen --preset small --flows 5000 --seed 4 --quiet --out "$work/g-c" \
    --csv "$work/c.csv" >"$work/out" 2>"$work/err" || rc=$?
expect_rc 0 "gen -np 2 --csv with links planted at CSV.0.part, CSV.1.part, CSV.tmp"
victims_intact "gen --csv, planted links"
if cmp -s "$work/c.csv" "$work/l.csv"; then ok "gen -np 2 --csv: the same CSV as 1 rank"; else fail "gen -np 2 --csv: CSV differs"; fi
if compgen -G "$work/.c.csv.partial-*" >/dev/null || compgen -G "$work/.g-c.partial-*" >/dev/null; then
    fail "gen --csv: a temporary file or staging folder is left"
else
    ok "gen --csv: no temporary file or staging folder left"
fi

echo "== (a) a link at OUT.ckpt, and links inside an output folder replaced with --force"
ln -s "$work/victim" "$work/ck.ckpt"
c2h run --archive "$arch" --seeds "$seeds" --quiet --out "$work/ck"
expect_rc 2 "run with a link at OUT.ckpt, no --force"
if grep -q "ck.ckpt: is a symbolic link" "$work/err" && [[ -L $work/ck.ckpt && ! -e $work/ck ]]; then
    ok "refused, naming the link; the link and no output left"
else fail "OUT.ckpt link: $(cat "$work/err")"; fi
c2h run --archive "$arch" --seeds "$seeds" --quiet --out "$work/ck" --force
expect_rc 0 "run --force with a link (to a folder without state.ini) at OUT.ckpt"
if [[ ! -e $work/ck.ckpt && -f $work/ck/roles.csv ]]; then ok "the link at OUT.ckpt was removed as a link"; else
    fail "OUT.ckpt: $(ls -ld "$work/ck.ckpt" 2>&1)"
fi
victims_intact "link at OUT.ckpt"
mkdir "$work/ck2.ckpt" && echo mine >"$work/ck2.ckpt/notes.txt"
c2h run --archive "$arch" --seeds "$seeds" --quiet --out "$work/ck2"
expect_rc 2 "run with someone's folder at OUT.ckpt, no --force"
if grep -q "not c2hunt's checkpoints" "$work/err" && [[ -f $work/ck2.ckpt/notes.txt ]]; then
    ok "refused; the folder and its file untouched"
else fail "OUT.ckpt folder: $(cat "$work/err")"; fi
mkdir -p "$work/old/deep"
ln -s "$work/victim" "$work/old/to-folder"
ln -s "$work/victim-file" "$work/old/deep/to-file"
ln -s "$work/victim/sub" "$work/old/deep/to-sub"
c2h run --archive "$arch" --seeds "$seeds" --quiet --out "$work/old" --force
expect_rc 0 "run --force over a folder holding links"
if [[ -f $work/old/roles.csv && ! -e $work/old/deep ]]; then ok "the old folder was replaced"; else fail "old folder not replaced"; fi
victims_intact "links inside a replaced folder"

echo "== (b) an existing output without --force"
for cmd in run ingest gen; do
    case $cmd in
    run) args=(run --archive "$arch" --seeds "$seeds" --quiet) ;;
    ingest) args=(ingest --format nfdump-csv "$work/flows.csv" --quiet) ;;
    gen) args=(gen --preset small --flows 5000 --seed 4 --quiet) ;;
    esac
    mkdir "$work/exists-$cmd"
    echo mine >"$work/exists-$cmd/keep"
    c2h "${args[@]}" --out "$work/exists-$cmd"
    expect_rc 2 "$cmd --out EXISTING"
    expect_msg "exists-$cmd: already exists (use --force to replace it)" "$cmd --out EXISTING"
    if [[ $(ls "$work/exists-$cmd") == keep && $(cat "$work/exists-$cmd/keep") == mine ]]; then
        ok "$cmd --out EXISTING: untouched"
    else
        fail "$cmd --out EXISTING: changed"
    fi
done
echo mine >"$work/exists.csv"
c2h gen --preset small --flows 5000 --seed 4 --quiet --out "$work/g-exists" --csv "$work/exists.csv"
expect_rc 2 "gen --csv EXISTING-FILE"
if [[ $(cat "$work/exists.csv") == mine && ! -e $work/g-exists ]]; then ok "gen --csv EXISTING-FILE: untouched, no archive"; else
    fail "gen --csv EXISTING-FILE: changed, or an archive written"
fi
if compgen -G "$work/.*.partial-*" >/dev/null; then fail "a staging folder is left: $(ls -d "$work"/.*.partial-*)"; else
    ok "no staging folder left by (a) and (b)"
fi

echo "== (c) hostile strings"
customers="$work/customers.csv"
seeds_feodo="$work/seeds <script> "$'\xff'".csv"
profile="$work/evil profile.ini"
family='Evil<script>alert(4)</script>,"fam" '$'\e''[31m'
"$PY" - "$arch/customers.csv" "$customers" "$seeds" "$seeds_feodo" "$family" "$profile" <<'EOF'
import sys
src, customers, seeds, feodo, family, profile = [sys.argv[1], sys.argv[2], sys.argv[3]] + [
    a.encode('utf-8', 'surrogateescape') for a in sys.argv[4:7]]
# One hostile name per customer network of the generator's map (each has victims).
names = ['<script>alert(1)</script>',
         '"Quotes" & \'Apostrophes\' &amp; &#60;b&#62;',
         'Back\\slash \\n \\" \\\\ end\\',
         'Comma, Inc.; =HYPERLINK("x") </td></tr><img src=x onerror=alert(2)>',
         'Ünïcödé ✓ \u2028 \x1b[31m ESC ]]> -->']
nets = [l.split(',')[0] for l in open(src, encoding='utf-8').read().splitlines()[1:]]
assert len(nets) >= len(names), nets
with open(customers, 'w', encoding='utf-8') as f:
    f.write('cidr,customer\n')
    for net, name in zip(nets, names):
        f.write(net + ',"' + name.replace('"', '""') + '"\n')
ips = [l.strip() for l in open(seeds) if l.strip() and not l.startswith('#')]
fam = family.decode()
with open(feodo, 'w', encoding='utf-8') as f:
    f.write('# abuse.ch Feodo Tracker-like list\n"first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware"\n')
    for ip in ips:
        f.write('"2021-01-17 07:30:05","%s","443","online","2021-09-08","%s"\n' % (ip, fam.replace('"', '""')))
with open(profile, 'w', encoding='utf-8') as f:  # GKeyFile escapes: \\ a backslash, \n a newline
    f.write('[profile]\nname=Evil "profile" </title><script>alert(3)</script> \\\\ back & amp\\nsecond line\n')
EOF
profile_name='Evil "profile" </title><script>alert(3)</script> \ back & amp'$'\n''second line'
out="$work/out dir \"q\" 'x' <i>"
rc=0
timeout 300 mpirun --oversubscribe -np 2 "$C2HUNT" run --archive "$arch" --seeds "$seeds_feodo" --profile "$profile" \
    --customers "$customers" --out "$out" --quiet >"$work/out" 2>"$work/err" || rc=$?
expect_rc 0 "run (2 ranks) with hostile customers, seeds, profile, archive and output paths"
if [[ $rc == 0 ]]; then
    "$PY" - "$out" "$arch" "$seeds_feodo" "$profile_name" "$customers" "$family" <<'EOF' || fail "the outputs of the hostile run (above)"
import csv, html.parser, json, os, subprocess, sys
import xml.etree.ElementTree as ET

out, archive, seeds, profile, customers_csv, family = sys.argv[1:7]
fails = 0
def check(cond, msg):
    global fails
    print(('  ok   ' if cond else '  FAIL ') + msg)
    fails += not cond
def text_form(s):
    """What c2h_append_xml_escaped keeps of s, as a parser gives it back: CR as LF, and no
    character XML/HTML text may not hold (C0 but tab and LF, DEL, C1, U+FFFE, U+FFFF)."""
    s = s.replace('\r', '\n')
    return ''.join(c for c in s if not ((ord(c) < 0x20 and c not in '\t\n') or 0x7f <= ord(c) <= 0x9f
                                        or c in '\ufffe\uffff'))
# Paths that are not UTF-8 are shown with U+FFFD for the bad bytes.
shown = lambda s: os.fsencode(s).decode('utf-8', 'replace')
archive, seeds = shown(archive), shown(seeds)
names = [r[1] for r in list(csv.reader(open(customers_csv, encoding='utf-8')))[1:]]
path = lambda f: os.path.join(out, f)

# report.html: the only elements are the page's own; the strings come back as text.
class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.handlers, self.text, self.attrs = [], [], [], []
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.handlers += [(tag, k) for k, v in attrs if k.startswith('on')]
        self.attrs += [v for k, v in attrs if v is not None]
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
    def handle_data(self, d):
        self.text.append(d)
page = Page()
page.feed(open(path('report.html'), encoding='utf-8').read())
page.close()
text = ''.join(page.text)
check(page.tags.count('script') == 2, 'report.html: only the page\'s own 2 <script> elements (found %d)' % page.tags.count('script'))
check('img' not in page.tags, 'report.html: no <img> injected')
check(not page.handlers, 'report.html: no on* attribute (%s)' % page.handlers[:3])
for s, what in [(archive, 'archive path'), (seeds, 'seeds path'), (profile, 'profile name')] + [(n, 'customer %r' % n) for n in names]:
    check(text_form(s) in text, 'report.html: the %s comes back as text' % what)
check(any(text_form(names[0]) in a for a in page.attrs), 'report.html: the graph in it carries a customer group as a tooltip')

# report.json and stix.json: valid JSON, the strings round-trip.
rep = json.load(open(path('report.json'), encoding='utf-8'))
check(rep['archive'] == archive, 'report.json: the archive path round-trips')
check(rep['seeds'] == seeds, 'report.json: the seeds path round-trips (U+FFFD for the byte that is not UTF-8)')
check(rep['profile'] == profile, 'report.json: the profile name round-trips')
raw = open(path('report.json'), 'rb').read() + open(path('stix.json'), 'rb').read()
check(b'<' not in raw and b'>' not in raw, 'report.json, stix.json: < and > only as \\u escapes')
stix = json.load(open(path('stix.json'), encoding='utf-8'))
infra = [o for o in stix['objects'] if o['type'] == 'infrastructure']
check(len(infra) == 1 and infra[0]['name'] == profile + ' botnet', 'stix.json: the infrastructure name round-trips')
check(len(infra) == 1 and '(profile %s)' % profile in infra[0]['description'], 'stix.json: so does its description')
line = [l for l in open(path('profile.ini'), encoding='utf-8').read().splitlines() if l.startswith('name=')]
check(len(line) == 1 and line[0][5:].replace('\\n', '\n').replace('\\\\', '\\') == profile,
      'profile.ini: the name is one line that unescapes to the profile name')

# graph.dot: Graphviz reads it; its SVG is XML and carries the customer groups.
svg = subprocess.run(['dot', '-Tsvg', path('graph.dot')], capture_output=True)
check(svg.returncode == 0 and not svg.stderr.strip(), 'graph.dot: dot -Tsvg reads it without a message %s' % svg.stderr[:200])
vals = lambda root: [t for e in root.iter() for t in [e.text or ''] + list(e.attrib.values())]
for what, root in [('dot -Tsvg graph.dot', ET.fromstring(svg.stdout)), ('graph.svg', ET.parse(path('graph.svg')).getroot())]:
    found = [n for n in names if any(text_form(n) in v for v in vals(root))]
    check(names[0] in found and len(found) >= 3, '%s: XML; %d customer names back as text' % (what, len(found)))

# graph.graphml: XML; the group of a node is the customer name.
g = ET.parse(path('graph.graphml'))
groups = [d.text for d in g.getroot().iter('{http://graphml.graphdrawing.org/xmlns}data') if d.get('key') == 'n_group']
clean = {text_form(n) for n in names}
check(groups and all(x in clean or x.endswith(')') or x.endswith('...') for x in groups),
      'graph.graphml: XML; %d n_group values, each a customer name (or a list of them)' % len(groups))
check(len(set(groups) & clean) >= 3, 'graph.graphml: %d customer names round-trip' % len(set(groups) & clean))

# roles.csv and incidents.csv: CSV parses, fields round-trip.
roles = list(csv.reader(open(path('roles.csv'), encoding='utf-8', newline='')))
check(roles[0][:3] == ['ip', 'role', 'score'] and all(len(r) == 9 for r in roles), 'roles.csv: 9 fields a row')
inc = list(csv.reader(open(path('incidents.csv'), encoding='utf-8', newline='')))
check(all(len(r) == 6 for r in inc), 'incidents.csv: 6 fields a row')
check(sorted(r[0] for r in inc[1:]) == sorted(names), 'incidents.csv: every customer name round-trips exactly')

# The seeds' family goes to stderr only; a file that one day carries it must escape it.
carry = [f for f in sorted(os.listdir(out)) if b'Evil<script>alert(4)' in open(path(f), 'rb').read()
         or b'alert(4)' in open(path(f), 'rb').read()]
check(not carry, 'the seeds\' family is in no output file (in: %s)' % carry)
sys.exit(1 if fails else 0)
EOF
fi

echo "== (c) ingest from and to paths with spaces, quotes and <>"
in_csv="$work/in \"q\" 'x' <i>.csv"
cp "$work/flows.csv" "$in_csv"
c2h ingest --format nfdump-csv --out "$work/arch 2 \"q\" 'x' <i>" "$in_csv" --quiet
expect_rc 0 "ingest"
c2h inspect --verify "$work/arch 2 \"q\" 'x' <i>"
expect_rc 0 "inspect --verify of it"

echo "== (d) nfdump gets an argument vector, no shell"
nasty="$work/nf; touch PWNED1 \$(touch PWNED2) \`touch PWNED3\` 'q\" x.nfcapd"
: >"$nasty"
cat >"$work/fake-nfdump" <<'EOF'
#!/bin/bash
# Stand-in for nfdump: record the arguments, one per line, and print no flows.
for a in "$@"; do printf '%s\n' "$a"; done >"$(dirname "$0")/nfdump.args"
echo 'tsr,td,sa,da,sp,dp,pr,flg,ipkt,ibyt'
EOF
chmod +x "$work/fake-nfdump"
(cd "$work" && timeout 300 "$C2HUNT" ingest --format nfcapd --nfdump "$work/fake-nfdump" --out "$work/nf-arch" \
    "$nasty" --quiet >"$work/out" 2>"$work/err") || true
if grep -qxF -- "$nasty" "$work/nfdump.args" 2>/dev/null; then ok "nfdump got the path as one argument"; else
    fail "nfdump's arguments: $(tr '\n' '|' <"$work/nfdump.args" 2>/dev/null)"
fi
if compgen -G "$work/PWNED*" >/dev/null; then fail "a shell ran the path"; else
    ok "no shell ran the path"
fi

echo
if ((failures > 0)); then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
