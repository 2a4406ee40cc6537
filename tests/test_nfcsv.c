/* test_nfcsv.c: the nfdump csv reader and writer (io/nfcsv.c).
 *
 * Good lines of every kind, the Summary block, bad lines with their numbers and reasons,
 * header and open errors, local time zones against GLib's own conversion, the text path
 * nfcapd.c uses (fed in tiny pieces), nfcapd.c's handling of its child (a shell script
 * stands in for nfdump), and writer -> reader round trips of random flows.
 */
#include "io/flowsrc.h"
#include "io/nfcsv.h"

#include <glib/gstdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define HEADER                                                                                                   \
    "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,nhb,svln,dvln," \
    "ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,mpls10,cl,sl,al,ra,eng,exid,tr\n"
/* Everything after ibyt on a line, as nfdump prints it. */
#define TAIL                                                                                                      \
    ",0,0,0,0,2852,2852,0,0,0,0,0.0.0.0,0.0.0.0,0,0,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,"       \
    "00:00:00:00:00:00,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,    0.000,    0.000,    0.000," \
    "147.32.82.62,0/58,1,1970-01-01 00:00:00.000\n"

/* ---------------------------------------------------------------- helpers */

/* Write text to a new temporary file. @return its path; the caller unlinks and frees it. */
static char *write_tmp(const char *text)
{
    char *path = NULL;
    int fd = g_file_open_tmp("test_nfcsv-XXXXXX.csv", &path, NULL);
    assert_true(fd >= 0);
    close(fd);
    assert_true(g_file_set_contents(path, text, -1, NULL));
    return path;
}

typedef struct bad_log {
    GArray *lines;    /* guint64 */
    GPtrArray *reasons;
    char *file;       /* the file named by the last call */
    guint budget;     /* say stop after this many */
} bad_log;

static gboolean log_bad_row(void *ud, const char *file, guint64 line, const char *reason)
{
    bad_log *log = ud;
    g_array_append_val(log->lines, line);
    g_ptr_array_add(log->reasons, g_strdup(reason));
    g_free(log->file);
    log->file = g_strdup(file);
    return log->reasons->len < log->budget;
}

static bad_log *bad_log_new(guint budget)
{
    bad_log *log = g_new0(bad_log, 1);
    log->lines = g_array_new(FALSE, FALSE, sizeof(guint64));
    log->reasons = g_ptr_array_new_with_free_func(g_free);
    log->budget = budget;
    return log;
}

static void bad_log_free(bad_log *log)
{
    g_array_free(log->lines, TRUE);
    g_ptr_array_free(log->reasons, TRUE);
    g_free(log->file);
    g_free(log);
}

/* Read every flow of src in batches of batch. @return the flows, or NULL with err set. */
static GArray *read_src(c2h_flowsrc *src, gsize batch, GError **err)
{
    GArray *all = g_array_new(FALSE, FALSE, sizeof(c2h_flow));
    c2h_flow *buf = g_new0(c2h_flow, batch);
    gssize n;
    while ((n = c2h_flowsrc_next(src, buf, batch, err)) > 0)
        g_array_append_vals(all, buf, (guint)n);
    g_free(buf);
    if (n < 0) {
        g_array_free(all, TRUE);
        return NULL;
    }
    return all;
}

