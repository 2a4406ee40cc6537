# The relationship graph and report.html (report/graph.c, report/html.c).
#   test_graph:  the graph on results made by hand: one node per host with every kind of edge
#                when small; under 300 nodes with 50 C2 and 5,000 victims, the groups adding up
#                to each C2's victims; customer names, paths with quotes, backslashes, <, &amp;,
#                tabs, newlines and bad UTF-8 exact in the SVG (through Graphviz), GraphML and
#                HTML, never markup; Graphviz's errors in the GError, nothing on stderr.
#   report_html: gen (small) and run under mpirun -np 2, then graph.dot read back by Graphviz
#                (dot -Tcanon, gvpr counts), graph.graphml and graph.svg against it and roles.csv,
#                report.html self-contained, and the DOM that headless Chromium renders: graph
#                nodes, timeline rows and table rows for every C2, c2_predicted and controller,
#                counts per role, no script error; a page broken on purpose must fail the same
#                checks. Keeps a screenshot: test-artifacts/report.png. Skipped without Chromium.
c2h_add_cmocka_test(test_graph ${CMAKE_CURRENT_SOURCE_DIR}/test_graph.c LIBS c2h_report)
c2h_add_script_test(report_html report_html.sh ${CMAKE_BINARY_DIR}/test-artifacts)
set_tests_properties(test_graph report_html PROPERTIES LABELS report TIMEOUT 300)
