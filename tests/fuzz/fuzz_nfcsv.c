/* fuzz_nfcsv.c: the nfdump csv reader (io/nfcsv.c).
 *
 * The input is the text of a file. It is read two ways, as ingest and nfcapd.c read it:
 * 1. c2h_nfcsv_open on its path, times local to Europe/Prague;
 * 2. c2h_nfcsv_open_reader over a read function that returns 1 to 13 bytes at a time, so
 *    lines, CRLFs and the Summary block straddle the reads, times in UTC; when the input
 *    starts with a digit (nfdump -q prints no header line) with nfcapd.c's own header
 *    ("tsr,td,sa,...", seconds since the epoch), else with the header the text has.
 * Every reading takes up to 20 bad rows, then stops as --max-bad does. Checked besides the
 * sanitizers: with the text's own header both readings give the same flows but for the
 * time zone (the same count, the same failure, the same fields and durations); a flow's end
 * is not before its start; the counts add up; an error has a message; nothing leaks
 * (memory, descriptors).
 */
#include "fuzzlib.h"

#include "io/flowsrc.h"
#include "io/nfcsv.h"

#include <string.h>

#define BATCH 37 /* flows per next(): odd, so batches and lines fall differently */
#define NFCAPD_HEADER "tsr,td,sa,da,sp,dp,pr,flg,ipkt,ibyt"
#define MAX_KEPT 4096 /* flows compared between the two readings */

static fz_file *file;

typedef struct mem_reader {
    const uint8_t *data;
    size_t size, pos;
    unsigned step;
} mem_reader;

static gssize mem_read(void *ud, char *buf, gsize len, GError **err)
{
    (void)err;
    mem_reader *m = ud;
    gsize n = 1 + m->step++ % 13;
    n = MIN(n, len);
    n = MIN(n, m->size - m->pos);
    memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    return (gssize)n;
}

/* Read src to the end. @return the flows (the first MAX_KEPT), with *failed when it failed. */
static GArray *drain(c2h_flowsrc *src, gboolean *failed)
{
    GArray *kept = g_array_new(FALSE, FALSE, sizeof(c2h_flow));
    c2h_flow out[BATCH];
    guint64 flows = 0;
    *failed = FALSE;
    for (;;) {
        GError *err = NULL;
        gssize n = c2h_flowsrc_next(src, out, BATCH, &err);
        if (n < 0) {
            fz_check_error(err, "next");
            g_error_free(err);
            *failed = TRUE;
            break;
        }
        if (err != NULL)
            fz_fail("next() returned %zd and set an error: %s", n, err->message);
        if (n == 0)
            break;
        if (n > BATCH)
            fz_fail("next() returned %zd flows for room of %d", n, BATCH);
        for (gssize i = 0; i < n; i++)
            if (out[i].end_ms < out[i].start_ms)
                fz_fail("flow ends before it starts: %" G_GINT64_FORMAT " < %" G_GINT64_FORMAT, out[i].end_ms,
                        out[i].start_ms);
        if (kept->len < MAX_KEPT)
            g_array_append_vals(kept, out, MIN((guint)n, MAX_KEPT - kept->len));
        flows += (guint64)n;
    }
    if (src->rows != flows)
        fz_fail("rows %" G_GUINT64_FORMAT " but %" G_GUINT64_FORMAT " flows returned", src->rows, flows);
    if (src->bad_rows > 21)
        fz_fail("%" G_GUINT64_FORMAT " bad rows taken with a budget of 20", src->bad_rows);
    return kept;
}

/* The same flow but for the time zone: everything but the start and end, and the duration. */
static gboolean same_but_zone(const c2h_flow *x, const c2h_flow *y)
{
    return x->end_ms - x->start_ms == y->end_ms - y->start_ms && c2h_addr_cmp(&x->src, &y->src) == 0 &&
           c2h_addr_cmp(&x->dst, &y->dst) == 0 && x->packets == y->packets && x->bytes == y->bytes &&
           x->sport == y->sport && x->dport == y->dport && x->proto == y->proto && x->tcp_flags == y->tcp_flags;
}

static void check_open_error(GError **err)
{
    fz_check_error(*err, "open");
    g_clear_error(err);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    file = fz_file_new("flows.csv");
    fz_keep_time_zone("Europe/Prague");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_begin_iteration();
    const char *path = fz_file_set(file, data, size);

    guint budget = 20;
    c2h_flowsrc_opts opts = {.tz = "Europe/Prague", .bad_row = fz_bad_row, .bad_row_ud = &budget};
    GError *err = NULL;
    GArray *a = NULL, *b = NULL;
    gboolean failed_a = TRUE, failed_b = TRUE;
    c2h_flowsrc *src = c2h_nfcsv_open(path, &opts, &err);
    if (src) {
        a = drain(src, &failed_a);
        c2h_flowsrc_close(src);
    } else {
        check_open_error(&err);
    }

    gboolean quiet = size > 0 && g_ascii_isdigit(data[0]); /* nfdump -q: no header line */
    mem_reader m = {.data = data, .size = size};
    budget = 20;
    c2h_flowsrc_opts utc = {.tz = NULL, .bad_row = fz_bad_row, .bad_row_ud = &budget};
    src = c2h_nfcsv_open_reader("fuzz-input", quiet ? NFCAPD_HEADER : NULL, mem_read, &m, &utc, &err);
    if (src) {
        b = drain(src, &failed_b);
        c2h_flowsrc_close(src);
    } else {
        check_open_error(&err);
    }
    /* With the header from the text, both readings parse the same lines: the zone and the
     * size of the reads must change nothing else. */
    if (!quiet) {
        if ((a == NULL) != (b == NULL))
            fz_fail("the file opens one way and not the other");
        if (a && b) {
            if (failed_a != failed_b || (!failed_a && a->len != b->len))
                fz_fail("read whole: %u flows%s; read in pieces: %u flows%s", a->len, failed_a ? ", failed" : "",
                        b->len, failed_b ? ", failed" : "");
            for (guint i = 0; i < MIN(a->len, b->len); i++)
                if (!same_but_zone(&g_array_index(a, c2h_flow, i), &g_array_index(b, c2h_flow, i)))
                    fz_fail("flow %u differs between the whole read and the read in pieces", i);
        }
    }
    if (a)
        g_array_free(a, TRUE);
    if (b)
        g_array_free(b, TRUE);
    fz_end_iteration();
    return 0;
}