/* Open text as a csv file and read it all; the file is removed. */
static GArray *read_text(const char *text, const c2h_flowsrc_opts *opts, guint64 *rows, guint64 *bad, GError **err)
{
    char *path = write_tmp(text);
    c2h_flowsrc *src = c2h_nfcsv_open(path, opts, err);
    GArray *flows = NULL;
    if (src != NULL) {
        flows = read_src(src, 3, err);
        if (rows)
            *rows = src->rows;
        if (bad)
            *bad = src->bad_rows;
        c2h_flowsrc_close(src);
    }
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

/* ---------------------------------------------------------------- good input */

static void test_good_lines(void **state)
{
    (void)state;
    const char *text = HEADER
        "2018-01-12 15:37:30,2018-01-12 15:37:30,0.000,147.32.80.119,147.32.82.62,52324,902,TCP,......S.,0,0,1,60" TAIL
        "\n"
        "2018-01-12 15:37:31.250,2018-01-12 15:37:33,1.5,2001:db8::1,2001:db8:0:0:1::2,53,40000,UDP,........,0,0,"
        "3,300" TAIL
        "   \n"
        "2018-01-12 23:59:59,2018-01-13 00:00:01,2.0005,10.0.0.1,10.0.0.2,0,0,47,CEUAPRSF,0,0,18446744073709551615,"
        "4294967296" TAIL
        "2018-01-12 15:37:30,2018-01-12 15:37:30,0.001,10.0.0.1,10.0.0.2,0,2048,ICMP,0x12,0,0,1,84" TAIL
        "2018-01-12 15:37:30,2018-01-12 15:37:30,0.000,::ffff:10.0.0.9,::1,0,32768,ICMP6,...A.R..,0,0,1,84" TAIL
        "2018-01-12 15:37:30,2018-01-12 15:37:30,0.000,10.0.0.1,10.0.0.2,1,65535,200  ,........,0,0,1,1" TAIL
        "2018-01-12 15:37:30,2018-01-12 15:37:30,0.000,10.0.0.1,10.0.0.2,1,2,sctp,........,0,0,1,1" TAIL;
    guint64 rows = 0, bad = 0;
    GError *err = NULL;
    GArray *got = read_text(text, NULL, &rows, &bad, &err);
    assert_null(err);
    assert_non_null(got);
    assert_int_equal(got->len, 7);
    assert_int_equal(rows, 7);
    assert_int_equal(bad, 0);
    const c2h_flow *f = (const c2h_flow *)got->data;

    gint64 t = utc_ms(2018, 1, 12, 15, 37, 30);
    assert_int_equal(f[0].start_ms, t);
    assert_int_equal(f[0].end_ms, t);
    assert_true(c2h_addr_is_v4(&f[0].src));
    assert_int_equal(c2h_addr_v4(&f[0].src), 0x93205077u); /* 147.32.80.119 */
    assert_int_equal(c2h_addr_v4(&f[0].dst), 0x9320523eu);
    assert_int_equal(f[0].sport, 52324);
    assert_int_equal(f[0].dport, 902);
    assert_int_equal(f[0].proto, 6);
    assert_int_equal(f[0].tcp_flags, C2H_TCP_SYN);
    assert_int_equal(f[0].packets, 1);
    assert_int_equal(f[0].bytes, 60);

    assert_int_equal(f[1].start_ms, t + 1250); /* fractional ts */
    assert_int_equal(f[1].end_ms, t + 1250 + 1500);
    c2h_addr a6 = addr("2001:db8:0:0:1:0:0:2");
    assert_memory_equal(f[1].dst.b, a6.b, 16);
    assert_int_equal(c2h_flow_family(&f[1]), C2H_FAMILY_V6);
    assert_int_equal(f[1].proto, 17);
    assert_int_equal(f[1].tcp_flags, 0);

    assert_int_equal(f[2].end_ms - f[2].start_ms, 2001); /* 2.0005 s rounds half up */
    assert_int_equal(f[2].proto, 47);
    assert_int_equal(f[2].tcp_flags, 0xff);
    assert_true(f[2].packets == G_MAXUINT64);
    assert_true(f[2].bytes == 4294967296ULL);

    assert_int_equal(f[3].proto, 1);
    assert_int_equal(f[3].dport, 2048);
    assert_int_equal(f[3].tcp_flags, C2H_TCP_SYN | C2H_TCP_ACK); /* 0x12 */
    assert_int_equal(f[3].end_ms - f[3].start_ms, 1);

    assert_int_equal(f[4].proto, 58);
    assert_true(c2h_addr_is_v4(&f[4].src)); /* ::ffff:10.0.0.9 is the IPv4 form */
    assert_int_equal(f[4].tcp_flags, C2H_TCP_ACK | C2H_TCP_RST);
    assert_int_equal(f[5].proto, 200); /* nfdump pads numbers: "200  " */
    assert_int_equal(f[5].dport, 65535);
    assert_int_equal(f[6].proto, 132); /* names in any case */
    g_array_free(got, TRUE);
}

static void test_summary_block(void **state)
{
    (void)state;
    const char *text = HEADER
        "2018-01-12 15:37:30,2018-01-12 15:37:30,0.000,147.32.80.119,147.32.82.62,52324,902,TCP,......S.,0,0,1,60" TAIL
        "2018-01-12 15:37:30,2018-01-12 15:37:30,0.000,147.32.82.62,147.32.80.119,902,52324,TCP,...A.R..,0,0,1,40" TAIL
        "Summary\n"
        "flows,bytes,packets,avg_bps,avg_pps,avg_bpp\n"
        "2,100,2,0,0,0\n";
    char *path = write_tmp(text);
    GError *err = NULL;
    c2h_flowsrc *src = c2h_nfcsv_open(path, NULL, &err); /* no bad_row: a parsed summary would fail */
    assert_non_null(src);
    GArray *got = read_src(src, 16, &err);
    assert_null(err);
    assert_int_equal(got->len, 2);
    assert_int_equal(src->rows, 2);
    assert_int_equal(src->bad_rows, 0);
    assert_int_equal(src->input_bytes, strlen(text)); /* all of it, the summary too */
    c2h_flow buf[4];
    assert_int_equal(c2h_flowsrc_next(src, buf, 4, &err), 0); /* and the end stays the end */
    c2h_flowsrc_close(src);
    g_array_free(got, TRUE);
    unlink(path);
    g_free(path);

    /* nfdump's output for no flows at all. */
    const char *none = HEADER "No matching flows\nSummary\nflows,bytes,packets,avg_bps,avg_pps,avg_bpp\n0,0,0,0,0,0\n";
    got = read_text(none, NULL, NULL, NULL, &err);
    assert_null(err);
    assert_int_equal(got->len, 0);
    g_array_free(got, TRUE);
}

/* ---------------------------------------------------------------- bad input */

static const char *const bad_text = HEADER
    "2018-01-12 15:37:30,2018-01-12 15:37:30,0.000,10.0.0.1,10.0.0.2,1,2,TCP,......S.,0,0,1,60" TAIL /* 2 good */
    "2018-01-12 15:37:30,2018-01-12 15:37:30,0.000,10.0.0.1,10.0.0.2,1,2,TCP,......S.,0,0,1,60\n"  /* 3 */
    "2018-01-12 15:37:30,2018-01-12 15:37:30,0.000,1.2.3,10.0.0.2,1,2,TCP,......S.,0,0,1,60" TAIL  /* 4 */
    "2018-01-12 15:37:30,2018-01-12 15:37:30,0.000,10.0.0.1,10.0.0.2,1,70000,TCP,......S.,0,0,1,60" TAIL /* 5 */
    "2018-13-12 15:37:30,2018-01-12 15:37:30,0.000,10.0.0.1,10.0.0.2,1,2,TCP,......S.,0,0,1,60" TAIL /* 6 */
    "2018-01-12 15:37:30,2018-01-12 15:37:30,-1.000,10.0.0.1,10.0.0.2,1,2,TCP,......S.,0,0,1,60" TAIL /* 7 */
    "2018-01-12 15:37:30,yesterday,0.000,10.0.0.1,10.0.0.2,1,2,TCP,......S.,0,0,1,60" TAIL          /* 8 */
    "2018-01-12 15:37:30,2018-01-12 15:37:30,0.000,10.0.0.1,10.0.0.2,1,2,FOO,......S.,0,0,1,60" TAIL /* 9 */
    "2018-01-12 15:37:30,2018-01-12 15:37:30,0.000,10.0.0.1,10.0.0.2,1,2,TCP,..X...S.,0,0,1,60" TAIL /* 10 */
    "2018-01-12 15:37:30,2018-01-12 15:37:30,0.000,10.0.0.1,10.0.0.2,1,2,TCP,......S.,0,0,12a,60" TAIL /* 11 */
    "2018-01-12 15:37:30,2018-01-12 15:37:30,0.000,10.0.0.1,10.0.0.2,1,2,256,......S.,0,0,1,60" TAIL /* 12 */
    "2018-01-12 15:37:31,2018-01-12 15:37:31,0.000,10.0.0.1,10.0.0.2,1,2,UDP,........,0,0,1,60" TAIL; /* 13 good */

static void test_bad_lines_reported(void **state)
{
    (void)state;
    static const struct {
        guint64 line;
        const char *reason;
    } want[] = {
        {3, "13 fields where the header has 48"},
        {4, "field 'sa': '1.2.3' is not an IP address"},
        {5, "field 'dp': '70000' is not a port (0 to 65535)"},
        {6, "field 'ts': '2018-13-12 15:37:30' is not a time like 2018-01-12 15:37:30"},
        {7, "field 'td': '-1.000' is a negative duration"},
        {8, "field 'te': 'yesterday' is not a time like 2018-01-12 15:37:30"},
        {9, "field 'pr': 'FOO' is not a protocol (a name nfdump prints, or 0 to 255)"},
        {10, "field 'flg': '..X...S.' is not TCP flags like ...A..S. or 0x12"},
        {11, "field 'ipkt': '12a' is not a packet count"},
        {12, "field 'pr': '256' is not a protocol (a name nfdump prints, or 0 to 255)"},
    };
    bad_log *log = bad_log_new(100);
    c2h_flowsrc_opts opts = {.bad_row = log_bad_row, .bad_row_ud = log};
    char *path = write_tmp(bad_text);
    GError *err = NULL;
    c2h_flowsrc *src = c2h_nfcsv_open(path, &opts, &err);
    assert_non_null(src);
    GArray *got = read_src(src, 5, &err);
    assert_null(err);
    assert_int_equal(got->len, 2);
    assert_int_equal(src->rows, 2);
    assert_int_equal(src->bad_rows, G_N_ELEMENTS(want));
    assert_int_equal(log->reasons->len, G_N_ELEMENTS(want));
    for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
        assert_int_equal(g_array_index(log->lines, guint64, i), want[i].line);
        assert_string_equal(g_ptr_array_index(log->reasons, i), want[i].reason);
    }
    assert_string_equal(log->file, path);
    c2h_flowsrc_close(src);
    g_array_free(got, TRUE);
    bad_log_free(log);
    unlink(path);
    g_free(path);
}

