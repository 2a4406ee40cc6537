/* binetflow.c: Argus bidirectional NetFlow CSV ("binetflow", as CTU-13 ships it), read as a
 * flowsrc. Plain or gzip input (io/bytesrc.h).
 *
 * The header names the columns (any order, any case); the reader needs StartTime, Dur,
 * Proto, SrcAddr, Sport, Dir, DstAddr, Dport, TotPkts and TotBytes, and uses State when it
 * is there. CTU-13's header:
 *   StartTime,Dur,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,State,sTos,dTos,TotPkts,TotBytes,SrcBytes,Label
 *
 * What becomes of a row (docs/REAL_DATA.md says why):
 * - StartTime ("2011/08/16 10:01:46.123456", '-' between the date's parts also taken) is a
 *   local time of opts->tz (CTU-13: Europe/Prague); Dur is seconds. Start and end are kept
 *   to the millisecond, rounded down from the microseconds (end = start + Dur).
 * - Dir: "->", "?>", "<->", "<?>" and "who" keep SrcAddr as the source; "<-" and "<?" (only
 *   traffic from DstAddr to SrcAddr was seen) are stored swapped, addresses and ports, so the
 *   record's source is the host that sent the packets, as a NetFlow exporter records it.
 *   "<->" and "<?>" stay as Argus has them: its source is the host whose packet it saw first.
 *   Any other Dir is a bad row.
 * - Proto: a name (tcp, udp, icmp, ipv6-icmp, igmp, esp, gre, pim, sctp, ...; rtp, rtcp and
 *   udt are Argus's names for UDP flows) or a number 0..255. Non-IP protocols (arp, rarp,
 *   ipx/spx, llc, lldp) are skipped and counted in src->skipped_rows, not bad rows: they are
 *   not IP flows and carry MAC or ARP addresses. An unknown name is a bad row.
 * - Ports: decimal or "0x" hex; empty is 0. For TCP, UDP, SCTP, DCCP and UDP-Lite they are
 *   the ports. For ICMP and ICMPv6 Argus puts code << 8 | type in Sport ("0x0303": type 3,
 *   code 3; "0x0008": echo request); the record gets nfdump's form, dport = type << 8 | code
 *   and sport 0. Other protocols have no ports here (Argus prints an ESP SPI in Dport): 0.
 * - TotPkts and TotBytes (both directions of the biflow) become packets and bytes.
 * - State gives the TCP flags, the OR of both sides ("FSPA_FSPA"); anything else, or
 *   another protocol, gives 0.
 * - Label (CTU-13's "flow=From-Botnet-...") and the other columns are not kept.
 * - A repeated header line (slices joined with cat) and blank lines are skipped.
 */
#include "io/bytesrc.h"
#include "io/flowsrc.h"
#include "io/tzconv.h"

#include <stdio.h>

#define BNF_BLOCK ((gsize)1 << 20)    /* bytes asked of each read */
#define BNF_MAX_LINE ((gsize)1 << 20) /* a longer line is an error, not a bad row */
#define BNF_REASON 256
#define BNF_MAX_FIELDS 64

enum { COL_START, COL_DUR, COL_PROTO, COL_SA, COL_SP, COL_DIR, COL_DA, COL_DP, COL_PKTS, COL_BYTES, COL_STATE, NCOL };
static const char *const col_name[NCOL] = {"StartTime", "Dur",    "Proto",   "SrcAddr",  "Sport", "Dir",
                                           "DstAddr",   "Dport",  "TotPkts", "TotBytes", "State"};
#define COL_REQUIRED COL_STATE /* columns before this one are required */

typedef struct binetflow {
    c2h_bytesrc *in;
    char *buf;
    gsize cap, pos, len; /* unread text is buf[pos, len) */
    gboolean eof, done, failed;
    guint64 line;        /* number of the last line taken */
    int nfields;
    int col[NCOL];
    int last_col;
    char *header; /* the header line, to skip repeats */
    gsize header_len;
    c2h_tzconv tz;
    c2h_bad_row_fn bad_row;
    void *bad_row_ud;
    c2h_flowsrc *src;
} binetflow;

/* ---------------------------------------------------------------- protocols */

typedef struct proto_name {
    const char *name;
    int num; /* -1: not IP */
} proto_name;

