/* nfcapd.c: nfcapd files, or a folder of them, read through the installed nfdump.
 *
 * nfdump (1.7.1) runs as a child with an argument vector, TZ=UTC and its output piped:
 *   nfdump -q -N -6 -r FILE | -R DIR -o "fmt:%tsr,%td,%sa,%da,%sp,%dp,%pr,%flg,%ipkt,%ibyt"
 * %tsr is the start in seconds since the epoch with ms, %td (with -N) the duration in
 * seconds with ms, so no precision is lost; the text is parsed by nfcsv.c's reader. (%ter
 * would give the end, but 1.7.1 prints its ms wrongly.) nfdump reports a corrupt or
 * truncated file on stderr and still exits 0, so anything on its stderr fails the read,
 * as does an exit status other than 0.
 */
#include "io/flowsrc.h"
#include "io/nfcsv.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NFCAPD_FORMAT "fmt:%tsr,%td,%sa,%da,%sp,%dp,%pr,%flg,%ipkt,%ibyt"
#define NFCAPD_HEADER "tsr,td,sa,da,sp,dp,pr,flg,ipkt,ibyt"
#define NFCAPD_STDERR_MAX 4096 /* stderr kept for the message; the rest is read and dropped */
#define NFCAPD_CURRENT "nfcapd.current" /* nfcapd's file in the making, which nfdump -R skips */

typedef struct nfcapd {
    char *path;
    char *nfdump;
    GPid pid; /* 0 once reaped */
    int out_fd, err_fd; /* -1 once closed */
    GString *errtext;
    guint64 file_bytes;
    c2h_flowsrc *text; /* nfcsv.c's reader over out_fd */
} nfcapd;

/* Sum the sizes of the files nfdump -R reads under dir (all but nfcapd's current file).
 * @return FALSE with err when a folder cannot be listed. */
static gboolean sum_files(const char *dir, guint64 *bytes, guint *files, GError **err)
{
    GError *e = NULL;
    GDir *d = g_dir_open(dir, 0, &e);
    if (d == NULL) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "cannot list '%s': %s", dir, e->message);
        g_error_free(e);
        return FALSE;
    }
    gboolean ok = TRUE;
    const char *name;
    while (ok && (name = g_dir_read_name(d)) != NULL) {
        char *p = g_build_filename(dir, name, NULL);
        struct stat st;
        if (lstat(p, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                ok = sum_files(p, bytes, files, err);
            } else if (S_ISREG(st.st_mode) && !g_str_has_prefix(name, NFCAPD_CURRENT)) {
                *bytes += (guint64)st.st_size;
                (*files)++;
            }
        }
        g_free(p);
    }
    g_dir_close(d);
    return ok;
}

static void keep_stderr(nfcapd *c, const char *buf, gssize n)
{
    if (c->errtext->len < NFCAPD_STDERR_MAX)
        g_string_append_len(c->errtext, buf, MIN(n, (gssize)(NFCAPD_STDERR_MAX - c->errtext->len)));
}

/* nfdump's stdout is done: read the rest of its stderr, reap it and judge.
 * @return FALSE with err when it failed. */
static gboolean finish_child(nfcapd *c, GError **err)
{
    close(c->out_fd);
    c->out_fd = -1;
    char buf[4096];
    while (c->err_fd >= 0) {
        gssize n = read(c->err_fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(c->err_fd);
            c->err_fd = -1;
        } else {
            keep_stderr(c, buf, n);
        }
    }
    int status = 0;
    while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
        ;
    c->pid = 0;
    g_strstrip(c->errtext->str);
    c->errtext->len = strlen(c->errtext->str);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && c->errtext->len == 0)
        return TRUE;
    for (char *p = c->errtext->str; *p; p++)
        if (*p == '\n')
            *p = ' ';
    char how[64];
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        g_strlcpy(how, "reported an error", sizeof how);
    else if (WIFEXITED(status))
        g_snprintf(how, sizeof how, "failed with exit status %d", WEXITSTATUS(status));
    else
        g_snprintf(how, sizeof how, "was killed by signal %d", WTERMSIG(status));
    g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: nfdump %s: %s", c->path, how,
                c->errtext->len ? c->errtext->str : "no message");
    return FALSE;
}

/* The byte source of the text reader: nfdump's stdout, with its stderr read alongside so
 * that it never blocks on a full stderr pipe. */
