/* archive.c: the archive folder: staging, the shard router, the index. See archive.h. */
#include "io/archive.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define MS_PER_HOUR 3600000LL
#define INDEX_HEADER "file\tfamily\trows\tt_min_ms\tt_max_ms\tstored_bytes\traw_bytes"

/* ---- removal ---------------------------------------------------------------------- */

/* Remove name in the folder dirfd (a file, a symbolic link or a folder tree) without
 * following a symbolic link anywhere: a folder is opened with O_NOFOLLOW relative to its
 * parent's descriptor, so a link swapped in after a look is unlinked, never entered.
 * Only system calls (async-signal-safe: guard_handler uses it). @return 0, or an errno. */
#define RM_MAX_DEPTH 64
static int rm_at(int dirfd, const char *name, int depth)
{
    if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
        return 0;
    int unlink_err = errno;
    if (unlink_err != EISDIR && unlink_err != EPERM)
        return unlink_err;
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : errno == ENOTDIR || errno == ELOOP ? unlink_err : errno;
    int first_err = 0;
    if (depth >= RM_MAX_DEPTH) {
        first_err = ELOOP;
    } else {
        /* List and remove until a listing finds nothing: removing while listing may skip
         * entries on some file systems, so each round starts over. */
        _Alignas(struct dirent64) char buf[2048];
        for (int round = 0; round < 16; round++) {
            gboolean removed = FALSE;
            if (lseek(fd, 0, SEEK_SET) != 0)
                break;
            ssize_t n;
            while ((n = getdents64(fd, buf, sizeof buf)) > 0) {
                for (ssize_t off = 0; off < n;) {
                    const struct dirent64 *d = (const struct dirent64 *)(const void *)(buf + off);
                    off += d->d_reclen;
                    if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
                        continue;
                    int e = rm_at(fd, d->d_name, depth + 1);
                    if (e == 0)
                        removed = TRUE;
                    else if (first_err == 0)
                        first_err = e;
                }
            }
            if (!removed || first_err != 0)
                break;
        }
    }
    close(fd);
    if (unlinkat(dirfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT && first_err == 0)
        first_err = errno;
    return first_err;
}

/* ---- removal when a signal ends the process ---------------------------------------- */

/* The paths to remove (absolute), each valid while its used flag is set. Written by the
 * main thread only; read by the handler, which may run on any thread. */
#define GUARD_SLOTS 4
static struct guard_slot {
    volatile sig_atomic_t used;
    char path[PATH_MAX];
} guard_slots[GUARD_SLOTS];
static const int guard_signals[] = {SIGTERM, SIGINT, SIGHUP};
static struct sigaction guard_old[G_N_ELEMENTS(guard_signals)];
static gboolean guard_installed[G_N_ELEMENTS(guard_signals)];

static void guard_handler(int sig)
{
    int saved = errno;
    for (int i = 0; i < GUARD_SLOTS; i++)
        if (guard_slots[i].used)
            for (int attempt = 0; attempt < 3 && rm_at(AT_FDCWD, guard_slots[i].path, 0) != 0; attempt++)
                ; /* another thread may still be adding files: once more */
    /* Then end the way the signal would have ended us. */
    for (gsize k = 0; k < G_N_ELEMENTS(guard_signals); k++)
        if (guard_signals[k] == sig)
            sigaction(sig, &guard_old[k], NULL);
    raise(sig); /* blocked until we return, then the default action */
    errno = saved;
}

static void guard_install(void)
{
    for (gsize k = 0; k < G_N_ELEMENTS(guard_signals); k++) {
        if (guard_installed[k])
            continue;
        struct sigaction old;
        /* A signal that is ignored (nohup) or handled by someone else is left to them. */
        if (sigaction(guard_signals[k], NULL, &old) != 0 || (old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL)
            continue;
        struct sigaction sa = {0};
        sa.sa_handler = guard_handler;
        sigemptyset(&sa.sa_mask);
        for (gsize j = 0; j < G_N_ELEMENTS(guard_signals); j++)
            sigaddset(&sa.sa_mask, guard_signals[j]);
        if (sigaction(guard_signals[k], &sa, &guard_old[k]) == 0)
            guard_installed[k] = TRUE;
    }
}

gboolean c2h_cleanup_on_signal(const char *path)
{
    g_return_val_if_fail(path != NULL, FALSE);
    g_autofree char *abs = g_canonicalize_filename(path, NULL); /* no symbolic link resolved */
    if (strlen(abs) >= PATH_MAX)
        return FALSE;
    guard_install();
    for (int i = 0; i < GUARD_SLOTS; i++)
        if (guard_slots[i].used && strcmp(guard_slots[i].path, abs) == 0)
            return TRUE;
    for (int i = 0; i < GUARD_SLOTS; i++)
        if (!guard_slots[i].used) {
            g_strlcpy(guard_slots[i].path, abs, sizeof guard_slots[i].path);
            atomic_signal_fence(memory_order_seq_cst); /* the path is whole before it is used */
            guard_slots[i].used = 1;
            return TRUE;
        }
    return FALSE;
}

void c2h_cleanup_forget(const char *path)
{
    if (path == NULL)
        return;
    g_autofree char *abs = g_canonicalize_filename(path, NULL);
    for (int i = 0; i < GUARD_SLOTS; i++)
        if (guard_slots[i].used && strcmp(guard_slots[i].path, abs) == 0) {
            guard_slots[i].used = 0;
            atomic_signal_fence(memory_order_seq_cst);
        }
}

gboolean c2h_rmtree(const char *path, GError **err)
{
    int e = rm_at(AT_FDCWD, path, 0);
    c2h_cleanup_forget(path);
    if (e != 0) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot remove: %s", path, g_strerror(e));
        return FALSE;
    }
    return TRUE;
}

/* ---- staging ---------------------------------------------------------------------- */

/* final_path without trailing slashes, or NULL with err when it names no new entry
 * ("", "/", ".", ".."). Caller frees. */
static char *final_name(const char *final_path, GError **err)
{
    char *p = g_strdup(final_path);
    gsize n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    g_autofree char *base = g_path_get_basename(p);
    if (n == 0 || strcmp(base, "/") == 0 || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "'%s': not a name for a new output (give a folder name)",
                    final_path);
        g_free(p);
        return NULL;
    }
    return p;
}

