/* test_gen.c: the scenario generator (gen/gen.h), called directly.
 *
 * The flows of an hour do not depend on which rank makes them or in what order; seeds
 * matter; the truth holds every role, and what it says is what the flows show: staging by
 * a controller before the first victim, victims beaconing only to live C2, nothing of the
 * botnet after a C2 goes down, scanners sweeping far more than the C2, benign look-alikes
 * with clients that are not victims, seeds among the earliest C2. The checks are functions
 * that count violations, and test_checks_can_fail feeds them corrupted data to prove they
 * can fail. */
#include "gen/gen.h"
#include "io/flowsrc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#ifndef SEED
#define SEED 7
#endif

/* A generated archive in memory: every flow of the span, the truth, and an index of it. */
typedef struct world {
    c2h_gen_plan *plan;
    GArray *flows; /* c2h_flow, every hour in order */
    GArray *truth; /* c2h_gen_truth_row */
    GHashTable *row; /* IPv4 value -> truth index + 1 */
} world;

static void world_index(world *w)
{
    if (w->row)
        g_hash_table_destroy(w->row);
    w->row = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (guint i = 0; i < w->truth->len; i++) {
        const c2h_gen_truth_row *r = &g_array_index(w->truth, c2h_gen_truth_row, i);
        assert_true(c2h_addr_is_v4(&r->ip));
        assert_false(g_hash_table_contains(w->row, GUINT_TO_POINTER(c2h_addr_v4(&r->ip))));
        g_hash_table_insert(w->row, GUINT_TO_POINTER(c2h_addr_v4(&r->ip)), GUINT_TO_POINTER(i + 1));
    }
}

static GArray *gen_hours(const c2h_gen_plan *p, guint h0, guint h1)
{
    GArray *flows = g_array_new(FALSE, FALSE, sizeof(c2h_flow));
    for (guint h = h0; h < h1; h++) {
        GError *err = NULL;
        assert_true(c2h_gen_hour(p, h, flows, &err));
        assert_null(err);
    }
    return flows;
}

static world *world_new(guint64 seed)
{
    world *w = g_new0(world, 1);
    c2h_gen_config cfg;
    c2h_gen_config_init(&cfg, C2H_GEN_SMALL, seed);
    GError *err = NULL;
    w->plan = c2h_gen_plan_new(&cfg, &err);
    assert_non_null(w->plan);
    w->flows = gen_hours(w->plan, 0, c2h_gen_plan_hours(w->plan));
    w->truth = c2h_gen_truth(w->plan);
    world_index(w);
    return w;
}

static void world_free(world *w)
{
    c2h_gen_plan_free(w->plan);
    g_array_free(w->flows, TRUE);
    g_array_free(w->truth, TRUE);
    g_hash_table_destroy(w->row);
    g_free(w);
}

static const c2h_gen_truth_row *row_of(const world *w, const c2h_addr *a)
{
    guint i = GPOINTER_TO_UINT(g_hash_table_lookup(w->row, GUINT_TO_POINTER(c2h_addr_v4(a))));
    return i ? &g_array_index(w->truth, c2h_gen_truth_row, i - 1) : NULL;
}

static gboolean has_role(const c2h_gen_truth_row *r, c2h_gen_role role)
{
    return r != NULL && r->role == role;
}

static gboolean is_c2(const c2h_gen_truth_row *r)
{
    return has_role(r, C2H_ROLE_C2) || has_role(r, C2H_ROLE_C2_PREDICTED);
}

static gboolean flows_equal(const c2h_flow *a, const c2h_flow *b)
{
    return a->start_ms == b->start_ms && a->end_ms == b->end_ms && c2h_addr_cmp(&a->src, &b->src) == 0 &&
           c2h_addr_cmp(&a->dst, &b->dst) == 0 && a->packets == b->packets && a->bytes == b->bytes &&
           a->sport == b->sport && a->dport == b->dport && a->proto == b->proto && a->tcp_flags == b->tcp_flags;
}

static guint64 hash_flows(const GArray *flows)
{
    guint64 h = 1469598103934665603ULL;
    for (guint i = 0; i < flows->len; i++) {
        const c2h_flow *f = &g_array_index(flows, c2h_flow, i);
        guint64 v[] = {(guint64)f->start_ms, (guint64)f->end_ms, c2h_addr_v4(&f->src), c2h_addr_v4(&f->dst),
                       f->packets, f->bytes, f->sport, f->dport, f->proto, f->tcp_flags};
        for (size_t k = 0; k < G_N_ELEMENTS(v); k++)
            h = (h ^ v[k]) * 1099511628211ULL;
    }
    return h;
}

