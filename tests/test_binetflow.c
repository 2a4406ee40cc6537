/* test_binetflow.c: the Argus binetflow reader (io/binetflow.c) and gzip input (io/bytesrc.c).
 *
 * Rows of every kind (Dir arrows, ICMP type/code in hex, empty and hex ports, protocol
 * names, TCP states, IPv6), non-IP rows skipped and counted, bad rows with their lines and
 * reasons and the budget that stops the reading, headers (order, case, repeats, missing
 * columns), Prague time against GLib, gzip input (one member, several, corrupt, truncated),
 * and the real CTU-13 scenario 6 slices against the counts of their SOURCE.md.
 *
 * `test_binetflow bench FILE...` reads the files and prints how fast.
 */
#include "io/flowsrc.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#define HEADER "StartTime,Dur,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,State,sTos,dTos,TotPkts,TotBytes,SrcBytes,Label\n"

/* ---------------------------------------------------------------- helpers */

static char *write_tmp(const void *data, gssize len)
{
    char *path = NULL;
    int fd = g_file_open_tmp("test_binetflow-XXXXXX", &path, NULL);
    assert_true(fd >= 0);
    close(fd);
    assert_true(g_file_set_contents(path, data, len, NULL));
    return path;
}

typedef struct bad_log {
    GArray *lines;
    GPtrArray *reasons;
    char *file;
    guint budget;
} bad_log;

static gboolean log_bad(void *ud, const char *file, guint64 line, const char *reason)
{
    bad_log *b = ud;
    g_array_append_val(b->lines, line);
    g_ptr_array_add(b->reasons, g_strdup(reason));
    g_free(b->file);
    b->file = g_strdup(file);
    return b->reasons->len < b->budget;
}

static bad_log *bad_log_new(guint budget)
{
    bad_log *b = g_new0(bad_log, 1);
    b->lines = g_array_new(FALSE, FALSE, sizeof(guint64));
    b->reasons = g_ptr_array_new_with_free_func(g_free);
    b->budget = budget;
    return b;
}

static void bad_log_free(bad_log *b)
{
    g_array_free(b->lines, TRUE);
    g_ptr_array_free(b->reasons, TRUE);
    g_free(b->file);
    g_free(b);
}

typedef struct counts {
    guint64 rows, bad, skipped, input_bytes;
} counts;

/* Read all of path in batches of batch. @return the flows, or NULL with err. */
static GArray *read_path(const char *path, const char *tz, bad_log *bad, gsize batch, counts *c, GError **err)
{
    c2h_flowsrc_opts o = {.tz = tz, .bad_row = bad ? log_bad : NULL, .bad_row_ud = bad};
    c2h_flowsrc *src = c2h_flowsrc_open("binetflow", path, &o, err);
    if (src == NULL)
        return NULL;
    GArray *all = g_array_new(FALSE, FALSE, sizeof(c2h_flow));
    c2h_flow *buf = g_new0(c2h_flow, batch);
    gssize n;
    while ((n = c2h_flowsrc_next(src, buf, batch, err)) > 0)
        g_array_append_vals(all, buf, (guint)n);
    g_free(buf);
    if (c)
        *c = (counts){src->rows, src->bad_rows, src->skipped_rows, src->input_bytes};
    c2h_flowsrc_close(src);
    if (n < 0) {
        g_array_free(all, TRUE);
        return NULL;
    }
    return all;
}

static GArray *read_text(const char *text, const char *tz, bad_log *bad, counts *c, GError **err)
{
    char *path = write_tmp(text, -1);
    GArray *flows = read_path(path, tz, bad, 3, c, err);
    unlink(path);
    g_free(path);
    return flows;
}

static c2h_addr addr(const char *s)
{
    c2h_addr a;
    assert_true(c2h_addr_parse(s, strlen(s), &a));
    return a;
}

static gint64 utc_ms(int y, int mo, int d, int h, int mi, int s)
{
    GDateTime *dt = g_date_time_new_utc(y, mo, d, h, mi, s);
    gint64 ms = g_date_time_to_unix(dt) * 1000;
    g_date_time_unref(dt);
    return ms;
}

