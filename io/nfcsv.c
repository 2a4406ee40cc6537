/* nfcsv.c: nfdump 1.7's "-o csv" text, read as a flowsrc and written.
 *
 * The reader pulls 1 MiB blocks from a file descriptor (or, for nfcapd.c, from any read
 * function), finds the columns it needs by the header's names, and parses fields by hand:
 * no allocation and no GDateTime per line. Local times become UTC through a small cache
 * of the zone's offset per local hour. The writer prints what nfdump 1.7.1 prints with
 * -o csv, times in UTC.
 */
#include "io/nfcsv.h"
#include "io/flowsrc.h"
#include "io/tzconv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#define NFCSV_BLOCK ((gsize)1 << 20)     /* bytes asked of each read */
#define NFCSV_MAX_LINE ((gsize)16 << 20) /* a longer line is an error, not a bad row */
#define NFCSV_REASON 256                 /* room for a bad row's reason */
#define STDIN_NAME "(standard input)"

/* ---------------------------------------------------------------- protocol names */

/* nfdump 1.7.1's protocol names (output_util.c, protoList), indexed by number; numbers from
 * 138 up print as "%-5i". 38 repeats 35's "IDPR" and 94 repeats 4's "IPIP": a reader cannot
 * tell them apart, so the writer prints those two as numbers. */
#define NF_NPROTO 138
static const char *const nf_proto[NF_NPROTO] = {
    "0",     "ICMP",  "IGMP",  "GGP",   "IPIP",  "ST",    "TCP",   "CBT",   "EGP",   "IGP",   "BBN",   "NVPII",
    "PUP",   "ARGUS", "ENCOM", "XNET",  "CHAOS", "UDP",   "MUX",   "DCN",   "HMP",   "PRM",   "XNS",   "Trnk1",
    "Trnk2", "Leaf1", "Leaf2", "RDP",   "IRTP",  "ISO-4", "NETBK", "MFESP", "MEINP", "DCCP",  "3PC",   "IDPR",
    "XTP",   "DDP",   "IDPR",  "TP++",  "IL",    "IPv6",  "SDRP",  "Rte6",  "Frag6", "IDRP",  "RSVP",  "GRE",
    "MHRP",  "BNA",   "ESP",   "AH",    "INLSP", "SWIPE", "NARP",  "MOBIL", "TLSP",  "SKIP",  "ICMP6", "NOHE6",
    "OPTS6", "HOST",  "CFTP",  "NET",   "SATNT", "KLAN",  "RVD",   "IPPC",  "FS",    "SATM",  "VISA",  "IPCV",
    "CPNX",  "CPHB",  "WSN",   "PVP",   "BSATM", "SUNND", "WBMON", "WBEXP", "ISOIP", "VMTP",  "SVMTP", "VINES",
    "TTP",   "NSIGP", "DGP",   "TCF",   "EIGRP", "OSPF",  "S-RPC", "LARP",  "MTP",   "AX.25", "IPIP",  "MICP",
    "SCCSP", "ETHIP", "ENCAP", "99",    "GMTP",  "IFMP",  "PNNI",  "PIM",   "ARIS",  "SCPS",  "QNX",   "A/N",
    "IPcmp", "SNP",   "CpqPP", "IPXIP", "VRRP",  "PGM",   "0hop",  "L2TP",  "DDX",   "IATP",  "STP",   "SRP",
    "UTI",   "SMP",   "SM",    "PTP",   "ISIS4", "FIRE",  "CRTP",  "CRUDP", "128",   "IPLT",  "SPS",   "PIPE",
    "SCTP",  "FC",    "134",   "MHEAD", "UDP-L", "MPLS",
};

/* @return the protocol number of an nfdump name (case-insensitive), or -1. */
static int proto_by_name(const char *s, size_t n)
{
    if (n == 3 && memcmp(s, "TCP", 3) == 0)
        return 6;
    if (n == 3 && memcmp(s, "UDP", 3) == 0)
        return 17;
    for (int i = 0; i < NF_NPROTO; i++)
        if (strlen(nf_proto[i]) == n && g_ascii_strncasecmp(s, nf_proto[i], n) == 0)
            return i;
    return -1;
}