/* "already exists" for final, saying so when it is a symbolic link. */
static void set_exists_error(GError **err, const char *final_path, const struct stat *st)
{
    if (S_ISLNK(st->st_mode)) {
        g_autofree char *to = g_file_read_link(final_path, NULL);
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,
                    "%s: already exists as a symbolic link (to %s); c2hunt does not write through it "
                    "(--force replaces the link itself, never what it points to)",
                    final_path, to ? to : "?");
    } else {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: already exists (use --force to replace it)", final_path);
    }
}

char *c2h_stage_dir(const char *final_path, gboolean force, GError **err)
{
    g_autofree char *final = final_name(final_path, err);
    if (final == NULL)
        return NULL;
    struct stat st;
    if (lstat(final, &st) == 0 && !force) {
        set_exists_error(err, final_path, &st);
        return NULL;
    }
    g_autofree char *parent = g_path_get_dirname(final);
    g_autofree char *base = g_path_get_basename(final);
    char *stage = g_strdup_printf("%s/.%s.partial-XXXXXX", parent, base);
    if (g_mkdtemp_full(stage, 0755) == NULL) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot create a staging folder in %s: %s", final_path, parent,
                    g_strerror(errno));
        g_free(stage);
        return NULL;
    }
    c2h_cleanup_on_signal(stage);
    return stage;
}

#if defined(RENAME_NOREPLACE) && defined(RENAME_EXCHANGE)
#define HAVE_RENAMEAT2 1
#else
#define RENAME_NOREPLACE (1u << 0)
#define RENAME_EXCHANGE (1u << 1)
#endif