/* ---- the checks: each counts violations ---- */

/* C2 life cycle in the truth, and the same read off the flows: the first controller flow to a
 * C2 is at t_stage, the first victim flow at t_active, and no victim or controller flow to it,
 * nor proxy flow from it, at or after t_down. */
static guint c2_lifecycle_violations(const world *w)
{
    guint bad = 0;
    GHashTable *first_ctrl = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    GHashTable *first_vic = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    for (guint i = 0; i < w->flows->len; i++) {
        const c2h_flow *f = &g_array_index(w->flows, c2h_flow, i);
        const c2h_gen_truth_row *src = row_of(w, &f->src), *dst = row_of(w, &f->dst);
        if (is_c2(src) && has_role(dst, C2H_ROLE_BACKEND))
            bad += src->t_down_ms != C2H_GEN_NO_TIME && f->start_ms >= src->t_down_ms;
        if (!is_c2(dst) || !(has_role(src, C2H_ROLE_CONTROLLER) || has_role(src, C2H_ROLE_VICTIM)))
            continue;
        bad += dst->t_down_ms != C2H_GEN_NO_TIME && f->start_ms >= dst->t_down_ms;
        GHashTable *first = has_role(src, C2H_ROLE_CONTROLLER) ? first_ctrl : first_vic;
        gint64 *t = g_hash_table_lookup(first, dst);
        if (t == NULL) {
            t = g_new(gint64, 1);
            *t = f->start_ms;
            g_hash_table_insert(first, (gpointer)dst, t);
        }
        *t = MIN(*t, f->start_ms);
    }
    for (guint i = 0; i < w->truth->len; i++) {
        const c2h_gen_truth_row *r = &g_array_index(w->truth, c2h_gen_truth_row, i);
        if (!is_c2(r))
            continue;
        const gint64 *fc = g_hash_table_lookup(first_ctrl, r), *fv = g_hash_table_lookup(first_vic, r);
        bad += r->t_stage_ms == C2H_GEN_NO_TIME || fc == NULL || *fc != r->t_stage_ms;
        if (r->role == C2H_ROLE_C2) {
            bad += fv == NULL || *fv != r->t_active_ms;
            bad += !(r->t_stage_ms <= r->t_active_ms);
            bad += r->t_down_ms != C2H_GEN_NO_TIME && !(r->t_active_ms < r->t_down_ms);
        } else {
            bad += fv != NULL || r->t_active_ms != C2H_GEN_NO_TIME;
        }
    }
    g_hash_table_destroy(first_ctrl);
    g_hash_table_destroy(first_vic);
    return bad;
}

/* Every victim flow to a C2 falls in the C2's live window [t_active, t_down), on a C2 port
 * or 443; and every victim beacons at length: some C2 gets at least 10 of its flows over at
 * least an hour. */
static guint beacon_violations(const world *w)
{
    guint bad = 0;
    GHashTable *pairs = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free); /* src<<32|dst -> 3 x gint64 */
    for (guint i = 0; i < w->flows->len; i++) {
        const c2h_flow *f = &g_array_index(w->flows, c2h_flow, i);
        const c2h_gen_truth_row *src = row_of(w, &f->src), *dst = row_of(w, &f->dst);
        if (!has_role(src, C2H_ROLE_VICTIM) || !is_c2(dst))
            continue;
        bad += dst->t_active_ms == C2H_GEN_NO_TIME || f->start_ms < dst->t_active_ms ||
               (dst->t_down_ms != C2H_GEN_NO_TIME && f->start_ms >= dst->t_down_ms);
        bad += !(f->dport == 447 || f->dport == 449 || f->dport == 8082 || f->dport == 443) || f->proto != 6;
        gint64 key = (gint64)c2h_addr_v4(&f->src) << 32 | c2h_addr_v4(&f->dst);
        gint64 *v = g_hash_table_lookup(pairs, &key);
        if (v == NULL) {
            v = g_new(gint64, 3);
            v[0] = 0;
            v[1] = v[2] = f->start_ms;
            g_hash_table_insert(pairs, g_memdup2(&key, sizeof key), v);
        }
        v[0]++;
        v[1] = MIN(v[1], f->start_ms);
        v[2] = MAX(v[2], f->start_ms);
    }
    GHashTable *long_beacon = g_hash_table_new(g_direct_hash, g_direct_equal);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, pairs);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        const gint64 *c = v;
        if (c[0] >= 10 && c[2] - c[1] >= 3600 * 1000)
            g_hash_table_add(long_beacon, GUINT_TO_POINTER((guint)(*(gint64 *)k >> 32)));
    }
    const c2h_gen_config *cfg = c2h_gen_plan_config(w->plan);
    const gint64 span_end = cfg->start_ms + (gint64)cfg->days * 86400000;
    for (guint i = 0; i < w->truth->len; i++) {
        const c2h_gen_truth_row *r = &g_array_index(w->truth, c2h_gen_truth_row, i);
        if (r->role != C2H_ROLE_VICTIM)
            continue;
        gint64 end = r->t_down_ms != C2H_GEN_NO_TIME ? r->t_down_ms : span_end;
        if (end - r->t_active_ms > 2 * 3600 * 1000) /* infected long enough to show it */
            bad += !g_hash_table_contains(long_beacon, GUINT_TO_POINTER(c2h_addr_v4(&r->ip)));
    }
    g_hash_table_destroy(long_beacon);
    g_hash_table_destroy(pairs);
    return bad;
}

