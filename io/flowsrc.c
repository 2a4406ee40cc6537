/* flowsrc.c: format dispatch of the input-format interface. */
#include "io/flowsrc.h"

G_DEFINE_QUARK(c2h-error-quark, c2h_error)

const char *const c2h_flowsrc_formats[] = {"nfcapd", "nfdump-csv", "ipfix", "binetflow", NULL};

c2h_flowsrc *c2h_flowsrc_open(const char *format, const char *path, const c2h_flowsrc_opts *opts, GError **err)
{
    if (g_strcmp0(format, "nfdump-csv") == 0)
        return c2h_nfcsv_open(path, opts, err);
    if (g_strcmp0(format, "nfcapd") == 0)
        return c2h_nfcapd_open(path, opts, err);
    if (g_strcmp0(format, "ipfix") == 0)
        return c2h_ipfix_open(path, opts, err);
    if (g_strcmp0(format, "binetflow") == 0)
        return c2h_binetflow_open(path, opts, err);
    g_autofree char *known = g_strjoinv(", ", (char **)c2h_flowsrc_formats);
    g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "unknown input format '%s' (known: %s)", format ? format : "(none)",
                known);
    return NULL;
}

void c2h_flowsrc_close(c2h_flowsrc *src)
{
    if (src == NULL)
        return;
    if (src->ops && src->ops->close)
        src->ops->close(src);
    g_free(src->name);
    g_free(src);
}