static void assert_contains(const char *s, const char *part)
{
    if (strstr(s, part) == NULL)
        fail_msg("'%s' does not contain '%s'", s, part);
}

static void assert_addr(const c2h_addr *a, const char *want)
{
    char buf[C2H_ADDR_STRLEN];
    assert_string_equal(c2h_addr_format(a, buf), want);
}

/* gzip data of text, as one member. Caller frees. */
static GByteArray *gzip(const void *data, gsize len)
{
    GConverter *c = G_CONVERTER(g_zlib_compressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6));
    GByteArray *out = g_byte_array_new();
    guint8 buf[4096];
    gsize at = 0;
    for (;;) {
        gsize r = 0, w = 0;
        GError *err = NULL;
        GConverterResult res = g_converter_convert(c, (const guint8 *)data + at, len - at, buf, sizeof buf,
                                                   G_CONVERTER_INPUT_AT_END, &r, &w, &err);
        assert_int_not_equal(res, G_CONVERTER_ERROR);
        at += r;
        g_byte_array_append(out, buf, (guint)w);
        if (res == G_CONVERTER_FINISHED)
            break;
    }
    g_object_unref(c);
    return out;
}

/* ---------------------------------------------------------------- rows */

static void test_rows(void **state)
{
    (void)state;
    const char *text =
        HEADER
        /* 2: TCP, the C&C of CTU-13 scenario 6 */
        "2011/08/16 10:09:58.470812,1.029577,tcp,147.32.84.165,1050,   ->,91.212.135.158,5678,FSPA_FSPA,0,0,9,1117,505,"
        "flow=From-Botnet-V47-TCP-CC73-Not-Encrypted\n"
        /* 3: UDP both ways */
        "2011/08/16 10:01:46.972101,0.000505,udp,147.32.84.59,40941,  <->,147.32.80.9,53,CON,0,0,2,214,81,flow=x\n"
        /* 4: ICMP echo request: Argus's code << 8 | type in Sport */
        "2011/08/16 10:01:47.000000,0.000000,icmp,147.32.84.59,0x0008,   ->,8.8.8.8,0x1234,ECO,0,,1,98,98,flow=x\n"
        /* 5: ICMP echo reply seen alone: swapped, type unknown (empty) */
        "2011/08/16 10:01:48.5,0.000014,icmp,147.32.86.96,,  <-,147.32.87.49,0xcc79,ECR,,0,2,196,0,flow=x\n"
        /* 6: ICMP port unreachable (type 3, code 3) */
        "2011/08/16 10:01:49.000001,2.0,icmp,207.154.76.69,0x0303,   ->,147.32.84.94,0xb81c,URP,0,,12,840,840,flow=x\n"
        /* 7: ICMPv6 neighbour solicitation, type in decimal */
        "2011/08/16 10:01:50.25,2064.003174,ipv6-icmp,fe80::5054:ff:feef:6697,135,   ->,ff02::1:ff1b:d243,,NNS,0,,4,344,344,"
        "flow=x\n"
        /* 8: ESP: an SPI in Dport, no ports kept */
        "2011/08/16 10:01:51,214.360062,esp,147.32.85.33,,   ->,192.35.241.84,0x2020bb29,INT,0,,199,47106,47106,flow=x\n"
        /* 9: Argus's rtp is UDP */
        "2011/08/16 10:01:52.000000,0.5,rtp,61.208.140.211,60392,  <->,147.32.84.229,13363,CON,0,0,10,685,385,flow=x\n"
        /* 10: UDP response seen alone: swapped, ports too */
        "2011/08/16 10:01:53.000000,0.1,udp,10.0.0.1,53,  <-,10.0.0.2,5353,RSP,0,0,1,100,0,flow=x\n"
        /* 11: TCP, direction unsure: kept; hex port; state S_RA */
        "2011/08/16 10:01:54.000000,0.1,tcp,10.0.0.3,0x01bb,  <?>,10.0.0.4,80,S_RA,0,0,2,120,60,flow=x\n"
        /* 12: TCP <? (swapped) with an empty port and a state that is not flags */
        "2011/08/16 10:01:55.000000,0.1,tcp,10.0.0.5,,  <?,10.0.0.6,22,CON,0,0,2,120,60,flow=x\n"
        /* 13: a number for the protocol (GRE), ?> kept */
        "2011/08/16 10:01:56.999999,0.000002,47,10.0.0.7,,   ?>,10.0.0.8,,INT,0,,3,300,300,flow=x\n";
    GError *err = NULL;
    counts c;
    GArray *got = read_text(text, NULL, NULL, &c, &err);
    assert_null(err);
    assert_int_equal(got->len, 12);
    assert_int_equal(c.rows, 12);
    assert_int_equal(c.bad, 0);
    assert_int_equal(c.skipped, 0);
    c2h_flow *f = (c2h_flow *)got->data;

    assert_int_equal(f[0].start_ms, utc_ms(2011, 8, 16, 10, 9, 58) + 470);
    assert_int_equal(f[0].end_ms, utc_ms(2011, 8, 16, 10, 9, 59) + 500); /* .470812 + 1.029577 = .500389 */
    assert_addr(&f[0].src, "147.32.84.165");
    assert_addr(&f[0].dst, "91.212.135.158");
    assert_int_equal(f[0].sport, 1050);
    assert_int_equal(f[0].dport, 5678);
    assert_int_equal(f[0].proto, 6);
    assert_int_equal(f[0].tcp_flags, C2H_TCP_FIN | C2H_TCP_SYN | C2H_TCP_PSH | C2H_TCP_ACK);
    assert_int_equal(f[0].packets, 9);
    assert_int_equal(f[0].bytes, 1117); /* TotBytes: both directions */

    assert_int_equal(f[1].proto, 17);
    assert_int_equal(f[1].sport, 40941);
    assert_int_equal(f[1].dport, 53);
    assert_int_equal(f[1].tcp_flags, 0);
    assert_int_equal(f[1].end_ms - f[1].start_ms, 0); /* .972101 + .000505 = .972606 */

    assert_int_equal(f[2].proto, 1);
    assert_int_equal(f[2].sport, 0);
    assert_int_equal(f[2].dport, 0x0800); /* type 8, code 0, as nfdump has it */

    assert_addr(&f[3].src, "147.32.87.49"); /* the reply's sender */
    assert_addr(&f[3].dst, "147.32.86.96");
    assert_int_equal(f[3].dport, 0);
    assert_int_equal(f[3].start_ms, utc_ms(2011, 8, 16, 10, 1, 48) + 500);

    assert_int_equal(f[4].dport, 0x0303);
    assert_int_equal(f[4].start_ms, utc_ms(2011, 8, 16, 10, 1, 49));
    assert_int_equal(f[4].end_ms, utc_ms(2011, 8, 16, 10, 1, 51));

    assert_int_equal(f[5].proto, 58);
    assert_int_equal(f[5].dport, 135 << 8);
    assert_addr(&f[5].src, "fe80::5054:ff:feef:6697");
    assert_int_equal(c2h_flow_family(&f[5]), C2H_FAMILY_V6);
    assert_int_equal(f[5].end_ms - f[5].start_ms, 2064003); /* .25 + 2064.003174 */

    assert_int_equal(f[6].proto, 50);
    assert_int_equal(f[6].sport, 0);
    assert_int_equal(f[6].dport, 0);

    assert_int_equal(f[7].proto, 17);
    assert_int_equal(f[7].dport, 13363);

    assert_addr(&f[8].src, "10.0.0.2");
    assert_addr(&f[8].dst, "10.0.0.1");
    assert_int_equal(f[8].sport, 5353);
    assert_int_equal(f[8].dport, 53);

    assert_addr(&f[9].src, "10.0.0.3");
    assert_int_equal(f[9].sport, 443);
    assert_int_equal(f[9].tcp_flags, C2H_TCP_SYN | C2H_TCP_RST | C2H_TCP_ACK);

    assert_addr(&f[10].src, "10.0.0.6");
    assert_int_equal(f[10].sport, 22);
    assert_int_equal(f[10].dport, 0);
    assert_int_equal(f[10].tcp_flags, 0);

    assert_int_equal(f[11].proto, 47);
    assert_int_equal(f[11].start_ms, utc_ms(2011, 8, 16, 10, 1, 56) + 999);
    assert_int_equal(f[11].end_ms, utc_ms(2011, 8, 16, 10, 1, 57)); /* .999999 + .000002: the next second */
    g_array_free(got, TRUE);
}

