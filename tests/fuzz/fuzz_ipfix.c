/* fuzz_ipfix.c: the IPFIX file reader (io/ipfix.c), its framing and template checks, and
 * libfixbuf 2.4 behind them, plain or gzip input (io/bytesrc.c).
 *
 * The input is the file. It is read to the end with a budget of 20 bad records, once in
 * batches of 37 flows and once in batches of 1 (a batch may end inside a message, which the
 * reader must resume). Checked besides the sanitizers: both readings give the same flows up
 * to the point where the first one stopped, the counts add up, an error has a message and
 * is never libfixbuf's own (the reader vets each message so that libfixbuf can decode what
 * it gets), the log handler the reader installs is gone afterwards, nothing leaks.
 */
#include "fuzzlib.h"

#include "io/flowsrc.h"

#include <string.h>


#define BATCH 37
#define MAX_KEPT 4096 /* flows compared between the two readings */

static fz_file *file;

static gboolean flow_eq(const c2h_flow *x, const c2h_flow *y)
{
    return x->start_ms == y->start_ms && x->end_ms == y->end_ms && c2h_addr_cmp(&x->src, &y->src) == 0 &&
           c2h_addr_cmp(&x->dst, &y->dst) == 0 && x->packets == y->packets && x->bytes == y->bytes &&
           x->sport == y->sport && x->dport == y->dport && x->proto == y->proto && x->tcp_flags == y->tcp_flags;
}

/* Read path to the end in batches of batch. @return the flows (up to MAX_KEPT). */
static GArray *read_all(const char *path, gsize batch, gboolean *failed)
{
    guint budget = 20;
    c2h_flowsrc_opts opts = {.bad_row = fz_bad_row, .bad_row_ud = &budget};
    GError *err = NULL;
    GArray *flows = g_array_new(FALSE, FALSE, sizeof(c2h_flow));
    *failed = FALSE;
    c2h_flowsrc *src = c2h_ipfix_open(path, &opts, &err);
    if (src == NULL) {
        fz_check_error(err, "c2h_ipfix_open");
        g_error_free(err);
        *failed = TRUE;
        return flows;
    }
    c2h_flow out[BATCH];
    guint64 total = 0;
    for (;;) {
        gssize n = c2h_flowsrc_next(src, out, batch, &err);
        if (n < 0) {
            fz_check_error(err, "next");
            /* The reader vets every message so that libfixbuf only sees what it can decode:
             * libfixbuf failing on one (not a bad row past the budget) is a hole in that. */
            if (strstr(err->message, "): libfixbuf: ") != NULL && strstr(err->message, "too many bad rows") == NULL)
                fz_fail("libfixbuf failed on a message the reader passed: %s", err->message);
            g_clear_error(&err);
            *failed = TRUE;
            break;
        }
        if (n == 0)
            break;
        if ((gsize)n > batch)
            fz_fail("next() returned %zd flows for room of %zu", n, batch);
        if (flows->len < MAX_KEPT)
            g_array_append_vals(flows, out, MIN((guint)n, MAX_KEPT - flows->len));
        total += (guint64)n;
    }
    if (src->rows != total)
        fz_fail("rows %" G_GUINT64_FORMAT " but %" G_GUINT64_FORMAT " flows returned", src->rows, total);
    if (src->bad_rows > 21)
        fz_fail("%" G_GUINT64_FORMAT " bad rows taken with a budget of 20", src->bad_rows);
    c2h_flowsrc_close(src);
    return flows;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    file = fz_file_new("flows.ipfix");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_begin_iteration();
    const char *path = fz_file_set(file, data, size);
    gboolean failed_a, failed_b;
    GArray *a = read_all(path, BATCH, &failed_a);
    GArray *b = read_all(path, 1, &failed_b);
    /* A batch is cut where a message ends or a record fails; what came before must agree. */
    guint n = MIN(a->len, b->len);
    for (guint i = 0; i < n; i++)
        if (!flow_eq(&g_array_index(a, c2h_flow, i), &g_array_index(b, c2h_flow, i)))
            fz_fail("flow %u differs between batches of %d and of 1", i, BATCH);
    if (!failed_a && !failed_b && a->len != b->len)
        fz_fail("%u flows in batches of %d, %u in batches of 1", a->len, BATCH, b->len);
    g_array_free(a, TRUE);
    g_array_free(b, TRUE);
    if (!fz_log_reaches_default())
        fz_fail("the reader's log handler is still installed");
    fz_end_iteration();
    return 0;
}
