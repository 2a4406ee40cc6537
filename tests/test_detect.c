/* test_detect.c: the detection rules on small graphs whose answer is known, without MPI. */
#include "detect/detect.h"
#include "detect/hll.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <math.h>
#include <glib/gstdio.h>

#include <cmocka.h>

#define H 3600000LL
#define T0 1767571200000LL

static c2h_addr ip(const char *s)
{
    c2h_addr a;
    assert_true(c2h_addr_parse(s, strlen(s), &a));
    return a;
}

/* n flows from src to dst:port, one every `every` ms from t. */
static void flows(c2h_edgeset *es, const c2h_profile *p, const char *src, const char *dst, uint16_t port, int n,
                  gint64 t, gint64 every)
{
    for (int i = 0; i < n; i++) {
        c2h_flow f = {.start_ms = t + i * every, .src = ip(src), .dst = ip(dst), .dport = port, .proto = 6,
                      .packets = 3, .bytes = 300};
        f.end_ms = f.start_ms + 100;
        c2h_edgeset_add_flow(es, &f, c2h_profile_port_class(p, port));
    }
}

static GHashTable *set_of(const char *const *ips)
{
    GHashTable *s = c2h_addrset_new();
    for (; *ips; ips++) {
        c2h_addr a = ip(*ips);
        c2h_addrset_add(s, &a);
    }
    return s;
}

static void test_beacon_needs_repetition(void **state)
{
    (void)state;
    c2h_profile *p = c2h_profile_trickbot();
    c2h_edgeset *es = c2h_edgeset_new();
    flows(es, p, "10.0.0.1", "198.51.100.1", 447, 30, T0, 5 * 60000);  /* 2.5 hours of beacons */
    flows(es, p, "10.0.0.2", "198.51.100.1", 447, 30, T0, 1000);       /* a burst in one hour */
    flows(es, p, "10.0.0.3", "198.51.100.1", 443, 30, T0, 5 * 60000);  /* web port: not a C2 port */
    GArray *e = c2h_edgeset_sorted(es, c2h_edge_cmp_src);
    assert_int_equal(e->len, 3);
    assert_true(c2h_is_beacon(&g_array_index(e, c2h_edge, 0), p));
    assert_false(c2h_is_beacon(&g_array_index(e, c2h_edge, 1), p));
    assert_false(c2h_is_beacon(&g_array_index(e, c2h_edge, 2), p));
    g_array_free(e, TRUE);
    c2h_edgeset_free(es);
    c2h_profile_free(p);
}

static void test_edges_merge_in_any_order(void **state)
{
    (void)state;
    c2h_profile *p = c2h_profile_trickbot();
    c2h_edgeset *a = c2h_edgeset_new(), *b = c2h_edgeset_new(), *m1 = c2h_edgeset_new(), *m2 = c2h_edgeset_new();
    flows(a, p, "10.0.0.1", "198.51.100.1", 447, 10, T0, H / 2);
    flows(b, p, "10.0.0.1", "198.51.100.1", 8082, 5, T0 - H, H);
    GArray *ea = c2h_edgeset_sorted(a, NULL), *eb = c2h_edgeset_sorted(b, NULL);
    c2h_edgeset_merge(m1, &g_array_index(ea, c2h_edge, 0));
    c2h_edgeset_merge(m1, &g_array_index(eb, c2h_edge, 0));
    c2h_edgeset_merge(m2, &g_array_index(eb, c2h_edge, 0));
    c2h_edgeset_merge(m2, &g_array_index(ea, c2h_edge, 0));
    GArray *r1 = c2h_edgeset_sorted(m1, NULL), *r2 = c2h_edgeset_sorted(m2, NULL);
    assert_memory_equal(r1->data, r2->data, sizeof(c2h_edge));
    const c2h_edge *e = &g_array_index(r1, c2h_edge, 0);
    assert_int_equal(e->flows, 15);
    assert_int_equal(e->first_ms, T0 - H);
    assert_int_equal(e->bytes, 15 * 300);
    assert_int_equal(__builtin_popcount(e->ports), 2);
    g_array_free(ea, TRUE); g_array_free(eb, TRUE); g_array_free(r1, TRUE); g_array_free(r2, TRUE);
    c2h_edgeset_free(a); c2h_edgeset_free(b); c2h_edgeset_free(m1); c2h_edgeset_free(m2);
    c2h_profile_free(p);
}