/* Argus prints /etc/protocols names; rtp, rtcp and udt are UDP flows it classified. */
static const proto_name protos[] = {
    {"tcp", 6},         {"udp", 17},         {"icmp", 1},       {"igmp", 2},        {"ggp", 3},
    {"ipnip", 4},       {"ipip", 4},         {"ipencap", 4},    {"st", 5},          {"egp", 8},
    {"igp", 9},         {"pup", 12},         {"hmp", 20},       {"xns-idp", 22},    {"rdp", 27},
    {"iso-tp4", 29},    {"dccp", 33},        {"xtp", 36},       {"ddp", 37},        {"idpr-cmtp", 38},
    {"ipv6", 41},       {"ipv6-route", 43},  {"ipv6-frag", 44}, {"idrp", 45},       {"rsvp", 46},
    {"gre", 47},        {"esp", 50},         {"ah", 51},        {"skip", 57},       {"ipv6-icmp", 58},
    {"icmp6", 58},      {"ipv6-nonxt", 59},  {"ipv6-opts", 60}, {"rspf", 73},       {"vmtp", 81},
    {"eigrp", 88},      {"ospf", 89},        {"ospfigp", 89},   {"ax.25", 93},      {"ipip-ax", 94},
    {"etherip", 97},    {"encap", 98},       {"pim", 103},      {"ipcomp", 108},    {"vrrp", 112},
    {"l2tp", 115},      {"isis", 124},       {"sctp", 132},     {"fc", 133},        {"udplite", 136},
    {"udp-lite", 136},  {"mpls-in-ip", 137}, {"manet", 138},    {"hip", 139},       {"shim6", 140},
    {"wesp", 141},      {"rohc", 142},       {"rtp", 17},       {"rtcp", 17},       {"udt", 17},
    {"arp", -1},        {"rarp", -1},        {"ipx/spx", -1},   {"llc", -1},        {"lldp", -1},
};

enum { PROTO_BAD = -2, PROTO_NOT_IP = -1 };

/* @return the IANA number of a protocol field, PROTO_NOT_IP, or PROTO_BAD. */
static int proto_parse(const char *s, size_t n)
{
    if (n == 3 && memcmp(s, "tcp", 3) == 0)
        return 6;
    if (n == 3 && memcmp(s, "udp", 3) == 0)
        return 17;
    if (n > 0 && n <= 3 && g_ascii_isdigit(s[0])) {
        unsigned v = 0;
        for (size_t i = 0; i < n; i++) {
            if (!g_ascii_isdigit(s[i]))
                return PROTO_BAD;
            v = v * 10 + (unsigned)(s[i] - '0');
        }
        return v <= 255 ? (int)v : PROTO_BAD;
    }
    for (gsize i = 0; i < G_N_ELEMENTS(protos); i++)
        if (strlen(protos[i].name) == n && g_ascii_strncasecmp(s, protos[i].name, n) == 0)
            return protos[i].num;
    return PROTO_BAD;
}

static inline gboolean has_ports(int proto)
{
    return proto == 6 || proto == 17 || proto == 33 || proto == 132 || proto == 136;
}

/* ---------------------------------------------------------------- field parsers */

static inline gboolean is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static inline void trim(const char **s, size_t *n)
{
    while (*n > 0 && (**s == ' ' || **s == '\t'))
        (*s)++, (*n)--;
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

static gboolean parse_u64(const char *s, size_t n, guint64 *out)
{
    if (n == 0 || n > 20)
        return FALSE;
    guint64 v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return FALSE;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (G_MAXUINT64 - d) / 10)
            return FALSE;
        v = v * 10 + d;
    }
    *out = v;
    return TRUE;
}

/* A port: decimal or 0x hex; empty is 0. @return FALSE when malformed or above max. */
static gboolean parse_port(const char *s, size_t n, guint64 max, guint *out)
{
    guint64 v = 0;
    if (n == 0) {
        *out = 0;
        return TRUE;
    }
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        if (n > 10)
            return FALSE;
        for (size_t i = 2; i < n; i++) {
            int d = g_ascii_xdigit_value(s[i]);
            if (d < 0)
                return FALSE;
            v = v << 4 | (guint64)d;
        }
    } else if (!parse_u64(s, n, &v)) {
        return FALSE;
    }
    if (v > max)
        return FALSE;
    *out = (guint)v;
    return TRUE;
}

