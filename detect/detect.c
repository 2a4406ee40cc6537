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

void c2h_find_new_c2(const GArray *edges_by_dst, GHashTable *c2, GHashTable *victims, const c2h_profile *p,
                     GArray *out)
{
    for (guint i = 0; i < edges_by_dst->len;) {
        const c2h_edge *first = &g_array_index(edges_by_dst, c2h_edge, i);
        guint j = i;
        guint clients = 0, from_victims = 0;
        guint32 ports = 0;
        gint64 t0 = G_MAXINT64, t1 = G_MININT64;
        for (; j < edges_by_dst->len; j++) {
            const c2h_edge *e = &g_array_index(edges_by_dst, c2h_edge, j);
            if (c2h_addr_cmp(&e->dst, &first->dst) != 0)
                break;
            if (!c2h_is_beacon(e, p))
                continue;
            clients++;
            if (c2h_addrset_has(victims, &e->src)) {
                from_victims++;
                ports |= e->ports;
                t0 = MIN(t0, e->first_ms);
                t1 = MAX(t1, e->last_ms);
            }
        }
        if (!c2h_addrset_has(c2, &first->dst) && !c2h_addrset_has(victims, &first->dst) &&
            from_victims >= p->c2_min_victims && (double)from_victims >= p->c2_min_victim_share * clients) {
            c2h_label l = {.addr = first->dst, .role = C2H_ROLE_C2, .count_a = from_victims, .count_b = clients,
                           .ports = ports, .score = (double)from_victims / clients, .first_ms = t0, .last_ms = t1};
            g_array_append_val(out, l);
        }
        i = j;
    }
}

void c2h_find_touchers(const GArray *edges_by_src, GHashTable *c2, guint n_c2, const c2h_profile *p, GArray *out)
{
    for (guint i = 0; i < edges_by_src->len;) {
        const c2h_edge *first = &g_array_index(edges_by_src, c2h_edge, i);
        guint j = i, touched = 0;
        guint32 ports = 0;
        gint64 t0 = G_MAXINT64, t1 = G_MININT64;
        for (; j < edges_by_src->len; j++) {
            const c2h_edge *e = &g_array_index(edges_by_src, c2h_edge, j);
            if (c2h_addr_cmp(&e->src, &first->src) != 0)
                break;
            if (!c2h_addrset_has(c2, &e->dst))
                continue;
            /* Only contacts the way an operator makes them count (admin ports, or anything
             * outside the C2 and web ports): a victim's contacts are beacons, check-ins to each
             * C2 of a new set, and web traffic, and it never logs in to the routers. */
            if (!(e->ports & (C2H_PC_ADMIN_MASK | C2H_PC_OTHER)))
                continue;
            touched++;
            ports |= e->ports;
            t0 = MIN(t0, e->first_ms);
            t1 = MAX(t1, e->last_ms);
        }
        if (!c2h_addrset_has(c2, &first->src) && touched >= p->controller_min_c2 && (double)touched >= p->controller_min_c2_share * n_c2) {
            c2h_label l = {.addr = first->src, .role = C2H_ROLE_CONTROLLER, .count_a = touched, .count_b = n_c2,
                           .ports = ports, .score = (double)touched / n_c2, .first_ms = t0, .last_ms = t1};
            g_array_append_val(out, l);
        }
        i = j;
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
    for (guint i = 0; i < edges_by_dst->len;) {
        const c2h_edge *first = &g_array_index(edges_by_dst, c2h_edge, i);
        guint j = i, from_c2 = 0, persistent = 0;
        guint32 ports = 0;
        gint64 t0 = G_MAXINT64, t1 = G_MININT64;
        for (; j < edges_by_dst->len; j++) {
            const c2h_edge *e = &g_array_index(edges_by_dst, c2h_edge, j);
            if (c2h_addr_cmp(&e->dst, &first->dst) != 0)
                break;
            if (!c2h_addrset_has(c2, &e->src))
                continue;
            from_c2++;
            persistent += c2h_is_persistent(e, p);
            ports |= e->ports;
            t0 = MIN(t0, e->first_ms);
            t1 = MAX(t1, e->last_ms);
        }
        if (!c2h_addrset_has(c2, &first->dst) && !c2h_addrset_has(victims, &first->dst) &&
            (from_c2 >= p->backend_min_c2 || persistent > 0)) {
            c2h_label l = {.addr = first->dst, .role = C2H_ROLE_BACKEND, .count_a = from_c2, .ports = ports,
                           .first_ms = t0, .last_ms = t1};
            g_array_append_val(out, l);
        }
        i = j;
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
    guint need = p->predicted_min_controllers;
    if (n_ctl == 0)
        return;
    const guint32 operator_ports = C2H_PC_C2_MASK | C2H_PC_ADMIN_MASK;
    for (guint i = 0; i < edges_by_dst->len;) {
        const c2h_edge *first = &g_array_index(edges_by_dst, c2h_edge, i);
        guint j = i, by = 0, persistent = 0;
        guint32 ports = 0;
        gint64 t0 = G_MAXINT64, t1 = G_MININT64;
        for (; j < edges_by_dst->len; j++) {
            const c2h_edge *e = &g_array_index(edges_by_dst, c2h_edge, j);
            if (c2h_addr_cmp(&e->dst, &first->dst) != 0)
                break;
            if (!c2h_addrset_has(controllers, &e->src) || !(e->ports & operator_ports))
                continue;
            by++;
            persistent += c2h_is_persistent(e, p);
            ports |= e->ports;
            t0 = MIN(t0, e->first_ms);
            t1 = MAX(t1, e->last_ms);
        }
        const c2h_addr *y = &first->dst;
        if ((by >= need || persistent > 0) && !c2h_addrset_has(c2, y) && !c2h_addrset_has(victims, y) &&
            !c2h_addrset_has(controllers, y) && !has_victim_traffic(beacon_edges_by_dst, y, victims, p)) {
            c2h_label l = {.addr = *y, .role = C2H_ROLE_C2_PREDICTED, .count_a = by, .count_b = n_ctl,
                           .ports = ports, .score = (double)by / n_ctl, .first_ms = t0, .last_ms = t1};
            g_array_append_val(out, l);
        }
        i = j;
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
