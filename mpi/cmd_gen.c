/* cmd_gen.c: `c2hunt gen`: a synthetic archive with a planted botnet (gen/gen.h), its truth.csv
 * and seeds.txt, and optionally the same flows as nfdump 1.7 CSV.
 *
 * Every rank plans the same scenario from the seed, then generates a contiguous block of the
 * span's hours. Each hour goes through its own archive writer, tagged by the hour, so shard
 * names and contents do not depend on the number of ranks. Rank 0 writes the truth and seeds
 * into the staging folder and commits the archive when every rank has finished cleanly; with
 * --csv each rank writes its part and rank 0 joins the parts in time order. */
#include "gen/gen.h"
#include "io/archive.h"
#include "io/flowsrc.h"
#include "io/nfcsv.h"
#include "mpi/cmds.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define CSV_FLUSH (4u << 20)
#define UNSET G_MININT /* --flows, --days not given: the preset's */

typedef struct gen_opts {
    char *preset;
    gint64 flows;
    gint days;
    char *seed;
    char *start;
    char *out;
    char *csv;
    gboolean force;
    gboolean quiet;
    gboolean help;
} gen_opts;

/* A rank's part of the CSV: inside the staging folder (made by mkdtemp, so no name there
 * can have been planted), removed with it on failure. */
static char *csv_part_path(const char *stage, int rank)
{
    g_autofree char *name = g_strdup_printf("csv-rank-%04d.part", rank);
    return g_build_filename(stage, name, NULL);
}

static gboolean write_all(FILE *f, const char *path, const char *buf, gsize len, GError **err)
{
    if (len > 0 && fwrite(buf, 1, len, f) != len) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot write: %s", path, g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

static gboolean close_file(FILE *f, const char *path, GError **err)
{
    if (fclose(f) != 0) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot write: %s", path, g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

/* Generate hours [h0, h1) into the staging folder, one writer an hour, and into csv (may be NULL). */
static gboolean gen_hours(const c2h_gen_plan *plan, guint h0, guint h1, const char *stage, FILE *csv,
                          const char *csv_path, guint64 *rows, GError **err)
{
    GArray *batch = g_array_new(FALSE, FALSE, sizeof(c2h_flow));
    GString *text = g_string_sized_new(CSV_FLUSH + 4096);
    gboolean ok = TRUE;
    for (guint h = h0; ok && h < h1; h++) {
        g_array_set_size(batch, 0);
        ok = c2h_gen_hour(plan, h, batch, err);
        if (!ok)
            break;
        g_autofree char *tag = g_strdup_printf("g%04u", h);
        c2h_archive_writer_opts wo = {.tag = tag};
        c2h_archive_writer *w = c2h_archive_writer_create(stage, &wo, err);
        ok = w != NULL && c2h_archive_writer_append(w, (const c2h_flow *)(const void *)batch->data, batch->len, err);
        if (ok)
            ok = c2h_archive_writer_finish(w, err);
        else
            c2h_archive_writer_free(w);
        *rows += batch->len;
        for (guint i = 0; ok && csv != NULL && i < batch->len; i++) {
            c2h_nfcsv_append_flow(text, &g_array_index(batch, c2h_flow, i));
            if (text->len >= CSV_FLUSH) {
                ok = write_all(csv, csv_path, text->str, text->len, err);
                g_string_truncate(text, 0);
            }
        }
    }
    if (ok && csv != NULL)
        ok = write_all(csv, csv_path, text->str, text->len, err);
    g_string_free(text, TRUE);
    g_array_free(batch, TRUE);
    return ok;
}

/* Join the ranks' CSV parts (in stage), in rank order (that is, time order), under the
 * header into a temporary file made by mkstemp beside csv, then rename it to csv: a file or
 * symbolic link at csv is replaced only with force (the link itself, never its target). */
static gboolean csv_join(const char *csv, const char *stage, int nparts, gboolean force, GError **err)
{
    g_autofree char *dir = g_path_get_dirname(csv);
    g_autofree char *base = g_path_get_basename(csv);
    g_autofree char *tmp = g_strdup_printf("%s/.%s.partial-XXXXXX", dir, base);
    int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot create a temporary file in %s: %s", csv, dir,
                    g_strerror(errno));
        return FALSE;
    }
    c2h_cleanup_on_signal(tmp);
    (void)fchmod(fd, 0644); /* mkstemp makes it 0600; the CSV is as readable as the archive */
    FILE *out = fdopen(fd, "wb");
    if (out == NULL) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot write: %s", tmp, g_strerror(errno));
        close(fd);
        c2h_rmtree(tmp, NULL);
        return FALSE;
    }
    GString *head = g_string_new(NULL);
    c2h_nfcsv_append_header(head);
    gboolean ok = write_all(out, tmp, head->str, head->len, err);
    g_string_free(head, TRUE);
    char *buf = g_malloc(1u << 20);
    for (int r = 0; ok && r < nparts; r++) {
        g_autofree char *part = csv_part_path(stage, r);
        FILE *in = fopen(part, "rb");
        if (in == NULL) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot read: %s", part, g_strerror(errno));
            ok = FALSE;
            break;
        }
        size_t n;
        while (ok && (n = fread(buf, 1, 1u << 20, in)) > 0)
            ok = write_all(out, tmp, buf, n, err);
        if (ok && ferror(in)) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot read: %s", part, g_strerror(errno));
            ok = FALSE;
        }
        fclose(in);
        if (ok)
            g_unlink(part);
    }
    g_free(buf);
    ok = close_file(out, tmp, ok ? err : NULL) && ok;
    ok = ok && c2h_stage_commit(tmp, csv, force, err);
    if (!ok)
        c2h_rmtree(tmp, NULL);
    return ok;
}

