/* cmd_ingest.c: `c2hunt ingest`: flows in nfcapd, nfdump CSV, IPFIX or Argus binetflow form into an archive.
 * Under mpirun the ranks split the input files (largest first, to the least loaded rank),
 * each writes its own shards into one staging folder, and rank 0 commits the archive
 * when every rank has finished cleanly. */
#include "io/archive.h"
#include "io/flowsrc.h"
#include "mpi/cmds.h"
#include "partition/owner.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#define BATCH 8192
#define SHOW_BAD 10

typedef struct ingest_opts {
    char *format;
    char *out;
    char *tz;
    char *nfdump;
    gint max_bad;
    gint shard_mb;
    gint chunk_rows;
    gint zstd_level;
    gboolean force;
    gboolean quiet;
    char **inputs;
} ingest_opts;

typedef struct bad_state {
    guint64 count;
    guint64 max;
    int rank;
} bad_state;

static gboolean on_bad_row(void *ud, const char *file, guint64 line, const char *reason)
{
    bad_state *b = ud;
    b->count++;
    if (b->count <= SHOW_BAD)
        fprintf(stderr, "c2hunt ingest: %s:%" G_GUINT64_FORMAT ": rejected: %s\n", file, line, reason);
    else if (b->count == SHOW_BAD + 1)
        fprintf(stderr, "c2hunt ingest: (rank %d) further rejected rows are counted, not shown\n", b->rank);
    return b->count <= b->max;
}

typedef struct input {
    char *path;
    guint64 size;
} input;

static gint str_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A folder already expanded, by device and inode. */
static gboolean seen_before(GHashTable *seen, const struct stat *st)
{
    char *key = g_strdup_printf("%ju:%ju", (uintmax_t)st->st_dev, (uintmax_t)st->st_ino);
    if (g_hash_table_contains(seen, key)) {
        g_free(key);
        return TRUE;
    }
    g_hash_table_add(seen, key);
    return FALSE;
}

/* Expand the user's inputs into files: for nfcapd, a folder stands for the nfcapd files
 * in it (recursively, sorted, hidden files and nfcapd.current.* left out). A folder is
 * expanded once (seen: device:inode), so a symbolic link back up the tree ends the walk
 * instead of looping. */
static gboolean expand_inputs(char **inputs, const char *format, GArray *out, GHashTable *seen, GError **err)
{
    for (char **p = inputs; *p; p++) {
        struct stat st;
        if (strcmp(*p, "-") == 0) {
            input in = {g_strdup(*p), 0};
            g_array_append_val(out, in);
            continue;
        }
        if (stat(*p, &st) != 0) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: cannot read input: %s", *p, g_strerror(errno));
            return FALSE;
        }
        if (S_ISDIR(st.st_mode)) {
            if (strcmp(format, "nfcapd") != 0) {
                g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: is a folder; --format %s takes files", *p, format);
                return FALSE;
            }
            if (seen_before(seen, &st))
                continue;
            GDir *d = g_dir_open(*p, 0, err);
            if (d == NULL)
                return FALSE;
            GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
            const char *n;
            while ((n = g_dir_read_name(d)) != NULL)
                if (n[0] != '.' && !g_str_has_prefix(n, "nfcapd.current"))
                    g_ptr_array_add(names, g_build_filename(*p, n, NULL));
            g_dir_close(d);
            g_ptr_array_sort(names, str_cmp);
            g_ptr_array_add(names, NULL);
            gboolean ok = expand_inputs((char **)names->pdata, format, out, seen, err);
            g_ptr_array_free(names, TRUE);
            if (!ok)
                return FALSE;
            continue;
        }
        input in = {g_strdup(*p), (guint64)st.st_size};
        g_array_append_val(out, in);
    }
    return TRUE;
}

