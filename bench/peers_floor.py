#!/usr/bin/python3
"""peers_floor.py ARCHIVE OUT.zst: write every compressed chunk of every shard (the zstd
frames exactly as stored) into OUT.zst, one after another, and print their total bytes as
JSON. `zstd -d -c OUT.zst` then decompresses exactly the archive's stored chunks. Needs
Debian's h5py (/usr/bin/python3); reading raw chunks needs no filter plugin."""
import json
import os
import sys

import h5py

arch, out = sys.argv[1], sys.argv[2]
total = frames = 0
with open(out, "wb") as o:
    for line in open(os.path.join(arch, "index.tsv")).read().splitlines()[1:]:
        name = line.split("\t")[0]
        with h5py.File(os.path.join(arch, name), "r") as f:
            for ds in f["flows"].values():
                n = ds.id.get_num_chunks()
                for i in range(n):
                    info = ds.id.get_chunk_info(i)
                    _, data = ds.id.read_direct_chunk(info.chunk_offset)
                    o.write(data)
                    total += len(data)
                    frames += 1
print(json.dumps({"bytes": total, "frames": frames}))