/* Victims of a seed lead to the C2 they move to; a busy benign 8082 server whose clients
 * are mostly not victims does not become C2. */
static void test_follow_victims(void **state)
{
    (void)state;
    c2h_profile *p = c2h_profile_trickbot();
    c2h_edgeset *es = c2h_edgeset_new();
    const char *victims[] = {"10.0.0.1", "10.0.0.2", "10.0.0.3"};
    for (int i = 0; i < 3; i++) {
        flows(es, p, victims[i], "198.51.100.1", 447, 20, T0, 5 * 60000);           /* the seed */
        flows(es, p, victims[i], "198.51.100.2", 449, 20, T0 + 10 * H, 5 * 60000);  /* the next C2 */
        flows(es, p, victims[i], "203.0.113.80", 8082, 20, T0, 5 * 60000);         /* a busy service */
    }
    for (int i = 0; i < 40; i++) { /* the service's ordinary clients */
        char src[32];
        g_snprintf(src, sizeof src, "10.1.0.%d", i + 1);
        flows(es, p, src, "203.0.113.80", 8082, 10, T0, 20 * 60000);
    }
    GArray *e = c2h_edgeset_sorted(es, c2h_edge_cmp_dst);
    const char *seeds[] = {"198.51.100.1", NULL};
    GHashTable *c2 = set_of(seeds), *v = c2h_addrset_new();
    assert_int_equal(c2h_find_victims(e, c2, v, p), 3);
    c2h_addr want = ip("198.51.100.2");
    /* The counts of the next C2: its three victims, all of its beaconing clients. */
    GArray *counts = g_array_new(FALSE, FALSE, sizeof(c2h_c2_count));
    c2h_count_c2_clients(e, c2, v, p, counts);
    gboolean seen = FALSE;
    for (guint i = 0; i < counts->len; i++) {
        const c2h_c2_count *c = &g_array_index(counts, c2h_c2_count, i);
        if (memcmp(&c->dst, &want, sizeof want) == 0) {
            assert_int_equal(c->victims, 3);
            assert_int_equal(c->clients, 3);
            seen = TRUE;
        }
    }
    assert_true(seen);
    g_array_free(counts, TRUE);
    /* Judged whole, and counted in three parts (as three ranks holding a third of the pairs
     * each: here every part holds one of the next C2's three victims, too few alone) then
     * judged on the sums: the next C2 alone at share 0.3; at share 0 the busy service passes
     * too (the share is what stops it). */
    for (int share = 0; share < 2; share++) {
        p->c2_min_victim_share = share ? 0.3 : 0.0;
        GArray *whole = g_array_new(FALSE, FALSE, sizeof(c2h_c2_count));
        c2h_count_c2_clients(e, c2, v, p, whole);
        GArray *found = g_array_new(FALSE, FALSE, sizeof(c2h_addr));
        c2h_judge_c2_counts(whole, p, found);
        GArray *parts = g_array_new(FALSE, FALSE, sizeof(c2h_c2_count));
        for (guint part = 0; part < 3; part++) {
            GArray *sub = g_array_new(FALSE, FALSE, sizeof(c2h_edge));
            for (guint i = part; i < e->len; i += 3)
                g_array_append_vals(sub, &g_array_index(e, c2h_edge, i), 1);
            c2h_count_c2_clients(sub, c2, v, p, parts);
            g_array_free(sub, TRUE);
        }
        GArray *judged = g_array_new(FALSE, FALSE, sizeof(c2h_addr));
        c2h_judge_c2_counts(parts, p, judged);
        assert_int_equal(found->len, share ? 1 : 2);
        if (share)
            assert_memory_equal(&g_array_index(found, c2h_addr, 0), &want, sizeof want);
        assert_int_equal(judged->len, found->len);
        assert_memory_equal(judged->data, found->data, found->len * sizeof(c2h_addr));
        g_array_free(whole, TRUE);
        g_array_free(found, TRUE);
        g_array_free(parts, TRUE);
        g_array_free(judged, TRUE);
    }
    g_array_free(e, TRUE);
    g_hash_table_destroy(c2);
    g_hash_table_destroy(v);
    c2h_edgeset_free(es);
    c2h_profile_free(p);
}

