/* ipfix.c: IPFIX files (RFC 7011 messages one after another, the RFC 5655 file format),
 * read as a flowsrc with libfixbuf 2.4. Plain or gzip input (io/bytesrc.h); "-" is
 * standard input.
 *
 * The reader frames the messages itself and hands each one to libfixbuf as a buffer
 * (fBufSetBuffer, its connection-less collection), which decodes every data record into
 * one internal template of the elements c2hunt keeps. It frames them itself because
 * libfixbuf's file collector takes a short last message for a whole one and a cut header
 * for the end of the file, so a truncated file would pass in silence, and because its
 * decoder trusts a template record's field count as far as the end of the message. Before
 * a message goes to libfixbuf the reader checks every set header and every template
 * record against the message and set lengths, so what libfixbuf reads is well formed:
 *
 * - a message that is cut short, a version other than 10, a length under 16, a set that
 *   runs past its message or is shorter than 4 bytes, a reserved set ID (0, 1, 4..255),
 *   a template ID under 256, a template record that runs past its set, a field of length 0,
 *   an options template with no scope or more scope fields than fields: the input is
 *   malformed; next() fails naming the file, the message number (from 1) and the byte
 *   offset of the message or set in the (decompressed) input;
 * - a data set whose template no earlier template set of its observation domain defined
 *   (or a withdrawal removed) is taken out of the message before libfixbuf sees it, and
 *   reported as one bad row;
 * - so is a data set whose template gives an element of the reader's internal template
 *   (every element below, and paddingOctets) variable length: libfixbuf 2.4 cannot decode
 *   such records into fixed-length fields and would fail the whole message;
 * - template withdrawals are honoured and taken out of their set (libfixbuf 2.4 does not
 *   handle them);
 * - options records are not flows: skipped, but a systemInitTimeMilliseconds in one is
 *   kept for the sysUpTime-relative times of its domain;
 * - a data record that has no source or destination address, or no start time, or whose
 *   template gives an element c2hunt uses a length that element cannot have, is a bad row,
 *   reported with its record number (data records of the file, counted from 1) and its
 *   message. libfixbuf's own warnings (g_warning) are taken while it runs, never printed:
 *   "out of sequence" and template length warnings are dropped (lost messages do not matter
 *   to a file, and the lengths that matter are checked here), any other becomes a bad row.
 *
 * Elements read (IANA numbers): addresses 8/12 (IPv4) or 27/28 (IPv6), ports 7/11,
 * protocolIdentifier 4, tcpControlBits 6, packetDeltaCount 2 (else packetTotalCount 86),
 * octetDeltaCount 1 (else octetTotalCount 85), icmpTypeCodeIPv4 32 / IPv6 139 (as the
 * destination port for ICMP, nfdump's type << 8 | code, when the port is 0). Start and end,
 * first found: flowStart/EndMilliseconds 152/153, -Microseconds 154/155, -Nanoseconds
 * 156/157 (NTP form), -Seconds 150/151, -SysUpTime 22/21 plus systemInitTimeMilliseconds
 * 160 (in the record, or from an options record of the domain), -DeltaMicroseconds 158/159
 * before the message's export time. With no end, end = start + flowDurationMilliseconds
 * (161), or the start. Times are kept to the millisecond, rounded down. Reverse (biflow)
 * counters are not read.
 */
#include "io/bytesrc.h"
#include "io/flowsrc.h"

#include <fixbuf/public.h>
#include <stddef.h>
#include <stdio.h>

#define IPFIX_VERSION 10
#define IPFIX_HDR 16
#define IPFIX_MAX_MSG 65535
#define IPFIX_REASON 320
#define NTP_UNIX_OFFSET 2208988800ULL /* seconds from 1900-01-01 to 1970-01-01 */

/* The internal template: every element as a struct field, laid out in the order of
 * rec_spec and with no padding between fields (libfixbuf packs a record in that order). */
typedef struct ipfix_rec {
    uint64_t start_ms, end_ms;
    uint64_t start_us, end_us; /* NTP form */
    uint64_t start_ns, end_ns; /* NTP form */
    uint64_t init_ms;
    uint64_t packets, bytes;
    uint64_t packets_total, bytes_total;
    uint8_t src6[16], dst6[16];
    uint32_t start_s, end_s;
    uint32_t start_up, end_up;
    uint32_t start_delta_us, end_delta_us;
    uint32_t duration_ms;
    uint32_t src4, dst4;
    uint16_t sport, dport;
    uint16_t tcp_flags;
    uint16_t icmp4, icmp6;
    uint8_t proto;
    uint8_t pad;
} ipfix_rec;