/* @return this rank's inputs (balanced by size, see c2h_assign_balanced), in input order. */
static GPtrArray *my_inputs(GArray *all, const c2h_comm *comm)
{
    guint64 *sizes = g_new0(guint64, all->len + 1);
    for (guint i = 0; i < all->len; i++)
        sizes[i] = g_array_index(all, input, i).size;
    int *owner = c2h_assign_balanced(sizes, all->len, comm->size);
    GPtrArray *mine = g_ptr_array_new();
    for (guint i = 0; i < all->len; i++)
        if (owner[i] == comm->rank)
            g_ptr_array_add(mine, g_array_index(all, input, i).path);
    g_free(owner);
    g_free(sizes);
    return mine;
}

static gboolean ingest_inputs(GPtrArray *mine, const ingest_opts *o, c2h_archive_writer *w, bad_state *bad,
                              guint64 *rows, guint64 *skipped, guint64 *in_bytes, GError **err)
{
    c2h_flowsrc_opts so = {.tz = o->tz, .bad_row = on_bad_row, .bad_row_ud = bad, .nfdump_path = o->nfdump};
    c2h_flow *batch = g_new(c2h_flow, BATCH);
    gboolean ok = TRUE;
    for (guint i = 0; ok && i < mine->len; i++) {
        c2h_flowsrc *src = c2h_flowsrc_open(o->format, mine->pdata[i], &so, err);
        if (src == NULL) {
            ok = FALSE;
            break;
        }
        gssize n;
        while ((n = c2h_flowsrc_next(src, batch, BATCH, err)) > 0)
            if (!c2h_archive_writer_append(w, batch, (gsize)n, err)) {
                n = -1;
                break;
            }
        ok = n == 0;
        *rows += src->rows;
        *skipped += src->skipped_rows;
        *in_bytes += src->input_bytes;
        c2h_flowsrc_close(src);
    }
    g_free(batch);
    return ok;
}

