# A dying rank (issue 6, item 3; docs/RELIABILITY.md): one rank of a 2-rank `run` killed with
# SIGKILL after the checkpoint of pass 1 (rank 1; then rank 0 in a --force run over an earlier
# output): mpirun ends by itself (a hang fails), exit not 0, no rank left, no output or staging
# folder (the earlier output intact), and `run --resume` gives the uninterrupted roles.csv;
# rank 1, then rank 0, killed in the middle of a 2-rank `ingest`: no archive, no staging folder.
c2h_add_script_test(dying_rank dying_rank.sh)
set_tests_properties(dying_rank PROPERTIES LABELS run TIMEOUT 900)
