/* html.c: report.html (see html.h). */
#include "report/html.h"

#include "report/graph.h"
#include "report/incidents.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- small writers ------------------------------------------------------------------- */

static void esc(GString *s, const char *text)
{
    c2h_append_xml_escaped(s, text);
}

/* "2026-01-05 04:28:24" (UTC), or "" for none. */
static void append_time_short(GString *s, gint64 ms, gboolean have)
{
    char t[32];
    if (!have)
        return;
    c2h_time_format_iso(ms, t);
    t[10] = ' ';
    char *z = strchr(t, 'Z');
    if (z)
        *z = '\0';
    char *dot = strchr(t, '.');
    if (dot)
        *dot = '\0';
    g_string_append(s, t);
}

/* A table cell holding a time, sortable by its ISO form. */
static void td_time(GString *s, gint64 ms, gboolean have)
{
    char t[32];
    g_string_append_printf(s, "<td class=\"t\" data-v=\"%s\">", have ? c2h_time_format_iso(ms, t) : "");
    append_time_short(s, ms, have);
    g_string_append(s, "</td>");
}

static void td_num(GString *s, const char *fmt, double v)
{
    g_string_append_printf(s, "<td class=\"n\" data-v=\"%.6g\">", v);
    g_string_append_printf(s, fmt, v);
    g_string_append(s, "</td>");
}

static void td_uint(GString *s, guint64 v)
{
    g_string_append_printf(s, "<td class=\"n\" data-v=\"%" G_GUINT64_FORMAT "\">%" G_GUINT64_FORMAT "</td>", v, v);
}

static void td_ports(GString *s, const c2h_profile *p, guint32 mask)
{
    GString *t = g_string_new(NULL);
    c2h_append_ports(t, p, mask);
    g_string_append(s, "<td>");
    esc(s, t->str);
    g_string_append(s, "</td>");
    g_string_free(t, TRUE);
}

/* The address of a host as a cell; ids on the hosts' own rows let the graph and lists link to them. */
static void td_host(GString *s, const c2h_addr *a, gboolean with_id)
{
    char ip[C2H_ADDR_STRLEN];
    c2h_addr_format(a, ip);
    g_string_append_printf(s, "<td class=\"ip\" data-v=\"%s\"", ip);
    if (with_id)
        g_string_append_printf(s, " id=\"h-%s\"", ip);
    g_string_append_printf(s, ">%s</td>", ip);
}

/* Table header: cells "Name" (text), "#Name" (numeric) or "@Name" (sorted as numbers, by the
 * cells' data-v, but aligned left: lists of hosts sorted by their length). */
static void thead(GString *s, const char *cls, const char *const *cols)
{
    g_string_append_printf(s, "<table class=\"sortable %s\"><thead><tr>", cls);
    for (; *cols; cols++) {
        gboolean num = **cols == '#' || **cols == '@';
        g_string_append_printf(s, "<th%s>%s</th>", !num ? "" : **cols == '#' ? " class=\"num\"" : " class=\"num l\"",
                               *cols + num);
    }
    g_string_append(s, "</tr></thead><tbody>\n");
}

static const c2h_edge *edges_of(const GArray *e, const c2h_addr *a, gboolean key_is_src, guint *n)
{
    *n = 0;
    return e && e->len ? c2h_result_edges_of(e, a, key_is_src, n) : NULL;
}

/* The peers of edges e[0..n) (the other end than the key) as links to their rows, each with
 * its first contact; after `show` of them the rest are in a <details>. */
static void td_peers(GString *s, const c2h_edge *e, guint n, gboolean peer_is_dst, guint show)
{
    char ip[C2H_ADDR_STRLEN];
    g_string_append_printf(s, "<td class=\"peers\" data-v=\"%u\">", n);
    for (guint i = 0; i < n; i++) {
        if (i == show)
            g_string_append_printf(s, "<details><summary>%u more</summary>", n - show);
        c2h_addr_format(peer_is_dst ? &e[i].dst : &e[i].src, ip);
        g_string_append_printf(s, "<a href=\"#h-%s\" title=\"first ", ip);
        append_time_short(s, e[i].first_ms, TRUE);
        g_string_append_printf(s, ", %" G_GUINT64_FORMAT " flows\">%s</a> ", e[i].flows, ip);
    }
    if (n > show)
        g_string_append(s, "</details>");
    g_string_append(s, "</td>");
}

static gboolean have_time(const c2h_label *l)
{
    return l->first_ms != 0 || l->last_ms != 0;
}

/* ---- the page's parts ---------------------------------------------------------------- */