static gboolean parse_opts(gen_opts *o, c2h_gen_config *cfg, GError **err)
{
    if (o->out == NULL) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "--out is required (see --help)");
        return FALSE;
    }
    c2h_gen_preset preset = C2H_GEN_SMALL;
    if (o->preset != NULL && !c2h_gen_preset_parse(o->preset, &preset)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "--preset %s: not one of small, medium, large", o->preset);
        return FALSE;
    }
    guint64 seed = 1;
    if (o->seed != NULL && !g_ascii_string_to_unsigned(o->seed, 10, 0, G_MAXUINT64, &seed, NULL)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "--seed %s: not an unsigned 64-bit number", o->seed);
        return FALSE;
    }
    c2h_gen_config_init(cfg, preset, seed);
    if (o->flows != UNSET) {
        if (o->flows < 1) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "--flows %" G_GINT64_FORMAT ": must be positive", o->flows);
            return FALSE;
        }
        cfg->flows = (guint64)o->flows;
    }
    if (o->days != UNSET) {
        if (o->days < 1) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "--days %d: must be positive", o->days);
            return FALSE;
        }
        cfg->days = (guint)o->days;
    }
    if (o->start != NULL && !c2h_time_parse_iso(o->start, &cfg->start_ms)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "--start %s: not an ISO 8601 time with Z or an offset", o->start);
        return FALSE;
    }
    return TRUE;
}

/* "60 victim, 14 c2, ..." */
static char *truth_summary(const c2h_gen_plan *plan)
{
    guint count[C2H_NROLES] = {0};
    GArray *rows = c2h_gen_truth(plan);
    for (guint i = 0; i < rows->len; i++)
        count[g_array_index(rows, c2h_gen_truth_row, i).role]++;
    g_array_free(rows, TRUE);
    GString *s = g_string_new(NULL);
    for (int r = 0; r < C2H_NROLES; r++)
        g_string_append_printf(s, "%s%u %s", r ? ", " : "", count[r], c2h_gen_role_name((c2h_gen_role)r));
    return g_string_free(s, FALSE);
}

