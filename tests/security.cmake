# Security of outputs (issue 6, item 6; docs/RELIABILITY.md): symbolic links planted at the
# output paths of run, ingest and gen (and gen --csv, OUT.ckpt, links inside a replaced
# folder) are never written through nor followed; an existing output needs --force; hostile
# customer names, seeds, profile name and paths come back escaped and intact from
# report.html, report.json, stix.json, profile.ini, graph.dot/.svg/.graphml, roles.csv and
# incidents.csv (parsed with Python's html.parser, json, xml and csv, and Graphviz's dot);
# nfdump gets its path as one argument, with no shell.
c2h_add_script_test(security security.sh)
set_tests_properties(security PROPERTIES LABELS inputs TIMEOUT 600)