/* rename(2) with RENAME_NOREPLACE or RENAME_EXCHANGE where the C library and the file
 * system have them. @return 0, or an errno (EINVAL: the flag is not supported there). */
static int rename_flags(const char *from, const char *to, unsigned int flags)
{
#ifdef HAVE_RENAMEAT2
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, flags) == 0)
        return 0;
    return errno == ENOSYS ? EINVAL : errno;
#else
    (void)from, (void)to, (void)flags;
    return EINVAL;
#endif
}

gboolean c2h_stage_commit(const char *stage, const char *final_path, gboolean force, GError **err)
{
    g_autofree char *final = final_name(final_path, err);
    if (final == NULL)
        return FALSE;
    struct stat st;
    int e;
    if (!force) {
        /* Never replace what appeared meanwhile; plain rename where NOREPLACE is missing. */
        e = rename_flags(stage, final, RENAME_NOREPLACE);
        if (e == EINVAL) {
            if (lstat(final, &st) == 0)
                e = EEXIST;
            else
                e = rename(stage, final) == 0 ? 0 : errno;
        }
        if (e == EEXIST && lstat(final, &st) == 0) {
            set_exists_error(err, final_path, &st);
            return FALSE;
        }
    } else {
        /* Swap the new one in atomically: the old one (a folder, a file or a symbolic link,
         * itself, not what a link points to) ends up at the staging name and is removed. */
        e = rename_flags(stage, final, RENAME_EXCHANGE);
        if (e == 0) {
            c2h_rmtree(stage, NULL);
            return TRUE;
        }
        if (e == ENOENT && lstat(final, &st) != 0 && errno == ENOENT) {
            e = rename(stage, final) == 0 ? 0 : errno;
        } else if (e == EINVAL) {
            /* Move the old one aside under a name of our own, then rename. */
            g_autofree char *trash = g_strdup_printf("%s.old-XXXXXX", stage);
            if (g_mkdtemp_full(trash, 0700) == NULL) {
                e = errno;
            } else {
                g_autofree char *aside = g_build_filename(trash, "old", NULL);
                gboolean moved = lstat(final, &st) == 0;
                if (moved && rename(final, aside) != 0) {
                    g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot move the old one aside: %s", final_path,
                                g_strerror(errno));
                    c2h_rmtree(trash, NULL);
                    return FALSE;
                }
                e = rename(stage, final) == 0 ? 0 : errno;
                if (e != 0 && moved)
                    rename(aside, final);
                c2h_rmtree(trash, NULL);
            }
        }
    }
    if (e != 0) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot rename %s to it: %s", final_path, stage, g_strerror(e));
        return FALSE;
    }
    c2h_cleanup_forget(stage);
    return TRUE;
}

char *c2h_archive_stage(const char *final_path, gboolean force, GError **err)
{
    char *stage = c2h_stage_dir(final_path, force, err);
    if (stage == NULL)
        return NULL;
    g_autofree char *shards = g_build_filename(stage, C2H_ARCHIVE_SHARDS, NULL);
    if (g_mkdir(shards, 0755) != 0) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot create: %s", shards, g_strerror(errno));
        c2h_archive_unstage(stage);
        g_free(stage);
        return NULL;
    }
    return stage;
}

void c2h_archive_unstage(const char *stage)
{
    if (stage != NULL)
        c2h_rmtree(stage, NULL);
}

/* ---- writer ----------------------------------------------------------------------- */

typedef struct bucket {
    gint64 hour;
    int family;
    guint seq;              /* shards of this bucket so far */
    c2h_shard_writer *open; /* NULL when closed */
    guint64 last_use;
} bucket;

struct c2h_archive_writer {
    char *dir;
    c2h_archive_writer_opts opts;
    char *tag;
    GHashTable *buckets; /* key: hour * 16 + family (as gint64) -> bucket */
    guint open_count;
    guint64 clock;
    guint64 rows;
    GArray *done; /* of c2h_shard_info, file relative to dir */
    bucket *last;
};

