/* test_hotpath.c: the pieces of `c2hunt run`'s read path that replace library calls:
 * the SSE2 unshuffle against the byte loop and against a shuffle done here by the rule
 * (HDF5's: byte j of element i at j * n + i), for every element width a shard uses and for
 * counts that are not a multiple of the vector width; the address map against a
 * GHashTable on IPv4 and IPv6 keys, present and absent, through its growth; the edge set's
 * radix sort against qsort with the comparators, on IPv4, IPv6 and mixed sets; and spilled
 * edge runs merged back against the same edges aggregated in memory. */
#include "io/shard.h"
#include "partition/addrmap.h"
#include "partition/edges.h"
#include "partition/spill.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static void unshuffle_matches_the_rule(void **state)
{
    (void)state;
    const size_t widths[] = {1, 2, 4, 8, 16};
    const size_t sizes[] = {1, 15, 16, 17, 1000, 4096};
    GRand *rnd = g_rand_new_with_seed(7);
    for (size_t wi = 0; wi < G_N_ELEMENTS(widths); wi++)
        for (size_t si = 0; si < G_N_ELEMENTS(sizes); si++) {
            size_t w = widths[wi], n = sizes[si];
            uint8_t *orig = g_malloc(n * w), *shuf = g_malloc(n * w);
            for (size_t i = 0; i < n * w; i++)
                orig[i] = (uint8_t)g_rand_int(rnd);
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < w; j++)
                    shuf[j * n + i] = orig[i * w + j];
            /* the whole chunk, and only its first rows (the rest is fill) */
            size_t counts[2] = {n, n > 3 ? n - 3 : n};
            for (int ci = 0; ci < 2; ci++)
                for (int plain = 0; plain < 2; plain++) {
                    uint8_t *out = g_malloc0(n * w);
                    c2h_unshuffle(shuf, out, w, n, counts[ci], plain);
                    assert_memory_equal(out, orig, counts[ci] * w);
                    for (size_t k = counts[ci] * w; k < n * w; k++)
                        assert_int_equal(out[k], 0); /* rows past count untouched */
                    g_free(out);
                }
            g_free(orig);
            g_free(shuf);
        }
    g_rand_free(rnd);
}

static void addrmap_matches_a_hash_table(void **state)
{
    (void)state;
    GRand *rnd = g_rand_new_with_seed(11);
    c2h_addrmap *m = c2h_addrmap_new();
    GHashTable *ref = g_hash_table_new_full(c2h_addr_ghash, c2h_addr_gequal, g_free, NULL);
    assert_int_equal(c2h_addrmap_get4(m, 0x0a000001), 0); /* empty map */
    for (guint i = 0; i < 5000; i++) {
        c2h_addr *a = g_new0(c2h_addr, 1);
        if (i % 3 == 0) {
            for (int b = 0; b < 16; b++)
                a->b[b] = (uint8_t)g_rand_int(rnd);
            a->b[0] = 0x20; /* global unicast IPv6, never v4-mapped */
        } else {
            *a = c2h_addr_from_v4(g_rand_int(rnd) & 0x00ffffffu); /* 0.0.0.0 can be a key */
        }
        guint v = i + 1;
        c2h_addrmap_put(m, a, v);
        g_hash_table_insert(ref, a, GUINT_TO_POINTER(v)); /* a later duplicate replaces */
    }
    assert_int_equal(c2h_addrmap_size(m), g_hash_table_size(ref));
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, ref);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        assert_int_equal(c2h_addrmap_get(m, k), GPOINTER_TO_UINT(v));
        if (c2h_addr_is_v4(k))
            assert_int_equal(c2h_addrmap_get4(m, c2h_addr_v4(k)), GPOINTER_TO_UINT(v));
        else
            assert_int_equal(c2h_addrmap_get6(m, k), GPOINTER_TO_UINT(v));
    }
    for (guint i = 0; i < 20000; i++) { /* absent keys */
        c2h_addr a = c2h_addr_from_v4(0x0b000000u | (g_rand_int(rnd) & 0x00ffffffu));
        assert_int_equal(c2h_addrmap_get(m, &a), GPOINTER_TO_UINT(g_hash_table_lookup(ref, &a)));
        a.b[0] = 0x21;
        assert_int_equal(c2h_addrmap_get(m, &a), 0);
    }
    GHashTable *set = c2h_addrset_new();
    g_hash_table_iter_init(&it, ref);
    while (g_hash_table_iter_next(&it, &k, NULL))
        c2h_addrset_add(set, k);
    c2h_addrmap *fs = c2h_addrmap_from_set(set);
    assert_int_equal(c2h_addrmap_size(fs), g_hash_table_size(set));
    g_hash_table_iter_init(&it, set);
    while (g_hash_table_iter_next(&it, &k, NULL))
        assert_int_equal(c2h_addrmap_get(fs, k), 1);
    c2h_addrmap_free(fs);
    g_hash_table_destroy(set);
    g_hash_table_destroy(ref);
    c2h_addrmap_free(m);
    c2h_addrmap_free(NULL);
    g_rand_free(rnd);
}