/* ---------------------------------------------------------------- calendar */

/* The date of a day count since 1970-01-01 (the inverse of days_from_civil). */
static void civil_from_days(gint64 z, gint64 *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const gint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (gint64)yoe + era * 400 + (*m <= 2);
}

/* ---------------------------------------------------------------- field parsers */

static inline bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Cut spaces and tabs off both ends of [*s, *s + *n). */
static inline void trim(const char **s, size_t *n)
{
    while (*n > 0 && (**s == ' ' || **s == '\t'))
        (*s)++, (*n)--;
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

static bool parse_u64(const char *s, size_t n, guint64 *out)
{
    if (n == 0 || n > 20)
        return false;
    guint64 v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (G_MAXUINT64 - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* "12.345" (seconds, any number of decimals) to ms, rounded half up. No sign. */
static bool parse_seconds_ms(const char *s, size_t n, gint64 *ms)
{
    size_t i = 0;
    gint64 secs = 0;
    while (i < n && is_digit(s[i])) {
        if (secs > 100000000000000LL) /* ~3 million years: surely not a duration or a time */
            return false;
        secs = secs * 10 + (s[i++] - '0');
    }
    if (i == 0)
        return false;
    gint64 frac = 0;
    if (i < n && s[i] == '.') {
        i++;
        int digits = 0;
        bool round_up = false;
        while (i < n && is_digit(s[i])) {
            if (digits < 3)
                frac = frac * 10 + (s[i] - '0');
            else if (digits == 3)
                round_up = s[i] >= '5';
            digits++, i++;
        }
        for (; digits < 3; digits++)
            frac *= 10;
        frac += round_up;
    }
    if (i != n)
        return false;
    *ms = secs * 1000 + frac;
    return true;
}

/* "2018-01-12 15:37:30" with an optional fraction ".1" to ".123456789" (ms kept, the rest
 * dropped) into ms since the epoch of that wall-clock time, as if it were UTC. */
static bool parse_datetime(const char *s, size_t n, gint64 *ms)
{
    if (n < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':')
        return false;
    static const unsigned char digit_at[14] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
    for (int i = 0; i < 14; i++)
        if (!is_digit(s[digit_at[i]]))
            return false;
#define D2(i) ((unsigned)(s[i] - '0') * 10 + (unsigned)(s[(i) + 1] - '0'))
    gint64 year = D2(0) * 100 + D2(2);
    unsigned mon = D2(5), day = D2(8), hour = D2(11), min = D2(14), sec = D2(17);
#undef D2
    if (mon < 1 || mon > 12 || day < 1 || day > c2h_days_in_month(year, mon) || hour > 23 || min > 59 || sec > 59)
        return false;
    gint64 frac = 0;
    if (n > 19) {
        if (s[19] != '.' || n == 20 || n > 29)
            return false;
        for (size_t i = 20; i < n; i++) {
            if (!is_digit(s[i]))
                return false;
            if (i < 23)
                frac = frac * 10 + (s[i] - '0');
        }
        for (size_t i = n; i < 23; i++)
            frac *= 10;
    }
    *ms = ((c2h_days_from_civil(year, mon, day) * 24 + hour) * 60 + min) * 60000 + (gint64)sec * 1000 + frac;
    return true;
}

/* Dotted quad, no leading zeros (as inet_pton). */
static bool parse_v4(const char *s, size_t n, guint32 *out)
{
    guint32 v = 0;
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= n || s[i] != '.')
                return false;
            i++;
        }
        size_t start = i;
        unsigned octet = 0;
        while (i < n && is_digit(s[i]) && i - start < 3)
            octet = octet * 10 + (unsigned)(s[i++] - '0');
        if (i == start || octet > 255 || (s[start] == '0' && i - start > 1))
            return false;
        v = v << 8 | octet;
    }
    if (i != n)
        return false;
    *out = v;
    return true;
}