G_STATIC_ASSERT(offsetof(ipfix_rec, src6) == 88);
G_STATIC_ASSERT(offsetof(ipfix_rec, start_s) == 120);
G_STATIC_ASSERT(offsetof(ipfix_rec, sport) == 156);
G_STATIC_ASSERT(offsetof(ipfix_rec, proto) == 166);
G_STATIC_ASSERT(sizeof(ipfix_rec) == 168);

static fbInfoElementSpec_t rec_spec[] = {
    {"flowStartMilliseconds", 8, 0},      {"flowEndMilliseconds", 8, 0},
    {"flowStartMicroseconds", 8, 0},      {"flowEndMicroseconds", 8, 0},
    {"flowStartNanoseconds", 8, 0},       {"flowEndNanoseconds", 8, 0},
    {"systemInitTimeMilliseconds", 8, 0}, {"packetDeltaCount", 8, 0},
    {"octetDeltaCount", 8, 0},            {"packetTotalCount", 8, 0},
    {"octetTotalCount", 8, 0},            {"sourceIPv6Address", 16, 0},
    {"destinationIPv6Address", 16, 0},    {"flowStartSeconds", 4, 0},
    {"flowEndSeconds", 4, 0},             {"flowStartSysUpTime", 4, 0},
    {"flowEndSysUpTime", 4, 0},           {"flowStartDeltaMicroseconds", 4, 0},
    {"flowEndDeltaMicroseconds", 4, 0},   {"flowDurationMilliseconds", 4, 0},
    {"sourceIPv4Address", 4, 0},          {"destinationIPv4Address", 4, 0},
    {"sourceTransportPort", 2, 0},        {"destinationTransportPort", 2, 0},
    {"tcpControlBits", 2, 0},             {"icmpTypeCodeIPv4", 2, 0},
    {"icmpTypeCodeIPv6", 2, 0},           {"protocolIdentifier", 1, 0},
    {"paddingOctets", 1, 0},              FB_IESPEC_NULL,
};

/* ---------------------------------------------------------------- the elements c2hunt uses */

/* One bit per element of IANA's registry (enterprise 0) that the reader looks at. */
typedef enum {
    E_OCTETS, E_PACKETS, E_PROTO, E_FLAGS, E_SPORT, E_SRC4, E_DPORT, E_DST4, E_END_UP, E_START_UP, E_SRC6, E_DST6,
    E_ICMP4, E_OCTETS_TOTAL, E_PACKETS_TOTAL, E_ICMP6, E_START_S, E_END_S, E_START_MS, E_END_MS, E_START_US,
    E_END_US, E_START_NS, E_END_NS, E_START_DELTA, E_END_DELTA, E_INIT_MS, E_DURATION, E_COUNT
} elem;

typedef struct elem_info {
    guint16 id;
    guint16 min_len, max_len; /* the lengths the element may have in a template */
    const char *name;
} elem_info;

static const elem_info elems[E_COUNT] = {
    [E_OCTETS] = {1, 1, 8, "octetDeltaCount"},
    [E_PACKETS] = {2, 1, 8, "packetDeltaCount"},
    [E_PROTO] = {4, 1, 1, "protocolIdentifier"},
    [E_FLAGS] = {6, 1, 2, "tcpControlBits"},
    [E_SPORT] = {7, 1, 2, "sourceTransportPort"},
    [E_SRC4] = {8, 4, 4, "sourceIPv4Address"},
    [E_DPORT] = {11, 1, 2, "destinationTransportPort"},
    [E_DST4] = {12, 4, 4, "destinationIPv4Address"},
    [E_END_UP] = {21, 1, 4, "flowEndSysUpTime"},
    [E_START_UP] = {22, 1, 4, "flowStartSysUpTime"},
    [E_SRC6] = {27, 16, 16, "sourceIPv6Address"},
    [E_DST6] = {28, 16, 16, "destinationIPv6Address"},
    [E_ICMP4] = {32, 1, 2, "icmpTypeCodeIPv4"},
    [E_OCTETS_TOTAL] = {85, 1, 8, "octetTotalCount"},
    [E_PACKETS_TOTAL] = {86, 1, 8, "packetTotalCount"},
    [E_ICMP6] = {139, 1, 2, "icmpTypeCodeIPv6"},
    [E_START_S] = {150, 4, 4, "flowStartSeconds"},
    [E_END_S] = {151, 4, 4, "flowEndSeconds"},
    [E_START_MS] = {152, 8, 8, "flowStartMilliseconds"},
    [E_END_MS] = {153, 8, 8, "flowEndMilliseconds"},
    [E_START_US] = {154, 8, 8, "flowStartMicroseconds"},
    [E_END_US] = {155, 8, 8, "flowEndMicroseconds"},
    [E_START_NS] = {156, 8, 8, "flowStartNanoseconds"},
    [E_END_NS] = {157, 8, 8, "flowEndNanoseconds"},
    [E_START_DELTA] = {158, 1, 4, "flowStartDeltaMicroseconds"},
    [E_END_DELTA] = {159, 1, 4, "flowEndDeltaMicroseconds"},
    [E_INIT_MS] = {160, 8, 8, "systemInitTimeMilliseconds"},
    [E_DURATION] = {161, 1, 4, "flowDurationMilliseconds"},
};