/* Seconds with up to 9 decimals to microseconds (digits past the sixth dropped). */
static gboolean parse_seconds_us(const char *s, size_t n, gint64 *us)
{
    size_t i = 0;
    gint64 secs = 0;
    while (i < n && is_digit(s[i])) {
        if (secs > 1000000000000LL) /* ~30,000 years: not a duration */
            return FALSE;
        secs = secs * 10 + (s[i++] - '0');
    }
    if (i == 0)
        return FALSE;
    gint64 frac = 0;
    int digits = 0;
    if (i < n && s[i] == '.') {
        i++;
        for (; i < n && is_digit(s[i]); i++, digits++) {
            if (digits >= 9)
                return FALSE;
            if (digits < 6)
                frac = frac * 10 + (s[i] - '0');
        }
    }
    if (i != n)
        return FALSE;
    for (; digits < 6; digits++)
        frac *= 10;
    *us = secs * 1000000 + frac;
    return TRUE;
}

/* "2011/08/16 10:01:46.123456" ('-' for '/', 'T' for ' ' taken too; fraction optional, up to
 * 9 digits, microseconds kept) into the local second and the microseconds within it. */
static gboolean parse_datetime(const char *s, size_t n, gint64 *secs, gint64 *us)
{
    if (n < 19 || (s[4] != '/' && s[4] != '-') || s[7] != s[4] || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' ||
        s[16] != ':')
        return FALSE;
    static const unsigned char digit_at[14] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
    for (int i = 0; i < 14; i++)
        if (!is_digit(s[digit_at[i]]))
            return FALSE;
#define D2(i) ((unsigned)(s[i] - '0') * 10 + (unsigned)(s[(i) + 1] - '0'))
    gint64 year = D2(0) * 100 + D2(2);
    unsigned mon = D2(5), day = D2(8), hour = D2(11), min = D2(14), sec = D2(17);
#undef D2
    if (mon < 1 || mon > 12 || day < 1 || day > c2h_days_in_month(year, mon) || hour > 23 || min > 59 || sec > 59)
        return FALSE;
    gint64 frac = 0;
    if (n > 19) {
        if (s[19] != '.' || n == 20 || n > 29)
            return FALSE;
        for (size_t i = 20; i < n; i++) {
            if (!is_digit(s[i]))
                return FALSE;
            if (i < 26)
                frac = frac * 10 + (s[i] - '0');
        }
        for (size_t i = n; i < 26; i++)
            frac *= 10;
    }
    *secs = ((c2h_days_from_civil(year, mon, day) * 24 + hour) * 60 + min) * 60 + sec;
    *us = frac;
    return TRUE;
}

/* Dotted quad, no leading zeros (as inet_pton). */
static gboolean parse_v4(const char *s, size_t n, guint32 *out)
{
    guint32 v = 0;
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= n || s[i] != '.')
                return FALSE;
            i++;
        }
        size_t start = i;
        unsigned octet = 0;
        while (i < n && is_digit(s[i]) && i - start < 3)
            octet = octet * 10 + (unsigned)(s[i++] - '0');
        if (i == start || octet > 255 || (s[start] == '0' && i - start > 1))
            return FALSE;
        v = v << 8 | octet;
    }
    if (i != n)
        return FALSE;
    *out = v;
    return TRUE;
}

static gboolean parse_addr(const char *s, size_t n, c2h_addr *out)
{
    guint32 v4;
    if (n > 0 && n <= 15 && memchr(s, ':', n) == NULL) {
        if (!parse_v4(s, n, &v4))
            return FALSE;
        *out = c2h_addr_from_v4(v4);
        return TRUE;
    }
    return c2h_addr_parse(s, n, out);
}

/* Argus's TCP state "FSPA_FSPA": the flags of both sides ORed. @return 0 for anything else. */
static guint8 parse_state_flags(const char *s, size_t n)
{
    guint8 v = 0;
    gboolean sep = FALSE;
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case 'F': v |= C2H_TCP_FIN; break;
        case 'S': v |= C2H_TCP_SYN; break;
        case 'R': v |= C2H_TCP_RST; break;
        case 'P': v |= C2H_TCP_PSH; break;
        case 'A': v |= C2H_TCP_ACK; break;
        case 'U': v |= C2H_TCP_URG; break;
        case 'E': v |= C2H_TCP_ECE; break;
        case 'C': v |= C2H_TCP_CWR; break;
        case '_':
            if (sep)
                return 0;
            sep = TRUE;
            break;
        default:
            return 0;
        }
    }
    return sep ? v : 0;
}

