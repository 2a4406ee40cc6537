# Fuzzing (docs/FUZZING.md): libFuzzer targets of every input parser, built only with
# -DC2H_FUZZ=ON in a clang build folder of its own (the top CMakeLists.txt adds
# -fsanitize=fuzzer-no-link,address,undefined to everything; the targets link libFuzzer).
#   CC=clang cmake -S . -B build-fuzz -DC2H_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
#   cmake --build build-fuzz --target fuzz -j2
#   (cd build-fuzz && ctest -L fuzz)         each target C2H_FUZZ_SECONDS (15) s, then its regressions
#   tests/fuzz/run --seconds 600 --jobs 2     long runs; a crash becomes tests/fuzz/regress/<target>/
# Without C2H_FUZZ nothing is registered here.
if(NOT C2H_FUZZ)
  return()
endif()

set(C2H_FUZZ_TARGETS nfcsv binetflow ipfix seeds profile customers shard)
set(C2H_FUZZ_DIR ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
add_custom_target(fuzz)

# The shard target also drives the chunk read path (c2h_shard_load) once io/shard.c has it.
file(READ ${CMAKE_SOURCE_DIR}/io/shard.c c2h_shard_src)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/io/shard.c)
string(FIND "${c2h_shard_src}" "c2h_shard_load(" c2h_has_load)

foreach(t ${C2H_FUZZ_TARGETS})
  add_executable(fuzz_${t} ${C2H_FUZZ_DIR}/fuzz_${t}.c ${C2H_FUZZ_DIR}/fuzzlib.c)
  target_link_libraries(fuzz_${t} PRIVATE c2h_io)
  target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
  # The targets' own checks (loops over all 65536 ports, ...) need no coverage feedback.
  target_compile_options(fuzz_${t} PRIVATE -fno-sanitize-coverage=inline-8bit-counters,indirect-calls,trace-cmp,pc-table)
  add_dependencies(fuzz fuzz_${t})
  add_test(NAME fuzz_${t} COMMAND /bin/bash ${C2H_FUZZ_DIR}/check.sh $<TARGET_FILE:fuzz_${t}> ${t})
  set_tests_properties(fuzz_${t} PROPERTIES LABELS fuzz TIMEOUT 300)
endforeach()
target_link_libraries(fuzz_profile PRIVATE c2h_detect m)
if(NOT c2h_has_load EQUAL -1)
  target_compile_definitions(fuzz_shard PRIVATE C2H_FUZZ_SHARD_LOAD=1)
endif()
