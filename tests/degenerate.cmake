# Degenerate inputs and a full disk (issue 6, items 4 and 5): one flow, one host, a sweep of
# 100,000 destinations (peak RSS bounded), IPv6 only and mixed, end before start, times
# before 1970 and after 2100, ports and protocols out of range, private, multicast and
# malformed seeds, a full tmpfs and a read-only one (mount needs root: skipped, 77, without).
c2h_add_script_test(degenerate degenerate.sh)
set_tests_properties(degenerate PROPERTIES LABELS inputs TIMEOUT 300)
