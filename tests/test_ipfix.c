/* test_ipfix.c: the IPFIX reader (io/ipfix.c).
 *
 * Files written with libfixbuf's own exporter (fbExporterAllocFile) with known flows, IPv4
 * and IPv6, read back exactly; every way of giving the times (milliseconds, seconds,
 * micro- and nanoseconds in NTP form, sysUpTime with the init time in the record or in an
 * options record, deltas before the export time, a duration), reduced-length counters,
 * total counters and ICMP type/code; records without addresses or times as bad rows with
 * their record numbers; files cut at every byte, garbage, a wrong version and malformed
 * sets and templates as errors naming the message and byte; data sets without a template,
 * withdrawals and observation domains (hand-built bytes, independent of libfixbuf);
 * libfixbuf's warnings never reaching the log; gzip input.
 *
 * `test_ipfix bench N` writes N flows and prints how fast the reader reads them.
 */
#include "io/flowsrc.h"

#include <fixbuf/public.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#define T0 INT64_C(1709287201234) /* 2024-03-01T10:00:01.234Z */

/* ---------------------------------------------------------------- helpers */

static char *tmp_path(const char *name)
{
    char *path = NULL;
    int fd = g_file_open_tmp(name, &path, NULL);
    assert_true(fd >= 0);
    close(fd);
    return path;
}

typedef struct bad_log {
    GArray *recs; /* guint64 */
    GPtrArray *reasons;
    guint budget;
} bad_log;

static gboolean log_bad(void *ud, const char *file, guint64 rec, const char *reason)
{
    (void)file;
    bad_log *b = ud;
    g_array_append_val(b->recs, rec);
    g_ptr_array_add(b->reasons, g_strdup(reason));
    return b->reasons->len < b->budget;
}

static bad_log *bad_log_new(guint budget)
{
    bad_log *b = g_new0(bad_log, 1);
    b->recs = g_array_new(FALSE, FALSE, sizeof(guint64));
    b->reasons = g_ptr_array_new_with_free_func(g_free);
    b->budget = budget;
    return b;
}

static void bad_log_free(bad_log *b)
{
    g_array_free(b->recs, TRUE);
    g_ptr_array_free(b->reasons, TRUE);
    g_free(b);
}

/* Read all of path as IPFIX in batches of batch. @return the flows, or NULL with err. */
static GArray *read_ipfix(const char *path, bad_log *bad, gsize batch, guint64 *bad_rows, GError **err)
{
    c2h_flowsrc_opts o = {.bad_row = bad ? log_bad : NULL, .bad_row_ud = bad};
    c2h_flowsrc *src = c2h_flowsrc_open("ipfix", path, &o, err);
    if (src == NULL)
        return NULL;
    GArray *all = g_array_new(FALSE, FALSE, sizeof(c2h_flow));
    c2h_flow *buf = g_new0(c2h_flow, batch);
    gssize n;
    while ((n = c2h_flowsrc_next(src, buf, batch, err)) > 0)
        g_array_append_vals(all, buf, (guint)n);
    g_free(buf);
    if (bad_rows)
        *bad_rows = src->bad_rows;
    if (n == 0)
        assert_int_equal(src->rows, all->len);
    c2h_flowsrc_close(src);
    if (n < 0) {
        g_array_free(all, TRUE);
        return NULL;
    }
    return all;
}

static void assert_flow_eq(const c2h_flow *a, const c2h_flow *b)
{
    assert_int_equal(a->start_ms, b->start_ms);
    assert_int_equal(a->end_ms, b->end_ms);
    assert_memory_equal(a->src.b, b->src.b, 16);
    assert_memory_equal(a->dst.b, b->dst.b, 16);
    assert_int_equal(a->sport, b->sport);
    assert_int_equal(a->dport, b->dport);
    assert_int_equal(a->proto, b->proto);
    assert_int_equal(a->tcp_flags, b->tcp_flags);
    assert_int_equal(a->packets, b->packets);
    assert_int_equal(a->bytes, b->bytes);
}

static c2h_addr addr(const char *s)
{
    c2h_addr a;
    assert_true(c2h_addr_parse(s, strlen(s), &a));
    return a;
}

static void assert_contains(const char *s, const char *part)
{
    if (strstr(s, part) == NULL)
        fail_msg("'%s' does not contain '%s'", s, part);
}

/* ---------------------------------------------------------------- libfixbuf writer */

/* Spec flags: an entry only in the internal (memory) template, or only in the exported one. */
#define INT_ONLY 1u
#define EXT_ONLY 2u

typedef struct writer {
    fbInfoModel_t *model;
    fbSession_t *session;
    fBuf_t *fbuf;
} writer;

static writer *writer_open(const char *path, guint32 domain)
{
    writer *w = g_new0(writer, 1);
    w->model = fbInfoModelAlloc();
    w->session = fbSessionAlloc(w->model);
    fbSessionSetDomain(w->session, domain);
    w->fbuf = fBufAllocForExport(w->session, fbExporterAllocFile(path));
    return w;
}

/* Add template tid: the internal one from spec's entries without EXT_ONLY, the exported one
 * from those without INT_ONLY; scope > 0 makes it an options template. */
static void writer_template(writer *w, guint16 tid, fbInfoElementSpec_t *spec, guint16 scope, size_t recsize)
{
    GError *err = NULL;
    fbTemplate_t *in = fbTemplateAlloc(w->model), *ex = fbTemplateAlloc(w->model);
    assert_true(fbTemplateAppendSpecArray(in, spec, INT_ONLY, &err));
    assert_true(fbTemplateAppendSpecArray(ex, spec, EXT_ONLY, &err));
    if (scope) {
        fbTemplateSetOptionsScope(in, scope);
        fbTemplateSetOptionsScope(ex, scope);
    }
    assert_int_equal(fbTemplateGetIELenOfMemBuffer(in), recsize);
    assert_int_equal(fbSessionAddTemplate(w->session, TRUE, tid, in, &err), tid);
    assert_int_equal(fbSessionAddTemplate(w->session, FALSE, tid, ex, &err), tid);
    assert_null(err);
}

static void writer_append(writer *w, guint16 tid, void *rec, size_t len)
{
    GError *err = NULL;
    assert_true(fBufSetInternalTemplate(w->fbuf, tid, &err));
    assert_true(fBufSetExportTemplate(w->fbuf, tid, &err));
    if (!fBufAppend(w->fbuf, rec, len, &err))
        fail_msg("fBufAppend: %s", err->message);
}

static void writer_emit(writer *w)
{
    GError *err = NULL;
    assert_true(fBufEmit(w->fbuf, &err));
}

static void writer_close(writer *w)
{
    writer_emit(w);
    fBufFree(w->fbuf); /* its session and exporter too: the file is closed */
    fbInfoModelFree(w->model);
    g_free(w);
}

/* The flow templates of the round trip. */
enum { TID_V4 = 256, TID_V6 = 257 };