#define HAS(t, e) (((t)->have >> (e)) & 1u)

static int elem_by_id(guint16 id)
{
    for (int e = 0; e < E_COUNT; e++)
        if (elems[e].id == id)
            return e;
    return -1;
}

/* What the reader knows of an external template. */
typedef struct tmpl_info {
    guint32 have;       /* bits of elem */
    gboolean options;   /* an options template: its records are not flows */
    gboolean undecodable; /* an element of rec_spec has variable length: libfixbuf 2.4 cannot
                           * transcode it ("between fixed and varlen IE") and fails the whole
                           * message, so its data sets never reach libfixbuf */
    char *bad;          /* why its records are bad rows, or NULL */
    guint16 tid;
} tmpl_info;

static void tmpl_info_free(gpointer p)
{
    tmpl_info *t = p;
    g_free(t->bad);
    g_free(t);
}

static guint64 tkey(guint32 domain, guint16 tid)
{
    return (guint64)domain << 16 | tid;
}

/* ---------------------------------------------------------------- the reader */

typedef struct ipfix {
    c2h_bytesrc *in;
    fbInfoModel_t *model;
    fBuf_t *fbuf;
    GHashTable *tmpls;    /* guint64 tkey -> tmpl_info */
    GHashTable *init_ms;  /* guint32 domain -> systemInitTimeMilliseconds (guint64, boxed) */
    guint8 *raw;          /* the message as read */
    guint8 *msg;          /* the message as libfixbuf gets it */
    gboolean have_msg;    /* msg is with libfixbuf */
    gboolean done, failed;
    guint64 msg_no;       /* number of the current message, from 1 */
    guint64 msg_off;      /* its byte offset in the (decompressed) input */
    guint64 off;          /* bytes of input framed so far */
    guint32 domain, export_time;
    guint64 rec_no;       /* data records decoded so far */
    GPtrArray *warnings;  /* libfixbuf's g_warning texts while it ran */
    c2h_bad_row_fn bad_row;
    void *bad_row_ud;
    c2h_flowsrc *src;
} ipfix;

static const char *name_of(const ipfix *r)
{
    return c2h_bytesrc_name(r->in);
}

static gboolean bad(ipfix *r, guint64 rec, const char *reason, GError **err)
{
    r->src->bad_rows++;
    if (r->bad_row == NULL) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: record %" G_GUINT64_FORMAT ": %s", name_of(r), rec, reason);
        return FALSE;
    }
    if (!r->bad_row(r->bad_row_ud, name_of(r), rec, reason)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: record %" G_GUINT64_FORMAT ": too many bad rows (this one: %s)",
                    name_of(r), rec, reason);
        return FALSE;
    }
    return TRUE;
}

/* Read exactly len bytes. @return len, fewer at the end of the input, -1 with err. */
static gssize read_full(ipfix *r, guint8 *buf, gsize len, GError **err)
{
    gsize got = 0;
    while (got < len) {
        gssize n = c2h_bytesrc_read(r->in, buf + got, len - got, err);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (gsize)n;
    }
    r->src->input_bytes = c2h_bytesrc_file_bytes(r->in);
    return (gssize)got;
}

static guint16 get16(const guint8 *p)
{
    return (guint16)(p[0] << 8 | p[1]);
}