typedef enum { DIR_KEEP, DIR_SWAP, DIR_BAD } dir_kind;

static dir_kind parse_dir(const char *s, size_t n)
{
    if ((n == 2 && (memcmp(s, "->", 2) == 0 || memcmp(s, "?>", 2) == 0)) ||
        (n == 3 && (memcmp(s, "<->", 3) == 0 || memcmp(s, "<?>", 3) == 0 || memcmp(s, "who", 3) == 0)))
        return DIR_KEEP;
    if (n == 2 && (memcmp(s, "<-", 2) == 0 || memcmp(s, "<?", 2) == 0))
        return DIR_SWAP;
    return DIR_BAD;
}

/* ---------------------------------------------------------------- lines */

static gboolean refill(binetflow *r, GError **err)
{
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->cap - r->len < BNF_BLOCK / 2) {
        if (r->cap >= BNF_MAX_LINE + BNF_BLOCK) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%" G_GUINT64_FORMAT ": line longer than %u KiB",
                        c2h_bytesrc_name(r->in), r->line + 1, (unsigned)(BNF_MAX_LINE >> 10));
            return FALSE;
        }
        r->cap *= 2;
        r->buf = g_realloc(r->buf, r->cap);
    }
    gssize n = c2h_bytesrc_read(r->in, r->buf + r->len, r->cap - r->len, err);
    if (n < 0)
        return FALSE;
    if (n == 0)
        r->eof = TRUE;
    r->len += (gsize)n;
    r->src->input_bytes = c2h_bytesrc_file_bytes(r->in);
    return TRUE;
}

/* @return 1 for a line in [*line, *line + *n), 0 at the end, -1 with err. */
static int next_line(binetflow *r, const char **line, size_t *n, GError **err)
{
    for (;;) {
        char *start = r->buf + r->pos;
        char *nl = memchr(start, '\n', r->len - r->pos);
        if (nl != NULL || (r->eof && r->len > r->pos)) {
            size_t len = nl ? (size_t)(nl - start) : r->len - r->pos;
            r->pos += len + (nl != NULL);
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

static gboolean is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return FALSE;
    return TRUE;
}

static char *printable(char *out, size_t cap, const char *s, size_t n)
{
    size_t len = MIN(n, cap - 4);
    for (size_t i = 0; i < len; i++)
        out[i] = (unsigned char)s[i] < ' ' || (unsigned char)s[i] > '~' ? '?' : s[i];
    strcpy(out + len, n > len ? "..." : "");
    return out;
}

/* Split at commas: fields 0 .. need-1 into fs and fl. @return the number of fields. */
static int split_fields(const char *s, size_t n, int need, const char **fs, size_t *fl)
{
    int count = 0;
    const char *p = s, *end = s + n;
    for (;;) {
        const char *q = memchr(p, ',', (size_t)(end - p));
        if (count < need) {
            fs[count] = p;
            fl[count] = (size_t)((q ? q : end) - p);
        }
        count++;
        if (q == NULL)
            return count;
        p = q + 1;
    }
}

static gboolean parse_header(binetflow *r, const char *s, size_t n, GError **err)
{
    for (int c = 0; c < NCOL; c++)
        r->col[c] = -1;
    const char *fs[BNF_MAX_FIELDS];
    size_t fl[BNF_MAX_FIELDS];
    int nf = split_fields(s, n, BNF_MAX_FIELDS, fs, fl);
    for (int f = 0; f < MIN(nf, BNF_MAX_FIELDS); f++) {
        trim(&fs[f], &fl[f]);
        for (int c = 0; c < NCOL; c++)
            if (r->col[c] < 0 && strlen(col_name[c]) == fl[f] && g_ascii_strncasecmp(fs[f], col_name[c], fl[f]) == 0)
                r->col[c] = f;
    }
    GString *missing = g_string_new(NULL);
    for (int c = 0; c < COL_REQUIRED; c++)
        if (r->col[c] < 0)
            g_string_append_printf(missing, "%s%s", missing->len ? ", " : "", col_name[c]);
    if (nf > BNF_MAX_FIELDS || missing->len > 0) {
        char text[84];
        if (missing->len > 0)
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,
                        "%s:%" G_GUINT64_FORMAT ": not a binetflow header (no column %s): '%s'", c2h_bytesrc_name(r->in),
                        r->line, missing->str, printable(text, sizeof text, s, n));
        else
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%" G_GUINT64_FORMAT ": more than %d columns in the header",
                        c2h_bytesrc_name(r->in), r->line, BNF_MAX_FIELDS);
        g_string_free(missing, TRUE);
        return FALSE;
    }
    g_string_free(missing, TRUE);
    r->nfields = nf;
    r->last_col = 0;
    for (int c = 0; c < NCOL; c++)
        r->last_col = MAX(r->last_col, r->col[c]);
    r->header = g_strndup(s, n);
    r->header_len = n;
    return TRUE;
}

