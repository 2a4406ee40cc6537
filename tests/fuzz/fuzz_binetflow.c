/* fuzz_binetflow.c: the Argus binetflow reader (io/binetflow.c) and, through it, the plain
 * and gzip byte source (io/bytesrc.c).
 *
 * The input is the file, plain or gzip (the reader decides by its first two bytes, so the
 * corpus carries both). It is read with CTU-13's time zone (Europe/Prague, which has DST
 * changes the zone cache must get right) and, as a second pass, in UTC, each reading taking
 * up to 20 bad rows. Checked besides the sanitizers: a flow's end is not before its start,
 * a row is a flow, a bad row or a skipped one, an error has a message, nothing leaks.
 */
#include "fuzzlib.h"

#include "io/flowsrc.h"

#define BATCH 37

static fz_file *file;

static void read_all(const char *path, const char *tz)
{
    guint budget = 20;
    c2h_flowsrc_opts opts = {.tz = tz, .bad_row = fz_bad_row, .bad_row_ud = &budget};
    GError *err = NULL;
    c2h_flowsrc *src = c2h_binetflow_open(path, &opts, &err);
    if (src == NULL) {
        fz_check_error(err, "c2h_binetflow_open");
        g_error_free(err);
        return;
    }
    c2h_flow out[BATCH];
    guint64 flows = 0;
    for (;;) {
        gssize n = c2h_flowsrc_next(src, out, BATCH, &err);
        if (n < 0) {
            fz_check_error(err, "next");
            g_clear_error(&err);
            break;
        }
        if (n == 0)
            break;
        if (n > BATCH)
            fz_fail("next() returned %zd flows for room of %d", n, BATCH);
        for (gssize i = 0; i < n; i++)
            if (out[i].end_ms < out[i].start_ms)
                fz_fail("flow ends before it starts: %" G_GINT64_FORMAT " < %" G_GINT64_FORMAT, out[i].end_ms,
                        out[i].start_ms);
        flows += (guint64)n;
    }
    if (src->rows != flows)
        fz_fail("rows %" G_GUINT64_FORMAT " but %" G_GUINT64_FORMAT " flows returned", src->rows, flows);
    if (src->bad_rows > 21)
        fz_fail("%" G_GUINT64_FORMAT " bad rows taken with a budget of 20", src->bad_rows);
    c2h_flowsrc_close(src);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    file = fz_file_new("flows.binetflow");
    fz_keep_time_zone("Europe/Prague");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_begin_iteration();
    const char *path = fz_file_set(file, data, size);
    read_all(path, "Europe/Prague");
    read_all(path, NULL);
    fz_end_iteration();
    return 0;
}
