/* cmd_diff.c: `c2hunt diff OLD NEW`: what appeared, went away or changed role between two
 * runs (each a `run` output folder or its roles.csv), for periodic retrospectives.
 *
 * Text (default): one line per change, sorted by change (appeared, changed, gone) and then
 * by address (numeric, IPv4 before IPv6), then a summary line:
 *     appeared  10.1.2.3         victim 0.5000
 *     changed   85.55.186.232    c2_predicted 0.5000 -> c2 1.0000
 *     gone      1.2.3.4          victim 0.7500
 *     summary: 1 appeared, 1 changed role, 1 gone, 70 unchanged; old 72 hosts, new 72 hosts
 * --csv: `ip,change,old_role,new_role,old_score,new_score` in the same order, empty fields
 * for the side a host is missing from. A host whose role stayed and whose score moved is
 * unchanged. Scores are printed as roles.csv has them. docs/OUTPUTS.md, section c2hunt diff. */
#include "detect/detect.h"
#include "io/flowsrc.h"
#include "mpi/cmds.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct diff_row {
    c2h_addr addr;
    int role;        /* c2h_role */
    char score[24];  /* as written in roles.csv */
    guint line;
} diff_row;

typedef enum { CH_APPEARED, CH_CHANGED, CH_GONE } change_kind;
static const char *const change_names[] = {"appeared", "changed", "gone"};

typedef struct change {
    change_kind kind;
    const diff_row *old, *new_; /* NULL for the missing side */
} change;

static int row_cmp(const void *a, const void *b)
{
    return c2h_addr_cmp(&((const diff_row *)a)->addr, &((const diff_row *)b)->addr);
}

static int role_of(const char *name)
{
    for (int r = C2H_ROLE_BACKEND; r <= C2H_ROLE_VICTIM; r++)
        if (strcmp(c2h_role_name(r), name) == 0)
            return r;
    return C2H_ROLE_NONE;
}

/* A field of the file for a message: control characters (a terminal's escape sequences
 * among them) shown as '?'. Caller frees. */