static gboolean two_flows_or_more(const c2h_edge *e, void *ud)
{
    (void)ud;
    return e->flows >= 2;
}

static void collect(const GArray *edges, void *ud)
{
    GArray *out = ud;
    /* a batch ends where a dst group ends */
    if (out->len > 0)
        assert_true(c2h_addr_cmp(&g_array_index(out, c2h_edge, out->len - 1).dst,
                                 &g_array_index(edges, c2h_edge, 0).dst) != 0);
    g_array_append_vals(out, edges->data, edges->len);
}

/* Edges spilled in runs (more than one merge can take, so runs are folded first) and merged
 * back give what one set in memory gives; the runs' files are gone afterwards. v6: 0, every
 * address IPv4 (runs in the compact form); 1, the flows of the second half go to IPv6
 * destinations (compact runs and full ones, folded together); 2, an IPv6 source now and then
 * (every run in the full form). */
static void check_spill(int v6)
{
    g_autofree char *dir = g_dir_make_tmp("test_spill-XXXXXX", NULL);
    assert_non_null(dir);
    GRand *rnd = g_rand_new_with_seed(5);
    c2h_spill *sp = c2h_spill_new(dir, "pass1");
    c2h_edgeset *all = c2h_edgeset_new(), *part = c2h_edgeset_new();
    guint runs = 0;
    guint64 edges = 0; /* written by c2h_spill_set */
    for (guint i = 0; i < 60000; i++) {
        c2h_flow f = {.start_ms = 1767571200000 + (gint64)g_rand_int_range(rnd, 0, 86400000), .bytes = i % 977,
                      .dport = 447, .proto = 6};
        f.src = c2h_addr_from_v4(0x0a000000u + (uint32_t)g_rand_int_range(rnd, 0, 3000));
        f.dst = c2h_addr_from_v4(0xc0a80000u + (uint32_t)g_rand_int_range(rnd, 0, 40));
        if ((v6 == 1 && i >= 30000) || (v6 == 2 && i % 97 == 0)) {
            c2h_addr *a = v6 == 1 ? &f.dst : &f.src;
            memset(a->b, 0, 16);
            a->b[0] = 0x20;
            a->b[1] = 0x01;
            a->b[15] = (uint8_t)g_rand_int_range(rnd, 0, 40);
        }
        c2h_edgeset_add_flow(all, &f, 1);
        c2h_edgeset_add_flow(part, &f, 1);
        if (c2h_edgeset_len(part) >= 700) {
            edges += c2h_edgeset_len(part);
            assert_true(c2h_spill_set(sp, part, NULL));
            runs++;
            assert_int_equal(c2h_edgeset_len(part), 0);
        }
    }
    edges += c2h_edgeset_len(part);
    assert_true(c2h_spill_set(sp, part, NULL));
    runs++;
    assert_true(runs > C2H_SPILL_FANIN);
    /* IPv4 runs are coded (under 24 bytes an edge here), the others take 72 bytes an edge */
    if (v6 == 0)
        assert_true(c2h_spill_bytes(sp) < edges * 24);
    else if (v6 == 2)
        assert_int_equal(c2h_spill_bytes(sp), edges * 72);
    else
        assert_true(c2h_spill_bytes(sp) > edges * 24 && c2h_spill_bytes(sp) < edges * 72);
    assert_int_equal(c2h_spill_runs(sp), runs);
    GArray *got = g_array_new(FALSE, FALSE, sizeof(c2h_edge));
    GError *err = NULL;
    assert_true(c2h_spill_compact(sp, two_flows_or_more, NULL, &err));
    assert_int_equal(c2h_spill_runs(sp), 1);
    assert_true(c2h_spill_each_dst(sp, collect, got, &err));
    GArray *again = g_array_new(FALSE, FALSE, sizeof(c2h_edge)); /* the run can be read again */
    assert_true(c2h_spill_each_dst(sp, collect, again, &err));
    assert_int_equal(again->len, got->len);
    g_array_free(again, TRUE);
    GArray *want = c2h_edgeset_sorted(all, c2h_edge_cmp_dst);
    guint w = 0;
    for (guint i = 0; i < want->len; i++)
        if (g_array_index(want, c2h_edge, i).flows >= 2)
            g_array_index(want, c2h_edge, w++) = g_array_index(want, c2h_edge, i);
    g_array_set_size(want, w);
    assert_true(w > 1000 && w < c2h_edgeset_len(all)); /* the filter kept some and dropped some */
    assert_int_equal(got->len, want->len);
    assert_memory_equal(got->data, want->data, (gsize)want->len * sizeof(c2h_edge));
    c2h_spill_free(sp);
    GDir *d = g_dir_open(dir, 0, NULL);
    assert_null(g_dir_read_name(d)); /* no run left behind */
    g_dir_close(d);
    g_rmdir(dir);
    /* a folder that cannot be written: a clear error, no crash */
    c2h_spill *bad = c2h_spill_new("/nonexistent-c2hunt-dir", "pass1");
    c2h_edgeset_add_flow(part, &(c2h_flow){.dport = 447, .proto = 6}, 1);
    assert_false(c2h_spill_set(bad, part, &err));
    assert_non_null(strstr(err->message, "/nonexistent-c2hunt-dir/pass1-"));
    g_clear_error(&err);
    c2h_spill_free(bad);
    g_array_free(got, TRUE);
    g_array_free(want, TRUE);
    c2h_edgeset_free(all);
    c2h_edgeset_free(part);
    g_rand_free(rnd);
}

