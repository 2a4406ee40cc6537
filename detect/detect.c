/* detect.c: the rules of docs/ALGORITHM.md. */
#include "detect/detect.h"

#include <math.h>

const char *c2h_role_name(c2h_role r)
{
    switch (r) {
    case C2H_ROLE_BACKEND: return "backend";
    case C2H_ROLE_C2: return "c2";
    case C2H_ROLE_C2_PREDICTED: return "c2_predicted";
    case C2H_ROLE_CONTROLLER: return "controller";
    case C2H_ROLE_SCANNER: return "scanner";
    case C2H_ROLE_VICTIM: return "victim";
    default: return "none";
    }
}

/* ---- groups of edges that share an end ------------------------------------------ */

/* @return the end of the run of edges from i that share i's dst (by_dst) or src. */
static guint group_end(const GArray *e, guint i, gboolean by_dst)
{
    const c2h_edge *first = &g_array_index(e, c2h_edge, i);
    const c2h_addr *key = by_dst ? &first->dst : &first->src;
    guint j = i + 1;
    while (j < e->len && c2h_addr_cmp(by_dst ? &g_array_index(e, c2h_edge, j).dst : &g_array_index(e, c2h_edge, j).src,
                                      key) == 0)
        j++;
    return j;
}

/* What a set of edges adds up to: count, port classes, first and last time. */
typedef struct edge_sum {
    guint n;
    guint32 ports;
    gint64 t0, t1;
} edge_sum;

#define EDGE_SUM_INIT {0, 0, G_MAXINT64, G_MININT64}

static void sum_add(edge_sum *s, const c2h_edge *e)
{
    s->n++;
    s->ports |= e->ports;
    s->t0 = MIN(s->t0, e->first_ms);
    s->t1 = MAX(s->t1, e->last_ms);
}

/* Beacons into one destination, edges [i, j): all beaconing clients, and the sum over those
 * that are known victims. */
static edge_sum beacons_into(const GArray *e, guint i, guint j, GHashTable *victims, const c2h_profile *p,
                             guint *clients)
{
    edge_sum v = EDGE_SUM_INIT;
    *clients = 0;
    for (guint k = i; k < j; k++) {
        const c2h_edge *x = &g_array_index(e, c2h_edge, k);
        if (!c2h_is_beacon(x, p))
            continue;
        (*clients)++;
        if (c2h_addrset_has(victims, &x->src))
            sum_add(&v, x);
    }
    return v;
}

guint c2h_find_victims(const GArray *edges, GHashTable *c2, GHashTable *victims, const c2h_profile *p)
{
    guint added = 0;
    for (guint i = 0; i < edges->len; i++) {
        const c2h_edge *e = &g_array_index(edges, c2h_edge, i);
        if (c2h_is_beacon(e, p) && c2h_addrset_has(c2, &e->dst) && !c2h_addrset_has(c2, &e->src))
            added += c2h_addrset_add(victims, &e->src);
    }
    return added;
}

void c2h_count_c2_clients(const GArray *edges_by_dst, GHashTable *c2, GHashTable *victims, const c2h_profile *p,
                          GArray *out)
{
    for (guint i = 0, j; i < edges_by_dst->len; i = j) {
        j = group_end(edges_by_dst, i, TRUE);
        const c2h_addr *y = &g_array_index(edges_by_dst, c2h_edge, i).dst;
        if (c2h_addrset_has(c2, y) || c2h_addrset_has(victims, y))
            continue;
        guint clients;
        edge_sum v = beacons_into(edges_by_dst, i, j, victims, p, &clients);
        c2h_c2_count c = {.dst = *y, .clients = clients, .victims = v.n};
        g_array_append_val(out, c);
    }
}

static int c2_count_cmp(const void *a, const void *b)
{
    return c2h_addr_cmp(&((const c2h_c2_count *)a)->dst, &((const c2h_c2_count *)b)->dst);
}