static bool parse_addr(const char *s, size_t n, c2h_addr *out)
{
    guint32 v4;
    if (n > 0 && n <= 15 && memchr(s, ':', n) == NULL) {
        if (!parse_v4(s, n, &v4))
            return false;
        *out = c2h_addr_from_v4(v4);
        return true;
    }
    return c2h_addr_parse(s, n, out);
}

/* A port, or for dp an ICMP "type.code" as nfdump's fmt output prints it: type * 256 + code,
 * the number nfdump's csv prints for the same flow. */
static bool parse_port(const char *s, size_t n, bool icmp_form, guint16 *out)
{
    guint64 v;
    if (parse_u64(s, n, &v)) {
        if (v > 65535)
            return false;
        *out = (guint16)v;
        return true;
    }
    const char *dot = icmp_form ? memchr(s, '.', n) : NULL;
    guint64 type, code;
    if (dot == NULL || !parse_u64(s, (size_t)(dot - s), &type) || !parse_u64(dot + 1, n - (size_t)(dot - s) - 1, &code) ||
        type > 255 || code > 255)
        return false;
    *out = (guint16)(type << 8 | code);
    return true;
}

static bool parse_proto(const char *s, size_t n, guint8 *out)
{
    guint64 v;
    if (parse_u64(s, n, &v)) { /* names may start with a digit too: "3PC", "0hop" */
        if (v > 255)
            return false;
        *out = (guint8)v;
        return true;
    }
    int p = proto_by_name(s, n);
    if (p < 0)
        return false;
    *out = (guint8)p;
    return true;
}

/* "CEUAPRSF" with '.' for a clear bit, or "0x1b". */
static bool parse_flags(const char *s, size_t n, guint8 *out)
{
    static const char letters[8] = {'C', 'E', 'U', 'A', 'P', 'R', 'S', 'F'};
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        if (n > 4)
            return false;
        unsigned v = 0;
        for (size_t i = 2; i < n; i++) {
            int d = g_ascii_xdigit_value(s[i]);
            if (d < 0)
                return false;
            v = v << 4 | (unsigned)d;
        }
        *out = (guint8)v;
        return true;
    }
    if (n != 8)
        return false;
    unsigned v = 0;
    for (int i = 0; i < 8; i++) {
        if (s[i] == letters[i])
            v |= 0x80u >> i;
        else if (s[i] != '.')
            return false;
    }
    *out = (guint8)v;
    return true;
}

/* ---------------------------------------------------------------- the reader */

/* The columns the reader knows. TSR is not nfdump csv: nfcapd.c asks nfdump for it. */
enum { COL_TS, COL_TSR, COL_TE, COL_TD, COL_SA, COL_DA, COL_SP, COL_DP, COL_PR, COL_FLG, COL_IPKT, COL_IBYT, NCOL };
static const char *const col_name[NCOL] = {"ts", "tsr", "te", "td", "sa", "da", "sp", "dp", "pr", "flg", "ipkt", "ibyt"};

#define MAX_FIELDS 256 /* more columns than this in a header is not nfdump */

typedef struct nfcsv {
    c2h_nfcsv_read_fn read;
    void *read_ud;
    int fd; /* for the file read function; -1 when reading through another one */
    gboolean close_fd;
    char *display; /* the input's name in messages */
    char *buf;
    gsize cap, pos, len; /* unread text is buf[pos, len) */
    gboolean eof;        /* read returned 0 */
    gboolean done;       /* no more flows: the end, or the Summary block */
    gboolean failed;     /* an error was returned: stay failed */
    guint64 line;        /* number of the last line taken */
    int nfields;         /* fields in the header */
    int col[NCOL];       /* field index of each column, -1 when absent */
    int last_col;        /* highest field index the parser needs */
    c2h_tzconv tz;
    c2h_bad_row_fn bad_row;
    void *bad_row_ud;
    c2h_flowsrc *src;
} nfcsv;

static gssize fd_read(void *ud, char *buf, gsize len, GError **err)
{
    nfcsv *r = ud;
    for (;;) {
        gssize n = read(r->fd, buf, len);
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        int e = errno;
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: read failed: %s", r->display, g_strerror(e));
        return -1;
    }
}

