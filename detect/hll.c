/* hll.c: HyperLogLog estimate with the small-range (linear counting) correction. */
#include "detect/hll.h"

#include <math.h>

void c2h_hll_merge(c2h_hll *a, const c2h_hll *b)
{
    for (guint i = 0; i < C2H_HLL_REGS; i++)
        if (b->reg[i] > a->reg[i])
            a->reg[i] = b->reg[i];
}

double c2h_hll_estimate(const c2h_hll *h)
{
    const double m = C2H_HLL_REGS;
    double sum = 0;
    guint zeros = 0;
    for (guint i = 0; i < C2H_HLL_REGS; i++) {
        sum += ldexp(1.0, -h->reg[i]);
        zeros += h->reg[i] == 0;
    }
    double alpha = 0.7213 / (1.0 + 1.079 / m);
    double e = alpha * m * m / sum;
    if (e <= 2.5 * m && zeros > 0)
        e = m * log(m / zeros);
    return e;
}
