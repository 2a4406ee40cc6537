#!/usr/bin/python3
"""interop_h5py.py: c2hunt's shards and Debian's h5py, both ways, through the zstd plugin.

Run by interop_h5py.sh (which sets HDF5_PLUGIN_PATH and a temporary WORKDIR):
    interop_h5py.py WORKDIR

1. c2hunt ingests tests/data/interop_flows.csv; h5py reads every column of every shard
   and compares it with the values worked out here from the CSV (types, filters, chunks,
   attributes and index.tsv too). Without the plugin h5py must fail to read.
2. h5dump reads /flows/dst_port through the plugin.
3. h5py writes two shards (IPv4 and IPv6) of the same layout, this script writes the
   archive.ini and index.tsv around them, and `c2hunt inspect --verify --dump` must
   print exactly those flows. The dump of the ingested archive must match its CSV.

The helpers here are also used by interop_zstd_cli.py.
"""
import calendar
import csv
import datetime
import io
import ipaddress
import os
import subprocess
import sys

import h5py
import numpy as np

ZSTD_FILTER = 32015
SHUFFLE_FILTER = 2
SCHEMA = 1
COLS = ["start_ms", "end_ms", "src_addr", "dst_addr", "src_port", "dst_port", "protocol", "tcp_flags", "packets",
        "bytes"]
INDEX_HEADER = "file\tfamily\trows\tt_min_ms\tt_max_ms\tstored_bytes\traw_bytes"
PROTO_NUM = {"TCP": 6, "UDP": 17, "ICMP": 1, "ICMP6": 58, "GRE": 47, "ESP": 50, "AH": 51, "SCTP": 132, "IPv6": 41}
FLAG_CHARS = "CEUAPRSF"  # bit 7 .. bit 0

FAILURES = []


def say(msg):
    print(msg, flush=True)


def check(cond, what, detail=""):
    """Record one check: print it, and remember a failure (the script goes on to report them all)."""
    if cond:
        say(f"  ok   {what}")
    else:
        say(f"  FAIL {what}" + (f": {detail}" if detail else ""))
        FAILURES.append(what)
    return cond


def finish():
    if FAILURES:
        say(f"{len(FAILURES)} check(s) failed:")
        for f in FAILURES:
            say(f"  - {f}")
        sys.exit(1)
    say("all checks passed")
    sys.exit(0)


def run(cmd, expect_rc=0, env=None, cwd=None):
    """Run cmd (a list, no shell); return (stdout, stderr). A wrong exit code is a failure."""
    say("  $ " + " ".join(cmd))
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
    if expect_rc is not None and p.returncode != expect_rc:
        say(f"  FAIL exit {p.returncode}, expected {expect_rc}\n--- stdout\n{p.stdout[-4000:]}\n--- stderr\n"
            f"{p.stderr[-4000:]}")
        FAILURES.append(f"exit code of {os.path.basename(cmd[0])} {' '.join(cmd[1:2])}")
        finish()
    return p.stdout, p.stderr


# ---- flows as this script understands them --------------------------------------------------------