/* Non-IP rows are skipped and counted; a repeated header and blank lines are skipped. */
static void test_skipped(void **state)
{
    (void)state;
    const char *text =
        HEADER
        "2011/08/16 11:30:38.555706,1799.747559,arp,147.32.87.31,,  who,147.32.87.1,,CON,,,4,240,120,flow=Background\n"
        "2011/08/16 11:56:04.705492,0.000000,ipx/spx,00:0c:29:97:a3:eb,,   ->,ff:ff:ff:ff:ff:ff,,INT,,,1,60,60,flow=x\n"
        "\n" HEADER
        "2011/08/16 11:56:05,0.0,udp,1.2.3.4,1,   ->,5.6.7.8,2,INT,0,,1,60,60,flow=x\r\n"
        "2011/08/16 11:56:06,0.0,ARP,1.2.3.4,,  who,5.6.7.8,,INT,,,1,60,60,flow=x\n";
    GError *err = NULL;
    counts c;
    GArray *got = read_text(text, NULL, NULL, &c, &err);
    assert_null(err);
    assert_int_equal(got->len, 1);
    assert_int_equal(c.skipped, 3);
    assert_int_equal(c.bad, 0);
    assert_int_equal(g_array_index(got, c2h_flow, 0).dport, 2);
    g_array_free(got, TRUE);
}

