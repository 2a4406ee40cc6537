/* incidents.c: the victims grouped by customer (incidents.csv and its HTML fragment; see
 * incidents.h). */
#include "report/incidents.h"

#include "report/graph.h"

#include <string.h>

typedef struct incident {
    const char *customer; /* borrowed from r->customers */
    GArray *hosts;        /* c2h_addr, address order */
    GArray *c2;           /* c2h_addr, address order, distinct */
    gint64 first_ms, last_ms;
    gboolean have;        /* first/last are set */
} incident;

typedef struct incidents {
    GArray *rows;         /* incident, by customer name */
    guint infected;       /* victims inside some customer network */
    guint outside;        /* victims outside every customer network */
} incidents;

static int addr_qcmp(const void *a, const void *b)
{
    return c2h_addr_cmp(a, b);
}

static int incident_cmp(const void *a, const void *b)
{
    return strcmp(((const incident *)a)->customer, ((const incident *)b)->customer);
}

static void sort_unique(GArray *addrs)
{
    g_array_sort(addrs, addr_qcmp);
    guint w = 0;
    for (guint i = 0; i < addrs->len; i++)
        if (w == 0 || c2h_addr_cmp(&g_array_index(addrs, c2h_addr, w - 1), &g_array_index(addrs, c2h_addr, i)) != 0)
            g_array_index(addrs, c2h_addr, w++) = g_array_index(addrs, c2h_addr, i);
    g_array_set_size(addrs, w);
}

static void incidents_build(const c2h_result *r, incidents *out)
{
    out->rows = g_array_new(FALSE, FALSE, sizeof(incident));
    out->infected = out->outside = 0;
    GHashTable *by_name = g_hash_table_new(g_str_hash, g_str_equal); /* name -> row index + 1 */
    for (guint i = 0; i < r->labels->len; i++) {
        const c2h_label *l = &g_array_index(r->labels, c2h_label, i);
        if (l->role != C2H_ROLE_VICTIM)
            continue;
        const c2h_customer *c = c2h_customer_of(r->customers, &l->addr);
        if (c == NULL) {
            out->outside++;
            continue;
        }
        out->infected++;
        guint k = GPOINTER_TO_UINT(g_hash_table_lookup(by_name, c->name));
        if (k == 0) {
            incident in = {.customer = c->name,
                           .hosts = g_array_new(FALSE, FALSE, sizeof(c2h_addr)),
                           .c2 = g_array_new(FALSE, FALSE, sizeof(c2h_addr))};
            g_array_append_val(out->rows, in);
            k = out->rows->len;
            g_hash_table_insert(by_name, c->name, GUINT_TO_POINTER(k));
        }
        incident *in = &g_array_index(out->rows, incident, k - 1);
        g_array_append_val(in->hosts, l->addr);
        if (l->first_ms != 0 || l->last_ms != 0) {
            in->first_ms = in->have ? MIN(in->first_ms, l->first_ms) : l->first_ms;
            in->last_ms = in->have ? MAX(in->last_ms, l->last_ms) : l->last_ms;
            in->have = TRUE;
        }
        guint n = 0;
        const c2h_edge *e = r->victim_beacons ? c2h_result_edges_of(r->victim_beacons, &l->addr, TRUE, &n) : NULL;
        for (guint j = 0; j < n; j++)
            g_array_append_val(in->c2, e[j].dst);
    }
    g_hash_table_destroy(by_name);
    for (guint i = 0; i < out->rows->len; i++) {
        incident *in = &g_array_index(out->rows, incident, i);
        sort_unique(in->hosts);
        sort_unique(in->c2);
    }
    g_array_sort(out->rows, incident_cmp);
}

static void incidents_clear(incidents *x)
{
    for (guint i = 0; i < x->rows->len; i++) {
        g_array_free(g_array_index(x->rows, incident, i).hosts, TRUE);
        g_array_free(g_array_index(x->rows, incident, i).c2, TRUE);
    }
    g_array_free(x->rows, TRUE);
}

