# The corruption matrix (issue 6, item 2): tests/corrupt.sh, one ctest test per case
# (corrupt_CASE), each damaging a copy of a small generated archive and running
# `c2hunt inspect --verify` and `mpirun -np 2 c2hunt run` end to end. The cases are read from
# the script's cases_all=(...) line, so the two lists cannot drift apart.
file(STRINGS ${CMAKE_CURRENT_SOURCE_DIR}/corrupt.sh C2H_CORRUPT_LINE REGEX "^cases_all=\\(")
string(REGEX REPLACE "^cases_all=\\((.*)\\)$" "\\1" C2H_CORRUPT_CASES "${C2H_CORRUPT_LINE}")
separate_arguments(C2H_CORRUPT_CASES)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/corrupt.sh)
foreach(c ${C2H_CORRUPT_CASES})
  c2h_add_script_test(corrupt_${c} corrupt.sh ${c})
  set_tests_properties(corrupt_${c} PROPERTIES LABELS corrupt TIMEOUT 300)
endforeach()
