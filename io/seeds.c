/* seeds.c: the seeds file. */
#include "io/seeds.h"

#include "io/flowsrc.h"

static int addr_qcmp(const void *a, const void *b)
{
    return c2h_addr_cmp(a, b);
}

GArray *c2h_seeds_load(const char *path, GError **err)
{
    g_autofree char *text = NULL;
    gsize len = 0;
    GError *e = NULL;
    if (!g_file_get_contents(path, &text, &len, &e)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s", e->message);
        g_error_free(e);
        return NULL;
    }
    GArray *out = g_array_new(FALSE, FALSE, sizeof(c2h_addr));
    guint lineno = 0;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = g_strstrip(line);
        if (*s) {
            c2h_addr a;
            if (!c2h_addr_parse(s, strlen(s), &a)) {
                g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%u: '%s' is not an IPv4 or IPv6 address", path,
                            lineno, s);
                g_array_free(out, TRUE);
                return NULL;
            }
            g_array_append_val(out, a);
        }
        line = nl ? nl + 1 : NULL;
    }
    g_array_sort(out, addr_qcmp);
    guint w = 0;
    for (guint i = 0; i < out->len; i++)
        if (w == 0 || c2h_addr_cmp(&g_array_index(out, c2h_addr, w - 1), &g_array_index(out, c2h_addr, i)) != 0)
            g_array_index(out, c2h_addr, w++) = g_array_index(out, c2h_addr, i);
    g_array_set_size(out, w);
    return out;
}