static const char CSS[] =
    ":root{--c2:#c0392b;--pred:#e67e22;--ctl:#7d3c98;--be:#795548;--vic:#2471a3;--scan:#9e9e9e;"
    "font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:14px;color:#222}\n"
    "body{margin:0 auto;max-width:1360px;padding:12px 20px 40px}\n"
    "h1{font-size:22px;margin:8px 0 2px}h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid #ddd;padding-bottom:3px}"
    "h3{font-size:15px;margin:18px 0 6px}\n"
    ".sub{color:#555;margin:0 0 10px}nav a{margin-right:12px;color:#2471a3;text-decoration:none}\n"
    ".cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}"
    ".card{border:1px solid #ddd;border-left:6px solid var(--k);border-radius:4px;padding:6px 14px;min-width:110px;"
    "text-decoration:none;color:inherit}"
    ".card b{display:block;font-size:24px}.card span{color:#555}\n"
    ".cols{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}\n"
    "table{border-collapse:collapse;margin:4px 0 8px;font-size:13px}"
    "th,td{border-bottom:1px solid #e4e4e4;padding:3px 8px;text-align:left;vertical-align:top}"
    "th{background:#f4f4f4;position:sticky;top:0}table.sortable th{cursor:pointer;user-select:none}"
    "th[aria-sort=ascending]::after{content:' \\25B2'}th[aria-sort=descending]::after{content:' \\25BC'}"
    "th.num{text-align:right}th.num.l{text-align:left}table.kv td{padding-right:18px}tbody tr:nth-child(even){background:#fafafa}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "td.t{white-space:nowrap;font-variant-numeric:tabular-nums}td.ip{font-family:ui-monospace,Menlo,Consolas,monospace;"
    "white-space:nowrap}td.peers{max-width:420px;font-size:12px}td.peers a{color:#333;white-space:nowrap}"
    "table.kv{font-size:12px}table.kv th{position:static;font-weight:600;background:#f7f7f7}.hit{outline:3px solid #f1c40f}\n"
    ".graph{border:1px solid #ddd;border-radius:4px;overflow:auto;background:#fff}"
    ".graph svg{display:block;width:100%;height:auto;margin:0 auto}.graph g.node{cursor:pointer}\n"
    ".timeline svg{width:100%;height:auto;display:block}.timeline text{font-size:11px;font-family:inherit}\n"
    ".warn{color:#8a1c00;background:#fff3ef;padding:4px 8px;margin:4px 0}"
    ".note{color:#555;font-size:13px;margin:4px 0}details.c2v{margin:2px 0}details.c2v>summary{cursor:pointer;padding:2px 0}"
    "details.c2v>summary .ip{font-family:ui-monospace,Menlo,Consolas,monospace}\n"
    "#js-errors:empty{display:none}#js-errors{border:2px solid #c0392b;background:#fdecea;padding:6px 10px;"
    "margin:8px 0;white-space:pre-wrap}\n"
    ".sw{display:inline-block;width:12px;height:12px;border:1px solid #0004;border-radius:2px;vertical-align:-1px;"
    "margin:0 4px 0 12px}\n";

/* Sorting tables by a header click, expanding all victim lists, the graph's nodes linking to
 * their rows (a group of victims to the list of its C2); errors go into #js-errors (the
 * handler is set before this runs). */
static const char SCRIPT[] =
    "(function(){\n"
    "function key(td,num){var v=td.getAttribute('data-v');if(v===null)v=td.textContent;"
    "if(!num)return v;var x=parseFloat(v);return isNaN(x)?-Infinity:x;}\n"
    "document.querySelectorAll('table.sortable').forEach(function(t){\n"
    " var ths=t.tHead.rows[0].cells;\n"
    " Array.prototype.forEach.call(ths,function(th,i){th.addEventListener('click',function(){\n"
    "  var num=th.classList.contains('num'),dir=th.getAttribute('aria-sort')==='ascending'?-1:1;\n"
    "  Array.prototype.forEach.call(ths,function(h){h.removeAttribute('aria-sort');});\n"
    "  th.setAttribute('aria-sort',dir>0?'ascending':'descending');\n"
    "  var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows);\n"
    "  rows.sort(function(p,q){var x=key(p.cells[i],num),y=key(q.cells[i],num);return(x<y?-1:x>y?1:0)*dir;});\n"
    "  rows.forEach(function(r){b.appendChild(r);});});});});\n"
    "document.querySelectorAll('button[data-open]').forEach(function(bt){bt.addEventListener('click',function(){\n"
    " var open=bt.getAttribute('data-open')==='1';\n"
    " document.querySelectorAll('details.c2v').forEach(function(d){d.open=open;});});});\n"
    "var svg=document.getElementById('graph-svg');\n"
    "if(svg)svg.addEventListener('click',function(ev){var g=ev.target.closest('g.node'),t=g&&g.querySelector('title');\n"
    " if(!t)return;var name=t.textContent,row=document.getElementById('h-'+name),el=row&&row.parentNode;\n"
    " if(!row&&name.indexOf('victims:')===0){\n"  /* a group of victims: the list of its C2 */
    "  el=document.getElementById('victims-'+name.slice(8,name.lastIndexOf(':')));if(el)el.open=true;}\n"
    " if(!el)return;ev.preventDefault();el.scrollIntoView({block:'center'});el.classList.add('hit');\n"
    " setTimeout(function(){el.classList.remove('hit');},2000);});\n"
    "document.documentElement.setAttribute('data-js','ready');\n"
    "})();\n";

static const char ONERROR[] =
    "window.onerror=function(msg,src,line,col){var b=document.getElementById('js-errors');"
    "var p=document.createElement('div');p.textContent=String(msg)+' (line '+line+':'+col+')';b.appendChild(p);"
    "return false;};\n";

static void summary(GString *s, const c2h_result *r)
{
    static const c2h_role roles[] = {C2H_ROLE_C2, C2H_ROLE_C2_PREDICTED, C2H_ROLE_CONTROLLER,
                                     C2H_ROLE_BACKEND, C2H_ROLE_SCANNER, C2H_ROLE_VICTIM};
    guint counts[8] = {0};
    gint64 t0 = G_MAXINT64, t1 = G_MININT64;
    for (guint i = 0; i < r->labels->len; i++) {
        const c2h_label *l = &g_array_index(r->labels, c2h_label, i);
        counts[l->role]++;
        if (have_time(l)) {
            t0 = MIN(t0, l->first_ms);
            t1 = MAX(t1, l->last_ms);
        }
    }
    g_string_append(s, "<section id=\"summary\"><h2>Summary</h2>\n");
    if (r->skipped && r->skipped->len > 0) {
        /* --skip-bad-shards: the result covers the other shards only, and says so first. */
        g_string_append_printf(s, "<p class=\"warn\" id=\"skipped\"><b>Incomplete input:</b> %u shard%s could not be "
                               "read and %s left out (--skip-bad-shards):</p><ul class=\"warn\">",
                               r->skipped->len, r->skipped->len == 1 ? "" : "s", r->skipped->len == 1 ? "was" : "were");
        for (guint i = 0; i < r->skipped->len; i++) {
            const c2h_skipped_shard *k = &g_array_index(r->skipped, c2h_skipped_shard, i);
            g_string_append(s, "<li>");
            c2h_append_xml_escaped(s, k->file);
            g_string_append(s, ": ");
            c2h_append_xml_escaped(s, k->reason);
            g_string_append(s, "</li>");
        }
        g_string_append(s, "</ul>\n");
    }
    g_string_append(s, "<div class=\"cards\">");
    for (gsize i = 0; i < G_N_ELEMENTS(roles); i++)
        g_string_append_printf(s, "<a class=\"card\" id=\"count-%s\" href=\"#%s\" style=\"--k:%s\"><b>%u</b><span>%s</span></a>",
                               c2h_role_name(roles[i]), c2h_role_name(roles[i]), c2h_role_color(roles[i]),
                               counts[roles[i]], c2h_role_name(roles[i]));
    g_string_append(s, "</div>\n<div class=\"cols\"><table class=\"kv\"><tbody>\n<tr><th>archive</th><td>");
    esc(s, r->archive ? r->archive : "");
    g_string_append(s, "</td></tr>\n<tr><th>seeds</th><td>");
    esc(s, r->seeds ? r->seeds : "");
    g_string_append(s, "</td></tr>\n<tr><th>window</th><td>");
    char a[32], b[32];
    if (r->since == G_MININT64 && r->until == G_MAXINT64)
        g_string_append(s, "the whole archive");
    else
        g_string_append_printf(s, "%s%s%s%s", r->since == G_MININT64 ? "" : "from ",
                               r->since == G_MININT64 ? "" : c2h_time_format_iso(r->since, a),
                               r->until == G_MAXINT64 ? "" : (r->since == G_MININT64 ? "until " : " until "),
                               r->until == G_MAXINT64 ? "" : c2h_time_format_iso(r->until, b));
    g_string_append(s, "</td></tr>\n<tr><th>evidence spans</th><td>");
    if (t0 <= t1) {
        append_time_short(s, t0, TRUE);
        g_string_append(s, " .. ");
        append_time_short(s, t1, TRUE);
        g_string_append(s, " UTC");
    } else {
        g_string_append(s, "no traffic");
    }
    g_string_append_printf(s, "</td></tr>\n<tr><th>hosts labeled</th><td>%u</td></tr>\n<tr><th>ranks</th><td>%d</td></tr>\n"
                              "<tr><th>customers map</th><td>%s</td></tr>\n</tbody></table>\n",
                           r->labels->len, r->ranks, r->customers ? "given (victims grouped by customer)" : "none");

    /* The profile, key by key as profile.ini has it, three to a row. */
    g_string_append(s, "<table class=\"kv\" id=\"profile\"><thead><tr><th colspan=\"6\">profile ");
    esc(s, r->profile->name ? r->profile->name : "");
    g_string_append(s, ": the thresholds (docs/ALGORITHM.md)</th></tr></thead><tbody>\n");
    g_autofree char *data = c2h_profile_to_data(r->profile);
    GKeyFile *kf = g_key_file_new();
    if (g_key_file_load_from_data(kf, data, (gsize)-1, G_KEY_FILE_NONE, NULL)) {
        gsize n = 0, col = 0;
        g_auto(GStrv) keys = g_key_file_get_keys(kf, "profile", &n, NULL);
        for (gsize i = 0; keys && i < n; i++) {
            if (strcmp(keys[i], "name") == 0)
                continue;
            g_autofree char *v = g_key_file_get_value(kf, "profile", keys[i], NULL);
            g_string_append(s, col % 3 == 0 ? "<tr><th>" : "<th>");
            esc(s, keys[i]);
            g_string_append(s, "</th><td>");
            esc(s, v ? v : "");
            g_string_append(s, col % 3 == 2 ? "</td></tr>\n" : "</td>");
            col++;
        }
        if (col % 3)
            g_string_append(s, "</tr>\n");
    }
    g_key_file_free(kf);
    g_string_append(s, "</tbody></table></div></section>\n");
}

/* The SVG of Graphviz without its XML prolog, sized by its container. */
static void graph_section(GString *s, const char *svg)
{
    g_string_append(s, "<section id=\"graph\"><h2>Relationship graph</h2>\n"
                       "<p class=\"note\">Controllers touch C2, victims beacon to C2, C2 proxy to backends; dashed: C2 "
                       "being staged. Hover for the numbers, click a host to find its row below. The same picture is "
                       "graph.svg; graph.graphml opens in Gephi or yEd.</p>\n<div class=\"graph\">");
    const char *open = svg ? strstr(svg, "<svg") : NULL;
    const char *end = open ? strchr(open, '>') : NULL;
    if (!end) {
        g_string_append(s, "<p class=\"note\">(no graph)</p></div></section>\n");
        return;
    }
    /* Keep only viewBox from the root element: no fixed size, no namespace URLs (HTML needs none). */
    g_autofree char *root = g_strndup(open, (gsize)(end - open));
    const char *vb = strstr(root, "viewBox=\"");
    const char *w = strstr(root, "width=\"");
    g_string_append(s, "<svg id=\"graph-svg\" role=\"img\" aria-label=\"relationship graph\"");
    if (vb) {
        const char *q = strchr(vb + 9, '"');
        if (q)
            g_string_append_len(s, vb - 1, q - vb + 2);
    }
    if (w) {
        double width = g_ascii_strtod(w + 7, NULL);
        if (width > 0)
            g_string_append_printf(s, " style=\"max-width:%.0fpt\"", width);
    }
    g_string_append_c(s, '>');
    g_string_append(s, end + 1);
    while (s->len && (s->str[s->len - 1] == '\n' || s->str[s->len - 1] == ' '))
        g_string_truncate(s, s->len - 1);
    g_string_append(s, "</div></section>\n");
}

/* ---- timeline ------------------------------------------------------------------------ */

typedef struct tl_row {
    c2h_addr addr;
    c2h_role role;
    gint64 staged;      /* first controller contact, or G_MAXINT64 */
    gint64 live, last;  /* first and last victim beacon (C2); first and last touch (c2_predicted) */
    gboolean have;      /* live/last known */
    guint count;        /* victims (C2) or controllers touching (c2_predicted) */
} tl_row;

static gint64 tl_start(const tl_row *r)
{
    return MIN(r->staged, r->have ? r->live : G_MAXINT64);
}

static int tl_cmp(const void *a, const void *b)
{
    const tl_row *x = a, *y = b;
    if (x->role != y->role)
        return x->role == C2H_ROLE_C2 ? -1 : 1;
    gint64 p = tl_start(x), q = tl_start(y);
    if (p != q)
        return p < q ? -1 : 1;
    return c2h_addr_cmp(&x->addr, &y->addr);
}

/* A tick step (ms) that gives at most about 12 ticks over span. */
static gint64 tick_step(gint64 span)
{
    static const gint64 H = 3600000;
    static const gint64 steps[] = {H, 2 * H, 3 * H, 6 * H, 12 * H, 24 * H, 48 * H, 7 * 24 * H, 14 * 24 * H, 28 * 24 * H,
                                   91 * 24 * H, 365 * 24 * H};
    for (gsize i = 0; i < G_N_ELEMENTS(steps); i++)
        if (span / steps[i] <= 12)
            return steps[i];
    return span / 12 + 1;
}

static void timeline(GString *s, const c2h_result *r)
{
    GArray *rows = g_array_new(FALSE, TRUE, sizeof(tl_row));
    for (guint i = 0; i < r->labels->len; i++) {
        const c2h_label *l = &g_array_index(r->labels, c2h_label, i);
        if (l->role != C2H_ROLE_C2 && l->role != C2H_ROLE_C2_PREDICTED)
            continue;
        tl_row x = {.addr = l->addr, .role = l->role, .staged = G_MAXINT64, .live = l->first_ms, .last = l->last_ms,
                    .have = have_time(l), .count = l->count_a};
        guint n;
        const c2h_edge *e = edges_of(l->role == C2H_ROLE_C2 ? r->ctl_by_dst : r->predicted, &l->addr, FALSE, &n);
        for (guint k = 0; k < n; k++)
            x.staged = MIN(x.staged, e[k].first_ms);
        if (l->role == C2H_ROLE_C2_PREDICTED && x.have) /* its life so far is staging */
            x.staged = MIN(x.staged, l->first_ms);
        g_array_append_val(rows, x);
    }
    g_array_sort(rows, tl_cmp);
    gint64 t0 = G_MAXINT64, t1 = G_MININT64;
    for (guint i = 0; i < rows->len; i++) {
        const tl_row *x = &g_array_index(rows, tl_row, i);
        if (x->staged != G_MAXINT64)
            t0 = MIN(t0, x->staged), t1 = MAX(t1, x->staged);
        if (x->have)
            t0 = MIN(t0, x->live), t1 = MAX(t1, x->last);
    }
    if (r->until != G_MAXINT64 && t0 <= t1)
        t1 = MAX(t1, r->until);
    g_string_append(s, "<section id=\"timeline\"><h2>C2 timeline</h2>\n<p class=\"note\">Each C2 on one time axis (UTC): "
                       "<span class=\"sw\" style=\"background:#fde5cc;border-color:#e67e22\"></span>staged: from the first "
                       "controller contact to the first victim beacon "
                       "<span class=\"sw\" style=\"background:#c0392b\"></span>live: first to last victim beacon "
                       "<span class=\"sw\" style=\"background:#fde5cc;border:1px dashed #e67e22\"></span>c2_predicted: "
                       "controllers' contacts, no victim yet.</p>\n<div class=\"timeline\">");
    if (rows->len == 0 || t0 > t1) {
        g_string_append(s, "<p class=\"note\">No C2 with traffic in the window.</p></div></section>\n");
        g_array_free(rows, TRUE);
        return;
    }
    /* The axis runs from a tick to a tick: multiples of the step, in UTC. */
    gint64 step = tick_step(MAX(t1 - t0, (gint64)1));
    t0 = c2h_floordiv(t0, step) * step;
    t1 = (c2h_floordiv(t1, step) + 1) * step;
    const double X0 = 170, W = 1000, ROW = 18, TOP = 34;
    guint n_c2 = 0;
    for (guint i = 0; i < rows->len; i++)
        n_c2 += g_array_index(rows, tl_row, i).role == C2H_ROLE_C2;
    gboolean gap = n_c2 > 0 && n_c2 < rows->len;
    double height = TOP + ROW * rows->len + (gap ? ROW : 0) + 10;
    g_string_append_printf(s, "<svg id=\"timeline-svg\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"C2 timeline\">\n",
                           X0 + W + 40, height);
    for (gint64 t = t0; t <= t1; t += step) {
        double x = X0 + (double)(t - t0) / (double)(t1 - t0) * W;
        char iso[32];
        c2h_time_format_iso(t, iso); /* 2026-01-05T06:00:00Z */
        iso[16] = '\0';
        iso[10] = step >= 24 * 3600000LL ? '\0' : ' ';
        g_string_append_printf(s, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#e2e2e2\"/>"
                                  "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\" fill=\"#666\">%s</text>\n",
                               x, TOP - 8, x, height - 6, x, TOP - 14, step >= 24 * 3600000LL ? iso : iso + 5);
    }
    if (r->until != G_MAXINT64) {
        double x = X0 + (double)(r->until - t0) / (double)(t1 - t0) * W;
        g_string_append_printf(s, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#333\" "
                                  "stroke-dasharray=\"4 3\"/><text x=\"%.1f\" y=\"%.0f\" fill=\"#333\">--until</text>\n",
                               x, TOP - 8, x, height - 6, x + 3, height - 8);
    }
    double y = TOP;
    for (guint i = 0; i < rows->len; i++) {
        const tl_row *x = &g_array_index(rows, tl_row, i);
        if (gap && i == n_c2) {
            g_string_append_printf(s, "<text x=\"4\" y=\"%.0f\" fill=\"#999\">c2_predicted</text>\n", y + 12);
            y += ROW;
        }
        char ip[C2H_ADDR_STRLEN], a[32], b[32], c[32];
        c2h_addr_format(&x->addr, ip);
        gboolean pred = x->role == C2H_ROLE_C2_PREDICTED;
        g_string_append_printf(s, "<g class=\"tl-row %s\" id=\"tl-%s\"><text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\" "
                                  "fill=\"%s\">%s</text>",
                               c2h_role_name(x->role), ip, X0 - 8, y + 12, c2h_role_color(x->role), ip);
        double by = y + 3, bh = ROW - 6;
        if (pred) {
            gint64 from = x->staged, to = x->have ? x->last : x->staged;
            double x1 = X0 + (double)(from - t0) / (double)(t1 - t0) * W, x2 = X0 + (double)(to - t0) / (double)(t1 - t0) * W;
            g_string_append_printf(s, "<rect class=\"staged\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" "
                                      "fill=\"#fde5cc\" stroke=\"#e67e22\" stroke-dasharray=\"3 2\"><title>c2_predicted %s: "
                                      "touched by %u controller%s, %s .. %s, no victim yet</title></rect>",
                                   x1, by, MAX(x2 - x1, 2.0), bh, ip, x->count, x->count == 1 ? "" : "s",
                                   c2h_time_format_iso(from, a), c2h_time_format_iso(to, b));
        } else {
            if (x->staged != G_MAXINT64 && (!x->have || x->staged < x->live)) {
                gint64 to = x->have ? x->live : x->staged;
                double x1 = X0 + (double)(x->staged - t0) / (double)(t1 - t0) * W;
                double x2 = X0 + (double)(to - t0) / (double)(t1 - t0) * W;
                g_string_append_printf(s, "<rect class=\"staged\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" "
                                          "fill=\"#fde5cc\" stroke=\"#e67e22\"><title>%s staged: first controller contact "
                                          "%s</title></rect>",
                                       x1, by, MAX(x2 - x1, 2.0), bh, ip, c2h_time_format_iso(x->staged, a));
            }
            if (x->have) {
                double x1 = X0 + (double)(x->live - t0) / (double)(t1 - t0) * W;
                double x2 = X0 + (double)(x->last - t0) / (double)(t1 - t0) * W;
                g_string_append_printf(s, "<rect class=\"live\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" "
                                          "fill=\"#c0392b\"><title>%s live: %u victims, first beacon %s, last %s%s%s"
                                          "</title></rect>",
                                       x1, by, MAX(x2 - x1, 2.0), bh, ip, x->count, c2h_time_format_iso(x->live, a),
                                       c2h_time_format_iso(x->last, b), x->staged != G_MAXINT64 ? "; first controller contact " : "",
                                       x->staged != G_MAXINT64 ? c2h_time_format_iso(x->staged, c) : "");
                if (x->staged != G_MAXINT64 && x->staged >= x->live) {
                    double xs = X0 + (double)(x->staged - t0) / (double)(t1 - t0) * W;
                    g_string_append_printf(s, "<path d=\"M%.1f %.1fl-4 -5h8z\" fill=\"#7d3c98\"><title>first controller "
                                              "contact %s (after the first victim)</title></path>",
                                           xs, by, c2h_time_format_iso(x->staged, a));
                }
            } else if (x->staged == G_MAXINT64) {
                g_string_append_printf(s, "<text x=\"%.0f\" y=\"%.0f\" fill=\"#999\">no traffic in the window</text>", X0,
                                       y + 12);
            }
        }
        g_string_append(s, "</g>\n");
        y += ROW;
    }
    g_string_append(s, "</svg></div></section>\n");
    g_array_free(rows, TRUE);
}

/* ---- evidence tables ----------------------------------------------------------------- */

static void section_head(GString *s, c2h_role role, const char *title, guint n, const char *what)
{
    g_string_append_printf(s, "<section id=\"%s\"><h2><span class=\"sw\" style=\"background:%s;margin-left:0\"></span>"
                              "%s (%u)</h2>\n<p class=\"note\">%s</p>\n",
                           c2h_role_name(role), c2h_role_color(role), title, n, what);
}

static guint count_role(const c2h_result *r, c2h_role role)
{
    guint n = 0;
    for (guint i = 0; i < r->labels->len; i++)
        n += g_array_index(r->labels, c2h_label, i).role == (int32_t)role;
    return n;
}

static void table_end(GString *s, guint shown, guint n)
{
    g_string_append(s, "</tbody></table>\n");
    if (shown < n)
        g_string_append_printf(s, "<p class=\"note\">The first %u of %u; all of them are in roles.csv and report.json.</p>\n",
                               shown, n);
    g_string_append(s, "</section>\n");
}

static void role_table(GString *s, const c2h_result *r, c2h_role role, const GArray *backend_by_src)
{
    static const char *const c2_cols[] = {"C2", "#score", "#victims", "#beaconing clients", "ports",
                                          "staged (first controller contact)", "first victim beacon", "last seen",
                                          "@controllers", "@backends", NULL};
    static const char *const pred_cols[] = {"host", "#score", "#controllers touching", "#others reaching it", "ports",
                                            "first touch", "last touch", "@controllers", NULL};
    static const char *const ctl_cols[] = {"controller", "#score", "#C2 touched", "#C2 set", "#fan-out",
                                           "#C2 share of fan-out", "ports", "first contact", "last contact", "@C2", NULL};
    static const char *const be_cols[] = {"backend", "#score", "#C2 connecting", "#other clients", "ports", "first",
                                          "last", "@C2", NULL};
    static const char *const sc_cols[] = {"scanner", "#C2 share of fan-out", "#C2 touched", "#C2 set", "#fan-out", "ports",
                                          "first", "last", NULL};
    guint n = count_role(r, role);
    switch (role) {
    case C2H_ROLE_C2:
        section_head(s, role, "C2", n, "Seeds and hosts that known victims beacon to (score: victims / beaconing "
                                       "clients, 1 for a seed). Controllers and backends link to their rows.");
        thead(s, "c2", c2_cols);
        break;
    case C2H_ROLE_C2_PREDICTED:
        section_head(s, role, "Staged C2 (c2_predicted)", n, "Hosts that controllers touch the way they touch C2, that "
                                                             "no victim beacons to yet and few others reach.");
        thead(s, "pred", pred_cols);
        break;
    case C2H_ROLE_CONTROLLER:
        section_head(s, role, "Controllers", n, "Hosts that touch many of the C2 on admin or other ports, and little "
                                                "else (their C2 share of fan-out reaches the profile's specificity).");
        thead(s, "ctl", ctl_cols);
        break;
    case C2H_ROLE_BACKEND:
        section_head(s, role, "Backends", n, "Hosts that C2 connect out to and that few others reach.");
        thead(s, "be", be_cols);
        break;
    default:
        section_head(s, role, "Scanners", n, "Hosts that touch C2 as controllers do, but among far more hosts: their "
                                             "C2 share of fan-out is below the specificity.");
        thead(s, "sc", sc_cols);
        break;
    }
    guint shown = 0;
    for (guint i = 0; i < r->labels->len && shown < C2H_HTML_TABLE_ROWS; i++) {
        const c2h_label *l = &g_array_index(r->labels, c2h_label, i);
        if (l->role != (int32_t)role)
            continue;
        shown++;
        gboolean have = have_time(l);
        guint ne = 0, nb = 0;
        const c2h_edge *e, *be;
        g_string_append(s, "<tr>");
        td_host(s, &l->addr, TRUE);
        switch (role) {
        case C2H_ROLE_C2:
            td_num(s, "%.4f", l->score);
            td_uint(s, l->count_a);
            td_uint(s, l->count_b);
            td_ports(s, r->profile, l->ports);
            e = edges_of(r->ctl_by_dst, &l->addr, FALSE, &ne);
            gint64 staged = G_MAXINT64;
            for (guint k = 0; k < ne; k++)
                staged = MIN(staged, e[k].first_ms);
            td_time(s, staged, ne > 0);
            td_time(s, l->first_ms, have);
            td_time(s, l->last_ms, have);
            td_peers(s, e, ne, FALSE, 6);
            be = edges_of(backend_by_src, &l->addr, TRUE, &nb);
            td_peers(s, be, nb, TRUE, 6);
            break;
        case C2H_ROLE_C2_PREDICTED:
            td_num(s, "%.4f", l->score);
            td_uint(s, l->count_a);
            td_num(s, "%.0f", l->fanout);
            td_ports(s, r->profile, l->ports);
            td_time(s, l->first_ms, have);
            td_time(s, l->last_ms, have);
            e = edges_of(r->predicted, &l->addr, FALSE, &ne);
            td_peers(s, e, ne, FALSE, 6);
            break;
        case C2H_ROLE_CONTROLLER:
            td_num(s, "%.4f", l->score);
            td_uint(s, l->count_a);
            td_uint(s, l->count_b);
            td_num(s, "%.0f", l->fanout);
            td_num(s, "%.4f", l->fanout > 0 ? l->count_a / l->fanout : 0.0);
            td_ports(s, r->profile, l->ports);
            td_time(s, l->first_ms, have);
            td_time(s, l->last_ms, have);
            e = edges_of(r->ctl_by_src, &l->addr, TRUE, &ne);
            td_peers(s, e, ne, TRUE, 8);
            break;
        case C2H_ROLE_BACKEND:
            td_num(s, "%.4f", l->score);
            td_uint(s, l->count_a);
            td_uint(s, l->count_b);
            td_ports(s, r->profile, l->ports);
            td_time(s, l->first_ms, have);
            td_time(s, l->last_ms, have);
            e = edges_of(r->backend, &l->addr, FALSE, &ne);
            td_peers(s, e, ne, FALSE, 8);
            break;
        default:
            td_num(s, "%.6f", l->fanout > 0 ? l->count_a / l->fanout : 0.0);
            td_uint(s, l->count_a);
            td_uint(s, l->count_b);
            td_num(s, "%.0f", l->fanout);
            td_ports(s, r->profile, l->ports);
            td_time(s, l->first_ms, have);
            td_time(s, l->last_ms, have);
            break;
        }
        g_string_append(s, "</tr>\n");
    }
    table_end(s, shown, n);
}

/* Victims per C2: a collapsed list each, the first rows of each. */
static void victims_section(GString *s, const c2h_result *r)
{
    guint n = count_role(r, C2H_ROLE_VICTIM), n_c2 = count_role(r, C2H_ROLE_C2);
    section_head(s, C2H_ROLE_VICTIM, "Victims", n, "Hosts that beacon to a known C2 (score: 1 − 0.5^(C2 beaconed to)), "
                                                   "listed under each C2 they beacon to; a victim that moved appears "
                                                   "under each of its C2.");
    g_string_append(s, "<p><button type=\"button\" data-open=\"1\">expand all</button> "
                       "<button type=\"button\" data-open=\"0\">collapse all</button></p>\n");
    GArray *by_dst = r->victim_beacons ? g_array_copy(r->victim_beacons) : g_array_new(FALSE, FALSE, sizeof(c2h_edge));
    g_array_sort(by_dst, c2h_edge_cmp_dst);
    GArray *by_addr = g_array_copy(r->labels);
    g_array_sort(by_addr, c2h_label_addr_cmp);
    guint per_c2 = MAX(20u, C2H_HTML_VICTIM_ROWS / MAX(n_c2, 1u));
    GPtrArray *vic = g_ptr_array_new();
    static const char *const cols[] = {"victim", "#score", "#C2 beaconed to", "#flows to this C2", "first beacon",
                                       "last beacon", "ports", NULL};
    static const char *const cols_cust[] = {"victim", "customer", "#score", "#C2 beaconed to", "#flows to this C2",
                                            "first beacon", "last beacon", "ports", NULL};
    for (guint i = 0; i < r->labels->len; i++) {
        const c2h_label *c2 = &g_array_index(r->labels, c2h_label, i);
        if (c2->role != C2H_ROLE_C2)
            continue;
        guint n_all;
        const c2h_edge *all = edges_of(by_dst, &c2->addr, FALSE, &n_all);
        /* Beacons of hosts labeled victim (a controller may beacon too: it is listed as a controller). */
        g_ptr_array_set_size(vic, 0);
        for (guint k = 0; k < n_all; k++) {
            c2h_label key = {.addr = all[k].src};
            const c2h_label *v = bsearch(&key, by_addr->data, by_addr->len, sizeof(c2h_label), c2h_label_addr_cmp);
            if (v && v->role == C2H_ROLE_VICTIM)
                g_ptr_array_add(vic, (gpointer)&all[k]);
        }
        guint ne = vic->len;
        char ip[C2H_ADDR_STRLEN];
        c2h_addr_format(&c2->addr, ip);
        g_string_append_printf(s, "<details class=\"c2v\" id=\"victims-%s\"><summary>C2 <span class=\"ip\">%s</span>: "
                                  "%u victim%s</summary>\n",
                               ip, ip, ne, ne == 1 ? "" : "s");
        if (ne == 0) {
            g_string_append(s, "</details>\n");
            continue;
        }
        thead(s, "vic", r->customers ? cols_cust : cols);
        for (guint k = 0; k < ne && k < per_c2; k++) {
            const c2h_edge *e = vic->pdata[k];
            c2h_label key = {.addr = e->src};
            const c2h_label *v = bsearch(&key, by_addr->data, by_addr->len, sizeof(c2h_label), c2h_label_addr_cmp);
            g_string_append(s, "<tr>");
            td_host(s, &e->src, FALSE);
            if (r->customers) {
                const c2h_customer *cu = c2h_customer_of(r->customers, &e->src);
                g_string_append(s, "<td>");
                esc(s, cu ? cu->name : "");
                g_string_append(s, "</td>");
            }
            td_num(s, "%.4f", v->score);
            td_uint(s, v->count_a);
            td_uint(s, e->flows);
            td_time(s, e->first_ms, TRUE);
            td_time(s, e->last_ms, TRUE);
            td_ports(s, r->profile, e->ports);
            g_string_append(s, "</tr>\n");
        }
        g_string_append(s, "</tbody></table>\n");
        if (ne > per_c2)
            g_string_append_printf(s, "<p class=\"note\">The first %u of %u; all of them are in report.json.</p>\n",
                                   per_c2, ne);
        g_string_append(s, "</details>\n");
    }
    g_string_append(s, "</section>\n");
    g_ptr_array_free(vic, TRUE);
    g_array_free(by_dst, TRUE);
    g_array_free(by_addr, TRUE);
}

GString *c2h_report_html(const c2h_result *r, const char *svg)
{
    GString *s = g_string_new("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>c2hunt report: ");
    esc(s, r->archive ? r->archive : "");
    g_string_append_printf(s, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<div id=\"js-errors\"></div>\n"
                              "<script>\n%s</script>\n",
                           CSS, ONERROR);
    g_string_append(s, "<header><h1>c2hunt: botnet C2 infrastructure</h1><p class=\"sub\">");
    esc(s, r->archive ? r->archive : "");
    g_string_append(s, " · seeds ");
    esc(s, r->seeds ? r->seeds : "");
    GString *incidents = c2h_incidents_html(r); /* NULL without --customers */
    g_string_append_printf(s, "</p><nav><a href=\"#summary\">summary</a>%s<a href=\"#graph\">graph</a>"
                              "<a href=\"#timeline\">timeline</a><a href=\"#c2\">C2</a><a href=\"#c2_predicted\">staged C2</a>"
                              "<a href=\"#controller\">controllers</a><a href=\"#backend\">backends</a>"
                              "<a href=\"#scanner\">scanners</a><a href=\"#victim\">victims</a></nav></header>\n",
                           incidents ? "<a href=\"#incidents\">incidents</a>" : "");
    summary(s, r);
    if (incidents) {
        g_string_append_len(s, incidents->str, (gssize)incidents->len);
        g_string_free(incidents, TRUE);
    }
    graph_section(s, svg);
    timeline(s, r);
    GArray *backend_by_src = r->backend ? g_array_copy(r->backend) : g_array_new(FALSE, FALSE, sizeof(c2h_edge));
    g_array_sort(backend_by_src, c2h_edge_cmp_src);
    static const c2h_role roles[] = {C2H_ROLE_C2, C2H_ROLE_C2_PREDICTED, C2H_ROLE_CONTROLLER, C2H_ROLE_BACKEND,
                                     C2H_ROLE_SCANNER};
    for (gsize i = 0; i < G_N_ELEMENTS(roles); i++)
        role_table(s, r, roles[i], backend_by_src);
    g_array_free(backend_by_src, TRUE);
    victims_section(s, r);
    g_string_append_printf(s, "<script>\n%s</script>\n</body></html>\n", SCRIPT);
    return s;
}
