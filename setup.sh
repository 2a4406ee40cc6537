#!/usr/bin/env bash
# setup.sh: the two commands of the README.
#   ./setup.sh demo   install what is missing (Debian 12, as root), build, run the demo job
#   ./setup.sh test   install what is missing, build, run the whole test suite, then again
#                     under AddressSanitizer and UBSan, then each fuzz target for a short time
set -euo pipefail
cd "$(dirname "$0")"
mode=${1:-}
case "$mode" in demo|test) ;; *) echo "usage: $0 demo|test" >&2; exit 1 ;; esac

# What c2hunt needs from Debian 12, for building, running and testing.
packages=(build-essential cmake pkg-config git
          openmpi-bin libopenmpi-dev libhdf5-openmpi-dev hdf5-tools
          libzstd-dev zstd libglib2.0-dev libcmocka-dev
          nfdump python3 python3-h5py python3-numpy procps
          libfixbuf-dev libgraphviz-dev graphviz libjson-glib-dev chromium
          slurm-wlm munge valgrind clang libclang-rt-14-dev llvm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# mpirun refuses root unless told, and more ranks than cores unless oversubscribed.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
jobs=$(nproc)

build() { # build DIR [cmake args...]
  local dir=$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

if [ "$mode" = demo ]; then
  build build
  out=$(mktemp -d /tmp/c2hunt-demo.XXXXXX)
  echo "== demo: generate a small scenario with a planted botnet, as an archive and as nfdump CSV (2 ranks)"
  mpirun -np 2 build/bin/c2hunt gen --preset small --seed 1 --out "$out/gen" --csv "$out/flows.csv"
  echo "== demo: ingest the CSV into an archive (2 ranks)"
  mpirun -np 2 build/bin/c2hunt ingest --format nfdump-csv --out "$out/archive" "$out/flows.csv"
  build/bin/c2hunt inspect --verify "$out/archive"
  echo "== demo: map the C2 infrastructure from the seeds (2 ranks)"
  cat "$out/gen/seeds.txt"
  mpirun -np 2 build/bin/c2hunt run --archive "$out/archive" --seeds "$out/gen/seeds.txt" \
    --customers "$out/gen/customers.csv" --out "$out/result"
  echo "== demo: roles.csv (first lines), and the labels against the planted truth"
  head -12 "$out/result/roles.csv"
  /usr/bin/python3 bench/score.py "$out/gen/truth.csv" "$out/result/roles.csv"
  echo "demo outputs in $out/result: report.html (open it in a browser), graph.svg, roles.csv, report.json, stix.json, incidents.csv, metrics.json"
  exit 0
fi

build build
(cd build && ctest --output-on-failure -j "$jobs")
echo "== the same tests under AddressSanitizer and UBSan"
build build-asan -DC2H_SANITIZE=ON
export ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
(cd build-asan && ctest --output-on-failure -j "$jobs")
echo "== fuzzing: every libFuzzer target for a short fixed time, then its regression inputs"
CC=clang cmake -S . -B build-fuzz -DC2H_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz --target fuzz -j "$jobs"
(cd build-fuzz && C2H_FUZZ_SECONDS=${C2H_FUZZ_SECONDS:-15} ctest --output-on-failure -L fuzz -j "$jobs")