static void test_controller_or_scanner(void **state)
{
    (void)state;
    c2h_profile *p = c2h_profile_trickbot();
    c2h_edgeset *es = c2h_edgeset_new();
    const char *c2s[] = {"198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4", "198.51.100.5", NULL};
    for (int i = 0; c2s[i]; i++) {
        if (i < 4)
            flows(es, p, "192.0.2.10", c2s[i], 8291, 3, T0, H);  /* the controller: 4 of 5 */
        flows(es, p, "192.0.2.66", c2s[i], 23, 1, T0, H);        /* the scanner: all 5 */
    }
    flows(es, p, "10.0.0.1", c2s[0], 447, 20, T0, 5 * 60000);    /* a victim */
    GArray *e = c2h_edgeset_sorted(es, c2h_edge_cmp_src);
    GHashTable *c2 = set_of(c2s);
    const char *vs[] = {"10.0.0.1", NULL};
    GHashTable *v = set_of(vs);
    GArray *cand = g_array_new(FALSE, FALSE, sizeof(c2h_label));
    c2h_find_touchers(e, c2, 5, p, cand);
    assert_int_equal(cand->len, 2);
    c2h_label *ctl = &g_array_index(cand, c2h_label, 0), *scn = &g_array_index(cand, c2h_label, 1);
    assert_int_equal(ctl->count_a, 4);
    assert_int_equal(scn->count_a, 5);
    c2h_judge_toucher(ctl, 12, p);        /* touched 12 hosts in all: a third of them C2 */
    c2h_judge_toucher(scn, 250000, p);    /* swept a quarter of a million */
    assert_int_equal(ctl->role, C2H_ROLE_CONTROLLER);
    assert_int_equal(scn->role, C2H_ROLE_SCANNER);
    assert_true(ctl->score > 0.79 && ctl->score < 0.81);
    assert_true(scn->score < 0.001);
    g_array_free(cand, TRUE);
    g_array_free(e, TRUE);
    g_hash_table_destroy(c2);
    g_hash_table_destroy(v);
    c2h_edgeset_free(es);
    c2h_profile_free(p);
}

/* A victim infected just now checks in once to each C2 of its set on the C2 port: that is not
 * how an operator touches C2, and it must not make a controller candidate. */
static void test_checkins_are_not_operator_contacts(void **state)
{
    (void)state;
    c2h_profile *p = c2h_profile_trickbot();
    c2h_edgeset *es = c2h_edgeset_new();
    const char *c2s[] = {"198.51.100.1", "198.51.100.2", "198.51.100.3", NULL};
    for (int i = 0; c2s[i]; i++) {
        flows(es, p, "10.0.0.7", c2s[i], 447, 1, T0, H);    /* fresh victim's check-ins */
        flows(es, p, "10.0.0.8", c2s[i], 443, 3, T0, H);    /* web to the routers */
        flows(es, p, "192.0.2.10", c2s[i], 22, 1, T0, H);   /* an operator's SSH */
    }
    GArray *e = c2h_edgeset_sorted(es, c2h_edge_cmp_src);
    GHashTable *c2 = set_of(c2s);
    GArray *cand = g_array_new(FALSE, FALSE, sizeof(c2h_label));
    c2h_find_touchers(e, c2, 3, p, cand);
    assert_int_equal(cand->len, 1);
    c2h_addr want = ip("192.0.2.10");
    assert_memory_equal(&g_array_index(cand, c2h_label, 0).addr, &want, sizeof want);
    g_array_free(cand, TRUE);
    g_array_free(e, TRUE);
    g_hash_table_destroy(c2);
    c2h_edgeset_free(es);
    c2h_profile_free(p);
}