typedef struct rec_v4 {
    uint64_t start, end, packets, bytes;
    uint32_t src, dst;
    uint16_t sport, dport;
    uint8_t proto, flags;
    uint8_t pad[10];
} rec_v4;
G_STATIC_ASSERT(sizeof(rec_v4) == 56);

static fbInfoElementSpec_t spec_v4[] = {
    {"flowStartMilliseconds", 8, 0}, {"flowEndMilliseconds", 8, 0},    {"packetDeltaCount", 8, 0},
    {"octetDeltaCount", 8, 0},       {"sourceIPv4Address", 4, 0},      {"destinationIPv4Address", 4, 0},
    {"sourceTransportPort", 2, 0},   {"destinationTransportPort", 2, 0}, {"protocolIdentifier", 1, 0},
    {"tcpControlBits", 1, 0},        {"paddingOctets", 10, INT_ONLY},  FB_IESPEC_NULL,
};

typedef struct rec_v6 {
    uint64_t start, end, packets, bytes;
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    uint16_t flags;
    uint8_t proto;
    uint8_t pad;
} rec_v6;
G_STATIC_ASSERT(sizeof(rec_v6) == 72);

static fbInfoElementSpec_t spec_v6[] = {
    {"flowStartMilliseconds", 8, 0},     {"flowEndMilliseconds", 8, 0},  {"packetDeltaCount", 8, 0},
    {"octetDeltaCount", 8, 0},           {"sourceIPv6Address", 16, 0},   {"destinationIPv6Address", 16, 0},
    {"sourceTransportPort", 2, 0},       {"destinationTransportPort", 2, 0}, {"tcpControlBits", 2, 0},
    {"protocolIdentifier", 1, 0},        {"paddingOctets", 1, INT_ONLY}, FB_IESPEC_NULL,
};

static void write_flow(writer *w, const c2h_flow *f)
{
    if (c2h_flow_family(f) == C2H_FAMILY_V4) {
        rec_v4 r = {.start = (uint64_t)f->start_ms, .end = (uint64_t)f->end_ms, .packets = f->packets,
                    .bytes = f->bytes, .src = c2h_addr_v4(&f->src), .dst = c2h_addr_v4(&f->dst),
                    .sport = f->sport, .dport = f->dport, .proto = f->proto, .flags = f->tcp_flags};
        writer_append(w, TID_V4, &r, sizeof r);
    } else {
        rec_v6 r = {.start = (uint64_t)f->start_ms, .end = (uint64_t)f->end_ms, .packets = f->packets,
                    .bytes = f->bytes, .sport = f->sport, .dport = f->dport, .flags = f->tcp_flags,
                    .proto = f->proto};
        memcpy(r.src, f->src.b, 16);
        memcpy(r.dst, f->dst.b, 16);
        writer_append(w, TID_V6, &r, sizeof r);
    }
}

static c2h_flow random_flow(GRand *rng)
{
    c2h_flow f = {0};
    f.start_ms = T0 + g_rand_int_range(rng, 0, 86400000);
    f.end_ms = f.start_ms + g_rand_int_range(rng, 0, 600000);
    if (g_rand_int_range(rng, 0, 10) < 6) {
        f.src = c2h_addr_from_v4(g_rand_int(rng));
        f.dst = c2h_addr_from_v4(g_rand_int(rng));
    } else {
        for (int i = 0; i < 16; i++) {
            f.src.b[i] = (uint8_t)g_rand_int(rng);
            f.dst.b[i] = (uint8_t)g_rand_int(rng);
        }
        f.src.b[0] = 0x20; /* never IPv4-mapped */
        f.dst.b[0] = 0x2a;
    }
    f.sport = (uint16_t)g_rand_int(rng);
    f.dport = (uint16_t)g_rand_int(rng);
    f.proto = (uint8_t)g_rand_int(rng);
    f.tcp_flags = (uint8_t)g_rand_int(rng);
    f.packets = (guint64)g_rand_int(rng) << 32 | g_rand_int(rng);
    f.bytes = (guint64)g_rand_int(rng) << 32 | g_rand_int(rng);
    return f;
}

/* Write n random flows (both families, in several messages) to path. @return the flows. */
static c2h_flow *write_random(const char *path, GRand *rng, int n)
{
    c2h_flow *want = g_new(c2h_flow, n);
    writer *w = writer_open(path, 1);
    writer_template(w, TID_V4, spec_v4, 0, sizeof(rec_v4));
    writer_template(w, TID_V6, spec_v6, 0, sizeof(rec_v6));
    for (int i = 0; i < n; i++) {
        want[i] = random_flow(rng);
        write_flow(w, &want[i]);
    }
    writer_close(w);
    return want;
}

/* ---------------------------------------------------------------- raw bytes, by hand */

static void put8(GByteArray *b, guint8 v)
{
    g_byte_array_append(b, &v, 1);
}
static void put16(GByteArray *b, guint16 v)
{
    guint8 x[2] = {(guint8)(v >> 8), (guint8)v};
    g_byte_array_append(b, x, 2);
}
static void put32(GByteArray *b, guint32 v)
{
    put16(b, (guint16)(v >> 16));
    put16(b, (guint16)v);
}
static void put64(GByteArray *b, guint64 v)
{
    put32(b, (guint32)(v >> 32));
    put32(b, (guint32)v);
}
static void set16(GByteArray *b, guint at, guint16 v)
{
    b->data[at] = (guint8)(v >> 8);
    b->data[at + 1] = (guint8)v;
}

/* Begin a message (length filled in by msg_end). @return its offset. */
static guint msg_begin(GByteArray *b, guint32 export_time, guint32 seq, guint32 domain)
{
    guint at = b->len;
    put16(b, 10);
    put16(b, 0);
    put32(b, export_time);
    put32(b, seq);
    put32(b, domain);
    return at;
}
static void msg_end(GByteArray *b, guint at)
{
    set16(b, at + 2, (guint16)(b->len - at));
}
static guint set_begin(GByteArray *b, guint16 id)
{
    guint at = b->len;
    put16(b, id);
    put16(b, 0);
    return at;
}
static void set_end(GByteArray *b, guint at)
{
    set16(b, at + 2, (guint16)(b->len - at));
}

/* A template of (element, length) pairs, n of them. */
static void put_template(GByteArray *b, guint16 tid, int n, const guint16 *pairs)
{
    put16(b, tid);
    put16(b, (guint16)n);
    for (int i = 0; i < n; i++) {
        put16(b, pairs[2 * i]);
        put16(b, pairs[2 * i + 1]);
    }
}

/* The small template of the hand-built files: start ms, end ms, IPv4 src, dst, dport. */
static const guint16 small_tmpl[] = {152, 8, 153, 8, 8, 4, 12, 4, 11, 2};
static void put_small(GByteArray *b, gint64 start, guint32 src, guint32 dst, guint16 dport)
{
    put64(b, (guint64)start);
    put64(b, (guint64)start + 1000);
    put32(b, src);
    put32(b, dst);
    put16(b, dport);
}