int c2h_cmd_gen(int argc, char **argv, const c2h_comm *comm)
{
    gen_opts o = {.flows = UNSET, .days = UNSET};
    GOptionEntry entries[] = {
        {"preset", 'p', 0, G_OPTION_ARG_STRING, &o.preset,
         "small (~300k flows, 3 days), medium (~5M, 7 days) or large (~100M, 14 days); default small", "NAME"},
        {"flows", 'n', 0, G_OPTION_ARG_INT64, &o.flows, "About this many flows in all (the background takes up the slack)", "N"},
        {"days", 'd', 0, G_OPTION_ARG_INT, &o.days, "Span in days (default: the preset's)", "D"},
        {"seed", 's', 0, G_OPTION_ARG_STRING, &o.seed, "Seed of every random choice (default 1)", "S"},
        {"start", 0, 0, G_OPTION_ARG_STRING, &o.start, "Start of the span, ISO 8601 (default " C2H_GEN_DEFAULT_START ")", "TIME"},
        {"out", 'o', 0, G_OPTION_ARG_FILENAME, &o.out, "The archive folder to create", "ARCHIVE"},
        {"csv", 0, 0, G_OPTION_ARG_FILENAME, &o.csv, "Also write the flows as nfdump 1.7 CSV to FILE", "FILE"},
        {"force", 0, 0, G_OPTION_ARG_NONE, &o.force, "Replace ARCHIVE (and FILE) if they exist", NULL},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, "No summary", NULL},
        {"help", 'h', 0, G_OPTION_ARG_NONE, &o.help, "Show this help", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("- generate a synthetic archive with a planted botnet");
    g_option_context_set_summary(ctx,
        "Writes ARCHIVE with synthetic NetFlow: customer networks and the internet, a TrickBot-like botnet\n"
        "(victims beaconing to home-router C2 on 447/449/8082, controllers, proxy backends), TOR-like scanners\n"
        "and benign look-alikes; truth.csv (ip,role,t_stage,t_active,t_down), seeds.txt and customers.csv\n"
        "(cidr,customer: the customer networks, for run --customers) beside the index.\n"
        "The same seed gives the same flows whatever the number of ranks.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_help_enabled(ctx, FALSE); /* GLib's --help exits, which MPI does not forgive */
    GError *err = NULL;
    int rc = 0;
    c2h_gen_config cfg;
    c2h_gen_plan *plan = NULL;
    char *stage = NULL;
    g_autofree char *part = NULL;
    FILE *csv = NULL;

    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        rc = 1;
        goto out;
    }
    if (o.help) {
        if (comm->rank == 0) {
            g_autofree char *help = g_option_context_get_help(ctx, TRUE, NULL);
            fputs(help, stdout);
        }
        goto out;
    }
    if (argc > 1) {
        g_set_error(&err, C2H_ERROR, C2H_ERROR_INPUT, "unexpected argument '%s' (see --help)", argv[1]);
        rc = 1;
        goto out;
    }
    if (!parse_opts(&o, &cfg, &err) || (plan = c2h_gen_plan_new(&cfg, &err)) == NULL) {
        rc = 1;
        goto out;
    }
    if (!c2h_h5_init(&err)) {
        rc = 2;
        goto out;
    }

    gint64 t0 = g_get_monotonic_time();
    if (comm->rank == 0) {
        struct stat st;
        if (o.csv != NULL && !o.force && lstat(o.csv, &st) == 0)
            g_set_error(&err, C2H_ERROR, C2H_ERROR_INPUT, "%s: already exists%s (use --force to replace it)", o.csv,
                        S_ISLNK(st.st_mode) ? " as a symbolic link; c2hunt does not write through it" : "");
        else
            stage = c2h_archive_stage(o.out, o.force, &err);
    }
    if (!c2h_comm_agree(comm, comm->rank != 0 || stage != NULL)) {
        rc = 2;
        goto out;
    }
    c2h_comm_bcast_str(comm, &stage);
    c2h_cleanup_on_signal(stage); /* every rank: see cmd_ingest.c */

    guint h0, h1;
    guint64 rows = 0;
    c2h_gen_hours_of_rank(c2h_gen_plan_hours(plan), comm->rank, comm->size, &h0, &h1);
    gboolean ok = TRUE;
    if (o.csv != NULL) {
        part = csv_part_path(stage, comm->rank);
        csv = fopen(part, "wb");
        if (csv == NULL) {
            g_set_error(&err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot create: %s", part, g_strerror(errno));
            ok = FALSE;
        }
    }
    ok = ok && gen_hours(plan, h0, h1, stage, csv, part, &rows, &err);
    if (csv != NULL) {
        ok = close_file(csv, part, ok ? &err : NULL) && ok;
        csv = NULL;
    }
    if (!ok && err != NULL)
        fprintf(stderr, "c2hunt gen: error (rank %d): %s\n", comm->rank, err->message); /* every rank says what it saw */
    g_clear_error(&err);
    if (!c2h_comm_agree(comm, ok)) {
        if (comm->rank == 0)
            fprintf(stderr, "c2hunt gen: failed; no archive written\n");
        rc = 2;
        goto out;
    }

    if (comm->rank == 0) {
        ok = c2h_gen_write_truth(plan, stage, &err) && (o.csv == NULL || csv_join(o.csv, stage, comm->size, o.force, &err));
        if (ok) {
            g_autofree char *seed = g_strdup_printf("%" G_GUINT64_FORMAT, cfg.seed);
            g_autofree char *days = g_strdup_printf("%u", cfg.days);
            char start[32];
            GHashTable *extra = g_hash_table_new(g_str_hash, g_str_equal);
            g_hash_table_insert(extra, "producer", "c2hunt gen");
            g_hash_table_insert(extra, "gen_preset", (char *)c2h_gen_preset_name(cfg.preset));
            g_hash_table_insert(extra, "gen_seed", seed);
            g_hash_table_insert(extra, "gen_days", days);
            g_hash_table_insert(extra, "gen_start", c2h_time_format_iso(cfg.start_ms, start));
            ok = c2h_archive_commit(stage, o.out, o.force, NULL, extra, &err);
            g_hash_table_destroy(extra);
            if (!ok && o.csv != NULL)
                g_unlink(o.csv); /* no CSV without its archive */
        }
    }
    if (!c2h_comm_agree(comm, ok)) {
        rc = 2;
        goto out;
    }
    c2h_cleanup_forget(stage);
    g_clear_pointer(&stage, g_free);
    guint64 all_rows = c2h_comm_sum_u64(comm, rows);
    double secs = c2h_comm_max_f64(comm, (double)(g_get_monotonic_time() - t0) / 1e6);
    if (comm->rank == 0 && !o.quiet) {
        c2h_archive *a = c2h_archive_open(o.out, &err);
        if (a == NULL) {
            rc = 2;
            goto out;
        }
        g_autofree char *roles = truth_summary(plan);
        fprintf(stderr,
                "c2hunt gen: preset %s, seed %" G_GUINT64_FORMAT ", %u days, %d ranks; truth: %s\n"
                "c2hunt gen: %" G_GUINT64_FORMAT " flows, %u shards, %" G_GUINT64_FORMAT " bytes, %.2f s, %.0f flows/s -> %s\n",
                c2h_gen_preset_name(cfg.preset), cfg.seed, cfg.days, comm->size, roles, all_rows, a->shards->len,
                a->stored_bytes, secs, secs > 0 ? (double)all_rows / secs : 0.0, o.out);
        c2h_archive_free(a);
    }
out:
    if (err != NULL) {
        c2h_report_error(comm, "gen", err);
        g_error_free(err);
    }
    if (rc != 0 && part != NULL)
        g_unlink(part); /* before rank 0 removes the staging folder it is in */
    if (stage != NULL && comm->rank == 0)
        c2h_archive_unstage(stage);
    c2h_cleanup_forget(stage);
    g_free(stage);
    c2h_gen_plan_free(plan);
    g_option_context_free(ctx);
    g_free(o.preset);
    g_free(o.seed);
    g_free(o.start);
    g_free(o.out);
    g_free(o.csv);
    return rc;
}
