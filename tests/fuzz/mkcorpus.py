#!/usr/bin/python3
"""mkcorpus.py: seed inputs for the fuzz targets (tests/fuzz/fuzz_*.c), one folder per target.

    mkcorpus.py --out DIR [--shared DIR] [--c2hunt BIN] [--big]

Writes DIR/<target>/<name> for the targets nfcsv, binetflow, ipfix, seeds, profile,
customers and shard:
- hand-made inputs of every kind the readers know (IPFIX messages are built byte by byte
  here: templates of each time form, options templates, withdrawals, enterprise and
  variable-length fields, several observation domains; the text formats line by line);
- with --shared (the project's ../shared): excerpts of the real files in data/real
  (CTU-13 binetflow slices, Feodo Tracker CSVs, the Maltrail trickbot trail), and with
  --big whole files or longer excerpts (for tests/fuzz/run; never committed);
- with --c2hunt: shards made by `c2hunt ingest --chunk-rows 8|16` from small nfdump CSV
  (IPv4 and IPv6 flows), and with --big from `c2hunt gen --preset small --flows 2000`.
tests/fuzz/corpus/ holds the output of `mkcorpus.py --out tests/fuzz/corpus --shared
../shared --c2hunt BIN` (small: under 1 MB in all); tests/fuzz/run adds the --big ones at
run time.
"""
import argparse
import gzip
import os
import shutil
import struct
import subprocess
import sys
import tempfile

TARGETS = ["nfcsv", "binetflow", "ipfix", "seeds", "profile", "customers", "shard"]


