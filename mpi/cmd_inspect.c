/* cmd_inspect.c: `c2hunt inspect ARCHIVE`: what an archive holds, and a check of it. */
#include "io/archive.h"
#include "io/nfcsv.h"
#include "mpi/cmds.h"

#include <stdio.h>

/* Open shard i, check it against its index line, and with verify (or dump) read every row.
 * dump: print the rows as nfdump csv to stdout. */
static gboolean check_shard(const c2h_archive *a, guint i, gboolean verify, gboolean dump, GError **err)
{
    const c2h_shard_info *info = &g_array_index(a->shards, c2h_shard_info, i);
    g_autofree char *path = c2h_archive_shard_path(a, i);
    c2h_shard_reader *r = c2h_shard_open(path, err);
    if (r == NULL)
        return FALSE;
    gboolean ok = TRUE;
    if (c2h_shard_rows(r) != info->rows || c2h_shard_family(r) != info->family) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,
                    "%s: %" G_GUINT64_FORMAT " rows of family %d, but %s/" C2H_ARCHIVE_INDEX " says %" G_GUINT64_FORMAT
                    " rows of family %d",
                    path, c2h_shard_rows(r), c2h_shard_family(r), a->path, info->rows, info->family);
        ok = FALSE;
    }
    if (ok && (verify || dump)) {
        guint step = c2h_shard_chunk_rows(r);
        c2h_flow *buf = g_new0(c2h_flow, step);
        GString *out = g_string_sized_new(1 << 16);
        gint64 tmin = G_MAXINT64, tmax = G_MININT64;
        for (guint64 row = 0; ok && row < info->rows; row += step) {
            gsize n = (gsize)MIN((guint64)step, info->rows - row);
            ok = c2h_shard_read(r, row, n, C2H_COLS_ALL, buf, err);
            for (gsize k = 0; ok && k < n; k++) {
                tmin = MIN(tmin, buf[k].start_ms);
                tmax = MAX(tmax, buf[k].start_ms);
                if (dump)
                    c2h_nfcsv_append_flow(out, &buf[k]);
            }
            if (dump) {
                fwrite(out->str, 1, out->len, stdout);
                g_string_truncate(out, 0);
            }
        }
        if (ok && info->rows > 0 && (tmin != info->t_min_ms || tmax != info->t_max_ms)) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: dataset /flows/start_ms: time range differs from the index",
                        path);
            ok = FALSE;
        }
        g_string_free(out, TRUE);
        g_free(buf);
    }
    c2h_shard_close(r);
    return ok;
}