static guint32 get32(const guint8 *p)
{
    return (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 | p[3];
}

static void put16(guint8 *p, guint16 v)
{
    p[0] = (guint8)(v >> 8);
    p[1] = (guint8)v;
}

#define MALFORMED(...)                                                                                   \
    do {                                                                                                 \
        g_autofree char *what_ = g_strdup_printf(__VA_ARGS__);                                           \
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: message %" G_GUINT64_FORMAT " (byte %" G_GUINT64_FORMAT \
                    "): %s", name_of(r), r->msg_no, r->msg_off, what_);                                   \
        return FALSE;                                                                                    \
    } while (0)

/* Check one template record at raw[at, end) of a template (options when scope) set and
 * note what it defines. @return the bytes it takes (0 for trailing padding), or -1 with err. */
static gssize template_record(ipfix *r, gsize at, gsize end, gboolean options, gboolean *withdrawal, GError **err)
{
#define TMPL_BAD(...)                                                                                        \
    do {                                                                                                     \
        g_autofree char *what_ = g_strdup_printf(__VA_ARGS__);                                               \
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,                                                         \
                    "%s: message %" G_GUINT64_FORMAT " (byte %" G_GUINT64_FORMAT "): template record at byte %" \
                    G_GUINT64_FORMAT ": %s", name_of(r), r->msg_no, r->msg_off, r->msg_off + at, what_);      \
        return -1;                                                                                           \
    } while (0)
    const guint8 *p = r->raw;
    guint16 tid = get16(p + at), count = get16(p + at + 2);
    if (tid < 256)
        TMPL_BAD("template ID %u (IDs under 256 are reserved)", tid);
    *withdrawal = count == 0;
    if (count == 0) {
        g_hash_table_remove(r->tmpls, &(guint64){tkey(r->domain, tid)});
        return 4;
    }
    gsize pos = at + 4;
    guint16 scope = 0;
    if (options) {
        if (pos + 2 > end)
            TMPL_BAD("options template %u runs past the end of its set", tid);
        scope = get16(p + pos);
        pos += 2;
        if (scope == 0 || scope > count)
            TMPL_BAD("options template %u has %u scope fields of %u fields", tid, scope, count);
    }
    tmpl_info *t = g_new0(tmpl_info, 1);
    t->tid = tid;
    t->options = options;
    GString *why = NULL;
    for (guint i = 0; i < count; i++) {
        if (pos + 4 > end) {
            tmpl_info_free(t);
            if (why)
                g_string_free(why, TRUE);
            TMPL_BAD("template %u: field %u of %u runs past the end of its set", tid, i + 1, count);
        }
        guint16 id = get16(p + pos), len = get16(p + pos + 2);
        pos += 4;
        gboolean enterprise = (id & 0x8000) != 0;
        if (enterprise) {
            if (pos + 4 > end) {
                tmpl_info_free(t);
                if (why)
                    g_string_free(why, TRUE);
                TMPL_BAD("template %u: field %u of %u runs past the end of its set", tid, i + 1, count);
            }
            pos += 4;
        }
        if (len == 0) {
            tmpl_info_free(t);
            if (why)
                g_string_free(why, TRUE);
            TMPL_BAD("template %u: field %u (element %u) has length 0", tid, i + 1, id & 0x7fff);
        }
        if (!enterprise && len == 65535 && (id == 210 || elem_by_id(id) >= 0)) /* 210: paddingOctets */
            t->undecodable = TRUE;
        int e = enterprise ? -1 : elem_by_id(id);
        if (e < 0)
            continue;
        t->have |= 1u << e;
        if (len < elems[e].min_len || len > elems[e].max_len) {
            if (why == NULL)
                why = g_string_new(NULL);
            g_string_append_printf(why, "%s%s has length %s%u (it must be ", why->len ? "; " : "", elems[e].name,
                                   len == 65535 ? "variable, " : "", len);
            if (elems[e].min_len == elems[e].max_len)
                g_string_append_printf(why, "%u)", elems[e].min_len);
            else
                g_string_append_printf(why, "%u to %u)", elems[e].min_len, elems[e].max_len);
        }
    }
    if (t->undecodable && why == NULL) { /* paddingOctets, which c2hunt does not read */
        why = g_string_new(NULL);
        g_string_append(why, "paddingOctets has variable length");
    }
    if (why) {
        t->bad = g_strdup_printf("template %u (message %" G_GUINT64_FORMAT ", byte %" G_GUINT64_FORMAT "): %s", tid,
                                 r->msg_no, r->msg_off + at, why->str);
        g_string_free(why, TRUE);
    }
    guint64 *k = g_new(guint64, 1);
    *k = tkey(r->domain, tid);
    g_hash_table_replace(r->tmpls, k, t);
    return (gssize)(pos - at);
#undef TMPL_BAD
}

static gboolean all_zero(const guint8 *p, gsize n)
{
    for (gsize i = 0; i < n; i++)
        if (p[i] != 0)
            return FALSE;
    return TRUE;
}

/* Check the sets of the message in raw[0, len) and write what libfixbuf gets into msg.
 * @return FALSE with err when the message is malformed or a bad row stops the reading. */
static gboolean vet_message(ipfix *r, gsize len, GError **err)
{
    const guint8 *p = r->raw;
    memcpy(r->msg, p, IPFIX_HDR);
    gsize out = IPFIX_HDR;
    for (gsize at = IPFIX_HDR; at < len;) {
        if (len - at < 4)
            MALFORMED("%zu bytes after the last set, too few for a set header (set at byte %" G_GUINT64_FORMAT ")",
                      len - at, r->msg_off + at);
        guint16 id = get16(p + at), slen = get16(p + at + 2);
        if (slen < 4)
            MALFORMED("set at byte %" G_GUINT64_FORMAT " has length %u (at least 4)", r->msg_off + at, slen);
        if (at + slen > len)
            MALFORMED("set at byte %" G_GUINT64_FORMAT " of length %u runs past the end of the message (%zu bytes)",
                      r->msg_off + at, slen, len);
        gsize end = at + slen;
        if (id == 2 || id == 3) {
            gsize set_out = out;
            out += 4;
            for (gsize t = at + 4; end - t >= 4 && !all_zero(p + t, end - t);) {
                gboolean withdrawal; /* (zero bytes at the end are padding) */
                gssize used = template_record(r, t, end, id == 3, &withdrawal, err);
                if (used < 0)
                    return FALSE;
                if (!withdrawal) {
                    memcpy(r->msg + out, p + t, (gsize)used);
                    out += (gsize)used;
                }
                t += (gsize)used;
            }
            if (out - set_out == 4) {
                out = set_out; /* nothing left in it: drop the set */
            } else {
                put16(r->msg + set_out, id);
                put16(r->msg + set_out + 2, (guint16)(out - set_out));
            }
        } else if (id >= 256) {
            const tmpl_info *t = g_hash_table_lookup(r->tmpls, &(guint64){tkey(r->domain, id)});
            if (t != NULL && t->undecodable) {
                char reason[IPFIX_REASON];
                snprintf(reason, sizeof reason,
                         "message %" G_GUINT64_FORMAT ", set at byte %" G_GUINT64_FORMAT
                         ": data set of %s (%u bytes of records skipped)", r->msg_no, r->msg_off + at, t->bad, slen);
                if (!bad(r, r->rec_no + 1, reason, err))
                    return FALSE;
            } else if (t != NULL) {
                memcpy(r->msg + out, p + at, slen);
                out += slen;
            } else {
                char reason[IPFIX_REASON];
                snprintf(reason, sizeof reason,
                         "message %" G_GUINT64_FORMAT ", set at byte %" G_GUINT64_FORMAT
                         ": data set of template %u, which no template set of observation domain %u defined before it"
                         " (%u bytes of records skipped)",
                         r->msg_no, r->msg_off + at, id, r->domain, slen);
                if (!bad(r, r->rec_no + 1, reason, err))
                    return FALSE;
            }
        } else {
            MALFORMED("set at byte %" G_GUINT64_FORMAT " has set ID %u (%s)", r->msg_off + at, id,
                      id < 2 ? "a NetFlow v9 template set ID, not IPFIX" : "reserved");
        }
        at = end;
    }
    put16(r->msg + 2, (guint16)out);
    return TRUE;
}

/* Frame the next message and hand it to libfixbuf. @return 1, 0 at the end, -1 with err. */
static int next_message(ipfix *r, GError **err)
{
    gssize n = read_full(r, r->raw, IPFIX_HDR, err);
    if (n < 0)
        return -1;
    if (n == 0)
        return 0;
    r->msg_no++;
    r->msg_off = r->off;
    const guint8 *p = r->raw;
    if (n >= 2 && get16(p) != IPFIX_VERSION) {
        const char *hint = "";
        if (p[0] == 0x0c && p[1] == 0xa5)
            hint = " (this is an nfcapd file: use --format nfcapd)";
        else if (get16(p) == 9 || get16(p) == 5)
            hint = " (NetFlow export packets, not IPFIX)";
        else if (n >= 4 && (get32(p) == 0xd4c3b2a1 || get32(p) == 0xa1b2c3d4 || get32(p) == 0x0a0d0d0a))
            hint = " (this is a pcap file)";
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,
                    "%s: message %" G_GUINT64_FORMAT " (byte %" G_GUINT64_FORMAT "): version %u, not IPFIX (10)%s",
                    name_of(r), r->msg_no, r->msg_off, get16(p), hint);
        return -1;
    }
    if (n < IPFIX_HDR) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,
                    "%s: message %" G_GUINT64_FORMAT " (byte %" G_GUINT64_FORMAT
                    "): truncated: the input ends %zd bytes into the 16-byte message header",
                    name_of(r), r->msg_no, r->msg_off, n);
        return -1;
    }
    guint16 len = get16(p + 2);
    if (len < IPFIX_HDR) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,
                    "%s: message %" G_GUINT64_FORMAT " (byte %" G_GUINT64_FORMAT "): length %u (at least 16)",
                    name_of(r), r->msg_no, r->msg_off, len);
        return -1;
    }
    gssize body = read_full(r, r->raw + IPFIX_HDR, len - IPFIX_HDR, err);
    if (body < 0)
        return -1;
    if (body < len - IPFIX_HDR) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,
                    "%s: message %" G_GUINT64_FORMAT " (byte %" G_GUINT64_FORMAT
                    "): truncated: its header says %u bytes, the input ends after %zd",
                    name_of(r), r->msg_no, r->msg_off, len, body + IPFIX_HDR);
        return -1;
    }
    r->off += len;
    r->export_time = get32(p + 4);
    r->domain = get32(p + 12);
    if (!vet_message(r, len, err))
        return -1;
    fBufSetBuffer(r->fbuf, r->msg, get16(r->msg + 2));
    return 1;
}

