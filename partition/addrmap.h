/* addrmap.h: a map from addresses to small non-zero integers for the per-flow tests of the
 * hot loops ("is this source a controller candidate, and which one?"). Open addressing over
 * the 32-bit IPv4 value, so an IPv4 column is tested without making a c2h_addr, and over the
 * 16 bytes for IPv6. Built once per pass, then only read; a GHashTable would cost a hash
 * callback and a pointer chase per flow. */
#ifndef C2H_ADDRMAP_H
#define C2H_ADDRMAP_H

#include "io/flow.h"

#include <glib.h>

#define C2H_ADDRMAP_BITS 16 /* the IPv4 prefilter: 2^16 bits, 8 KiB */

typedef struct c2h_addrmap {
    /* bit (v * K) >> 16 is set for every IPv4 key v: a test that rejects almost every address
     * of a chunk without a probe, in a loop without branches (c2h_addrmap_filter4) */
    uint64_t bits4[(1u << C2H_ADDRMAP_BITS) / 64];
    uint32_t *k4, *v4; /* IPv4 keys (host-order value) and values; value 0 = empty slot */
    guint mask4, n4;
    c2h_addr *k6;
    uint32_t *v6;
    guint mask6, n6;
} c2h_addrmap;

c2h_addrmap *c2h_addrmap_new(void);
void c2h_addrmap_free(c2h_addrmap *m); /* accepts NULL */
/* Map a to value (non-zero), replacing what a had. */
void c2h_addrmap_put(c2h_addrmap *m, const c2h_addr *a, uint32_t value);
/* The members of a set of c2h_addr (GHashTable), each mapped to 1. */
c2h_addrmap *c2h_addrmap_from_set(GHashTable *set);
guint c2h_addrmap_size(const c2h_addrmap *m);

static inline guint c2h_addrmap_bit4(uint32_t v)
{
    return (guint)((v * 0x9E3779B1u) >> (32 - C2H_ADDRMAP_BITS));
}

static inline uint64_t c2h_addrmap_maybe4(const c2h_addrmap *m, uint32_t v)
{
    guint b = c2h_addrmap_bit4(v);
    return m->bits4[b >> 6] >> (b & 63) & 1;
}

/* The rows i < n where a[i] may be in ma or b[i] may be in mb (either map may be NULL), into
 * hit: a superset of the rows whose address is in the map, to be checked with _get4.
 * @return how many. */
static inline gsize c2h_addrmap_filter4(const c2h_addrmap *ma, const uint32_t *a, const c2h_addrmap *mb,
                                        const uint32_t *b, gsize n, guint32 *hit)
{
    gsize m = 0;
    if (ma && mb)
        for (gsize i = 0; i < n; i++) {
            hit[m] = (guint32)i;
            m += c2h_addrmap_maybe4(ma, a[i]) | c2h_addrmap_maybe4(mb, b[i]);
        }
    else if (ma || mb) {
        const c2h_addrmap *x = ma ? ma : mb;
        const uint32_t *v = ma ? a : b;
        for (gsize i = 0; i < n; i++) {
            hit[m] = (guint32)i;
            m += c2h_addrmap_maybe4(x, v[i]);
        }
    }
    return m;
}

static inline guint c2h_addrmap_slot4(uint32_t v, guint mask)
{
    return (guint)((v * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

/* @return the value of the IPv4 address v (host order), 0 when absent. */
static inline uint32_t c2h_addrmap_get4(const c2h_addrmap *m, uint32_t v)
{
    if (m->n4 == 0)
        return 0;
    for (guint i = c2h_addrmap_slot4(v, m->mask4);; i = (i + 1) & m->mask4) {
        if (m->v4[i] == 0)
            return 0;
        if (m->k4[i] == v)
            return m->v4[i];
    }
}

uint32_t c2h_addrmap_get6(const c2h_addrmap *m, const c2h_addr *a);

/* @return the value of a, 0 when absent. */
static inline uint32_t c2h_addrmap_get(const c2h_addrmap *m, const c2h_addr *a)
{
    return c2h_addr_is_v4(a) ? c2h_addrmap_get4(m, c2h_addr_v4(a)) : c2h_addrmap_get6(m, a);
}

#endif
