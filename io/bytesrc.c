/* bytesrc.c: plain or gzip input bytes (see bytesrc.h). */
#include "io/bytesrc.h"
#include "io/flowsrc.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <unistd.h>

#define BYTESRC_BLOCK ((gsize)1 << 18) /* compressed bytes asked of each read */
#define STDIN_NAME "(standard input)"

struct c2h_bytesrc {
    int fd;
    gboolean close_fd;
    char *name;
    guint64 file_bytes;   /* bytes read from fd */
    guint64 used_bytes;   /* of those, bytes handed on (plain) or given to the decompressor (gzip) */
    guint8 *in;           /* bytes read from fd and not yet used: in[in_pos, in_len) */
    gsize in_pos, in_len;
    gboolean eof;         /* read(fd) returned 0 */
    GConverter *gz;       /* NULL for plain input */
    gboolean in_member;   /* inside a gzip member (its end not yet seen) */
};

static gboolean fill(c2h_bytesrc *s, GError **err)
{
    if (s->in_pos > 0) { /* keep what is left at the front */
        memmove(s->in, s->in + s->in_pos, s->in_len - s->in_pos);
        s->in_len -= s->in_pos;
        s->in_pos = 0;
    }
    if (s->in_len == BYTESRC_BLOCK)
        return TRUE; /* full: the caller has BYTESRC_BLOCK bytes to use */
    for (;;) {
        gssize n = read(s->fd, s->in + s->in_len, BYTESRC_BLOCK - s->in_len);
        if (n >= 0) {
            if (n == 0)
                s->eof = TRUE;
            s->in_len += (gsize)n;
            s->file_bytes += (guint64)n;
            return TRUE;
        }
        if (errno == EINTR)
            continue;
        int e = errno;
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: read failed: %s", s->name, g_strerror(e));
        return FALSE;
    }
}

c2h_bytesrc *c2h_bytesrc_open(const char *path, GError **err)
{
    g_return_val_if_fail(path != NULL, NULL);
    c2h_bytesrc *s = g_new0(c2h_bytesrc, 1);
    if (strcmp(path, "-") == 0) {
        s->fd = STDIN_FILENO;
        s->name = g_strdup(STDIN_NAME);
    } else {
        s->name = g_strdup(path);
        s->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (s->fd < 0) {
            int e = errno;
            g_set_error(err, C2H_ERROR, e == ENOENT || e == ENOTDIR ? C2H_ERROR_INPUT : C2H_ERROR_IO,
                        "cannot open '%s': %s", path, g_strerror(e));
            g_free(s->name);
            g_free(s);
            return NULL;
        }
        s->close_fd = TRUE;
        (void)posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    s->in = g_malloc(BYTESRC_BLOCK);
    /* The first two bytes decide: gzip's magic, or plain. */
    while (s->in_len < 2 && !s->eof)
        if (!fill(s, err)) {
            c2h_bytesrc_close(s);
            return NULL;
        }
    if (s->in_len >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b) {
        s->gz = G_CONVERTER(g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP));
        s->in_member = TRUE;
    }
    return s;
}

static gssize read_plain(c2h_bytesrc *s, guint8 *buf, gsize len, GError **err)
{
    if (s->in_pos == s->in_len && !s->eof && !fill(s, err))
        return -1;
    gsize n = MIN(len, s->in_len - s->in_pos);
    memcpy(buf, s->in + s->in_pos, n);
    s->in_pos += n;
    s->used_bytes += n;
    return (gssize)n;
}

static gssize read_gzip(c2h_bytesrc *s, guint8 *buf, gsize len, GError **err)
{
    for (;;) {
        if (s->in_pos == s->in_len && !s->eof && !fill(s, err))
            return -1;
        gsize avail = s->in_len - s->in_pos;
        if (!s->in_member) {
            if (avail == 0) /* the end, after a whole member */
                return 0;
            g_converter_reset(s->gz); /* another member follows */
            s->in_member = TRUE;
        }
        gsize got = 0, made = 0;
        GError *e = NULL;
        GConverterResult r = g_converter_convert(s->gz, s->in + s->in_pos, avail, buf, len,
                                                 s->eof ? G_CONVERTER_INPUT_AT_END : G_CONVERTER_NO_FLAGS, &got,
                                                 &made, &e);
        if (r == G_CONVERTER_ERROR) {
            if (g_error_matches(e, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT) && !s->eof && avail < BYTESRC_BLOCK) {
                g_error_free(e); /* needs more input than we have: read on */
                if (!fill(s, err))
                    return -1;
                continue;
            }
            if (g_error_matches(e, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
                g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,
                            "%s: truncated gzip data (the file ends at byte %" G_GUINT64_FORMAT " inside a member)",
                            s->name, s->file_bytes);
            else
                g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: corrupt gzip data near byte %" G_GUINT64_FORMAT ": %s",
                            s->name, s->used_bytes, e->message);
            g_error_free(e);
            return -1;
        }
        s->in_pos += got;
        s->used_bytes += got;
        if (r == G_CONVERTER_FINISHED)
            s->in_member = FALSE;
        if (made > 0)
            return (gssize)made;
        if (got == 0 && s->eof && s->in_member) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,
                        "%s: truncated gzip data (the file ends at byte %" G_GUINT64_FORMAT " inside a member)", s->name,
                        s->file_bytes);
            return -1;
        }
    }
}

gssize c2h_bytesrc_read(c2h_bytesrc *s, void *buf, gsize len, GError **err)
{
    if (len == 0)
        return 0;
    return s->gz ? read_gzip(s, buf, len, err) : read_plain(s, buf, len, err);
}

const char *c2h_bytesrc_name(const c2h_bytesrc *s)
{
    return s->name;
}

gboolean c2h_bytesrc_is_gzip(const c2h_bytesrc *s)
{
    return s->gz != NULL;
}

guint64 c2h_bytesrc_file_bytes(const c2h_bytesrc *s)
{
    return s->file_bytes;
}

void c2h_bytesrc_close(c2h_bytesrc *s)
{
    if (s == NULL)
        return;
    if (s->close_fd && s->fd >= 0)
        close(s->fd);
    if (s->gz)
        g_object_unref(s->gz);
    g_free(s->in);
    g_free(s->name);
    g_free(s);
}