int c2h_cmd_ingest(int argc, char **argv, const c2h_comm *comm)
{
    ingest_opts o = {.max_bad = 10, .shard_mb = C2H_DEFAULT_SHARD_MB, .chunk_rows = C2H_DEFAULT_CHUNK_ROWS,
                     .zstd_level = C2H_DEFAULT_ZSTD_LEVEL};
    GOptionEntry entries[] = {
        {"format", 'f', 0, G_OPTION_ARG_STRING, &o.format, "Input format: nfcapd, nfdump-csv, ipfix or binetflow", "FORMAT"},
        {"out", 'o', 0, G_OPTION_ARG_FILENAME, &o.out, "The archive folder to create", "ARCHIVE"},
        {"tz", 0, 0, G_OPTION_ARG_STRING, &o.tz,
         "Time zone of the times in nfdump CSV and binetflow (both print local time with no offset; default UTC). "
         "An IANA name such as Europe/Prague (CTU-13's binetflow times are Prague time)", "ZONE"},
        {"max-bad", 0, 0, G_OPTION_ARG_INT, &o.max_bad, "Rejected rows tolerated before ingest fails (default 10)", "N"},
        {"shard-mb", 0, 0, G_OPTION_ARG_INT, &o.shard_mb, "Target shard size before compression, MiB (default 64)", "MB"},
        {"chunk-rows", 0, 0, G_OPTION_ARG_INT, &o.chunk_rows, "Rows per HDF5 chunk (default 65536)", "N"},
        {"zstd-level", 0, 0, G_OPTION_ARG_INT, &o.zstd_level, "zstd level, 1..19 (default 3)", "L"},
        {"nfdump", 0, 0, G_OPTION_ARG_FILENAME, &o.nfdump, "The nfdump program for --format nfcapd (default: nfdump on PATH)", "PATH"},
        {"force", 0, 0, G_OPTION_ARG_NONE, &o.force, "Replace ARCHIVE if it exists", NULL},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, "No summary", NULL},
        {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.inputs, NULL, "INPUT..."},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("INPUT... - turn flows into an archive of HDF5 shards");
    g_option_context_set_summary(ctx,
        "INPUT is an nfcapd file or a folder of them (--format nfcapd, read through nfdump),\n"
        "or a file of nfdump 1.7 '-o csv' output (--format nfdump-csv; '-' reads standard input),\n"
        "or an IPFIX file (--format ipfix: RFC 7011 messages one after another, RFC 5655),\n"
        "or Argus bidirectional NetFlow CSV as in CTU-13 (--format binetflow; non-IP rows such as\n"
        "arp are skipped and counted). ipfix and binetflow input may be gzip-compressed;\n"
        "'-' reads standard input for every format but nfcapd.\n"
        "Under mpirun the ranks split the input files. The archive appears only when complete.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *err = NULL;
    int rc = 0;
    GArray *inputs = g_array_new(FALSE, TRUE, sizeof(input));
    char *stage = NULL;
    g_autofree char *tag = NULL; /* before the first goto out: out frees it */
    c2h_archive_writer *w = NULL;
    GPtrArray *mine = NULL;

    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        rc = 1;
        goto out;
    }
    if (o.format == NULL || o.out == NULL || o.inputs == NULL) {
        g_set_error(&err, C2H_ERROR, C2H_ERROR_INPUT, "--format, --out and at least one INPUT are required (see --help)");
        rc = 1;
        goto out;
    }
    if (o.max_bad < 0 || o.shard_mb <= 0 || o.chunk_rows <= 0 || o.zstd_level < 1 || o.zstd_level > 19) {
        g_set_error(&err, C2H_ERROR, C2H_ERROR_INPUT, "--max-bad, --shard-mb, --chunk-rows or --zstd-level out of range");
        rc = 1;
        goto out;
    }
    if (g_strv_contains((const char *const *)c2h_flowsrc_formats, o.format) == FALSE) {
        g_autofree char *known = g_strjoinv(", ", (char **)c2h_flowsrc_formats);
        g_set_error(&err, C2H_ERROR, C2H_ERROR_INPUT, "unknown input format '%s' (known: %s)", o.format, known);
        rc = 2;
        goto out;
    }
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    gboolean expanded = c2h_h5_init(&err) && expand_inputs(o.inputs, o.format, inputs, seen, &err);
    g_hash_table_destroy(seen);
    if (!expanded) {
        rc = 2;
        goto out;
    }
    for (guint i = 0; i < inputs->len; i++)
        if (strcmp(g_array_index(inputs, input, i).path, "-") == 0 && comm->size > 1) {
            g_set_error(&err, C2H_ERROR, C2H_ERROR_INPUT, "standard input ('-') can only be read by one rank");
            rc = 1;
            goto out;
        }

    gint64 t0 = g_get_monotonic_time();
    if (comm->rank == 0)
        stage = c2h_archive_stage(o.out, o.force, &err);
    if (!c2h_comm_agree(comm, comm->rank != 0 || stage != NULL)) {
        rc = 2;
        goto out;
    }
    c2h_comm_bcast_str(comm, &stage);
    /* Every rank removes the staging folder if the job is ended by a signal: mpirun sends
     * SIGTERM to the others when one rank dies, and rank 0 may be the one that died. */
    c2h_cleanup_on_signal(stage);

    tag = g_strdup_printf("r%03d", comm->rank);
    c2h_archive_writer_opts wo = {.chunk_rows = (guint)o.chunk_rows, .zstd_level = o.zstd_level,
                                  .shard_bytes = (guint64)o.shard_mb << 20, .tag = tag};
    w = c2h_archive_writer_create(stage, &wo, &err);
    bad_state bad = {.max = (guint64)o.max_bad, .rank = comm->rank};
    guint64 rows = 0, skipped = 0, in_bytes = 0;
    mine = my_inputs(inputs, comm);
    gboolean ok = w != NULL && ingest_inputs(mine, &o, w, &bad, &rows, &skipped, &in_bytes, &err);
    guint64 total_bad = c2h_comm_sum_u64(comm, bad.count);
    if (ok && total_bad > (guint64)o.max_bad) {
        g_set_error(&err, C2H_ERROR, C2H_ERROR_INPUT, "%" G_GUINT64_FORMAT " rows rejected, more than --max-bad %d",
                    total_bad, o.max_bad);
        ok = FALSE;
    }
    if (ok) {
        ok = c2h_archive_writer_finish(w, &err);
        w = NULL;
    }
    if (!ok && err != NULL)
        fprintf(stderr, "c2hunt ingest: error: %s\n", err->message); /* every rank says what it saw */
    g_clear_error(&err);
    if (!ok) {
        c2h_archive_writer_free(w); /* deletes this rank's shards before rank 0 removes the staging folder */
        w = NULL;
    }
    if (!c2h_comm_agree(comm, ok)) {
        if (comm->rank == 0)
            fprintf(stderr, "c2hunt ingest: failed; no archive written\n");
        rc = 2;
        goto out;
    }
    guint64 all_rows = c2h_comm_sum_u64(comm, rows);
    guint64 all_in = c2h_comm_sum_u64(comm, in_bytes);
    guint64 all_skipped = c2h_comm_sum_u64(comm, skipped);
    if (comm->rank == 0) {
        GHashTable *extra = g_hash_table_new(g_str_hash, g_str_equal);
        g_hash_table_insert(extra, "producer", "c2hunt ingest");
        g_hash_table_insert(extra, "input_format", o.format);
        ok = c2h_archive_commit(stage, o.out, o.force, &wo, extra, &err);
        g_hash_table_destroy(extra);
    }
    if (!c2h_comm_agree(comm, ok)) {
        rc = 2;
        goto out;
    }
    c2h_cleanup_forget(stage);
    g_clear_pointer(&stage, g_free);
    if (comm->rank == 0 && !o.quiet) {
        c2h_archive *a = c2h_archive_open(o.out, &err);
        if (a == NULL) {
            rc = 2;
            goto out;
        }
        double secs = (double)(g_get_monotonic_time() - t0) / 1e6;
        fprintf(stderr,
                "c2hunt ingest: %" G_GUINT64_FORMAT " rows, %" G_GUINT64_FORMAT " rejected, %" G_GUINT64_FORMAT
                " skipped (not IP), %u shards, %d ranks\n"
                "  input   %" G_GUINT64_FORMAT " bytes\n"
                "  archive %" G_GUINT64_FORMAT " bytes (%.1f bytes/flow; input/archive %.2f, raw columns/archive %.2f)\n"
                "  time    %.2f s, %.0f rows/s\n"
                "  -> %s\n",
                all_rows, total_bad, all_skipped, a->shards->len, comm->size, all_in, a->stored_bytes,
                all_rows ? (double)a->stored_bytes / (double)all_rows : 0.0,
                a->stored_bytes ? (double)all_in / (double)a->stored_bytes : 0.0,
                a->stored_bytes ? (double)a->raw_bytes / (double)a->stored_bytes : 0.0, secs,
                secs > 0 ? (double)all_rows / secs : 0.0, o.out);
        c2h_archive_free(a);
    }
out:
    if (err != NULL) {
        c2h_report_error(comm, "ingest", err);
        g_error_free(err);
    }
    c2h_archive_writer_free(w);
    if (stage != NULL && comm->rank == 0)
        c2h_archive_unstage(stage);
    c2h_cleanup_forget(stage);
    g_free(stage);
    if (mine)
        g_ptr_array_free(mine, TRUE);
    for (guint i = 0; i < inputs->len; i++)
        g_free(g_array_index(inputs, input, i).path);
    g_array_free(inputs, TRUE);
    g_option_context_free(ctx);
    g_free(o.format);
    g_free(o.out);
    g_free(o.tz);
    g_free(o.nfdump);
    g_strfreev(o.inputs);
    return rc;
}
