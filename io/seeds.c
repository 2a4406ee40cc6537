/* seeds.c: seed files, plain, Feodo Tracker CSV or Maltrail trail (see seeds.h). */
#include "io/seeds.h"

#include "io/flowsrc.h"

#include <stdio.h>

#define MAX_WARNINGS 20 /* warnings kept word for word; the rest are counted */

typedef struct reader {
    const char *path;
    const c2h_seeds_opts *opts;
    c2h_seeds *s;
    GArray *rows;           /* c2h_seed, every row that passed the filters */
    GHashTable *family_rows; /* family -> rows (GUINT_TO_POINTER) */
    guint warned;
} reader;

/* ---------------------------------------------------------------- helpers */

static void warn(reader *r, guint line, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void warn(reader *r, guint line, const char *fmt, ...)
{
    r->warned++;
    if (r->warned > MAX_WARNINGS)
        return;
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (line > 0)
        g_ptr_array_add(r->s->warnings, g_strdup_printf("%s:%u: %s", r->path, line, text));
    else
        g_ptr_array_add(r->s->warnings, g_strdup_printf("%s: %s", r->path, text));
}

typedef enum { ADDR_OK, ADDR_SPECIAL, ADDR_UNUSABLE } addr_kind;

/* What kind of address a is, and in *what a word for it when it is not plainly public. */
static addr_kind classify(const c2h_addr *a, const char **what)
{
    if (c2h_addr_is_v4(a)) {
        guint32 v = c2h_addr_v4(a);
        static const struct {
            guint32 net, mask;
            addr_kind kind;
            const char *what;
        } v4[] = {
            {0x00000000, 0xff000000, ADDR_UNUSABLE, "in 0.0.0.0/8 (this network)"},
            {0x7f000000, 0xff000000, ADDR_UNUSABLE, "a loopback address"},
            {0xe0000000, 0xf0000000, ADDR_UNUSABLE, "a multicast address"},
            {0xf0000000, 0xf0000000, ADDR_UNUSABLE, "reserved (240.0.0.0/4) or the broadcast address"},
            {0x0a000000, 0xff000000, ADDR_SPECIAL, "a private address (10.0.0.0/8)"},
            {0xac100000, 0xfff00000, ADDR_SPECIAL, "a private address (172.16.0.0/12)"},
            {0xc0a80000, 0xffff0000, ADDR_SPECIAL, "a private address (192.168.0.0/16)"},
            {0x64400000, 0xffc00000, ADDR_SPECIAL, "a shared (carrier-grade NAT) address (100.64.0.0/10)"},
            {0xa9fe0000, 0xffff0000, ADDR_SPECIAL, "a link-local address (169.254.0.0/16)"},
            {0xc0000200, 0xffffff00, ADDR_SPECIAL, "a documentation address (192.0.2.0/24)"},
            {0xc6336400, 0xffffff00, ADDR_SPECIAL, "a documentation address (198.51.100.0/24)"},
            {0xcb007100, 0xffffff00, ADDR_SPECIAL, "a documentation address (203.0.113.0/24)"},
            {0xc6120000, 0xfffe0000, ADDR_SPECIAL, "a benchmarking address (198.18.0.0/15)"},
        };
        for (gsize i = 0; i < G_N_ELEMENTS(v4); i++)
            if ((v & v4[i].mask) == v4[i].net) {
                *what = v4[i].what;
                return v4[i].kind;
            }
        return ADDR_OK;
    }
    static const guint8 zero[16] = {0}, one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    if (memcmp(a->b, zero, 16) == 0)
        return *what = "the unspecified address", ADDR_UNUSABLE;
    if (memcmp(a->b, one, 16) == 0)
        return *what = "the loopback address", ADDR_UNUSABLE;
    if (a->b[0] == 0xff)
        return *what = "a multicast address", ADDR_UNUSABLE;
    if ((a->b[0] & 0xfe) == 0xfc)
        return *what = "a unique local address (fc00::/7)", ADDR_SPECIAL;
    if (a->b[0] == 0xfe && (a->b[1] & 0xc0) == 0x80)
        return *what = "a link-local address (fe80::/10)", ADDR_SPECIAL;
    if (a->b[0] == 0x20 && a->b[1] == 0x01 && a->b[2] == 0x0d && a->b[3] == 0xb8)
        return *what = "a documentation address (2001:db8::/32)", ADDR_SPECIAL;
    return ADDR_OK;
}

/* Take one entry that passed the filters. */
static void add_row(reader *r, const c2h_addr *a, gint64 first_seen, const char *family, guint line)
{
    const char *what = NULL;
    char ip[C2H_ADDR_STRLEN];
    switch (classify(a, &what)) {
    case ADDR_UNUSABLE:
        r->s->unusable++;
        warn(r, line, "%s is %s: not a C2 on the Internet, left out", c2h_addr_format(a, ip), what);
        return;
    case ADDR_SPECIAL:
        r->s->private_kept++;
        warn(r, line, "%s is %s: kept (lab data may use it), but it is not a C2 on the Internet",
             c2h_addr_format(a, ip), what);
        break;
    case ADDR_OK:
        break;
    }
    c2h_seed s = {.addr = *a, .first_seen_ms = first_seen, .line = line};
    g_strlcpy(s.family, family ? family : "", sizeof s.family);
    g_array_append_val(r->rows, s);
}

/* Count a row of family f and say whether the filters keep it. */
static gboolean passes(reader *r, const char *family, gboolean family_matches, gint64 first_seen)
{
    r->s->entries++;
    if (family && *family) {
        gpointer n = g_hash_table_lookup(r->family_rows, family);
        g_hash_table_replace(r->family_rows, g_strdup(family), GUINT_TO_POINTER(GPOINTER_TO_UINT(n) + 1));
    }
    if (r->opts && r->opts->family && !family_matches) {
        r->s->other_family++;
        return FALSE;
    }
    gint64 before = r->opts ? r->opts->known_before_ms : 0;
    if (before != 0 && before != G_MAXINT64 && first_seen != G_MAXINT64 && first_seen >= before) {
        r->s->later++;
        return FALSE;
    }
    return TRUE;
}

static char *strip(char *s)
{
    return g_strstrip(s);
}

/* Split a CSV line into fields (double quotes around a field, "" inside one), trimmed. */
static GPtrArray *csv_fields(const char *s)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    GString *f = g_string_new(NULL);
    gboolean quoted = FALSE;
    for (const char *p = s;; p++) {
        if (quoted) {
            if (*p == '\0') {
                break;
            } else if (*p == '"' && p[1] == '"') {
                g_string_append_c(f, '"');
                p++;
            } else if (*p == '"') {
                quoted = FALSE;
            } else {
                g_string_append_c(f, *p);
            }
        } else if (*p == '"') {
            quoted = TRUE;
        } else if (*p == ',' || *p == '\0') {
            g_ptr_array_add(out, g_strdup(g_strstrip(f->str)));
            g_string_truncate(f, 0);
            if (*p == '\0')
                break;
        } else {
            g_string_append_c(f, *p);
        }
    }
    if (quoted) /* an open quote to the end of the line: take what there is */
        g_ptr_array_add(out, g_strdup(g_strstrip(f->str)));
    g_string_free(f, TRUE);
    return out;
}