/* Make room and read once more. @return FALSE with err on a read error or a line too long. */
static gboolean refill(nfcsv *r, GError **err)
{
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->cap - r->len < NFCSV_BLOCK / 2) {
        if (r->cap >= NFCSV_MAX_LINE) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%" G_GUINT64_FORMAT ": line longer than %u MiB",
                        r->display, r->line + 1, (unsigned)(NFCSV_MAX_LINE >> 20));
            return FALSE;
        }
        r->cap *= 2;
        r->buf = g_realloc(r->buf, r->cap);
    }
    gssize n = r->read(r->read_ud, r->buf + r->len, MIN(r->cap - r->len, NFCSV_BLOCK), err);
    if (n < 0)
        return FALSE;
    if (n == 0)
        r->eof = TRUE;
    r->len += (gsize)n;
    return TRUE;
}

/* Take the next line (without its '\n' or "\r\n") as [*line, *line + *n).
 * @return 1 for a line, 0 at the end of input, -1 with err set. */
static inline int next_line(nfcsv *r, const char **line, size_t *n, GError **err)
{
    for (;;) {
        char *start = r->buf + r->pos;
        char *nl = memchr(start, '\n', r->len - r->pos);
        if (nl != NULL || (r->eof && r->pos < r->len)) {
            size_t len = nl ? (size_t)(nl - start) : r->len - r->pos;
            r->pos += len + (nl != NULL);
            r->src->input_bytes += len + (nl != NULL);
            if (len > 0 && start[len - 1] == '\r')
                len--;
            r->line++;
            *line = start;
            *n = len;
            return 1;
        }
        if (r->eof)
            return 0;
        if (!refill(r, err))
            return -1;
    }
}

/* Read and count what follows the Summary block, so input_bytes covers the whole input
 * (and a pipe's writer never blocks on us). */
static gboolean drain(nfcsv *r, GError **err)
{
    r->src->input_bytes += r->len - r->pos;
    r->pos = r->len = 0;
    while (!r->eof) {
        gssize n = r->read(r->read_ud, r->buf, r->cap, err);
        if (n < 0)
            return FALSE;
        if (n == 0)
            r->eof = TRUE;
        r->src->input_bytes += (guint64)n;
    }
    return TRUE;
}

static gboolean is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return FALSE;
    return TRUE;
}

/* Copy up to cap - 4 bytes of [s, s + n) into out for a message: bytes other than printable
 * ASCII become '?', and "..." marks a cut. @return out. */
static char *printable(char *out, size_t cap, const char *s, size_t n)
{
    size_t len = MIN(n, cap - 4);
    for (size_t i = 0; i < len; i++)
        out[i] = (unsigned char)s[i] < ' ' || (unsigned char)s[i] > '~' ? '?' : s[i];
    strcpy(out + len, n > len ? "..." : "");
    return out;
}

/* Write "field 'NAME': 'VALUE' WHAT" into reason. */
static void field_reason(char *reason, const char *name, const char *s, size_t n, const char *what)
{
    char value[64];
    snprintf(reason, NFCSV_REASON, "field '%s': '%s' %s", name, printable(value, sizeof value, s, n), what);
}

