/* nfcsv_tool.c: a test and measuring aid for the nfdump csv and nfcapd readers and the csv writer.
 *
 *   nfcsv_tool dump FORMAT PATH [TZ]   flows, one a line: start_ms,end_ms,src,dst,sport,dport,proto,flags,packets,bytes
 *   nfcsv_tool recode FORMAT PATH      the flows again as nfdump csv, through c2h_nfcsv_append_*
 *   nfcsv_tool synth N SEED            N random flows (IPv4 and IPv6) as nfdump csv
 *   nfcsv_tool bench PATH [ROUNDS [TZ]]  parse an nfdump csv file ROUNDS times; print lines/s
 *
 * Counts go to stderr as "rows=R bad=B input_bytes=N"; bad rows are listed there and skipped.
 * Exit status 0, or 2 with a message when the reader fails.
 */
#include "io/flowsrc.h"
#include "io/nfcsv.h"

#include <stdio.h>
#include <stdlib.h>

#define BATCH 4096

static gboolean print_bad_row(void *ud, const char *file, guint64 line, const char *reason)
{
    (void)ud;
    fprintf(stderr, "bad row %s:%" G_GUINT64_FORMAT ": %s\n", file, line, reason);
    return TRUE;
}

/* Read all of format:path, handing each batch to each(). @return the exit status. */
static int read_all(const char *format, const char *path, const char *tz, void (*each)(const c2h_flow *, gsize, GString *),
                    GString *out, gboolean quiet)
{
    c2h_flowsrc_opts opts = {.tz = tz, .bad_row = print_bad_row};
    GError *err = NULL;
    c2h_flowsrc *src = c2h_flowsrc_open(format, path, &opts, &err);
    if (src == NULL) {
        fprintf(stderr, "nfcsv_tool: %s\n", err->message);
        g_error_free(err);
        return 2;
    }
    c2h_flow *flows = g_new(c2h_flow, BATCH);
    gssize n;
    while ((n = c2h_flowsrc_next(src, flows, BATCH, &err)) > 0) {
        if (each) {
            each(flows, (gsize)n, out);
            fwrite(out->str, 1, out->len, stdout);
            g_string_truncate(out, 0);
        }
    }
    int status = 0;
    if (n < 0) {
        fprintf(stderr, "nfcsv_tool: %s\n", err->message);
        g_error_free(err);
        status = 2;
    }
    if (!quiet)
        fprintf(stderr, "rows=%" G_GUINT64_FORMAT " bad=%" G_GUINT64_FORMAT " input_bytes=%" G_GUINT64_FORMAT "\n",
                src->rows, src->bad_rows, src->input_bytes);
    c2h_flowsrc_close(src);
    g_free(flows);
    return status;
}

static void dump_flows(const c2h_flow *f, gsize n, GString *out)
{
    char a[C2H_ADDR_STRLEN], b[C2H_ADDR_STRLEN];
    for (gsize i = 0; i < n; i++)
        g_string_append_printf(out, "%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%s,%s,%u,%u,%u,%u,%" G_GUINT64_FORMAT
                                    ",%" G_GUINT64_FORMAT "\n",
                               f[i].start_ms, f[i].end_ms, c2h_addr_format(&f[i].src, a), c2h_addr_format(&f[i].dst, b),
                               f[i].sport, f[i].dport, f[i].proto, f[i].tcp_flags, f[i].packets, f[i].bytes);
}

static void recode_flows(const c2h_flow *f, gsize n, GString *out)
{
    for (gsize i = 0; i < n; i++)
        c2h_nfcsv_append_flow(out, &f[i]);
}