static char *shown(const char *field)
{
    char *c = g_strdup(field);
    for (char *p = c; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return c;
}

/* The roles.csv of arg (a folder holding one, or the file itself). @return a new path. */
static char *roles_path(const char *arg)
{
    if (g_file_test(arg, G_FILE_TEST_IS_DIR))
        return g_build_filename(arg, "roles.csv", NULL);
    return g_strdup(arg);
}

/* Read a roles.csv. @return its rows sorted by address (caller frees), or NULL with err
 * naming the file and the line. */
static GArray *roles_load(const char *path, GError **err)
{
    g_autofree char *text = NULL;
    gsize len = 0;
    GError *e = NULL;
    if (!g_file_get_contents(path, &text, &len, &e)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s", e->message);
        g_error_free(e);
        return NULL;
    }
    if (memchr(text, '\0', len) != NULL) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: not a text file (NUL byte)", path);
        return NULL;
    }
    GArray *rows = g_array_new(FALSE, FALSE, sizeof(diff_row));
    guint lineno = 0;
    gboolean ok = TRUE;
    for (char *line = text; ok && line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        size_t n = strlen(line);
        if (n && line[n - 1] == '\r')
            line[n - 1] = '\0';
        char *cur = line;
        line = nl ? nl + 1 : NULL;
        char **f = g_strsplit(cur, ",", 4);
        guint nf = g_strv_length(f);
        if (lineno == 1) {
            if (nf < 3 || strcmp(f[0], "ip") != 0 || strcmp(f[1], "role") != 0 || strcmp(f[2], "score") != 0) {
                g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,
                            "%s:1: not a roles.csv (the header must start with ip,role,score)", path);
                ok = FALSE;
            }
            g_strfreev(f);
            continue;
        }
        diff_row r = {.line = lineno};
        char *end = NULL;
        double score = nf >= 3 ? g_ascii_strtod(f[2], &end) : NAN;
        if (nf < 3) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%u: %u fields, a roles.csv row has at least ip,role,score",
                        path, lineno, nf);
            ok = FALSE;
        } else if (!c2h_addr_parse(f[0], strlen(f[0]), &r.addr)) {
            g_autofree char *v = shown(f[0]);
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%u: '%s' is not an IPv4 or IPv6 address", path, lineno, v);
            ok = FALSE;
        } else if ((r.role = role_of(f[1])) == C2H_ROLE_NONE) {
            g_autofree char *v = shown(f[1]);
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%u: unknown role '%s'", path, lineno, v);
            ok = FALSE;
        } else if (!g_ascii_isdigit(f[2][0]) || *end != '\0' || !(score >= 0 && score <= 1) ||
                   strlen(f[2]) >= sizeof r.score) {
            /* A digit first: strtod skips leading white space, which the output would copy. */
            g_autofree char *v = shown(f[2]);
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%u: score '%s' is not a number from 0 to 1", path, lineno,
                        v);
            ok = FALSE;
        } else {
            g_strlcpy(r.score, f[2], sizeof r.score);
            g_array_append_val(rows, r);
        }
        g_strfreev(f);
    }
    if (ok && lineno == 0) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:1: empty, not a roles.csv", path);
        ok = FALSE;
    }
    if (ok) {
        g_array_sort(rows, row_cmp);
        for (guint i = 1; ok && i < rows->len; i++) {
            const diff_row *a = &g_array_index(rows, diff_row, i - 1), *b = &g_array_index(rows, diff_row, i);
            if (row_cmp(a, b) == 0) {
                char ip[C2H_ADDR_STRLEN];
                g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%u: %s is already on line %u", path,
                            MAX(a->line, b->line), c2h_addr_format(&a->addr, ip), MIN(a->line, b->line));
                ok = FALSE;
            }
        }
    }
    if (!ok) {
        g_array_free(rows, TRUE);
        return NULL;
    }
    return rows;
}

/* The changes from old to new (both sorted by address), sorted by kind, then address. */
static GArray *compare(const GArray *old, const GArray *new_, guint *unchanged)
{
    GArray *by_kind[3];
    for (int k = 0; k < 3; k++)
        by_kind[k] = g_array_new(FALSE, FALSE, sizeof(change));
    *unchanged = 0;
    guint i = 0, j = 0;
    while (i < old->len || j < new_->len) {
        const diff_row *o = i < old->len ? &g_array_index(old, diff_row, i) : NULL;
        const diff_row *n = j < new_->len ? &g_array_index(new_, diff_row, j) : NULL;
        int c = o == NULL ? 1 : n == NULL ? -1 : row_cmp(o, n);
        change ch = {0};
        if (c < 0) {
            ch = (change){CH_GONE, o, NULL};
            i++;
        } else if (c > 0) {
            ch = (change){CH_APPEARED, NULL, n};
            j++;
        } else {
            i++, j++;
            if (o->role == n->role) {
                (*unchanged)++;
                continue;
            }
            ch = (change){CH_CHANGED, o, n};
        }
        g_array_append_val(by_kind[ch.kind], ch);
    }
    GArray *out = by_kind[0];
    g_array_append_vals(out, by_kind[1]->data, by_kind[1]->len);
    g_array_append_vals(out, by_kind[2]->data, by_kind[2]->len);
    g_array_free(by_kind[1], TRUE);
    g_array_free(by_kind[2], TRUE);
    return out;
}

