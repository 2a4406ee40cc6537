/* profile.c: the built-in trickbot profile and GKeyFile profiles. */
#include "detect/profile.h"

#include "io/flowsrc.h"

static void build_port_classes(c2h_profile *p)
{
    g_free(p->port_class);
    p->port_class = g_new(uint32_t, 65536);
    for (guint i = 0; i < 65536; i++)
        p->port_class[i] = C2H_PC_OTHER;
    /* Later groups do not override earlier ones: a C2 port stays a C2 port. */
    for (guint i = 0; i < p->n_admin_ports; i++)
        p->port_class[p->admin_ports[i]] = 1u << (C2H_PC_ADMIN_SHIFT + i);
    for (guint i = 0; i < p->n_web_ports; i++)
        p->port_class[p->web_ports[i]] = 1u << (C2H_PC_WEB_SHIFT + i);
    for (guint i = 0; i < p->n_c2_ports; i++)
        p->port_class[p->c2_ports[i]] = 1u << (C2H_PC_C2_SHIFT + i);
}

c2h_profile *c2h_profile_trickbot(void)
{
    c2h_profile *p = g_new0(c2h_profile, 1);
    p->name = g_strdup("trickbot");
    const guint16 c2[] = {447, 449, 8082}, web[] = {80, 443}, admin[] = {22, 23, 8291};
    memcpy(p->c2_ports, c2, sizeof c2);
    p->n_c2_ports = G_N_ELEMENTS(c2);
    memcpy(p->web_ports, web, sizeof web);
    p->n_web_ports = G_N_ELEMENTS(web);
    memcpy(p->admin_ports, admin, sizeof admin);
    p->n_admin_ports = G_N_ELEMENTS(admin);
    p->beacon_min_flows = 4;
    p->beacon_min_hours = 2;
    p->c2_min_victims = 2;
    p->c2_min_victim_share = 0.3;
    p->max_rounds = 64;
    p->controller_min_c2 = 3;
    p->controller_min_c2_share = 0.2;
    p->controller_min_specificity = 0.01;
    p->predicted_min_controllers = 2;
    p->predicted_max_others = 20;
    p->backend_min_c2 = 2;
    p->backend_max_others = 20;
    p->exchange_round_edges = 1u << 18;
    p->fanout_edge_cap = 200000;
    p->likely_touchers = 64;
    build_port_classes(p);
    return p;
}

void c2h_profile_free(c2h_profile *p)
{
    if (p == NULL)
        return;
    g_free(p->name);
    g_free(p->port_class);
    g_free(p);
}

static gboolean load_ports(GKeyFile *kf, const char *path, const char *key, guint16 *out, guint max, guint *n,
                           GError **err)
{
    if (!g_key_file_has_key(kf, "profile", key, NULL))
        return TRUE;
    gsize len = 0;
    GError *e = NULL;
    gint *v = g_key_file_get_integer_list(kf, "profile", key, &len, &e);
    if (e != NULL || len > max) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: [profile] %s: %s", path, key,
                    e ? e->message : "too many ports");
        g_clear_error(&e);
        g_free(v);
        return FALSE;
    }
    for (gsize i = 0; i < len; i++) {
        if (v[i] < 0 || v[i] > 65535) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: [profile] %s: %d is not a port", path, key, v[i]);
            g_free(v);
            return FALSE;
        }
        out[i] = (guint16)v[i];
    }
    *n = (guint)len;
    g_free(v);
    return TRUE;
}

static gboolean load_uint(GKeyFile *kf, const char *path, const char *key, guint64 lo, guint64 hi, guint64 *out,
                          GError **err)
{
    if (!g_key_file_has_key(kf, "profile", key, NULL))
        return TRUE;
    GError *e = NULL;
    guint64 v = g_key_file_get_uint64(kf, "profile", key, &e);
    if (e != NULL || v < lo || v > hi) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: [profile] %s: %s", path, key,
                    e ? e->message : "out of range");
        g_clear_error(&e);
        return FALSE;
    }
    *out = v;
    return TRUE;
}

static gboolean load_share(GKeyFile *kf, const char *path, const char *key, double *out, GError **err)
{
    if (!g_key_file_has_key(kf, "profile", key, NULL))
        return TRUE;
    GError *e = NULL;
    double v = g_key_file_get_double(kf, "profile", key, &e);
    if (e != NULL || !(v >= 0.0 && v <= 1.0)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: [profile] %s: %s", path, key,
                    e ? e->message : "must be between 0 and 1");
        g_clear_error(&e);
        return FALSE;
    }
    *out = v;
    return TRUE;
}

