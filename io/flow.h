/* flow.h: one NetFlow/IPFIX record as c2hunt holds it in memory, and its addresses.
 *
 * Addresses are always 16 bytes. IPv4 is held IPv4-mapped (::ffff:a.b.c.d), so one
 * type serves both families; a flow is IPv4 when both its addresses are mapped.
 * On disk an IPv4 shard stores 4-byte addresses (see shard.h): the 16-byte form is
 * only the in-memory one.
 */
#ifndef C2H_FLOW_H
#define C2H_FLOW_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define C2H_ADDR_STRLEN 46 /* INET6_ADDRSTRLEN */

typedef struct c2h_addr {
    uint8_t b[16]; /* network byte order */
} c2h_addr;

typedef struct c2h_flow {
    int64_t start_ms; /* first packet, ms since the epoch, UTC */
    int64_t end_ms;   /* last packet, ms since the epoch, UTC */
    c2h_addr src, dst;
    uint64_t packets;
    uint64_t bytes;
    uint16_t sport, dport;
    uint8_t proto;     /* IANA protocol number: 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6 */
    uint8_t tcp_flags; /* CWR ECE URG ACK PSH RST SYN FIN, bit 7 to bit 0 */
} c2h_flow;

enum { C2H_FAMILY_V4 = 4, C2H_FAMILY_V6 = 6 };

/* TCP flag bits as in the TCP header (and nfdump's "CEUAPRSF" string). */
enum {
    C2H_TCP_FIN = 0x01, C2H_TCP_SYN = 0x02, C2H_TCP_RST = 0x04, C2H_TCP_PSH = 0x08,
    C2H_TCP_ACK = 0x10, C2H_TCP_URG = 0x20, C2H_TCP_ECE = 0x40, C2H_TCP_CWR = 0x80,
};

static inline bool c2h_addr_is_v4(const c2h_addr *a)
{
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return memcmp(a->b, prefix, sizeof prefix) == 0;
}

/* @return the IPv4 address in host order (10.0.0.1 is 0x0a000001); a must be IPv4. */
static inline uint32_t c2h_addr_v4(const c2h_addr *a)
{
    return (uint32_t)a->b[12] << 24 | (uint32_t)a->b[13] << 16 | (uint32_t)a->b[14] << 8 | a->b[15];
}

static inline c2h_addr c2h_addr_from_v4(uint32_t v)
{
    c2h_addr a = {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
                   (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v}};
    return a;
}

static inline int c2h_addr_cmp(const c2h_addr *a, const c2h_addr *b)
{
    /* memcmp's order, as two big-endian 64-bit words (sorting edges called memcmp a lot) */
    uint64_t x[2], y[2];
    memcpy(x, a->b, 16);
    memcpy(y, b->b, 16);
    for (int i = 0; i < 2; i++)
        if (x[i] != y[i]) {
            uint64_t p = GUINT64_FROM_BE(x[i]), q = GUINT64_FROM_BE(y[i]);
            return p < q ? -1 : 1;
        }
    return 0;
}

/* @return C2H_FAMILY_V4 when both addresses are IPv4, else C2H_FAMILY_V6. */
static inline int c2h_flow_family(const c2h_flow *f)
{
    return c2h_addr_is_v4(&f->src) && c2h_addr_is_v4(&f->dst) ? C2H_FAMILY_V4 : C2H_FAMILY_V6;
}

/* Parse an IPv4 or IPv6 address of len bytes (not NUL-terminated) into out.
 * @return false when s is not an address. */
bool c2h_addr_parse(const char *s, size_t len, c2h_addr *out);

/* Format a into buf (dotted quad for IPv4, RFC 5952 for IPv6). @return buf. */
char *c2h_addr_format(const c2h_addr *a, char buf[C2H_ADDR_STRLEN]);

/* Hash of an address, stable across runs and machines (used for ownership). */
uint64_t c2h_addr_hash(const c2h_addr *a);

/* Format ms since the epoch as ISO 8601 UTC ("2026-01-05T00:00:00Z", with ".123"
 * only when ms is not 0) into buf of at least 32 bytes. @return buf. */
char *c2h_time_format_iso(int64_t ms, char buf[32]);

/* Parse ISO 8601 ("2026-01-05T00:00:00Z", offset or Z required) into ms since the epoch. */
bool c2h_time_parse_iso(const char *s, int64_t *ms);

/* floor(a / b) for b > 0, also for negative a (times before 1970). */
static inline int64_t c2h_floordiv(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

#endif
