# Tests of the IPFIX and binetflow readers (io/ipfix.c, io/binetflow.c, io/bytesrc.c),
# the seed files (io/seeds.c), the ingest and run front ends over them, and CTU-13.
#   test_ipfix:     libfixbuf-written files read back exactly, every time form, bad records,
#                   files cut at every byte, malformed messages, sets and templates.
#   test_binetflow: Argus rows of every kind, Dir arrows, ICMP, non-IP rows, bad rows with
#                   their lines, Prague time, gzip (members, corrupt, truncated), and the
#                   real CTU-13 slices against SOURCE.md's counts (skipped without the data).
#   test_seeds:     plain, Feodo Tracker and Maltrail seed files, made here and the real ones.
#   inputs_cli:     `c2hunt ingest --format ipfix|binetflow` and `run --seeds-family` end to end:
#                   exact flows in the archive, exit 2 with file and place, no archive left.
#   ctu13:          CTU-13 scenario 6 (Menti) ingested and run: the infected host is the victim,
#                   nothing the labels call normal is labeled (skipped without the data).
c2h_add_cmocka_test(test_ipfix test_ipfix.c)
c2h_add_cmocka_test(test_binetflow test_binetflow.c)
c2h_add_cmocka_test(test_seeds test_seeds.c)
c2h_add_script_test(inputs_cli inputs_cli.sh)
c2h_add_script_test(ctu13 ctu13.sh)
set_tests_properties(test_ipfix test_binetflow test_seeds inputs_cli ctu13 PROPERTIES LABELS inputs)
set_tests_properties(ctu13 PROPERTIES TIMEOUT 600)