static void test_bad_lines_stop(void **state)
{
    (void)state;
    char *path = write_tmp(bad_text);
    GError *err = NULL;

    /* No bad_row: the first bad line is the error, named with its file and line. */
    c2h_flowsrc *src = c2h_nfcsv_open(path, NULL, &err);
    assert_non_null(src);
    assert_null(read_src(src, 64, &err));
    assert_true(g_error_matches(err, C2H_ERROR, C2H_ERROR_INPUT));
    char *want = g_strdup_printf("%s:3: 13 fields where the header has 48", path);
    assert_string_equal(err->message, want);
    g_free(want);
    g_clear_error(&err);
    c2h_flowsrc_close(src);

    /* A budget of three: the third bad line stops it. */
    bad_log *log = bad_log_new(3);
    c2h_flowsrc_opts opts = {.bad_row = log_bad_row, .bad_row_ud = log};
    src = c2h_nfcsv_open(path, &opts, &err);
    assert_null(read_src(src, 64, &err));
    assert_true(g_error_matches(err, C2H_ERROR, C2H_ERROR_INPUT));
    want = g_strdup_printf("%s:5: too many bad rows", path);
    assert_true(g_str_has_prefix(err->message, want));
    g_free(want);
    g_clear_error(&err);
    assert_int_equal(src->bad_rows, 3);
    c2h_flowsrc_close(src);
    bad_log_free(log);
    unlink(path);
    g_free(path);
}

