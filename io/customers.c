/* customers.c: the customer map of --customers: `cidr,customer` lines, longest prefix wins.
 *
 * The file: one network a line, `CIDR,NAME`; blank lines and lines starting with '#' are
 * skipped; a first line `cidr,customer` (any case) is a header. CIDR is an IPv4 or IPv6
 * network with its host bits zero (10.1.0.0/16, 2001:db8::/32), or a bare address (a /32 or
 * a /128). NAME is the rest of the line, spaces trimmed, or one CSV-quoted field ("a ""b""").
 * NAME must be UTF-8 (a UTF-8 byte order mark at the start of the file is skipped). The
 * same network twice is an error, even under the same name.
 *
 * Lookups: the loaded array is sorted by prefix length, longest first, then by network. For
 * each distinct prefix length (at most 129) c2h_customer_of masks the address and binary-
 * searches that block, so the first hit is the longest match. */
#include "io/customers.h"

#include "io/flowsrc.h"

#include <string.h>

static void mask_to(c2h_addr *a, guint len)
{
    for (guint i = 0; i < 16; i++) {
        guint bits = len > i * 8 ? MIN(len - i * 8, 8u) : 0;
        a->b[i] &= (guint8)(bits == 8 ? 0xff : (0xff00u >> bits) & 0xff);
    }
}

static int customer_cmp(const void *x, const void *y)
{
    const c2h_customer *a = x, *b = y;
    if (a->prefix_len != b->prefix_len)
        return a->prefix_len > b->prefix_len ? -1 : 1;
    return c2h_addr_cmp(&a->net, &b->net);
}

/* Parse "a.b.c.d/n", "x::/n" or a bare address into *net, *len (128-bit space). On failure
 * set *why to a static reason. */
static gboolean parse_cidr(const char *s, c2h_addr *net, guint8 *len, const char **why)
{
    const char *slash = strchr(s, '/');
    size_t alen = slash ? (size_t)(slash - s) : strlen(s);
    if (!c2h_addr_parse(s, alen, net)) {
        *why = "not an IPv4 or IPv6 address";
        return FALSE;
    }
    gboolean v4 = c2h_addr_is_v4(net) && memchr(s, ':', alen) == NULL;
    guint64 n = v4 ? 32 : 128;
    if (slash) {
        GError *e = NULL;
        if (!g_ascii_string_to_unsigned(slash + 1, 10, 0, v4 ? 32 : 128, &n, &e)) {
            g_error_free(e);
            *why = v4 ? "the prefix length is not a number from 0 to 32" : "the prefix length is not a number from 0 to 128";
            return FALSE;
        }
    }
    *len = (guint8)(v4 ? 96 + n : n);
    c2h_addr masked = *net;
    mask_to(&masked, *len);
    if (c2h_addr_cmp(&masked, net) != 0) {
        *why = "host bits are set";
        return FALSE;
    }
    return TRUE;
}

/* The name field: a CSV-quoted field, or the rest of the line. @return a new string or NULL
 * (with *why) when it is empty or its quotes are broken. */
static char *parse_name(const char *s, const char **why)
{
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s != '"') {
        char *name = g_strstrip(g_strdup(s));
        if (*name == '\0') {
            *why = "no customer name";
            g_free(name);
            return NULL;
        }
        return name;
    }
    GString *out = g_string_new(NULL);
    const char *p = s + 1;
    for (;;) {
        if (*p == '\0') {
            *why = "the quoted customer name has no closing quote";
            g_string_free(out, TRUE);
            return NULL;
        }
        if (*p == '"' && p[1] == '"') {
            g_string_append_c(out, '"');
            p += 2;
        } else if (*p == '"') {
            p++;
            break;
        } else {
            g_string_append_c(out, *p++);
        }
    }
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != '\0') {
        *why = "text after the quoted customer name";
        g_string_free(out, TRUE);
        return NULL;
    }
    if (out->len == 0) {
        *why = "no customer name";
        g_string_free(out, TRUE);
        return NULL;
    }
    return g_string_free(out, FALSE);
}