static void bucket_free(gpointer p)
{
    bucket *b = p;
    c2h_shard_writer_free(b->open);
    g_free(b);
}

static void info_clear(gpointer p)
{
    c2h_shard_info_clear(p);
}

c2h_archive_writer *c2h_archive_writer_create(const char *dir, const c2h_archive_writer_opts *opts, GError **err)
{
    (void)err;
    c2h_archive_writer *w = g_new0(c2h_archive_writer, 1);
    w->dir = g_strdup(dir);
    if (opts)
        w->opts = *opts;
    if (w->opts.chunk_rows == 0)
        w->opts.chunk_rows = C2H_DEFAULT_CHUNK_ROWS;
    if (w->opts.zstd_level == 0)
        w->opts.zstd_level = C2H_DEFAULT_ZSTD_LEVEL;
    if (w->opts.shard_bytes == 0)
        w->opts.shard_bytes = (guint64)C2H_DEFAULT_SHARD_MB << 20;
    if (w->opts.max_open == 0)
        w->opts.max_open = 16;
    w->tag = g_strdup(opts && opts->tag ? opts->tag : "w");
    w->opts.tag = w->tag;
    w->buckets = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, bucket_free);
    w->done = g_array_new(FALSE, TRUE, sizeof(c2h_shard_info));
    g_array_set_clear_func(w->done, info_clear);
    return w;
}

guint64 c2h_archive_writer_rows(const c2h_archive_writer *w)
{
    return w->rows;
}

static gboolean bucket_close(c2h_archive_writer *w, bucket *b, GError **err)
{
    if (b->open == NULL)
        return TRUE;
    c2h_shard_info info = {0};
    c2h_shard_writer *sw = b->open;
    b->open = NULL;
    w->open_count--;
    if (!c2h_shard_writer_finish(sw, &info, err))
        return FALSE;
    /* Record the path relative to the archive folder. */
    size_t dl = strlen(w->dir);
    if (strncmp(info.file, w->dir, dl) == 0 && info.file[dl] == '/') {
        char *rel = g_strdup(info.file + dl + 1);
        g_free(info.file);
        info.file = rel;
    }
    g_array_append_val(w->done, info);
    return TRUE;
}

/* Shard name: shards/20260105T03-v4-TAG-0001.h5 (hour of start, UTC). */
static char *shard_name(const c2h_archive_writer *w, const bucket *b)
{
    char when[32];
    GDateTime *dt = g_date_time_new_from_unix_utc(b->hour * 3600);
    if (dt) {
        snprintf(when, sizeof when, "%04d%02d%02dT%02d", g_date_time_get_year(dt), g_date_time_get_month(dt),
                 g_date_time_get_day_of_month(dt), g_date_time_get_hour(dt));
        g_date_time_unref(dt);
    } else {
        snprintf(when, sizeof when, "h%lld", (long long)b->hour);
    }
    return g_strdup_printf("%s/%s/%s-v%d-%s-%04u.h5", w->dir, C2H_ARCHIVE_SHARDS, when, b->family, w->tag, b->seq);
}

static bucket *bucket_for(c2h_archive_writer *w, gint64 hour, int family, GError **err)
{
    if (w->last && w->last->hour == hour && w->last->family == family && w->last->open)
        return w->last;
    gint64 key = hour * 16 + family;
    bucket *b = g_hash_table_lookup(w->buckets, &key);
    if (b == NULL) {
        b = g_new0(bucket, 1);
        b->hour = hour;
        b->family = family;
        gint64 *k = g_new(gint64, 1);
        *k = key;
        g_hash_table_insert(w->buckets, k, b);
    }
    if (b->open == NULL) {
        if (w->open_count >= w->opts.max_open) {
            /* Close the least recently used shard. */
            GHashTableIter it;
            gpointer k, v;
            bucket *lru = NULL;
            g_hash_table_iter_init(&it, w->buckets);
            while (g_hash_table_iter_next(&it, &k, &v)) {
                bucket *o = v;
                if (o->open && (lru == NULL || o->last_use < lru->last_use))
                    lru = o;
            }
            if (lru && !bucket_close(w, lru, err))
                return NULL;
        }
        b->seq++;
        g_autofree char *path = shard_name(w, b);
        b->open = c2h_shard_writer_create(path, family, w->opts.chunk_rows, w->opts.zstd_level, err);
        if (b->open == NULL)
            return NULL;
        w->open_count++;
    }
    w->last = b;
    return b;
}

