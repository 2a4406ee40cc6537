/* hll.h: HyperLogLog distinct counter (2^12 registers, about 1.6% error), for the fan-out
 * of hosts that touch huge numbers of others (scanners, CDNs): a count is all the
 * algorithm needs there, so the neighbours are never stored. Merging is a register-wise
 * max: order-independent, so an MPI_MAX allreduce of the registers is the union. */
#ifndef C2H_HLL_H
#define C2H_HLL_H

#include <glib.h>
#include <stdint.h>

#define C2H_HLL_BITS 12
#define C2H_HLL_REGS (1u << C2H_HLL_BITS)

typedef struct c2h_hll {
    uint8_t reg[C2H_HLL_REGS];
} c2h_hll;

static inline void c2h_hll_add(c2h_hll *h, uint64_t hash)
{
    uint32_t idx = (uint32_t)(hash >> (64 - C2H_HLL_BITS));
    uint64_t rest = hash << C2H_HLL_BITS | (1ULL << (C2H_HLL_BITS - 1)); /* guard bit: rank <= 53 */
    uint8_t rank = (uint8_t)(__builtin_clzll(rest) + 1);
    if (rank > h->reg[idx])
        h->reg[idx] = rank;
}

void c2h_hll_merge(c2h_hll *a, const c2h_hll *b);
/* @return the estimated number of distinct hashes added. */
double c2h_hll_estimate(const c2h_hll *h);

#endif
