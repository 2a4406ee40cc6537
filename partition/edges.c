/* edges.c: the edge set: edges kept in fixed blocks (an edge never moves once made), found
 * through an open-addressing table of their numbers (linear probing, at most half full),
 * hashed and compared as four 64-bit words: a GHashTable cost a callback, a 16-byte hash and
 * a memcmp per flow, the largest share of pass 1 in perf. */
#include "partition/edges.h"

#define BLOCK_EDGES 4096

struct c2h_edgeset {
    GPtrArray *blocks; /* of c2h_edge[BLOCK_EDGES], kept when the set is emptied */
    guint64 len;
    uint32_t *slot;    /* edge number + 1, 0 = empty */
    guint64 mask;      /* slots - 1 */
};

static inline c2h_edge *edge_at(const c2h_edgeset *s, guint64 i)
{
    return (c2h_edge *)s->blocks->pdata[i / BLOCK_EDGES] + i % BLOCK_EDGES;
}

static inline void pair_words(const c2h_addr *src, const c2h_addr *dst, uint64_t w[4])
{
    memcpy(&w[0], src->b, 8);
    memcpy(&w[1], src->b + 8, 8);
    memcpy(&w[2], dst->b, 8);
    memcpy(&w[3], dst->b + 8, 8);
}

static inline guint64 pair_hash(const uint64_t w[4])
{
    uint64_t h = w[0] * 0x9E3779B97F4A7C15ull ^ w[1] * 0xC2B2AE3D27D4EB4Full ^ w[2] * 0x165667B19E3779F9ull ^
                 w[3] * 0xD6E8FEB86659FD93ull;
    h ^= h >> 32;
    h *= 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29);
}

static inline gboolean pair_is(const c2h_edge *e, const uint64_t w[4])
{
    uint64_t x[4];
    pair_words(&e->src, &e->dst, x);
    return ((x[0] ^ w[0]) | (x[1] ^ w[1]) | (x[2] ^ w[2]) | (x[3] ^ w[3])) == 0;
}

static void rehash(c2h_edgeset *s, guint64 slots)
{
    g_free(s->slot);
    s->slot = g_new0(uint32_t, slots);
    s->mask = slots - 1;
    for (guint64 i = 0; i < s->len; i++) {
        const c2h_edge *e = edge_at(s, i);
        uint64_t w[4];
        pair_words(&e->src, &e->dst, w);
        guint64 j = pair_hash(w) & s->mask;
        while (s->slot[j] != 0)
            j = (j + 1) & s->mask;
        s->slot[j] = (uint32_t)(i + 1);
    }
}

int c2h_edge_cmp_dst(const void *a, const void *b)
{
    const c2h_edge *x = a, *y = b;
    int c = c2h_addr_cmp(&x->dst, &y->dst);
    return c ? c : c2h_addr_cmp(&x->src, &y->src);
}

int c2h_edge_cmp_src(const void *a, const void *b)
{
    const c2h_edge *x = a, *y = b;
    int c = c2h_addr_cmp(&x->src, &y->src);
    return c ? c : c2h_addr_cmp(&x->dst, &y->dst);
}

c2h_edgeset *c2h_edgeset_new(void)
{
    c2h_edgeset *s = g_new0(c2h_edgeset, 1);
    s->blocks = g_ptr_array_new_with_free_func(g_free);
    rehash(s, 1024);
    return s;
}

void c2h_edgeset_free(c2h_edgeset *s)
{
    if (s == NULL)
        return;
    g_ptr_array_free(s->blocks, TRUE);
    g_free(s->slot);
    g_free(s);
}

void c2h_edgeset_clear(c2h_edgeset *s)
{
    /* Keep the blocks (the set fills again, pass after pass); a table grown big goes back
     * to its first size. */
    s->len = 0;
    if (s->mask + 1 > 1024)
        rehash(s, 1024);
    else
        memset(s->slot, 0, (s->mask + 1) * sizeof *s->slot);
}

guint64 c2h_edgeset_len(const c2h_edgeset *s)
{
    return s->len;
}

guint64 c2h_edgeset_bytes(const c2h_edgeset *s)
{
    return (guint64)s->blocks->len * BLOCK_EDGES * sizeof(c2h_edge) + (s->mask + 1) * sizeof *s->slot;
}

c2h_edge *c2h_edgeset_get(c2h_edgeset *s, const c2h_addr *src, const c2h_addr *dst)
{
    uint64_t w[4];
    pair_words(src, dst, w);
    guint64 j = pair_hash(w) & s->mask;
    for (; s->slot[j] != 0; j = (j + 1) & s->mask) {
        c2h_edge *e = edge_at(s, s->slot[j] - 1);
        if (pair_is(e, w))
            return e;
    }
    g_assert(s->len < G_MAXUINT32);
    if (s->len / BLOCK_EDGES == s->blocks->len)
        g_ptr_array_add(s->blocks, g_new(c2h_edge, BLOCK_EDGES));
    c2h_edge *e = edge_at(s, s->len);
    memset(e, 0, sizeof *e);
    e->src = *src;
    e->dst = *dst;
    s->slot[j] = (uint32_t)(++s->len);
    if (2 * s->len > s->mask + 1)
        rehash(s, 2 * (s->mask + 1));
    return e;
}

