#!/usr/bin/python3
"""nfcapd_send.py: send known flows to an nfcapd as NetFlow packets, for tests.

IPv4 flows go out as NetFlow v5, IPv6 flows as NetFlow v9 (a template, then data).
The flows are drawn from a seeded generator, so a run is reproducible, and written to
--expect one a line, sorted, in the form the tests compare:

    start_ms,end_ms,src,dst,sport,dport,proto,tcp_flags,packets,bytes

Standard library only (Debian's /usr/bin/python3).
"""
import argparse
import ipaddress
import random
import socket
import struct
import time

T0 = 1767571200        # 2026-01-05T00:00:00Z: the exporter's clock when it sends
UPTIME_MS = 172800000  # the exporter booted two days before T0
V5_MAX = 30            # records in one v5 packet
V9_MAX = 20            # records in one v9 data flowset
V9_TEMPLATE_ID = 256
# (field type, length): IPV6_SRC_ADDR, IPV6_DST_ADDR, L4_SRC_PORT, L4_DST_PORT, PROTOCOL,
# TCP_FLAGS, IN_PKTS, IN_BYTES, FIRST_SWITCHED, LAST_SWITCHED, ICMP_TYPE (type * 256 + code: nfcapd
# takes an ICMP flow's type and code from this field, not from L4_DST_PORT)
V9_FIELDS = [(27, 16), (28, 16), (7, 2), (11, 2), (4, 1), (6, 1), (2, 8), (1, 8), (22, 4), (21, 4), (32, 2)]


def make_flow(rng, v6):
    """One random flow: a dict of the fields the archive keeps."""
    start = T0 * 1000 - rng.randrange(1000, 86400000)
    dur = rng.choice([0, 0, rng.randrange(1, 1000), rng.randrange(1000, 600000)])
    end = min(start + dur, T0 * 1000)
    proto = rng.choice([6, 6, 6, 17, 17, 1, 47, 50, 132, 200])
    if v6:
        src = ipaddress.IPv6Address(bytes([0x20, 0x01, 0x0d, 0xb8]) + rng.randbytes(12))
        dst = ipaddress.IPv6Address(bytes([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0]) + rng.randbytes(8))
        if proto == 1:
            proto = 58
    else:
        src = ipaddress.IPv4Address(rng.choice([0x0a000000, 0xc0a80000, 0x93200000]) + rng.randrange(1, 65535))
        dst = ipaddress.IPv4Address(rng.randrange(0x01000000, 0xdf000000))
    sport, dport, flags = 0, 0, 0
    if proto in (6, 17, 132):
        sport = rng.randrange(1024, 65536)
        dport = rng.choice([22, 53, 80, 443, 902, 8080, rng.randrange(1, 65536)])
    if proto == 6:
        flags = rng.randrange(1, 256)
    if proto in (1, 58):
        dport = rng.choice([8, 0, 3, 11, 128, 129]) * 256 + rng.randrange(0, 4)
    packets = rng.randrange(1, 5000)
    nbytes = packets * rng.randrange(40, 1500)
    if v6 and rng.random() < 0.2:  # v9 counters are 64-bit: exercise values above 2^32
        packets = rng.randrange(1 << 32, 1 << 40)
        nbytes = packets * 1000
    return dict(start=start, end=end, src=src, dst=dst, sport=sport, dport=dport, proto=proto, flags=flags,
                packets=packets, bytes=nbytes)


def uptime_of(ms):
    """The exporter's sysUptime (ms since boot) at an absolute time in ms."""
    up = UPTIME_MS - (T0 * 1000 - ms)
    assert 0 <= up < 1 << 32
    return up


def v5_packets(flows):
    seq = 0
    for i in range(0, len(flows), V5_MAX):
        chunk = flows[i:i + V5_MAX]
        pkt = struct.pack('!HHIIIIBBH', 5, len(chunk), UPTIME_MS, T0, 0, seq, 0, 0, 0)
        for f in chunk:
            pkt += struct.pack('!4s4s4sHHIIIIHHBBBBHHBBH', f['src'].packed, f['dst'].packed, bytes(4), 0, 0,
                               f['packets'], f['bytes'], uptime_of(f['start']), uptime_of(f['end']),
                               f['sport'], f['dport'], 0, f['flags'], f['proto'], 0, 0, 0, 0, 0, 0)
        seq += len(chunk)
        yield pkt


def v9_packets(flows):
    seq = 0
    tmpl = struct.pack('!HH', V9_TEMPLATE_ID, len(V9_FIELDS))
    tmpl += b''.join(struct.pack('!HH', t, n) for t, n in V9_FIELDS)
    tmpl_set = struct.pack('!HH', 0, 4 + len(tmpl)) + tmpl
    for i in range(0, len(flows), V9_MAX):
        chunk = flows[i:i + V9_MAX]
        data = b''
        for f in chunk:
            icmp = f['dport'] if f['proto'] in (1, 58) else 0
            data += struct.pack('!16s16sHHBBQQIIH', f['src'].packed, f['dst'].packed, f['sport'], f['dport'],
                                f['proto'], f['flags'], f['packets'], f['bytes'], uptime_of(f['start']),
                                uptime_of(f['end']), icmp)
        data += bytes((-len(data)) % 4)
        data_set = struct.pack('!HH', V9_TEMPLATE_ID, 4 + len(data)) + data
        header = struct.pack('!HHIIII', 9, 1 + len(chunk), UPTIME_MS, T0, seq, 1)
        seq += 1
        yield header + tmpl_set + data_set


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--port', type=int, required=True)
    ap.add_argument('--host', default='127.0.0.1')
    ap.add_argument('--v4', type=int, default=200, help='IPv4 flows (NetFlow v5)')
    ap.add_argument('--v6', type=int, default=0, help='IPv6 flows (NetFlow v9)')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--expect', required=True, help='write the flows sent here')
    args = ap.parse_args()

    rng = random.Random(args.seed)
    v4 = [make_flow(rng, False) for _ in range(args.v4)]
    v6 = [make_flow(rng, True) for _ in range(args.v6)]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for pkt in list(v5_packets(v4)) + list(v9_packets(v6)):
        sock.sendto(pkt, (args.host, args.port))
        time.sleep(0.002)  # loopback drops nothing at this rate
    sock.close()
    lines = sorted('%d,%d,%s,%s,%d,%d,%d,%d,%d,%d' % (f['start'], f['end'], f['src'], f['dst'], f['sport'],
                                                       f['dport'], f['proto'], f['flags'], f['packets'],
                                                       f['bytes']) for f in v4 + v6)
    with open(args.expect, 'w') as out:
        out.write(''.join(line + '\n' for line in lines))


if __name__ == '__main__':
    main()