/* Find the columns in a header line. @return FALSE with err naming the file and line. */
static gboolean parse_header(nfcsv *r, const char *s, size_t n, GError **err)
{
    for (int c = 0; c < NCOL; c++)
        r->col[c] = -1;
    int field = 0;
    const char *end = s + n;
    for (const char *p = s;; field++) {
        const char *q = memchr(p, ',', (size_t)(end - p));
        const char *fe = q ? q : end;
        const char *name = p;
        size_t len = (size_t)(fe - p);
        trim(&name, &len);
        for (int c = 0; c < NCOL; c++)
            if (r->col[c] < 0 && strlen(col_name[c]) == len && memcmp(name, col_name[c], len) == 0)
                r->col[c] = field;
        if (q == NULL || field + 1 >= MAX_FIELDS)
            break;
        p = q + 1;
    }
    r->nfields = field + 1;
    GString *missing = g_string_new(NULL);
    for (int c = 0; c < NCOL; c++) {
        gboolean need = c != COL_TE && c != COL_TSR && !(c == COL_TS && r->col[COL_TSR] >= 0);
        if (need && r->col[c] < 0)
            g_string_append_printf(missing, "%s%s", missing->len ? ", " : "", col_name[c]);
    }
    if (missing->len > 0) {
        char text[84];
        /* nfcapd files begin with the magic 0xA50C, little-endian */
        gboolean nfcapd = n >= 2 && s[0] == 0x0c && (unsigned char)s[1] == 0xa5;
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%" G_GUINT64_FORMAT ": not an nfdump csv header (no column %s): '%s'%s",
                    r->display, r->line, missing->str, printable(text, sizeof text, s, n),
                    nfcapd ? " (this is an nfcapd file: use --format nfcapd)" : "");
        g_string_free(missing, TRUE);
        return FALSE;
    }
    g_string_free(missing, TRUE);
    r->last_col = 0;
    for (int c = 0; c < NCOL; c++)
        r->last_col = MAX(r->last_col, r->col[c]);
    return TRUE;
}

/* The top bit of each byte of w (8 bytes of text) that is a comma; exact, no false hits. */
static inline guint64 comma_bits(guint64 w)
{
    const guint64 low7 = 0x7f7f7f7f7f7f7f7fULL;
    guint64 x = w ^ 0x2c2c2c2c2c2c2c2cULL;
    return ~(((x & low7) + low7) | x | low7);
}

/* Split the line [s, s + n) at commas: fields 0 .. need-1 into fs and fl, eight bytes at a
 * time. @return the number of fields of the whole line. */
static int split_fields(const char *s, size_t n, int need, const char **fs, size_t *fl)
{
    size_t start = 0, i = 0; /* start of the current field */
    int commas = 0;
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
    for (; i + 8 <= n; i += 8) {
        guint64 w;
        memcpy(&w, s + i, 8);
        guint64 m = comma_bits(w);
        if (commas >= need) { /* past the fields we want: only count */
            commas += (int)(((m >> 7) * 0x0101010101010101ULL) >> 56); /* bits in separate bytes: sum them */
            continue;
        }
        for (; m != 0; m &= m - 1) {
            size_t at = i + (size_t)(__builtin_ctzll(m) >> 3);
            if (commas < need) {
                fs[commas] = s + start;
                fl[commas] = at - start;
            }
            commas++;
            start = at + 1;
        }
    }
#endif
    for (; i < n; i++) {
        if (s[i] != ',')
            continue;
        if (commas < need) {
            fs[commas] = s + start;
            fl[commas] = i - start;
        }
        commas++;
        start = i + 1;
    }
    if (commas < need) {
        fs[commas] = s + start;
        fl[commas] = n - start;
    }
    return commas + 1;
}

typedef enum { LINE_FLOW, LINE_BAD, LINE_SKIP, LINE_SUMMARY } line_kind;

