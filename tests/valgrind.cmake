# Valgrind memcheck of the MPI subcommands (issue 6, item 7): tests/valgrind.sh runs gen,
# ingest, inspect --verify, run (--customers: graph, report.html, stix.json, incidents.csv),
# run --until and diff under `mpirun -np 2 valgrind --error-exitcode=99 --leak-check=full`
# with Open MPI's suppressions and tests/valgrind.supp; any error with a frame of c2hunt fails.
# It skips itself (77) without valgrind and in a sanitizer build (Valgrind cannot run ASan).
c2h_add_script_test(valgrind valgrind.sh)
if(C2H_SANITIZE)
  set_property(TEST valgrind APPEND PROPERTY ENVIRONMENT "C2H_SANITIZE=1")
endif()
set_tests_properties(valgrind PROPERTIES LABELS valgrind TIMEOUT 600)