/* ---- tests ---- */

static int setup(void **state)
{
    *state = world_new(SEED);
    return 0;
}

static int teardown(void **state)
{
    world_free(*state);
    return 0;
}

static void test_hours_of_rank(void **state)
{
    (void)state;
    for (int size = 1; size <= 7; size++) {
        guint next = 0;
        for (int r = 0; r < size; r++) {
            guint h0, h1;
            c2h_gen_hours_of_rank(72, r, size, &h0, &h1);
            assert_int_equal(h0, next);
            assert_true(h1 >= h0);
            next = h1;
        }
        assert_int_equal(next, 72);
    }
}

/* Three "ranks", each with its own plan, generating their blocks of hours in a scrambled
 * order, give the flows of one rank generating every hour in order. */
static void test_same_flows_one_or_three_ranks(void **state)
{
    const world *w = *state;
    const guint hours = c2h_gen_plan_hours(w->plan);
    GArray *part[3];
    for (int r = 2; r >= 0; r--) {
        c2h_gen_config cfg;
        c2h_gen_config_init(&cfg, C2H_GEN_SMALL, SEED);
        c2h_gen_plan *p = c2h_gen_plan_new(&cfg, NULL);
        assert_non_null(p);
        guint h0, h1;
        c2h_gen_hours_of_rank(hours, r, 3, &h0, &h1);
        GArray *late = gen_hours(p, (h0 + h1) / 2, h1); /* the second half first */
        part[r] = gen_hours(p, h0, (h0 + h1) / 2);
        g_array_append_vals(part[r], late->data, late->len);
        g_array_free(late, TRUE);
        c2h_gen_plan_free(p);
    }
    guint n = 0;
    for (int r = 0; r < 3; r++) {
        for (guint i = 0; i < part[r]->len; i++, n++) {
            assert_true(n < w->flows->len);
            assert_true(flows_equal(&g_array_index(part[r], c2h_flow, i), &g_array_index(w->flows, c2h_flow, n)));
        }
        g_array_free(part[r], TRUE);
    }
    assert_int_equal(n, w->flows->len);
}

static void test_hour_sorted_whole_seconds(void **state)
{
    const world *w = *state;
    const c2h_gen_config *cfg = c2h_gen_plan_config(w->plan);
    gint64 prev = G_MININT64;
    for (guint i = 0; i < w->flows->len; i++) {
        const c2h_flow *f = &g_array_index(w->flows, c2h_flow, i);
        assert_true(f->start_ms % 1000 == 0);
        assert_true(f->start_ms >= prev);
        assert_true(f->end_ms >= f->start_ms);
        assert_true(f->start_ms >= cfg->start_ms && f->start_ms < cfg->start_ms + (gint64)cfg->days * 86400000);
        assert_true(f->packets >= 1 && f->bytes >= f->packets * 40);
        prev = f->start_ms;
    }
    /* The preset asks for about 300k flows. */
    assert_true(w->flows->len > 250000 && w->flows->len < 350000);
}

