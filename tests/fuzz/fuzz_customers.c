/* fuzz_customers.c: the customers file of --customers (io/customers.c): `cidr,customer`
 * lines, IPv4 and IPv6, quoted names, a header, a byte order mark.
 *
 * The input is the file. When it loads, the array must be sorted as c2h_customer_of needs
 * it (longest prefix first, then by network), with no network twice, host bits zero and
 * UTF-8 names; and the lookup of every network's own address must find a customer of that
 * prefix or a longer one, the longest among the entries that contain it (checked by a
 * linear scan). Besides the sanitizers: an error has a message, nothing leaks.
 */
#include "fuzzlib.h"

#include "io/customers.h"
#include "io/flowsrc.h"

#define MAX_SCANNED 512 /* entries checked against a linear scan (it is quadratic) */

static fz_file *file;

static gboolean contains(const c2h_customer *c, const c2h_addr *a)
{
    for (guint bit = 0; bit < c->prefix_len; bit++) {
        guint8 m = (guint8)(0x80u >> (bit % 8));
        if ((c->net.b[bit / 8] & m) != (a->b[bit / 8] & m))
            return FALSE;
    }
    return TRUE;
}

static void check(const GArray *cs)
{
    for (guint i = 0; i < cs->len; i++) {
        const c2h_customer *c = &g_array_index(cs, c2h_customer, i);
        if (c->prefix_len > 128)
            fz_fail("prefix length %u", c->prefix_len);
        if (c->name == NULL || *c->name == '\0' || !g_utf8_validate(c->name, -1, NULL))
            fz_fail("entry %u has no name or one that is not UTF-8", i);
        for (guint bit = c->prefix_len; bit < 128; bit++)
            if (c->net.b[bit / 8] & (0x80u >> (bit % 8)))
                fz_fail("entry %u has host bits set", i);
        if (i > 0) {
            const c2h_customer *p = &g_array_index(cs, c2h_customer, i - 1);
            if (p->prefix_len < c->prefix_len ||
                (p->prefix_len == c->prefix_len && c2h_addr_cmp(&p->net, &c->net) >= 0))
                fz_fail("entries %u and %u out of order or the same", i - 1, i);
        }
    }
    for (guint i = 0; i < MIN(cs->len, MAX_SCANNED); i++) {
        const c2h_customer *c = &g_array_index(cs, c2h_customer, i);
        c2h_addr probe = c->net;
        probe.b[15] ^= c->prefix_len < 128 ? 1 : 0; /* a host inside the network, not its first address */
        const c2h_customer *hit = c2h_customer_of(cs, &probe);
        if (hit == NULL || !contains(hit, &probe) || hit->prefix_len < c->prefix_len)
            fz_fail("the lookup of entry %u's network gives %s", i, hit ? hit->name : "nothing");
        for (guint j = 0; j < cs->len; j++) {
            const c2h_customer *o = &g_array_index(cs, c2h_customer, j);
            if (o->prefix_len > hit->prefix_len && contains(o, &probe))
                fz_fail("the lookup of entry %u's network missed a longer match, entry %u", i, j);
        }
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    file = fz_file_new("customers.csv");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_begin_iteration();
    const char *path = fz_file_set(file, data, size);
    GError *err = NULL;
    GArray *cs = c2h_customers_load(path, &err);
    if (cs == NULL) {
        fz_check_error(err, "c2h_customers_load");
        g_error_free(err);
    } else {
        if (err != NULL)
            fz_fail("c2h_customers_load succeeded and set an error");
        check(cs);
        c2h_customers_free(cs);
    }
    fz_end_iteration();
    return 0;
}