/* Columns found by name, in any order and case; State optional. */
static void test_header(void **state)
{
    (void)state;
    GError *err = NULL;
    GArray *got = read_text("dstaddr,Dport,SRCADDR,Sport,Dir,Proto,TotBytes,TotPkts,Dur,StartTime\n"
                            "5.6.7.8,447,1.2.3.4,1000,   ->,tcp,500,5,1.5,2020-01-02T03:04:05.5\n",
                            NULL, NULL, NULL, &err);
    assert_null(err);
    assert_int_equal(got->len, 1);
    const c2h_flow *f = &g_array_index(got, c2h_flow, 0);
    assert_addr(&f->src, "1.2.3.4");
    assert_addr(&f->dst, "5.6.7.8");
    assert_int_equal(f->dport, 447);
    assert_int_equal(f->bytes, 500);
    assert_int_equal(f->packets, 5);
    assert_int_equal(f->start_ms, utc_ms(2020, 1, 2, 3, 4, 5) + 500);
    assert_int_equal(f->end_ms, utc_ms(2020, 1, 2, 3, 4, 7));
    assert_int_equal(f->tcp_flags, 0);
    g_array_free(got, TRUE);

    /* A header without Dir: an error naming the column. */
    got = read_text("StartTime,Dur,Proto,SrcAddr,Sport,DstAddr,Dport,TotPkts,TotBytes\n", NULL, NULL, NULL, &err);
    assert_null(got);
    assert_int_equal(err->code, C2H_ERROR_INPUT);
    assert_contains(err->message, ":1: not a binetflow header (no column Dir)");
    g_clear_error(&err);
    /* nfdump csv is not binetflow */
    got = read_text("ts,te,td,sa,da,sp,dp,pr,flg\n", NULL, NULL, NULL, &err);
    assert_null(got);
    assert_contains(err->message, "no column StartTime, Dur, Proto, SrcAddr, Sport, Dir, DstAddr, Dport, TotPkts, TotBytes");
    g_clear_error(&err);
    /* Empty input. */
    got = read_text("", NULL, NULL, NULL, &err);
    assert_null(got);
    assert_contains(err->message, "no binetflow header (empty input)");
    g_clear_error(&err);
    /* A missing file. */
    c2h_flowsrc *src = c2h_flowsrc_open("binetflow", "/nonexistent/x.binetflow", NULL, &err);
    assert_null(src);
    assert_int_equal(err->code, C2H_ERROR_INPUT);
    assert_contains(err->message, "/nonexistent/x.binetflow");
    g_clear_error(&err);
    assert_true(g_strv_contains((const char *const *)c2h_flowsrc_formats, "binetflow"));
}