static void test_seeds_differ(void **state)
{
    const world *w = *state;
    c2h_gen_config cfg;
    c2h_gen_config_init(&cfg, C2H_GEN_SMALL, SEED + 1);
    c2h_gen_plan *p = c2h_gen_plan_new(&cfg, NULL);
    assert_non_null(p);
    GArray *mine = gen_hours(p, 10, 11), *theirs = gen_hours(w->plan, 10, 11);
    assert_true(hash_flows(mine) != hash_flows(theirs));
    GString *a = g_string_new(NULL), *b = g_string_new(NULL);
    c2h_gen_append_truth_csv(p, a);
    c2h_gen_append_truth_csv(w->plan, b);
    assert_string_not_equal(a->str, b->str);
    /* And the same seed gives the same hour again. */
    GArray *again = gen_hours(w->plan, 10, 11);
    assert_true(hash_flows(again) == hash_flows(theirs));
    g_string_free(a, TRUE);
    g_string_free(b, TRUE);
    g_array_free(mine, TRUE);
    g_array_free(theirs, TRUE);
    g_array_free(again, TRUE);
    c2h_gen_plan_free(p);
}

static void test_truth_roles(void **state)
{
    const world *w = *state;
    guint count[C2H_NROLES] = {0};
    for (guint i = 0; i < w->truth->len; i++)
        count[g_array_index(w->truth, c2h_gen_truth_row, i).role]++;
    assert_in_range(count[C2H_ROLE_VICTIM], 20, 80);
    assert_in_range(count[C2H_ROLE_C2], 3, 60); /* at least one a lane */
    assert_in_range(count[C2H_ROLE_C2_PREDICTED], 1, 20);
    assert_in_range(count[C2H_ROLE_CONTROLLER], 2, 3);
    assert_in_range(count[C2H_ROLE_BACKEND], 1, 3);
    assert_in_range(count[C2H_ROLE_SCANNER], 2, 3);
    assert_in_range(count[C2H_ROLE_BENIGN], 8, 30);
    /* Sorted by role, then address. */
    for (guint i = 1; i < w->truth->len; i++) {
        const c2h_gen_truth_row *a = &g_array_index(w->truth, c2h_gen_truth_row, i - 1);
        const c2h_gen_truth_row *b = &g_array_index(w->truth, c2h_gen_truth_row, i);
        assert_true(a->role < b->role || (a->role == b->role && c2h_addr_cmp(&a->ip, &b->ip) < 0));
    }
}

static void test_c2_lifecycle(void **state)
{
    assert_int_equal(c2_lifecycle_violations(*state), 0);
}

static void test_beacons_only_to_live_c2(void **state)
{
    assert_int_equal(beacon_violations(*state), 0);
}

/* Controllers touch most, not all, C2; every C2 is touched by one. */
static void test_controllers(void **state)
{
    const world *w = *state;
    GHashTable *per_ctrl = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)g_hash_table_destroy);
    GHashTable *touched = g_hash_table_new(g_direct_hash, g_direct_equal);
    guint n_c2 = 0;
    for (guint i = 0; i < w->truth->len; i++)
        n_c2 += is_c2(&g_array_index(w->truth, c2h_gen_truth_row, i));
    for (guint i = 0; i < w->flows->len; i++) {
        const c2h_flow *f = &g_array_index(w->flows, c2h_flow, i);
        const c2h_gen_truth_row *src = row_of(w, &f->src), *dst = row_of(w, &f->dst);
        if (!has_role(src, C2H_ROLE_CONTROLLER) || !is_c2(dst))
            continue;
        GHashTable *s = g_hash_table_lookup(per_ctrl, src);
        if (s == NULL)
            g_hash_table_insert(per_ctrl, (gpointer)src, s = g_hash_table_new(g_direct_hash, g_direct_equal));
        g_hash_table_add(s, (gpointer)dst);
        g_hash_table_add(touched, (gpointer)dst);
    }
    assert_in_range(g_hash_table_size(per_ctrl), 2, 3);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, per_ctrl);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        guint n = g_hash_table_size(v);
        assert_true(n * 2 > n_c2); /* most */
        assert_true(n < n_c2);     /* not all */
    }
    assert_int_equal(g_hash_table_size(touched), n_c2);
    g_hash_table_destroy(touched);
    g_hash_table_destroy(per_ctrl);
}