static void write_bytes(const char *path, const void *data, gsize len)
{
    assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
}

/* ---------------------------------------------------------------- round trip */

static void test_round_trip(void **state)
{
    (void)state;
    GRand *rng = g_rand_new_with_seed(7011);
    char *path = tmp_path("test_ipfix-XXXXXX.ipfix");
    enum { N = 20000 };
    c2h_flow *want = write_random(path, rng, N);
    int v4 = 0;
    for (int i = 0; i < N; i++)
        v4 += c2h_flow_family(&want[i]) == C2H_FAMILY_V4;
    assert_true(v4 > N / 2 && v4 < N);
    /* More than one message, so message boundaries are crossed. */
    gchar *bytes = NULL;
    gsize len = 0;
    assert_true(g_file_get_contents(path, &bytes, &len, NULL));
    assert_true(len > 65535);
    g_free(bytes);
    GError *err = NULL;
    guint64 bad = 1;
    GArray *got = read_ipfix(path, NULL, 7, &bad, &err);
    assert_null(err);
    assert_int_equal(bad, 0);
    assert_int_equal(got->len, N);
    for (int i = 0; i < N; i++)
        assert_flow_eq(&g_array_index(got, c2h_flow, i), &want[i]);
    g_array_free(got, TRUE);

    /* The same file gzip-compressed reads the same. */
    char *gz = tmp_path("test_ipfix-XXXXXX.ipfix.gz");
    g_autofree char *cmd = g_strdup_printf("gzip -c '%s' > '%s'", path, gz);
    if (system(cmd) == 0) {
        got = read_ipfix(gz, NULL, 1000, NULL, &err);
        assert_null(err);
        assert_int_equal(got->len, N);
        for (int i = 0; i < N; i++)
            assert_flow_eq(&g_array_index(got, c2h_flow, i), &want[i]);
        g_array_free(got, TRUE);
    }
    unlink(gz);
    g_free(gz);
    unlink(path);
    g_free(path);
    g_free(want);
    g_rand_free(rng);
}

/* A few flows by hand, both families, checked field by field against literal values. */
static void test_known_flows(void **state)
{
    (void)state;
    char *path = tmp_path("test_ipfix-XXXXXX.ipfix");
    writer *w = writer_open(path, 42);
    writer_template(w, TID_V4, spec_v4, 0, sizeof(rec_v4));
    writer_template(w, TID_V6, spec_v6, 0, sizeof(rec_v6));
    rec_v4 a = {.start = T0, .end = T0 + 1500, .packets = 12, .bytes = 3456, .src = 0xc0a8010a, .dst = 0xcb007105,
                .sport = 49152, .dport = 447, .proto = 6, .flags = 0x1b};
    writer_append(w, TID_V4, &a, sizeof a);
    rec_v6 b = {.start = T0 + 5, .end = T0 + 5, .packets = 1, .bytes = 90, .sport = 40001, .dport = 53, .flags = 0,
                .proto = 17};
    c2h_addr s6 = addr("2001:db8::1"), d6 = addr("2001:db8:0:1::53");
    memcpy(b.src, s6.b, 16);
    memcpy(b.dst, d6.b, 16);
    writer_append(w, TID_V6, &b, sizeof b);
    writer_close(w);

    GError *err = NULL;
    GArray *got = read_ipfix(path, NULL, 10, NULL, &err);
    assert_null(err);
    assert_int_equal(got->len, 2);
    c2h_flow *f = &g_array_index(got, c2h_flow, 0);
    assert_int_equal(f->start_ms, T0);
    assert_int_equal(f->end_ms, T0 + 1500);
    char buf[C2H_ADDR_STRLEN];
    assert_string_equal(c2h_addr_format(&f->src, buf), "192.168.1.10");
    assert_string_equal(c2h_addr_format(&f->dst, buf), "203.0.113.5");
    assert_int_equal(c2h_flow_family(f), C2H_FAMILY_V4);
    assert_int_equal(f->sport, 49152);
    assert_int_equal(f->dport, 447);
    assert_int_equal(f->proto, 6);
    assert_int_equal(f->tcp_flags, 0x1b);
    assert_int_equal(f->packets, 12);
    assert_int_equal(f->bytes, 3456);
    f = &g_array_index(got, c2h_flow, 1);
    assert_string_equal(c2h_addr_format(&f->src, buf), "2001:db8::1");
    assert_string_equal(c2h_addr_format(&f->dst, buf), "2001:db8:0:1::53");
    assert_int_equal(c2h_flow_family(f), C2H_FAMILY_V6);
    assert_int_equal(f->start_ms, T0 + 5);
    assert_int_equal(f->proto, 17);
    assert_int_equal(f->bytes, 90);
    g_array_free(got, TRUE);
    unlink(path);
    g_free(path);
}

/* ---------------------------------------------------------------- times and counters */

/* One record layout for every variant: slots filled by each template's spec, padding where
 * a template has nothing. */
typedef struct rec_x {
    uint64_t q[3];
    uint32_t d[4];
    uint32_t src, dst;
    uint16_t sport, dport;
    uint8_t proto;
    uint8_t pad[3];
} rec_x;
G_STATIC_ASSERT(sizeof(rec_x) == 56);

#define TAIL_SPEC                                                                                        \
    {"sourceIPv4Address", 4, 0}, {"destinationIPv4Address", 4, 0}, {"sourceTransportPort", 2, 0},       \
        {"destinationTransportPort", 2, 0}, {"protocolIdentifier", 1, 0}, {"paddingOctets", 3, INT_ONLY}, \
        FB_IESPEC_NULL
#define PAD(n) {"paddingOctets", n, INT_ONLY}

enum {
    TID_SECS = 300, TID_UP_REC, TID_UP_OPT, TID_US, TID_NS, TID_DELTA, TID_DUR_ICMP, TID_TOTALS, TID_OPTIONS,
    TID_NOSRC, TID_NODST, TID_NOTIME
};

static fbInfoElementSpec_t spec_secs[] = { /* reduced-length counters: 4 bytes on the wire */
    {"packetDeltaCount", 8, INT_ONLY}, {"packetDeltaCount", 4, EXT_ONLY}, {"octetDeltaCount", 8, INT_ONLY},
    {"octetDeltaCount", 4, EXT_ONLY},  PAD(8), {"flowStartSeconds", 4, 0}, {"flowEndSeconds", 4, 0}, PAD(8),
    TAIL_SPEC};
static fbInfoElementSpec_t spec_up_rec[] = {
    {"systemInitTimeMilliseconds", 8, 0}, {"packetDeltaCount", 8, 0}, {"octetDeltaCount", 8, 0},
    {"flowStartSysUpTime", 4, 0}, {"flowEndSysUpTime", 4, 0}, PAD(8), TAIL_SPEC};
