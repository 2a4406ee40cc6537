/* fuzz_seeds.c: the seed file reader (io/seeds.c): plain lists, Feodo Tracker CSV and
 * Maltrail trails, told apart by content.
 *
 * The input is the file. It is read with no filter, with the family filter "TrickBot" and a
 * known-before time, and through c2h_seeds_load. Checked besides the sanitizers: the seeds
 * are sorted by address with no duplicates, none is an address the reader says it leaves
 * out, the filtered reading keeps no more than the unfiltered one, the counts add up,
 * c2h_seeds_load agrees with c2h_seeds_read, an error has a message, nothing leaks.
 */
#include "fuzzlib.h"

#include "io/flowsrc.h"
#include "io/seeds.h"

static fz_file *file;

static void check_seeds(const c2h_seeds *s)
{
    for (guint i = 0; i < s->seeds->len; i++) {
        const c2h_seed *x = &g_array_index(s->seeds, c2h_seed, i);
        if (i > 0 && c2h_addr_cmp(&g_array_index(s->seeds, c2h_seed, i - 1).addr, &x->addr) >= 0)
            fz_fail("seeds not sorted or not unique at %u", i);
        if (x->family[C2H_SEED_FAMILY_LEN - 1] != '\0')
            fz_fail("family not terminated");
        if (x->line == 0)
            fz_fail("a seed with no line");
        if (c2h_addr_is_v4(&x->addr)) {
            guint32 v = c2h_addr_v4(&x->addr);
            if ((v >> 24) == 0 || (v >> 24) == 127 || (v >> 28) >= 14)
                fz_fail("an unusable IPv4 address kept as a seed: %08x", v);
        } else {
            static const c2h_addr zero = {{0}}, one = {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
            if (x->addr.b[0] == 0xff || c2h_addr_cmp(&x->addr, &zero) == 0 || c2h_addr_cmp(&x->addr, &one) == 0)
                fz_fail("an unusable IPv6 address kept as a seed");
        }
    }
    if (s->seeds->len > s->entries)
        fz_fail("%u seeds from %u entries", s->seeds->len, s->entries);
    if (s->families == NULL || s->warnings == NULL)
        fz_fail("families or warnings not set");
}

static c2h_seeds *read_checked(const char *path, const c2h_seeds_opts *opts)
{
    GError *err = NULL;
    c2h_seeds *s = c2h_seeds_read(path, opts, &err);
    if (s == NULL) {
        fz_check_error(err, "c2h_seeds_read");
        g_error_free(err);
        return NULL;
    }
    if (err != NULL)
        fz_fail("c2h_seeds_read succeeded and set an error");
    check_seeds(s);
    return s;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    file = fz_file_new("seeds.txt");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_begin_iteration();
    const char *path = fz_file_set(file, data, size);
    c2h_seeds *all = read_checked(path, NULL);
    c2h_seeds_opts opts = {.family = "TrickBot", .known_before_ms = 1609459200000}; /* 2021-01-01 */
    c2h_seeds *some = read_checked(path, &opts);
    if (all && some) {
        if (some->seeds->len > all->seeds->len)
            fz_fail("the filters added seeds: %u > %u", some->seeds->len, all->seeds->len);
        if (some->format != all->format)
            fz_fail("the filters changed the format");
        if (some->other_family + some->later > some->entries)
            fz_fail("more rows filtered out than read");
    }
    GError *err = NULL;
    GArray *addrs = c2h_seeds_load(path, &err);
    if ((addrs == NULL) != (all == NULL))
        fz_fail("c2h_seeds_load and c2h_seeds_read disagree on success");
    if (addrs) {
        if (addrs->len != all->seeds->len)
            fz_fail("c2h_seeds_load gives %u addresses, c2h_seeds_read %u", addrs->len, all->seeds->len);
        for (guint i = 0; i < addrs->len; i++)
            if (c2h_addr_cmp(&g_array_index(addrs, c2h_addr, i), &g_array_index(all->seeds, c2h_seed, i).addr) != 0)
                fz_fail("c2h_seeds_load and c2h_seeds_read differ at %u", i);
        g_array_free(addrs, TRUE);
    } else {
        g_clear_error(&err);
    }
    c2h_seeds_free(all);
    c2h_seeds_free(some);
    fz_end_iteration();
    return 0;
}