static void take_warning(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer ud)
{
    (void)domain;
    (void)level;
    ipfix *r = ud;
    g_ptr_array_add(r->warnings, g_strdup(message));
}

/* libfixbuf's warnings since the last call: dropped or bad rows. */
static gboolean judge_warnings(ipfix *r, GError **err)
{
    gboolean ok = TRUE;
    for (guint i = 0; i < r->warnings->len; i++) {
        const char *w = r->warnings->pdata[i];
        if (!ok || strstr(w, "out of sequence") != NULL || g_str_has_prefix(w, "Template warning"))
            continue;
        g_autofree char *reason = g_strdup_printf("message %" G_GUINT64_FORMAT " (byte %" G_GUINT64_FORMAT "): libfixbuf: %s",
                                                  r->msg_no, r->msg_off, w);
        ok = bad(r, r->rec_no + 1, reason, err);
    }
    g_ptr_array_set_size(r->warnings, 0);
    return ok;
}

static gint64 ntp_ms(guint64 v)
{
    guint64 secs = v >> 32, frac = v & 0xffffffffu;
    return ((gint64)secs - (gint64)NTP_UNIX_OFFSET) * 1000 + (gint64)((frac * 1000) >> 32);
}

typedef enum { REC_FLOW, REC_SKIP, REC_BAD } rec_kind;