/* Parse one data line into f, or explain in reason why it is bad. */
static line_kind parse_line(nfcsv *r, const char *s, size_t n, c2h_flow *f, char *reason)
{
    const char *fs[MAX_FIELDS];
    size_t fl[MAX_FIELDS];
    if (n == 7 && memcmp(s, "Summary", 7) == 0)
        return LINE_SUMMARY;
    /* nfdump prints this line instead of flows when there are none, also with -q. */
    if (is_blank(s, n) || (n == 17 && memcmp(s, "No matching flows", 17) == 0))
        return LINE_SKIP;

    int nf = split_fields(s, n, r->last_col + 1, fs, fl);
    if (nf != r->nfields) {
        snprintf(reason, NFCSV_REASON, "%d fields where the header has %d", nf, r->nfields);
        return LINE_BAD;
    }
    for (int c = 0; c < NCOL; c++)
        if (r->col[c] >= 0)
            trim(&fs[r->col[c]], &fl[r->col[c]]);
#define FIELD(c) fs[r->col[c]], fl[r->col[c]]
#define BAD(c, what)                                                  \
    do {                                                              \
        field_reason(reason, col_name[c], FIELD(c), what);            \
        return LINE_BAD;                                              \
    } while (0)

    gint64 start, dur, te;
    if (r->col[COL_TS] >= 0) {
        if (!parse_datetime(FIELD(COL_TS), &start))
            BAD(COL_TS, "is not a time like 2018-01-12 15:37:30");
        gint64 ms = start - c2h_floordiv(start, 1000) * 1000;
        start = c2h_tzconv_to_utc(&r->tz, c2h_floordiv(start, 1000)) * 1000 + ms;
    } else if (!parse_seconds_ms(FIELD(COL_TSR), &start)) {
        BAD(COL_TSR, "is not a time in seconds since the epoch");
    }
    if (r->col[COL_TE] >= 0 && !parse_datetime(FIELD(COL_TE), &te))
        BAD(COL_TE, "is not a time like 2018-01-12 15:37:30");
    if (fl[r->col[COL_TD]] > 0 && fs[r->col[COL_TD]][0] == '-')
        BAD(COL_TD, "is a negative duration");
    if (!parse_seconds_ms(FIELD(COL_TD), &dur))
        BAD(COL_TD, "is not a duration in seconds");
    if (!parse_addr(FIELD(COL_SA), &f->src))
        BAD(COL_SA, "is not an IP address");
    if (!parse_addr(FIELD(COL_DA), &f->dst))
        BAD(COL_DA, "is not an IP address");
    if (!parse_port(FIELD(COL_SP), false, &f->sport))
        BAD(COL_SP, "is not a port (0 to 65535)");
    if (!parse_port(FIELD(COL_DP), true, &f->dport))
        BAD(COL_DP, "is not a port (0 to 65535)");
    if (!parse_proto(FIELD(COL_PR), &f->proto))
        BAD(COL_PR, "is not a protocol (a name nfdump prints, or 0 to 255)");
    if (!parse_flags(FIELD(COL_FLG), &f->tcp_flags))
        BAD(COL_FLG, "is not TCP flags like ...A..S. or 0x12");
    if (!parse_u64(FIELD(COL_IPKT), &f->packets))
        BAD(COL_IPKT, "is not a packet count");
    if (!parse_u64(FIELD(COL_IBYT), &f->bytes))
        BAD(COL_IBYT, "is not a byte count");
#undef BAD
#undef FIELD
    f->start_ms = start;
    f->end_ms = start + dur;
    return LINE_FLOW;
}

/* A bad row: tell opts->bad_row, and fail when it is NULL or says stop. */
static gboolean reject(nfcsv *r, const char *reason, GError **err)
{
    r->src->bad_rows++;
    if (r->bad_row == NULL) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%" G_GUINT64_FORMAT ": %s", r->display, r->line, reason);
        return FALSE;
    }
    if (!r->bad_row(r->bad_row_ud, r->display, r->line, reason)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%" G_GUINT64_FORMAT ": too many bad rows (this one: %s)",
                    r->display, r->line, reason);
        return FALSE;
    }
    return TRUE;
}

static gssize nfcsv_next(c2h_flowsrc *src, c2h_flow *out, gsize cap, GError **err)
{
    nfcsv *r = src->impl;
    if (r->failed) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INTERNAL, "%s: read again after an error", r->display);
        return -1;
    }
    gsize n = 0;
    char reason[NFCSV_REASON];
    while (n < cap && !r->done) {
        const char *line;
        size_t len;
        int got = next_line(r, &line, &len, err);
        if (got < 0)
            goto fail;
        if (got == 0) {
            r->done = TRUE;
            break;
        }
        switch (parse_line(r, line, len, &out[n], reason)) {
        case LINE_FLOW:
            n++;
            break;
        case LINE_SKIP:
            break;
        case LINE_BAD:
            if (!reject(r, reason, err))
                goto fail;
            break;
        case LINE_SUMMARY:
            r->done = TRUE;
            if (!drain(r, err))
                goto fail;
            break;
        }
    }
    src->rows += n;
    return (gssize)n;
fail:
    r->failed = TRUE;
    return -1;
}