/* ---------------------------------------------------------------- bad rows */

static const char *bad_text =
    HEADER                                                                                          /* 1 */
    "2011/08/16 10:00:00.000000,0.1,tcp,1.2.3.4,1000,   ->,5.6.7.8,447,S_,0,0,1,60,60,flow=x\n"       /* 2 */
    "2011/02/30 10:00:00.000000,0.1,tcp,1.2.3.4,1000,   ->,5.6.7.8,447,S_,0,0,1,60,60,flow=x\n"       /* 3 date */
    "2011/08/16 25:00:00.000000,0.1,tcp,1.2.3.4,1000,   ->,5.6.7.8,447,S_,0,0,1,60,60,flow=x\n"       /* 4 hour */
    "2011/08/16 10:00:01.000000,0.1,foo,1.2.3.4,1000,   ->,5.6.7.8,447,S_,0,0,1,60,60,flow=x\n"       /* 5 proto */
    "2011/08/16 10:00:02.000000,0.1,tcp,1.2.3.400,1000,   ->,5.6.7.8,447,S_,0,0,1,60,60,flow=x\n"     /* 6 addr */
    "2011/08/16 10:00:03.000000,0.1,tcp,1.2.3.4,70000,   ->,5.6.7.8,447,S_,0,0,1,60,60,flow=x\n"      /* 7 port */
    "2011/08/16 10:00:04.000000,0.1,tcp,1.2.3.4,1000,   <<,5.6.7.8,447,S_,0,0,1,60,60,flow=x\n"       /* 8 dir */
    "2011/08/16 10:00:05.000000,0.1,tcp,1.2.3.4,1000,   ->,5.6.7.8,447,S_,0,0,1,60\n"                 /* 9 fields */
    "2011/08/16 10:00:06.000000,-0.1,tcp,1.2.3.4,1000,   ->,5.6.7.8,447,S_,0,0,1,60,60,flow=x\n"      /* 10 dur */
    "2011/08/16 10:00:07.000000,0.1,tcp,1.2.3.4,1000,   ->,5.6.7.8,447,S_,0,0,x,60,60,flow=x\n"       /* 11 pkts */
    "2011/08/16 10:00:08.000000,0.1,udp,1.2.3.4,1000,   ->,5.6.7.8,447,CON,0,0,1,60,60,flow=x\n";     /* 12 */

static void test_bad_rows(void **state)
{
    (void)state;
    GError *err = NULL;
    bad_log *b = bad_log_new(100);
    counts c;
    GArray *got = read_text(bad_text, NULL, b, &c, &err);
    assert_null(err);
    assert_int_equal(got->len, 2);
    assert_int_equal(c.bad, 9);
    const guint64 lines[9] = {3, 4, 5, 6, 7, 8, 9, 10, 11};
    const char *why[9] = {
        "field 'StartTime': '2011/02/30 10:00:00.000000' is not a time like 2011/08/16 10:01:46.123456",
        "field 'StartTime': '2011/08/16 25:00:00.000000'",
        "field 'Proto': 'foo' is not a protocol",
        "field 'SrcAddr': '1.2.3.400' is not an IP address",
        "field 'Sport': '70000' is not a port",
        "field 'Dir': '<<' is not a direction",
        "13 fields where the header has 15",
        "field 'Dur': '-0.1' is a negative duration",
        "field 'TotPkts': 'x' is not a packet count",
    };
    assert_int_equal(b->lines->len, 9);
    for (int i = 0; i < 9; i++) {
        assert_int_equal(g_array_index(b->lines, guint64, i), lines[i]);
        assert_contains(b->reasons->pdata[i], why[i]);
    }
    g_array_free(got, TRUE);
    bad_log_free(b);

    /* A budget of 3: the third bad row (line 5) stops the reading, named in the error. */
    b = bad_log_new(3);
    got = read_text(bad_text, NULL, b, NULL, &err);
    assert_null(got);
    assert_int_equal(err->code, C2H_ERROR_INPUT);
    assert_contains(err->message, ":5: too many bad rows (this one: field 'Proto'");
    g_clear_error(&err);
    bad_log_free(b);
    /* No callback: the first bad row fails. */
    got = read_text(bad_text, NULL, NULL, NULL, &err);
    assert_null(got);
    assert_contains(err->message, ":3: field 'StartTime'");
    g_clear_error(&err);
}