gboolean c2h_archive_writer_append(c2h_archive_writer *w, const c2h_flow *flows, gsize n, GError **err)
{
    gsize i = 0;
    while (i < n) {
        gint64 hour = c2h_floordiv(flows[i].start_ms, MS_PER_HOUR);
        int family = c2h_flow_family(&flows[i]);
        /* A run of flows of the same bucket goes in one call. */
        gsize j = i + 1;
        while (j < n && c2h_floordiv(flows[j].start_ms, MS_PER_HOUR) == hour && c2h_flow_family(&flows[j]) == family)
            j++;
        while (i < j) {
            bucket *b = bucket_for(w, hour, family, err);
            if (b == NULL)
                return FALSE;
            guint64 cap = MAX(w->opts.shard_bytes / c2h_row_width(family), 1);
            guint64 have = c2h_shard_writer_rows(b->open);
            gsize take = (gsize)MIN((guint64)(j - i), cap - have);
            if (!c2h_shard_writer_append(b->open, flows + i, take, err))
                return FALSE;
            b->last_use = ++w->clock;
            i += take;
            w->rows += take;
            if (c2h_shard_writer_rows(b->open) >= cap && !bucket_close(w, b, err))
                return FALSE;
        }
    }
    return TRUE;
}

static gint info_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(((const c2h_shard_info *)a)->file, ((const c2h_shard_info *)b)->file);
}

static void index_line(GString *s, const c2h_shard_info *i)
{
    g_string_append_printf(s, "%s\t%d\t%" G_GUINT64_FORMAT "\t%" G_GINT64_FORMAT "\t%" G_GINT64_FORMAT "\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT "\n",
                           i->file, i->family, i->rows, i->t_min_ms, i->t_max_ms, i->stored_bytes, i->raw_bytes);
}

/* Write contents to path atomically (temporary name, fsync, rename). */
static gboolean write_file_atomic(const char *path, const char *contents, gsize len, GError **err)
{
    GError *e = NULL;
    if (!g_file_set_contents_full(path, contents, (gssize)len, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &e)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot write: %s", path, e->message);
        g_error_free(e);
        return FALSE;
    }
    return TRUE;
}

gboolean c2h_archive_writer_finish(c2h_archive_writer *w, GError **err)
{
    GHashTableIter it;
    gpointer k, v;
    gboolean ok = TRUE;
    g_hash_table_iter_init(&it, w->buckets);
    while (ok && g_hash_table_iter_next(&it, &k, &v))
        ok = bucket_close(w, v, err);
    if (ok) {
        g_array_sort(w->done, info_cmp);
        GString *s = g_string_new(NULL);
        for (guint i = 0; i < w->done->len; i++)
            index_line(s, &g_array_index(w->done, c2h_shard_info, i));
        g_autofree char *part = g_strdup_printf("%s/index.%s.part", w->dir, w->tag);
        ok = write_file_atomic(part, s->str, s->len, err);
        g_string_free(s, TRUE);
    }
    if (ok) {
        g_array_set_size(w->done, 0); /* committed: free must not delete them */
        c2h_archive_writer_free(w);
        return TRUE;
    }
    c2h_archive_writer_free(w);
    return FALSE;
}