static fbInfoElementSpec_t spec_up_opt[] = {
    PAD(8), {"packetDeltaCount", 8, 0}, {"octetDeltaCount", 8, 0},
    {"flowStartSysUpTime", 4, 0}, {"flowEndSysUpTime", 4, 0}, PAD(8), TAIL_SPEC};
static fbInfoElementSpec_t spec_us[] = {
    {"flowStartMicroseconds", 8, 0}, {"flowEndMicroseconds", 8, 0}, {"octetDeltaCount", 8, 0}, PAD(16), TAIL_SPEC};
static fbInfoElementSpec_t spec_ns[] = {
    {"flowStartNanoseconds", 8, 0}, {"flowEndNanoseconds", 8, 0}, {"octetDeltaCount", 8, 0}, PAD(16), TAIL_SPEC};
static fbInfoElementSpec_t spec_delta[] = {
    PAD(16), {"octetDeltaCount", 8, 0}, {"flowStartDeltaMicroseconds", 4, 0}, {"flowEndDeltaMicroseconds", 4, 0},
    PAD(8), TAIL_SPEC};
static fbInfoElementSpec_t spec_dur_icmp[] = { /* ICMP: the type and code where the source port would be */
    {"flowStartMilliseconds", 8, 0}, PAD(8), {"octetDeltaCount", 8, 0}, {"flowDurationMilliseconds", 4, 0}, PAD(12),
    {"sourceIPv4Address", 4, 0}, {"destinationIPv4Address", 4, 0}, {"icmpTypeCodeIPv4", 2, 0},
    {"destinationTransportPort", 2, 0}, {"protocolIdentifier", 1, 0}, {"paddingOctets", 3, INT_ONLY}, FB_IESPEC_NULL};
static fbInfoElementSpec_t spec_totals[] = {
    {"flowStartMilliseconds", 8, 0}, {"packetTotalCount", 8, 0}, {"octetTotalCount", 8, 0}, PAD(16), TAIL_SPEC};
static fbInfoElementSpec_t spec_nosrc[] = {
    {"flowStartMilliseconds", 8, 0}, {"flowEndMilliseconds", 8, 0}, {"octetDeltaCount", 8, 0}, PAD(16), PAD(4),
    {"destinationIPv4Address", 4, 0}, {"sourceTransportPort", 2, 0}, {"destinationTransportPort", 2, 0},
    {"protocolIdentifier", 1, 0}, PAD(3), FB_IESPEC_NULL};
static fbInfoElementSpec_t spec_nodst[] = {
    {"flowStartMilliseconds", 8, 0}, {"flowEndMilliseconds", 8, 0}, {"octetDeltaCount", 8, 0}, PAD(16),
    {"sourceIPv4Address", 4, 0}, PAD(4), {"sourceTransportPort", 2, 0}, {"destinationTransportPort", 2, 0},
    {"protocolIdentifier", 1, 0}, PAD(3), FB_IESPEC_NULL};
static fbInfoElementSpec_t spec_notime[] = {
    PAD(16), {"octetDeltaCount", 8, 0}, PAD(16), TAIL_SPEC};

typedef struct rec_opt {
    uint32_t domain;
    uint32_t pad;
    uint64_t init_ms;
} rec_opt;
static fbInfoElementSpec_t spec_options[] = {
    {"observationDomainId", 4, 0}, PAD(4), {"systemInitTimeMilliseconds", 8, 0}, FB_IESPEC_NULL};

/* The NTP form of ms since the epoch, the fraction rounded up so that it reads back exact. */
static guint64 ntp_of_ms(gint64 ms)
{
    guint64 secs = (guint64)(ms / 1000) + UINT64_C(2208988800);
    guint64 frac = (((guint64)(ms % 1000) << 32) + 999) / 1000;
    return secs << 32 | frac;
}

static rec_x base_rec(guint32 src)
{
    rec_x r = {.src = src, .dst = 0x0a000001, .sport = 1234, .dport = 447, .proto = 6};
    return r;
}

static void test_time_variants(void **state)
{
    (void)state;
    /* The encoding helper itself, against numbers worked out by hand: T0 is NTP second
     * 1709287201 + 2208988800 = 3918276001, and .234 s is 0.234 * 2^32 = 1005022347.3. */
    assert_true(ntp_of_ms(T0) == (UINT64_C(3918276001) << 32 | UINT64_C(1005022348)));

    char *path = tmp_path("test_ipfix-XXXXXX.ipfix");
    const guint32 export_s = 1709287300; /* T0 + 98.766 s */
    writer *w = writer_open(path, 5);
    fBufSetExportTime(w->fbuf, export_s);
    writer_template(w, TID_SECS, spec_secs, 0, sizeof(rec_x));
    writer_template(w, TID_UP_REC, spec_up_rec, 0, sizeof(rec_x));
    writer_template(w, TID_UP_OPT, spec_up_opt, 0, sizeof(rec_x));
    writer_template(w, TID_US, spec_us, 0, sizeof(rec_x));
    writer_template(w, TID_NS, spec_ns, 0, sizeof(rec_x));
    writer_template(w, TID_DELTA, spec_delta, 0, sizeof(rec_x));
    writer_template(w, TID_DUR_ICMP, spec_dur_icmp, 0, sizeof(rec_x));
    writer_template(w, TID_TOTALS, spec_totals, 0, sizeof(rec_x));
    writer_template(w, TID_OPTIONS, spec_options, 1, sizeof(rec_opt));

    rec_x r = base_rec(1); /* seconds, with 4-byte counters */
    r.q[0] = 7, r.q[1] = 4000000000u, r.d[0] = 1709287201, r.d[1] = 1709287261;
    writer_append(w, TID_SECS, &r, sizeof r);
    r = base_rec(2); /* sysUpTime, the init time in the record */
    r.q[0] = 1709280000000, r.q[1] = 3, r.q[2] = 300, r.d[0] = 7201234, r.d[1] = 7261234;
    writer_append(w, TID_UP_REC, &r, sizeof r);
    rec_opt o = {.domain = 5, .init_ms = 1709286000000}; /* an options record gives the init time */
    writer_append(w, TID_OPTIONS, &o, sizeof o);
    r = base_rec(3);
    r.q[1] = 4, r.q[2] = 400, r.d[0] = 1201234, r.d[1] = 1202000;
    writer_append(w, TID_UP_OPT, &r, sizeof r);
    r = base_rec(4); /* microseconds, NTP form */
    r.q[0] = ntp_of_ms(T0), r.q[1] = ntp_of_ms(T0 + 1500), r.q[2] = 500;
    writer_append(w, TID_US, &r, sizeof r);
    r = base_rec(5); /* nanoseconds, NTP form */
    r.q[0] = ntp_of_ms(T0 + 1), r.q[1] = ntp_of_ms(T0 + 999), r.q[2] = 600;
    writer_append(w, TID_NS, &r, sizeof r);
    r = base_rec(6); /* deltas before the export time */
    r.q[2] = 700, r.d[0] = 98766000, r.d[1] = 38766000;
    writer_append(w, TID_DELTA, &r, sizeof r);
    r = base_rec(7); /* a duration; ICMP echo request, type 8 code 0 */
    r.q[0] = T0, r.q[2] = 800, r.d[0] = 2500, r.sport = 0x0800, r.dport = 0, r.proto = 1;
    writer_append(w, TID_DUR_ICMP, &r, sizeof r);
    r = base_rec(8); /* total counters, no end */
    r.q[0] = T0, r.q[1] = 9, r.q[2] = 900;
    writer_append(w, TID_TOTALS, &r, sizeof r);
    writer_close(w);

    GError *err = NULL;
    bad_log *bl = bad_log_new(100);
    GArray *got = read_ipfix(path, bl, 3, NULL, &err);
    assert_null(err);
    for (guint i = 0; i < bl->reasons->len; i++)
        fail_msg("unexpected bad row: %s", (char *)bl->reasons->pdata[i]);
    assert_int_equal(got->len, 8);
    const struct {
        gint64 start, end;
        guint64 packets, bytes;
        guint16 dport;
        guint8 proto;
    } want[8] = {
        {T0 - 234, T0 - 234 + 60000, 7, 4000000000u, 447, 6},
        {T0, T0 + 60000, 3, 300, 447, 6},
        {1709286000000 + 1201234, 1709286000000 + 1202000, 4, 400, 447, 6},
        {T0, T0 + 1500, 0, 500, 447, 6},
        {T0 + 1, T0 + 999, 0, 600, 447, 6},
        {T0, T0 + 60000, 0, 700, 447, 6},
        {T0, T0 + 2500, 0, 800, 0x0800, 1},
        {T0, T0, 9, 900, 447, 6},
    };
    for (guint i = 0; i < 8; i++) {
        const c2h_flow *f = &g_array_index(got, c2h_flow, i);
        assert_int_equal(c2h_addr_v4(&f->src), i + 1);
        assert_int_equal(f->start_ms, want[i].start);
        assert_int_equal(f->end_ms, want[i].end);
        assert_int_equal(f->packets, want[i].packets);
        assert_int_equal(f->bytes, want[i].bytes);
        assert_int_equal(f->dport, want[i].dport);
        assert_int_equal(f->proto, want[i].proto);
    }
    g_array_free(got, TRUE);
    bad_log_free(bl);
    unlink(path);
    g_free(path);
}