static gboolean name_is(const char *s, const char *const *names)
{
    for (; *names; names++)
        if (g_ascii_strcasecmp(s, *names) == 0)
            return TRUE;
    return FALSE;
}

static const char *const ip_names[] = {"dst_ip", "dstip", "ip_address", NULL};
static const char *const first_seen_names[] = {"first_seen_utc", "first_seen", "firstseen", NULL};
static const char *const family_names[] = {"malware", NULL};

/* Is s (a line, or a comment's text) a Feodo Tracker header? */
static gboolean is_feodo_header(const char *s)
{
    if (strchr(s, ',') == NULL)
        return FALSE;
    GPtrArray *f = csv_fields(s);
    gboolean yes = FALSE;
    for (guint i = 0; i < f->len && !yes; i++)
        yes = name_is(f->pdata[i], ip_names);
    g_ptr_array_free(f, TRUE);
    return yes;
}

/* "2021-01-17 07:30:05" (UTC; 'T' taken too) to ms. */
static gboolean parse_utc(const char *s, gint64 *ms)
{
    if (strlen(s) != 19 || (s[10] != ' ' && s[10] != 'T'))
        return FALSE;
    char iso[24];
    memcpy(iso, s, 19);
    iso[10] = 'T';
    iso[19] = 'Z';
    iso[20] = '\0';
    return c2h_time_parse_iso(iso, ms);
}