static void test_open_errors(void **state)
{
    (void)state;
    GError *err = NULL;
    /* A header without the columns we need. */
    char *path = write_tmp("ts,te,td,sa,da,sp,dp,pr,flg,ipkt\n2018-01-12 15:37:30,x\n");
    assert_null(c2h_nfcsv_open(path, NULL, &err));
    assert_true(g_error_matches(err, C2H_ERROR, C2H_ERROR_INPUT));
    char *want = g_strdup_printf("%s:1: not an nfdump csv header (no column ibyt)", path);
    assert_true(g_str_has_prefix(err->message, want));
    g_free(want);
    g_clear_error(&err);
    unlink(path);
    g_free(path);

    /* Empty input. */
    path = write_tmp("");
    assert_null(c2h_nfcsv_open(path, NULL, &err));
    assert_non_null(strstr(err->message, path));
    g_clear_error(&err);
    unlink(path);
    g_free(path);

    /* A missing file. */
    assert_null(c2h_nfcsv_open("/nonexistent/flows.csv", NULL, &err));
    assert_true(g_error_matches(err, C2H_ERROR, C2H_ERROR_INPUT));
    assert_non_null(strstr(err->message, "'/nonexistent/flows.csv'"));
    g_clear_error(&err);

    /* An unknown zone. */
    path = write_tmp(HEADER);
    c2h_flowsrc_opts opts = {.tz = "Mars/Olympus_Mons"};
    assert_null(c2h_nfcsv_open(path, &opts, &err));
    assert_non_null(strstr(err->message, "Mars/Olympus_Mons"));
    g_clear_error(&err);
    unlink(path);
    g_free(path);

    /* The nfcapd format: a missing path, named. */
    assert_null(c2h_flowsrc_open("nfcapd", "/nonexistent/nfcapd.202601050000", NULL, &err));
    assert_non_null(strstr(err->message, "'/nonexistent/nfcapd.202601050000'"));
    g_clear_error(&err);
}

/* ---------------------------------------------------------------- time zones */