#define LOAD_UINT(field, lo, hi)                                                                                       \
    do {                                                                                                               \
        guint64 v_ = p->field;                                                                                         \
        if (!load_uint(kf, path, #field, lo, hi, &v_, err))                                                            \
            goto fail;                                                                                                 \
        p->field = v_;                                                                                                 \
    } while (0)

c2h_profile *c2h_profile_load(const char *name_or_path, GError **err)
{
    if (g_strcmp0(name_or_path, "trickbot") == 0 || name_or_path == NULL)
        return c2h_profile_trickbot();
    const char *path = name_or_path;
    GKeyFile *kf = g_key_file_new();
    GError *e = NULL;
    g_autofree char *name = NULL;
    c2h_profile *p = c2h_profile_trickbot(); /* a file overrides what it names */
    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &e)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: cannot read profile: %s", path, e->message);
        g_error_free(e);
        goto fail;
    }
    if (!g_key_file_has_group(kf, "profile")) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: no [profile] group", path);
        goto fail;
    }
    static const char *const known[] = {
        "name", "c2_ports", "web_ports", "admin_ports", "beacon_min_flows", "beacon_min_hours", "c2_min_victims",
        "c2_min_victim_share", "max_rounds", "controller_min_c2", "controller_min_c2_share",
        "controller_min_specificity", "predicted_min_controllers", "predicted_max_others", "backend_min_c2",
        "backend_max_others", "exchange_round_edges", "fanout_edge_cap", "likely_touchers", NULL};
    gchar **keys = g_key_file_get_keys(kf, "profile", NULL, NULL);
    for (gchar **k = keys; k && *k; k++)
        if (!g_strv_contains(known, *k)) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: [profile] %s: unknown key", path, *k);
            g_strfreev(keys);
            goto fail;
        }
    g_strfreev(keys);
    name = g_key_file_get_string(kf, "profile", "name", NULL);
    if (name) {
        g_free(p->name);
        p->name = g_steal_pointer(&name);
    }
    if (!load_ports(kf, path, "c2_ports", p->c2_ports, C2H_MAX_PORTS, &p->n_c2_ports, err) ||
        !load_ports(kf, path, "web_ports", p->web_ports, 8, &p->n_web_ports, err) ||
        !load_ports(kf, path, "admin_ports", p->admin_ports, 7, &p->n_admin_ports, err))
        goto fail;
    if (p->n_c2_ports == 0) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: [profile] c2_ports: at least one port needed", path);
        goto fail;
    }
    LOAD_UINT(beacon_min_flows, 1, G_MAXUINT);
    LOAD_UINT(beacon_min_hours, 1, 32);
    LOAD_UINT(c2_min_victims, 1, G_MAXUINT);
    LOAD_UINT(max_rounds, 1, 100000);
    LOAD_UINT(controller_min_c2, 1, G_MAXUINT);
    LOAD_UINT(predicted_min_controllers, 1, G_MAXUINT);
    LOAD_UINT(predicted_max_others, 0, G_MAXUINT);
    LOAD_UINT(backend_min_c2, 1, G_MAXUINT);
    LOAD_UINT(backend_max_others, 0, G_MAXUINT);
    LOAD_UINT(exchange_round_edges, 1, 1u << 24);
    LOAD_UINT(fanout_edge_cap, 1, G_MAXUINT64);
    LOAD_UINT(likely_touchers, 0, 4096);
    if (!load_share(kf, path, "c2_min_victim_share", &p->c2_min_victim_share, err) ||
        !load_share(kf, path, "controller_min_c2_share", &p->controller_min_c2_share, err) ||
        !load_share(kf, path, "controller_min_specificity", &p->controller_min_specificity, err))
        goto fail;
    build_port_classes(p);
    g_key_file_free(kf);
    return p;
fail:
    g_key_file_free(kf);
    c2h_profile_free(p);
    return NULL;
}

static void set_share(GKeyFile *kf, const char *key, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_key_file_set_string(kf, "profile", key, g_ascii_formatd(buf, sizeof buf, "%g", v));
}

char *c2h_profile_to_data(const c2h_profile *p)
{
    GKeyFile *kf = g_key_file_new();
    gint ports[C2H_MAX_PORTS];
    g_key_file_set_string(kf, "profile", "name", p->name);
    for (guint i = 0; i < p->n_c2_ports; i++)
        ports[i] = p->c2_ports[i];
    g_key_file_set_integer_list(kf, "profile", "c2_ports", ports, p->n_c2_ports);
    for (guint i = 0; i < p->n_web_ports; i++)
        ports[i] = p->web_ports[i];
    g_key_file_set_integer_list(kf, "profile", "web_ports", ports, p->n_web_ports);
    for (guint i = 0; i < p->n_admin_ports; i++)
        ports[i] = p->admin_ports[i];
    g_key_file_set_integer_list(kf, "profile", "admin_ports", ports, p->n_admin_ports);
    g_key_file_set_uint64(kf, "profile", "beacon_min_flows", p->beacon_min_flows);
    g_key_file_set_uint64(kf, "profile", "beacon_min_hours", p->beacon_min_hours);
    g_key_file_set_uint64(kf, "profile", "c2_min_victims", p->c2_min_victims);
    set_share(kf, "c2_min_victim_share", p->c2_min_victim_share);
    g_key_file_set_uint64(kf, "profile", "max_rounds", p->max_rounds);
    g_key_file_set_uint64(kf, "profile", "controller_min_c2", p->controller_min_c2);
    set_share(kf, "controller_min_c2_share", p->controller_min_c2_share);
    set_share(kf, "controller_min_specificity", p->controller_min_specificity);
    g_key_file_set_uint64(kf, "profile", "predicted_min_controllers", p->predicted_min_controllers);
    g_key_file_set_uint64(kf, "profile", "predicted_max_others", p->predicted_max_others);
    g_key_file_set_uint64(kf, "profile", "backend_min_c2", p->backend_min_c2);
    g_key_file_set_uint64(kf, "profile", "backend_max_others", p->backend_max_others);
    g_key_file_set_uint64(kf, "profile", "exchange_round_edges", p->exchange_round_edges);
    g_key_file_set_uint64(kf, "profile", "fanout_edge_cap", p->fanout_edge_cap);
    g_key_file_set_uint64(kf, "profile", "likely_touchers", p->likely_touchers);
    char *s = g_key_file_to_data(kf, NULL, NULL);
    g_key_file_free(kf);
    return s;
}