static void nfcsv_close(c2h_flowsrc *src)
{
    nfcsv *r = src->impl;
    if (r == NULL)
        return;
    if (r->close_fd && r->fd >= 0)
        close(r->fd);
    c2h_tzconv_clear(&r->tz);
    g_free(r->display);
    g_free(r->buf);
    g_free(r);
    src->impl = NULL;
}

static const c2h_flowsrc_ops nfcsv_ops = {nfcsv_next, nfcsv_close};

/* Set up the source around r (which it takes over) and find the header.
 * @return NULL with err set (and everything freed). */
static c2h_flowsrc *nfcsv_start(nfcsv *r, const char *name, const char *header, const c2h_flowsrc_opts *opts,
                                GError **err)
{
    c2h_flowsrc *src = g_new0(c2h_flowsrc, 1);
    src->ops = &nfcsv_ops;
    src->name = g_strdup(name);
    src->impl = r;
    r->src = src;
    r->cap = NFCSV_BLOCK;
    r->buf = g_malloc(r->cap);
    r->bad_row = opts ? opts->bad_row : NULL;
    r->bad_row_ud = opts ? opts->bad_row_ud : NULL;
    if (!c2h_tzconv_init(&r->tz, opts ? opts->tz : NULL, r->display, err))
        goto fail;

    if (header != NULL) {
        guint64 line = r->line;
        gboolean ok = parse_header(r, header, strlen(header), err);
        r->line = line;
        if (!ok)
            goto fail;
    } else {
        for (;;) {
            const char *line;
            size_t len;
            int got = next_line(r, &line, &len, err);
            if (got < 0)
                goto fail;
            if (got == 0) {
                g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%" G_GUINT64_FORMAT ": no nfdump csv header (empty input)",
                            r->display, r->line + 1);
                goto fail;
            }
            if (is_blank(line, len))
                continue;
            if (!parse_header(r, line, len, err))
                goto fail;
            break;
        }
    }
    return src;
fail:
    c2h_flowsrc_close(src);
    return NULL;
}

c2h_flowsrc *c2h_nfcsv_open(const char *path, const c2h_flowsrc_opts *opts, GError **err)
{
    g_return_val_if_fail(path != NULL, NULL);
    nfcsv *r = g_new0(nfcsv, 1);
    r->read = fd_read;
    r->read_ud = r;
    if (strcmp(path, "-") == 0) {
        r->fd = STDIN_FILENO;
        r->display = g_strdup(STDIN_NAME);
    } else {
        r->display = g_strdup(path);
        r->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (r->fd < 0) {
            int e = errno;
            g_set_error(err, C2H_ERROR, e == ENOENT || e == ENOTDIR ? C2H_ERROR_INPUT : C2H_ERROR_IO,
                        "cannot open '%s': %s", path, g_strerror(e));
            g_free(r->display);
            g_free(r);
            return NULL;
        }
        r->close_fd = TRUE;
        (void)posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    return nfcsv_start(r, path, NULL, opts, err);
}

c2h_flowsrc *c2h_nfcsv_open_reader(const char *name, const char *header, c2h_nfcsv_read_fn read, void *ud,
                                   const c2h_flowsrc_opts *opts, GError **err)
{
    g_return_val_if_fail(name != NULL && read != NULL, NULL);
    nfcsv *r = g_new0(nfcsv, 1);
    r->read = read;
    r->read_ud = ud;
    r->fd = -1;
    r->display = g_strdup(name);
    return nfcsv_start(r, name, header, opts, err);
}

/* ---------------------------------------------------------------- the writer */

#define NFCSV_HEADER                                                                                        \
    "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,nhb,svln,dvln," \
    "ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,mpls10,cl,sl,al,ra,eng,exid,tr\n"

/* What nfdump prints for the fields a c2h_flow does not have: between ibyt and the end,
 * and between flg and ipkt (fwd, stos). */
#define NFCSV_FWD_STOS ",0,0"
#define NFCSV_TAIL                                                                                               \
    ",0,0,0,0,0,0,0,0,0,0,0.0.0.0,0.0.0.0,0,0,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,"            \
    "00:00:00:00:00:00,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,    0.000,    0.000,    0.000," \
    "0.0.0.0,0/0,0,1970-01-01 00:00:00.000\n"

void c2h_nfcsv_append_header(GString *out)
{
    g_string_append_len(out, NFCSV_HEADER, sizeof NFCSV_HEADER - 1);
}

static char *put_u64(char *p, guint64 v)
{
    char tmp[20];
    int n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n > 0)
        *p++ = tmp[--n];
    return p;
}