static gssize nfcapd_read(void *ud, char *buf, gsize len, GError **err)
{
    nfcapd *c = ud;
    while (c->out_fd >= 0) {
        struct pollfd p[2] = {{.fd = c->out_fd, .events = POLLIN}, {.fd = c->err_fd, .events = POLLIN}};
        if (poll(p, c->err_fd >= 0 ? 2 : 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: poll on nfdump's output failed: %s", c->path, g_strerror(errno));
            return -1;
        }
        if (c->err_fd >= 0 && p[1].revents != 0) {
            char ebuf[4096];
            gssize n = read(c->err_fd, ebuf, sizeof ebuf);
            if (n > 0) {
                keep_stderr(c, ebuf, n);
            } else if (n == 0 || errno != EINTR) {
                close(c->err_fd);
                c->err_fd = -1;
            }
        }
        if (p[0].revents != 0) {
            gssize n = read(c->out_fd, buf, len);
            if (n > 0)
                return n;
            if (n == 0)
                return finish_child(c, err) ? 0 : -1;
            if (errno != EINTR && errno != EAGAIN) {
                g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: reading nfdump's output failed: %s", c->path,
                            g_strerror(errno));
                return -1;
            }
        }
    }
    return 0;
}

static gssize nfcapd_next(c2h_flowsrc *src, c2h_flow *out, gsize cap, GError **err)
{
    nfcapd *c = src->impl;
    gssize n = c2h_flowsrc_next(c->text, out, cap, err);
    src->rows = c->text->rows;
    src->bad_rows = c->text->bad_rows;
    if (n == 0)
        src->input_bytes = c->file_bytes;
    return n;
}

static void nfcapd_free(nfcapd *c)
{
    c2h_flowsrc_close(c->text);
    if (c->pid > 0) { /* closed before the end: stop the child we started */
        kill(c->pid, SIGTERM);
        while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    if (c->out_fd >= 0)
        close(c->out_fd);
    if (c->err_fd >= 0)
        close(c->err_fd);
    if (c->errtext)
        g_string_free(c->errtext, TRUE);
    g_free(c->path);
    g_free(c->nfdump);
    g_free(c);
}

static void nfcapd_close(c2h_flowsrc *src)
{
    if (src->impl)
        nfcapd_free(src->impl);
    src->impl = NULL;
}

static const c2h_flowsrc_ops nfcapd_ops = {nfcapd_next, nfcapd_close};

c2h_flowsrc *c2h_nfcapd_open(const char *path, const c2h_flowsrc_opts *opts, GError **err)
{
    g_return_val_if_fail(path != NULL, NULL);
    struct stat st;
    if (stat(path, &st) != 0) {
        int e = errno;
        g_set_error(err, C2H_ERROR, e == ENOENT || e == ENOTDIR ? C2H_ERROR_INPUT : C2H_ERROR_IO, "cannot read '%s': %s",
                    path, g_strerror(e));
        return NULL;
    }
    gboolean is_dir = S_ISDIR(st.st_mode);
    if (!is_dir && !S_ISREG(st.st_mode)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "'%s' is neither an nfcapd file nor a folder of them", path);
        return NULL;
    }

    nfcapd *c = g_new0(nfcapd, 1);
    c->path = g_strdup(path);
    c->nfdump = g_strdup(opts && opts->nfdump_path ? opts->nfdump_path : "nfdump");
    c->out_fd = c->err_fd = -1;
    c->errtext = g_string_new(NULL);
    if (is_dir) {
        guint files = 0;
        if (!sum_files(path, &c->file_bytes, &files, err))
            goto fail;
        if (files == 0) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "folder '%s' holds no nfcapd files", path);
            goto fail;
        }
    } else {
        c->file_bytes = (guint64)st.st_size;
    }

    char *argv[] = {c->nfdump, "-q", "-N", "-6", is_dir ? "-R" : "-r", c->path, "-o", NFCAPD_FORMAT, NULL};
    char **envp = g_environ_setenv(g_get_environ(), "TZ", "UTC", TRUE);
    GSpawnFlags flags = G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_CLOEXEC_PIPES;
#if GLIB_CHECK_VERSION(2, 74, 0)
    flags |= G_SPAWN_STDIN_FROM_DEV_NULL;
#endif
    GError *e = NULL;
    gboolean spawned = g_spawn_async_with_pipes(NULL, argv, envp, flags, NULL, NULL, &c->pid, NULL, &c->out_fd,
                                                &c->err_fd, &e);
    g_strfreev(envp);
    if (!spawned) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot run nfdump ('%s'): %s", path, c->nfdump, e->message);
        g_error_free(e);
        c->pid = 0;
        goto fail;
    }
#ifdef F_SETPIPE_SZ
    (void)fcntl(c->out_fd, F_SETPIPE_SZ, 1 << 20); /* fewer, larger reads; a refusal costs nothing */
#endif

    c->text = c2h_nfcsv_open_reader(path, NFCAPD_HEADER, nfcapd_read, c, opts, err);
    if (c->text == NULL)
        goto fail;
    c2h_flowsrc *src = g_new0(c2h_flowsrc, 1);
    src->ops = &nfcapd_ops;
    src->name = g_strdup(path);
    src->impl = c;
    return src;
fail:
    nfcapd_free(c);
    return NULL;
}
