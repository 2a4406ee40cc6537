/* fuzzlib.c: memory files, the bad-row budget and the per-input checks (see fuzzlib.h). */
#include "fuzzlib.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct fz_file {
    int fd;     /* the memfd; -1 for a file on disk */
    char *path; /* /proc/self/fd/N, or the file on disk */
    char *dir;  /* the folder of a file on disk */
};

static int free_fd_baseline = -1; /* the lowest free descriptor when the input began */
static guint probes_seen;         /* fz_log_reaches_default's messages that reached fz_log */

#define PROBE "fuzzlib probe"

static void fz_log(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer ud)
{
    (void)ud;
    if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR | G_LOG_FLAG_FATAL)) {
        fprintf(stderr, "fuzz: GLib %s from %s: %s\n", level & G_LOG_LEVEL_ERROR ? "error" : "critical",
                domain ? domain : "(no domain)", message);
        abort();
    }
    if (domain == NULL && strcmp(message, PROBE) == 0)
        probes_seen++;
}

static int lowest_free_fd(void)
{
    int fd = dup(STDIN_FILENO);
    if (fd < 0)
        fz_fail("dup: %s", g_strerror(errno));
    close(fd);
    return fd;
}

void fz_init(void)
{
    g_log_set_default_handler(fz_log, NULL);
}

fz_file *fz_file_new(const char *name)
{
    fz_file *f = g_new0(fz_file, 1);
    f->fd = memfd_create(name, MFD_CLOEXEC);
    if (f->fd < 0)
        fz_fail("memfd_create: %s", g_strerror(errno));
    f->path = g_strdup_printf("/proc/self/fd/%d", f->fd);
    return f;
}

static GPtrArray *on_disk; /* fz_file, to remove at exit */

static void remove_files(void)
{
    for (guint i = 0; on_disk && i < on_disk->len; i++) {
        fz_file *f = on_disk->pdata[i];
        unlink(f->path);
        rmdir(f->dir);
    }
}

fz_file *fz_file_new_on_disk(const char *name)
{
    fz_file *f = g_new0(fz_file, 1);
    f->fd = -1;
    GError *err = NULL;
    f->dir = g_dir_make_tmp("c2h-fuzz-XXXXXX", &err);
    if (f->dir == NULL)
        fz_fail("g_dir_make_tmp: %s", err->message);
    f->path = g_build_filename(f->dir, name, NULL);
    if (on_disk == NULL) {
        on_disk = g_ptr_array_new();
        atexit(remove_files);
    }
    g_ptr_array_add(on_disk, f);
    return f;
}

const char *fz_file_set(fz_file *f, const uint8_t *data, size_t size)
{
    int fd = f->fd;
    if (fd < 0)
        fd = open(f->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || (f->fd >= 0 && ftruncate(fd, 0) != 0))
        fz_fail("%s: %s", f->path, g_strerror(errno));
    size_t done = 0;
    while (done < size) {
        ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            fz_fail("pwrite: %s", g_strerror(errno));
        done += (size_t)n;
    }
    if (f->fd < 0)
        close(fd);
    return f->path;
}

const char *fz_file_path(const fz_file *f)
{
    return f->path;
}

void fz_keep_time_zone(const char *name)
{
    if (g_time_zone_new_identifier(name) == NULL) /* never unreferenced */
        fz_fail("unknown time zone %s", name);
}

gboolean fz_bad_row(void *ud, const char *file, guint64 line, const char *reason)
{
    (void)file;
    (void)line;
    if (reason == NULL || *reason == '\0')
        fz_fail("a bad row with no reason");
    guint *budget = ud;
    if (*budget == 0)
        return FALSE;
    (*budget)--;
    return TRUE;
}

gboolean fz_log_reaches_default(void)
{
    guint before = probes_seen;
    g_log(NULL, G_LOG_LEVEL_MESSAGE, PROBE);
    return probes_seen == before + 1;
}

void fz_check_error(const GError *err, const char *what)
{
    static int verbose = -1;
    if (err == NULL || err->message == NULL || *err->message == '\0')
        fz_fail("%s failed with no message", what);
    if (verbose < 0)
        verbose = g_getenv("C2H_FUZZ_VERBOSE") != NULL;
    if (verbose)
        fprintf(stderr, "fuzz: %s: %s\n", what, err->message);
}

void fz_begin_iteration(void)
{
    free_fd_baseline = lowest_free_fd();
}

void fz_end_iteration(void)
{
    int fd = lowest_free_fd();
    if (fd != free_fd_baseline) {
        for (int i = free_fd_baseline; i < fd; i++) { /* name the culprits */
            char link[64], target[256] = "?";
            snprintf(link, sizeof link, "/proc/self/fd/%d", i);
            ssize_t n = readlink(link, target, sizeof target - 1);
            target[n > 0 ? n : 1] = '\0';
            fprintf(stderr, "fuzz: open descriptor %d -> %s\n", i, target);
        }
        fz_fail("a file descriptor was left open (lowest free %d, expected %d)", fd, free_fd_baseline);
    }
}

void fz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}