static void spill_merge_matches_memory(void **state)
{
    (void)state;
    for (int v6 = 0; v6 < 3; v6++)
        check_spill(v6);
}

/* An address of kind k: 0 IPv4 in a /16, 1 IPv4 anywhere, 2 IPv6, 3 either. */
static c2h_addr some_addr(GRand *rnd, int k)
{
    if (k == 3)
        k = g_rand_boolean(rnd) ? 1 : 2;
    if (k == 0)
        return c2h_addr_from_v4(0x0a0b0000u | (uint32_t)g_rand_int_range(rnd, 0, 65536));
    if (k == 1)
        return c2h_addr_from_v4(g_rand_int(rnd));
    c2h_addr a;
    for (int i = 0; i < 16; i++)
        a.b[i] = (uint8_t)(i < 2 ? (guint32)(0x20 + i) : g_rand_int_range(rnd, 0, 4) == 0 ? 0u : g_rand_int(rnd));
    return a;
}

/* c2h_edgeset_sorted (radix sort where keys differ in at most 8 bytes) orders as qsort with
 * the comparator does, by (dst, src) and by (src, dst), whatever the addresses. */
static void sorted_matches_qsort(void **state)
{
    (void)state;
    GRand *rnd = g_rand_new_with_seed(13);
    const guint sizes[] = {0, 1, 2, 3, 100, 5000};
    int (*cmps[2])(const void *, const void *) = {c2h_edge_cmp_dst, c2h_edge_cmp_src};
    for (int k = 0; k < 4; k++)
        for (guint si = 0; si < G_N_ELEMENTS(sizes); si++) {
            c2h_edgeset *s = c2h_edgeset_new();
            for (guint i = 0; i < sizes[si]; i++) {
                /* few destinations, as on the C2 ports: many keys share their first half */
                c2h_flow f = {.src = some_addr(rnd, k), .start_ms = i, .dport = 447, .proto = 6};
                f.dst = g_rand_int_range(rnd, 0, 4) ? c2h_addr_from_v4(0x0a0b0001u) : some_addr(rnd, k);
                c2h_edgeset_add_flow(s, &f, 1);
            }
            for (int c = 0; c < 2; c++) {
                GArray *got = c2h_edgeset_sorted(s, cmps[c]);
                GArray *want = c2h_edgeset_sorted(s, NULL);
                g_array_sort(want, cmps[c]);
                assert_int_equal(got->len, c2h_edgeset_len(s));
                assert_int_equal(got->len, want->len);
                if (got->len)
                    assert_memory_equal(got->data, want->data, (gsize)got->len * sizeof(c2h_edge));
                g_array_free(got, TRUE);
                g_array_free(want, TRUE);
            }
            c2h_edgeset_free(s);
        }
    g_rand_free(rnd);
}

