/* test_graph.c: the relationship graph and report.html on results made by hand, without MPI:
 *   one_by_one:  a few hosts: one node each, every kind of edge, a victim that moved
 *                between two C2, dot layout, the SVG has a node per C2 (IPv6 too)
 *   bounded:     50 C2, 5,000 victims, 20 scanners: under 300 nodes, the groups add up to
 *                each C2's victims, sfdp layout renders
 *   escaping:    customer names and paths with quotes, backslashes, <, &amp;, tabs,
 *                newlines and invalid UTF-8 survive DOT (through Graphviz into the SVG),
 *                GraphML and HTML exactly, and never as markup
 *   render_errors: a broken DOT text and an unknown engine fail with Graphviz's message in
 *                the GError, and nothing on stderr
 *   write_files: c2h_graph_write writes the three files and hands the SVG over */
#include "report/graph.h"
#include "report/html.h"

#include "io/flowsrc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include <cmocka.h>

#define H 3600000LL
#define T0 1767571200000LL /* 2026-01-05T00:00:00Z */

static c2h_addr ip(const char *s)
{
    c2h_addr a;
    assert_true(c2h_addr_parse(s, strlen(s), &a));
    return a;
}

typedef struct fixture {
    c2h_profile *p;
    c2h_result r;
    GArray *customers;
} fixture;

static void label(fixture *f, c2h_role role, c2h_addr a, guint count_a, guint count_b, double fanout)
{
    c2h_label l = {.addr = a, .role = role, .count_a = count_a, .count_b = count_b, .score = 1.0,
                   .first_ms = T0 + H, .last_ms = T0 + 40 * H, .fanout = fanout, .ports = 1u << C2H_PC_C2_SHIFT};
    g_array_append_val(f->r.labels, l);
}

static void edge(GArray *into, c2h_addr src, c2h_addr dst, gint64 first, gint64 last)
{
    c2h_edge e = {.src = src, .dst = dst, .first_ms = first, .last_ms = last, .flows = 12, .bytes = 3000,
                  .ports = (1u << C2H_PC_C2_SHIFT) | (1u << C2H_PC_ADMIN_SHIFT), .hours = 0xff};
    g_array_append_val(into, e);
}

static int setup(void **state)
{
    fixture *f = g_new0(fixture, 1);
    f->p = c2h_profile_trickbot();
    f->r.profile = f->p;
    f->r.archive = "flows.arch";
    f->r.seeds = "seeds.txt";
    f->r.since = G_MININT64;
    f->r.until = G_MAXINT64;
    f->r.ranks = 1;
    f->r.labels = g_array_new(FALSE, FALSE, sizeof(c2h_label));
    GArray **e[] = {&f->r.victim_beacons, &f->r.ctl_by_src, &f->r.ctl_by_dst, &f->r.predicted, &f->r.backend};
    for (gsize i = 0; i < G_N_ELEMENTS(e); i++)
        *e[i] = g_array_new(FALSE, FALSE, sizeof(c2h_edge));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    c2h_result_clear(&f->r);
    if (f->customers) {
        for (guint i = 0; i < f->customers->len; i++)
            g_free(g_array_index(f->customers, c2h_customer, i).name);
        g_array_free(f->customers, TRUE);
    }
    c2h_profile_free(f->p);
    g_free(f);
    return 0;
}

/* Sort as c2hunt run hands them over. */
static void finish(fixture *f)
{
    g_array_sort(f->r.labels, c2h_label_cmp);
    g_array_sort(f->r.victim_beacons, c2h_edge_cmp_src);
    g_array_sort(f->r.ctl_by_src, c2h_edge_cmp_src);
    g_array_sort(f->r.ctl_by_dst, c2h_edge_cmp_dst);
    g_array_sort(f->r.predicted, c2h_edge_cmp_dst);
    g_array_sort(f->r.backend, c2h_edge_cmp_dst);
}

static const c2h_gnode *node_named(const c2h_graph *g, const char *name, guint *index)
{
    for (guint i = 0; i < g->nodes->len; i++)
        if (strcmp(g_array_index(g->nodes, c2h_gnode, i).name, name) == 0) {
            if (index)
                *index = i;
            return &g_array_index(g->nodes, c2h_gnode, i);
        }
    return NULL;
}

static guint edges_of_kind(const c2h_graph *g, c2h_gedge_kind kind)
{
    guint n = 0;
    for (guint i = 0; i < g->edges->len; i++)
        n += g_array_index(g->edges, c2h_gedge, i).kind == kind;
    return n;
}

