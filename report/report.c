/* report.c: the result's common helpers, roles.csv and report.json, and the writer of all
 * outputs. */
#include "report/result.h"

#include "io/flowsrc.h"
#include "report/graph.h"
#include "report/html.h"
#include "report/incidents.h"
#include "report/stix.h"

#include <stdio.h>

void c2h_result_clear(c2h_result *r)
{
    GArray **arrays[] = {&r->labels, &r->victim_beacons, &r->ctl_by_src, &r->ctl_by_dst, &r->predicted, &r->backend};
    for (gsize i = 0; i < G_N_ELEMENTS(arrays); i++)
        if (*arrays[i]) {
            g_array_free(*arrays[i], TRUE);
            *arrays[i] = NULL;
        }
}

int c2h_label_addr_cmp(const void *a, const void *b)
{
    return c2h_addr_cmp(&((const c2h_label *)a)->addr, &((const c2h_label *)b)->addr);
}

void c2h_append_json_string(GString *out, const char *s)
{
    /* Strings from input (paths, profile names) need not be UTF-8: invalid bytes become
     * U+FFFD, so the file is always valid JSON. Control characters, DEL, U+2028/U+2029 and
     * <, >, & are written as \u escapes, so the text is safe inside HTML or a script too. */
    g_autofree char *v = g_utf8_make_valid(s, -1);
    for (const char *p = v; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        switch (c) {
        case '"': g_string_append(out, "\\\""); break;
        case '\\': g_string_append(out, "\\\\"); break;
        case '\n': g_string_append(out, "\\n"); break;
        case '\r': g_string_append(out, "\\r"); break;
        case '\t': g_string_append(out, "\\t"); break;
        default:
            if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029 || c == '<' || c == '>' || c == '&')
                g_string_append_printf(out, "\\u%04x", (unsigned)c);
            else
                g_string_append_len(out, p, g_utf8_next_char(p) - p);
        }
    }
}

gboolean c2h_write_text(const char *dir, const char *name, const GString *s, GError **err)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    GError *e = NULL;
    if (!g_file_set_contents_full(path, s->str, (gssize)s->len, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &e)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot write: %s", path, e->message);
        g_error_free(e);
        return FALSE;
    }
    return TRUE;
}

void c2h_append_time(GString *s, gint64 ms, gboolean have)
{
    char t[32];
    if (have)
        g_string_append(s, c2h_time_format_iso(ms, t));
}

void c2h_append_ports(GString *s, const c2h_profile *p, guint32 mask)
{
    gboolean first = TRUE;
    for (guint i = 0; i < p->n_c2_ports; i++)
        if (mask & (1u << (C2H_PC_C2_SHIFT + i)))
            g_string_append_printf(s, "%s%u", first ? "" : " ", p->c2_ports[i]), first = FALSE;
    for (guint i = 0; i < p->n_web_ports; i++)
        if (mask & (1u << (C2H_PC_WEB_SHIFT + i)))
            g_string_append_printf(s, "%s%u", first ? "" : " ", p->web_ports[i]), first = FALSE;
    for (guint i = 0; i < p->n_admin_ports; i++)
        if (mask & (1u << (C2H_PC_ADMIN_SHIFT + i)))
            g_string_append_printf(s, "%s%u", first ? "" : " ", p->admin_ports[i]), first = FALSE;
    if (mask & C2H_PC_OTHER)
        g_string_append_printf(s, "%sother", first ? "" : " ");
}

GString *c2h_roles_csv(const c2h_result *r)
{
    const GArray *labels = r->labels;
    const c2h_profile *p = r->profile;
    GString *s = g_string_new("ip,role,score,first_seen,last_seen,count_a,count_b,fanout,ports\n");
    char a[C2H_ADDR_STRLEN];
    for (guint i = 0; i < labels->len; i++) {
        const c2h_label *l = &g_array_index(labels, c2h_label, i);
        gboolean have = l->first_ms != 0 || l->last_ms != 0;
        g_string_append_printf(s, "%s,%s,%.4f,", c2h_addr_format(&l->addr, a), c2h_role_name(l->role), l->score);
        c2h_append_time(s, l->first_ms, have);
        g_string_append_c(s, ',');
        c2h_append_time(s, l->last_ms, have);
        g_string_append_printf(s, ",%u,%u,%.0f,", l->count_a, l->count_b, l->fanout);
        c2h_append_ports(s, p, l->ports);
        g_string_append_c(s, '\n');
    }
    return s;
}

