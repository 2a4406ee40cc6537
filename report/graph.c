/* graph.c: the relationship graph (see graph.h): the bounded model, DOT, GraphML, and SVG
 * through Graphviz's C library. */
#include "report/graph.h"

#include "io/flowsrc.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- escaping ------------------------------------------------------------------------ */

/* A character no XML or HTML text may hold: C0 controls but tab, newline and carriage
 * return, DEL, the C1 controls, and the noncharacters U+FFFE and U+FFFF. */
static gboolean not_text(gunichar c)
{
    return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7f && c <= 0x9f) || c == 0xfffe ||
           c == 0xffff;
}

void c2h_append_xml_escaped(GString *out, const char *s)
{
    g_autofree char *v = g_utf8_make_valid(s, -1);
    for (const char *p = v; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        switch (c) {
        case '&': g_string_append(out, "&amp;"); break;
        case '<': g_string_append(out, "&lt;"); break;
        case '>': g_string_append(out, "&gt;"); break;
        case '"': g_string_append(out, "&quot;"); break;
        case '\'': g_string_append(out, "&#39;"); break;
        case '\r': g_string_append_c(out, '\n'); break;
        default:
            if (!not_text(c))
                g_string_append_len(out, p, g_utf8_next_char(p) - p);
        }
    }
}

/* s as a quoted DOT string: backslashes and quotes escaped, a newline as \n (a line break
 * in labels and tooltips), characters no XML may hold (not_text) as spaces, since Graphviz
 * copies labels into its SVG, and & as &amp;: Graphviz reads entities in labels ("&lt;"
 * would show as "<") and keeps them in its SVG. */
static void dot_quoted(GString *out, const char *s)
{
    g_autofree char *v = g_utf8_make_valid(s, -1);
    g_string_append_c(out, '"');
    for (const char *p = v; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (c == '&')
            g_string_append(out, "&amp;");
        else if (c == '\\' || c == '"')
            g_string_append_c(out, '\\'), g_string_append_c(out, (char)c);
        else if (c == '\n')
            g_string_append(out, "\\n");
        else if (c == '\t' || c == '\r' || not_text(c))
            g_string_append_c(out, ' ');
        else
            g_string_append_len(out, p, g_utf8_next_char(p) - p);
    }
    g_string_append_c(out, '"');
}

/* ---- colours ------------------------------------------------------------------------- */

const char *c2h_role_color(c2h_role role)
{
    switch (role) {
    case C2H_ROLE_C2: return "#c0392b";
    case C2H_ROLE_C2_PREDICTED: return "#e67e22";
    case C2H_ROLE_CONTROLLER: return "#7d3c98";
    case C2H_ROLE_BACKEND: return "#795548";
    case C2H_ROLE_VICTIM: return "#2471a3";
    case C2H_ROLE_SCANNER: return "#9e9e9e";
    default: return "#333333";
    }
}

static const char *role_fill(c2h_role role)
{
    switch (role) {
    case C2H_ROLE_C2: return "#f9d5d1";
    case C2H_ROLE_C2_PREDICTED: return "#fde5cc";
    case C2H_ROLE_CONTROLLER: return "#e9d7f1";
    case C2H_ROLE_BACKEND: return "#e8dcd6";
    case C2H_ROLE_VICTIM: return "#d6e6f4";
    case C2H_ROLE_SCANNER: return "#f2f2f2";
    default: return "#ffffff";
    }
}

/* ---- the model ----------------------------------------------------------------------- */

static void gnode_clear(gpointer p)
{
    c2h_gnode *n = p;
    g_free(n->name);
    g_free(n->label);
    g_free(n->group);
}

void c2h_graph_free(c2h_graph *g)
{
    if (!g)
        return;
    g_array_free(g->nodes, TRUE);
    g_array_free(g->edges, TRUE);
    g_free(g);
}

typedef struct builder {
    const c2h_result *r;
    c2h_graph *g;
    GHashTable *host_node; /* c2h_addr -> node index + 1 (host nodes) */
    GArray *by_addr;       /* the labels sorted by address */
} builder;

static const c2h_label *label_of(const builder *b, const c2h_addr *a)
{
    c2h_label key = {.addr = *a};
    return bsearch(&key, b->by_addr->data, b->by_addr->len, sizeof(c2h_label), c2h_label_addr_cmp);
}

static guint node_of(const builder *b, const c2h_addr *a, gboolean *found)
{
    gpointer v = g_hash_table_lookup(b->host_node, a);
    *found = v != NULL;
    return v ? GPOINTER_TO_UINT(v) - 1 : 0;
}

static guint add_node(builder *b, c2h_gnode *n)
{
    g_array_append_val(b->g->nodes, *n);
    return b->g->nodes->len - 1;
}

static guint add_host(builder *b, const c2h_label *l, char *label)
{
    char a[C2H_ADDR_STRLEN];
    c2h_gnode n = {.name = g_strdup(c2h_addr_format(&l->addr, a)), .label = label, .role = l->role,
                   .kind = C2H_GNODE_HOST, .hosts = 1, .score = l->score, .first_ms = l->first_ms,
                   .last_ms = l->last_ms, .count_a = l->count_a, .count_b = l->count_b, .fanout = l->fanout,
                   .ports = l->ports};
    if (l->role == C2H_ROLE_VICTIM)
        n.flows = l->count_b;
    guint i = add_node(b, &n);
    c2h_addr *key = g_new(c2h_addr, 1);
    *key = l->addr;
    g_hash_table_insert(b->host_node, key, GUINT_TO_POINTER(i + 1));
    return i;
}