/* Turn the record just decoded into f, or say why it is bad. */
static rec_kind convert(ipfix *r, const tmpl_info *t, const ipfix_rec *x, c2h_flow *f, char *reason)
{
    if (t->options) {
        if (HAS(t, E_INIT_MS)) {
            guint64 *v = g_new(guint64, 1);
            *v = x->init_ms;
            g_hash_table_replace(r->init_ms, GUINT_TO_POINTER(r->domain), v);
        }
        return REC_SKIP;
    }
#define BADR(...)                                                                                                  \
    do {                                                                                                           \
        int n_ = snprintf(reason, IPFIX_REASON, "message %" G_GUINT64_FORMAT " (byte %" G_GUINT64_FORMAT "), template %u: ", \
                          r->msg_no, r->msg_off, t->tid);                                                          \
        snprintf(reason + n_, IPFIX_REASON - (size_t)n_, __VA_ARGS__);                                             \
        return REC_BAD;                                                                                            \
    } while (0)
    if (t->bad) {
        snprintf(reason, IPFIX_REASON, "%s", t->bad);
        return REC_BAD;
    }
    if (HAS(t, E_SRC4))
        f->src = c2h_addr_from_v4(x->src4);
    else if (HAS(t, E_SRC6))
        memcpy(f->src.b, x->src6, 16);
    else
        BADR("no source address (sourceIPv4Address or sourceIPv6Address)");
    if (HAS(t, E_DST4))
        f->dst = c2h_addr_from_v4(x->dst4);
    else if (HAS(t, E_DST6))
        memcpy(f->dst.b, x->dst6, 16);
    else
        BADR("no destination address (destinationIPv4Address or destinationIPv6Address)");

    const guint64 *init = NULL;
    if (HAS(t, E_INIT_MS))
        init = &x->init_ms;
    else if (HAS(t, E_START_UP) || HAS(t, E_END_UP))
        init = g_hash_table_lookup(r->init_ms, GUINT_TO_POINTER(r->domain));
    gint64 export_ms = (gint64)r->export_time * 1000;
    gint64 start, end;
    if (HAS(t, E_START_MS))
        start = (gint64)x->start_ms;
    else if (HAS(t, E_START_US))
        start = ntp_ms(x->start_us);
    else if (HAS(t, E_START_NS))
        start = ntp_ms(x->start_ns);
    else if (HAS(t, E_START_S))
        start = (gint64)x->start_s * 1000;
    else if (HAS(t, E_START_UP) && init != NULL)
        start = (gint64)*init + x->start_up;
    else if (HAS(t, E_START_DELTA))
        start = c2h_floordiv(export_ms * 1000 - x->start_delta_us, 1000);
    else if (HAS(t, E_START_UP))
        BADR("flowStartSysUpTime without systemInitTimeMilliseconds (in the record or an options record)");
    else
        BADR("no start time (flowStart{Milli,Micro,Nano}seconds, flowStartSeconds, flowStartSysUpTime or "
             "flowStartDeltaMicroseconds)");
    if (HAS(t, E_END_MS))
        end = (gint64)x->end_ms;
    else if (HAS(t, E_END_US))
        end = ntp_ms(x->end_us);
    else if (HAS(t, E_END_NS))
        end = ntp_ms(x->end_ns);
    else if (HAS(t, E_END_S))
        end = (gint64)x->end_s * 1000;
    else if (HAS(t, E_END_UP) && init != NULL)
        end = (gint64)*init + x->end_up;
    else if (HAS(t, E_END_DELTA))
        end = c2h_floordiv(export_ms * 1000 - x->end_delta_us, 1000);
    else
        end = start + (HAS(t, E_DURATION) ? x->duration_ms : 0);
#undef BADR
    f->start_ms = start;
    f->end_ms = end;
    f->proto = x->proto;
    f->sport = x->sport;
    f->dport = x->dport;
    if (f->dport == 0 && f->proto == 1 && HAS(t, E_ICMP4))
        f->dport = x->icmp4;
    else if (f->dport == 0 && f->proto == 58 && HAS(t, E_ICMP6))
        f->dport = x->icmp6;
    f->tcp_flags = (guint8)x->tcp_flags;
    f->packets = HAS(t, E_PACKETS) ? x->packets : x->packets_total;
    f->bytes = HAS(t, E_OCTETS) ? x->bytes : x->bytes_total;
    return REC_FLOW;
}

