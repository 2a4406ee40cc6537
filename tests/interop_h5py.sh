#!/bin/bash
# interop_h5py.sh: c2hunt's shards and Debian's h5py (and h5dump), both ways, through the
# zstd filter plugin (HDF5_PLUGIN_PATH=$C2H_PLUGIN_DIR). The checks are in interop_h5py.py.
set -euo pipefail

: "${C2HUNT:?}" "${C2H_PLUGIN_DIR:?}" "${C2H_PYTHON:?}" "${C2H_SRC:?}"
if ! "$C2H_PYTHON" -c 'import h5py, numpy' 2>/dev/null; then
    echo "SKIP: $C2H_PYTHON has no h5py/numpy (apt install python3-h5py)"
    exit 77
fi
if ! command -v h5dump >/dev/null; then
    echo "SKIP: no h5dump (apt install hdf5-tools)"
    exit 77
fi
if [[ ! -f $C2H_PLUGIN_DIR/libh5zstd.so ]]; then
    echo "FAIL: the plugin $C2H_PLUGIN_DIR/libh5zstd.so was not built"
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/c2h-interop-h5py.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

export HDF5_PLUGIN_PATH=$C2H_PLUGIN_DIR
rc=0
"$C2H_PYTHON" "$C2H_SRC/tests/interop_h5py.py" "$work" || rc=$?
exit "$rc"