typedef enum { LINE_FLOW, LINE_BAD, LINE_SKIP, LINE_NOT_IP } line_kind;

static void field_reason(char *reason, int c, const char *s, size_t n, const char *what)
{
    char value[64];
    snprintf(reason, BNF_REASON, "field '%s': '%s' %s", col_name[c], printable(value, sizeof value, s, n), what);
}

static line_kind parse_line(binetflow *r, const char *s, size_t n, c2h_flow *f, char *reason)
{
    if (is_blank(s, n) || (n == r->header_len && memcmp(s, r->header, n) == 0))
        return LINE_SKIP;
    const char *fs[BNF_MAX_FIELDS];
    size_t fl[BNF_MAX_FIELDS];
    int nf = split_fields(s, n, r->last_col + 1, fs, fl);
    if (nf != r->nfields) {
        snprintf(reason, BNF_REASON, "%d fields where the header has %d", nf, r->nfields);
        return LINE_BAD;
    }
    for (int c = 0; c < NCOL; c++)
        if (r->col[c] >= 0)
            trim(&fs[r->col[c]], &fl[r->col[c]]);
#define FIELD(c) fs[r->col[c]], fl[r->col[c]]
#define BAD(c, what)                                 \
    do {                                             \
        field_reason(reason, c, FIELD(c), what);     \
        return LINE_BAD;                             \
    } while (0)

    int proto = proto_parse(FIELD(COL_PROTO));
    if (proto == PROTO_NOT_IP)
        return LINE_NOT_IP;
    if (proto == PROTO_BAD)
        BAD(COL_PROTO, "is not a protocol (a name like tcp, udp, icmp, or 0 to 255)");
    gint64 secs, us, dur;
    if (!parse_datetime(FIELD(COL_START), &secs, &us))
        BAD(COL_START, "is not a time like 2011/08/16 10:01:46.123456");
    if (fl[r->col[COL_DUR]] > 0 && fs[r->col[COL_DUR]][0] == '-')
        BAD(COL_DUR, "is a negative duration");
    if (!parse_seconds_us(FIELD(COL_DUR), &dur))
        BAD(COL_DUR, "is not a duration in seconds");
    dir_kind dir = parse_dir(FIELD(COL_DIR));
    if (dir == DIR_BAD)
        BAD(COL_DIR, "is not a direction (->, <-, <->, <?>, ?>, <?, who)");
    c2h_addr sa, da;
    if (!parse_addr(FIELD(COL_SA), &sa))
        BAD(COL_SA, "is not an IP address");
    if (!parse_addr(FIELD(COL_DA), &da))
        BAD(COL_DA, "is not an IP address");
    guint sp = 0, dp = 0;
    if (has_ports(proto)) {
        if (!parse_port(FIELD(COL_SP), 65535, &sp))
            BAD(COL_SP, "is not a port (0 to 65535, or 0x hex)");
        if (!parse_port(FIELD(COL_DP), 65535, &dp))
            BAD(COL_DP, "is not a port (0 to 65535, or 0x hex)");
    } else if (proto == 1 || proto == 58) {
        guint tc; /* Argus: code << 8 | type */
        if (!parse_port(FIELD(COL_SP), 65535, &tc))
            BAD(COL_SP, "is not an ICMP type and code (0x hex or a number up to 65535)");
        dp = (tc & 0xff) << 8 | tc >> 8;
    }
    if (!parse_u64(FIELD(COL_PKTS), &f->packets))
        BAD(COL_PKTS, "is not a packet count");
    if (!parse_u64(FIELD(COL_BYTES), &f->bytes))
        BAD(COL_BYTES, "is not a byte count");
#undef BAD
#undef FIELD
    f->tcp_flags = proto == 6 && r->col[COL_STATE] >= 0 ? parse_state_flags(fs[r->col[COL_STATE]], fl[r->col[COL_STATE]])
                                                         : 0;
    gint64 start_us = c2h_tzconv_to_utc(&r->tz, secs) * 1000000 + us;
    f->start_ms = c2h_floordiv(start_us, 1000);
    f->end_ms = c2h_floordiv(start_us + dur, 1000);
    f->proto = (guint8)proto;
    if (dir == DIR_SWAP && has_ports(proto)) {
        f->src = da, f->dst = sa;
        f->sport = (guint16)dp, f->dport = (guint16)sp;
    } else {
        f->src = dir == DIR_SWAP ? da : sa;
        f->dst = dir == DIR_SWAP ? sa : da;
        f->sport = (guint16)sp, f->dport = (guint16)dp;
    }
    return LINE_FLOW;
}