static gssize ipfix_next(c2h_flowsrc *src, c2h_flow *out, gsize cap, GError **err)
{
    ipfix *r = src->impl;
    if (r->failed) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INTERNAL, "%s: read again after an error", name_of(r));
        return -1;
    }
    guint handler = g_log_set_handler(NULL, G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE, take_warning, r);
    gsize n = 0;
    char reason[IPFIX_REASON];
    const tmpl_info *last = NULL;
    guint16 last_tid = 0;
    while (n < cap && !r->done) {
        if (!r->have_msg) {
            int got = next_message(r, err);
            if (got < 0 || !judge_warnings(r, err))
                goto fail;
            if (got == 0) {
                r->done = TRUE;
                break;
            }
            r->have_msg = TRUE;
            last = NULL;
        }
        ipfix_rec x;
        size_t len = sizeof x;
        GError *e = NULL;
        gboolean ok = fBufNext(r->fbuf, (uint8_t *)&x, &len, &e);
        if (!judge_warnings(r, err)) {
            g_clear_error(&e);
            goto fail;
        }
        if (!ok) {
            if (g_error_matches(e, FB_ERROR_DOMAIN, FB_ERROR_EOM) || g_error_matches(e, FB_ERROR_DOMAIN, FB_ERROR_BUFSZ)) {
                g_error_free(e);
                r->have_msg = FALSE;
                continue;
            }
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,
                        "%s: message %" G_GUINT64_FORMAT " (byte %" G_GUINT64_FORMAT "): libfixbuf: %s", name_of(r),
                        r->msg_no, r->msg_off, e->message);
            g_error_free(e);
            goto fail;
        }
        r->rec_no++;
        guint16 tid = 0;
        fBufGetCollectionTemplate(r->fbuf, &tid);
        if (last == NULL || tid != last_tid) {
            last = g_hash_table_lookup(r->tmpls, &(guint64){tkey(r->domain, tid)});
            last_tid = tid;
        }
        if (last == NULL) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_INTERNAL,
                        "%s: message %" G_GUINT64_FORMAT ": libfixbuf decoded a record of template %u, unknown here",
                        name_of(r), r->msg_no, tid);
            goto fail;
        }
        switch (convert(r, last, &x, &out[n], reason)) {
        case REC_FLOW:
            n++;
            break;
        case REC_SKIP:
            break;
        case REC_BAD:
            if (!bad(r, r->rec_no, reason, err))
                goto fail;
            break;
        }
    }
    g_log_remove_handler(NULL, handler);
    src->rows += n;
    return (gssize)n;