/* ---------------------------------------------------------------- time zones */

static void test_prague(void **state)
{
    (void)state;
    GError *err = NULL;
    const char *text = HEADER
        "2011/08/16 10:01:46.972101,0.0,udp,1.2.3.4,1,   ->,5.6.7.8,2,CON,0,0,1,1,1,flow=x\n"  /* CEST, UTC+2 */
        "2011/01/16 10:00:00.000000,0.0,udp,1.2.3.4,1,   ->,5.6.7.8,2,CON,0,0,1,1,1,flow=x\n"  /* CET, UTC+1 */
        "2011/10/30 02:30:00.000000,0.0,udp,1.2.3.4,1,   ->,5.6.7.8,2,CON,0,0,1,1,1,flow=x\n"; /* twice: standard */
    GArray *got = read_text(text, "Europe/Prague", NULL, NULL, &err);
    assert_null(err);
    assert_int_equal(g_array_index(got, c2h_flow, 0).start_ms, utc_ms(2011, 8, 16, 8, 1, 46) + 972);
    assert_int_equal(g_array_index(got, c2h_flow, 1).start_ms, utc_ms(2011, 1, 16, 9, 0, 0));
    assert_int_equal(g_array_index(got, c2h_flow, 2).start_ms, utc_ms(2011, 10, 30, 1, 30, 0));
    g_array_free(got, TRUE);

    /* Every 20 minutes of two years, against GLib's own conversion. */
    GTimeZone *tz = g_time_zone_new_identifier("Europe/Prague");
    GString *t = g_string_new(HEADER);
    GArray *want = g_array_new(FALSE, FALSE, sizeof(gint64));
    for (gint64 s = utc_ms(2011, 1, 1, 0, 0, 0) / 1000; s < utc_ms(2013, 1, 1, 0, 0, 0) / 1000; s += 1200) {
        GDateTime *u = g_date_time_new_from_unix_utc(s), *l = g_date_time_to_timezone(u, tz);
        g_autofree char *ts = g_date_time_format(l, "%Y/%m/%d %H:%M:%S.000000");
        /* The hour that falls twice is read as standard time: compare only unambiguous ones. */
        GDateTime *back = g_date_time_new(tz, g_date_time_get_year(l), g_date_time_get_month(l),
                                          g_date_time_get_day_of_month(l), g_date_time_get_hour(l),
                                          g_date_time_get_minute(l), g_date_time_get_seconds(l));
        if (g_date_time_to_unix(back) == s) {
            g_string_append_printf(t, "%s,0.0,udp,1.2.3.4,1,   ->,5.6.7.8,2,CON,0,0,1,1,1,flow=x\n", ts);
            gint64 ms = s * 1000;
            g_array_append_val(want, ms);
        }
        g_date_time_unref(back);
        g_date_time_unref(l);
        g_date_time_unref(u);
    }
    got = read_text(t->str, "Europe/Prague", NULL, NULL, &err);
    assert_null(err);
    assert_int_equal(got->len, want->len);
    assert_true(want->len > 50000);
    for (guint i = 0; i < got->len; i++)
        assert_int_equal(g_array_index(got, c2h_flow, i).start_ms, g_array_index(want, gint64, i));
    g_array_free(got, TRUE);
    g_array_free(want, TRUE);
    g_string_free(t, TRUE);
    g_time_zone_unref(tz);

    got = read_text(HEADER, "Mars/Olympus_Mons", NULL, NULL, &err);
    assert_null(got);
    assert_contains(err->message, "unknown time zone 'Mars/Olympus_Mons'");
    g_clear_error(&err);
}