void c2h_judge_c2_counts(GArray *counts, const c2h_profile *p, GArray *out)
{
    g_array_sort(counts, c2_count_cmp);
    for (guint i = 0, j; i < counts->len; i = j) {
        const c2h_c2_count *c = &g_array_index(counts, c2h_c2_count, i);
        guint64 clients = 0, victims = 0;
        for (j = i; j < counts->len && c2h_addr_cmp(&g_array_index(counts, c2h_c2_count, j).dst, &c->dst) == 0; j++) {
            clients += g_array_index(counts, c2h_c2_count, j).clients;
            victims += g_array_index(counts, c2h_c2_count, j).victims;
        }
        if (victims >= p->c2_min_victims && (double)victims >= p->c2_min_victim_share * (double)clients)
            g_array_append_vals(out, &c->dst, 1);
    }
}

void c2h_label_c2_set(const GArray *edges_by_dst, GHashTable *c2, GHashTable *seeds, GHashTable *victims,
                      const c2h_profile *p, GArray *out)
{
    for (guint i = 0, j; i < edges_by_dst->len; i = j) {
        j = group_end(edges_by_dst, i, TRUE);
        const c2h_addr *y = &g_array_index(edges_by_dst, c2h_edge, i).dst;
        if (!c2h_addrset_has(c2, y))
            continue;
        guint clients;
        edge_sum v = beacons_into(edges_by_dst, i, j, victims, p, &clients);
        gboolean seed = c2h_addrset_has(seeds, y);
        c2h_label l = {.addr = *y, .role = C2H_ROLE_C2, .count_a = v.n, .count_b = clients, .ports = v.ports,
                       .score = seed ? 1.0 : clients ? (double)v.n / clients : 0.0, .first_ms = v.n ? v.t0 : 0,
                       .last_ms = v.n ? v.t1 : 0};
        g_array_append_val(out, l);
    }
}

void c2h_find_touchers(const GArray *edges_by_src, GHashTable *c2, guint n_c2, const c2h_profile *p, GArray *out)
{
    for (guint i = 0, j; i < edges_by_src->len; i = j) {
        j = group_end(edges_by_src, i, FALSE);
        const c2h_addr *x = &g_array_index(edges_by_src, c2h_edge, i).src;
        edge_sum t = EDGE_SUM_INIT;
        for (guint k = i; k < j; k++) {
            const c2h_edge *e = &g_array_index(edges_by_src, c2h_edge, k);
            /* Only contacts the way an operator makes them count (admin ports, or anything
             * outside the C2 and web ports): a victim's contacts are beacons, check-ins to each
             * C2 of a new set, and web traffic, and it never logs in to the routers. */
            if (c2h_addrset_has(c2, &e->dst) && (e->ports & (C2H_PC_ADMIN_MASK | C2H_PC_OTHER)))
                sum_add(&t, e);
        }
        if (!c2h_addrset_has(c2, x) && t.n >= p->controller_min_c2 && (double)t.n >= p->controller_min_c2_share * n_c2) {
            c2h_label l = {.addr = *x, .role = C2H_ROLE_CONTROLLER, .count_a = t.n, .count_b = n_c2, .ports = t.ports,
                           .score = (double)t.n / n_c2, .first_ms = t.t0, .last_ms = t.t1};
            g_array_append_val(out, l);
        }
    }
}

void c2h_judge_toucher(c2h_label *l, double fanout, const c2h_profile *p)
{
    /* The HLL estimate can fall a little under the exact C2 count: never below it. */
    fanout = MAX(fanout, (double)l->count_a);
    l->fanout = round(fanout);
    double specificity = (double)l->count_a / l->fanout;
    if (specificity >= p->controller_min_specificity) {
        l->role = C2H_ROLE_CONTROLLER;
        l->score = (double)l->count_a / l->count_b;
    } else {
        l->role = C2H_ROLE_SCANNER;
        l->score = specificity;
    }
}

void c2h_find_backend_candidates(const GArray *edges_by_dst, GHashTable *c2, GHashTable *victims,
                                 const c2h_profile *p, GArray *out)
{
    for (guint i = 0, j; i < edges_by_dst->len; i = j) {
        j = group_end(edges_by_dst, i, TRUE);
        const c2h_addr *y = &g_array_index(edges_by_dst, c2h_edge, i).dst;
        edge_sum b = EDGE_SUM_INIT;
        guint persistent = 0;
        for (guint k = i; k < j; k++) {
            const c2h_edge *e = &g_array_index(edges_by_dst, c2h_edge, k);
            if (c2h_addrset_has(c2, &e->src)) {
                sum_add(&b, e);
                persistent += c2h_is_persistent(e, p);
            }
        }
        if (!c2h_addrset_has(c2, y) && !c2h_addrset_has(victims, y) && (b.n >= p->backend_min_c2 || persistent > 0)) {
            c2h_label l = {.addr = *y, .role = C2H_ROLE_BACKEND, .count_a = b.n, .ports = b.ports, .first_ms = b.t0,
                           .last_ms = b.t1};
            g_array_append_val(out, l);
        }
    }
}