/* JSON of an edge list: [{"ip": ..., "first": ..., "last": ..., "flows": ..., "ports": ...}] with the
 * address taken from the other end (peer_is_dst). */
static void json_edges(GString *s, const c2h_edge *e, guint n, gboolean peer_is_dst, const c2h_profile *p)
{
    char a[C2H_ADDR_STRLEN];
    g_string_append_c(s, '[');
    for (guint i = 0; i < n; i++) {
        g_string_append_printf(s, "%s{\"ip\": \"%s\", \"first\": \"", i ? ", " : "",
                               c2h_addr_format(peer_is_dst ? &e[i].dst : &e[i].src, a));
        c2h_append_time(s, e[i].first_ms, TRUE);
        g_string_append(s, "\", \"last\": \"");
        c2h_append_time(s, e[i].last_ms, TRUE);
        g_string_append_printf(s, "\", \"flows\": %" G_GUINT64_FORMAT ", \"ports\": \"", e[i].flows);
        c2h_append_ports(s, p, e[i].ports);
        g_string_append(s, "\"}");
    }
    g_string_append_c(s, ']');
}

/* The edges of evidence e (sorted with cmp by the key end) whose key end is addr. */
const c2h_edge *c2h_result_edges_of(const GArray *e, const c2h_addr *addr, gboolean key_is_src, guint *n)
{
    guint lo = 0, hi = e->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        const c2h_edge *m = &g_array_index(e, c2h_edge, mid);
        if (c2h_addr_cmp(key_is_src ? &m->src : &m->dst, addr) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    guint k = lo;
    while (k < e->len && c2h_addr_cmp(key_is_src ? &g_array_index(e, c2h_edge, k).src
                                                 : &g_array_index(e, c2h_edge, k).dst, addr) == 0)
        k++;
    *n = k - lo;
    return e->len ? &g_array_index(e, c2h_edge, lo) : NULL;
}


void c2h_append_skipped_json(GString *s, const GArray *skipped)
{
    g_string_append_c(s, '[');
    for (guint i = 0; skipped && i < skipped->len; i++) {
        const c2h_skipped_shard *k = &g_array_index(skipped, c2h_skipped_shard, i);
        g_string_append(s, i ? ", {\"file\": \"" : "{\"file\": \"");
        c2h_append_json_string(s, k->file);
        g_string_append(s, "\", \"reason\": \"");
        c2h_append_json_string(s, k->reason);
        g_string_append(s, "\"}");
    }
    g_string_append_c(s, ']');
}

GString *c2h_report_json(const c2h_result *r)
{
    const GArray *labels = r->labels;
    GString *s = g_string_new("{\n");
    char a[C2H_ADDR_STRLEN], t0[32], t1[32];
    g_string_append(s, "  \"archive\": \"");
    c2h_append_json_string(s, r->archive);
    g_string_append(s, "\",\n  \"seeds\": \"");
    c2h_append_json_string(s, r->seeds);
    g_string_append(s, "\",\n  \"profile\": \"");
    c2h_append_json_string(s, r->profile->name);
    g_string_append(s, "\",\n");
    g_string_append_printf(s, "  \"since\": \"%s\",\n  \"until\": \"%s\",\n  \"ranks\": %d,\n",
                           r->since == G_MININT64 ? "" : c2h_time_format_iso(r->since, t0),
                           r->until == G_MAXINT64 ? "" : c2h_time_format_iso(r->until, t1), r->ranks);
    /* Shards left out by --skip-bad-shards: the result covers the others only. */
    g_string_append(s, "  \"skipped_shards\": ");
    c2h_append_skipped_json(s, r->skipped);
    g_string_append(s, ",\n");
    guint counts[8] = {0};
    for (guint i = 0; i < labels->len; i++)
        counts[g_array_index(labels, c2h_label, i).role]++;
    g_string_append(s, "  \"summary\": {");
    for (int role = C2H_ROLE_BACKEND; role <= C2H_ROLE_VICTIM; role++)
        g_string_append_printf(s, "%s\"%s\": %u", role == C2H_ROLE_BACKEND ? "" : ", ", c2h_role_name(role),
                               counts[role]);
    g_string_append(s, "},\n  \"hosts\": [\n");
    for (guint i = 0; i < labels->len; i++) {
        const c2h_label *l = &g_array_index(labels, c2h_label, i);
        gboolean have = l->first_ms != 0 || l->last_ms != 0;
        g_string_append_printf(s, "    {\"ip\": \"%s\", \"role\": \"%s\", \"score\": %.4f, \"first_seen\": \"",
                               c2h_addr_format(&l->addr, a), c2h_role_name(l->role), l->score);
        c2h_append_time(s, l->first_ms, have);
        g_string_append(s, "\", \"last_seen\": \"");
        c2h_append_time(s, l->last_ms, have);
        g_string_append(s, "\", ");
        guint n = 0;
        const c2h_edge *e;
        switch (l->role) {
        case C2H_ROLE_VICTIM:
            g_string_append_printf(s, "\"c2_count\": %u, \"beacon_flows\": %u, \"c2\": ", l->count_a, l->count_b);
            e = c2h_result_edges_of(r->victim_beacons, &l->addr, TRUE, &n);
            json_edges(s, e, n, TRUE, r->profile);
            break;
        case C2H_ROLE_C2:
            g_string_append_printf(s, "\"victims\": %u, \"beaconing_clients\": %u, \"ports\": \"", l->count_a,
                                   l->count_b);
            c2h_append_ports(s, r->profile, l->ports);
            g_string_append(s, "\", \"controllers\": ");
            e = c2h_result_edges_of(r->ctl_by_dst, &l->addr, FALSE, &n);
            json_edges(s, e, n, FALSE, r->profile);
            break;
        case C2H_ROLE_CONTROLLER:
            g_string_append_printf(s, "\"c2_touched\": %u, \"c2_set\": %u, \"fanout\": %.0f, \"c2\": ", l->count_a,
                                   l->count_b, l->fanout);
            e = c2h_result_edges_of(r->ctl_by_src, &l->addr, TRUE, &n);
            json_edges(s, e, n, TRUE, r->profile);
            break;
        case C2H_ROLE_C2_PREDICTED:
            g_string_append_printf(s, "\"controllers_touching\": %u, \"controllers\": ", l->count_a);
            e = c2h_result_edges_of(r->predicted, &l->addr, FALSE, &n);
            json_edges(s, e, n, FALSE, r->profile);
            break;
        case C2H_ROLE_BACKEND:
            g_string_append_printf(s, "\"c2_connecting\": %u, \"other_clients\": %u, \"c2\": ", l->count_a, l->count_b);
            e = c2h_result_edges_of(r->backend, &l->addr, FALSE, &n);
            json_edges(s, e, n, FALSE, r->profile);
            break;
        case C2H_ROLE_SCANNER:
            g_string_append_printf(s, "\"c2_touched\": %u, \"c2_set\": %u, \"fanout\": %.0f, \"c2_share_of_fanout\": %.6f",
                                   l->count_a, l->count_b, l->fanout, l->fanout > 0 ? l->count_a / l->fanout : 0.0);
            break;
        default:
            break;
        }
        g_string_append_printf(s, "}%s\n", i + 1 < labels->len ? "," : "");
    }
    g_string_append(s, "  ]\n}\n");
    return s;
}


typedef GString *(*text_writer)(const c2h_result *r);

gboolean c2h_result_write(const c2h_result *r, const char *dir, GError **err)
{
    /* One row per output file. Writers that need more than a GString (Graphviz) are called below. */
    static const struct {
        const char *name;
        text_writer fn;
    } texts[] = {
        {"roles.csv", c2h_roles_csv},
        {"report.json", c2h_report_json},
        {"stix.json", c2h_stix_json},
        {"incidents.csv", c2h_incidents_csv}, /* NULL without --customers: not written */
    };
    for (gsize i = 0; i < G_N_ELEMENTS(texts); i++) {
        GString *s = texts[i].fn(r);
        if (s == NULL)
            continue;
        gboolean ok = c2h_write_text(dir, texts[i].name, s, err);
        g_string_free(s, TRUE);
        if (!ok)
            return FALSE;
    }
    /* graph.dot, graph.graphml, graph.svg (Graphviz), and report.html, which inlines the SVG. */
    GString *svg = NULL;
    if (!c2h_graph_write(r, dir, &svg, err))
        return FALSE;
    GString *html = c2h_report_html(r, svg->str);
    g_string_free(svg, TRUE);
    gboolean ok = c2h_write_text(dir, "report.html", html, err);
    g_string_free(html, TRUE);
    return ok;
}