/* Microseconds written byte by byte, not through libfixbuf: the reader's NTP decoding
 * against the RFC, not against libfixbuf's own encoder. */
static void test_ntp_by_hand(void **state)
{
    (void)state;
    GByteArray *b = g_byte_array_new();
    guint m = msg_begin(b, 1709287300, 0, 1);
    guint s = set_begin(b, 2);
    const guint16 t[] = {154, 8, 155, 8, 8, 4, 12, 4};
    put_template(b, 400, 4, t);
    set_end(b, s);
    s = set_begin(b, 400);
    put32(b, 3918276001u); /* T0: NTP seconds, then the fraction 0.234 * 2^32 rounded up */
    put32(b, 1005022348u);
    put32(b, 3918276002u); /* T0 + 1.5 s */
    put32(b, 3152506096u); /* 0.734 * 2^32 = 3152506095.3, rounded up */
    put32(b, 0x01020304);
    put32(b, 0x05060708);
    set_end(b, s);
    msg_end(b, m);
    char *path = tmp_path("test_ipfix-XXXXXX.ipfix");
    write_bytes(path, b->data, b->len);
    GError *err = NULL;
    GArray *got = read_ipfix(path, NULL, 4, NULL, &err);
    assert_null(err);
    assert_int_equal(got->len, 1);
    const c2h_flow *f = &g_array_index(got, c2h_flow, 0);
    assert_int_equal(f->start_ms, T0);
    assert_int_equal(f->end_ms, T0 + 1500);
    assert_int_equal(c2h_addr_v4(&f->src), 0x01020304);
    assert_int_equal(c2h_addr_v4(&f->dst), 0x05060708);
    g_array_free(got, TRUE);
    unlink(path);
    g_free(path);
    g_byte_array_free(b, TRUE);
}

/* ---------------------------------------------------------------- bad records */

static GArray *message_offsets(const guint8 *d, gsize len);

static void test_bad_records(void **state)
{
    (void)state;
    char *path = tmp_path("test_ipfix-XXXXXX.ipfix");
    writer *w = writer_open(path, 9);
    writer_template(w, TID_V4, spec_v4, 0, sizeof(rec_v4));
    writer_template(w, TID_NOSRC, spec_nosrc, 0, sizeof(rec_x));
    writer_template(w, TID_NODST, spec_nodst, 0, sizeof(rec_x));
    writer_template(w, TID_NOTIME, spec_notime, 0, sizeof(rec_x));
    writer_template(w, TID_UP_OPT, spec_up_opt, 0, sizeof(rec_x));
    rec_v4 good = {.start = T0, .end = T0, .src = 1, .dst = 2, .proto = 6};
    rec_x x = base_rec(9);
    x.q[0] = T0;
    writer_append(w, TID_V4, &good, sizeof good);   /* record 1 */
    writer_append(w, TID_NOSRC, &x, sizeof x);      /* 2: no source address */
    writer_append(w, TID_V4, &good, sizeof good);   /* 3 */
    writer_append(w, TID_NODST, &x, sizeof x);      /* 4: no destination */
    writer_append(w, TID_NOTIME, &x, sizeof x);     /* 5: no time */
    writer_append(w, TID_UP_OPT, &x, sizeof x);     /* 6: sysUpTime, no init time anywhere */
    writer_append(w, TID_V4, &good, sizeof good);   /* 7 */
    writer_close(w);

    GError *err = NULL;
    bad_log *bl = bad_log_new(100);
    guint64 bad = 0;
    GArray *got = read_ipfix(path, bl, 2, &bad, &err);
    assert_null(err);
    assert_int_equal(got->len, 3);
    assert_int_equal(bad, 4);
    assert_int_equal(bl->recs->len, 4);
    const guint64 recs[4] = {2, 4, 5, 6};
    const char *why[4] = {"no source address", "no destination address", "no start time",
                          "flowStartSysUpTime without systemInitTimeMilliseconds"};
    /* libfixbuf sends the templates in a message of their own: the records are in message 2. */
    gchar *data = NULL;
    gsize len = 0;
    assert_true(g_file_get_contents(path, &data, &len, NULL));
    GArray *offs = message_offsets((const guint8 *)data, len);
    assert_int_equal(offs->len, 2);
    g_autofree char *place = g_strdup_printf("message 2 (byte %zu), template ", g_array_index(offs, gsize, 1));
    for (int i = 0; i < 4; i++) {
        assert_int_equal(g_array_index(bl->recs, guint64, i), recs[i]);
        assert_contains(bl->reasons->pdata[i], why[i]);
        assert_contains(bl->reasons->pdata[i], place);
    }
    g_array_free(offs, TRUE);
    g_free(data);
    g_array_free(got, TRUE);
    bad_log_free(bl);

    /* A budget of 2: the second bad row stops the reading, naming its record. */
    bl = bad_log_new(2);
    got = read_ipfix(path, bl, 100, NULL, &err);
    assert_null(got);
    assert_non_null(err);
    assert_int_equal(err->code, C2H_ERROR_INPUT);
    assert_contains(err->message, path);
    assert_contains(err->message, "record 4");
    assert_contains(err->message, "too many bad rows");
    g_clear_error(&err);
    bad_log_free(bl);

    /* No callback: the first bad row is an error. */
    got = read_ipfix(path, NULL, 100, NULL, &err);
    assert_null(got);
    assert_contains(err->message, "record 2");
    g_clear_error(&err);
    unlink(path);
    g_free(path);
}