static int synth(guint64 n, guint32 seed)
{
    GRand *rng = g_rand_new_with_seed(seed);
    GString *out = g_string_sized_new(1 << 20);
    c2h_nfcsv_append_header(out);
    gint64 t = 1767571200000LL;
    for (guint64 i = 0; i < n; i++) {
        c2h_flow f = {0};
        t += g_rand_int_range(rng, 0, 20);
        f.start_ms = t / 1000 * 1000;
        f.end_ms = f.start_ms + g_rand_int_range(rng, 0, 120000);
        if (g_rand_int_range(rng, 0, 10) == 0) {
            for (int k = 0; k < 16; k++) {
                f.src.b[k] = (guint8)g_rand_int(rng);
                f.dst.b[k] = (guint8)g_rand_int(rng);
            }
            f.src.b[0] = f.dst.b[0] = 0x20;
        } else {
            f.src = c2h_addr_from_v4(0x0a000000u | (g_rand_int(rng) & 0xffff));
            f.dst = c2h_addr_from_v4(g_rand_int(rng));
        }
        f.sport = (guint16)g_rand_int(rng);
        f.dport = (guint16)g_rand_int_range(rng, 1, 1024);
        f.proto = g_rand_boolean(rng) ? 6 : 17;
        f.tcp_flags = f.proto == 6 ? (guint8)g_rand_int(rng) : 0;
        f.packets = (guint64)g_rand_int_range(rng, 1, 100000);
        f.bytes = f.packets * (guint64)g_rand_int_range(rng, 40, 1500);
        c2h_nfcsv_append_flow(out, &f);
        if (out->len > (1 << 20)) {
            fwrite(out->str, 1, out->len, stdout);
            g_string_truncate(out, 0);
        }
    }
    fwrite(out->str, 1, out->len, stdout);
    g_string_free(out, TRUE);
    g_rand_free(rng);
    return 0;
}

static int bench(const char *path, int rounds, const char *tz)
{
    c2h_flowsrc_opts opts = {.tz = tz};
    c2h_flow *flows = g_new(c2h_flow, BATCH);
    double best = 0;
    for (int r = 0; r < rounds; r++) {
        GError *err = NULL;
        gint64 t0 = g_get_monotonic_time();
        c2h_flowsrc *src = c2h_nfcsv_open(path, &opts, &err);
        if (src == NULL) {
            fprintf(stderr, "nfcsv_tool: %s\n", err->message);
            g_error_free(err);
            g_free(flows);
            return 2;
        }
        gssize n;
        while ((n = c2h_flowsrc_next(src, flows, BATCH, &err)) > 0)
            ;
        if (n < 0) {
            fprintf(stderr, "nfcsv_tool: %s\n", err->message);
            g_error_free(err);
        }
        double secs = (double)(g_get_monotonic_time() - t0) / 1e6;
        double rate = (double)src->rows / secs;
        printf("round %d: %" G_GUINT64_FORMAT " lines, %.1f MB in %.3f s: %.2f M lines/s, %.0f MB/s\n", r + 1, src->rows,
               (double)src->input_bytes / 1e6, secs, rate / 1e6, (double)src->input_bytes / 1e6 / secs);
        best = MAX(best, rate);
        c2h_flowsrc_close(src);
    }
    printf("best: %.2f M lines/s\n", best / 1e6);
    g_free(flows);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "dump") == 0) {
        GString *out = g_string_new(NULL);
        int status = read_all(argv[2], argv[3], argc > 4 ? argv[4] : NULL, dump_flows, out, FALSE);
        g_string_free(out, TRUE);
        return status;
    }
    if (argc >= 4 && strcmp(argv[1], "recode") == 0) {
        GString *out = g_string_new(NULL);
        c2h_nfcsv_append_header(out);
        fwrite(out->str, 1, out->len, stdout);
        g_string_truncate(out, 0);
        int status = read_all(argv[2], argv[3], NULL, recode_flows, out, TRUE);
        g_string_free(out, TRUE);
        return status;
    }
    if (argc >= 4 && strcmp(argv[1], "synth") == 0)
        return synth(g_ascii_strtoull(argv[2], NULL, 10), (guint32)g_ascii_strtoull(argv[3], NULL, 10));
    if (argc >= 3 && strcmp(argv[1], "bench") == 0)
        return bench(argv[2], argc > 3 ? atoi(argv[3]) : 5, argc > 4 ? argv[4] : NULL);
    fprintf(stderr, "usage: nfcsv_tool dump|recode FORMAT PATH [TZ] | synth N SEED | bench PATH [ROUNDS [TZ]]\n");
    return 1;
}