fail:
    g_log_remove_handler(NULL, handler);
    r->failed = TRUE;
    return -1;
}

static void ipfix_close(c2h_flowsrc *src)
{
    ipfix *r = src->impl;
    if (r == NULL)
        return;
    if (r->fbuf)
        fBufFree(r->fbuf); /* and its session */
    if (r->model)
        fbInfoModelFree(r->model);
    c2h_bytesrc_close(r->in);
    g_hash_table_destroy(r->tmpls);
    g_hash_table_destroy(r->init_ms);
    g_ptr_array_free(r->warnings, TRUE);
    g_free(r->raw);
    g_free(r->msg);
    g_free(r);
    src->impl = NULL;
}

static const c2h_flowsrc_ops ipfix_ops = {ipfix_next, ipfix_close};

c2h_flowsrc *c2h_ipfix_open(const char *path, const c2h_flowsrc_opts *opts, GError **err)
{
    g_return_val_if_fail(path != NULL, NULL);
    c2h_bytesrc *in = c2h_bytesrc_open(path, err);
    if (in == NULL)
        return NULL;
    ipfix *r = g_new0(ipfix, 1);
    r->in = in;
    r->tmpls = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, tmpl_info_free);
    r->init_ms = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    r->warnings = g_ptr_array_new_with_free_func(g_free);
    /* Room past the end: the message is checked before libfixbuf reads it, this is only a margin. */
    r->raw = g_malloc0(IPFIX_MAX_MSG + 64);
    r->msg = g_malloc0(IPFIX_MAX_MSG + 64);
    r->bad_row = opts ? opts->bad_row : NULL;
    r->bad_row_ud = opts ? opts->bad_row_ud : NULL;
    c2h_flowsrc *src = g_new0(c2h_flowsrc, 1);
    src->ops = &ipfix_ops;
    src->name = g_strdup(path);
    src->impl = r;
    r->src = src;

    r->model = fbInfoModelAlloc();
    fbSession_t *session = fbSessionAlloc(r->model);
    r->fbuf = fBufAllocForCollection(session, NULL);
    fBufSetAutomaticMode(r->fbuf, FALSE);
    fbTemplate_t *tmpl = fbTemplateAlloc(r->model);
    GError *e = NULL;
    guint16 tid = 0;
    if (!fbTemplateAppendSpecArray(tmpl, rec_spec, 0, &e)) {
        fbTemplateFreeUnused(tmpl);
    } else if ((tid = fbSessionAddTemplate(session, TRUE, FB_TID_AUTO, tmpl, &e)) != 0) {
        if (fbTemplateGetIELenOfMemBuffer(tmpl) != sizeof(ipfix_rec))
            g_set_error(&e, C2H_ERROR, C2H_ERROR_INTERNAL, "internal template of %u bytes, the struct has %zu",
                        fbTemplateGetIELenOfMemBuffer(tmpl), sizeof(ipfix_rec));
        else
            fBufSetInternalTemplate(r->fbuf, tid, &e);
    }
    if (e != NULL) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INTERNAL, "%s: setting up libfixbuf: %s", name_of(r), e->message);
        g_error_free(e);
        c2h_flowsrc_close(src);
        return NULL;
    }
    return src;
}