static void test_time_zone_prague(void **state)
{
    (void)state;
    const char *text = HEADER
        "2026-01-15 12:00:00,2026-01-15 12:00:00,0.000,10.0.0.1,10.0.0.2,1,2,TCP,......S.,0,0,1,60" TAIL
        "2026-07-15 12:00:00.500,2026-07-15 12:00:01,0.500,10.0.0.1,10.0.0.2,1,2,TCP,......S.,0,0,1,60" TAIL;
    c2h_flowsrc_opts opts = {.tz = "Europe/Prague"};
    GError *err = NULL;
    GArray *got = read_text(text, &opts, NULL, NULL, &err);
    assert_null(err);
    assert_int_equal(got->len, 2);
    const c2h_flow *f = (const c2h_flow *)got->data;
    assert_int_equal(f[0].start_ms, utc_ms(2026, 1, 15, 11, 0, 0)); /* CET, UTC+1 */
    assert_int_equal(f[1].start_ms, utc_ms(2026, 7, 15, 10, 0, 0) + 500); /* CEST, UTC+2 */
    assert_int_equal(f[1].end_ms, f[1].start_ms + 500);
    g_array_free(got, TRUE);

    /* "UTC" is no conversion at all. */
    opts.tz = "UTC";
    got = read_text(text, &opts, NULL, NULL, &err);
    assert_int_equal(g_array_index(got, c2h_flow, 0).start_ms, utc_ms(2026, 1, 15, 12, 0, 0));
    g_array_free(got, TRUE);
}

/* Every 20 minutes over two years, in zones with summer time, one with half-hour changes
 * (Lord Howe: its hours of change are half one offset, half the other) and one without, the
 * cached offsets agree with GLib's conversion. Wall times that happen twice or never are left
 * out: there any answer is a guess. */