/* ---------------------------------------------------------------- malformed files */

/* The message offsets of a file of whole messages. */
static GArray *message_offsets(const guint8 *d, gsize len)
{
    GArray *at = g_array_new(FALSE, FALSE, sizeof(gsize));
    for (gsize o = 0; o < len;) {
        g_array_append_val(at, o);
        gsize l = (gsize)d[o + 2] << 8 | d[o + 3];
        assert_true(l >= 16);
        o += l;
    }
    return at;
}

/* A file cut at every byte: an error naming the cut message and its offset, or (cut at a
 * message boundary) the flows of the whole messages before the cut. */
static void test_truncated_everywhere(void **state)
{
    (void)state;
    GRand *rng = g_rand_new_with_seed(5655);
    char *path = tmp_path("test_ipfix-XXXXXX.ipfix");
    writer *w = writer_open(path, 3);
    writer_template(w, TID_V4, spec_v4, 0, sizeof(rec_v4));
    writer_template(w, TID_V6, spec_v6, 0, sizeof(rec_v6));
    c2h_flow want[9];
    for (int i = 0; i < 9; i++) {
        want[i] = random_flow(rng);
        write_flow(w, &want[i]);
        if (i % 3 == 2)
            writer_emit(w); /* three messages of three flows, after libfixbuf's message of templates */
    }
    writer_close(w);
    gchar *data = NULL;
    gsize len = 0;
    assert_true(g_file_get_contents(path, &data, &len, NULL));
    GArray *offs = message_offsets((const guint8 *)data, len);
    assert_int_equal(offs->len, 4);
    char *cut = tmp_path("test_ipfix-cut-XXXXXX.ipfix");
    for (gsize n = 1; n < len; n++) {
        write_bytes(cut, data, n);
        GError *err = NULL;
        GArray *got = read_ipfix(cut, NULL, 4, NULL, &err);
        guint k = 0; /* messages wholly before the cut */
        while (k + 1 < offs->len && g_array_index(offs, gsize, k + 1) <= n)
            k++;
        gboolean boundary = FALSE;
        for (guint i = 0; i < offs->len; i++)
            boundary |= g_array_index(offs, gsize, i) == n;
        if (boundary) {
            if (err)
                fail_msg("cut at message boundary %zu: %s", n, err->message);
            assert_int_equal(got->len, k == 0 ? 0 : 3 * (k - 1));
            for (guint i = 0; i < got->len; i++)
                assert_flow_eq(&g_array_index(got, c2h_flow, i), &want[i]);
            g_array_free(got, TRUE);
        } else {
            if (err == NULL)
                fail_msg("cut at byte %zu of %zu: no error", n, len);
            assert_null(got);
            g_autofree char *place = g_strdup_printf("message %u (byte %zu): truncated", k + 1,
                                                     g_array_index(offs, gsize, k));
            assert_contains(err->message, cut);
            assert_contains(err->message, place);
            g_error_free(err);
        }
    }
    unlink(cut);
    g_free(cut);
    g_array_free(offs, TRUE);
    g_free(data);
    unlink(path);
    g_free(path);
    g_rand_free(rng);
}

/* Read bytes as an IPFIX file. @return the error (the caller frees it), asserting there is one. */
static GError *read_bad(const GByteArray *b)
{
    char *path = tmp_path("test_ipfix-bad-XXXXXX.ipfix");
    write_bytes(path, b->data, b->len);
    GError *err = NULL;
    GArray *got = read_ipfix(path, NULL, 8, NULL, &err);
    if (got != NULL)
        fail_msg("no error for a malformed file (%u flows)", got->len);
    assert_non_null(err);
    assert_int_equal(err->code, C2H_ERROR_INPUT);
    assert_contains(err->message, path);
    unlink(path);
    g_free(path);
    return err;
}

/* A good first message: a template and one record. */
static GByteArray *good_start(void)
{
    GByteArray *b = g_byte_array_new();
    guint m = msg_begin(b, 1, 0, 1);
    guint s = set_begin(b, 2);
    put_template(b, 256, 5, small_tmpl);
    set_end(b, s);
    s = set_begin(b, 256);
    put_small(b, T0, 1, 2, 447);
    set_end(b, s);
    msg_end(b, m);
    return b;
}

