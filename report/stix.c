/* stix.c: stix.json, a STIX 2.1 bundle of the botnet's infrastructure (see stix.h and
 * docs/OUTPUTS.md). Written by hand, one object a line, in a fixed order: the
 * infrastructure, the indicators in roles.csv order, then the relationships in the same
 * order. */
#include "report/stix.h"

#include <math.h>
#include <stdio.h>

const guint8 c2h_stix_namespace[16] = {0x0d, 0x65, 0x95, 0x98, 0x5e, 0x70, 0x59, 0x36,
                                       0x9e, 0xdc, 0x6a, 0x51, 0x2a, 0x0a, 0x0a, 0xf5};

void c2h_uuid5(const guint8 ns[16], const char *name, char out[37])
{
    GChecksum *sha = g_checksum_new(G_CHECKSUM_SHA1);
    g_checksum_update(sha, ns, 16);
    g_checksum_update(sha, (const guchar *)name, (gssize)strlen(name));
    guint8 d[20];
    gsize n = sizeof d;
    g_checksum_get_digest(sha, d, &n);
    g_checksum_free(sha);
    g_assert(n == 20);
    d[6] = (guint8)((d[6] & 0x0f) | 0x50); /* version 5 */
    d[8] = (guint8)((d[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", d[0], d[1], d[2], d[3],
             d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14], d[15]);
}

static gboolean have_times(const c2h_label *l)
{
    return l->first_ms != 0 || l->last_ms != 0;
}

gint64 c2h_stix_time(const c2h_result *r)
{
    if (r->until != G_MAXINT64)
        return r->until;
    gboolean any = FALSE;
    gint64 t = 0;
    for (guint i = 0; r->labels && i < r->labels->len; i++) {
        const c2h_label *l = &g_array_index(r->labels, c2h_label, i);
        if (have_times(l)) {
            t = any ? MAX(t, l->last_ms) : l->last_ms;
            any = TRUE;
        }
    }
    if (any)
        return t;
    return r->since != G_MININT64 ? r->since : 0;
}

int c2h_stix_confidence(const c2h_label *l)
{
    double s = CLAMP(l->score, 0.0, 1.0);
    switch (l->role) {
    case C2H_ROLE_C2:
    case C2H_ROLE_CONTROLLER:
        return 50 + (int)lround(50 * s);
    case C2H_ROLE_C2_PREDICTED:
        return 10 + (int)lround(35 * s);
    default:
        return 0;
    }
}

/* STIX timestamps: RFC 3339 UTC with milliseconds ("2026-01-05T00:00:00.000Z"). */
static void append_ts(GString *s, gint64 ms)
{
    gint64 secs = c2h_floordiv(ms, 1000);
    GDateTime *dt = g_date_time_new_from_unix_utc(secs);
    if (dt == NULL) /* outside years 1..9999: cannot happen for flow times; keep the file valid */
        dt = g_date_time_new_from_unix_utc(0), secs = 0, ms = 0;
    g_autofree char *base = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S");
    g_date_time_unref(dt);
    g_string_append_printf(s, "%s.%03dZ", base, (int)(ms - secs * 1000));
}

static void append_str(GString *s, const char *key, const char *value)
{
    g_string_append_printf(s, ", \"%s\": \"", key);
    c2h_append_json_string(s, value);
    g_string_append_c(s, '"');
}

static void append_time_prop(GString *s, const char *key, gint64 ms)
{
    g_string_append_printf(s, ", \"%s\": \"", key);
    append_ts(s, ms);
    g_string_append_c(s, '"');
}

/* The start of every object: type, spec_version, id, created, modified. */
static void object_head(GString *s, const char *type, const char *id, gint64 t)
{
    g_string_append_printf(s, "    {\"type\": \"%s\", \"spec_version\": \"2.1\", \"id\": \"%s\"", type, id);
    append_time_prop(s, "created", t);
    append_time_prop(s, "modified", t);
}

static void make_id(char *out, gsize size, const char *type, const char *name)
{
    char u[37];
    c2h_uuid5(c2h_stix_namespace, name, u);
    g_snprintf(out, size, "%s--%s", type, u);
}

static const char *role_title(c2h_role role)
{
    switch (role) {
    case C2H_ROLE_C2: return "C2 server";
    case C2H_ROLE_C2_PREDICTED: return "Staged C2 (c2_predicted)";
    case C2H_ROLE_CONTROLLER: return "Botnet controller";
    default: return "Host";
    }
}

/* What the label rests on, in words, with its counts. */
static void describe(GString *d, const c2h_result *r, const c2h_label *l)
{
    char t0[32], t1[32];
    switch (l->role) {
    case C2H_ROLE_C2:
        if (l->count_b == 0)
            g_string_append(d, "Known C2 given as a seed; no beacons to it in the analysed window.");
        else
            g_string_append_printf(d, "C2 of the botnet: %u of its %u beaconing clients are known victims.",
                                   l->count_a, l->count_b);
        break;
    case C2H_ROLE_CONTROLLER:
        g_string_append_printf(d,
                               "Operator host: touches %u of the %u C2 on admin or other non-victim ports; "
                               "fan-out %.0f hosts.",
                               l->count_a, l->count_b, l->fanout);
        break;
    case C2H_ROLE_C2_PREDICTED:
        g_string_append_printf(d,
                               "C2 being staged: touched by %u of %u controllers the way they touch C2, reached by "
                               "%.0f other hosts, no victim beacons to it yet.",
                               l->count_a, l->count_b, l->fanout);
        break;
    default:
        break;
    }
    g_string_append_printf(d, " Score %.4f.", l->score);
    if (have_times(l))
        g_string_append_printf(d, " First seen %s, last seen %s.", c2h_time_format_iso(l->first_ms, t0),
                               c2h_time_format_iso(l->last_ms, t1));
    if (l->ports) {
        g_string_append(d, " Ports: ");
        c2h_append_ports(d, r->profile, l->ports);
        g_string_append_c(d, '.');
    }
}

static gboolean is_indicated(const c2h_label *l)
{
    return l->role == C2H_ROLE_C2 || l->role == C2H_ROLE_C2_PREDICTED || l->role == C2H_ROLE_CONTROLLER;
}

GString *c2h_stix_json(const c2h_result *r)
{
    const GArray *labels = r->labels;
    const gint64 t = c2h_stix_time(r);
    char a[C2H_ADDR_STRLEN];
    char infra_id[64], id[64];
    g_autofree char *infra_name = g_strdup_printf("infrastructure|botnet|%s", r->profile->name);
    make_id(infra_id, sizeof infra_id, "infrastructure", infra_name);

    guint counts[8] = {0};
    gboolean any = FALSE;
    gint64 first = 0, last = 0;
    for (guint i = 0; i < labels->len; i++) {
        const c2h_label *l = &g_array_index(labels, c2h_label, i);
        counts[l->role]++;
        if (is_indicated(l) && have_times(l)) {
            first = any ? MIN(first, l->first_ms) : l->first_ms;
            last = any ? MAX(last, l->last_ms) : l->last_ms;
            any = TRUE;
        }
    }

    GString *objs = g_string_new(NULL);
    /* The bundle's id: a UUID of "bundle|" and every object id, in bundle order. */
    GString *ids = g_string_new("bundle|"), *rel_ids = g_string_new(NULL);
    /* The botnet. */
    object_head(objs, "infrastructure", infra_id, t);
    g_autofree char *name = g_strdup_printf("%s botnet", r->profile->name);
    append_str(objs, "name", name);
    g_autofree char *desc = g_strdup_printf(
        "Command-and-control infrastructure mapped by c2hunt (profile %s) from NetFlow: %u c2, %u c2_predicted "
        "(staged), %u controller, %u backend; %u victims beacon to it.",
        r->profile->name, counts[C2H_ROLE_C2], counts[C2H_ROLE_C2_PREDICTED], counts[C2H_ROLE_CONTROLLER],
        counts[C2H_ROLE_BACKEND], counts[C2H_ROLE_VICTIM]);
    append_str(objs, "description", desc);
    g_string_append(objs, ", \"infrastructure_types\": [\"botnet\", \"command-and-control\"]");
    if (any) {
        append_time_prop(objs, "first_seen", first);
        append_time_prop(objs, "last_seen", last);
    }
    g_string_append(objs, "}");
    g_string_append(ids, infra_id);

    /* Indicators, then relationships, both in roles.csv order. */
    GString *rels = g_string_new(NULL);
    for (guint i = 0; i < labels->len; i++) {
        const c2h_label *l = &g_array_index(labels, c2h_label, i);
        if (!is_indicated(l))
            continue;
        const char *role = c2h_role_name(l->role);
        c2h_addr_format(&l->addr, a);
        g_autofree char *key = g_strdup_printf("indicator|%s|%s", role, a);
        make_id(id, sizeof id, "indicator", key);
        int conf = c2h_stix_confidence(l);

        g_string_append(objs, ",\n");
        object_head(objs, "indicator", id, t);
        g_autofree char *title = g_strdup_printf("%s %s", role_title(l->role), a);
        append_str(objs, "name", title);
        GString *d = g_string_new(NULL);
        describe(d, r, l);
        append_str(objs, "description", d->str);
        g_string_free(d, TRUE);
        g_string_append(objs, ", \"indicator_types\": [\"malicious-activity\"]");
        g_autofree char *pattern =
            g_strdup_printf("[%s:value = '%s']", c2h_addr_is_v4(&l->addr) ? "ipv4-addr" : "ipv6-addr", a);
        append_str(objs, "pattern", pattern);
        g_string_append(objs, ", \"pattern_type\": \"stix\", \"pattern_version\": \"2.1\"");
        append_time_prop(objs, "valid_from", have_times(l) ? l->first_ms : t);
        g_string_append_printf(objs, ", \"labels\": [\"%s\"], \"confidence\": %d}", role, conf);
        g_string_append_c(ids, ',');
        g_string_append(ids, id);

        char rel_id[64];
        g_autofree char *rel_key = g_strdup_printf("relationship|indicates|%s|%s", id, infra_id);
        make_id(rel_id, sizeof rel_id, "relationship", rel_key);
        g_string_append(rels, ",\n");
        object_head(rels, "relationship", rel_id, t);
        g_string_append_printf(rels, ", \"relationship_type\": \"indicates\", \"source_ref\": \"%s\", \"target_ref\": \"%s\"",
                               id, infra_id);
        g_autofree char *rdesc = g_strdup_printf("%s %s belongs to the %s.", role, a, name);
        append_str(rels, "description", rdesc);
        g_string_append_printf(rels, ", \"confidence\": %d}", conf);
        g_string_append_c(rel_ids, ',');
        g_string_append(rel_ids, rel_id);
    }

    g_string_append_len(ids, rel_ids->str, (gssize)rel_ids->len);
    g_string_free(rel_ids, TRUE);
    char bundle_id[64];
    make_id(bundle_id, sizeof bundle_id, "bundle", ids->str);
    GString *s = g_string_new("{\n");
    g_string_append_printf(s, "  \"type\": \"bundle\",\n  \"id\": \"%s\",\n  \"objects\": [\n", bundle_id);
    g_string_append_len(s, objs->str, (gssize)objs->len);
    g_string_append_len(s, rels->str, (gssize)rels->len);
    g_string_append(s, "\n  ]\n}\n");
    g_string_free(objs, TRUE);
    g_string_free(rels, TRUE);
    g_string_free(ids, TRUE);
    return s;
}