void c2h_edgeset_add_flow(c2h_edgeset *s, const c2h_flow *f, uint32_t port_class)
{
    c2h_edge_add_flow(c2h_edgeset_get(s, &f->src, &f->dst), f, port_class);
}

void c2h_edgeset_merge(c2h_edgeset *s, const c2h_edge *e)
{
    c2h_edge *have = c2h_edgeset_get(s, &e->src, &e->dst);
    if (have->flows == 0) {
        *have = *e;
        return;
    }
    c2h_edge_merge(have, e);
}

/* The sort key of e, (dst, src) or (src, dst) (32 bytes in memcmp order), as four words. */
static inline void key_words(const c2h_edge *e, gboolean by_dst, uint64_t w[4])
{
    memcpy(&w[0], by_dst ? &e->dst : &e->src, 16);
    memcpy(&w[2], by_dst ? &e->src : &e->dst, 16);
}

typedef struct keyed {
    uint64_t key;
    uint32_t i;
} keyed;

/* Sort s's edges into out by (dst, src) or (src, dst) with an LSD radix sort, when their keys
 * differ in at most 8 of their 32 bytes (IPv4 edges: the 12-byte mapped prefixes are the same
 * everywhere): those bytes, in order, make a 64-bit key that orders them exactly as the
 * comparator does (the keys of a set are distinct: no ties). @return FALSE (out untouched) when
 * more bytes differ. A spill sorts 32768 edges many times over: qsort's comparisons were a
 * tenth of pass 1 on a large archive (bench/sortedges). */
static gboolean radix_sorted(const c2h_edgeset *s, gboolean by_dst, GArray *out)
{
    guint64 n = s->len;
    uint64_t w0[4], diff[4] = {0};
    key_words(edge_at(s, 0), by_dst, w0);
    for (guint64 i = 1; i < n; i++) {
        uint64_t w[4];
        key_words(edge_at(s, i), by_dst, w);
        for (int j = 0; j < 4; j++)
            diff[j] |= w[j] ^ w0[j];
    }
    const uint8_t *d = (const uint8_t *)diff; /* byte p of the key is byte p of the words */
    guint pos[8], v = 0;
    for (guint p = 0; p < 32; p++)
        if (d[p]) {
            if (v == 8)
                return FALSE;
            pos[v++] = p;
        }
    keyed *a = g_new(keyed, n), *b = g_new(keyed, n);
    for (guint64 i = 0; i < n; i++) {
        uint64_t w[4], k = 0;
        key_words(edge_at(s, i), by_dst, w);
        const uint8_t *b8 = (const uint8_t *)w;
        for (guint j = 0; j < v; j++)
            k = k << 8 | b8[pos[j]];
        a[i] = (keyed){k, (uint32_t)i};
    }
    for (guint j = 0; j < v; j++) { /* least significant byte first */
        guint shift = 8 * j;
        guint64 count[257] = {0};
        for (guint64 i = 0; i < n; i++)
            count[(a[i].key >> shift & 0xff) + 1]++;
        for (guint d = 0; d < 256; d++)
            count[d + 1] += count[d];
        for (guint64 i = 0; i < n; i++)
            b[count[a[i].key >> shift & 0xff]++] = a[i];
        keyed *t = a;
        a = b;
        b = t;
    }
    g_array_set_size(out, (guint)n);
    for (guint64 i = 0; i < n; i++)
        g_array_index(out, c2h_edge, i) = *edge_at(s, a[i].i);
    g_free(a);
    g_free(b);
    return TRUE;
}

GArray *c2h_edgeset_sorted(const c2h_edgeset *s, int (*cmp)(const void *, const void *))
{
    GArray *out = g_array_sized_new(FALSE, FALSE, sizeof(c2h_edge), (guint)s->len);
    if (s->len > 1 && (cmp == c2h_edge_cmp_dst || cmp == c2h_edge_cmp_src) &&
        radix_sorted(s, cmp == c2h_edge_cmp_dst, out))
        return out;
    for (guint64 i = 0; i < s->len; i += BLOCK_EDGES)
        g_array_append_vals(out, edge_at(s, i), (guint)MIN((guint64)BLOCK_EDGES, s->len - i));
    if (cmp)
        g_array_sort(out, cmp);
    return out;
}

guint c2h_addr_ghash(gconstpointer a)
{
    return (guint)c2h_addr_hash(a);
}

gboolean c2h_addr_gequal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(c2h_addr)) == 0;
}

GHashTable *c2h_addrset_new(void)
{
    return g_hash_table_new_full(c2h_addr_ghash, c2h_addr_gequal, g_free, NULL);
}

gboolean c2h_addrset_add(GHashTable *set, const c2h_addr *a)
{
    if (g_hash_table_contains(set, a))
        return FALSE;
    c2h_addr *k = g_new(c2h_addr, 1);
    *k = *a;
    g_hash_table_add(set, k);
    return TRUE;
}

static int addr_qcmp(const void *a, const void *b)
{
    return c2h_addr_cmp(a, b);
}

GArray *c2h_addrset_sorted(GHashTable *set)
{
    GArray *out = g_array_sized_new(FALSE, FALSE, sizeof(c2h_addr), g_hash_table_size(set));
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, set);
    while (g_hash_table_iter_next(&it, &k, NULL))
        g_array_append_vals(out, k, 1);
    g_array_sort(out, addr_qcmp);
    return out;
}