/* ---- a minimal XML reader (GMarkup): well-formedness and what the tests look at ---------- */

typedef struct xml_seen {
    guint nodes, edges;
    guint nodes_with_role;
    char *data_key;        /* key of the <data> being read, or NULL */
    GString *text;         /* text of the element being read */
    GPtrArray *values;     /* "key=value" of every <data>, or the text of every <text> (SVG) */
    GPtrArray *ids;        /* id attributes */
    gboolean in_text;
} xml_seen;

static void xml_start(GMarkupParseContext *c, const char *el, const char **names, const char **values, gpointer u,
                      GError **err)
{
    (void)c, (void)err;
    xml_seen *x = u;
    x->nodes += strcmp(el, "node") == 0;
    x->edges += strcmp(el, "edge") == 0;
    for (guint i = 0; names[i]; i++) {
        if (strcmp(names[i], "id") == 0)
            g_ptr_array_add(x->ids, g_strdup(values[i]));
        if (strcmp(el, "data") == 0 && strcmp(names[i], "key") == 0) {
            g_free(x->data_key);
            x->data_key = g_strdup(values[i]);
            x->nodes_with_role += strcmp(values[i], "n_role") == 0;
        }
    }
    if (strcmp(el, "data") == 0 || strcmp(el, "text") == 0) {
        g_string_truncate(x->text, 0);
        x->in_text = TRUE;
    }
}

static void xml_end(GMarkupParseContext *c, const char *el, gpointer u, GError **err)
{
    (void)c, (void)err;
    xml_seen *x = u;
    if (strcmp(el, "data") == 0 && x->data_key)
        g_ptr_array_add(x->values, g_strdup_printf("%s=%s", x->data_key, x->text->str));
    else if (strcmp(el, "text") == 0)
        g_ptr_array_add(x->values, g_strdup(x->text->str));
    x->in_text = FALSE;
}

static void xml_text(GMarkupParseContext *c, const char *t, gsize len, gpointer u, GError **err)
{
    (void)c, (void)err;
    xml_seen *x = u;
    if (x->in_text)
        g_string_append_len(x->text, t, (gssize)len);
}

static xml_seen *xml_read(const char *text)
{
    static const GMarkupParser parser = {xml_start, xml_end, xml_text, NULL, NULL};
    xml_seen *x = g_new0(xml_seen, 1);
    x->text = g_string_new(NULL);
    x->values = g_ptr_array_new_with_free_func(g_free);
    x->ids = g_ptr_array_new_with_free_func(g_free);
    GMarkupParseContext *c = g_markup_parse_context_new(&parser, 0, x, NULL);
    GError *err = NULL;
    gboolean ok = g_markup_parse_context_parse(c, text, -1, &err) && g_markup_parse_context_end_parse(c, &err);
    if (!ok)
        fail_msg("not well-formed XML: %s", err->message);
    g_markup_parse_context_free(c);
    return x;
}

static void xml_free(xml_seen *x)
{
    g_free(x->data_key);
    g_string_free(x->text, TRUE);
    g_ptr_array_free(x->values, TRUE);
    g_ptr_array_free(x->ids, TRUE);
    g_free(x);
}