static void test_malformed(void **state)
{
    (void)state;
    /* Garbage from the first byte. */
    GByteArray *b = g_byte_array_new();
    GRand *rng = g_rand_new_with_seed(1);
    for (int i = 0; i < 300; i++)
        put8(b, (guint8)g_rand_int(rng));
    b->data[0] = 0x47; /* "GET /", say */
    GError *err = read_bad(b);
    assert_contains(err->message, "message 1 (byte 0)");
    assert_contains(err->message, "not IPFIX");
    g_error_free(err);
    g_byte_array_free(b, TRUE);
    g_rand_free(rng);

    /* A wrong version in the second message; NetFlow v9 and nfcapd get a hint. */
    b = good_start();
    guint second = b->len;
    guint m = msg_begin(b, 1, 1, 1);
    msg_end(b, m);
    set16(b, second, 9);
    err = read_bad(b);
    g_autofree char *place = g_strdup_printf("message 2 (byte %u): version 9, not IPFIX (10)", second);
    assert_contains(err->message, place);
    assert_contains(err->message, "NetFlow");
    g_error_free(err);
    b->data[second] = 0x0c, b->data[second + 1] = 0xa5;
    err = read_bad(b);
    assert_contains(err->message, "nfcapd");
    g_error_free(err);
    g_byte_array_free(b, TRUE);

    /* Garbage after good messages. */
    b = good_start();
    second = b->len;
    for (int i = 0; i < 40; i++)
        put8(b, (guint8)(0x5a + i));
    err = read_bad(b);
    place = (g_free(place), g_strdup_printf("message 2 (byte %u)", second));
    assert_contains(err->message, place);
    g_error_free(err);
    g_byte_array_free(b, TRUE);

    /* A message length under 16. */
    b = good_start();
    second = b->len;
    m = msg_begin(b, 1, 1, 1);
    set16(b, m + 2, 12);
    err = read_bad(b);
    assert_contains(err->message, "length 12 (at least 16)");
    g_error_free(err);
    g_byte_array_free(b, TRUE);

    /* A set that runs past the end of its message. */
    b = good_start();
    second = b->len;
    m = msg_begin(b, 1, 1, 1);
    guint s = set_begin(b, 256);
    put_small(b, T0, 1, 2, 447);
    set_end(b, s);
    msg_end(b, m);
    set16(b, s + 2, 200);
    err = read_bad(b);
    place = (g_free(place), g_strdup_printf("message 2 (byte %u): set at byte %u of length 200 runs past", second, s));
    assert_contains(err->message, place);
    g_error_free(err);
    /* ... a set length under 4 */
    set16(b, s + 2, 3);
    err = read_bad(b);
    assert_contains(err->message, "has length 3 (at least 4)");
    g_error_free(err);
    /* ... a NetFlow v9 set ID, and a reserved one */
    set16(b, s + 2, (guint16)(b->len - s));
    set16(b, s, 0);
    err = read_bad(b);
    assert_contains(err->message, "set ID 0 (a NetFlow v9 template set ID");
    g_error_free(err);
    set16(b, s, 100);
    err = read_bad(b);
    assert_contains(err->message, "set ID 100 (reserved)");
    g_error_free(err);
    g_byte_array_free(b, TRUE);

    /* Template records: more fields than the set holds, a field of length 0, an ID under
     * 256, an options template without scope. */
    const struct {
        guint16 set_id, tid, count, scope;
        guint16 f0_len;
        const char *says;
    } cases[] = {
        {2, 256, 9, 0, 8, "field 6 of 9 runs past the end of its set"},
        {2, 256, 5, 0, 0, "field 1 (element 152) has length 0"},
        {2, 255, 5, 0, 8, "template ID 255"},
        {3, 256, 5, 0, 8, "has 0 scope fields of 5 fields"},
        {3, 256, 5, 6, 8, "has 6 scope fields of 5 fields"},
    };
    for (gsize c = 0; c < G_N_ELEMENTS(cases); c++) {
        b = g_byte_array_new();
        m = msg_begin(b, 1, 0, 1);
        s = set_begin(b, cases[c].set_id);
        guint rec = b->len;
        put16(b, cases[c].tid);
        put16(b, cases[c].count);
        if (cases[c].set_id == 3)
            put16(b, cases[c].scope);
        for (int i = 0; i < 5; i++) {
            put16(b, small_tmpl[2 * i]);
            put16(b, i == 0 ? cases[c].f0_len : small_tmpl[2 * i + 1]);
        }
        set_end(b, s);
        msg_end(b, m);
        err = read_bad(b);
        assert_contains(err->message, cases[c].says);
        place = (g_free(place), g_strdup_printf("message 1 (byte 0): template record at byte %u", rec));
        assert_contains(err->message, place);
        g_error_free(err);
        g_byte_array_free(b, TRUE);
    }
}

/* ---------------------------------------------------------------- sets and templates */

static void test_sets_and_templates(void **state)
{
    (void)state;
    GByteArray *b = g_byte_array_new();
    /* Message 1 (domain 1): template 256, two records, a data set of unknown template 300. */
    guint m = msg_begin(b, 1, 0, 1);
    guint s = set_begin(b, 2);
    put_template(b, 256, 5, small_tmpl);
    set_end(b, s);
    s = set_begin(b, 256);
    put_small(b, T0, 1, 2, 447);
    put_small(b, T0 + 1, 1, 2, 449);
    put16(b, 0); /* 2 bytes of set padding */
    set_end(b, s);
    guint unknown_at = set_begin(b, 300);
    put_small(b, T0, 9, 9, 9);
    set_end(b, unknown_at);
    msg_end(b, m);
    /* Message 2: 256 withdrawn, then a data set of 256: unknown again. */
    guint m2 = msg_begin(b, 1, 2, 1);
    s = set_begin(b, 2);
    put16(b, 256);
    put16(b, 0);
    set_end(b, s);
    guint withdrawn_at = set_begin(b, 256);
    put_small(b, T0, 9, 9, 9);
    set_end(b, withdrawn_at);
    msg_end(b, m2);
    /* Message 3: 256 again, with a bad length for sourceIPv4Address; one record. */
    guint m3 = msg_begin(b, 1, 2, 1);
    s = set_begin(b, 2);
    const guint16 short_src[] = {152, 8, 153, 8, 8, 2, 12, 4, 11, 2};
    put_template(b, 256, 5, short_src);
    set_end(b, s);
    s = set_begin(b, 256);
    put64(b, (guint64)T0);
    put64(b, (guint64)T0);
    put16(b, 7);
    put32(b, 2);
    put16(b, 447);
    set_end(b, s);
    msg_end(b, m3);
    /* Message 4: domain 7 has no template 256; then it gets one (and a padded options set). */
    guint m4 = msg_begin(b, 1, 0, 7);
    guint other_domain_at = set_begin(b, 256);
    put_small(b, T0, 9, 9, 9);
    set_end(b, other_domain_at);
    s = set_begin(b, 2);
    put_template(b, 256, 5, small_tmpl);
    put16(b, 0); /* template set padding */
    set_end(b, s);
    s = set_begin(b, 256);
    put_small(b, T0 + 2, 3, 4, 8082);
    set_end(b, s);
    msg_end(b, m4);
    /* Message 5: back in domain 1, template 256 redefined well: one record. */
    guint m5 = msg_begin(b, 1, 3, 1);
    s = set_begin(b, 2);
    put_template(b, 256, 5, small_tmpl);
    set_end(b, s);
    s = set_begin(b, 256);
    put_small(b, T0 + 3, 5, 6, 443);
    set_end(b, s);
    msg_end(b, m5);

    char *path = tmp_path("test_ipfix-sets-XXXXXX.ipfix");
    write_bytes(path, b->data, b->len);
    GError *err = NULL;
    bad_log *bl = bad_log_new(100);
    GArray *got = read_ipfix(path, bl, 3, NULL, &err);
    assert_null(err);
    assert_int_equal(got->len, 4);
    assert_int_equal(g_array_index(got, c2h_flow, 0).dport, 447);
    assert_int_equal(g_array_index(got, c2h_flow, 1).dport, 449);
    assert_int_equal(g_array_index(got, c2h_flow, 1).start_ms, T0 + 1);
    assert_int_equal(g_array_index(got, c2h_flow, 1).end_ms, T0 + 1001);
    assert_int_equal(g_array_index(got, c2h_flow, 2).dport, 8082);
    assert_int_equal(c2h_addr_v4(&g_array_index(got, c2h_flow, 2).src), 3);
    assert_int_equal(g_array_index(got, c2h_flow, 3).dport, 443);
    assert_int_equal(bl->reasons->len, 4);
    g_autofree char *r0 = g_strdup_printf("message 1, set at byte %u: data set of template 300", unknown_at);
    assert_contains(bl->reasons->pdata[0], r0);
    g_autofree char *r1 = g_strdup_printf("message 2, set at byte %u: data set of template 256", withdrawn_at);
    assert_contains(bl->reasons->pdata[1], r1);
    assert_contains(bl->reasons->pdata[2], "sourceIPv4Address has length 2 (it must be 4)");
    g_autofree char *r2 = g_strdup_printf("message 3, byte %u", m3 + 20);
    assert_contains(bl->reasons->pdata[2], r2);
    assert_int_equal(g_array_index(bl->recs, guint64, 2), 3); /* the third record decoded */
    g_autofree char *r3 = g_strdup_printf("set at byte %u: data set of template 256, which no template set of "
                                          "observation domain 7 defined", other_domain_at);
    assert_contains(bl->reasons->pdata[3], r3);
    g_array_free(got, TRUE);
    bad_log_free(bl);
    unlink(path);
    g_free(path);
    g_byte_array_free(b, TRUE);
}