/* ---------------------------------------------------------------- the three kinds */

static gboolean read_plain(reader *r, char **lines, GError **err)
{
    for (guint i = 0; lines[i]; i++) {
        char *hash = strchr(lines[i], '#');
        if (hash)
            *hash = '\0';
        char *s = strip(lines[i]);
        if (*s == '\0')
            continue;
        c2h_addr a;
        if (!c2h_addr_parse(s, strlen(s), &a)) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%u: '%s' is not an IPv4 or IPv6 address", r->path, i + 1, s);
            return FALSE;
        }
        if (passes(r, NULL, FALSE, G_MAXINT64))
            add_row(r, &a, G_MAXINT64, NULL, i + 1);
    }
    return TRUE;
}

static gboolean read_feodo(reader *r, char **lines, guint header, GError **err)
{
    char *h = strip(lines[header]);
    if (*h == '#')
        h = strip(h + 1);
    GPtrArray *names = csv_fields(h);
    int col_ip = -1, col_first = -1, col_family = -1;
    for (guint i = 0; i < names->len; i++) {
        if (col_ip < 0 && name_is(names->pdata[i], ip_names))
            col_ip = (int)i;
        else if (col_first < 0 && name_is(names->pdata[i], first_seen_names))
            col_first = (int)i;
        else if (col_family < 0 && name_is(names->pdata[i], family_names))
            col_family = (int)i;
    }
    guint ncols = names->len;
    g_ptr_array_free(names, TRUE);
    if (r->opts && r->opts->family && col_family < 0) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,
                    "%s:%u: this Feodo Tracker-style list has no malware column, so it cannot be filtered by family",
                    r->path, header + 1);
        return FALSE;
    }
    guint rows = 0;
    gint64 end_count = -1;
    guint end_line = 0;
    for (guint i = header + 1; lines[i]; i++) {
        char *s = strip(lines[i]);
        if (*s == '\0')
            continue;
        if (*s == '#') {
            unsigned n;
            char tail[16];
            if (sscanf(s, "# END %u %15s", &n, tail) == 2 && strcmp(tail, "entries") == 0)
                end_count = n, end_line = i + 1;
            continue;
        }
        GPtrArray *f = csv_fields(s);
        if (f->len != ncols) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%u: %u fields where the header (line %u) has %u", r->path,
                        i + 1, f->len, header + 1, ncols);
            g_ptr_array_free(f, TRUE);
            return FALSE;
        }
        const char *ip = f->pdata[col_ip];
        c2h_addr a;
        if (!c2h_addr_parse(ip, strlen(ip), &a)) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%u: '%s' is not an IPv4 or IPv6 address", r->path, i + 1, ip);
            g_ptr_array_free(f, TRUE);
            return FALSE;
        }
        gint64 first = G_MAXINT64;
        if (col_first >= 0 && *(char *)f->pdata[col_first] != '\0' && !parse_utc(f->pdata[col_first], &first)) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%u: first_seen '%s' is not a time like 2021-01-17 07:30:05",
                        r->path, i + 1, (char *)f->pdata[col_first]);
            g_ptr_array_free(f, TRUE);
            return FALSE;
        }
        const char *family = col_family >= 0 ? f->pdata[col_family] : NULL;
        gboolean match = family && r->opts && r->opts->family && g_ascii_strcasecmp(family, r->opts->family) == 0;
        rows++;
        if (passes(r, family, match, first))
            add_row(r, &a, first, family, i + 1);
        g_ptr_array_free(f, TRUE);
    }
    if (end_count >= 0 && (guint64)end_count != rows)
        warn(r, end_line, "the list says END %" G_GINT64_FORMAT " entries, %u were read: a cut or altered copy?",
             end_count, rows);
    return TRUE;
}