def utc_ms(text):
    """'2024-03-01 10:00:01' (UTC) -> ms since the epoch."""
    return calendar.timegm(datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").timetuple()) * 1000


def fmt_utc(ms):
    """ms -> 'YYYY-MM-DD HH:MM:SS' of the whole second (floor), as nfdump prints ts."""
    return datetime.datetime.fromtimestamp(ms // 1000, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def iso(ms):
    s = datetime.datetime.fromtimestamp(ms // 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return s + (f".{ms % 1000:03d}Z" if ms % 1000 else "Z")


def addr16(text_or_addr):
    """Any address -> the 16 bytes c2hunt holds in memory (IPv4 mapped to ::ffff:a.b.c.d)."""
    a = ipaddress.ip_address(text_or_addr) if isinstance(text_or_addr, str) else text_or_addr
    if a.version == 4:
        return b"\0" * 10 + b"\xff\xff" + a.packed
    return a.packed


def norm_addr(text):
    """An address as printed, made comparable (an IPv4-mapped IPv6 address is its IPv4 address)."""
    a = ipaddress.ip_address(text.strip())
    if a.version == 6 and a.ipv4_mapped is not None:
        return a.ipv4_mapped
    return a


def proto_num(text):
    t = text.strip()
    return int(t) if t.isdigit() else PROTO_NUM[t]


def flags_num(text):
    t = text.strip()
    assert len(t) == 8, t
    v = 0
    for i, ch in enumerate(t):
        if ch != ".":
            assert ch == FLAG_CHARS[i], t
            v |= 1 << (7 - i)
    return v


def flags_str(v):
    return "".join(FLAG_CHARS[i] if v & (1 << (7 - i)) else "." for i in range(8))


def family_of(flow):
    return 4 if norm_addr(flow["sa"]).version == 4 and norm_addr(flow["da"]).version == 4 else 6


def read_nfcsv(path):
    """Flows of an nfdump -o csv file: dicts with start_ms end_ms sa da sp dp pr flg pkts bytes.
    end_ms is start_ms + td (td has the milliseconds; ts and te only whole seconds)."""
    flows = []
    with open(path, newline="") as f:
        lines = f.read().split("\n")
    header = lines[0].split(",")
    for line in lines[1:]:
        if line == "" or line == "Summary":
            break
        r = dict(zip(header, line.split(",")))
        start = utc_ms(r["ts"])
        td_ms = round(float(r["td"]) * 1000)
        flows.append({"start_ms": start, "end_ms": start + td_ms, "sa": r["sa"], "da": r["da"], "sp": int(r["sp"]),
                      "dp": int(r["dp"]), "pr": proto_num(r["pr"]), "flg": flags_num(r["flg"]),
                      "pkts": int(r["ipkt"]), "bytes": int(r["ibyt"])})
    return flows


def col_dtype(col, family):
    return {
        "start_ms": np.dtype("<i8"), "end_ms": np.dtype("<i8"),
        "src_addr": np.dtype("<u4") if family == 4 else np.dtype(("u1", (16,))),
        "dst_addr": np.dtype("<u4") if family == 4 else np.dtype(("u1", (16,))),
        "src_port": np.dtype("<u2"), "dst_port": np.dtype("<u2"),
        "protocol": np.dtype("u1"), "tcp_flags": np.dtype("u1"),
        "packets": np.dtype("<u8"), "bytes": np.dtype("<u8"),
    }[col]


def col_width(col, family):
    return col_dtype(col, family).itemsize


def row_width(family):
    return sum(col_width(c, family) for c in COLS)


def columns(flows, family):
    """The 10 columns of flows as a shard of family stores them (numpy, little-endian).
    An IPv6 address column is (rows, 16) uint8."""
    def addr_col(key):
        if family == 4:
            return np.array([int(norm_addr(f[key])) for f in flows], dtype="<u4")
        return np.array([list(addr16(norm_addr(f[key]))) for f in flows], dtype="u1").reshape(len(flows), 16)
    return {
        "start_ms": np.array([f["start_ms"] for f in flows], dtype="<i8"),
        "end_ms": np.array([f["end_ms"] for f in flows], dtype="<i8"),
        "src_addr": addr_col("sa"),
        "dst_addr": addr_col("da"),
        "src_port": np.array([f["sp"] for f in flows], dtype="<u2"),
        "dst_port": np.array([f["dp"] for f in flows], dtype="<u2"),
        "protocol": np.array([f["pr"] for f in flows], dtype="u1"),
        "tcp_flags": np.array([f["flg"] for f in flows], dtype="u1"),
        "packets": np.array([f["pkts"] for f in flows], dtype="<u8"),
        "bytes": np.array([f["bytes"] for f in flows], dtype="<u8"),
    }


def shuffle_bytes(raw, elem_size):
    """HDF5's shuffle filter: byte j of element i goes to j * n + i."""
    if elem_size == 1:
        return bytes(raw)
    a = np.frombuffer(raw, dtype="u1")
    assert a.size % elem_size == 0
    return a.reshape(-1, elem_size).T.tobytes()


def group_like_c2hunt(flows):
    """Flows by shard as c2hunt's writer routes them: (hour of start, family), input order."""
    groups = {}
    for f in flows:
        groups.setdefault((f["start_ms"] // 3600000, family_of(f)), []).append(f)
    return groups


# ---- archives ---------------------------------------------------------------------------------------


def read_index(archive):
    with open(os.path.join(archive, "index.tsv")) as f:
        lines = f.read().splitlines()
    assert lines[0] == INDEX_HEADER, lines[0]
    out = []
    for line in lines[1:]:
        p = line.split("\t")
        out.append({"file": p[0], "family": int(p[1]), "rows": int(p[2]), "t_min_ms": int(p[3]),
                    "t_max_ms": int(p[4]), "stored_bytes": int(p[5]), "raw_bytes": int(p[6])})
    return out


def write_archive(archive, shards, chunk_rows, level, producer):
    """Write archive.ini and index.tsv (format of io/archive.c) for shards: list of
    (file relative to archive, family, flows); the shard files must exist."""
    infos = []
    for rel, family, flows in sorted(shards, key=lambda s: s[0]):
        st = [f["start_ms"] for f in flows]
        infos.append((rel, family, len(flows), min(st) if flows else 0, max(st) if flows else 0,
                      os.path.getsize(os.path.join(archive, rel)), len(flows) * row_width(family)))
    with open(os.path.join(archive, "index.tsv"), "w") as f:
        f.write(INDEX_HEADER + "\n")
        for i in infos:
            f.write("\t".join(str(x) for x in i) + "\n")
    rows = sum(i[2] for i in infos)
    tmin = min(i[3] for i in infos if i[2])
    tmax = max(i[4] for i in infos if i[2])
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    with open(os.path.join(archive, "archive.ini"), "w") as f:
        f.write(f"[archive]\nschema={SCHEMA}\nproducer={producer}\ncreated={now}\nshards={len(infos)}\n"
                f"rows={rows}\nt_min={iso(tmin)}\nt_max={iso(tmax)}\nstored_bytes={sum(i[5] for i in infos)}\n"
                f"raw_bytes={sum(i[6] for i in infos)}\nchunk_rows={chunk_rows}\nzstd_level={level}\n")


def write_shard_h5py(path, family, flows, chunk_rows, level, chunk_writer=None):
    """A shard of the schema-1 layout written by h5py: chunked, shuffle, then filter 32015
    with compression_opts=(level,). chunk_writer(dataset, column, family, chunk_rows), when
    given, writes the chunks itself (write_direct_chunk) instead of h5py's filter pipeline."""
    cols = columns(flows, family)
    n = len(flows)
    with h5py.File(path, "w") as f:
        f.attrs.create("c2hunt_schema", SCHEMA, dtype=np.int32)
        f.attrs.create("family", family, dtype=np.int32)
        f.attrs.create("rows", n, dtype=np.uint64)
        st = cols["start_ms"]
        f.attrs.create("t_min_ms", int(st.min()) if n else 0, dtype=np.int64)
        f.attrs.create("t_max_ms", int(st.max()) if n else 0, dtype=np.int64)
        g = f.create_group("flows")
        for c in COLS:
            d = g.create_dataset(c, shape=(n,), maxshape=(None,), dtype=col_dtype(c, family), chunks=(chunk_rows,),
                                 shuffle=True, compression=ZSTD_FILTER, compression_opts=(level,))
            if chunk_writer is not None:
                chunk_writer(d, cols[c], family, chunk_rows)
            elif n:
                d[...] = cols[c]


def parse_dump(text):
    """`c2hunt inspect --dump` output -> (header fields, list of row dicts with stripped values)."""
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    out = []
    for r in rows[1:]:
        if not r:
            continue
        if r[0] == "Summary":
            break
        out.append({k: v.strip() for k, v in zip(header, r)})
    return header, out


def compare_dump(dumped, flows, what):
    """Compare the dumped rows with flows, in order, field by field."""
    check(len(dumped) == len(flows), f"{what}: {len(flows)} flows dumped", f"got {len(dumped)}")
    bad = []
    for i, (d, f) in enumerate(zip(dumped, flows)):
        want = {"ts": fmt_utc(f["start_ms"]), "te": fmt_utc(f["end_ms"]),
                "td": f"{(f['end_ms'] - f['start_ms']) / 1000:.3f}", "sa": norm_addr(f["sa"]),
                "da": norm_addr(f["da"]), "sp": f["sp"], "dp": f["dp"], "pr": f["pr"], "ipkt": f["pkts"],
                "ibyt": f["bytes"]}
        got = {"ts": d["ts"], "te": d["te"], "td": d["td"], "sa": norm_addr(d["sa"]), "da": norm_addr(d["da"]),
               "sp": int(d["sp"]), "dp": int(d["dp"]), "pr": proto_num(d["pr"]), "ipkt": int(d["ipkt"]),
               "ibyt": int(d["ibyt"])}
        if f["pr"] == 6:
            want["flg"] = flags_str(f["flg"])
            got["flg"] = d["flg"]
        for k in want:
            if want[k] != got[k]:
                bad.append(f"row {i} {k}: want {want[k]}, got {got[k]}")
    check(not bad, f"{what}: fields ts te td sa da sp dp pr flg(TCP) ipkt ibyt of every flow", "; ".join(bad[:8]))


# ---- part 1: h5py reads c2hunt's shards ------------------------------------------------------------


def check_c2hunt_shards(archive, flows, chunk_rows, level):
    say(f"== h5py ({h5py.version.version}, HDF5 {h5py.version.hdf5_version}) reads the shards c2hunt wrote")
    index = read_index(archive)
    groups = group_like_c2hunt(flows)
    check(len(index) == len(groups), f"index.tsv lists {len(groups)} shards (hour x family)", f"got {len(index)}")
    seen = set()
    for ent in index:
        path = os.path.join(archive, ent["file"])
        with h5py.File(path, "r") as f:
            fam = int(f.attrs["family"])
            # The shard is the group with this family and this hour of t_min_ms.
            key = (int(f.attrs["t_min_ms"]) // 3600000, fam)
            want = groups.get(key, [])
            seen.add(key)
            name = ent["file"]
            if not check(want, f"{name}: hour and family of a group of the CSV's flows", f"{key}"):
                continue
            say(f"-- {name}: family {fam}, {len(want)} flows expected")
            a = f.attrs
            check(a["c2hunt_schema"] == SCHEMA and a["c2hunt_schema"].dtype == np.dtype("<i4"),
                  f"{name}: /c2hunt_schema is int32 1", repr(a["c2hunt_schema"]))
            check(a["family"].dtype == np.dtype("<i4") and fam == ent["family"],
                  f"{name}: /family int32 {fam} = index", repr(a["family"]))
            check(a["rows"].dtype == np.dtype("<u8") and int(a["rows"]) == len(want) == ent["rows"],
                  f"{name}: /rows uint64 {len(want)} = index", f"attr {a['rows']!r}, index {ent['rows']}")
            st = [w["start_ms"] for w in want]
            check(a["t_min_ms"].dtype == np.dtype("<i8") and int(a["t_min_ms"]) == min(st) == ent["t_min_ms"]
                  and int(a["t_max_ms"]) == max(st) == ent["t_max_ms"],
                  f"{name}: /t_min_ms /t_max_ms int64 {min(st)} {max(st)} = index",
                  f"{a['t_min_ms']!r} {a['t_max_ms']!r}")
            check(ent["stored_bytes"] == os.path.getsize(path) and ent["raw_bytes"] == len(want) * row_width(fam),
                  f"{name}: index stored_bytes = file size, raw_bytes = rows x {row_width(fam)}")
            check(sorted(f["flows"].keys()) == sorted(COLS), f"{name}: /flows holds the 10 datasets",
                  str(sorted(f["flows"].keys())))
            cols = columns(want, fam)
            for c in COLS:
                d = f["flows"][c]
                dcpl = d.id.get_create_plist()
                filters = [dcpl.get_filter(i) for i in range(dcpl.get_nfilters())]
                fl = [(x[0], tuple(x[2])) for x in filters]
                want_dt = col_dtype(c, fam)
                got = d[...]
                problems = []
                if not (d.chunks == (chunk_rows,) and d.shape == (len(want),) and d.maxshape == (None,)):
                    problems.append(f"shape {d.shape} maxshape {d.maxshape} chunks {d.chunks}")
                if not (len(fl) == 2 and fl[0][0] == SHUFFLE_FILTER and fl[1] == (ZSTD_FILTER, (level,))):
                    problems.append(f"filters {filters}")
                if d.dtype != want_dt:
                    problems.append(f"type {d.dtype}")
                if not (got.shape == cols[c].shape and np.array_equal(got, cols[c])):
                    problems.append(f"values {got.tolist()}, want {cols[c].tolist()}")
                check(not problems, f"{name}: /flows/{c}: {want_dt}, 1-D, chunks ({chunk_rows},), shuffle then "
                      f"32015 ({level},), the {len(want)} values c2hunt was given", "; ".join(problems))
    check(seen == set(groups), "every (hour, family) of the CSV has its shard", f"{seen ^ set(groups)}")


def check_without_plugin(archive, workdir):
    say("== without the plugin, h5py must fail to read a column (so the plugin is what decodes)")
    empty = os.path.join(workdir, "no-plugins")
    os.makedirs(empty, exist_ok=True)
    shard = os.path.join(archive, read_index(archive)[0]["file"])
    code = ("import h5py,sys\n"
            "f=h5py.File(sys.argv[1],'r')\n"
            "try:\n  f['flows/packets'][...]\nexcept OSError as e:\n  print('refused:', e); sys.exit(3)\n"
            "print('read without the plugin'); sys.exit(0)\n")
    env = dict(os.environ, HDF5_PLUGIN_PATH=empty)
    p = subprocess.run([sys.executable, "-c", code, shard], capture_output=True, text=True, env=env)
    check(p.returncode == 3, "h5py with HDF5_PLUGIN_PATH=<empty folder> cannot read /flows/packets",
          p.stdout + p.stderr)


def check_h5dump(archive, flows):
    say("== h5dump -d /flows/dst_port through the plugin")
    index = read_index(archive)
    groups = group_like_c2hunt(flows)
    ent = max(index, key=lambda e: e["rows"])
    path = os.path.join(archive, ent["file"])
    key = (ent["t_min_ms"] // 3600000, ent["family"])
    want = [f["dp"] for f in groups[key]]
    out, _ = run(["h5dump", "-d", "/flows/dst_port", "-w", "0", path])
    data = out.split("DATA {", 1)[1].split("}", 1)[0] if "DATA {" in out else ""
    vals = []
    for line in data.splitlines():
        line = line.strip()
        if line.startswith("("):
            vals += [int(v) for v in line.split(":", 1)[1].replace(",", " ").split()]
    check("H5T_STD_U16LE" in out, f"h5dump: {ent['file']} /flows/dst_port is H5T_STD_U16LE")
    check(vals == want, f"h5dump: {ent['file']} /flows/dst_port values {want}", f"got {vals}")
    out, _ = run(["h5dump", "-p", "-H", "-d", "/flows/dst_port", path])
    check("USER_DEFINED_FILTER" in out and "32015" in out and "SHUFFLE" in out,
          "h5dump -p: the dataset's filters are SHUFFLE and USER_DEFINED_FILTER 32015", out[-800:])


# ---- part 2: c2hunt reads shards h5py wrote -------------------------------------------------------


def h5py_flows():
    """Flows for the shards h5py writes: ms in the times, edge values of every column."""
    base = utc_ms("2025-06-30 23:00:00")
    v4 = []
    for i in range(11):  # 11 rows, 4 a chunk: two full chunks and a partial one
        v4.append({"start_ms": base + i * 317_123 + 7, "end_ms": base + i * 317_123 + 7 + i * 1_001,
                   "sa": f"10.{i}.{255 - i}.{i * 20}", "da": ["0.0.0.0", "255.255.255.255", "8.8.4.4"][i % 3],
                   "sp": [0, 65535, 1024][i % 3], "dp": (i * 7919) % 65536, "pr": [6, 17, 1, 47][i % 4],
                   "flg": [0x12, 0xff, 0x00, 0x01][i % 4] if i % 4 == 0 else 0,
                   "pkts": [1, 2**32 + 1, 2**53 + 3][i % 3], "bytes": [40, 2**40 + 7, 2**63 + 11][i % 3]})
    v4[4]["flg"] = 0xff  # a TCP row with every flag
    v4[4]["pr"] = 6
    v4[8]["flg"] = 0x10
    v6 = []
    addrs = ["2001:db8::1", "::1", "fe80::abcd:ef01:2345:6789", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
             "::ffff:192.0.2.33", "2001:db8:85a3::8a2e:370:7334"]
    for i in range(6):
        v6.append({"start_ms": base + 3_600_000 + i * 999, "end_ms": base + 3_600_000 + i * 999 + 123_456,
                   "sa": addrs[i], "da": addrs[(i + 1) % 6], "sp": 40000 + i, "dp": 443, "pr": [6, 17, 58][i % 3],
                   "flg": 0x18 if i % 3 == 0 else 0, "pkts": i + 1, "bytes": (i + 1) * 1500})
    return v4, v6


def check_h5py_shards_in_c2hunt(workdir, c2hunt, chunk_writer=None, label="h5py"):
    """h5py writes an archive of two shards; c2hunt must read back exactly those flows."""
    say(f"== c2hunt reads an archive whose shards {label} wrote")
    chunk_rows, level = 4, 9
    archive = os.path.join(workdir, f"{label.replace(' ', '-')}-archive")
    os.makedirs(os.path.join(archive, "shards"))
    v4, v6 = h5py_flows()
    shards = [("shards/20250630T23-v4-py-0001.h5", 4, v4), ("shards/20250701T00-v6-py-0001.h5", 6, v6)]
    for rel, fam, fl in shards:
        write_shard_h5py(os.path.join(archive, rel), fam, fl, chunk_rows, level, chunk_writer)
        with h5py.File(os.path.join(archive, rel), "r") as f:
            info = f["flows/bytes"].id.get_chunk_info(0)
            raw = f["flows/bytes"].id.read_direct_chunk((0,))[1]
            check(info.filter_mask == 0 and raw[:4] == b"\x28\xb5\x2f\xfd",
                  f"{label}: {rel}: chunks are stored zstd-compressed (filter mask 0, zstd magic)",
                  f"mask {info.filter_mask}, first bytes {raw[:4].hex()}")
    write_archive(archive, [(r, fam, fl) for r, fam, fl in shards], chunk_rows, level, f"{label} interop test")
    out, err = run([c2hunt, "inspect", "--verify", "--dump", archive])
    header, dumped = parse_dump(out)
    want_header = ("ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,nhb,"
                   "svln,dvln,ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,mpls10,cl,sl,"
                   "al,ra,eng,exid,tr").split(",")
    check(header == want_header, f"{label}: --dump prints nfdump 1.7.1's csv header", ",".join(header))
    compare_dump(dumped, v4 + v6, f"{label}: inspect --verify --dump")
    check("rows         17 (IPv4 11, IPv6 6)" in err and "every chunk decompressed" in err,
          f"{label}: inspect summary says 17 rows (IPv4 11, IPv6 6), every chunk decompressed", err)
    return archive


# ---- main ------------------------------------------------------------------------------------------------


def main():
    workdir = sys.argv[1]
    c2hunt = os.environ["C2HUNT"]
    src = os.environ["C2H_SRC"]
    csv_path = os.path.join(src, "tests", "data", "interop_flows.csv")
    flows = read_nfcsv(csv_path)
    say(f"{len(flows)} flows in {csv_path}")

    chunk_rows, level = 4, 7
    archive = os.path.join(workdir, "ingested")
    run([c2hunt, "ingest", "--quiet", "--format", "nfdump-csv", "--chunk-rows", str(chunk_rows), "--zstd-level",
         str(level), "--out", archive, csv_path])
    check_c2hunt_shards(archive, flows, chunk_rows, level)
    check_without_plugin(archive, workdir)
    check_h5dump(archive, flows)

    say("== c2hunt inspect --dump of the ingested archive gives back the CSV's flows")
    out, _ = run([c2hunt, "inspect", "--verify", "--dump", archive])
    _, dumped = parse_dump(out)
    order = [f for ent in read_index(archive) for f in
             group_like_c2hunt(flows)[(ent["t_min_ms"] // 3600000, ent["family"])]]
    compare_dump(dumped, order, "ingested archive")

    check_h5py_shards_in_c2hunt(workdir, c2hunt)
    finish()


if __name__ == "__main__":
    main()