void c2h_archive_writer_free(c2h_archive_writer *w)
{
    if (w == NULL)
        return;
    g_hash_table_destroy(w->buckets); /* abandons (deletes) shards still open */
    for (guint i = 0; i < w->done->len; i++) {
        g_autofree char *p = g_build_filename(w->dir, g_array_index(w->done, c2h_shard_info, i).file, NULL);
        unlink(p);
    }
    g_array_free(w->done, TRUE);
    g_free(w->tag);
    g_free(w->dir);
    g_free(w);
}

/* ---- the index -------------------------------------------------------------------- */

/* Parse one index line into info. @return FALSE with a reason in *why. */
static gboolean parse_index_line(char *line, c2h_shard_info *info, const char **why)
{
    char *f[8];
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, "\t", &save); t && n < 8; t = strtok_r(NULL, "\t", &save))
        f[n++] = t;
    if (n != 7) {
        *why = "expected 7 tab-separated fields";
        return FALSE;
    }
    char *end;
    info->family = (int)strtol(f[1], &end, 10);
    if (*end || (info->family != 4 && info->family != 6)) {
        *why = "family is not 4 or 6";
        return FALSE;
    }
    guint64 u[3];
    gint64 s[2];
    if (!g_ascii_string_to_unsigned(f[2], 10, 0, G_MAXUINT64, &u[0], NULL) ||
        !g_ascii_string_to_signed(f[3], 10, G_MININT64, G_MAXINT64, &s[0], NULL) ||
        !g_ascii_string_to_signed(f[4], 10, G_MININT64, G_MAXINT64, &s[1], NULL) ||
        !g_ascii_string_to_unsigned(f[5], 10, 0, G_MAXUINT64, &u[1], NULL) ||
        !g_ascii_string_to_unsigned(f[6], 10, 0, G_MAXUINT64, &u[2], NULL)) {
        *why = "a number field is not a number";
        return FALSE;
    }
    if (strstr(f[0], "..") || f[0][0] == '/') {
        *why = "shard path leaves the archive folder";
        return FALSE;
    }
    info->file = g_strdup(f[0]);
    info->rows = u[0];
    info->t_min_ms = s[0];
    info->t_max_ms = s[1];
    info->stored_bytes = u[1];
    info->raw_bytes = u[2];
    return TRUE;
}

/* Read the index lines of path (no header when header is NULL) into shards. */
static gboolean read_index(const char *path, const char *header, GArray *shards, GError **err)
{
    g_autofree char *text = NULL;
    gsize len = 0;
    GError *e = NULL;
    if (!g_file_get_contents(path, &text, &len, &e)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s", e->message);
        g_error_free(e);
        return FALSE;
    }
    char *save = NULL;
    guint lineno = 0;
    gboolean seen_header = header == NULL;
    /* shard file -> its line: a shard listed twice would be read twice */
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        if (!seen_header) {
            if (strcmp(line, header) != 0) {
                g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%u: unexpected header (expected '%s')", path,
                            lineno, header);
                return FALSE;
            }
            seen_header = TRUE;
            continue;
        }
        c2h_shard_info info = {0};
        const char *why = NULL;
        if (!parse_index_line(line, &info, &why)) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%u: %s", path, lineno, why);
            return FALSE;
        }
        guint first = GPOINTER_TO_UINT(g_hash_table_lookup(seen, info.file));
        if (first != 0) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:%u: shard %s is listed twice (also on line %u)", path,
                        lineno, info.file, first);
            c2h_shard_info_clear(&info);
            return FALSE;
        }
        g_hash_table_insert(seen, g_strdup(info.file), GUINT_TO_POINTER(lineno));
        g_array_append_val(shards, info);
    }
    if (!seen_header) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s:1: empty index (no header)", path);
        return FALSE;
    }
    return TRUE;
}