def write(out, target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def gz(data):
    if isinstance(data, str):
        data = data.encode()
    return gzip.compress(data, mtime=0)


# ---------------------------------------------------------------- nfdump csv

NF_HEADER = ("ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,nhb,"
             "svln,dvln,ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,mpls10,cl,sl,al,"
             "ra,eng,exid,tr\n")
NF_TAIL = (",0,0,0,0,0,0,0,0,0,0,0.0.0.0,0.0.0.0,0,0,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,"
           "00:00:00:00:00:00,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,    0.000,    0.000,"
           "    0.000,0.0.0.0,0/0,0,1970-01-01 00:00:00.000\n")


def nf_line(ts, te, td, sa, da, sp, dp, pr, flg, ipkt, ibyt):
    return f"{ts},{te},{td},{sa},{da},{sp},{dp},{pr},{flg},0,0,{ipkt},{ibyt}" + NF_TAIL


NF_ROWS = [
    nf_line("2024-03-01 10:00:01", "2024-03-01 10:00:02", "1.234", "192.168.1.10", "203.0.113.5", 49152, 443,
            "TCP", "...AP.SF", 12, 3456),
    nf_line("2024-03-01 10:00:05", "2024-03-01 10:00:05", "0.000", "192.168.1.11", "8.8.8.8", 53000, 53, "UDP",
            "........", 1, 74),
    nf_line("2024-03-01 10:00:06.123", "2024-03-01 10:00:06.500", "0.377", "10.0.0.1", "10.0.0.2", 0, "8.0",
            "ICMP", "........", 2, 168),
    nf_line("2024-03-01 10:00:07", "2024-03-01 10:00:09", "2.000", "2001:db8::1", "2a00:1450:4001::200e", 40000,
            447, "TCP", "CEUAPRSF", 20, 4000),
    nf_line("2024-03-01 10:00:08", "2024-03-01 10:00:08", "0.000", "::ffff:1.2.3.4", "fe80::1", 1, 2, "ICMP6",
            "0x12", 1, 60),
    nf_line("2024-03-31 02:30:00", "2024-03-31 02:30:01", "0.500", "100.64.0.1", "198.51.100.7", 5, 6, "47",
            "........", 3, 300),
    nf_line("2024-10-27 02:30:00", "2024-10-27 02:30:01", "0.9995", "172.16.0.1", "203.0.113.9", 7, 8, "GRE",
            "........", 4, 400),
    nf_line("1969-12-31 23:59:59", "1970-01-01 00:00:00", "1.000", "1.1.1.1", "2.2.2.2", 9, 10, "ESP",
            "........", 5, 500),
    nf_line("2099-12-31 23:59:59", "2099-12-31 23:59:59", "0.000", "3.3.3.3", "4.4.4.4", 65535, 65535, "3PC",
            "........", 18446744073709551615, 18446744073709551615),
    nf_line("2024-02-29 12:00:00", "2024-02-29 12:00:00", "0.000", "5.5.5.5", "6.6.6.6", 11, 12, "200  ",
            "........", 6, 600),
]


def nfcsv_seeds(out, shared, big):
    write(out, "nfcsv", "flows.csv", NF_HEADER + "".join(NF_ROWS))
    write(out, "nfcsv", "crlf-summary.csv",
          (NF_HEADER + "".join(NF_ROWS[:3])).replace("\n", "\r\n") +
          "Summary\nflows,bytes,packets,avg_bps,avg_pps,avg_bpp\n3,3698,15,0,0,246\n")
    write(out, "nfcsv", "no-flows.csv", NF_HEADER + "No matching flows\n")
    write(out, "nfcsv", "bad-rows.csv", NF_HEADER + NF_ROWS[0] + "2024-13-01 10:00:01,x,1\n" +
          NF_ROWS[1].replace("UDP", "NOPE") + NF_ROWS[2].replace("1.234", "-1.0") + "\n  \n" + NF_ROWS[3])
    # nfcapd.c asks nfdump for these columns, with no header line (-q): read with its header
    write(out, "nfcsv", "nfcapd-q.csv",
          "1709287201.234,1.500,10.0.0.1,10.0.0.2,1234,447,TCP,...A..S.,3,180\n"
          "1709287202.000,0.000,2001:db8::1,2001:db8::2,0,3.3,ICMP6,........,1,60\n")
    write(out, "nfcsv", "reordered.csv", "pr,sa,da,sp,dp,flg,ipkt,ibyt,ts,td\n"
          "UDP,10.1.1.1,10.2.2.2,53,5353,........,1,80,2024-03-01 10:00:01,0.001\n")
    if shared:
        pass  # no nfdump csv among the real files; the Slips nfcapd file is read through nfdump


# ---------------------------------------------------------------- binetflow

BNF_HEADER = "StartTime,Dur,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,State,sTos,dTos,TotPkts,TotBytes,SrcBytes,Label\n"
BNF_ROWS = [
    "2011/08/16 10:01:46.972101,3599.986572,tcp,88.176.79.163,49213,  <?>,147.32.84.172,18250,A_PA,0,0,414671,"
    "415389446,10150692,flow=Background\n",
    "2011/08/16 10:01:46.976831,0.000467,udp,90.178.10.8,61997,  <->,147.32.84.229,13363,CON,0,0,2,236,174,"
    "flow=Background-UDP-Established\n",
    "2011/08/16 10:01:47.000001,0.000000,icmp,147.32.84.165,0x0303,   ->,147.32.80.9,0x0000,URP,0,,1,590,590,"
    "flow=From-Botnet-V47-ICMP\n",
    "2011/08/16 10:01:48.5,1.25,tcp,147.32.84.165,1025,   <-,91.212.135.158,5678,FSPA_FSPA,0,0,10,1000,500,"
    "flow=From-Botnet-V47-TCP-CC73-Not-Encrypted\n",
    "2011/08/16 10:01:49.123456789,0,arp,00:1a:2b:3c:4d:5e,,  who,ff:ff:ff:ff:ff:ff,,INT,0,,1,60,60,"
    "flow=Background\n",
    "2011/08/16 10:01:50,2.5,ipv6-icmp,fe80::1,0x0087,   ?>,ff02::1:ff00:1,0x0000,INT,0,,1,86,86,flow=Background\n",
    "2011/08/16 10:01:51,0.1,esp,147.32.84.1,,    <?,147.32.84.2,0x1234abcd,INT,0,,3,300,100,flow=Background\n",
    "2011-10-30T02:30:00.000000,0.5,udp,147.32.84.3,53,  <->,8.8.8.8,53,CON,0,0,2,200,100,flow=Background\n",
    "2011/03/27 02:30:00,0.5,17,147.32.84.4,123,   ->,147.32.84.5,123,INT,0,0,1,90,90,flow=Background\n",
    "2011/08/16 10:01:52,0.2,rtp,147.32.84.6,5004,   ->,147.32.84.7,5006,INT,0,0,4,400,400,flow=Background\n",
]


def binetflow_seeds(out, shared, big):
    text = BNF_HEADER + "".join(BNF_ROWS)
    write(out, "binetflow", "ctu13-like.binetflow", text)
    write(out, "binetflow", "ctu13-like.binetflow.gz", gz(text))
    write(out, "binetflow", "joined.binetflow", text + "\n" + text.replace("\n", "\r\n"))
    write(out, "binetflow", "bad-rows.binetflow", BNF_HEADER + BNF_ROWS[0] +
          BNF_ROWS[1].replace("<->", "=>") + BNF_ROWS[2].replace("icmp", "icmpx") +
          BNF_ROWS[3].replace("1.25", "-1") + "2011/08/16 10:01:46,1\n")
    write(out, "binetflow", "two-members.gz", gz(BNF_HEADER + BNF_ROWS[0]) + gz(BNF_ROWS[1]))
    write(out, "binetflow", "minimal.binetflow", "starttime,dur,proto,srcaddr,sport,dir,dstaddr,dport,totpkts,"
          "totbytes\n2011/08/16 10:01:46,1,tcp,1.2.3.4,1,->,5.6.7.8,2,1,60\n")
    if shared:
        d = os.path.join(shared, "data/real/ctu13-scenario6-menti")
        if os.path.isdir(d):
            lines = 2000 if big else 40
            for name in sorted(os.listdir(d))[:4 if big else 1]:
                if not name.endswith(".gz"):
                    continue
                with gzip.open(os.path.join(d, name), "rt", newline="") as f:
                    head = "".join(f.readline() for _ in range(lines))
                write(out, "binetflow", f"ctu13-{name[:-3]}-{lines}", head)
                write(out, "binetflow", f"ctu13-{name[:-3]}-{lines}.gz", gz(head))


# ---------------------------------------------------------------- IPFIX, byte by byte

def msg(sets, export_time=1709287300, seq=0, domain=1):
    body = b"".join(sets)
    return struct.pack(">HHIII", 10, 16 + len(body), export_time, seq, domain) + body


def set_(sid, payload, pad=0):
    payload += b"\0" * pad
    return struct.pack(">HH", sid, 4 + len(payload)) + payload


def tmpl(tid, fields, scope=None):
    """fields: (id, len) or (id, len, pen) for an enterprise element."""
    out = struct.pack(">HH", tid, len(fields))
    if scope is not None:
        out += struct.pack(">H", scope)
    for f in fields:
        if len(f) == 3:
            out += struct.pack(">HHI", f[0] | 0x8000, f[1], f[2])
        else:
            out += struct.pack(">HH", f[0], f[1])
    return out


def ntp(ms):
    secs = ms // 1000 + 2208988800
    frac = ((ms % 1000) << 32) // 1000
    return secs << 32 | frac


T0 = 1709287201234
V4_MS = [(152, 8), (153, 8), (2, 8), (1, 8), (8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (6, 1)]


def rec_v4_ms(i):
    return struct.pack(">QQQQIIHHBB", T0 + i, T0 + i + 1500, 3 + i, 180 + i, 0x0a000001 + i, 0x5bd4879e, 1024 + i,
                       447, 6, 0x12)


def ipfix_seeds(out, shared, big):
    plain = msg([set_(2, tmpl(256, V4_MS)), set_(256, b"".join(rec_v4_ms(i) for i in range(3)))])
    write(out, "ipfix", "v4-ms.ipfix", plain)
    write(out, "ipfix", "v4-ms.ipfix.gz", gz(plain))

    v6 = [(154, 8), (155, 8), (27, 16), (28, 16), (7, 2), (11, 2), (6, 2), (4, 1), (86, 8), (85, 8)]
    rec6 = lambda i: (struct.pack(">QQ", ntp(T0 + i), ntp(T0 + i + 999)) + bytes.fromhex("20010db8" + "00" * 11) +
                      bytes([i]) + bytes.fromhex("2a001450400100000000000000000200") +
                      struct.pack(">HHHBQQ", 443, 50000 + i, 0x18, 6, 5, 500))
    write(out, "ipfix", "v6-us-totals.ipfix",
          msg([set_(2, tmpl(300, v6))], seq=0) + msg([set_(300, rec6(1) + rec6(2))], seq=0))

    # reduced-length counters, seconds
    secs = [(150, 4), (151, 4), (2, 4), (1, 4), (8, 4), (12, 4), (7, 2), (11, 2), (4, 1)]
    write(out, "ipfix", "v4-secs-reduced.ipfix", msg([
        set_(2, tmpl(257, secs)),
        set_(257, struct.pack(">IIIIIIHHB", 1709287201, 1709287261, 7, 4000000000, 1, 2, 3, 449, 17), pad=3)]))

    # sysUpTime: the init time in an options record of the domain, and in the record itself
    opt = tmpl(400, [(149, 4), (160, 8)], scope=1)
    up = [(22, 4), (21, 4), (8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (2, 8), (1, 8)]
    up_rec = [(160, 8)] + up
    write(out, "ipfix", "sysuptime.ipfix", msg([
        set_(3, opt, pad=2), set_(2, tmpl(401, up) + tmpl(402, up_rec)),
        set_(400, struct.pack(">IQ", 5, 1709286000000)),
        set_(401, struct.pack(">IIIIHHBQQ", 1201234, 1202000, 3, 4, 5, 8082, 6, 4, 400)),
        set_(402, struct.pack(">QIIIIHHBQQ", 1709280000000, 7201234, 7261234, 3, 4, 5, 447, 6, 3, 300)),
    ], domain=5))

    # deltas before the export time, a duration, ICMP type/code, nanoseconds
    delta = [(158, 4), (159, 4), (8, 4), (12, 4), (4, 1), (32, 2), (1, 8)]
    dur = [(152, 8), (161, 4), (8, 4), (12, 4), (4, 1), (32, 2), (11, 2), (1, 8)]
    ns = [(156, 8), (157, 8), (27, 16), (28, 16), (4, 1), (139, 2), (1, 8)]
    write(out, "ipfix", "delta-dur-icmp-ns.ipfix", msg([
        set_(2, tmpl(500, delta) + tmpl(501, dur) + tmpl(502, ns)),
        set_(500, struct.pack(">IIIIBHQ", 98766000, 38766000, 1, 2, 1, 0x0800, 700)),
        set_(501, struct.pack(">QIIIBHHQ", T0, 2500, 1, 2, 1, 0x0303, 0, 800)),
        set_(502, struct.pack(">QQ", ntp(T0 + 1), ntp(T0 + 999)) + b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\1" +
             b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\2" + struct.pack(">BHQ", 58, 0x8000, 600)),
    ], export_time=1709287300))

    # enterprise and variable-length fields (short and long length forms), then the flow
    ent = [(1, 4, 6871), (8, 4), (12, 4), (152, 8), (82, 65535), (100, 65535, 29305), (4, 1)]
    varlen_short = b"\x03abc"
    varlen_long = b"\xff\x00\x05hello"
    write(out, "ipfix", "enterprise-varlen.ipfix", msg([
        set_(2, tmpl(600, ent)),
        set_(600, struct.pack(">IIIQ", 9, 1, 2, T0) + varlen_short + varlen_long + b"\x06"),
    ]))

    # withdrawal, a data set of a withdrawn and of an unknown template, two domains, padding
    small = [(152, 8), (153, 8), (8, 4), (12, 4), (11, 2)]
    rec_small = lambda i: struct.pack(">QQIIH", T0 + i, T0 + i + 10, i, 0x0a000001, 447)
    write(out, "ipfix", "withdraw-domains.ipfix",
          msg([set_(2, tmpl(256, small), pad=4), set_(256, rec_small(1))], seq=0, domain=1) +
          msg([set_(2, tmpl(256, small[:4])), set_(256, rec_small(2)[:24])], seq=0, domain=2) +
          msg([set_(2, struct.pack(">HH", 256, 0)), set_(256, rec_small(3)), set_(999, b"\1\2\3\4")],
              seq=1, domain=1) +
          msg([set_(256, rec_small(4)[:24])], seq=1, domain=2))

    # bad lengths of elements c2hunt reads: bad rows, not errors
    write(out, "ipfix", "bad-lengths.ipfix", msg([
        set_(2, tmpl(700, [(152, 4), (8, 2), (12, 4)]) + tmpl(701, [(8, 4), (12, 4)])),
        set_(700, struct.pack(">IHI", 1, 2, 3)), set_(701, struct.pack(">II", 1, 2))]))
    # a second message cut short, and an empty message
    write(out, "ipfix", "truncated.ipfix", plain + plain[:30])
    write(out, "ipfix", "empty-message.ipfix", msg([]) + plain)
    if big:
        many = msg([set_(2, tmpl(256, V4_MS))]) + b"".join(
            msg([set_(256, b"".join(rec_v4_ms(i * 50 + j) for j in range(50)))], seq=i * 50) for i in range(40))
        write(out, "ipfix", "v4-many.ipfix", many)
        write(out, "ipfix", "v4-many.ipfix.gz", gz(many))


# ---------------------------------------------------------------- seeds, profiles, customers

def seeds_seeds(out, shared, big):
    write(out, "seeds", "plain.txt", "# seeds\n91.212.135.158\n2001:db8::5 # v6\n\n10.0.0.1\n127.0.0.1\n"
          "224.0.0.1\n91.212.135.158\r\n")
    write(out, "seeds", "feodo-2021.csv",
          "#####\n# abuse.ch Feodo Tracker Botnet C2 IP Blocklist (CSV)\n#\n"
          "\"first_seen_utc\",\"dst_ip\",\"dst_port\",\"c2_status\",\"last_online\",\"malware\"\n"
          "\"2021-01-17 07:30:05\",\"67.213.75.205\",\"443\",\"offline\",\"2021-09-08\",\"Dridex\"\n"
          "\"2020-06-01 10:00:00\",\"103.110.53.174\",\"449\",\"online\",\"2021-10-03\",\"TrickBot\"\n"
          "\"2021-10-02 09:25:46\",\"73.25.124.140\",\"2222\",\"online\",\"2021-10-03\",\"QakBot\"\n"
          "\"\",\"73.25.124.140\",\"2222\",\"online\",\"2021-10-03\",\"Qak\"\"Bot\"\n"
          "# END 4 entries\n")
    write(out, "seeds", "feodo-old.csv", "# Feodo Tracker\n# Firstseen,DstIP,DstPort,LastOnline,Malware\n"
          "2019-05-01 10:00:00,1.2.3.4,447,2019-05-02,TrickBot\n2019-05-01T11:00:00,5.6.7.8,449,,Heodo\n"
          "# END 3 entries\n")
    write(out, "seeds", "sslbl.csv", "# Firstseen,DstIP,DstPort\n2018-01-01 00:00:00,9.9.9.9,443\n")
    write(out, "seeds", "maltrail.txt", "# Copyright (c) 2014-2026 Maltrail developers\n\n"
          "# Aliases: bazar, trickbot, trickmo\n\n# Reference: https://example.org/x\n\n"
          "3gihg5esw7lxg2wh.onion\n/neam.meow\n185.14.31.104\n185.14.31.105:447\n185.14.31.106;449\n"
          "example.com # a name\nhttp://185.14.31.107/x.php\n")
    if shared:
        f = os.path.join(shared, "data/real/feodo-tracker-2021/ipblocklist_2021-10-02.csv")
        if os.path.exists(f):
            lines = open(f, newline="").readlines()
            if big:
                shutil.copy(f, os.path.join(out, "seeds", "feodo-real.csv"))
            else:
                write(out, "seeds", "feodo-real-head.csv", "".join(lines[:30] + lines[-1:]))
        f = os.path.join(shared, "data/real/maltrail-trickbot/trickbot.txt")
        if os.path.exists(f):
            if big:
                shutil.copy(f, os.path.join(out, "seeds", "trickbot.txt"))
            else:
                write(out, "seeds", "trickbot-head.txt", "".join(open(f, newline="").readlines()[:60]))


def profile_seeds(out, shared, big):
    write(out, "profile", "trickbot.ini",
          "[profile]\nname=trickbot\nc2_ports=447;449;8082;\nweb_ports=80;443;\nadmin_ports=22;23;8291;\n"
          "beacon_min_flows=4\nbeacon_min_hours=2\nc2_min_victims=2\nc2_min_victim_share=0.3\nmax_rounds=64\n"
          "controller_min_c2=3\ncontroller_min_c2_share=0.2\ncontroller_min_specificity=0.01\n"
          "predicted_min_controllers=2\npredicted_max_others=20\nbackend_min_c2=2\nbackend_max_others=20\n"
          "exchange_round_edges=262144\nfanout_edge_cap=200000\n")
    write(out, "profile", "menti.ini", "# menti\n[profile]\nname=menti\nc2_ports=5678\nweb_ports=80;443\n"
          "admin_ports=22;23;8291\nbeacon_min_flows=4\nbeacon_min_hours=2\n")
    write(out, "profile", "minimal.ini", "[profile]\nc2_ports=1\n[other]\nx=y\n")
    write(out, "profile", "limits.ini", "[profile]\nname=a \\s\\tb;c\\n\nc2_ports=0;1;2;3;4;5;6;7;8;9;10;11;12;13;14;65535\n"
          "web_ports=\nadmin_ports=22\nbeacon_min_hours=32\nmax_rounds=100000\nexchange_round_edges=16777216\n"
          "fanout_edge_cap=18446744073709551615\nc2_min_victim_share=1\ncontroller_min_c2_share=0.123456789\n"
          "controller_min_specificity=1e-9\n")
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../docs/profiles")
    if os.path.isdir(root):
        for name in sorted(os.listdir(root)):
            if name.endswith(".ini"):
                shutil.copy(os.path.join(root, name), os.path.join(out, "profile", "docs-" + name))


def customers_seeds(out, shared, big):
    write(out, "customers", "gen.csv", "cidr,customer\n10.83.16.0/20,customer-1\n100.64.128.0/17,customer-2\n"
          "28.220.0.0/16,customer-3\n")
    write(out, "customers", "mixed.csv", "\ufeffCIDR , Customer\n# comment\n\n10.0.0.0/8,Big Corp\n"
          "10.1.0.0/16,\"Sub \"\"unit\"\"\"\n10.1.2.3,one host\n2001:db8::/32, v6 net \n2001:db8:1::/48,Ünïcode\n"
          "::ffff:192.0.2.0/120,mapped\n0.0.0.0/0,everything\n::/0,all v6\n")
    write(out, "customers", "bad.csv", "10.0.0.1/24,host bits\n")
    write(out, "customers", "dup.csv", "10.0.0.0/24,a\n10.0.0.0/24,b\n")


# ---------------------------------------------------------------- shards

def shard_seeds(out, shared, big, c2hunt):
    if not c2hunt:
        return
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               ASAN_OPTIONS="detect_leaks=0")
    tmp = tempfile.mkdtemp(prefix="c2h-mkcorpus-")
    try:
        csvs = []
        v4 = NF_HEADER + "".join(
            nf_line(f"2024-03-01 10:{i // 60:02d}:{i % 60:02d}", f"2024-03-01 10:{i // 60:02d}:{i % 60:02d}",
                    "0.500", f"10.0.{i % 7}.{i}", f"91.212.135.{i % 3}", 40000 + i, [447, 449, 80][i % 3],
                    ["TCP", "UDP", "ICMP"][i % 3], "...AP.S.", i + 1, 100 * i + 60)
            for i in range(40))
        v6 = NF_HEADER + "".join(
            nf_line(f"2024-03-01 11:00:{i:02d}", f"2024-03-01 11:00:{i:02d}", "1.000", f"2001:db8::{i + 1:x}",
                    f"2a00:1450::{i % 4:x}", 50000 + i, 8082, "TCP", "........", 2, 120)
            for i in range(20))
        for name, text, chunk in (("v4", v4, 16), ("v6", v6, 8), ("one", NF_HEADER + NF_ROWS[0], 8)):
            path = os.path.join(tmp, name + ".csv")
            with open(path, "w") as f:
                f.write(text)
            csvs.append((name, path, chunk))
        if big:
            gen = os.path.join(tmp, "gen")
            subprocess.run([c2hunt, "gen", "--preset", "small", "--flows", "2000", "--seed", "3", "--out", gen,
                            "--csv", os.path.join(tmp, "gen.csv"), "-q"], check=True, env=env,
                           stdout=subprocess.DEVNULL)
            with open(os.path.join(tmp, "gen.csv")) as f:
                head = "".join(f.readline() for _ in range(601))
            with open(os.path.join(tmp, "gen600.csv"), "w") as f:
                f.write(head)
            csvs.append(("gen600", os.path.join(tmp, "gen600.csv"), 64))
        for name, path, chunk in csvs:
            arch = os.path.join(tmp, "a-" + name)
            subprocess.run([c2hunt, "ingest", "--format", "nfdump-csv", "--chunk-rows", str(chunk), "--out", arch,
                            "-q", path], check=True, env=env, stdout=subprocess.DEVNULL)
            shards = sorted(os.listdir(os.path.join(arch, "shards")))
            for i, s in enumerate(shards):
                shutil.copy(os.path.join(arch, "shards", s), os.path.join(out, "shard", f"{name}-{i}.h5"))
    finally:
        shutil.rmtree(tmp)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--shared", help="the project's shared folder (../shared), for data/real")
    ap.add_argument("--c2hunt", help="a c2hunt binary, to make shards")
    ap.add_argument("--big", action="store_true", help="also larger inputs (not for committing)")
    a = ap.parse_args()
    shared = a.shared if a.shared and os.path.isdir(os.path.join(a.shared, "data/real")) else None
    for t in TARGETS:
        os.makedirs(os.path.join(a.out, t), exist_ok=True)
    nfcsv_seeds(a.out, shared, a.big)
    binetflow_seeds(a.out, shared, a.big)
    ipfix_seeds(a.out, shared, a.big)
    seeds_seeds(a.out, shared, a.big)
    profile_seeds(a.out, shared, a.big)
    customers_seeds(a.out, shared, a.big)
    shard_seeds(a.out, shared, a.big, a.c2hunt)
    return 0


if __name__ == "__main__":
    sys.exit(main())