void c2h_customers_free(GArray *customers)
{
    if (customers == NULL)
        return;
    for (guint i = 0; i < customers->len; i++)
        g_free(g_array_index(customers, c2h_customer, i).name);
    g_array_free(customers, TRUE);
}

typedef struct entry {
    c2h_customer c; /* first: customer_cmp sorts entries */
    guint line;
} entry;

static void entries_free(GArray *entries)
{
    for (guint i = 0; i < entries->len; i++)
        g_free(g_array_index(entries, entry, i).c.name);
    g_array_free(entries, TRUE);
}

GArray *c2h_customers_load(const char *path, GError **err)
{
    g_autofree char *text = NULL;
    gsize len = 0;
    GError *e = NULL;
    if (!g_file_get_contents(path, &text, &len, &e)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s", e->message);
        g_error_free(e);
        return NULL;
    }
    if (memchr(text, '\0', len) != NULL) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: not a text file (NUL byte)", path);
        return NULL;
    }
    GArray *entries = g_array_new(FALSE, FALSE, sizeof(entry));
    guint lineno = 0;
    gboolean first = TRUE;
    char *start = text;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) /* a UTF-8 byte order mark (spreadsheet exports) */
        start += 3;
    for (char *line = start; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        char *s = g_strstrip(line);
        line = nl ? nl + 1 : NULL;
        if (*s == '\0' || *s == '#')
            continue;
        char *comma = strchr(s, ',');
        char *field = comma ? g_strndup(s, (gsize)(comma - s)) : g_strdup(s);
        g_strstrip(field);
        gboolean header = first && g_ascii_strcasecmp(field, "cidr") == 0;
        first = FALSE;
        if (header) {
            g_free(field);
            continue;
        }
        entry en = {.line = lineno};
        const char *why = NULL;
        if (!parse_cidr(field, &en.c.net, &en.c.prefix_len, &why))
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%u: '%s' is not a CIDR network: %s", path, lineno, field,
                        why);
        else if (comma == NULL)
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%u: no customer name (a line is CIDR,NAME)", path, lineno);
        else if (!g_utf8_validate(comma + 1, -1, NULL))
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%u: the customer name is not UTF-8", path, lineno);
        else if ((en.c.name = parse_name(comma + 1, &why)) == NULL)
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%u: %s", path, lineno, why);
        g_free(field);
        if (en.c.name == NULL) {
            entries_free(entries);
            return NULL;
        }
        g_array_append_val(entries, en);
    }
    g_array_sort(entries, customer_cmp);
    for (guint i = 1; i < entries->len; i++) {
        const entry *a = &g_array_index(entries, entry, i - 1), *b = &g_array_index(entries, entry, i);
        if (customer_cmp(a, b) == 0) {
            char net[C2H_ADDR_STRLEN];
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%u: the network %s/%u is already on line %u", path,
                        MAX(a->line, b->line), c2h_addr_format(&a->c.net, net),
                        c2h_addr_is_v4(&a->c.net) && a->c.prefix_len >= 96 ? a->c.prefix_len - 96u : a->c.prefix_len,
                        MIN(a->line, b->line));
            entries_free(entries);
            return NULL;
        }
    }
    GArray *out = g_array_sized_new(FALSE, FALSE, sizeof(c2h_customer), entries->len);
    for (guint i = 0; i < entries->len; i++)
        g_array_append_val(out, g_array_index(entries, entry, i).c);
    g_array_free(entries, TRUE); /* the names moved to out */
    return out;
}

const c2h_customer *c2h_customer_of(const GArray *customers, const c2h_addr *a)
{
    if (customers == NULL)
        return NULL;
    guint i = 0;
    while (i < customers->len) {
        guint8 len = g_array_index(customers, c2h_customer, i).prefix_len;
        guint j = i;
        while (j < customers->len && g_array_index(customers, c2h_customer, j).prefix_len == len)
            j++;
        c2h_addr m = *a;
        mask_to(&m, len);
        guint lo = i, hi = j;
        while (lo < hi) {
            guint mid = lo + (hi - lo) / 2;
            int c = c2h_addr_cmp(&g_array_index(customers, c2h_customer, mid).net, &m);
            if (c == 0)
                return &g_array_index(customers, c2h_customer, mid);
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        i = j;
    }
    return NULL;
}