static gboolean has_string(const GPtrArray *a, const char *s)
{
    for (guint i = 0; i < a->len; i++)
        if (strcmp(a->pdata[i], s) == 0)
            return TRUE;
    return FALSE;
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_one_by_one(void **state)
{
    fixture *f = *state;
    c2h_addr a = ip("198.51.100.1"), b = ip("2001:db8::c2"), k = ip("203.0.113.9"), pr = ip("198.51.100.77"),
             be = ip("192.0.2.50"), sc = ip("203.0.113.200");
    c2h_addr v[3] = {ip("10.0.0.1"), ip("10.0.0.2"), ip("2001:db8:1::5")};
    label(f, C2H_ROLE_C2, a, 2, 2, 0);
    label(f, C2H_ROLE_C2, b, 2, 2, 0);
    label(f, C2H_ROLE_CONTROLLER, k, 2, 2, 40);
    label(f, C2H_ROLE_C2_PREDICTED, pr, 1, 1, 0);
    label(f, C2H_ROLE_BACKEND, be, 1, 0, 1);
    label(f, C2H_ROLE_SCANNER, sc, 2, 2, 90000);
    for (int i = 0; i < 3; i++)
        label(f, C2H_ROLE_VICTIM, v[i], i == 0 ? 2 : 1, 24, 0);
    edge(f->r.victim_beacons, v[0], a, T0 + H, T0 + 10 * H); /* v0 moves from a to b */
    edge(f->r.victim_beacons, v[0], b, T0 + 11 * H, T0 + 30 * H);
    edge(f->r.victim_beacons, v[1], a, T0 + H, T0 + 9 * H);
    edge(f->r.victim_beacons, v[2], b, T0 + 12 * H, T0 + 40 * H);
    edge(f->r.ctl_by_src, k, a, T0, T0 + 30 * H);
    edge(f->r.ctl_by_src, k, b, T0 + 5 * H, T0 + 30 * H);
    edge(f->r.ctl_by_dst, k, a, T0, T0 + 30 * H);
    edge(f->r.ctl_by_dst, k, b, T0 + 5 * H, T0 + 30 * H);
    edge(f->r.predicted, k, pr, T0 + 35 * H, T0 + 39 * H);
    edge(f->r.backend, a, be, T0 + 2 * H, T0 + 20 * H);
    finish(f);

    c2h_graph *g = c2h_graph_new(&f->r);
    assert_int_equal(g->nodes->len, 9);
    assert_false(g->grouped);
    assert_string_equal(g->engine, "dot");
    guint ia = 0, ib = 0, iv0 = 0;
    assert_non_null(node_named(g, "198.51.100.1", &ia));
    assert_int_equal(node_named(g, "2001:db8::c2", &ib)->role, C2H_ROLE_C2);
    assert_int_equal(node_named(g, "10.0.0.1", &iv0)->role, C2H_ROLE_VICTIM);
    assert_int_equal(node_named(g, "203.0.113.200", NULL)->role, C2H_ROLE_SCANNER);
    assert_int_equal(node_named(g, "198.51.100.77", NULL)->role, C2H_ROLE_C2_PREDICTED);
    assert_int_equal(g->edges->len, 8);
    assert_int_equal(edges_of_kind(g, C2H_GEDGE_BEACON), 4);
    assert_int_equal(edges_of_kind(g, C2H_GEDGE_CONTROL), 2);
    assert_int_equal(edges_of_kind(g, C2H_GEDGE_STAGING), 1);
    assert_int_equal(edges_of_kind(g, C2H_GEDGE_PROXY), 1);
    guint moved = 0; /* the victim that moved: one beacon edge into each C2 */
    for (guint i = 0; i < g->edges->len; i++) {
        const c2h_gedge *e = &g_array_index(g->edges, c2h_gedge, i);
        if (e->kind == C2H_GEDGE_BEACON && e->from == iv0)
            moved |= e->to == ia ? 1u : e->to == ib ? 2u : 4u;
    }
    assert_int_equal(moved, 3);

    GString *dot = c2h_graph_dot(g);
    assert_non_null(strstr(dot->str, "layout=dot"));
    assert_non_null(strstr(dot->str, "\"198.51.100.1\" -> \"10.0.0.1\" [class=\"beacon\""));
    assert_non_null(strstr(dot->str, "dir=back"));
    assert_non_null(strstr(dot->str, "subgraph cluster_scanners"));
    GError *err = NULL;
    GString *svg = c2h_graph_render_svg(dot, g->engine, &err);
    assert_non_null(svg);
    xml_seen *x = xml_read(svg->str);
    for (const char *const *id = (const char *const[]){"c2-198.51.100.1", "c2-2001:db8::c2", "controller-203.0.113.9",
                                                        "c2_predicted-198.51.100.77", "backend-192.0.2.50",
                                                        "victim-2001:db8:1::5", "scanner-203.0.113.200", NULL};
         *id; id++)
        if (!has_string(x->ids, *id))
            fail_msg("graph.svg has no node with id %s", *id);
    xml_free(x);

    GString *ml = c2h_graph_graphml(g);
    x = xml_read(ml->str);
    assert_int_equal(x->nodes, 9);
    assert_int_equal(x->edges, 8);
    assert_int_equal(x->nodes_with_role, 9);
    assert_true(has_string(x->values, "n_role=c2_predicted"));
    assert_true(has_string(x->values, "e_kind=staging"));
    assert_true(has_string(x->values, "n_first=2026-01-05T01:00:00Z"));
    xml_free(x);

    GString *html = c2h_report_html(&f->r, svg->str);
    assert_non_null(strstr(html->str, "<svg id=\"graph-svg\""));
    assert_non_null(strstr(html->str, "id=\"tl-198.51.100.77\""));
    assert_non_null(strstr(html->str, "id=\"h-2001:db8::c2\""));
    assert_null(strstr(html->str, "://")); /* nothing fetched, no namespace URLs either */
    assert_null(strstr(html->str, "<?xml"));
    g_string_free(html, TRUE);
    g_string_free(ml, TRUE);
    g_string_free(svg, TRUE);
    g_string_free(dot, TRUE);
    c2h_graph_free(g);
}

static void test_bounded(void **state)
{
    fixture *f = *state;
    enum { N_C2 = 50, N_VICTIMS = 5000, N_CTL = 3, N_SCANNERS = 20, N_BACKENDS = 4 };
    GRand *rnd = g_rand_new_with_seed(7);
    c2h_addr c2[N_C2];
    guint victims_of[N_C2] = {0};
    for (int i = 0; i < N_C2; i++)
        c2[i] = c2h_addr_from_v4(0xc6336400u + (guint32)i * 3 + 1); /* 198.51.100.x */
    for (int i = 0; i < N_VICTIMS; i++) {
        /* Customers' clients in a few /16s, scattered over their /24s. */
        static const guint32 nets[] = {0x0a010000, 0x0a020000, 0x64400000, 0x64410000, 0x0aca0000};
        c2h_addr v = c2h_addr_from_v4(nets[g_rand_int_range(rnd, 0, 5)] | (guint32)g_rand_int_range(rnd, 0, 65536));
        int first = g_rand_int_range(rnd, 0, N_C2), moves = g_rand_int_range(rnd, 0, 4) == 0;
        edge(f->r.victim_beacons, v, c2[first], T0 + first * H, T0 + (first + 2) * H);
        victims_of[first]++;
        if (moves) {
            int next = (first + 1) % N_C2;
            edge(f->r.victim_beacons, v, c2[next], T0 + (first + 3) * H, T0 + (first + 9) * H);
            victims_of[next]++;
        }
        label(f, C2H_ROLE_VICTIM, v, 1 + moves, 10, 0);
    }
    /* Random addresses may repeat: keep one label and one edge per pair, as the job does. */
    g_array_sort(f->r.labels, c2h_label_addr_cmp);
    guint w = 0;
    for (guint i = 0; i < f->r.labels->len; i++)
        if (w == 0 || c2h_label_addr_cmp(&g_array_index(f->r.labels, c2h_label, w - 1),
                                         &g_array_index(f->r.labels, c2h_label, i)) != 0)
            g_array_index(f->r.labels, c2h_label, w++) = g_array_index(f->r.labels, c2h_label, i);
    g_array_set_size(f->r.labels, w);
    g_array_sort(f->r.victim_beacons, c2h_edge_cmp_src);
    w = 0;
    memset(victims_of, 0, sizeof victims_of);
    for (guint i = 0; i < f->r.victim_beacons->len; i++) {
        const c2h_edge *e = &g_array_index(f->r.victim_beacons, c2h_edge, i);
        if (w > 0 && c2h_addr_cmp(&g_array_index(f->r.victim_beacons, c2h_edge, w - 1).src, &e->src) == 0 &&
            c2h_addr_cmp(&g_array_index(f->r.victim_beacons, c2h_edge, w - 1).dst, &e->dst) == 0)
            continue;
        for (int c = 0; c < N_C2; c++)
            victims_of[c] += c2h_addr_cmp(&e->dst, &c2[c]) == 0;
        g_array_index(f->r.victim_beacons, c2h_edge, w++) = *e;
    }
    g_array_set_size(f->r.victim_beacons, w);
    for (int i = 0; i < N_C2; i++)
        label(f, C2H_ROLE_C2, c2[i], victims_of[i], victims_of[i], 0);
    for (int k = 0; k < N_CTL; k++) {
        c2h_addr ctl = c2h_addr_from_v4(0xcb007100u + (guint32)k); /* 203.0.113.k */
        label(f, C2H_ROLE_CONTROLLER, ctl, N_C2, N_C2, 500);
        for (int i = 0; i < N_C2; i++) {
            edge(f->r.ctl_by_src, ctl, c2[i], T0, T0 + 50 * H);
            edge(f->r.ctl_by_dst, ctl, c2[i], T0, T0 + 50 * H);
        }
    }
    for (int i = 0; i < N_SCANNERS; i++)
        label(f, C2H_ROLE_SCANNER, c2h_addr_from_v4(0x2d000000u + (guint32)i), (guint)(10 + i), N_C2, 100000.0 * (i + 1));
    for (int i = 0; i < N_BACKENDS; i++) {
        c2h_addr be = c2h_addr_from_v4(0xc0000200u + (guint32)i);
        label(f, C2H_ROLE_BACKEND, be, 5, 0, 5);
        for (int c = i * 5; c < i * 5 + 5; c++)
            edge(f->r.backend, c2[c], be, T0 + H, T0 + 20 * H);
    }
    g_rand_free(rnd);
    finish(f);

    c2h_graph *g = c2h_graph_new(&f->r);
    assert_true(g->grouped);
    assert_string_equal(g->engine, "sfdp");
    print_message("    50 C2, %u victims: %u nodes, %u edges\n", g->victims, g->nodes->len, g->edges->len);
    assert_in_range(g->nodes->len, N_C2 + N_CTL, 299);
    assert_in_range(g->edges->len, 1, 599);
    /* Every C2 is drawn; the victims behind its beacon edges add up to its victims. */
    guint hosts_in[N_C2] = {0}, c2_nodes[N_C2] = {0};
    char s[C2H_ADDR_STRLEN];
    for (int c = 0; c < N_C2; c++)
        assert_int_equal(node_named(g, c2h_addr_format(&c2[c], s), &c2_nodes[c])->role, C2H_ROLE_C2);
    guint groups = 0;
    for (guint i = 0; i < g->edges->len; i++) {
        const c2h_gedge *e = &g_array_index(g->edges, c2h_gedge, i);
        for (int c = 0; c < N_C2; c++)
            if (e->kind == C2H_GEDGE_BEACON && e->to == c2_nodes[c])
                hosts_in[c] += e->hosts;
    }
    for (int c = 0; c < N_C2; c++)
        assert_int_equal(hosts_in[c], victims_of[c]);
    for (guint i = 0; i < g->nodes->len; i++) {
        const c2h_gnode *n = &g_array_index(g->nodes, c2h_gnode, i);
        if (n->kind == C2H_GNODE_GROUP) {
            groups++;
            assert_non_null(n->group);
            assert_true(g_str_has_suffix(n->group, "/16") || g_str_has_suffix(n->group, "/24"));
        }
    }
    assert_true(groups > N_C2);
    /* 12 scanners drawn: the 11 that touched most C2 and one for the other 9. */
    const c2h_gnode *more = node_named(g, "scanners:more", NULL);
    assert_non_null(more);
    assert_int_equal(more->hosts, 9);
    assert_int_equal(g->scanners_hidden, 9);
    assert_non_null(node_named(g, "45.0.0.19", NULL));
    assert_null(node_named(g, "45.0.0.0", NULL));
    assert_int_equal(edges_of_kind(g, C2H_GEDGE_CONTROL), N_CTL * N_C2);
    assert_int_equal(edges_of_kind(g, C2H_GEDGE_PROXY), N_BACKENDS * 5);

    GString *dot = c2h_graph_dot(g);
    GError *err = NULL;
    GString *svg = c2h_graph_render_svg(dot, g->engine, &err);
    if (!svg)
        fail_msg("%s", err->message);
    GString *ml = c2h_graph_graphml(g);
    xml_seen *x = xml_read(ml->str);
    assert_int_equal(x->nodes, g->nodes->len);
    assert_int_equal(x->nodes_with_role, g->nodes->len);
    xml_free(x);
    GString *html = c2h_report_html(&f->r, svg->str);
    /* Victim rows are bounded too: at most C2H_HTML_VICTIM_ROWS, at least 20 per C2. */
    guint rows = 0;
    for (const char *p = strstr(html->str, "id=\"victim\""); p && (p = strstr(p, "<tr><td class=\"ip\"")); p++)
        rows++;
    assert_in_range(rows, N_C2 * 20, C2H_HTML_VICTIM_ROWS);
    assert_null(strstr(html->str, "://"));
    g_string_free(html, TRUE);
    g_string_free(ml, TRUE);
    g_string_free(svg, TRUE);
    g_string_free(dot, TRUE);
    c2h_graph_free(g);
}

static void test_escaping(void **state)
{
    fixture *f = *state;
    static const char evil[] = "Evil \"Corp\" \\ <b>&amp;</b> & 'co'";
    static const char tabbed[] = "Tab\there";
    f->customers = g_array_new(FALSE, TRUE, sizeof(c2h_customer));
    /* Sorted as c2h_customers_load leaves them: longest prefix first, then by network. */
    c2h_customer cu[] = {{.net = ip("10.9.9.0"), .prefix_len = 96 + 24, .name = g_strdup(tabbed)},
                         {.net = ip("10.1.0.0"), .prefix_len = 96 + 16, .name = g_strdup(evil)},
                         {.net = ip("10.2.0.0"), .prefix_len = 96 + 16, .name = g_strdup("bad \xff utf-8\nnext line")}};
    g_array_append_vals(f->customers, cu, G_N_ELEMENTS(cu));
    f->r.customers = f->customers;
    f->r.archive = "/data/<script>alert(1)</script>&\"x\".arch";
    f->r.seeds = "seeds 'q'.txt";
    c2h_addr a = ip("198.51.100.1");
    for (int i = 0; i < 60; i++) { /* more than 40 victims: grouped, here by customer */
        static const guint32 nets[] = {0x0a010000, 0x0a020000, 0x0a090900};
        c2h_addr v = c2h_addr_from_v4(nets[i % 3] + 1 + (guint32)i);
        label(f, C2H_ROLE_VICTIM, v, 1, 10, 0);
        edge(f->r.victim_beacons, v, a, T0 + H, T0 + 9 * H);
    }
    label(f, C2H_ROLE_C2, a, 60, 60, 0);
    finish(f);

    c2h_graph *g = c2h_graph_new(&f->r);
    assert_true(g->grouped);
    const c2h_gnode *n = NULL;
    for (guint i = 0; i < g->nodes->len; i++)
        if (g_array_index(g->nodes, c2h_gnode, i).group &&
            strcmp(g_array_index(g->nodes, c2h_gnode, i).group, evil) == 0)
            n = &g_array_index(g->nodes, c2h_gnode, i);
    assert_non_null(n);
    assert_int_equal(n->hosts, 20);

    /* DOT: Graphviz reads it back and draws the name exactly. */
    GString *dot = c2h_graph_dot(g);
    GError *err = NULL;
    GString *svg = c2h_graph_render_svg(dot, g->engine, &err);
    if (!svg)
        fail_msg("Graphviz refused graph.dot: %s", err->message);
    xml_seen *x = xml_read(svg->str);
    if (!has_string(x->values, evil))
        fail_msg("graph.svg does not draw the customer name %s", evil);
    assert_true(has_string(x->values, "Tab here")); /* a tab is a space in DOT */
    assert_true(has_string(x->values, "bad \xef\xbf\xbd utf-8"));
    assert_true(has_string(x->values, "next line"));
    xml_free(x);
    assert_null(strstr(svg->str, "<b>"));

    /* GraphML: the names come back unchanged (the invalid byte replaced). */
    GString *ml = c2h_graph_graphml(g);
    x = xml_read(ml->str);
    g_autofree char *want = g_strconcat("n_group=", evil, NULL);
    assert_true(has_string(x->values, want));
    assert_true(has_string(x->values, "n_group=Tab\there"));
    assert_true(has_string(x->values, "n_group=bad \xef\xbf\xbd utf-8\nnext line"));
    xml_free(x);

    /* HTML: escaped text, never markup. */
    GString *html = c2h_report_html(&f->r, svg->str);
    assert_null(strstr(html->str, "<script>alert"));
    assert_null(strstr(html->str, "<b>&amp;"));
    assert_non_null(strstr(html->str, "/data/&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;x&quot;.arch"));
    assert_non_null(strstr(html->str, "seeds &#39;q&#39;.txt"));
    assert_non_null(strstr(html->str, "<td>Evil &quot;Corp&quot; \\ &lt;b&gt;&amp;amp;&lt;/b&gt; &amp; &#39;co&#39;</td>"));
    g_string_free(html, TRUE);
    g_string_free(ml, TRUE);
    g_string_free(svg, TRUE);
    g_string_free(dot, TRUE);
    c2h_graph_free(g);
}

/* Run fn with stderr going to a temporary file; @return what it wrote there. */
static char *capture_stderr(void (*fn)(void *), void *arg)
{
    fflush(stderr);
    char path[] = "/tmp/c2h-test-graph-XXXXXX";
    int fd = g_mkstemp(path);
    assert_true(fd >= 0);
    int saved = dup(2);
    dup2(fd, 2);
    fn(arg);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    char *text = NULL;
    assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_unlink(path);
    return text;
}

typedef struct render_case {
    const char *dot, *engine;
    GString *svg;
    GError *err;
} render_case;

static void render(void *arg)
{
    render_case *c = arg;
    GString *dot = g_string_new(c->dot);
    c->svg = c2h_graph_render_svg(dot, c->engine, &c->err);
    g_string_free(dot, TRUE);
}

static void test_render_errors(void **state)
{
    (void)state;
    render_case bad = {.dot = "digraph c2hunt {\n  \"a\" -> ;\n}\n", .engine = "dot"};
    g_autofree char *said = capture_stderr(render, &bad);
    assert_null(bad.svg);
    assert_non_null(bad.err);
    print_message("    broken DOT: %s\n", bad.err->message);
    assert_non_null(strstr(bad.err->message, "graph.svg: Graphviz cannot read the graph"));
    assert_non_null(strstr(bad.err->message, "syntax error"));
    assert_string_equal(said, "");
    g_error_free(bad.err);

    render_case engine = {.dot = "digraph { a -> b }", .engine = "no-such-layout"};
    g_autofree char *said2 = capture_stderr(render, &engine);
    assert_null(engine.svg);
    assert_non_null(engine.err);
    print_message("    unknown engine: %s\n", engine.err->message);
    assert_non_null(strstr(engine.err->message, "no-such-layout"));
    assert_string_equal(said2, "");
    g_error_free(engine.err);

    render_case good = {.dot = "digraph { a -> b }", .engine = "dot"}; /* and Graphviz still works after */
    g_autofree char *said3 = capture_stderr(render, &good);
    assert_non_null(good.svg);
    assert_non_null(strstr(good.svg->str, "<svg"));
    assert_string_equal(said3, "");
    g_string_free(good.svg, TRUE);
}

static void test_write_files(void **state)
{
    fixture *f = *state;
    c2h_addr a = ip("198.51.100.1"), v = ip("10.0.0.1");
    label(f, C2H_ROLE_C2, a, 1, 1, 0);
    label(f, C2H_ROLE_VICTIM, v, 1, 10, 0);
    edge(f->r.victim_beacons, v, a, T0 + H, T0 + 9 * H);
    finish(f);
    g_autofree char *dir = g_dir_make_tmp("c2h-test-graph-XXXXXX", NULL);
    assert_non_null(dir);
    GString *svg = NULL;
    GError *err = NULL;
    assert_true(c2h_graph_write(&f->r, dir, &svg, &err));
    assert_non_null(svg);
    for (const char *const *name = (const char *const[]){"graph.dot", "graph.graphml", "graph.svg", NULL}; *name; name++) {
        g_autofree char *path = g_build_filename(dir, *name, NULL);
        g_autofree char *text = NULL;
        assert_true(g_file_get_contents(path, &text, NULL, NULL));
        assert_true(strlen(text) > 100);
        if (strcmp(*name, "graph.svg") == 0)
            assert_string_equal(text, svg->str);
        g_unlink(path);
    }
    g_string_free(svg, TRUE);
    /* A folder that does not exist: the error names the file. */
    g_autofree char *gone = g_build_filename(dir, "missing", NULL);
    assert_false(c2h_graph_write(&f->r, gone, NULL, &err));
    assert_non_null(strstr(err->message, "graph.dot"));
    g_error_free(err);
    g_rmdir(dir);
}

#ifdef __SANITIZE_ADDRESS__
/* Under AddressSanitizer: full stacks for leaks (as setup.sh test sets), so that the
 * suppressions below match only the libraries' own leaks, never an allocation of ours
 * that Graphviz made for us (a layout or rendering we forgot to free). */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "fast_unwind_on_malloc=0";
}
/* Not ours: fontconfig's caches (through Graphviz's pango plugin), and in Graphviz 2.42 the
 * parser of HTML-like labels (the legend), the virtual nodes of a cluster's skeleton in the
 * dot layout (the scanners' cluster) and the list of engines in the unknown-engine error. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\nleak:htmlparse\nleak:gvplugin_list\nleak:build_skeleton\n";
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_one_by_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escaping, setup, teardown),
        cmocka_unit_test(test_render_errors),
        cmocka_unit_test_setup_teardown(test_write_files, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