static void archive_totals(c2h_archive *a)
{
    a->rows = a->stored_bytes = a->raw_bytes = 0;
    a->t_min_ms = G_MAXINT64;
    a->t_max_ms = G_MININT64;
    for (guint i = 0; i < a->shards->len; i++) {
        const c2h_shard_info *s = &g_array_index(a->shards, c2h_shard_info, i);
        a->rows += s->rows;
        a->stored_bytes += s->stored_bytes;
        a->raw_bytes += s->raw_bytes;
        if (s->rows) {
            a->t_min_ms = MIN(a->t_min_ms, s->t_min_ms);
            a->t_max_ms = MAX(a->t_max_ms, s->t_max_ms);
        }
    }
    if (a->rows == 0)
        a->t_min_ms = a->t_max_ms = 0;
}

gboolean c2h_archive_commit(const char *stage, const char *final_path, gboolean force,
                            const c2h_archive_writer_opts *opts, GHashTable *extra, GError **err)
{
    c2h_archive a = {.path = (char *)stage};
    a.shards = g_array_new(FALSE, TRUE, sizeof(c2h_shard_info));
    g_array_set_clear_func(a.shards, info_clear);
    gboolean ok = TRUE;

    /* Gather the parts of every writer. */
    GDir *d = g_dir_open(stage, 0, NULL);
    GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while (d && (name = g_dir_read_name(d)) != NULL)
        if (g_str_has_prefix(name, "index.") && g_str_has_suffix(name, ".part"))
            g_ptr_array_add(parts, g_build_filename(stage, name, NULL));
    if (d)
        g_dir_close(d);
    for (guint i = 0; ok && i < parts->len; i++)
        ok = read_index(parts->pdata[i], NULL, a.shards, err);
    g_array_sort(a.shards, info_cmp);
    archive_totals(&a);

    GString *s = g_string_new(INDEX_HEADER "\n");
    for (guint i = 0; i < a.shards->len; i++)
        index_line(s, &g_array_index(a.shards, c2h_shard_info, i));
    g_autofree char *index_path = g_build_filename(stage, C2H_ARCHIVE_INDEX, NULL);
    ok = ok && write_file_atomic(index_path, s->str, s->len, err);
    g_string_free(s, TRUE);

    GKeyFile *kf = g_key_file_new();
    char tmin[32], tmax[32];
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *created = g_date_time_format_iso8601(now);
    g_key_file_set_integer(kf, "archive", "schema", C2H_SCHEMA_VERSION);
    g_key_file_set_string(kf, "archive", "created", created);
    g_key_file_set_uint64(kf, "archive", "shards", a.shards->len);
    g_key_file_set_uint64(kf, "archive", "rows", a.rows);
    g_key_file_set_string(kf, "archive", "t_min", c2h_time_format_iso(a.t_min_ms, tmin));
    g_key_file_set_string(kf, "archive", "t_max", c2h_time_format_iso(a.t_max_ms, tmax));
    g_key_file_set_uint64(kf, "archive", "stored_bytes", a.stored_bytes);
    g_key_file_set_uint64(kf, "archive", "raw_bytes", a.raw_bytes);
    if (opts) {
        g_key_file_set_integer(kf, "archive", "chunk_rows", (gint)(opts->chunk_rows ? opts->chunk_rows : C2H_DEFAULT_CHUNK_ROWS));
        g_key_file_set_integer(kf, "archive", "zstd_level", opts->zstd_level ? opts->zstd_level : C2H_DEFAULT_ZSTD_LEVEL);
    }
    if (extra) {
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, extra);
        while (g_hash_table_iter_next(&it, &k, &v))
            g_key_file_set_string(kf, "archive", k, v);
    }
    gsize kl = 0;
    g_autofree char *kt = g_key_file_to_data(kf, &kl, NULL);
    g_key_file_free(kf);
    g_autofree char *meta_path = g_build_filename(stage, C2H_ARCHIVE_META, NULL);
    ok = ok && write_file_atomic(meta_path, kt, kl, err);

    for (guint i = 0; ok && i < parts->len; i++)
        unlink(parts->pdata[i]);
    g_ptr_array_free(parts, TRUE);
    g_array_free(a.shards, TRUE);

    return ok && c2h_stage_commit(stage, final_path, force, err);
}

/* ---- reading an archive ----------------------------------------------------------- */

