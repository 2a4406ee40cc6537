#!/usr/bin/python3
"""interop_zstd_cli.py: a shard's chunks are plain zstd frames, both ways.

Run by interop_zstd_cli.sh (HDF5_PLUGIN_PATH set, a temporary WORKDIR):
    interop_zstd_cli.py WORKDIR

1. c2hunt ingests tests/data/interop_flows.csv with 4, 1000 and 65536 rows a chunk. Every
   chunk of every column, read raw (h5py read_direct_chunk), is a zstd frame whose header
   (parsed here) has the content size (= chunk bytes) and the checksum flag and no
   dictionary; the zstd command-line tool decompresses it to exactly the column's
   little-endian bytes after HDF5's shuffle (byte transpose, worked out here with numpy
   from the CSV's values; a partial last chunk padded with the fill value 0).
   `zstd -lv` agrees, and a frame with a damaged checksum is refused by `zstd -d`.
2. The other way: chunks made by `zstd` (command line) are put into h5py-made shards with
   write_direct_chunk, and `c2hunt inspect --verify --dump` prints exactly those flows.
"""
import os
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import interop_h5py as ih  # noqa: E402
from interop_h5py import check, say  # noqa: E402

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def parse_frame_header(frame):
    """The zstd frame header (RFC 8878 3.1.1.1). @return a dict, or None when no zstd frame."""
    if len(frame) < 6 or frame[:4] != ZSTD_MAGIC:
        return None
    fhd = frame[4]
    fcs_flag = fhd >> 6
    single = (fhd >> 5) & 1
    reserved = (fhd >> 3) & 1
    checksum = (fhd >> 2) & 1
    dict_flag = fhd & 3
    pos = 5 + (0 if single else 1)  # Window_Descriptor unless Single_Segment
    pos += [0, 1, 2, 4][dict_flag]
    fcs_size = [1 if single else 0, 2, 4, 8][fcs_flag]
    content_size = None
    if fcs_size:
        content_size = int.from_bytes(frame[pos:pos + fcs_size], "little")
        if fcs_size == 2:
            content_size += 256
    return {"descriptor": fhd, "fcs_flag": fcs_flag, "single_segment": single, "reserved": reserved,
            "checksum": checksum, "dict_flag": dict_flag, "content_size": content_size}