/* A run cut short (a disk that lost the end of a file), coded (IPv4) or not (IPv6), is an
 * error naming the run, never a crash, an edge made up from the bytes left or one dropped. */
static void spill_cut_short_is_an_error(void **state)
{
    (void)state;
    g_autofree char *dir = g_dir_make_tmp("test_spill-XXXXXX", NULL);
    assert_non_null(dir);
    for (int cut = 1; cut <= 10; cut += 3) { /* 10: an IPv6 run */
        c2h_spill *sp = c2h_spill_new(dir, "pass1");
        c2h_edgeset *part = c2h_edgeset_new();
        for (guint i = 0; i < 2000; i++) {
            c2h_flow f = {.start_ms = 1767571200000 + (gint64)i * 977, .bytes = 1000000 + i, .dport = 447, .proto = 6,
                          .src = c2h_addr_from_v4(0x0a000000u + i * 7), .dst = c2h_addr_from_v4(0xc0a80001u + i % 5)};
            if (cut == 10)
                f.src.b[0] = 0x20; /* no longer IPv4-mapped */
            c2h_edgeset_add_flow(part, &f, 1);
        }
        assert_true(c2h_spill_set(sp, part, NULL));
        GDir *d = g_dir_open(dir, 0, NULL);
        const char *name = g_dir_read_name(d);
        assert_non_null(name);
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_dir_close(d);
        GStatBuf st;
        assert_int_equal(g_stat(path, &st), 0);
        assert_int_equal(truncate(path, st.st_size - cut), 0);
        GError *err = NULL;
        /* a coded edge takes at least 8 bytes, a full one 72: the cut falls inside the last one */
        assert_false(c2h_spill_compact(sp, two_flows_or_more, NULL, &err));
        assert_non_null(err);
        assert_non_null(strstr(err->message, "spilled edges"));
        g_clear_error(&err);
        c2h_spill_free(sp);
        c2h_edgeset_free(part);
    }
    g_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unshuffle_matches_the_rule),
        cmocka_unit_test(addrmap_matches_a_hash_table),
        cmocka_unit_test(sorted_matches_qsort),
        cmocka_unit_test(spill_merge_matches_memory),
        cmocka_unit_test(spill_cut_short_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
