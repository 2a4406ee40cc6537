#!/bin/bash
# valgrind.sh: Valgrind memcheck of the MPI subcommands (issue 6, item 7). Each step runs as
#   mpirun -np 2 valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
#       --suppressions=<Open MPI's openmpi-valgrind.supp> --suppressions=tests/valgrind.supp c2hunt ...
# on a tiny data set: gen (small preset, 1 day, 3,000 flows, --csv), ingest of that CSV split
# in two files (one per rank), inspect --verify of both archives, run with --customers (so
# graph, report.html, stix.json and incidents.csv are made; over a copy with one corrupt
# chunk, with --skip-bad-shards, so a failed read's path is checked too), and diff of the run
# against an older roles.csv. Each step must succeed with its usual output.
#
# An error counts against us when its stack has a frame in the c2hunt binary (all of our code
# is linked into it) above the first Open MPI or HDF5 entry point it called into for start-up
# or shut-down (MPI_Init, MPI_Finalize, H5open, the HDF5 library's atexit teardown): a leak
# inside MPI_Init is Open MPI's even though main and c2h_comm_init sit below it. The known
# library-internal errors are suppressed by tests/valgrind.supp (each entry says why); any
# other error with no frame of ours is listed as a note and does not fail the test. Any error
# of ours fails it, with its stack printed.
#
# Skipped (77) without valgrind, mpirun or python3, and in a sanitizer build (C2H_SANITIZE:
# ASan and Valgrind do not mix). About 2 minutes on 2 idle cores.
set -euo pipefail

: "${C2HUNT:?}" "${C2H_SRC:?}"
py=${C2H_PYTHON:-python3}
if [[ ${C2H_SANITIZE:-} == 1 ]] || ldd "$C2HUNT" 2>/dev/null | grep -q 'libasan'; then
    echo "SKIP: a sanitizer build (C2H_SANITIZE): Valgrind does not run AddressSanitizer binaries"
    exit 77
fi
for tool in valgrind mpirun; do
    command -v "$tool" >/dev/null || { echo "SKIP: no $tool (apt install ${tool/mpirun/openmpi-bin})"; exit 77; }
done
command -v "$py" >/dev/null || { echo "SKIP: no $py"; exit 77; }
ompi_supp=
for f in /usr/share/openmpi/openmpi-valgrind.supp "$(dirname "$(dirname "$(command -v mpirun)")")/share/openmpi/openmpi-valgrind.supp"; do
    [[ -f $f ]] && { ompi_supp=$f; break; }
done
[[ -n $ompi_supp ]] || { echo "SKIP: Open MPI's openmpi-valgrind.supp not found"; exit 77; }
our_supp=$C2H_SRC/tests/valgrind.supp

