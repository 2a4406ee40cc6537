/* addrmap.c: see addrmap.h. Linear probing at a load factor of at most one half. */
#include "partition/addrmap.h"

#include <string.h>

c2h_addrmap *c2h_addrmap_new(void)
{
    return g_new0(c2h_addrmap, 1);
}

void c2h_addrmap_free(c2h_addrmap *m)
{
    if (m == NULL)
        return;
    g_free(m->k4);
    g_free(m->v4);
    g_free(m->k6);
    g_free(m->v6);
    g_free(m);
}

guint c2h_addrmap_size(const c2h_addrmap *m)
{
    return m->n4 + m->n6;
}

static guint slot6(const c2h_addr *a, guint mask)
{
    return (guint)c2h_addr_hash(a) & mask;
}

static void put4(c2h_addrmap *m, uint32_t k, uint32_t v);
static void put6(c2h_addrmap *m, const c2h_addr *k, uint32_t v);

static void grow4(c2h_addrmap *m)
{
    guint old = m->v4 ? m->mask4 + 1 : 0, cap = old ? 2 * old : 16;
    uint32_t *k = m->k4, *v = m->v4;
    m->k4 = g_new0(uint32_t, cap);
    m->v4 = g_new0(uint32_t, cap);
    m->mask4 = cap - 1;
    m->n4 = 0;
    for (guint i = 0; i < old; i++)
        if (v[i])
            put4(m, k[i], v[i]);
    g_free(k);
    g_free(v);
}

static void put4(c2h_addrmap *m, uint32_t k, uint32_t v)
{
    if (m->v4 == NULL || 2 * (m->n4 + 1) > m->mask4 + 1)
        grow4(m);
    guint i = c2h_addrmap_slot4(k, m->mask4);
    for (; m->v4[i] != 0; i = (i + 1) & m->mask4)
        if (m->k4[i] == k) {
            m->v4[i] = v;
            return;
        }
    m->k4[i] = k;
    m->v4[i] = v;
    m->n4++;
    guint b = c2h_addrmap_bit4(k);
    m->bits4[b >> 6] |= 1ull << (b & 63);
}

static void grow6(c2h_addrmap *m)
{
    guint old = m->v6 ? m->mask6 + 1 : 0, cap = old ? 2 * old : 16;
    c2h_addr *k = m->k6;
    uint32_t *v = m->v6;
    m->k6 = g_new0(c2h_addr, cap);
    m->v6 = g_new0(uint32_t, cap);
    m->mask6 = cap - 1;
    m->n6 = 0;
    for (guint i = 0; i < old; i++)
        if (v[i])
            put6(m, &k[i], v[i]);
    g_free(k);
    g_free(v);
}

static void put6(c2h_addrmap *m, const c2h_addr *k, uint32_t v)
{
    if (m->v6 == NULL || 2 * (m->n6 + 1) > m->mask6 + 1)
        grow6(m);
    guint i = slot6(k, m->mask6);
    for (; m->v6[i] != 0; i = (i + 1) & m->mask6)
        if (memcmp(&m->k6[i], k, sizeof *k) == 0) {
            m->v6[i] = v;
            return;
        }
    m->k6[i] = *k;
    m->v6[i] = v;
    m->n6++;
}

void c2h_addrmap_put(c2h_addrmap *m, const c2h_addr *a, uint32_t value)
{
    g_return_if_fail(value != 0);
    if (c2h_addr_is_v4(a))
        put4(m, c2h_addr_v4(a), value);
    else
        put6(m, a, value);
}

uint32_t c2h_addrmap_get6(const c2h_addrmap *m, const c2h_addr *a)
{
    if (m->n6 == 0)
        return 0;
    for (guint i = slot6(a, m->mask6);; i = (i + 1) & m->mask6) {
        if (m->v6[i] == 0)
            return 0;
        if (memcmp(&m->k6[i], a, sizeof *a) == 0)
            return m->v6[i];
    }
}

c2h_addrmap *c2h_addrmap_from_set(GHashTable *set)
{
    c2h_addrmap *m = c2h_addrmap_new();
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, set);
    while (g_hash_table_iter_next(&it, &k, NULL))
        c2h_addrmap_put(m, k, 1);
    return m;
}
