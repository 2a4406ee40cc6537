/* owner.c: balanced assignment of shards (or input files) to ranks. */
#include "partition/owner.h"

typedef struct item {
    guint64 size;
    guint index;
} item;

static gint item_cmp(gconstpointer a, gconstpointer b)
{
    const item *x = a, *y = b;
    if (x->size != y->size)
        return x->size < y->size ? 1 : -1;
    return x->index < y->index ? -1 : x->index > y->index;
}

int *c2h_assign_balanced(const guint64 *sizes, guint n, int nranks)
{
    g_assert(nranks > 0);
    item *items = g_new(item, n ? n : 1);
    for (guint i = 0; i < n; i++)
        items[i] = (item){sizes[i], i};
    qsort(items, n, sizeof *items, (int (*)(const void *, const void *))item_cmp);
    guint64 *load = g_new0(guint64, nranks);
    int *owner = g_new0(int, n ? n : 1);
    for (guint i = 0; i < n; i++) {
        int best = 0;
        for (int r = 1; r < nranks; r++)
            if (load[r] < load[best])
                best = r;
        load[best] += items[i].size + 1; /* +1: empty items still spread */
        owner[items[i].index] = best;
    }
    g_free(load);
    g_free(items);
    return owner;
}
