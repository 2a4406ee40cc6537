/* edges.h: local adjacency. Flows fold into edges (src, dst) that carry the flow count,
 * bytes, first and last start time and the port classes seen; merging two edges of the
 * same pair is commutative and associative, so the result never depends on the order in
 * which flows were read or edges arrived. */
#ifndef C2H_EDGES_H
#define C2H_EDGES_H

#include "io/flow.h"

#include <glib.h>

typedef struct c2h_edge {
    c2h_addr src, dst;
    int64_t first_ms, last_ms; /* first and last flow start */
    uint64_t flows;
    uint64_t bytes;
    uint32_t ports;            /* port classes seen (see c2h_profile_port_class) */
    uint32_t hours;            /* distinct hours with a flow, folded mod 32 (bit h % 32) */
} c2h_edge;
/* On the wire an edge is sizeof(c2h_edge) bytes (MPI_BYTE): every rank runs the same build. */
G_STATIC_ASSERT(sizeof(c2h_edge) == 72);

/* Fold one flow into e (a new edge when e->flows == 0). */
static inline void c2h_edge_add_flow(c2h_edge *e, const c2h_flow *f, uint32_t port_class)
{
    if (e->flows == 0) {
        e->src = f->src;
        e->dst = f->dst;
        e->first_ms = e->last_ms = f->start_ms;
    }
    e->first_ms = MIN(e->first_ms, f->start_ms);
    e->last_ms = MAX(e->last_ms, f->start_ms);
    e->flows++;
    e->bytes += f->bytes;
    e->ports |= port_class;
    e->hours |= 1u << (uint32_t)(c2h_floordiv(f->start_ms, 3600000) & 31);
}

/* Merge b into a (same src and dst). */
static inline void c2h_edge_merge(c2h_edge *a, const c2h_edge *b)
{
    a->first_ms = MIN(a->first_ms, b->first_ms);
    a->last_ms = MAX(a->last_ms, b->last_ms);
    a->flows += b->flows;
    a->bytes += b->bytes;
    a->ports |= b->ports;
    a->hours |= b->hours;
}

/* Order by (dst, src) or (src, dst). */
int c2h_edge_cmp_dst(const void *a, const void *b);
int c2h_edge_cmp_src(const void *a, const void *b);

typedef struct c2h_edgeset c2h_edgeset;

c2h_edgeset *c2h_edgeset_new(void);
void c2h_edgeset_free(c2h_edgeset *s); /* accepts NULL */
guint64 c2h_edgeset_len(const c2h_edgeset *s);
/* Bytes this set holds (for memory metrics). */
guint64 c2h_edgeset_bytes(const c2h_edgeset *s);
/* Find the edge (src, dst), creating an empty one (flows == 0) when absent. */
c2h_edge *c2h_edgeset_get(c2h_edgeset *s, const c2h_addr *src, const c2h_addr *dst);
/* Fold f into its edge. */
void c2h_edgeset_add_flow(c2h_edgeset *s, const c2h_flow *f, uint32_t port_class);
/* Merge e into the set. */
void c2h_edgeset_merge(c2h_edgeset *s, const c2h_edge *e);
/* Copy the edges out, sorted with cmp. @return a GArray of c2h_edge the caller frees. */
GArray *c2h_edgeset_sorted(const c2h_edgeset *s, int (*cmp)(const void *, const void *));
/* Remove every edge (keeps the set). */
void c2h_edgeset_clear(c2h_edgeset *s);

/* A set of addresses (GHashTable of c2h_addr). */
GHashTable *c2h_addrset_new(void);
/* Add a copy of a. @return TRUE when it was new. */
gboolean c2h_addrset_add(GHashTable *set, const c2h_addr *a);
static inline gboolean c2h_addrset_has(GHashTable *set, const c2h_addr *a)
{
    return g_hash_table_contains(set, a);
}
/* The members, sorted. @return a GArray of c2h_addr the caller frees. */
GArray *c2h_addrset_sorted(GHashTable *set);
guint c2h_addr_ghash(gconstpointer a);
gboolean c2h_addr_gequal(gconstpointer a, gconstpointer b);

#endif