static void append_addrs(GString *s, const GArray *addrs)
{
    char a[C2H_ADDR_STRLEN];
    for (guint i = 0; i < addrs->len; i++)
        g_string_append_printf(s, "%s%s", i ? " " : "", c2h_addr_format(&g_array_index(addrs, c2h_addr, i), a));
}

/* A CSV field, quoted (RFC 4180) when it needs to be. */
static void append_csv_field(GString *s, const char *v)
{
    if (strpbrk(v, ",\"\r\n") == NULL && v[0] != ' ' && (v[0] == '\0' || v[strlen(v) - 1] != ' ')) {
        g_string_append(s, v);
        return;
    }
    g_string_append_c(s, '"');
    for (const char *p = v; *p; p++) {
        if (*p == '"')
            g_string_append_c(s, '"');
        g_string_append_c(s, *p);
    }
    g_string_append_c(s, '"');
}

GString *c2h_incidents_csv(const c2h_result *r)
{
    if (r->customers == NULL)
        return NULL;
    incidents x;
    incidents_build(r, &x);
    GString *s = g_string_new("customer,infected_hosts,hosts,c2,first_seen,last_seen\n");
    for (guint i = 0; i < x.rows->len; i++) {
        const incident *in = &g_array_index(x.rows, incident, i);
        append_csv_field(s, in->customer);
        g_string_append_printf(s, ",%u,", in->hosts->len);
        append_addrs(s, in->hosts);
        g_string_append_c(s, ',');
        append_addrs(s, in->c2);
        g_string_append_c(s, ',');
        c2h_append_time(s, in->first_ms, in->have);
        g_string_append_c(s, ',');
        c2h_append_time(s, in->last_ms, in->have);
        g_string_append_c(s, '\n');
    }
    incidents_clear(&x);
    return s;
}

static void append_html(GString *s, const char *v)
{
    c2h_append_xml_escaped(s, v); /* graph.h: also drops what no HTML text may hold */
}

GString *c2h_incidents_html(const c2h_result *r)
{
    if (r->customers == NULL)
        return NULL;
    incidents x;
    incidents_build(r, &x);
    GString *s = g_string_new("<section id=\"incidents\" class=\"c2h-incidents\">\n<h2>Customer incidents</h2>\n");
    g_string_append_printf(s,
                           "<p>%u customer%s with infected hosts; %u infected host%s in customer networks; %u victim%s "
                           "outside every customer network.</p>\n",
                           x.rows->len, x.rows->len == 1 ? "" : "s", x.infected, x.infected == 1 ? "" : "s", x.outside,
                           x.outside == 1 ? "" : "s");
    if (x.rows->len > 0) {
        g_string_append(s, "<table>\n<thead><tr><th>Customer</th><th>Infected hosts</th><th>Hosts</th>"
                           "<th>C2 contacted</th><th>First seen</th><th>Last seen</th></tr></thead>\n<tbody>\n");
        for (guint i = 0; i < x.rows->len; i++) {
            const incident *in = &g_array_index(x.rows, incident, i);
            GString *f = g_string_new(NULL);
            g_string_append(s, "<tr><td>");
            append_html(s, in->customer);
            g_string_append_printf(s, "</td><td>%u</td><td><details><summary>%u host%s</summary>", in->hosts->len,
                                   in->hosts->len, in->hosts->len == 1 ? "" : "s");
            append_addrs(f, in->hosts);
            append_html(s, f->str);
            g_string_append(s, "</details></td><td>");
            g_string_truncate(f, 0);
            append_addrs(f, in->c2);
            append_html(s, f->str);
            g_string_append(s, "</td><td>");
            g_string_truncate(f, 0);
            c2h_append_time(f, in->first_ms, in->have);
            g_string_append(f, "</td><td>");
            c2h_append_time(f, in->last_ms, in->have);
            g_string_append_len(s, f->str, (gssize)f->len);
            g_string_append(s, "</td></tr>\n");
            g_string_free(f, TRUE);
        }
        g_string_append(s, "</tbody>\n</table>\n");
    }
    g_string_append(s, "</section>\n");
    incidents_clear(&x);
    return s;
}
