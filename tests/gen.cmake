# The scenario generator (gen/) and `c2hunt gen`.
#   test_gen:  the library called directly: the same flows whatever the ranks, seeds matter,
#              the truth holds every role and agrees with the flows (test_gen.c).
#   gen_ranks: `mpirun -np 1` and `-np 3` give the same rows, truth.csv, seeds.txt and CSV;
#              another seed gives another archive.
#   gen_csv:   the --csv file ingested again gives the archive's flows back; errors exit 1 or 2
#              and leave nothing behind.
c2h_add_cmocka_test(test_gen ${CMAKE_CURRENT_SOURCE_DIR}/test_gen.c LIBS c2h_gen)
c2h_add_script_test(gen_ranks gen_ranks.sh)
c2h_add_script_test(gen_csv gen_csv.sh)
set_tests_properties(gen_ranks gen_csv PROPERTIES LABELS gen TIMEOUT 300)