/* ---------------------------------------------------------------- libfixbuf's warnings */

static guint logged;
static void count_log(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer ud)
{
    (void)domain, (void)level, (void)ud;
    fprintf(stderr, "logged: %s\n", message);
    logged++;
}

/* Two exports written one after the other (cat a b): the second restarts the sequence
 * numbers, which libfixbuf warns about. The reader takes the warning; nothing is logged. */
static void test_warnings_taken(void **state)
{
    (void)state;
    GRand *rng = g_rand_new_with_seed(99);
    char *a = tmp_path("test_ipfix-a-XXXXXX.ipfix"), *b = tmp_path("test_ipfix-b-XXXXXX.ipfix");
    c2h_flow *wa = write_random(a, rng, 50), *wb = write_random(b, rng, 50);
    gchar *da = NULL, *db = NULL;
    gsize la = 0, lb = 0;
    assert_true(g_file_get_contents(a, &da, &la, NULL) && g_file_get_contents(b, &db, &lb, NULL));
    GByteArray *both = g_byte_array_new();
    g_byte_array_append(both, (guint8 *)da, (guint)la);
    g_byte_array_append(both, (guint8 *)db, (guint)lb);
    write_bytes(a, both->data, both->len);

    /* The test is only meaningful if libfixbuf does warn here: check that with a plain fBuf. */
    GLogFunc old = g_log_set_default_handler(count_log, NULL);
    logged = 0;
    fbInfoModel_t *model = fbInfoModelAlloc();
    fBuf_t *fb = fBufAllocForCollection(fbSessionAlloc(model), NULL);
    fbTemplate_t *t = fbTemplateAlloc(model);
    GError *err = NULL;
    fbInfoElementSpec_t one[] = {{"sourceIPv4Address", 4, 0}, FB_IESPEC_NULL};
    assert_true(fbTemplateAppendSpecArray(t, one, 0, &err));
    guint16 tid = fbSessionAddTemplate(fBufGetSession(fb), TRUE, FB_TID_AUTO, t, &err);
    assert_true(fBufSetInternalTemplate(fb, tid, &err));
    fBufSetBuffer(fb, both->data, both->len);
    guint32 v;
    size_t vlen = sizeof v;
    while (fBufNext(fb, (uint8_t *)&v, &vlen, &err))
        vlen = sizeof v;
    g_clear_error(&err);
    fBufFree(fb);
    fbInfoModelFree(model);
    assert_true(logged > 0); /* "IPFIX Message out of sequence" */

    logged = 0;
    GArray *got = read_ipfix(a, NULL, 16, NULL, &err);
    assert_null(err);
    assert_int_equal(logged, 0);
    g_log_set_default_handler(old, NULL);
    assert_int_equal(got->len, 100);
    for (int i = 0; i < 50; i++) {
        assert_flow_eq(&g_array_index(got, c2h_flow, i), &wa[i]);
        assert_flow_eq(&g_array_index(got, c2h_flow, 50 + i), &wb[i]);
    }
    g_array_free(got, TRUE);
    g_byte_array_free(both, TRUE);
    g_free(da), g_free(db), g_free(wa), g_free(wb);
    unlink(a), unlink(b);
    g_free(a), g_free(b);
    g_rand_free(rng);
}

/* ---------------------------------------------------------------- open */

static void test_open(void **state)
{
    (void)state;
    GError *err = NULL;
    c2h_flowsrc *src = c2h_flowsrc_open("ipfix", "/nonexistent/flows.ipfix", NULL, &err);
    assert_null(src);
    assert_int_equal(err->code, C2H_ERROR_INPUT);
    assert_contains(err->message, "/nonexistent/flows.ipfix");
    g_clear_error(&err);
    /* An empty file holds no messages: no flows, no error. */
    char *path = tmp_path("test_ipfix-empty-XXXXXX.ipfix");
    GArray *got = read_ipfix(path, NULL, 4, NULL, &err);
    assert_null(err);
    assert_int_equal(got->len, 0);
    g_array_free(got, TRUE);
    unlink(path);
    g_free(path);
    assert_true(g_strv_contains((const char *const *)c2h_flowsrc_formats, "ipfix"));
}

/* ---------------------------------------------------------------- bench */

static int bench(int n)
{
    GRand *rng = g_rand_new_with_seed(1);
    char *path = tmp_path("test_ipfix-bench-XXXXXX.ipfix");
    g_free(write_random(path, rng, n));
    GError *err = NULL;
    gint64 t0 = g_get_monotonic_time();
    c2h_flowsrc *src = c2h_flowsrc_open("ipfix", path, NULL, &err);
    c2h_flow *buf = g_new(c2h_flow, 8192);
    gssize got;
    guint64 rows = 0;
    while ((got = c2h_flowsrc_next(src, buf, 8192, &err)) > 0)
        rows += (guint64)got;
    double secs = (double)(g_get_monotonic_time() - t0) / 1e6;
    printf("ipfix: %" G_GUINT64_FORMAT " rows (60%% IPv4), %" G_GUINT64_FORMAT " bytes, %.3f s, %.0f rows/s%s%s\n", rows,
           src->input_bytes, secs, (double)rows / secs, err ? ": " : "", err ? err->message : "");
    c2h_flowsrc_close(src);
    g_free(buf);
    unlink(path);
    g_free(path);
    g_rand_free(rng);
    return err ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "bench") == 0)
        return bench(atoi(argv[2]));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_known_flows),
        cmocka_unit_test(test_time_variants),
        cmocka_unit_test(test_ntp_by_hand),
        cmocka_unit_test(test_bad_records),
        cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_sets_and_templates),
        cmocka_unit_test(test_warnings_taken),
        cmocka_unit_test(test_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