void c2h_judge_backend(c2h_label *l, double fanin, const c2h_profile *p)
{
    fanin = MAX(round(fanin), (double)l->count_a);
    double others = fanin - l->count_a;
    l->fanout = fanin;
    l->count_b = (uint32_t)others;
    /* Fewer C2 than backend_min_c2 (one, persistently): only if nobody else reaches it. */
    guint max_others = l->count_a >= p->backend_min_c2 ? p->backend_max_others : 0;
    if (others > max_others) {
        l->role = C2H_ROLE_NONE;
        return;
    }
    l->score = (double)l->count_a / fanin;
}

/* Does Y have beaconing clients among the victims? beacon edges sorted by dst. */
static gboolean has_victim_traffic(const GArray *beacons, const c2h_addr *y, GHashTable *victims,
                                   const c2h_profile *p)
{
    guint lo = 0, hi = beacons->len;
    while (lo < hi) { /* first edge with dst >= y */
        guint mid = lo + (hi - lo) / 2;
        if (c2h_addr_cmp(&g_array_index(beacons, c2h_edge, mid).dst, y) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (guint i = lo; i < beacons->len; i++) {
        const c2h_edge *e = &g_array_index(beacons, c2h_edge, i);
        if (c2h_addr_cmp(&e->dst, y) != 0)
            break;
        if (c2h_is_beacon(e, p) && c2h_addrset_has(victims, &e->src))
            return TRUE;
    }
    return FALSE;
}

void c2h_find_predicted(const GArray *edges_by_dst, GHashTable *c2, GHashTable *victims, GHashTable *controllers,
                        const GArray *beacon_edges_by_dst, const c2h_profile *p, GArray *out)
{
    guint n_ctl = g_hash_table_size(controllers);
    if (n_ctl == 0)
        return;
    const guint32 operator_ports = C2H_PC_C2_MASK | C2H_PC_ADMIN_MASK;
    for (guint i = 0, j; i < edges_by_dst->len; i = j) {
        j = group_end(edges_by_dst, i, TRUE);
        const c2h_addr *y = &g_array_index(edges_by_dst, c2h_edge, i).dst;
        edge_sum by = EDGE_SUM_INIT;
        guint persistent = 0;
        for (guint k = i; k < j; k++) {
            const c2h_edge *e = &g_array_index(edges_by_dst, c2h_edge, k);
            if (c2h_addrset_has(controllers, &e->src) && (e->ports & operator_ports)) {
                sum_add(&by, e);
                persistent += c2h_is_persistent(e, p);
            }
        }
        if ((by.n >= p->predicted_min_controllers || persistent > 0) && !c2h_addrset_has(c2, y) &&
            !c2h_addrset_has(victims, y) && !c2h_addrset_has(controllers, y) &&
            !has_victim_traffic(beacon_edges_by_dst, y, victims, p)) {
            c2h_label l = {.addr = *y, .role = C2H_ROLE_C2_PREDICTED, .count_a = by.n, .count_b = n_ctl,
                           .ports = by.ports, .score = (double)by.n / n_ctl, .first_ms = by.t0, .last_ms = by.t1};
            g_array_append_val(out, l);
        }
    }
}

void c2h_judge_predicted(c2h_label *l, double fanin_others, const c2h_profile *p)
{
    l->fanout = round(fanin_others);
    if (l->fanout > p->predicted_max_others)
        l->role = C2H_ROLE_NONE;
}

int c2h_label_cmp(const void *a, const void *b)
{
    const c2h_label *x = a, *y = b;
    int c = strcmp(c2h_role_name(x->role), c2h_role_name(y->role));
    return c ? c : c2h_addr_cmp(&x->addr, &y->addr);
}