static void add_edge(builder *b, guint from, guint to, c2h_gedge_kind kind, guint hosts, const c2h_edge *e)
{
    c2h_gedge x = {.from = from, .to = to, .kind = kind, .hosts = hosts, .flows = e->flows, .bytes = e->bytes,
                   .first_ms = e->first_ms, .last_ms = e->last_ms, .ports = e->ports};
    g_array_append_val(b->g->edges, x);
}

/* v (>= 0) rounded, with thousands separators: "165,627". @return buf. */
static char *thousands(double v, char buf[32])
{
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", v < 0 ? 0.0 : v);
    size_t n = strlen(digits), o = 0;
    for (size_t i = 0; i < n && o + 2 < 32; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

static char *host_text(const c2h_label *l)
{
    char a[C2H_ADDR_STRLEN];
    c2h_addr_format(&l->addr, a);
    switch (l->role) {
    case C2H_ROLE_C2:
        if (l->first_ms == 0 && l->last_ms == 0)
            return g_strdup_printf("%s\nno victims seen", a);
        return g_strdup_printf("%s\n%u victim%s", a, l->count_a, l->count_a == 1 ? "" : "s");
    case C2H_ROLE_C2_PREDICTED:
        return g_strdup_printf("%s\nstaged by %u", a, l->count_a);
    case C2H_ROLE_CONTROLLER:
        return g_strdup_printf("%s\n%u of %u C2", a, l->count_a, l->count_b);
    case C2H_ROLE_BACKEND:
        return g_strdup_printf("%s\nbehind %u C2", a, l->count_a);
    case C2H_ROLE_SCANNER: {
        char n[32];
        return g_strdup_printf("scanner %s\n%u C2 among %s hosts", a, l->count_a, thousands(l->fanout, n));
    }
    default:
        return g_strdup(a);
    }
}

/* The victim node of l (made on first use). */
static guint victim_node(builder *b, const c2h_label *l)
{
    gboolean found;
    guint i = node_of(b, &l->addr, &found);
    return found ? i : add_host(b, l, host_text(l));
}

/* ---- victim groups ------------------------------------------------------------------- */

/* Networks grow from /24 to /16 (IPv6 /48 to /32) only: coarser ones say little about who
 * the victims are, so beyond that the smallest groups are merged into a "more" node. */
#define N_LEVELS 2
static const guint v4_prefix[N_LEVELS] = {24, 16};
static const guint v6_prefix[N_LEVELS] = {48, 32};

/* The group of victim a at level: "c<customer>" or "p<network/len>" (the first byte keeps a
 * customer named like a network apart from it). Caller frees. */
static char *group_key(const GArray *customers, const c2h_addr *a, guint level)
{
    const c2h_customer *c = customers ? c2h_customer_of(customers, a) : NULL;
    if (c)
        return g_strconcat("c", c->name, NULL);
    gboolean v4 = c2h_addr_is_v4(a);
    guint len = v4 ? v4_prefix[level] : v6_prefix[level];
    c2h_addr net = *a;
    guint bits = (v4 ? 96 : 0) + len;
    for (guint i = 0; i < 16; i++) {
        guint keep = bits > i * 8 ? MIN(bits - i * 8, 8u) : 0;
        net.b[i] &= (guint8)(0xffu << (8 - keep));
    }
    char s[C2H_ADDR_STRLEN];
    return g_strdup_printf("p%s/%u", c2h_addr_format(&net, s), len);
}

typedef struct vgroup {
    char *key;
    guint n;
    c2h_edge sum;          /* flows, bytes, first, last, ports summed over the group */
    double score;
    const c2h_edge *only;  /* the edge when n == 1 */
} vgroup;

static int vgroup_cmp(const void *a, const void *b)
{
    const vgroup *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return strcmp(x->key, y->key);
}

static void vgroup_clear(gpointer p)
{
    g_free(((vgroup *)p)->key);
}

static void sum_edge(c2h_edge *s, const c2h_edge *e, gboolean first)
{
    if (first) {
        *s = *e;
        return;
    }
    c2h_edge_merge(s, e);
}

/* The groups of edges e[0..n) (victim -> c2) at level, sorted biggest first. */
static GArray *group_victims(builder *b, const c2h_edge *const *e, guint n, guint level)
{
    GArray *groups = g_array_new(FALSE, TRUE, sizeof(vgroup));
    g_array_set_clear_func(groups, vgroup_clear);
    GHashTable *at = g_hash_table_new(g_str_hash, g_str_equal); /* key -> index + 1 */
    for (guint i = 0; i < n; i++) {
        char *key = group_key(b->r->customers, &e[i]->src, level);
        guint k = GPOINTER_TO_UINT(g_hash_table_lookup(at, key));
        if (k == 0) {
            vgroup v = {.key = key};
            g_array_append_val(groups, v);
            k = groups->len;
            g_hash_table_insert(at, key, GUINT_TO_POINTER(k));
        } else {
            g_free(key);
        }
        vgroup *v = &g_array_index(groups, vgroup, k - 1);
        sum_edge(&v->sum, e[i], v->n == 0);
        v->only = e[i];
        const c2h_label *l = label_of(b, &e[i]->src);
        v->score = MAX(v->score, l ? l->score : 0.0);
        v->n++;
    }
    g_hash_table_destroy(at);
    g_array_sort(groups, vgroup_cmp);
    return groups;
}

static void add_victims_of_c2(builder *b, guint c2_node, const c2h_edge *const *e, guint n, guint per_c2)
{
    const c2h_gnode *c2 = &g_array_index(b->g->nodes, c2h_gnode, c2_node);
    g_autofree char *c2_name = g_strdup(c2->name);
    if (n <= MIN((guint)C2H_GRAPH_VICTIMS_PER_C2_ALONE, per_c2)) {
        for (guint i = 0; i < n; i++)
            add_edge(b, victim_node(b, label_of(b, &e[i]->src)), c2_node, C2H_GEDGE_BEACON, 1, e[i]);
        return;
    }
    GArray *groups = NULL;
    for (guint level = 0; level < N_LEVELS; level++) {
        if (groups)
            g_array_free(groups, TRUE);
        groups = group_victims(b, e, n, level);
        if (groups->len <= per_c2)
            break;
    }
    /* When they do not fit: the biggest groups and one node for the rest, or with room for
     * two nodes or fewer, one node for all (a biggest group beside "the rest" says little). */
    guint shown = groups->len <= per_c2 ? groups->len : per_c2 <= 2 ? 0 : per_c2 - 1;
    for (guint i = 0; i < shown; i++) {
        const vgroup *v = &g_array_index(groups, vgroup, i);
        if (v->n == 1) {
            add_edge(b, victim_node(b, label_of(b, &v->only->src)), c2_node, C2H_GEDGE_BEACON, 1, v->only);
            continue;
        }
        c2h_gnode g = {.name = g_strdup_printf("victims:%s:%u", c2_name, i), .group = g_strdup(v->key + 1),
                       .label = g_strdup_printf("%s\n%u victims", v->key + 1, v->n), .role = C2H_ROLE_VICTIM,
                       .kind = C2H_GNODE_GROUP, .hosts = v->n, .score = v->score, .first_ms = v->sum.first_ms,
                       .last_ms = v->sum.last_ms, .ports = v->sum.ports, .flows = v->sum.flows};
        add_edge(b, add_node(b, &g), c2_node, C2H_GEDGE_BEACON, v->n, &v->sum);
    }
    if (shown < groups->len) {
        c2h_gnode m = {.name = g_strdup_printf("victims:%s:more", c2_name), .role = C2H_ROLE_VICTIM,
                       .kind = C2H_GNODE_MORE};
        c2h_edge sum = {0};
        GString *members = g_string_new(NULL);
        for (guint i = shown; i < groups->len; i++) {
            const vgroup *v = &g_array_index(groups, vgroup, i);
            sum_edge(&sum, &v->sum, i == shown);
            m.hosts += v->n;
            m.score = MAX(m.score, v->score);
            if (i < shown + 8)
                g_string_append_printf(members, "%s%s (%u)", i == shown ? "" : ", ", v->key + 1, v->n);
            else if (i == shown + 8)
                g_string_append(members, ", ...");
        }
        m.group = g_string_free(members, FALSE);
        const char *what = b->r->customers ? "groups" : "networks";
        m.label = shown ? g_strdup_printf("+%u victims\nin %u more %s", m.hosts, groups->len - shown, what)
                        : g_strdup_printf("%u victims\nin %u %s", m.hosts, groups->len, what);
        m.first_ms = sum.first_ms;
        m.last_ms = sum.last_ms;
        m.ports = sum.ports;
        m.flows = sum.flows;
        add_edge(b, add_node(b, &m), c2_node, C2H_GEDGE_BEACON, m.hosts, &sum);
    }
    g_array_free(groups, TRUE);
}

static int scanner_cmp(const void *a, const void *b)
{
    const c2h_label *x = *(const c2h_label *const *)a, *y = *(const c2h_label *const *)b;
    if (x->count_a != y->count_a)
        return x->count_a > y->count_a ? -1 : 1;
    return c2h_addr_cmp(&x->addr, &y->addr);
}

static int gedge_cmp(const void *a, const void *b)
{
    const c2h_gedge *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    return x->to < y->to ? -1 : x->to > y->to;
}

/* Edges of e whose ends are nodes of the given roles. */
static void add_evidence(builder *b, const GArray *e, c2h_gedge_kind kind, c2h_role from_role, c2h_role to_role)
{
    for (guint i = 0; e && i < e->len; i++) {
        const c2h_edge *x = &g_array_index(e, c2h_edge, i);
        gboolean f1, f2;
        guint from = node_of(b, &x->src, &f1), to = node_of(b, &x->dst, &f2);
        if (f1 && f2 && g_array_index(b->g->nodes, c2h_gnode, from).role == from_role &&
            g_array_index(b->g->nodes, c2h_gnode, to).role == to_role)
            add_edge(b, from, to, kind, 1, x);
    }
}

c2h_graph *c2h_graph_new(const c2h_result *r)
{
    c2h_graph *g = g_new0(c2h_graph, 1);
    g->nodes = g_array_new(FALSE, TRUE, sizeof(c2h_gnode));
    g_array_set_clear_func(g->nodes, gnode_clear);
    g->edges = g_array_new(FALSE, TRUE, sizeof(c2h_gedge));
    g->profile = r->profile;
    builder b = {.r = r, .g = g, .host_node = g_hash_table_new_full(c2h_addr_ghash, c2h_addr_gequal, g_free, NULL)};
    b.by_addr = g_array_copy(r->labels);
    g_array_sort(b.by_addr, c2h_label_addr_cmp);

    /* One node each: controllers first (the left of the dot layout), C2, c2_predicted and
     * backends, each role in the order of roles.csv. */
    static const c2h_role order[] = {C2H_ROLE_CONTROLLER, C2H_ROLE_C2, C2H_ROLE_C2_PREDICTED, C2H_ROLE_BACKEND};
    guint n_c2 = 0;
    for (gsize k = 0; k < G_N_ELEMENTS(order); k++)
        for (guint i = 0; i < r->labels->len; i++) {
            const c2h_label *l = &g_array_index(r->labels, c2h_label, i);
            if (l->role == (int32_t)order[k]) {
                add_host(&b, l, host_text(l));
                n_c2 += l->role == C2H_ROLE_C2;
            }
        }
    for (guint i = 0; i < r->labels->len; i++)
        g->victims += g_array_index(r->labels, c2h_label, i).role == C2H_ROLE_VICTIM;

    /* Victims: the beacons into each C2 node, from hosts labeled victim. */
    GArray *beacons = r->victim_beacons ? g_array_copy(r->victim_beacons) : g_array_new(FALSE, FALSE, sizeof(c2h_edge));
    g_array_sort(beacons, c2h_edge_cmp_dst);
    GPtrArray *run = g_ptr_array_new();
    g->grouped = g->victims > C2H_GRAPH_VICTIMS_ONE_BY_ONE;
    guint per_c2 = CLAMP(C2H_GRAPH_VICTIM_NODES / MAX(n_c2, 1u), 1u, (guint)C2H_GRAPH_GROUPS_PER_C2_MAX);
    for (guint i = 0; i < beacons->len;) {
        const c2h_edge *first = &g_array_index(beacons, c2h_edge, i);
        guint j = i;
        g_ptr_array_set_size(run, 0);
        for (; j < beacons->len && c2h_addr_cmp(&g_array_index(beacons, c2h_edge, j).dst, &first->dst) == 0; j++) {
            const c2h_edge *e = &g_array_index(beacons, c2h_edge, j);
            const c2h_label *v = label_of(&b, &e->src);
            if (v && v->role == C2H_ROLE_VICTIM)
                g_ptr_array_add(run, (gpointer)e);
        }
        gboolean found;
        guint c2 = node_of(&b, &first->dst, &found);
        if (found && g_array_index(g->nodes, c2h_gnode, c2).role == C2H_ROLE_C2 && run->len > 0) {
            if (g->grouped)
                add_victims_of_c2(&b, c2, (const c2h_edge *const *)run->pdata, run->len, per_c2);
            else
                for (guint k = 0; k < run->len; k++) {
                    const c2h_edge *e = run->pdata[k];
                    add_edge(&b, victim_node(&b, label_of(&b, &e->src)), c2, C2H_GEDGE_BEACON, 1, e);
                }
        }
        i = j;
    }
    g_ptr_array_free(run, TRUE);
    g_array_free(beacons, TRUE);

    /* Scanners: the ones that touched most C2, the rest as one node. */
    GPtrArray *sc = g_ptr_array_new();
    for (guint i = 0; i < r->labels->len; i++)
        if (g_array_index(r->labels, c2h_label, i).role == C2H_ROLE_SCANNER)
            g_ptr_array_add(sc, &g_array_index(r->labels, c2h_label, i));
    g_ptr_array_sort(sc, scanner_cmp);
    guint shown = sc->len <= C2H_GRAPH_SCANNERS ? sc->len : C2H_GRAPH_SCANNERS - 1;
    for (guint i = 0; i < shown; i++)
        add_host(&b, sc->pdata[i], host_text(sc->pdata[i]));
    if (shown < sc->len) {
        g->scanners_hidden = sc->len - shown;
        c2h_gnode m = {.name = g_strdup("scanners:more"), .role = C2H_ROLE_SCANNER, .kind = C2H_GNODE_MORE,
                       .hosts = g->scanners_hidden,
                       .label = g_strdup_printf("+%u scanners\n(see roles.csv)", g->scanners_hidden)};
        for (guint i = shown; i < sc->len; i++) {
            const c2h_label *l = sc->pdata[i];
            m.score = MAX(m.score, l->score);
            m.ports |= l->ports;
        }
        add_node(&b, &m);
    }
    g_ptr_array_free(sc, TRUE);

    /* The evidence between the hosts drawn. */
    add_evidence(&b, r->ctl_by_src, C2H_GEDGE_CONTROL, C2H_ROLE_CONTROLLER, C2H_ROLE_C2);
    add_evidence(&b, r->predicted, C2H_GEDGE_STAGING, C2H_ROLE_CONTROLLER, C2H_ROLE_C2_PREDICTED);
    add_evidence(&b, r->backend, C2H_GEDGE_PROXY, C2H_ROLE_C2, C2H_ROLE_BACKEND);
    g_array_sort(g->edges, gedge_cmp);
    guint column = 0;
    for (guint i = 0; i < g->nodes->len; i++) {
        c2h_role role = g_array_index(g->nodes, c2h_gnode, i).role;
        column += role == C2H_ROLE_VICTIM || role == C2H_ROLE_BACKEND;
    }
    g->engine = column <= C2H_GRAPH_DOT_COLUMN ? "dot" : "sfdp";

    g_hash_table_destroy(b.host_node);
    g_array_free(b.by_addr, TRUE);
    return g;
}

/* ---- text of nodes and edges --------------------------------------------------------- */

static void append_span(GString *s, gint64 first, gint64 last)
{
    char t0[32], t1[32];
    if (first == 0 && last == 0)
        g_string_append(s, "no traffic seen");
    else
        g_string_append_printf(s, "%s .. %s", c2h_time_format_iso(first, t0), c2h_time_format_iso(last, t1));
}

static const char *kind_name(c2h_gnode_kind k)
{
    return k == C2H_GNODE_HOST ? "host" : k == C2H_GNODE_GROUP ? "group" : "more";
}

static const char *edge_kind_name(c2h_gedge_kind k)
{
    switch (k) {
    case C2H_GEDGE_BEACON: return "beacon";
    case C2H_GEDGE_CONTROL: return "control";
    case C2H_GEDGE_STAGING: return "staging";
    default: return "proxy";
    }
}

/* A node's tooltip: what it is and the numbers behind it. */
static char *node_tooltip(const c2h_graph *g, const c2h_gnode *n)
{
    GString *s = g_string_new(NULL);
    const char *role = c2h_role_name(n->role);
    if (n->kind == C2H_GNODE_HOST) {
        g_string_append_printf(s, "%s %s, score %.4f\n", role, n->name, n->score);
        switch (n->role) {
        case C2H_ROLE_C2:
            g_string_append_printf(s, "%u victims of %u beaconing clients\n", n->count_a, n->count_b);
            break;
        case C2H_ROLE_C2_PREDICTED:
            g_string_append_printf(s, "touched by %u of %u controllers\n", n->count_a, n->count_b);
            break;
        case C2H_ROLE_CONTROLLER:
        case C2H_ROLE_SCANNER:
            g_string_append_printf(s, "touched %u of %u C2, fan-out %.0f hosts\n", n->count_a, n->count_b, n->fanout);
            break;
        case C2H_ROLE_BACKEND:
            g_string_append_printf(s, "%u C2 connect to it, %u other clients\n", n->count_a, n->count_b);
            break;
        case C2H_ROLE_VICTIM:
            g_string_append_printf(s, "beacons to %u C2, %u beacon flows\n", n->count_a, n->count_b);
            break;
        default:
            break;
        }
    } else {
        g_string_append_printf(s, "%u %s%s", n->hosts, role, n->hosts == 1 ? "" : "s");
        if (n->group) {
            g_string_append(s, " in ");
            g_string_append(s, n->group);
        }
        if (n->flows)
            g_string_append_printf(s, ", %" G_GUINT64_FORMAT " beacon flows", n->flows);
        g_string_append_c(s, '\n');
    }
    if (n->ports) {
        g_string_append(s, "ports ");
        c2h_append_ports(s, g->profile, n->ports);
        g_string_append_c(s, '\n');
    }
    if (n->kind != C2H_GNODE_MORE || n->role == C2H_ROLE_VICTIM)
        append_span(s, n->first_ms, n->last_ms);
    return g_string_free(s, FALSE);
}

static char *edge_tooltip(const c2h_graph *g, const c2h_gedge *e)
{
    const c2h_gnode *a = &g_array_index(g->nodes, c2h_gnode, e->from), *b = &g_array_index(g->nodes, c2h_gnode, e->to);
    GString *s = g_string_new(NULL);
    switch (e->kind) {
    case C2H_GEDGE_BEACON:
        if (e->hosts > 1)
            g_string_append_printf(s, "%u victims beacon to %s", e->hosts, b->name);
        else
            g_string_append_printf(s, "%s beacons to %s", a->name, b->name);
        break;
    case C2H_GEDGE_CONTROL: g_string_append_printf(s, "controller %s touches C2 %s", a->name, b->name); break;
    case C2H_GEDGE_STAGING: g_string_append_printf(s, "controller %s stages %s", a->name, b->name); break;
    case C2H_GEDGE_PROXY: g_string_append_printf(s, "C2 %s connects to backend %s", a->name, b->name); break;
    }
    g_string_append_printf(s, "\n%" G_GUINT64_FORMAT " flows, ports ", e->flows);
    c2h_append_ports(s, g->profile, e->ports);
    g_string_append_c(s, '\n');
    append_span(s, e->first_ms, e->last_ms);
    return g_string_free(s, FALSE);
}

/* ---- DOT ----------------------------------------------------------------------------- */

static void dot_attr(GString *s, const char *key, const char *value, gboolean first)
{
    g_string_append_printf(s, "%s%s=", first ? "" : ", ", key);
    dot_quoted(s, value);
}

/* The legend, as an HTML-like label of fixed text: the role colours, then the edges. */
static void dot_legend(GString *s, const c2h_graph *g)
{
    static const c2h_role roles[] = {C2H_ROLE_CONTROLLER, C2H_ROLE_C2, C2H_ROLE_C2_PREDICTED,
                                     C2H_ROLE_BACKEND, C2H_ROLE_VICTIM, C2H_ROLE_SCANNER};
    g_string_append(s, "<<table border=\"0\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"1\">"
                       "<tr><td align=\"left\"><table border=\"0\" cellborder=\"1\" cellspacing=\"4\" "
                       "cellpadding=\"3\"><tr>");
    for (gsize i = 0; i < G_N_ELEMENTS(roles); i++)
        g_string_append_printf(s, "<td bgcolor=\"%s\" color=\"%s\"%s>  %s  </td>", role_fill(roles[i]),
                               c2h_role_color(roles[i]), roles[i] == C2H_ROLE_C2_PREDICTED ? " style=\"dashed\"" : "",
                               c2h_role_name(roles[i]));
    g_string_append_printf(s, "</tr></table></td></tr><tr><td align=\"left\">"
                              "<font color=\"%s\">&#8212;&#9658;</font> controller touches C2 (admin or other ports)     "
                              "<font color=\"%s\">- - &#9658;</font> controller stages a C2     "
                              "<font color=\"%s\">&#8212;&#9658;</font> C2 proxies to backend</td></tr>"
                              "<tr><td align=\"left\"><font color=\"%s\">&#9668;&#8212;</font> victims beacon to C2 "
                              "(%s)     scanners: grey, no edges</td></tr></table>>",
                           c2h_role_color(C2H_ROLE_CONTROLLER), c2h_role_color(C2H_ROLE_C2_PREDICTED),
                           c2h_role_color(C2H_ROLE_BACKEND), c2h_role_color(C2H_ROLE_VICTIM),
                           g->grouped ? "square boxes: a C2's victims grouped by customer or network" : "one node each");
}

GString *c2h_graph_dot(const c2h_graph *g)
{
    gboolean dot = strcmp(g->engine, "dot") == 0;
    GString *s = g_string_new("digraph c2hunt {\n");
    g_string_append_printf(s, "  graph [layout=%s, ", g->engine);
    if (dot)
        g_string_append(s, "rankdir=LR, ranksep=1.2, nodesep=0.1, newrank=true, ");
    else
        /* splines=curved, not true: routing splines around the nodes took 2 s of a medium run */
        g_string_append(s, "overlap=prism, overlap_scaling=-4, splines=curved, pack=true, packmode=\"array_r1\", ");
    g_string_append(s, "fontname=\"Helvetica,Arial,sans-serif\", fontsize=11, labelloc=t, labeljust=l, pad=0.2, "
                       "bgcolor=\"white\", outputorder=edgesfirst, label=");
    dot_legend(s, g);
    g_string_append(s, "];\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica,Arial,sans-serif\", "
                       "fontsize=10, height=0.3, margin=\"0.08,0.03\", penwidth=1.2];\n"
                       "  edge [arrowsize=0.5, penwidth=0.8];\n");
    GString *scanners = g_string_new(NULL);
    const c2h_gnode *prev_scanner = NULL;
    for (guint i = 0; i < g->nodes->len; i++) {
        const c2h_gnode *n = &g_array_index(g->nodes, c2h_gnode, i);
        GString *into = n->role == C2H_ROLE_SCANNER ? scanners : s;
        g_autofree char *id = g_strconcat(c2h_role_name(n->role), "-", n->name, NULL);
        g_autofree char *cls = g_strconcat(c2h_role_name(n->role), n->kind == C2H_GNODE_HOST ? "" : " group", NULL);
        g_autofree char *tip = node_tooltip(g, n);
        g_string_append(into, n->role == C2H_ROLE_SCANNER ? "    " : "  ");
        dot_quoted(into, n->name);
        g_string_append(into, " [");
        dot_attr(into, "id", id, TRUE);
        dot_attr(into, "class", cls, FALSE);
        dot_attr(into, "label", n->label, FALSE);
        dot_attr(into, "tooltip", tip, FALSE);
        g_string_append_printf(into, ", color=\"%s\", fillcolor=\"%s\"", c2h_role_color(n->role), role_fill(n->role));
        if (n->role == C2H_ROLE_C2_PREDICTED)
            g_string_append(into, ", style=\"rounded,filled,dashed\"");
        if (n->role == C2H_ROLE_SCANNER)
            g_string_append(into, ", fontsize=8, fontcolor=\"#777777\", penwidth=0.6");
        if (n->kind != C2H_GNODE_HOST)
            g_string_append(into, ", style=\"filled\"");
        g_string_append(into, "];\n");
        if (n->role == C2H_ROLE_SCANNER && !dot && prev_scanner) {
            /* sfdp has no clusters: an invisible chain keeps the scanners together, at the side. */
            g_string_append(into, "    ");
            dot_quoted(into, prev_scanner->name);
            g_string_append(into, " -> ");
            dot_quoted(into, n->name);
            g_string_append(into, " [style=invis];\n");
        }
        if (n->role == C2H_ROLE_SCANNER)
            prev_scanner = n;
    }
    if (scanners->len)
        g_string_append_printf(s, "  subgraph cluster_scanners {\n    label=\"scanners: touch C2 among far more hosts\";\n"
                                  "    style=\"dashed\"; color=\"#cccccc\"; fontcolor=\"#999999\"; fontsize=9;\n%s  }\n",
                               scanners->str);
    g_string_free(scanners, TRUE);
    for (guint i = 0; i < g->edges->len; i++) {
        const c2h_gedge *e = &g_array_index(g->edges, c2h_gedge, i);
        const c2h_gnode *a = &g_array_index(g->nodes, c2h_gnode, e->from), *b = &g_array_index(g->nodes, c2h_gnode, e->to);
        gboolean back = e->kind == C2H_GEDGE_BEACON; /* drawn C2 -> victims, arrow at the C2 */
        g_autofree char *tip = edge_tooltip(g, e);
        g_string_append(s, "  ");
        dot_quoted(s, back ? b->name : a->name);
        g_string_append(s, " -> ");
        dot_quoted(s, back ? a->name : b->name);
        g_string_append_printf(s, " [class=\"%s\", ", edge_kind_name(e->kind));
        dot_attr(s, "tooltip", tip, TRUE);
        switch (e->kind) {
        case C2H_GEDGE_BEACON:
            g_string_append_printf(s, ", dir=back, color=\"%s66\", penwidth=%.1f", c2h_role_color(C2H_ROLE_VICTIM),
                                   MIN(0.7 + 0.5 * log2(e->hosts), 2.5));
            break;
        case C2H_GEDGE_CONTROL:
            g_string_append_printf(s, ", color=\"%sb3\"", c2h_role_color(C2H_ROLE_CONTROLLER));
            break;
        case C2H_GEDGE_STAGING:
            g_string_append_printf(s, ", style=dashed, penwidth=1.4, color=\"%s\"", c2h_role_color(C2H_ROLE_C2_PREDICTED));
            break;
        case C2H_GEDGE_PROXY:
            g_string_append_printf(s, ", penwidth=1.4, color=\"%s\"", c2h_role_color(C2H_ROLE_BACKEND));
            break;
        }
        g_string_append(s, "];\n");
    }
    g_string_append(s, "}\n");
    return s;
}

/* ---- GraphML ------------------------------------------------------------------------- */

static void xml_data(GString *s, const char *key, const char *value)
{
    g_string_append_printf(s, "      <data key=\"%s\">", key);
    c2h_append_xml_escaped(s, value);
    g_string_append(s, "</data>\n");
}

static void xml_time(GString *s, const char *key, gint64 ms, gboolean have)
{
    char t[32];
    if (have)
        xml_data(s, key, c2h_time_format_iso(ms, t));
}

GString *c2h_graph_graphml(const c2h_graph *g)
{
    static const char *const keys[][4] = {
        /* id, for, attr.name, attr.type */
        {"n_label", "node", "label", "string"},     {"n_role", "node", "role", "string"},
        {"n_kind", "node", "kind", "string"},       {"n_hosts", "node", "hosts", "int"},
        {"n_score", "node", "score", "double"},     {"n_first", "node", "first_seen", "string"},
        {"n_last", "node", "last_seen", "string"},  {"n_count_a", "node", "count_a", "int"},
        {"n_count_b", "node", "count_b", "int"},    {"n_fanout", "node", "fanout", "double"},
        {"n_ports", "node", "ports", "string"},     {"n_flows", "node", "beacon_flows", "long"},
        {"n_group", "node", "group", "string"},     {"n_color", "node", "color", "string"},
        {"e_kind", "edge", "kind", "string"},       {"e_hosts", "edge", "hosts", "int"},
        {"e_flows", "edge", "flows", "long"},       {"e_weight", "edge", "weight", "double"},
        {"e_bytes", "edge", "bytes", "long"},       {"e_first", "edge", "first_seen", "string"},
        {"e_last", "edge", "last_seen", "string"},  {"e_ports", "edge", "ports", "string"},
    };
    GString *s = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                              "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n");
    for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
        g_string_append_printf(s, "  <key id=\"%s\" for=\"%s\" attr.name=\"%s\" attr.type=\"%s\"/>\n", keys[i][0],
                               keys[i][1], keys[i][2], keys[i][3]);
    g_string_append(s, "  <graph id=\"c2hunt\" edgedefault=\"directed\">\n");
    GString *v = g_string_new(NULL);
    for (guint i = 0; i < g->nodes->len; i++) {
        const c2h_gnode *n = &g_array_index(g->nodes, c2h_gnode, i);
        gboolean have = n->first_ms != 0 || n->last_ms != 0;
        g_string_append(s, "    <node id=\"");
        c2h_append_xml_escaped(s, n->name);
        g_string_append(s, "\">\n");
        g_autofree char *label = g_strdelimit(g_strdup(n->label), "\n", ' ');
        xml_data(s, "n_label", label);
        xml_data(s, "n_role", c2h_role_name(n->role));
        xml_data(s, "n_kind", kind_name(n->kind));
        g_string_printf(v, "%u", n->hosts);
        xml_data(s, "n_hosts", v->str);
        g_string_printf(v, "%.4f", n->score);
        xml_data(s, "n_score", v->str);
        xml_time(s, "n_first", n->first_ms, have);
        xml_time(s, "n_last", n->last_ms, have);
        if (n->kind == C2H_GNODE_HOST) {
            g_string_printf(v, "%u", n->count_a);
            xml_data(s, "n_count_a", v->str);
            g_string_printf(v, "%u", n->count_b);
            xml_data(s, "n_count_b", v->str);
            g_string_printf(v, "%.0f", n->fanout);
            xml_data(s, "n_fanout", v->str);
        }
        g_string_truncate(v, 0);
        c2h_append_ports(v, g->profile, n->ports);
        xml_data(s, "n_ports", v->str);
        if (n->role == C2H_ROLE_VICTIM) {
            g_string_printf(v, "%" G_GUINT64_FORMAT, n->flows);
            xml_data(s, "n_flows", v->str);
        }
        if (n->group)
            xml_data(s, "n_group", n->group);
        xml_data(s, "n_color", c2h_role_color(n->role));
        g_string_append(s, "    </node>\n");
    }
    for (guint i = 0; i < g->edges->len; i++) {
        const c2h_gedge *e = &g_array_index(g->edges, c2h_gedge, i);
        g_string_append_printf(s, "    <edge id=\"e%u\" source=\"", i);
        c2h_append_xml_escaped(s, g_array_index(g->nodes, c2h_gnode, e->from).name);
        g_string_append(s, "\" target=\"");
        c2h_append_xml_escaped(s, g_array_index(g->nodes, c2h_gnode, e->to).name);
        g_string_append(s, "\">\n");
        xml_data(s, "e_kind", edge_kind_name(e->kind));
        g_string_printf(v, "%u", e->hosts);
        xml_data(s, "e_hosts", v->str);
        g_string_printf(v, "%" G_GUINT64_FORMAT, e->flows);
        xml_data(s, "e_flows", v->str);
        xml_data(s, "e_weight", v->str);
        g_string_printf(v, "%" G_GUINT64_FORMAT, e->bytes);
        xml_data(s, "e_bytes", v->str);
        xml_time(s, "e_first", e->first_ms, TRUE);
        xml_time(s, "e_last", e->last_ms, TRUE);
        g_string_truncate(v, 0);
        c2h_append_ports(v, g->profile, e->ports);
        xml_data(s, "e_ports", v->str);
        g_string_append(s, "    </edge>\n");
    }
    g_string_free(v, TRUE);
    g_string_append(s, "  </graph>\n</graphml>\n");
    return s;
}

/* ---- SVG through Graphviz ------------------------------------------------------------ */

/* Graphviz's last message (it keeps them while errors are not printed), or fallback. */
static char *graphviz_message(const char *fallback)
{
    char *m = aglasterr();
    char *out = g_strdup(m && *m ? g_strstrip(m) : fallback);
    free(m);
    return out;
}

/* One Graphviz context serves the process, made on first use and never freed: Graphviz's
 * pango plugin keeps a pointer to the last font name, which lives in the context's font
 * cache, and compares it on the next call (a read after free once a context is freed and
 * another made). Rendering is serialized by the lock, as Graphviz is not thread-safe. */
static GVC_t *graphviz_context(void)
{
    static gsize once = 0;
    static GVC_t *gvc = NULL;
    if (g_once_init_enter(&once)) {
        gvc = gvContext();
        g_once_init_leave(&once, 1);
    }
    return gvc;
}

GString *c2h_graph_render_svg(const GString *dot, const char *engine, GError **err)
{
    static GMutex lock;
    g_mutex_lock(&lock);
    /* Messages are kept, not printed, while we work (agseterr is Graphviz's global level). */
    agerrlevel_t old = agseterr(AGMAX);
    agreseterrors();
    GString *svg = NULL;
    GVC_t *gvc = graphviz_context();
    Agraph_t *ag = gvc ? agmemread(dot->str) : NULL;
    if (!gvc) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INTERNAL, "graph.svg: Graphviz: cannot create a context");
    } else if (!ag) {
        g_autofree char *m = graphviz_message("syntax error");
        g_set_error(err, C2H_ERROR, C2H_ERROR_INTERNAL, "graph.svg: Graphviz cannot read the graph: %s", m);
    } else if (gvLayout(gvc, ag, engine) != 0) {
        g_autofree char *m = graphviz_message("layout failed");
        g_set_error(err, C2H_ERROR, C2H_ERROR_INTERNAL, "graph.svg: Graphviz layout \"%s\": %s", engine, m);
    } else {
        char *data = NULL;
        unsigned int len = 0;
        if (gvRenderData(gvc, ag, "svg", &data, &len) != 0 || !data) {
            g_autofree char *m = graphviz_message("rendering failed");
            g_set_error(err, C2H_ERROR, C2H_ERROR_INTERNAL, "graph.svg: Graphviz SVG rendering: %s", m);
        } else {
            svg = g_string_new_len(data, len);
        }
        if (data)
            gvFreeRenderData(data);
        gvFreeLayout(gvc, ag);
    }
    if (ag)
        agclose(ag);
    agseterr(old);
    g_mutex_unlock(&lock);
    return svg;
}

gboolean c2h_graph_write(const c2h_result *r, const char *dir, GString **svg_out, GError **err)
{
    c2h_graph *g = c2h_graph_new(r);
    GString *dot = c2h_graph_dot(g);
    GString *graphml = c2h_graph_graphml(g);
    GString *svg = c2h_graph_render_svg(dot, g->engine, err);
    c2h_graph_free(g);
    gboolean ok = svg && c2h_write_text(dir, "graph.dot", dot, err) && c2h_write_text(dir, "graph.graphml", graphml, err) &&
                  c2h_write_text(dir, "graph.svg", svg, err);
    g_string_free(dot, TRUE);
    g_string_free(graphml, TRUE);
    if (ok && svg_out)
        *svg_out = svg;
    else if (svg)
        g_string_free(svg, TRUE);
    return ok;
}