/* A Maltrail entry that looks like an address (digits, dots, colons; an IPv4 with :port or
 * ;port). @return 1 for an address, 0 for a name, -1 with err for a malformed address. */
static int maltrail_addr(reader *r, guint line, const char *s, c2h_addr *a, GError **err)
{
    if (c2h_addr_parse(s, strlen(s), a))
        return 1;
    if (!g_ascii_isdigit(s[0]) || s[strspn(s, "0123456789.:;")] != '\0')
        return 0; /* a name, a URL, a path */
    const char *sep = strpbrk(s, ":;");
    guint64 port = 0;
    if (sep != NULL && c2h_addr_parse(s, (size_t)(sep - s), a) && c2h_addr_is_v4(a) &&
        g_ascii_string_to_unsigned(sep + 1, 10, 1, 65535, &port, NULL))
        return 1;
    g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%u: '%s' is not an IPv4 address or IPv4:port", r->path, line, s);
    return -1;
}

static gboolean read_maltrail(reader *r, char **lines, GError **err)
{
    /* The family: the file's name if it is one of the aliases, else the first alias. */
    g_auto(GStrv) aliases = NULL;
    for (guint i = 0; lines[i] && aliases == NULL; i++) {
        const char *s = lines[i];
        while (*s == ' ' || *s == '\t')
            s++;
        if (g_str_has_prefix(s, "# Aliases:")) {
            aliases = g_strsplit(s + strlen("# Aliases:"), ",", -1);
            for (char **p = aliases; *p; p++)
                g_strstrip(*p);
        }
    }
    g_autofree char *base = g_path_get_basename(r->path);
    char *dot = strrchr(base, '.');
    if (dot)
        *dot = '\0';
    const char *family = base;
    if (aliases && aliases[0] && !g_strv_contains((const char *const *)aliases, base))
        family = aliases[0];
    gboolean match = FALSE;
    if (r->opts && r->opts->family) {
        match = g_ascii_strcasecmp(r->opts->family, family) == 0;
        for (char **p = aliases; p && *p && !match; p++)
            match = g_ascii_strcasecmp(r->opts->family, *p) == 0;
    }
    for (guint i = 0; lines[i]; i++) {
        char *s = strip(lines[i]);
        if (*s == '\0' || *s == '#')
            continue;
        char *cmt = strstr(s, " #");
        if (cmt) {
            *cmt = '\0';
            s = strip(s);
        }
        c2h_addr a;
        int got = maltrail_addr(r, i + 1, s, &a, err);
        if (got < 0)
            return FALSE;
        if (got == 0) {
            r->s->names++;
            continue;
        }
        if (passes(r, family, match, G_MAXINT64))
            add_row(r, &a, G_MAXINT64, family, i + 1);
    }
    return TRUE;
}

/* ---------------------------------------------------------------- the file */