int c2h_cmd_inspect(int argc, char **argv, const c2h_comm *comm)
{
    gboolean shards = FALSE, verify = FALSE, dump = FALSE;
    char **rest = NULL;
    GOptionEntry entries[] = {
        {"shards", 's', 0, G_OPTION_ARG_NONE, &shards, "List every shard", NULL},
        {"verify", 0, 0, G_OPTION_ARG_NONE, &verify, "Read and decompress every chunk of every shard", NULL},
        {"dump", 0, 0, G_OPTION_ARG_NONE, &dump, "Print every flow as nfdump 1.7 csv (UTC) to standard output", NULL},
        {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, "ARCHIVE"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("ARCHIVE - describe and check an archive");
    g_option_context_set_summary(ctx, "Prints the schema version, shards, rows, time span, address families and\n"
                                      "compression of ARCHIVE. Every shard is opened and checked against the index;\n"
                                      "--verify also decompresses every chunk (and checks its size); an archive of\n"
                                      "no flows fails --verify (exit 2).");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *err = NULL;
    int rc = 0;
    c2h_archive *a = NULL;
    g_autofree char *producer = NULL, *created = NULL; /* before the first goto out */
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        rc = 1;
        goto out;
    }
    if (rest == NULL || rest[0] == NULL || rest[1] != NULL) {
        g_set_error(&err, C2H_ERROR, C2H_ERROR_INPUT, "give exactly one ARCHIVE (see --help)");
        rc = 1;
        goto out;
    }
    if (comm->rank != 0)
        goto out; /* one rank is enough to describe an archive */
    if (!c2h_h5_init(&err) || (a = c2h_archive_open(rest[0], &err)) == NULL) {
        rc = 2;
        goto out;
    }
    if (dump) {
        GString *h = g_string_new(NULL);
        c2h_nfcsv_append_header(h);
        fwrite(h->str, 1, h->len, stdout);
        g_string_free(h, TRUE);
    }
    guint64 rows4 = 0, rows6 = 0;
    guint n4 = 0, n6 = 0;
    for (guint i = 0; i < a->shards->len; i++) {
        const c2h_shard_info *s = &g_array_index(a->shards, c2h_shard_info, i);
        if (!check_shard(a, i, verify, dump, &err)) {
            rc = 2;
            goto out;
        }
        if (s->family == C2H_FAMILY_V4)
            n4++, rows4 += s->rows;
        else
            n6++, rows6 += s->rows;
    }
    /* An archive of no flows is described, but it does not pass --verify: an ingest of empty
     * input (a collector down, a wrong path) must not look like a good archive to a pipeline. */
    if (verify && !c2h_archive_require_flows(a, &err)) {
        rc = 2;
        goto out;
    }
    FILE *o = dump ? stderr : stdout;
    char t0[32], t1[32];
    fprintf(o, "archive      %s\n", a->path);
    fprintf(o, "schema       %d\n", a->schema);
    producer = g_key_file_get_string(a->meta, "archive", "producer", NULL);
    created = g_key_file_get_string(a->meta, "archive", "created", NULL);
    fprintf(o, "producer     %s, %s\n", producer ? producer : "?", created ? created : "?");
    fprintf(o, "shards       %u (IPv4 %u, IPv6 %u)\n", a->shards->len, n4, n6);
    fprintf(o, "rows         %" G_GUINT64_FORMAT " (IPv4 %" G_GUINT64_FORMAT ", IPv6 %" G_GUINT64_FORMAT ")\n", a->rows,
            rows4, rows6);
    if (a->rows > 0)
        fprintf(o, "time span    %s .. %s (flow starts)\n", c2h_time_format_iso(a->t_min_ms, t0),
                c2h_time_format_iso(a->t_max_ms, t1));
    else
        fprintf(o, "time span    none (no flows)\n");
    fprintf(o, "stored       %" G_GUINT64_FORMAT " bytes (%.2f bytes/flow)\n", a->stored_bytes,
            a->rows ? (double)a->stored_bytes / (double)a->rows : 0.0);
    fprintf(o, "raw columns  %" G_GUINT64_FORMAT " bytes\n", a->raw_bytes);
    fprintf(o, "compression  %.2fx\n", a->stored_bytes ? (double)a->raw_bytes / (double)a->stored_bytes : 0.0);
    fprintf(o, "checked      %s\n", verify || dump ? "every chunk decompressed" : "shard headers against the index");
    if (shards) {
        fprintf(o, "\n%-40s %6s %12s %-24s %-24s %12s\n", "shard", "family", "rows", "first start", "last start",
                "stored");
        for (guint i = 0; i < a->shards->len; i++) {
            const c2h_shard_info *s = &g_array_index(a->shards, c2h_shard_info, i);
            fprintf(o, "%-40s %6d %12" G_GUINT64_FORMAT " %-24s %-24s %12" G_GUINT64_FORMAT "\n", s->file, s->family,
                    s->rows, c2h_time_format_iso(s->t_min_ms, t0), c2h_time_format_iso(s->t_max_ms, t1),
                    s->stored_bytes);
        }
    }
out:
    if (err != NULL) {
        c2h_report_error(comm, "inspect", err);
        g_error_free(err);
    }
    c2h_archive_free(a);
    g_strfreev(rest);
    g_option_context_free(ctx);
    return rc;
}
