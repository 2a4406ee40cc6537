/* edges.c: the edge set: a GHashTable over edges kept in fixed blocks, so an edge never
 * moves once made and the table can point into the blocks. */
#include "partition/edges.h"

#define BLOCK_EDGES 4096

struct c2h_edgeset {
    GHashTable *index; /* c2h_edge* (keyed by its first 32 bytes: src, dst) -> same */
    GPtrArray *blocks; /* of c2h_edge[BLOCK_EDGES] */
    guint used;        /* edges used in the last block */
    guint64 len;
};

static guint edge_hash(gconstpointer p)
{
    const c2h_edge *e = p;
    return (guint)(c2h_addr_hash(&e->src) * 31 + c2h_addr_hash(&e->dst));
}

static gboolean edge_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, 2 * sizeof(c2h_addr)) == 0;
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
    s->index = g_hash_table_new(edge_hash, edge_equal);
    s->blocks = g_ptr_array_new_with_free_func(g_free);
    s->used = BLOCK_EDGES;
    return s;
}

void c2h_edgeset_free(c2h_edgeset *s)
{
    if (s == NULL)
        return;
    g_hash_table_destroy(s->index);
    g_ptr_array_free(s->blocks, TRUE);
    g_free(s);
}

void c2h_edgeset_clear(c2h_edgeset *s)
{
    g_hash_table_remove_all(s->index);
    g_ptr_array_set_size(s->blocks, 0);
    s->used = BLOCK_EDGES;
    s->len = 0;
}

guint64 c2h_edgeset_len(const c2h_edgeset *s)
{
    return s->len;
}

guint64 c2h_edgeset_bytes(const c2h_edgeset *s)
{
    /* blocks, plus GHashTable's arrays (about 3 words an entry at its fill) */
    return (guint64)s->blocks->len * BLOCK_EDGES * sizeof(c2h_edge) + s->len * 3 * sizeof(void *) * 2;
}

c2h_edge *c2h_edgeset_get(c2h_edgeset *s, const c2h_addr *src, const c2h_addr *dst)
{
    c2h_edge key;
    key.src = *src;
    key.dst = *dst;
    c2h_edge *e = g_hash_table_lookup(s->index, &key);
    if (e != NULL)
        return e;
    if (s->used == BLOCK_EDGES) {
        g_ptr_array_add(s->blocks, g_new(c2h_edge, BLOCK_EDGES));
        s->used = 0;
    }
    e = (c2h_edge *)s->blocks->pdata[s->blocks->len - 1] + s->used++;
    memset(e, 0, sizeof *e);
    e->src = *src;
    e->dst = *dst;
    g_hash_table_add(s->index, e);
    s->len++;
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

GArray *c2h_edgeset_sorted(const c2h_edgeset *s, int (*cmp)(const void *, const void *))
{
    GArray *out = g_array_sized_new(FALSE, FALSE, sizeof(c2h_edge), (guint)s->len);
    for (guint b = 0; b < s->blocks->len; b++) {
        guint n = b + 1 == s->blocks->len ? s->used : BLOCK_EDGES;
        g_array_append_vals(out, s->blocks->pdata[b], n);
    }
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