static int seed_cmp(const void *pa, const void *pb)
{
    const c2h_seed *a = pa, *b = pb;
    int c = c2h_addr_cmp(&a->addr, &b->addr);
    if (c != 0)
        return c;
    if (a->first_seen_ms != b->first_seen_ms)
        return a->first_seen_ms < b->first_seen_ms ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

static gint str_ptr_cmp(gconstpointer a, gconstpointer b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    int c = g_ascii_strcasecmp(x, y);
    return c != 0 ? c : strcmp(x, y);
}

/* How to read the file: a Feodo header (row or comment) before the first data line, or a
 * Maltrail comment among the leading ones, else plain. */
static c2h_seeds_format detect(char **lines, guint *header)
{
    gboolean maltrail = FALSE;
    for (guint i = 0; lines[i]; i++) {
        g_autofree char *s = g_strstrip(g_strdup(lines[i]));
        if (*s == '\0')
            continue;
        if (*s == '#') {
            char *body = g_strstrip(s + 1);
            if (is_feodo_header(body))
                return *header = i, C2H_SEEDS_FEODO;
            g_autofree char *lower = g_ascii_strdown(body, -1);
            if (strstr(lower, "maltrail") != NULL || g_str_has_prefix(body, "Aliases:"))
                maltrail = TRUE;
            continue;
        }
        if (is_feodo_header(s))
            return *header = i, C2H_SEEDS_FEODO;
        break;
    }
    return maltrail ? C2H_SEEDS_MALTRAIL : C2H_SEEDS_PLAIN;
}

const char *c2h_seeds_format_name(c2h_seeds_format f)
{
    return f == C2H_SEEDS_FEODO ? "feodo" : f == C2H_SEEDS_MALTRAIL ? "maltrail" : "plain";
}

void c2h_seeds_free(c2h_seeds *s)
{
    if (s == NULL)
        return;
    if (s->seeds)
        g_array_free(s->seeds, TRUE);
    if (s->warnings)
        g_ptr_array_free(s->warnings, TRUE);
    g_free(s->families);
    g_free(s);
}

c2h_seeds *c2h_seeds_read(const char *path, const c2h_seeds_opts *opts, GError **err)
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
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: a binary file, not a seed list", path);
        return NULL;
    }
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **p = lines; *p; p++) { /* CRLF files */
        size_t n = strlen(*p);
        if (n > 0 && (*p)[n - 1] == '\r')
            (*p)[n - 1] = '\0';
    }
    c2h_seeds *s = g_new0(c2h_seeds, 1);
    s->warnings = g_ptr_array_new_with_free_func(g_free);
    reader r = {.path = path, .opts = opts, .s = s, .rows = g_array_new(FALSE, FALSE, sizeof(c2h_seed)),
                .family_rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL)};
    guint header = 0;
    s->format = detect(lines, &header);
    gboolean ok;
    if (s->format != C2H_SEEDS_PLAIN || opts == NULL || opts->family == NULL) {
        ok = s->format == C2H_SEEDS_FEODO      ? read_feodo(&r, lines, header, err)
             : s->format == C2H_SEEDS_MALTRAIL ? read_maltrail(&r, lines, err)
                                               : read_plain(&r, lines, err);
    } else {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,
                    "%s: a plain list of addresses names no malware families, so it cannot be filtered by family "
                    "(families come with Feodo Tracker CSV and Maltrail trails)",
                    path);
        ok = FALSE;
    }
    if (r.warned > MAX_WARNINGS)
        g_ptr_array_add(s->warnings, g_strdup_printf("%s: %u more warnings like these", path, r.warned - MAX_WARNINGS));

    /* Families, by name. */
    GPtrArray *fams = g_ptr_array_new();
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, r.family_rows);
    while (g_hash_table_iter_next(&it, &k, &v))
        g_ptr_array_add(fams, k);
    g_ptr_array_sort(fams, str_ptr_cmp);
    GString *ft = g_string_new(NULL);
    for (guint i = 0; i < fams->len; i++)
        g_string_append_printf(ft, "%s%s %u", i ? ", " : "", (char *)fams->pdata[i],
                               GPOINTER_TO_UINT(g_hash_table_lookup(r.family_rows, fams->pdata[i])));
    s->families = g_string_free(ft, FALSE);
    g_ptr_array_free(fams, TRUE);
    g_hash_table_destroy(r.family_rows);

    /* One seed per address: its earliest row. */
    g_array_sort(r.rows, seed_cmp);
    guint w = 0;
    for (guint i = 0; i < r.rows->len; i++)
        if (w == 0 || c2h_addr_cmp(&g_array_index(r.rows, c2h_seed, w - 1).addr, &g_array_index(r.rows, c2h_seed, i).addr) != 0)
            g_array_index(r.rows, c2h_seed, w++) = g_array_index(r.rows, c2h_seed, i);
    g_array_set_size(r.rows, w);
    s->seeds = r.rows;
    if (!ok) {
        c2h_seeds_free(s);
        return NULL;
    }
    return s;
}

GArray *c2h_seeds_load(const char *path, GError **err)
{
    c2h_seeds *s = c2h_seeds_read(path, NULL, err);
    if (s == NULL)
        return NULL;
    GArray *out = g_array_sized_new(FALSE, FALSE, sizeof(c2h_addr), s->seeds->len);
    for (guint i = 0; i < s->seeds->len; i++)
        g_array_append_val(out, g_array_index(s->seeds, c2h_seed, i).addr);
    c2h_seeds_free(s);
    return out;
}
