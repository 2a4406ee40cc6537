# Tests of the nfdump csv reader and writer (io/nfcsv.c) and the nfcapd reader (io/nfcapd.c).

c2h_add_cmocka_test(test_nfcsv test_nfcsv.c)

# A small aid for the script tests and for measuring parse speed (see its header).
add_executable(nfcsv_tool nfcsv_tool.c)
target_link_libraries(nfcsv_tool PRIVATE c2h_io)

# Real nfcapd and nfdump: a live capture of known flows, the writer against nfdump's own
# csv, and the Slips file. Each skips (77) when a program or the shared data is missing.
foreach(mode live csv slips)
  c2h_add_script_test(nfcapd_${mode} nfcapd_real.sh ${mode} $<TARGET_FILE:nfcsv_tool>)
endforeach()
