# Interoperability of shards with other tools, and refusal of bad input.
#   interop_h5py:     Debian's h5py and h5dump read c2hunt's shards through the plugin, and
#                     c2hunt reads shards h5py wrote (interop_h5py.py).
#   interop_zstd_cli: chunks are plain zstd frames (content size, checksum), both ways with
#                     the zstd command-line tool (interop_zstd_cli.py).
#   bad_input:        exit 2, file and place named, no archive left: bad CSV lines, truncated
#                     and corrupt shards, wrong schema, unknown format, odd paths.
c2h_add_script_test(interop_h5py interop_h5py.sh)
c2h_add_script_test(interop_zstd_cli interop_zstd_cli.sh)
c2h_add_script_test(bad_input bad_input.sh)
set_tests_properties(interop_h5py interop_zstd_cli bad_input PROPERTIES LABELS interop TIMEOUT 300)
