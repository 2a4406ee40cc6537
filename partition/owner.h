/* owner.h: who owns what. A vertex (an address) belongs to the rank its hash picks; a
 * shard is read by the rank that the balanced assignment gives it. Both are pure, tiny,
 * and the same on every rank, so no rank ever has to ask another. */
#ifndef C2H_OWNER_H
#define C2H_OWNER_H

#include "io/flow.h"

#include <glib.h>

/* @return the rank in [0, nranks) that owns address a. */
static inline int c2h_owner(const c2h_addr *a, int nranks)
{
    g_assert(nranks > 0);
    return (int)(c2h_addr_hash(a) % (uint64_t)nranks);
}

/* @return the rank in [0, nranks) that owns the pair (src, dst): pairs into one destination
 * spread over all ranks, however many sources it has. */
static inline int c2h_owner_pair(const c2h_addr *src, const c2h_addr *dst, int nranks)
{
    g_assert(nranks > 0);
    uint64_t h = c2h_addr_hash(dst) ^ (c2h_addr_hash(src) * 0x9E3779B97F4A7C15ull);
    h ^= h >> 29;
    return (int)(h % (uint64_t)nranks);
}

/* Assign n items of the given sizes to nranks ranks so that the byte shares are balanced:
 * largest first, each to the least loaded rank (ties: lowest rank; equal sizes: lowest
 * index first). Deterministic. @return owner[i] for each item, caller frees. */
int *c2h_assign_balanced(const guint64 *sizes, guint n, int nranks);

#endif