/* Scanners sweep thousands of addresses that are not C2, and between them reach most C2. */
static void test_scanners(void **state)
{
    const world *w = *state;
    GHashTable *targets = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)g_hash_table_destroy);
    GHashTable *c2_hit = g_hash_table_new(g_direct_hash, g_direct_equal);
    guint n_c2 = 0, n_scanners = 0;
    for (guint i = 0; i < w->truth->len; i++) {
        const c2h_gen_truth_row *r = &g_array_index(w->truth, c2h_gen_truth_row, i);
        n_c2 += is_c2(r);
        n_scanners += r->role == C2H_ROLE_SCANNER;
    }
    for (guint i = 0; i < w->flows->len; i++) {
        const c2h_flow *f = &g_array_index(w->flows, c2h_flow, i);
        const c2h_gen_truth_row *src = row_of(w, &f->src), *dst = row_of(w, &f->dst);
        if (!has_role(src, C2H_ROLE_SCANNER))
            continue;
        assert_true(f->dport == 8291 || f->dport == 22 || f->dport == 23);
        if (is_c2(dst)) {
            g_hash_table_add(c2_hit, (gpointer)dst);
            continue;
        }
        GHashTable *s = g_hash_table_lookup(targets, src);
        if (s == NULL)
            g_hash_table_insert(targets, (gpointer)src, s = g_hash_table_new(g_direct_hash, g_direct_equal));
        g_hash_table_add(s, GUINT_TO_POINTER(c2h_addr_v4(&f->dst)));
    }
    assert_int_equal(g_hash_table_size(targets), n_scanners);
    guint64 total = 0;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, targets);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        assert_true(g_hash_table_size(v) >= 3000);
        total += g_hash_table_size(v);
    }
    assert_true(total >= 20000); /* tens of thousands in small */
    assert_true(g_hash_table_size(c2_hit) * 10 >= n_c2 * 8);
    g_hash_table_destroy(c2_hit);
    g_hash_table_destroy(targets);
}

/* Benign services on 447/8082 have hundreds of clients, nearly all of them not victims; every
 * victim uses the CDN (the benign hosts on 80/443). */
static void test_benign_lookalikes(void **state)
{
    const world *w = *state;
    GHashTable *clients = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)g_hash_table_destroy);
    GHashTable *cdn_users = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (guint i = 0; i < w->flows->len; i++) {
        const c2h_flow *f = &g_array_index(w->flows, c2h_flow, i);
        const c2h_gen_truth_row *dst = row_of(w, &f->dst);
        if (!has_role(dst, C2H_ROLE_BENIGN))
            continue;
        if (f->dport == 443 || f->dport == 80) {
            g_hash_table_add(cdn_users, GUINT_TO_POINTER(c2h_addr_v4(&f->src)));
            continue;
        }
        assert_true(f->dport == 447 || f->dport == 8082);
        GHashTable *s = g_hash_table_lookup(clients, dst);
        if (s == NULL)
            g_hash_table_insert(clients, (gpointer)dst, s = g_hash_table_new(g_direct_hash, g_direct_equal));
        g_hash_table_add(s, GUINT_TO_POINTER(c2h_addr_v4(&f->src)));
    }
    assert_true(g_hash_table_size(clients) >= 4);
    guint busy = 0;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, clients);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        guint n = 0, victims = 0;
        GHashTableIter ci;
        gpointer ck;
        g_hash_table_iter_init(&ci, v);
        while (g_hash_table_iter_next(&ci, &ck, NULL)) {
            c2h_addr a = c2h_addr_from_v4(GPOINTER_TO_UINT(ck));
            n++;
            victims += has_role(row_of(w, &a), C2H_ROLE_VICTIM);
        }
        assert_true(n >= 50);
        assert_true(victims * 10 < n);
        busy += n >= 300;
    }
    /* All but the polled one are busy. */
    assert_true(busy + 1 >= g_hash_table_size(clients));
    for (guint i = 0; i < w->truth->len; i++) {
        const c2h_gen_truth_row *r = &g_array_index(w->truth, c2h_gen_truth_row, i);
        if (r->role == C2H_ROLE_VICTIM)
            assert_true(g_hash_table_contains(cdn_users, GUINT_TO_POINTER(c2h_addr_v4(&r->ip))));
    }
    g_hash_table_destroy(cdn_users);
    g_hash_table_destroy(clients);
}