static void test_predicted_fanin(void **state)
{
    (void)state;
    c2h_profile *p = c2h_profile_trickbot();
    c2h_label staged = {.role = C2H_ROLE_C2_PREDICTED, .count_a = 2}, popular = staged;
    c2h_judge_predicted(&staged, 3, p);     /* a few stray scanners of no name */
    c2h_judge_predicted(&popular, 95, p);   /* a popular SSH server a controller also uses */
    assert_int_equal(staged.role, C2H_ROLE_C2_PREDICTED);
    assert_int_equal(popular.role, C2H_ROLE_NONE);
    c2h_profile_free(p);
}

static void test_predicted_needs_no_victims(void **state)
{
    (void)state;
    c2h_profile *p = c2h_profile_trickbot();
    c2h_edgeset *ctl = c2h_edgeset_new(), *b = c2h_edgeset_new();
    /* Two controllers stage 198.51.100.9 over Winbox; 198.51.100.8 too, but victims use it already;
     * 203.0.113.5 is only browsed by one controller on 443. */
    flows(ctl, p, "192.0.2.10", "198.51.100.9", 8291, 2, T0, H);
    flows(ctl, p, "192.0.2.11", "198.51.100.9", 22, 2, T0 + H, H);
    flows(ctl, p, "192.0.2.10", "198.51.100.8", 8291, 2, T0, H);
    flows(ctl, p, "192.0.2.11", "198.51.100.8", 8291, 2, T0, H);
    flows(ctl, p, "192.0.2.10", "203.0.113.5", 443, 5, T0, H);
    flows(ctl, p, "192.0.2.11", "203.0.113.5", 443, 5, T0, H);
    flows(b, p, "10.0.0.1", "198.51.100.8", 447, 20, T0, 5 * 60000);
    GArray *e = c2h_edgeset_sorted(ctl, c2h_edge_cmp_dst), *be = c2h_edgeset_sorted(b, c2h_edge_cmp_dst);
    const char *c2s[] = {"198.51.100.1", NULL}, *vs[] = {"10.0.0.1", NULL}, *ks[] = {"192.0.2.10", "192.0.2.11", NULL};
    GHashTable *c2 = set_of(c2s), *v = set_of(vs), *k = set_of(ks);
    GArray *out = g_array_new(FALSE, FALSE, sizeof(c2h_label));
    c2h_find_predicted(e, c2, v, k, be, p, out);
    assert_int_equal(out->len, 1);
    c2h_addr want = ip("198.51.100.9");
    assert_memory_equal(&g_array_index(out, c2h_label, 0).addr, &want, sizeof want);
    assert_int_equal(g_array_index(out, c2h_label, 0).first_ms, T0);
    assert_int_equal(g_array_index(out, c2h_label, 0).count_a, 2);
    g_array_free(out, TRUE);
    g_array_free(e, TRUE);
    g_array_free(be, TRUE);
    g_hash_table_destroy(c2); g_hash_table_destroy(v); g_hash_table_destroy(k);
    c2h_edgeset_free(ctl); c2h_edgeset_free(b);
    c2h_profile_free(p);
}

static void test_backend(void **state)
{
    (void)state;
    c2h_profile *p = c2h_profile_trickbot();
    c2h_edgeset *es = c2h_edgeset_new();
    flows(es, p, "198.51.100.1", "192.0.2.200", 4443, 5, T0, H);
    flows(es, p, "198.51.100.2", "192.0.2.200", 4443, 5, T0, H);
    flows(es, p, "198.51.100.1", "192.0.2.201", 443, 2, T0, H); /* one C2 only, twice: not persistent */
    GArray *e = c2h_edgeset_sorted(es, c2h_edge_cmp_dst);
    const char *c2s[] = {"198.51.100.1", "198.51.100.2", NULL};
    GHashTable *c2 = set_of(c2s), *v = c2h_addrset_new();
    GArray *out = g_array_new(FALSE, FALSE, sizeof(c2h_label));
    c2h_find_backend_candidates(e, c2, v, p, out);
    assert_int_equal(out->len, 1);
    c2h_label keep = g_array_index(out, c2h_label, 0), drop = keep;
    c2h_judge_backend(&keep, 4, p);      /* 2 C2 and 2 others */
    c2h_judge_backend(&drop, 5000, p);   /* a popular server that C2 also reach */
    c2h_label single = keep;
    single.count_a = 1;
    c2h_label single_busy = single;
    c2h_judge_backend(&single, 1, p);        /* one C2, nobody else */
    c2h_judge_backend(&single_busy, 3, p);   /* one C2 and two others */
    assert_int_equal(single.role, C2H_ROLE_BACKEND);
    assert_int_equal(single_busy.role, C2H_ROLE_NONE);
    assert_int_equal(keep.role, C2H_ROLE_BACKEND);
    assert_int_equal(keep.count_b, 2);
    assert_int_equal(drop.role, C2H_ROLE_NONE);
    g_array_free(out, TRUE);
    g_array_free(e, TRUE);
    g_hash_table_destroy(c2); g_hash_table_destroy(v);
    c2h_edgeset_free(es);
    c2h_profile_free(p);
}

