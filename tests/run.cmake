# End-to-end tests of `c2hunt run` (mpi/cmd_run.c) on generated and hand-made archives.
#   run_ranks:   roles.csv byte-identical under mpirun -np 1, 2, 3, 4 and 7, and not trivial.
#   run_quality: the labels against the generator's truth (bench/score.py) for several seeds,
#                with thresholds stated in the script.
#   run_outputs: roles.csv columns, order and times; report.json evidence per role agreeing
#                with roles.csv; metrics.json per phase and rank; --until drops every flow at
#                or after T; progress on stderr, none with --quiet.
#   run_bad:     bad seeds, missing archive, existing --out, a corrupt shard under mpirun -np 2
#                and a bad profile: exit 2, the file and place named, nothing left behind.
c2h_add_script_test(run_ranks run_ranks.sh)
c2h_add_script_test(run_quality run_quality.sh)
c2h_add_script_test(run_outputs run_outputs.sh)
c2h_add_script_test(run_bad run_bad.sh)
set_tests_properties(run_ranks run_quality run_outputs run_bad PROPERTIES LABELS run TIMEOUT 300)