work=$(mktemp -d "${TMPDIR:-/tmp}/c2h-valgrind.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
mkdir "$work/vg"
# Open MPI keeps its components loaded, so their frames have names in the reports.
export OMPI_MCA_mca_base_component_disable_dlclose=1

failures=0
ok() { echo "  ok   $*"; }
fail() {
    echo "  FAIL $*"
    failures=$((failures + 1))
}
# vg_run STEP PROGRAM ARGS...: mpirun -np 2 valgrind PROGRAM ARGS, one XML report per rank in
# vg/; the exit code in $vg_rc, and $vg_ours 1 when an error has a frame of PROGRAM (printed
# with its stack; library-only errors are printed as notes).
vg_run() {
    local step=$1 prog
    prog=$(readlink -f "$2")
    shift 2
    printf '== %s: mpirun -np 2 valgrind %s' "$step" "$(basename "$prog")"
    (($# == 0)) || printf ' %q' "$@"
    echo
    local t0=$SECONDS
    vg_rc=0
    mpirun -np 2 valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        --show-leak-kinds=definite --num-callers=50 --suppressions="$ompi_supp" --suppressions="$our_supp" \
        --xml=yes --xml-file="$work/vg/$step.%p.xml" --log-file="$work/vg/$step.%p.log" \
        "$prog" "$@" >"$work/$step.out" 2>"$work/$step.err" || vg_rc=$?
    echo "  exit $vg_rc after $((SECONDS - t0)) s"
    vg_ours=0
    "$py" - "$prog" "$work/vg/$step".*.xml <<'EOF' || vg_ours=1
import sys
import xml.etree.ElementTree as ET

binary = sys.argv[1]
# Where our code stops being the caller: start-up and shut-down of the libraries.
ENTRY = {"PMPI_Init", "MPI_Init", "PMPI_Init_thread", "PMPI_Finalize", "MPI_Finalize", "ompi_mpi_init",
         "ompi_mpi_finalize", "H5open", "H5_init_library", "H5_term_library", "H5close", "_dl_init",
         "_dl_fini", "__libc_start_call_main"}
ours, theirs = [], []
for path in sys.argv[2:]:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:  # a rank killed mid-write: the text log has the rest
        print(f"    {path}: unreadable XML report ({e})")
        ours.append(("?", "an unreadable report", []))
        continue
    for err in root.iter("error"):
        kind = err.findtext("kind")
        if kind.startswith("Leak_") and kind != "Leak_DefinitelyLost":
            continue  # --errors-for-leak-kinds=definite: the others are not errors
        what = err.findtext("what") or err.findtext("xwhat/text") or ""
        frames = []
        for fr in err.find("stack").iter("frame"):
            fn = fr.findtext("fn") or "???"
            where = f"{fr.findtext('file')}:{fr.findtext('line')}" if fr.findtext("file") else fr.findtext("obj") or "?"
            frames.append((fn, where, fr.findtext("obj") == binary))
        mine = False
        for fn, _, in_binary in frames:
            if fn in ENTRY:
                break
            if in_binary:
                mine = True
                break
        (ours if mine else theirs).append((kind, what, frames))
for label, errs in (("OURS", ours), ("library-only (not ours; add a suppression to tests/valgrind.supp)", theirs)):
    for kind, what, frames in errs:
        print(f"    {label}: {kind}: {what}")
        for fn, where, in_binary in frames[:25]:
            print(f"      {'*' if in_binary else ' '} {fn} ({where})")
sys.exit(1 if ours else 0)
EOF
}
# vg STEP ARGS...: a step of c2hunt under Valgrind; it must exit 0 (99: Valgrind errors, all
# in libraries) and have no error of ours.
vg() {
    local step=$1
    shift
    vg_run "$step" "$C2HUNT" "$@"
    if [[ $vg_rc != 0 && $vg_rc != 99 ]]; then
        fail "$step: exit $vg_rc"
        sed 's/^/    | /' "$work/$step.err" | head -20
    fi
    if ((vg_ours)); then
        fail "$step: Valgrind found errors in c2hunt's code (stacks above, * = our frames)"
    elif [[ $vg_rc == 99 ]]; then
        ok "$step: Valgrind's errors are all in libraries (notes above)"
    else
        ok "$step: no Valgrind error"
    fi
}

# ---- the check can fail: a leak and a read past a block in a program's own code ------------
# Built here (cc) and run the same way: both errors must be found and called ours despite the
# suppressions, or the test would prove nothing.
if command -v cc >/dev/null; then
    cat >"$work/bad.c" <<'EOF'
#include <stdlib.h>
#include <string.h>
static char *volatile keep;
__attribute__((noinline)) static int leak_and_overread(int n)
{
    char *lost = malloc(64), *small = malloc(8);
    memset(lost, 1, 64);
    memset(small, 2, 8);
    keep = lost;
    keep = NULL; /* the only pointer gone: definitely lost */
    int x = small[n]; /* n = 8: one past the end */
    free(small);
    return x;
}
int main(int argc, char **argv)
{
    (void)argv;
    return leak_and_overread(argc + 7) == 12345;
}
EOF
    if cc -g -O0 -o "$work/bad" "$work/bad.c"; then
        vg_run selfcheck "$work/bad"
        if [[ $vg_rc == 99 ]] && ((vg_ours)) && grep -q 'Leak_DefinitelyLost' "$work/vg/"selfcheck.*.xml &&
            grep -q 'InvalidRead' "$work/vg/"selfcheck.*.xml; then
            ok "self-check: a definite leak and an invalid read in the program's own code fail (exit 99, ours)"
        else
            fail "self-check: the planted leak and invalid read were not reported as ours (exit $vg_rc, ours $vg_ours)"
        fi
    else
        echo "  (cc failed: self-check skipped)"
    fi
else
    echo "  (no cc: self-check skipped)"
fi

# ---- the steps -----------------------------------------------------------------------------
vg gen gen --preset small --seed 3 --days 1 --flows 3000 --out "$work/g" --csv "$work/g.csv" --quiet
if [[ -f $work/g/index.tsv && -f $work/g.csv ]]; then ok "gen: archive and CSV made"; else fail "gen made nothing"; fi
# Two CSV files, one per rank.
{ head -1 "$work/g.csv"; tail -n +2 "$work/g.csv" | awk 'NR % 2 == 1'; } >"$work/a.csv"
{ head -1 "$work/g.csv"; tail -n +2 "$work/g.csv" | awk 'NR % 2 == 0'; } >"$work/b.csv"
vg ingest ingest --format nfdump-csv --out "$work/i" --quiet "$work/a.csv" "$work/b.csv"
rows=$(sed -n 's/^rows=//p' "$work/g/archive.ini")
if [[ $(sed -n 's/^rows=//p' "$work/i/archive.ini" 2>/dev/null) == "$rows" ]]; then ok "ingest: $rows rows, as gen wrote"; else
    fail "ingest: not $rows rows"
fi
vg inspect inspect --verify "$work/i"
if grep -qE "^rows +$rows " "$work/inspect.out"; then ok "inspect --verify: $rows rows"; else fail "inspect --verify output"; fi
# run over a copy with one corrupt chunk, with --skip-bad-shards: the outputs of the other
# shards and, under Valgrind, the error path of a failed chunk read too.
cp -a "$work/g" "$work/gbad"
bad=$(awk -F'\t' 'NR > 1 { s = $1 } END { print s }' "$work/gbad/index.tsv")
skip=()
if HDF5_PLUGIN_PATH=${C2H_PLUGIN_DIR:-} "$py" - "$work/gbad/$bad" <<'EOF'; then skip=(--skip-bad-shards); fi
import sys
import h5py
with h5py.File(sys.argv[1], "r") as f:
    info = f["flows"]["dst_addr"].id.get_chunk_info(0)
with open(sys.argv[1], "r+b") as f:
    f.seek(info.byte_offset + info.size // 2)
    b = f.read(1)[0]
    f.seek(info.byte_offset + info.size // 2)
    f.write(bytes([b ^ 0xFF]))
EOF
((${#skip[@]})) || echo "  (no h5py: run over the sound archive, without --skip-bad-shards)"
A=$work/g
((${#skip[@]} == 0)) || A=$work/gbad
vg run run --archive "$A" --seeds "$work/g/seeds.txt" --customers "$work/g/customers.csv" --out "$work/r1" --quiet "${skip[@]}"
if ((${#skip[@]})); then
    if grep -qF "skipping bad shard $A/$bad" "$work/run.err"; then ok "run: the corrupt shard $bad skipped"; else
        fail "run: no warning that $bad was skipped"
        sed 's/^/    | /' "$work/run.err" | head -10
    fi
fi
for f in roles.csv report.json metrics.json graph.svg report.html stix.json incidents.csv; do
    [[ -s $work/r1/$f ]] || fail "run: no $f"
done
if [[ $(wc -l <"$work/r1/roles.csv" 2>/dev/null || echo 0) -gt 5 ]]; then
    ok "run: $(($(wc -l <"$work/r1/roles.csv") - 1)) hosts labeled, every output made"
else
    fail "run: roles.csv has too few hosts"
fi
# diff: against an older roles.csv made from this one (every third host gone, one role changed).
awk -F, -v OFS=, 'NR == 1 || NR % 3 != 0 { if (NR == 2) $2 = "scanner"; print }' "$work/r1/roles.csv" >"$work/old.csv"
vg diff diff "$work/old.csv" "$work/r1"
if grep -qE '[1-9][0-9]* appeared, 1 changed role' "$work/diff.out"; then ok "diff: $(tail -1 "$work/diff.out")"; else
    fail "diff: expected hosts appeared and 1 changed role"
    sed 's/^/    | /' "$work/diff.out" | tail -5
fi

echo
if ((failures > 0)); then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
