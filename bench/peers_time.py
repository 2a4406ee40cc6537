#!/usr/bin/python3
"""peers_time.py CMD...: run CMD, print its wall seconds and the peak RSS (KiB) of its
process tree's largest member as JSON on stderr's last line. Standard library only."""
import json
import resource
import subprocess
import sys
import time

t0 = time.monotonic()
rc = subprocess.call(sys.argv[1:])
wall = time.monotonic() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"rc": rc, "wall_s": wall, "max_rss_kb": rss}), file=sys.stderr)
sys.exit(rc)