/* Two or three seeds, all C2 that went live, and the earliest of them to do so, in the first day. */
static void test_seeds_early_c2(void **state)
{
    const world *w = *state;
    GArray *seeds = c2h_gen_seeds(w->plan);
    assert_in_range(seeds->len, 2, 3);
    gint64 latest_seed = G_MININT64;
    for (guint i = 0; i < seeds->len; i++) {
        const c2h_gen_truth_row *r = row_of(w, &g_array_index(seeds, c2h_addr, i));
        assert_true(has_role(r, C2H_ROLE_C2));
        latest_seed = MAX(latest_seed, r->t_active_ms);
    }
    assert_true(latest_seed < c2h_gen_plan_config(w->plan)->start_ms + 86400000);
    /* Every C2 that got its first victim before the last seed did is a seed. (Several C2 can
     * share a first second: a victim checks in with its whole set at once.) */
    for (guint i = 0; i < w->truth->len; i++) {
        const c2h_gen_truth_row *r = &g_array_index(w->truth, c2h_gen_truth_row, i);
        if (r->role != C2H_ROLE_C2 || r->t_active_ms >= latest_seed)
            continue;
        gboolean seed = FALSE;
        for (guint j = 0; j < seeds->len; j++)
            seed = seed || c2h_addr_cmp(&r->ip, &g_array_index(seeds, c2h_addr, j)) == 0;
        assert_true(seed);
    }
    g_array_free(seeds, TRUE);
}

static void test_truth_and_seeds_text(void **state)
{
    const world *w = *state;
    GString *t = g_string_new(NULL), *s = g_string_new(NULL);
    c2h_gen_append_truth_csv(w->plan, t);
    c2h_gen_append_seeds(w->plan, s);
    char **lines = g_strsplit(t->str, "\n", -1);
    assert_string_equal(lines[0], "ip,role,t_stage,t_active,t_down");
    guint n = 0;
    for (char **l = lines + 1; *l && **l; l++, n++) {
        char **f = g_strsplit(*l, ",", -1);
        assert_int_equal(g_strv_length(f), 5);
        c2h_addr a;
        assert_true(c2h_addr_parse(f[0], strlen(f[0]), &a));
        for (int k = 2; k < 5; k++) {
            gint64 ms;
            assert_true(f[k][0] == '\0' || (c2h_time_parse_iso(f[k], &ms) && ms % 1000 == 0));
        }
        g_strfreev(f);
    }
    assert_int_equal(n, w->truth->len);
    g_strfreev(lines);
    lines = g_strsplit(s->str, "\n", -1);
    assert_true(lines[0][0] == '#');
    guint addrs = 0;
    for (char **l = lines; *l && **l; l++) {
        c2h_addr a;
        if (**l == '#')
            continue;
        assert_true(c2h_addr_parse(*l, strlen(*l), &a));
        addrs++;
    }
    assert_in_range(addrs, 2, 3);
    g_strfreev(lines);
    g_string_free(t, TRUE);
    g_string_free(s, TRUE);
}

/* The checks above are not vacuous: corrupt the truth or the flows and they object. */
static void test_checks_can_fail(void **state)
{
    world *w = *state;
    GArray *truth = w->truth;
    GArray *flows = w->flows;
    guint c2 = G_MAXUINT;
    for (guint i = 0; i < truth->len && c2 == G_MAXUINT; i++)
        if (g_array_index(truth, c2h_gen_truth_row, i).role == C2H_ROLE_C2)
            c2 = i;
    assert_true(c2 != G_MAXUINT);
    c2h_gen_truth_row saved = g_array_index(truth, c2h_gen_truth_row, c2);

    /* A C2 said to go live a second after it really did. */
    g_array_index(truth, c2h_gen_truth_row, c2).t_active_ms += 1000;
    assert_true(c2_lifecycle_violations(w) > 0);
    assert_true(beacon_violations(w) > 0);
    /* Said to be down before its last victim flow. */
    g_array_index(truth, c2h_gen_truth_row, c2) = saved;
    g_array_index(truth, c2h_gen_truth_row, c2).t_down_ms = saved.t_active_ms + 1000;
    assert_true(c2_lifecycle_violations(w) > 0);
    g_array_index(truth, c2h_gen_truth_row, c2) = saved;
    assert_int_equal(c2_lifecycle_violations(w), 0);

    /* A victim flow moved to a C2 that is not live yet. */
    const c2h_gen_truth_row *pred = NULL;
    for (guint i = 0; i < truth->len && pred == NULL; i++)
        if (g_array_index(truth, c2h_gen_truth_row, i).role == C2H_ROLE_C2_PREDICTED)
            pred = &g_array_index(truth, c2h_gen_truth_row, i);
    assert_non_null(pred);
    for (guint i = 0; i < flows->len; i++) {
        c2h_flow *f = &g_array_index(flows, c2h_flow, i);
        if (has_role(row_of(w, &f->src), C2H_ROLE_VICTIM) && has_role(row_of(w, &f->dst), C2H_ROLE_C2)) {
            c2h_addr keep = f->dst;
            f->dst = pred->ip;
            assert_true(beacon_violations(w) > 0);
            assert_true(c2_lifecycle_violations(w) > 0);
            f->dst = keep;
            break;
        }
    }
    assert_int_equal(beacon_violations(w), 0);
}