static void test_hll(void **state)
{
    (void)state;
    const guint ns[] = {10, 1000, 100000};
    for (guint k = 0; k < G_N_ELEMENTS(ns); k++) {
        c2h_hll *a = g_new0(c2h_hll, 1), *b = g_new0(c2h_hll, 1);
        for (guint i = 0; i < ns[k]; i++) {
            c2h_addr x = c2h_addr_from_v4(0x0a000000u + i);
            c2h_hll_add(i % 2 ? a : b, c2h_addr_hash(&x));
            c2h_hll_add(a, c2h_addr_hash(&x)); /* duplicates do not count */
        }
        c2h_hll_merge(a, b);
        double est = c2h_hll_estimate(a);
        assert_true(fabs(est - ns[k]) <= 0.05 * ns[k] + 1);
        g_free(a);
        g_free(b);
    }
}

static void test_profile_file(void **state)
{
    (void)state;
    g_autofree char *dir = g_dir_make_tmp("c2h-prof-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "emotet.ini", NULL);
    g_file_set_contents(path, "[profile]\nname=emotet\nc2_ports=8080;7080\nbeacon_min_flows=6\n", -1, NULL);
    GError *err = NULL;
    c2h_profile *p = c2h_profile_load(path, &err);
    assert_non_null(p);
    assert_string_equal(p->name, "emotet");
    assert_int_equal(p->n_c2_ports, 2);
    assert_true(c2h_profile_port_class(p, 7080) & C2H_PC_C2_MASK);
    assert_false(c2h_profile_port_class(p, 447) & C2H_PC_C2_MASK);
    assert_int_equal(p->beacon_min_flows, 6);
    c2h_profile_free(p);
    g_file_set_contents(path, "[profile]\nc2_ports=8080;99999\n", -1, NULL);
    assert_null(c2h_profile_load(path, &err));
    assert_non_null(strstr(err->message, "c2_ports"));
    assert_non_null(strstr(err->message, path));
    g_clear_error(&err);
    g_file_set_contents(path, "[profile]\nbeacon_min_flow=6\n", -1, NULL); /* misspelled */
    assert_null(c2h_profile_load(path, &err));
    assert_non_null(strstr(err->message, "beacon_min_flow: unknown key"));
    g_clear_error(&err);
    g_file_set_contents(path, "[profile]\ncontroller_min_specificity=2\n", -1, NULL);
    assert_null(c2h_profile_load(path, &err));
    assert_non_null(strstr(err->message, "controller_min_specificity"));
    g_clear_error(&err);
    g_unlink(path);
    g_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_beacon_needs_repetition),
        cmocka_unit_test(test_edges_merge_in_any_order),
        cmocka_unit_test(test_follow_victims),
        cmocka_unit_test(test_controller_or_scanner),
        cmocka_unit_test(test_checkins_are_not_operator_contacts),
        cmocka_unit_test(test_predicted_fanin),
        cmocka_unit_test(test_predicted_needs_no_victims),
        cmocka_unit_test(test_backend),
        cmocka_unit_test(test_hll),
        cmocka_unit_test(test_profile_file),
    };
    return cmocka_run_group_tests_name("detect", tests, NULL, NULL);
}