def zstd_d(path):
    p = subprocess.run(["zstd", "-d", "-c", "-q", path], capture_output=True)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def check_chunks(archive, flows, chunk_rows, workdir):
    say("== every chunk c2hunt wrote is a zstd frame the zstd tool decodes to the shuffled column")
    groups = ih.group_like_c2hunt(flows)
    frames = 0
    sample = None
    sizes = set()  # Frame_Content_Size_flag values seen
    for ent in ih.read_index(archive):
        fam = ent["family"]
        want_flows = groups[(ent["t_min_ms"] // 3600000, fam)]
        cols = ih.columns(want_flows, fam)
        n = len(want_flows)
        with h5py.File(os.path.join(archive, ent["file"]), "r") as f:
            for c in ih.COLS:
                d = f["flows"][c]
                width = ih.col_width(c, fam)
                raw_col = cols[c].tobytes()  # little-endian, row after row
                assert len(raw_col) == n * width
                nchunks = (n + chunk_rows - 1) // chunk_rows
                problems = []
                for k in range(nchunks):
                    info = d.id.get_chunk_info(k)
                    mask, frame = d.id.read_direct_chunk((k * chunk_rows,))
                    frame = bytes(frame)
                    where = f"{ent['file']} /flows/{c} chunk {k}"
                    if mask != 0 or info.size != len(frame):
                        problems.append(f"{where}: filter mask {mask}, size {info.size} vs {len(frame)}")
                        continue
                    h = parse_frame_header(frame)
                    chunk_bytes = chunk_rows * width
                    if h is not None:
                        sizes.add(h["fcs_flag"])
                    if h is None:
                        problems.append(f"{where}: no zstd magic ({frame[:4].hex()})")
                        continue
                    if not (h["content_size"] == chunk_bytes and h["checksum"] == 1 and h["dict_flag"] == 0
                            and h["reserved"] == 0):
                        problems.append(f"{where}: frame header {h}, want content size {chunk_bytes}, checksum 1, "
                                        "no dictionary")
                    fp = os.path.join(workdir, "chunk.zst")
                    with open(fp, "wb") as o:
                        o.write(frame)
                    rc, out, err = zstd_d(fp)
                    if rc != 0:
                        problems.append(f"{where}: zstd -d failed: {err.strip()}")
                        continue
                    rows_here = min(chunk_rows, n - k * chunk_rows)
                    part = raw_col[k * chunk_rows * width:(k * chunk_rows + rows_here) * width]
                    if rows_here == chunk_rows:
                        # A full chunk: exactly the shuffled column bytes.
                        if out != ih.shuffle_bytes(part, width):
                            problems.append(f"{where}: decompressed bytes differ from the shuffled column: "
                                            f"{out.hex()} vs {ih.shuffle_bytes(part, width).hex()}")
                    else:
                        # The last, partial chunk: HDF5 stores it whole, the rows past the end
                        # holding the fill value 0; unshuffle and compare the rows, then the rest.
                        if len(out) != chunk_bytes:
                            problems.append(f"{where}: {len(out)} bytes, want {chunk_bytes}")
                        else:
                            un = np.frombuffer(out, "u1").reshape(width, chunk_rows).T.tobytes()
                            if un[:rows_here * width] != part:
                                problems.append(f"{where}: the {rows_here} rows differ after unshuffling")
                            elif out != ih.shuffle_bytes(part + bytes(chunk_bytes - len(part)), width):
                                problems.append(f"{where}: the rows past the end are not the fill value 0")
                    frames += 1
                    if sample is None and rows_here == chunk_rows and width == 8:
                        sample = (fp + ".sample", frame, where)
                        with open(sample[0], "wb") as o:
                            o.write(frame)
                check(not problems, f"{ent['file']} /flows/{c}: {nchunks} chunk(s): zstd frame (content size "
                      f"{chunk_rows}x{width}, checksum flag), zstd -d = shuffled column bytes", "; ".join(problems))
    check(frames > 0, f"{frames} frames decoded by the zstd tool")
    return sample, sizes


def check_zstd_list_and_checksum(sample):
    path, frame, where = sample
    say(f"== zstd -lv and a damaged checksum ({where})")
    p = subprocess.run(["zstd", "-lv", path], capture_output=True, text=True)
    text = p.stdout + p.stderr
    check(p.returncode == 0 and "XXH64" in text, "zstd -lv: the frame has a checksum (Check: XXH64)", text)
    h = parse_frame_header(frame)
    check("Decompressed Size" in text and f"({h['content_size']} B)" in text,
          f"zstd -lv: decompressed size {h['content_size']} B is in the frame header", text)
    damaged = bytearray(frame)
    damaged[-1] ^= 0x01  # the last 4 bytes are the content checksum
    bad = path + ".badsum"
    with open(bad, "wb") as o:
        o.write(damaged)
    rc, _, err = zstd_d(bad)
    check(rc != 0 and "checksum" in err.lower(), "zstd -d refuses the frame with a damaged checksum", f"rc {rc} {err}")


def cli_chunk_writer(workdir):
    """A chunk_writer for ih.write_shard_h5py: each chunk padded to chunk_rows, shuffled here,
    compressed by the zstd command-line tool (a file, so the frame has the content size;
    --check for the checksum), and stored with write_direct_chunk."""
    def write(d, col, family, chunk_rows):
        width = ih.col_width(d.name.rsplit("/", 1)[1], family)
        raw = col.tobytes()
        n = len(raw) // width
        for k in range(0, n, chunk_rows):
            part = raw[k * width:(k + chunk_rows) * width]
            part += b"\0" * (chunk_rows * width - len(part))
            src = os.path.join(workdir, "in.bin")
            with open(src, "wb") as o:
                o.write(ih.shuffle_bytes(part, width))
            frame = subprocess.run(["zstd", "-q", "-c", "--check", "-12", src], check=True,
                                   capture_output=True).stdout
            h = parse_frame_header(frame)
            assert h and h["content_size"] == len(part) and h["checksum"], h
            d.id.write_direct_chunk((k,), frame, 0)
    return write


def main():
    workdir = sys.argv[1]
    c2hunt = os.environ["C2HUNT"]
    csv_path = os.path.join(os.environ["C2H_SRC"], "tests", "data", "interop_flows.csv")
    flows = ih.read_nfcsv(csv_path)
    # 4 rows a chunk: full chunks and partial ones, 1 byte of content size in the frame header;
    # 1000 and 65536 (the default): only partial chunks, with 2 and (over 65791 bytes) 4 bytes of content size.
    for chunk_rows, level, fcs in ((4, 19, {0}), (1000, 1, {1}), (65536, 3, {1, 2})):
        say(f"-- {chunk_rows} rows a chunk, zstd level {level}")
        archive = os.path.join(workdir, f"ingested-{chunk_rows}")
        ih.run([c2hunt, "ingest", "--quiet", "--format", "nfdump-csv", "--chunk-rows", str(chunk_rows),
                "--zstd-level", str(level), "--out", archive, csv_path])
        sample, sizes = check_chunks(archive, flows, chunk_rows, workdir)
        check(sizes == fcs, f"frame headers with Frame_Content_Size_flag {sorted(fcs)}", f"got {sorted(sizes)}")
        if chunk_rows == 4 and check(sample is not None, "a full 8-byte-column chunk to look at with zstd -lv"):
            check_zstd_list_and_checksum(sample)
    ih.check_h5py_shards_in_c2hunt(workdir, c2hunt, cli_chunk_writer(workdir), label="zstd CLI")
    ih.finish()


if __name__ == "__main__":
    main()