static void test_time_zone_against_glib(void **state)
{
    (void)state;
    static const char *const zones[] = {"Europe/Prague", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"};
    for (guint z = 0; z < G_N_ELEMENTS(zones); z++) {
        GTimeZone *tz = g_time_zone_new_identifier(zones[z]);
        assert_non_null(tz);
        GString *text = g_string_new(HEADER);
        GArray *want = g_array_new(FALSE, FALSE, sizeof(gint64));
        gint64 t0 = utc_ms(2025, 1, 1, 0, 0, 0) / 1000;
        for (gint64 wall = t0; wall < t0 + 2 * 366 * 86400; wall += 1200) {
            /* wall: a wall-clock time written as seconds since the epoch */
            int i_std = g_time_zone_find_interval(tz, G_TIME_TYPE_STANDARD, wall);
            int i_dst = g_time_zone_find_interval(tz, G_TIME_TYPE_DAYLIGHT, wall);
            if (i_std < 0 || i_std != i_dst)
                continue;
            GDateTime *u = g_date_time_new_from_unix_utc(wall);
            int y = g_date_time_get_year(u), mo = g_date_time_get_month(u), d = g_date_time_get_day_of_month(u);
            int h = g_date_time_get_hour(u), mi = g_date_time_get_minute(u);
            g_date_time_unref(u);
            GDateTime *dt = g_date_time_new(tz, y, mo, d, h, mi, 0);
            gint64 ms = g_date_time_to_unix(dt) * 1000;
            g_date_time_unref(dt);
            assert_int_equal(ms, (wall - g_time_zone_get_offset(tz, i_std)) * 1000);
            g_array_append_val(want, ms);
            g_string_append_printf(text,
                                   "%04d-%02d-%02d %02d:%02d:00,%04d-%02d-%02d %02d:%02d:00,0.000,10.0.0.1,10.0.0.2,"
                                   "1,2,TCP,......S.,0,0,1,60" TAIL,
                                   y, mo, d, h, mi, y, mo, d, h, mi);
        }
        c2h_flowsrc_opts opts = {.tz = zones[z]};
        GError *err = NULL;
        GArray *got = read_text(text->str, &opts, NULL, NULL, &err);
        assert_null(err);
        assert_true(want->len > 50000);
        assert_int_equal(got->len, want->len);
        for (guint i = 0; i < want->len; i++)
            if (g_array_index(got, c2h_flow, i).start_ms != g_array_index(want, gint64, i))
                fail_msg("%s, line %u: %" G_GINT64_FORMAT " != %" G_GINT64_FORMAT, zones[z], i + 2,
                         g_array_index(got, c2h_flow, i).start_ms, g_array_index(want, gint64, i));
        g_array_free(got, TRUE);
        g_array_free(want, TRUE);
        g_string_free(text, TRUE);
        g_time_zone_unref(tz);
    }
}

/* ---------------------------------------------------------------- the nfcapd text path */

typedef struct chunks {
    const char *text;
    gsize pos, step;
} chunks;

/* A byte source handing out step bytes at a time. */
static gssize chunk_read(void *ud, char *buf, gsize len, GError **err)
{
    (void)err;
    chunks *c = ud;
    gsize n = MIN(MIN(len, c->step), strlen(c->text) - c->pos);
    memcpy(buf, c->text + c->pos, n);
    c->pos += n;
    return (gssize)n;
}

static void test_reader_text_path(void **state)
{
    (void)state;
    /* What nfdump -q -N -6 -o fmt:... prints, under the header nfcapd.c supplies. */
    const char *text =
        "1515771450.942,           0.000,                          147.32.80.119,                           147.32.82.62,"
        " 52324,   902,6    ,......S.,       1,      60\n"
        "1767521849.236,           1.675, 2001:db8:2fbe:182d:3243:119b:aa5e:48c2,           2001:db8::d5d:632e:1faa:3cbd,"
        "     0, 128.3,58   ,........,585515740114,585515740114000\n"
        "1767493486.046,           0.000,                            10.0.139.83,                         157.132.43.106,"
        "     0,  11.2,1    ,........,    2008,  983920\n";
    const gsize steps[] = {1, 7, 64, 1 << 20};
    for (guint s = 0; s < G_N_ELEMENTS(steps); s++) {
        chunks c = {text, 0, steps[s]};
        GError *err = NULL;
        c2h_flowsrc *src =
            c2h_nfcsv_open_reader("capture", "tsr,td,sa,da,sp,dp,pr,flg,ipkt,ibyt", chunk_read, &c, NULL, &err);
        assert_non_null(src);
        GArray *got = read_src(src, 2, &err);
        assert_null(err);
        assert_int_equal(got->len, 3);
        assert_int_equal(src->input_bytes, strlen(text));
        const c2h_flow *f = (const c2h_flow *)got->data;
        assert_int_equal(f[0].start_ms, 1515771450942LL);
        assert_int_equal(f[0].end_ms, 1515771450942LL);
        assert_int_equal(f[0].sport, 52324);
        assert_int_equal(f[0].tcp_flags, C2H_TCP_SYN);
        assert_int_equal(f[1].end_ms - f[1].start_ms, 1675);
        assert_int_equal(f[1].dport, 128 * 256 + 3); /* ICMP type.code */
        assert_int_equal(f[1].proto, 58);
        assert_true(f[1].packets == 585515740114ULL);
        assert_int_equal(f[2].dport, 11 * 256 + 2);
        c2h_flowsrc_close(src);
        g_array_free(got, TRUE);
    }
}

/* ---------------------------------------------------------------- nfcapd.c with a stand-in nfdump */

/* Write an executable shell script standing in for nfdump to path. */
static void fake_nfdump(const char *path, const char *body)
{
    char *script = g_strdup_printf("#!/bin/sh\n%s\n", body);
    assert_true(g_file_set_contents(path, script, -1, NULL));
    assert_int_equal(chmod(path, 0755), 0);
    g_free(script);
}

static void test_nfcapd_stand_in(void **state)
{
    (void)state;
    char *dir = g_dir_make_tmp("test_nfcsv-XXXXXX", NULL);
    assert_non_null(dir);
    char *input = g_build_filename(dir, "nfcapd.202601050000", NULL);
    assert_true(g_file_set_contents(input, "0123456789", 10, NULL)); /* only its size matters here */
    char *args = g_build_filename(dir, "args", NULL);
    GError *err = NULL;

    /* Two flows; the arguments and TZ it was given are kept to check. */
    char *body = g_strdup_printf("echo \"$@\" TZ=$TZ > '%s'\n"
                                 "echo '1767571200.250,           1.500,  10.0.0.1,  10.0.0.2,  1234,   443,6    ,...A..S.,  2,  120'\n"
                                 "echo '1767571201.000,           0.000,  2001:db8::1,  2001:db8::2,  0,  8.0,58   ,........,  1,  64'",
                                 args);
    char *prog = g_build_filename(dir, "nfdump", NULL);
    fake_nfdump(prog, body);
    g_free(body);
    c2h_flowsrc_opts opts = {.nfdump_path = prog};
    c2h_flowsrc *src = c2h_flowsrc_open("nfcapd", input, &opts, &err);
    assert_non_null(src);
    GArray *got = read_src(src, 8, &err);
    assert_null(err);
    assert_int_equal(got->len, 2);
    assert_int_equal(src->rows, 2);
    assert_int_equal(src->input_bytes, 10);
    const c2h_flow *f = (const c2h_flow *)got->data;
    assert_int_equal(f[0].start_ms, 1767571200250LL);
    assert_int_equal(f[0].end_ms, 1767571201750LL);
    assert_int_equal(f[0].tcp_flags, C2H_TCP_ACK | C2H_TCP_SYN);
    assert_int_equal(f[1].dport, 8 * 256);
    assert_int_equal(f[1].proto, 58);
    c2h_flowsrc_close(src);
    g_array_free(got, TRUE);
    char *seen = NULL;
    assert_true(g_file_get_contents(args, &seen, NULL, NULL));
    char *want = g_strdup_printf("-q -N -6 -r %s -o fmt:%%tsr,%%td,%%sa,%%da,%%sp,%%dp,%%pr,%%flg,%%ipkt,%%ibyt TZ=UTC\n", input);
    assert_string_equal(seen, want);
    g_free(want);
    g_free(seen);

    /* A folder is read with -R. */
    src = c2h_flowsrc_open("nfcapd", dir, &opts, &err);
    assert_non_null(src);
    g_array_free(read_src(src, 8, &err), TRUE);
    c2h_flowsrc_close(src);
    assert_true(g_file_get_contents(args, &seen, NULL, NULL));
    assert_non_null(strstr(seen, " -R "));
    g_free(seen);

    /* Failure: a message on stderr and exit status 3, after one good line. */
    fake_nfdump(prog, "echo '1767571200.000,0.000,10.0.0.1,10.0.0.2,1,2,6,........,1,1'\n"
                            "echo 'Corrupt data file: boom' >&2\nexit 3");
    src = c2h_flowsrc_open("nfcapd", input, &opts, &err);
    assert_non_null(src);
    assert_null(read_src(src, 8, &err));
    assert_true(g_error_matches(err, C2H_ERROR, C2H_ERROR_INPUT));
    want = g_strdup_printf("%s: nfdump failed with exit status 3: Corrupt data file: boom", input);
    assert_string_equal(err->message, want);
    g_free(want);
    g_clear_error(&err);
    c2h_flowsrc_close(src);

    /* Exit status 0 with a complaint (nfdump 1.7.1 on a truncated file) is a failure too. */
    fake_nfdump(prog, "echo 'read() error: Short read' >&2");
    src = c2h_flowsrc_open("nfcapd", input, &opts, &err);
    assert_null(read_src(src, 8, &err));
    assert_non_null(strstr(err->message, "nfdump reported an error: read() error: Short read"));
    g_clear_error(&err);
    c2h_flowsrc_close(src);

    /* Closing early stops a child that would write forever. */
    fake_nfdump(prog, "while :; do echo '1767571200.000,0.000,10.0.0.1,10.0.0.2,1,2,6,........,1,1'; done");
    src = c2h_flowsrc_open("nfcapd", input, &opts, &err);
    c2h_flow buf[100];
    assert_int_equal(c2h_flowsrc_next(src, buf, 100, &err), 100);
    c2h_flowsrc_close(src);

    /* No such program. */
    opts.nfdump_path = "/nonexistent/nfdump";
    assert_null(c2h_flowsrc_open("nfcapd", input, &opts, &err));
    assert_non_null(strstr(err->message, "cannot run nfdump ('/nonexistent/nfdump')"));
    g_clear_error(&err);

    /* A folder without files. */
    char *empty = g_build_filename(dir, "empty", NULL);
    assert_int_equal(g_mkdir(empty, 0755), 0);
    opts.nfdump_path = prog;
    assert_null(c2h_flowsrc_open("nfcapd", empty, &opts, &err));
    assert_non_null(strstr(err->message, "holds no nfcapd files"));
    g_clear_error(&err);
    g_rmdir(empty);
    g_free(empty);

    unlink(prog);
    unlink(args);
    unlink(input);
    g_rmdir(dir);
    g_free(prog);
    g_free(args);
    g_free(input);
    g_free(dir);
}

/* ---------------------------------------------------------------- the writer */

static void test_writer_form(void **state)
{
    (void)state;
    c2h_flow f = {0};
    f.start_ms = utc_ms(2018, 1, 12, 15, 37, 30) + 942;
    f.end_ms = f.start_ms + 1675;
    f.src = c2h_addr_from_v4(0x93205077u);
    f.dst = c2h_addr_from_v4(0x9320523eu);
    f.sport = 52324;
    f.dport = 902;
    f.proto = 6;
    f.tcp_flags = C2H_TCP_SYN | C2H_TCP_ACK;
    f.packets = 1;
    f.bytes = 60;
    GString *out = g_string_new(NULL);
    c2h_nfcsv_append_header(out);
    assert_string_equal(out->str, HEADER);
    g_string_truncate(out, 0);
    c2h_nfcsv_append_flow(out, &f);
    assert_string_equal(out->str,
                        "2018-01-12 15:37:30,2018-01-12 15:37:32,1.675,147.32.80.119,147.32.82.62,52324,902,TCP,...A..S.,"
                        "0,0,1,60,0,0,0,0,0,0,0,0,0,0,0.0.0.0,0.0.0.0,0,0,00:00:00:00:00:00,00:00:00:00:00:00,"
                        "00:00:00:00:00:00,00:00:00:00:00:00,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,"
                        "    0.000,    0.000,    0.000,0.0.0.0,0/0,0,1970-01-01 00:00:00.000\n");

    /* IPv6, an unnamed protocol (padded as nfdump pads it), a time before 1970. */
    g_string_truncate(out, 0);
    f.src = addr("2001:db8::1");
    f.dst = addr("::ffff:10.0.0.1");
    f.proto = 200;
    f.tcp_flags = 0;
    f.start_ms = -1500;
    f.end_ms = -1500 + 12;
    c2h_nfcsv_append_flow(out, &f);
    assert_true(g_str_has_prefix(
        out->str, "1969-12-31 23:59:58,1969-12-31 23:59:58,0.012,2001:db8::1,::ffff:10.0.0.1,52324,902,200  ,........,"));
    g_string_free(out, TRUE);
}

/* A random flow: whole-second start (csv keeps no more), any duration in ms. */
static c2h_flow random_flow(GRand *rng)
{
    c2h_flow f = {0};
    f.start_ms = (gint64)g_rand_int_range(rng, 0, 2000000000) * 1000;
    f.end_ms = f.start_ms + (g_rand_boolean(rng) ? g_rand_int_range(rng, 0, 1000) : g_rand_int_range(rng, 0, 86400000));
    if (g_rand_int_range(rng, 0, 3) == 0) {
        for (int i = 0; i < 16; i++) {
            f.src.b[i] = (guint8)g_rand_int(rng);
            f.dst.b[i] = (guint8)g_rand_int(rng);
        }
        if (g_rand_int_range(rng, 0, 4) == 0) /* a zero-compressed address */
            memset(f.dst.b + 2, 0, 10);
    } else {
        f.src = c2h_addr_from_v4(g_rand_int(rng));
        f.dst = c2h_addr_from_v4(g_rand_int(rng));
    }
    f.sport = (guint16)g_rand_int(rng);
    f.dport = (guint16)g_rand_int(rng);
    f.proto = (guint8)g_rand_int(rng);
    f.tcp_flags = (guint8)g_rand_int(rng);
    f.packets = g_rand_boolean(rng) ? g_rand_int(rng) : ((guint64)g_rand_int(rng) << 32 | g_rand_int(rng));
    f.bytes = (guint64)g_rand_int(rng) << 32 | g_rand_int(rng);
    return f;
}

static void test_round_trip(void **state)
{
    (void)state;
    GRand *rng = g_rand_new_with_seed(20260105);
    GString *text = g_string_new(NULL);
    c2h_nfcsv_append_header(text);
    enum { N = 20000 };
    c2h_flow *want = g_new(c2h_flow, N);
    int v4 = 0;
    for (int i = 0; i < N; i++) {
        want[i] = random_flow(rng);
        v4 += c2h_flow_family(&want[i]) == C2H_FAMILY_V4;
        c2h_nfcsv_append_flow(text, &want[i]);
    }
    assert_true(v4 > N / 2 && v4 < N); /* both families */
    GError *err = NULL;
    guint64 bad = 0;
    GArray *got = read_text(text->str, NULL, NULL, &bad, &err);
    assert_null(err);
    assert_int_equal(bad, 0);
    assert_int_equal(got->len, N);
    for (int i = 0; i < N; i++)
        assert_flow_eq(&g_array_index(got, c2h_flow, i), &want[i]);
    g_array_free(got, TRUE);
    g_free(want);
    g_string_free(text, TRUE);
    g_rand_free(rng);
}

/* Every protocol number survives the trip, 38 and 94 (whose nfdump names repeat) too. */
static void test_round_trip_protocols(void **state)
{
    (void)state;
    GString *text = g_string_new(NULL);
    c2h_nfcsv_append_header(text);
    c2h_flow f = {0};
    f.src = c2h_addr_from_v4(1);
    f.dst = c2h_addr_from_v4(2);
    for (int p = 0; p < 256; p++) {
        f.proto = (guint8)p;
        c2h_nfcsv_append_flow(text, &f);
    }
    GError *err = NULL;
    GArray *got = read_text(text->str, NULL, NULL, NULL, &err);
    assert_null(err);
    assert_int_equal(got->len, 256);
    for (int p = 0; p < 256; p++)
        assert_int_equal(g_array_index(got, c2h_flow, p).proto, p);
    g_array_free(got, TRUE);
    g_string_free(text, TRUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_lines),
        cmocka_unit_test(test_summary_block),
        cmocka_unit_test(test_bad_lines_reported),
        cmocka_unit_test(test_bad_lines_stop),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_time_zone_prague),
        cmocka_unit_test(test_time_zone_against_glib),
        cmocka_unit_test(test_reader_text_path),
        cmocka_unit_test(test_nfcapd_stand_in),
        cmocka_unit_test(test_writer_form),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_round_trip_protocols),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
