#!/bin/bash
# interop_zstd_cli.sh: a shard's chunks are plain zstd frames: the zstd command-line tool
# decodes c2hunt's chunks, and c2hunt reads chunks the zstd tool made. The checks are in
# interop_zstd_cli.py (which uses interop_h5py.py's helpers).
set -euo pipefail

: "${C2HUNT:?}" "${C2H_PLUGIN_DIR:?}" "${C2H_PYTHON:?}" "${C2H_SRC:?}"
if ! "$C2H_PYTHON" -c 'import h5py, numpy' 2>/dev/null; then
    echo "SKIP: $C2H_PYTHON has no h5py/numpy (apt install python3-h5py)"
    exit 77
fi
if ! command -v zstd >/dev/null; then
    echo "SKIP: no zstd command-line tool (apt install zstd)"
    exit 77
fi
if [[ ! -f $C2H_PLUGIN_DIR/libh5zstd.so ]]; then
    echo "FAIL: the plugin $C2H_PLUGIN_DIR/libh5zstd.so was not built"
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/c2h-interop-zstd.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

export HDF5_PLUGIN_PATH=$C2H_PLUGIN_DIR
rc=0
"$C2H_PYTHON" "$C2H_SRC/tests/interop_zstd_cli.py" "$work" || rc=$?
exit "$rc"