/* ---------------------------------------------------------------- gzip */

static void test_gzip(void **state)
{
    (void)state;
    GString *t = g_string_new(HEADER);
    for (int i = 0; i < 30000; i++)
        g_string_append_printf(t, "2011/08/16 10:%02d:%02d.%06d,0.5,tcp,10.%d.%d.%d,%d,   ->,91.212.135.158,5678,"
                                  "FSPA_FSPA,0,0,9,1117,505,flow=x\n",
                               i / 60 % 60, i % 60, i, i >> 16 & 255, i >> 8 & 255, i & 255, 1024 + i % 60000);
    GError *err = NULL;
    GArray *plain = read_text(t->str, NULL, NULL, NULL, &err);
    assert_null(err);
    assert_int_equal(plain->len, 30000);

    GByteArray *gz = gzip(t->str, t->len);
    char *path = write_tmp(gz->data, gz->len);
    counts c;
    GArray *got = read_path(path, NULL, NULL, 1000, &c, &err);
    assert_null(err);
    assert_int_equal(got->len, plain->len);
    assert_memory_equal(got->data, plain->data, plain->len * sizeof(c2h_flow));
    assert_int_equal(c.input_bytes, gz->len); /* compressed bytes */
    g_array_free(got, TRUE);

    /* Two members one after the other (cat a.gz b.gz): the text of both. */
    gsize half = t->len / 2;
    while (t->str[half - 1] != '\n')
        half--;
    GByteArray *two = gzip(t->str, half), *rest = gzip(t->str + half, t->len - half);
    g_byte_array_append(two, rest->data, rest->len);
    g_file_set_contents(path, (const char *)two->data, two->len, NULL);
    got = read_path(path, NULL, NULL, 999, NULL, &err);
    assert_null(err);
    assert_int_equal(got->len, plain->len);
    assert_memory_equal(got->data, plain->data, plain->len * sizeof(c2h_flow));
    g_array_free(got, TRUE);

    /* Cut short: an error saying so. */
    g_file_set_contents(path, (const char *)gz->data, gz->len - 100, NULL);
    got = read_path(path, NULL, NULL, 999, NULL, &err);
    assert_null(got);
    assert_int_equal(err->code, C2H_ERROR_INPUT);
    assert_contains(err->message, path);
    assert_contains(err->message, "truncated gzip data");
    g_clear_error(&err);
    /* ... also inside the header of the second member */
    g_file_set_contents(path, (const char *)two->data, two->len - rest->len + 5, NULL);
    got = read_path(path, NULL, NULL, 999, NULL, &err);
    assert_null(got);
    assert_contains(err->message, "truncated gzip data");
    g_clear_error(&err);
    /* A flipped byte in the middle: corrupt data or, at the member's end, a bad checksum;
     * never silence (the garbage it decodes to before that may make bad rows). */
    gz->data[gz->len / 2] ^= 0x55;
    g_file_set_contents(path, (const char *)gz->data, gz->len, NULL);
    bad_log *b = bad_log_new(1000000);
    got = read_path(path, NULL, b, 999, NULL, &err);
    bad_log_free(b);
    assert_null(got);
    assert_non_null(err);
    assert_contains(err->message, path);
    assert_contains(err->message, "gzip data");
    g_clear_error(&err);
    /* Garbage after a whole member. */
    GByteArray *tail = gzip(t->str, t->len);
    const guint8 junk[8] = {'j', 'u', 'n', 'k', 0, 0, 0, 0};
    g_byte_array_append(tail, junk, sizeof junk);
    g_file_set_contents(path, (const char *)tail->data, tail->len, NULL);
    got = read_path(path, NULL, NULL, 999, NULL, &err);
    assert_null(got);
    assert_contains(err->message, "gzip data");
    g_clear_error(&err);

    unlink(path);
    g_free(path);
    g_byte_array_free(gz, TRUE);
    g_byte_array_free(two, TRUE);
    g_byte_array_free(rest, TRUE);
    g_byte_array_free(tail, TRUE);
    g_array_free(plain, TRUE);
    g_string_free(t, TRUE);
}