static void print_text(GString *s, const GArray *changes, guint unchanged, guint n_old, guint n_new)
{
    guint counts[3] = {0};
    char ip[C2H_ADDR_STRLEN];
    for (guint i = 0; i < changes->len; i++) {
        const change *c = &g_array_index(changes, change, i);
        const diff_row *any = c->new_ ? c->new_ : c->old;
        counts[c->kind]++;
        g_string_append_printf(s, "%-9s %-16s ", change_names[c->kind], c2h_addr_format(&any->addr, ip));
        if (c->old)
            g_string_append_printf(s, "%s %s", c2h_role_name(c->old->role), c->old->score);
        if (c->old && c->new_)
            g_string_append(s, " -> ");
        if (c->new_)
            g_string_append_printf(s, "%s %s", c2h_role_name(c->new_->role), c->new_->score);
        g_string_append_c(s, '\n');
    }
    g_string_append_printf(s, "summary: %u appeared, %u changed role, %u gone, %u unchanged; old %u hosts, new %u hosts\n",
                           counts[CH_APPEARED], counts[CH_CHANGED], counts[CH_GONE], unchanged, n_old, n_new);
}

static void print_csv(GString *s, const GArray *changes)
{
    char ip[C2H_ADDR_STRLEN];
    g_string_append(s, "ip,change,old_role,new_role,old_score,new_score\n");
    for (guint i = 0; i < changes->len; i++) {
        const change *c = &g_array_index(changes, change, i);
        const diff_row *any = c->new_ ? c->new_ : c->old;
        g_string_append_printf(s, "%s,%s,%s,%s,%s,%s\n", c2h_addr_format(&any->addr, ip), change_names[c->kind],
                               c->old ? c2h_role_name(c->old->role) : "", c->new_ ? c2h_role_name(c->new_->role) : "",
                               c->old ? c->old->score : "", c->new_ ? c->new_->score : "");
    }
}

int c2h_cmd_diff(int argc, char **argv, const c2h_comm *comm)
{
    gboolean csv = FALSE;
    char **rest = NULL;
    GOptionEntry entries[] = {
        {"csv", 0, 0, G_OPTION_ARG_NONE, &csv, "Print ip,change,old_role,new_role,old_score,new_score rows", NULL},
        {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, "OLD NEW"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("- what changed between two runs");
    g_option_context_set_summary(ctx,
        "OLD and NEW are output folders of `c2hunt run` or their roles.csv files. Prints the hosts\n"
        "that appeared, changed role or went away, sorted by change and address, and a summary\n"
        "line; --csv prints the same as CSV. Exit 0 whatever the differences.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *err = NULL;
    int rc = 0;
    GArray *old = NULL, *new_ = NULL, *changes = NULL;
    char *p_old = NULL, *p_new = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        rc = 1;
        goto out;
    }
    if (rest == NULL || rest[0] == NULL || rest[1] == NULL || rest[2] != NULL) {
        g_set_error(&err, C2H_ERROR, C2H_ERROR_INPUT, "give OLD and NEW (see --help)");
        rc = 1;
        goto out;
    }
    if (comm->rank != 0)
        goto out; /* one rank is enough */
    p_old = roles_path(rest[0]);
    p_new = roles_path(rest[1]);
    if ((old = roles_load(p_old, &err)) == NULL || (new_ = roles_load(p_new, &err)) == NULL) {
        rc = 2;
        goto out;
    }
    guint unchanged = 0;
    changes = compare(old, new_, &unchanged);
    GString *s = g_string_new(NULL);
    if (csv)
        print_csv(s, changes);
    else
        print_text(s, changes, unchanged, old->len, new_->len);
    if (fwrite(s->str, 1, s->len, stdout) != s->len || fflush(stdout) != 0) {
        g_set_error(&err, C2H_ERROR, C2H_ERROR_IO, "standard output: cannot write");
        rc = 2;
    }
    g_string_free(s, TRUE);
out:
    if (err != NULL) {
        c2h_report_error(comm, "diff", err);
        g_error_free(err);
    }
    if (changes) g_array_free(changes, TRUE);
    if (old) g_array_free(old, TRUE);
    if (new_) g_array_free(new_, TRUE);
    g_free(p_old);
    g_free(p_new);
    g_strfreev(rest);
    g_option_context_free(ctx);
    return rc;
}