static void test_bad_config(void **state)
{
    (void)state;
    c2h_gen_config cfg;
    GError *err = NULL;
    c2h_gen_config_init(&cfg, C2H_GEN_SMALL, 1);
    cfg.days = 0;
    assert_null(c2h_gen_plan_new(&cfg, &err));
    assert_true(g_error_matches(err, C2H_ERROR, C2H_ERROR_INPUT));
    g_clear_error(&err);
    c2h_gen_config_init(&cfg, C2H_GEN_SMALL, 1);
    cfg.flows = 10;
    assert_null(c2h_gen_plan_new(&cfg, &err));
    g_clear_error(&err);
    c2h_gen_config_init(&cfg, C2H_GEN_SMALL, 1);
    cfg.start_ms += 1;
    assert_null(c2h_gen_plan_new(&cfg, &err));
    g_clear_error(&err);

    c2h_gen_config_init(&cfg, C2H_GEN_SMALL, 1);
    cfg.days = 1;
    cfg.flows = 20000;
    c2h_gen_plan *p = c2h_gen_plan_new(&cfg, &err);
    assert_non_null(p);
    GArray *out = g_array_new(FALSE, FALSE, sizeof(c2h_flow));
    assert_false(c2h_gen_hour(p, 24, out, &err));
    assert_true(g_error_matches(err, C2H_ERROR, C2H_ERROR_INPUT));
    g_clear_error(&err);
    g_array_free(out, TRUE);
    c2h_gen_plan_free(p);

    c2h_gen_preset pr;
    assert_true(c2h_gen_preset_parse("large", &pr) && pr == C2H_GEN_LARGE);
    assert_false(c2h_gen_preset_parse("huge", &pr));
}

/* --days and --flows shape the span and the volume; a one-day span still has the whole cast. */
static void test_days_and_flows(void **state)
{
    (void)state;
    c2h_gen_config cfg;
    c2h_gen_config_init(&cfg, C2H_GEN_SMALL, 3);
    cfg.days = 1;
    cfg.flows = 100000;
    c2h_gen_plan *p = c2h_gen_plan_new(&cfg, NULL);
    assert_non_null(p);
    assert_int_equal(c2h_gen_plan_hours(p), 24);
    GArray *flows = gen_hours(p, 0, 24);
    assert_true(flows->len > 90000 && flows->len < 110000);
    GArray *truth = c2h_gen_truth(p);
    guint count[C2H_NROLES] = {0};
    for (guint i = 0; i < truth->len; i++)
        count[g_array_index(truth, c2h_gen_truth_row, i).role]++;
    for (int r = 0; r < C2H_NROLES; r++)
        assert_true(count[r] > 0);
    g_array_free(truth, TRUE);
    g_array_free(flows, TRUE);
    c2h_gen_plan_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hours_of_rank),
        cmocka_unit_test(test_bad_config),
        cmocka_unit_test(test_days_and_flows),
        cmocka_unit_test(test_same_flows_one_or_three_ranks),
        cmocka_unit_test(test_hour_sorted_whole_seconds),
        cmocka_unit_test(test_seeds_differ),
        cmocka_unit_test(test_truth_roles),
        cmocka_unit_test(test_c2_lifecycle),
        cmocka_unit_test(test_beacons_only_to_live_c2),
        cmocka_unit_test(test_controllers),
        cmocka_unit_test(test_scanners),
        cmocka_unit_test(test_benign_lookalikes),
        cmocka_unit_test(test_seeds_early_c2),
        cmocka_unit_test(test_truth_and_seeds_text),
        cmocka_unit_test(test_checks_can_fail),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