static gboolean reject(binetflow *r, const char *reason, GError **err)
{
    r->src->bad_rows++;
    const char *name = c2h_bytesrc_name(r->in);
    if (r->bad_row == NULL) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%" G_GUINT64_FORMAT ": %s", name, r->line, reason);
        return FALSE;
    }
    if (!r->bad_row(r->bad_row_ud, name, r->line, reason)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%" G_GUINT64_FORMAT ": too many bad rows (this one: %s)", name,
                    r->line, reason);
        return FALSE;
    }
    return TRUE;
}

static gssize binetflow_next(c2h_flowsrc *src, c2h_flow *out, gsize cap, GError **err)
{
    binetflow *r = src->impl;
    if (r->failed) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INTERNAL, "%s: read again after an error", c2h_bytesrc_name(r->in));
        return -1;
    }
    gsize n = 0;
    char reason[BNF_REASON];
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
        case LINE_NOT_IP:
            src->skipped_rows++;
            break;
        case LINE_BAD:
            if (!reject(r, reason, err))
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

static void binetflow_close(c2h_flowsrc *src)
{
    binetflow *r = src->impl;
    if (r == NULL)
        return;
    c2h_bytesrc_close(r->in);
    c2h_tzconv_clear(&r->tz);
    g_free(r->header);
    g_free(r->buf);
    g_free(r);
    src->impl = NULL;
}

static const c2h_flowsrc_ops binetflow_ops = {binetflow_next, binetflow_close};

c2h_flowsrc *c2h_binetflow_open(const char *path, const c2h_flowsrc_opts *opts, GError **err)
{
    g_return_val_if_fail(path != NULL, NULL);
    c2h_bytesrc *in = c2h_bytesrc_open(path, err);
    if (in == NULL)
        return NULL;
    binetflow *r = g_new0(binetflow, 1);
    r->in = in;
    c2h_flowsrc *src = g_new0(c2h_flowsrc, 1);
    src->ops = &binetflow_ops;
    src->name = g_strdup(path);
    src->impl = r;
    r->src = src;
    r->cap = BNF_BLOCK;
    r->buf = g_malloc(r->cap);
    r->bad_row = opts ? opts->bad_row : NULL;
    r->bad_row_ud = opts ? opts->bad_row_ud : NULL;
    if (!c2h_tzconv_init(&r->tz, opts ? opts->tz : NULL, c2h_bytesrc_name(in), err))
        goto fail;
    for (;;) {
        const char *line;
        size_t len;
        int got = next_line(r, &line, &len, err);
        if (got < 0)
            goto fail;
        if (got == 0) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%" G_GUINT64_FORMAT ": no binetflow header (empty input)",
                        c2h_bytesrc_name(in), r->line + 1);
            goto fail;
        }
        if (is_blank(line, len))
            continue;
        if (!parse_header(r, line, len, err))
            goto fail;
        break;
    }
    return src;
fail:
    c2h_flowsrc_close(src);
    return NULL;
}