static char *put_2d(char *p, unsigned v)
{
    *p++ = (char)('0' + v / 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

/* "YYYY-MM-DD HH:MM:SS" of a UTC second (as strftime %Y, which does not pad years > 9999). */
static char *put_datetime(char *p, gint64 secs)
{
    gint64 days = c2h_floordiv(secs, 86400), y;
    unsigned s = (unsigned)(secs - days * 86400), m, d;
    civil_from_days(days, &y, &m, &d);
    if (y >= 0 && y <= 9999) {
        p = put_2d(p, (unsigned)(y / 100));
        p = put_2d(p, (unsigned)(y % 100));
    } else {
        p += sprintf(p, "%" G_GINT64_FORMAT, y);
    }
    *p++ = '-';
    p = put_2d(p, m);
    *p++ = '-';
    p = put_2d(p, d);
    *p++ = ' ';
    p = put_2d(p, s / 3600);
    *p++ = ':';
    p = put_2d(p, s / 60 % 60);
    *p++ = ':';
    return put_2d(p, s % 60);
}

static char *put_str(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

void c2h_nfcsv_append_flow(GString *out, const c2h_flow *f)
{
    char line[512];
    char *p = line;
    p = put_datetime(p, c2h_floordiv(f->start_ms, 1000));
    *p++ = ',';
    p = put_datetime(p, c2h_floordiv(f->end_ms, 1000));
    *p++ = ',';
    gint64 dur = f->end_ms - f->start_ms;
    if (dur < 0) {
        *p++ = '-';
        dur = -dur;
    }
    p = put_u64(p, (guint64)(dur / 1000));
    *p++ = '.';
    p = put_2d(p, (unsigned)(dur % 1000 / 10));
    *p++ = (char)('0' + dur % 10);
    *p++ = ',';
    /* nfdump prints the addresses of an IPv6 flow both in IPv6 form ("::ffff:1.2.3.4" too). */
    if (c2h_flow_family(f) == C2H_FAMILY_V4) {
        char a[C2H_ADDR_STRLEN];
        p = put_str(p, c2h_addr_format(&f->src, a));
        *p++ = ',';
        p = put_str(p, c2h_addr_format(&f->dst, a));
    } else {
        char a[C2H_ADDR_STRLEN];
        p = put_str(p, inet_ntop(AF_INET6, f->src.b, a, sizeof a) ? a : "::");
        *p++ = ',';
        p = put_str(p, inet_ntop(AF_INET6, f->dst.b, a, sizeof a) ? a : "::");
    }
    *p++ = ',';
    p = put_u64(p, f->sport);
    *p++ = ',';
    p = put_u64(p, f->dport);
    *p++ = ',';
    if (f->proto < NF_NPROTO && f->proto != 38 && f->proto != 94) {
        p = put_str(p, nf_proto[f->proto]);
    } else {
        p += sprintf(p, f->proto < NF_NPROTO ? "%u" : "%-5u", (unsigned)f->proto);
    }
    *p++ = ',';
    static const char letters[8] = {'C', 'E', 'U', 'A', 'P', 'R', 'S', 'F'};
    for (int i = 0; i < 8; i++)
        *p++ = f->tcp_flags & (0x80u >> i) ? letters[i] : '.';
    p = put_str(p, NFCSV_FWD_STOS);
    *p++ = ',';
    p = put_u64(p, f->packets);
    *p++ = ',';
    p = put_u64(p, f->bytes);
    p = put_str(p, NFCSV_TAIL);
    g_string_append_len(out, line, p - line);
}
