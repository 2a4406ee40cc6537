# The analyst outputs of `c2hunt run` beside roles.csv: stix.json (report/stix.c), the customer
# map and incidents.csv (io/customers.c, report/incidents.c), and `c2hunt diff` (mpi/cmd_diff.c).
#   test_customers: the customer map (CIDRs, longest prefix, errors named by file:line), the
#                   exact incidents.csv and its escaped HTML fragment for a hand-made result,
#                   UUIDv5 against the RFC 4122 vector, confidence and the bundle of a hand-made
#                   result (test_customers.c).
#   stix_check:     stix.json of a generated run against the OASIS STIX 2.1 JSON schemas
#                   (tests/data/stix, validated by stix_check.py, standard library only), the
#                   spec's rules the schemas miss and roles.csv; byte-identical on reruns and
#                   with 2 ranks; a dozen broken bundles refused.
#   incidents:      incidents.csv against an independent computation; bad customer maps exit 2
#                   naming file and line, with no output folder.
#   diff:           `c2hunt diff` between --until cut-offs against an independent computation,
#                   text and --csv; bad roles.csv exit 2 naming file and line.
c2h_add_cmocka_test(test_customers ${CMAKE_CURRENT_SOURCE_DIR}/test_customers.c LIBS c2h_report)
c2h_add_script_test(stix_check stix_check.sh)
c2h_add_script_test(incidents incidents.sh)
c2h_add_script_test(diff diff.sh)
set_tests_properties(stix_check incidents diff PROPERTIES LABELS outputs TIMEOUT 300)