/* ---------------------------------------------------------------- CTU-13 scenario 6 */

static void test_ctu13_slices(void **state)
{
    (void)state;
    const char *shared = g_getenv("C2H_SHARED");
    g_autofree char *dir = shared ? g_build_filename(shared, "data/real/ctu13-scenario6-menti", NULL) : NULL;
    if (dir == NULL || !g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        skip();
        return;
    }
    /* SOURCE.md's per-slice table: the first, a middle and the last slice. */
    const struct {
        const char *file;
        guint64 flows;
    } slices[] = {
        {"capture20110816.binetflow.slice_1_1.gz", 21971},
        {"capture20110816.binetflow.slice_7_1.gz", 21806},
        {"capture20110816.binetflow.slice_13_2.gz", 22703},
    };
    guint64 cc = 0, all = 0, skipped = 0;
    for (gsize i = 0; i < G_N_ELEMENTS(slices); i++) {
        g_autofree char *path = g_build_filename(dir, slices[i].file, NULL);
        GError *err = NULL;
        counts c;
        GArray *got = read_path(path, "Europe/Prague", NULL, 8192, &c, &err);
        if (err)
            fail_msg("%s", err->message);
        assert_int_equal(c.bad, 0);
        assert_int_equal(c.rows + c.skipped, slices[i].flows);
        all += c.rows;
        skipped += c.skipped;
        c2h_addr bot = addr("147.32.84.165"), c2 = addr("91.212.135.158");
        for (guint k = 0; k < got->len; k++) {
            const c2h_flow *f = &g_array_index(got, c2h_flow, k);
            cc += c2h_addr_cmp(&f->src, &bot) == 0 && c2h_addr_cmp(&f->dst, &c2) == 0 && f->dport == 5678 &&
                  f->proto == 6;
            /* The capture ran 10:01:46 to 12:10:56 Prague time (CEST): 08:01:46Z to 10:10:56Z. */
            assert_true(f->start_ms >= utc_ms(2011, 8, 16, 8, 1, 46) && f->start_ms < utc_ms(2011, 8, 16, 10, 10, 57));
        }
        if (i == 0)
            assert_int_equal(g_array_index(got, c2h_flow, 0).start_ms, utc_ms(2011, 8, 16, 8, 1, 46) + 972);
        g_array_free(got, TRUE);
    }
    /* The C&C flows of SOURCE.md's CC73 column for these slices: 0, 8 and 7. */
    assert_int_equal(cc, 15);
    assert_true(skipped > 0); /* arp rows */
    assert_true(all > 60000);
}

/* ---------------------------------------------------------------- bench */

static int bench(int argc, char **argv)
{
    guint64 rows = 0, bytes = 0;
    gint64 t0 = g_get_monotonic_time();
    c2h_flow *buf = g_new(c2h_flow, 8192);
    for (int i = 0; i < argc; i++) {
        GError *err = NULL;
        c2h_flowsrc_opts o = {.tz = "Europe/Prague"};
        c2h_flowsrc *src = c2h_flowsrc_open("binetflow", argv[i], &o, &err);
        gssize n = src ? 0 : -1;
        while (src && (n = c2h_flowsrc_next(src, buf, 8192, &err)) > 0)
            ;
        if (n < 0) {
            fprintf(stderr, "%s\n", err->message);
            return 1;
        }
        rows += src->rows + src->skipped_rows;
        bytes += src->input_bytes;
        c2h_flowsrc_close(src);
    }
    double secs = (double)(g_get_monotonic_time() - t0) / 1e6;
    printf("binetflow: %d files, %" G_GUINT64_FORMAT " rows, %" G_GUINT64_FORMAT " input bytes, %.3f s, %.0f rows/s\n",
           argc, rows, bytes, secs, (double)rows / secs);
    g_free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "bench") == 0)
        return bench(argc - 2, argv + 2);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_skipped),
        cmocka_unit_test(test_header),
        cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_prague),
        cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_ctu13_slices),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