/* archive.ini's shard and row counts, when it has them, must agree with index.tsv: an index
 * that lost or gained a line, or whose row counts were edited, is refused instead of being
 * read as another archive. */
static gboolean check_meta_counts(const c2h_archive *a, const char *meta, const char *index, GError **err)
{
    const struct {
        const char *key;
        guint64 index_says;
    } counts[] = {{"shards", a->shards->len}, {"rows", a->rows}};
    for (gsize i = 0; i < G_N_ELEMENTS(counts); i++) {
        if (!g_key_file_has_key(a->meta, "archive", counts[i].key, NULL))
            continue;
        g_autofree char *v = g_key_file_get_string(a->meta, "archive", counts[i].key, NULL);
        guint64 n = 0;
        if (v == NULL || !g_ascii_string_to_unsigned(g_strstrip(v), 10, 0, G_MAXUINT64, &n, NULL)) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: [archive] %s: '%s' is not a count", meta,
                        counts[i].key, v ? v : "");
            return FALSE;
        }
        if (n != counts[i].index_says) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,
                        "%s: [archive] %s=%" G_GUINT64_FORMAT ", but %s lists %u shards of %" G_GUINT64_FORMAT
                        " rows in all (the index and archive.ini disagree)",
                        meta, counts[i].key, n, index, a->shards->len, a->rows);
            return FALSE;
        }
    }
    return TRUE;
}

gboolean c2h_archive_require_flows(const c2h_archive *a, GError **err)
{
    if (a->rows > 0)
        return TRUE;
    g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,
                "%s: empty archive: " C2H_ARCHIVE_INDEX " lists %u shards and no flows (was the input of the ingest "
                "empty, or the collector down?)",
                a->path, a->shards->len);
    return FALSE;
}

c2h_archive *c2h_archive_open(const char *path, GError **err)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: not an archive folder: %s", path,
                    errno ? g_strerror(errno) : "not a folder");
        return NULL;
    }
    c2h_archive *a = g_new0(c2h_archive, 1);
    a->path = g_strdup(path);
    a->shards = g_array_new(FALSE, TRUE, sizeof(c2h_shard_info));
    g_array_set_clear_func(a->shards, info_clear);
    a->meta = g_key_file_new();
    g_autofree char *meta = g_build_filename(path, C2H_ARCHIVE_META, NULL);
    g_autofree char *index = g_build_filename(path, C2H_ARCHIVE_INDEX, NULL);
    GError *e = NULL;
    if (!g_key_file_load_from_file(a->meta, meta, G_KEY_FILE_NONE, &e)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: not a c2hunt archive: %s", meta, e->message);
        g_error_free(e);
        c2h_archive_free(a);
        return NULL;
    }
    a->schema = g_key_file_get_integer(a->meta, "archive", "schema", &e);
    if (e != NULL) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: [archive] schema: %s", meta, e->message);
        g_error_free(e);
        c2h_archive_free(a);
        return NULL;
    }
    if (a->schema != C2H_SCHEMA_VERSION) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,
                    "%s: [archive] schema: archive schema version %d, this c2hunt reads version %d", meta, a->schema,
                    C2H_SCHEMA_VERSION);
        c2h_archive_free(a);
        return NULL;
    }
    if (!read_index(index, INDEX_HEADER, a->shards, err)) {
        c2h_archive_free(a);
        return NULL;
    }
    archive_totals(a);
    if (!check_meta_counts(a, meta, index, err)) {
        c2h_archive_free(a);
        return NULL;
    }
    return a;
}

void c2h_archive_free(c2h_archive *a)
{
    if (a == NULL)
        return;
    g_array_free(a->shards, TRUE);
    if (a->meta)
        g_key_file_free(a->meta);
    g_free(a->path);
    g_free(a);
}

char *c2h_archive_shard_path(const c2h_archive *a, guint i)
{
    g_assert(i < a->shards->len);
    return g_build_filename(a->path, g_array_index(a->shards, c2h_shard_info, i).file, NULL);
}
