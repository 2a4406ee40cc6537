/* spill.c: see spill.h. */
#include "partition/spill.h"

#include "io/flowsrc.h" /* C2H_ERROR */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#define READ_EDGES 256 /* per run being merged: 18 KiB */

/* A run whose edges are all between IPv4 addresses is written in this form: 48 bytes an edge
 * instead of 72 (the 12-byte mapped prefixes left out), a third less to write and read back
 * (pass 1 of a large archive spills a few bytes a flow). */
typedef struct edge4 {
    uint32_t src, dst;
    int64_t first_ms, last_ms;
    uint64_t flows, bytes;
    uint32_t ports, hours;
} edge4;
G_STATIC_ASSERT(sizeof(edge4) == 48);

struct c2h_spill {
    char *dir, *tag;
    GPtrArray *runs; /* paths */
    GArray *v4;      /* gboolean a run: written as edge4 */
    guint64 bytes;
};

static edge4 to_edge4(const c2h_edge *e)
{
    return (edge4){c2h_addr_v4(&e->src), c2h_addr_v4(&e->dst), e->first_ms, e->last_ms, e->flows, e->bytes, e->ports,
                   e->hours};
}

static c2h_edge from_edge4(const edge4 *x)
{
    return (c2h_edge){.src = c2h_addr_from_v4(x->src), .dst = c2h_addr_from_v4(x->dst), .first_ms = x->first_ms,
                      .last_ms = x->last_ms, .flows = x->flows, .bytes = x->bytes, .ports = x->ports, .hours = x->hours};
}

static gboolean is_v4_edge(const c2h_edge *e)
{
    return c2h_addr_is_v4(&e->src) && c2h_addr_is_v4(&e->dst);
}

/* Write e to f in the run's form. */
static gboolean put_edge(FILE *f, const c2h_edge *e, gboolean v4)
{
    if (!v4)
        return fwrite(e, sizeof *e, 1, f) == 1;
    edge4 x = to_edge4(e);
    return fwrite(&x, sizeof x, 1, f) == 1;
}

c2h_spill *c2h_spill_new(const char *dir, const char *tag)
{
    c2h_spill *s = g_new0(c2h_spill, 1);
    s->dir = g_strdup(dir);
    s->tag = g_strdup(tag);
    s->runs = g_ptr_array_new_with_free_func(g_free);
    s->v4 = g_array_new(FALSE, FALSE, sizeof(gboolean));
    return s;
}

void c2h_spill_free(c2h_spill *s)
{
    if (s == NULL)
        return;
    for (guint i = 0; i < s->runs->len; i++)
        unlink(s->runs->pdata[i]);
    g_ptr_array_free(s->runs, TRUE);
    g_array_free(s->v4, TRUE);
    g_free(s->dir);
    g_free(s->tag);
    g_free(s);
}

guint c2h_spill_runs(const c2h_spill *s) { return s->runs->len; }
guint64 c2h_spill_bytes(const c2h_spill *s) { return s->bytes; }

/* A new run file, open for writing. @return its FILE and path, or NULL with err. */
static FILE *run_create(c2h_spill *s, char **path, GError **err)
{
    *path = g_strdup_printf("%s/%s-XXXXXX", s->dir, s->tag);
    int fd = g_mkstemp_full(*path, O_RDWR | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (f == NULL) {
        int e = errno;
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot create a spill file: %s", *path, g_strerror(e));
        if (fd >= 0) {
            close(fd);
            unlink(*path);
        }
        g_clear_pointer(path, g_free);
        return NULL;
    }
    return f;
}

/* Close a run being written. @return FALSE (file removed, err set) when a write failed. */
static gboolean run_finish(c2h_spill *s, FILE *f, char *path, gboolean v4, gboolean ok, GError **err)
{
    int e = ok ? 0 : errno;
    if (fflush(f) != 0 && ok)
        e = errno, ok = FALSE;
    if (fclose(f) != 0 && ok)
        e = errno, ok = FALSE;
    if (!ok) {
        if (err && *err == NULL)
            g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot write spilled edges: %s", path,
                        g_strerror(e ? e : EIO));
        unlink(path);
        g_free(path);
        return FALSE;
    }
    g_ptr_array_add(s->runs, path);
    g_array_append_val(s->v4, v4);
    return TRUE;
}

gboolean c2h_spill_set(c2h_spill *s, c2h_edgeset *set, GError **err)
{
    GArray *a = c2h_edgeset_sorted(set, c2h_edge_cmp_dst);
    c2h_edgeset_clear(set);
    char *path = NULL;
    FILE *f = run_create(s, &path, err);
    gboolean ok = f != NULL;
    gboolean v4 = TRUE;
    for (guint i = 0; i < a->len && v4; i++)
        v4 = is_v4_edge(&g_array_index(a, c2h_edge, i));
    if (ok && v4) {
        edge4 x[READ_EDGES];
        for (guint i = 0; ok && i < a->len; i += READ_EDGES) {
            guint n = MIN(READ_EDGES, a->len - i);
            for (guint j = 0; j < n; j++)
                x[j] = to_edge4(&g_array_index(a, c2h_edge, i + j));
            ok = fwrite(x, sizeof(edge4), n, f) == n;
        }
        s->bytes += (guint64)a->len * sizeof(edge4);
    } else if (ok) {
        ok = fwrite(a->data, sizeof(c2h_edge), a->len, f) == a->len;
        s->bytes += (guint64)a->len * sizeof(c2h_edge);
    }
    if (f != NULL)
        ok = run_finish(s, f, path, v4, ok, err);
    g_array_free(a, TRUE);
    return ok;
}

/* ---- merging ---------------------------------------------------------------------- */

typedef struct reader {
    FILE *f;
    const char *path;
    gboolean v4;
    c2h_edge buf[READ_EDGES];
    gsize n, pos;
} reader;

/* Up to READ_EDGES edges of the run into buf. @return how many. */
static gsize read_edges(FILE *f, gboolean v4, c2h_edge *buf)
{
    if (!v4)
        return fread(buf, sizeof(c2h_edge), READ_EDGES, f);
    edge4 x[READ_EDGES];
    gsize n = fread(x, sizeof(edge4), READ_EDGES, f);
    for (gsize i = 0; i < n; i++)
        buf[i] = from_edge4(&x[i]);
    return n;
}

/* @return the reader's next edge, NULL at the end (or on a read error, with *failed). */
static const c2h_edge *reader_peek(reader *r, gboolean *failed)
{
    if (r->pos == r->n) {
        r->n = read_edges(r->f, r->v4, r->buf);
        r->pos = 0;
        if (r->n == 0) {
            if (ferror(r->f))
                *failed = TRUE;
            return NULL;
        }
    }
    return &r->buf[r->pos];
}

typedef gboolean (*emit_fn)(const c2h_edge *e, void *ud);

/* Merge runs[0..n) (by dst, src; v4[i]: run i is written as edge4), combining each pair,
 * into emit. */
static gboolean merge_runs(char **paths, const gboolean *v4, guint n, emit_fn emit, void *ud, GError **err)
{
    reader *rd = g_new0(reader, n);
    guint *heap = g_new(guint, n); /* reader indices, min-heap on their next edge */
    guint hn = 0;
    gboolean failed = FALSE, ok = TRUE;
    for (guint i = 0; i < n && ok; i++) {
        rd[i].path = paths[i];
        rd[i].v4 = v4[i];
        rd[i].f = fopen(paths[i], "rb");
        if (rd[i].f == NULL) {
            int e = errno;
            g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot read spilled edges: %s", paths[i], g_strerror(e));
            ok = FALSE;
        }
    }
#define KEY(i) reader_peek(&rd[heap[i]], &failed)
    for (guint i = 0; ok && i < n; i++) {
        if (reader_peek(&rd[i], &failed) == NULL)
            continue;
        guint c = hn++; /* sift up */
        heap[c] = i;
        while (c > 0 && c2h_edge_cmp_dst(KEY(c), KEY((c - 1) / 2)) < 0) {
            guint t = heap[c], p = (c - 1) / 2;
            heap[c] = heap[p];
            heap[p] = t;
            c = p;
        }
    }
    c2h_edge acc = {0};
    gboolean have = FALSE;
    while (ok && hn > 0 && !failed) {
        reader *top = &rd[heap[0]];
        const c2h_edge *e = &top->buf[top->pos];
        if (have && memcmp(&acc, e, 2 * sizeof(c2h_addr)) == 0) {
            c2h_edge_merge(&acc, e);
        } else {
            if (have && !emit(&acc, ud))
                ok = FALSE;
            acc = *e;
            have = TRUE;
        }
        top->pos++;
        if (reader_peek(top, &failed) == NULL)
            heap[0] = heap[--hn];
        for (guint c = 0;;) { /* sift down */
            guint l = 2 * c + 1, r = l + 1, m = c;
            if (l < hn && c2h_edge_cmp_dst(KEY(l), KEY(m)) < 0)
                m = l;
            if (r < hn && c2h_edge_cmp_dst(KEY(r), KEY(m)) < 0)
                m = r;
            if (m == c)
                break;
            guint t = heap[c];
            heap[c] = heap[m];
            heap[m] = t;
            c = m;
        }
    }
#undef KEY
    if (ok && failed) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot read spilled edges", paths[0]);
        ok = FALSE;
    }
    if (ok && have && !emit(&acc, ud))
        ok = FALSE;
    for (guint i = 0; i < n; i++)
        if (rd[i].f)
            fclose(rd[i].f);
    g_free(rd);
    g_free(heap);
    return ok;
}

typedef struct to_file {
    FILE *f;
    gboolean v4, ok;
    guint64 *bytes;
} to_file;

static gboolean emit_to_file(const c2h_edge *e, void *ud)
{
    to_file *t = ud;
    t->ok = t->ok && put_edge(t->f, e, t->v4);
    *t->bytes += t->v4 ? sizeof(edge4) : sizeof *e;
    return t->ok;
}

/* Are runs [0, n) all written as edge4 (then so is what merging them gives)? */
static gboolean all_v4(const c2h_spill *s, guint n)
{
    for (guint i = 0; i < n; i++)
        if (!g_array_index(s->v4, gboolean, i))
            return FALSE;
    return TRUE;
}

typedef struct filter_to_file {
    gboolean (*keep)(const c2h_edge *e, void *ud);
    void *ud;
    to_file *t;
} filter_to_file;

static gboolean emit_kept_to_file(const c2h_edge *e, void *ud)
{
    filter_to_file *f = ud;
    return f->keep(e, f->ud) ? emit_to_file(e, f->t) : TRUE;
}

/* Fold the runs C2H_SPILL_FANIN at a time until at most C2H_SPILL_FANIN are left. */
static gboolean fold_runs(c2h_spill *s, GError **err)
{
    while (s->runs->len > C2H_SPILL_FANIN) {
        char *path = NULL;
        FILE *f = run_create(s, &path, err);
        if (f == NULL)
            return FALSE;
        to_file t = {f, all_v4(s, C2H_SPILL_FANIN), TRUE, &s->bytes};
        gboolean ok = merge_runs((char **)s->runs->pdata, (gboolean *)(void *)s->v4->data, C2H_SPILL_FANIN,
                                 emit_to_file, &t, err);
        if (!run_finish(s, f, path, t.v4, ok && t.ok, err))
            return FALSE;
        for (guint i = 0; i < C2H_SPILL_FANIN; i++)
            unlink(s->runs->pdata[i]);
        g_ptr_array_remove_range(s->runs, 0, C2H_SPILL_FANIN);
        g_array_remove_range(s->v4, 0, C2H_SPILL_FANIN);
    }
    return TRUE;
}

gboolean c2h_spill_compact(c2h_spill *s, gboolean (*keep)(const c2h_edge *e, void *ud), void *ud, GError **err)
{
    if (!fold_runs(s, err))
        return FALSE;
    char *path = NULL;
    FILE *f = run_create(s, &path, err);
    if (f == NULL)
        return FALSE;
    guint n = s->runs->len;
    to_file t = {f, all_v4(s, n), TRUE, &s->bytes};
    filter_to_file ft = {keep, ud, &t};
    gboolean ok = merge_runs((char **)s->runs->pdata, (gboolean *)(void *)s->v4->data, n, emit_kept_to_file, &ft,
                             err);
    if (!run_finish(s, f, path, t.v4, ok && t.ok, err))
        return FALSE;
    for (guint i = 0; i < n; i++)
        unlink(s->runs->pdata[i]);
    g_ptr_array_remove_range(s->runs, 0, n);
    g_array_remove_range(s->v4, 0, n);
    return TRUE;
}

gboolean c2h_spill_each_dst(c2h_spill *s, void (*fn)(const GArray *edges, void *ud), void *ud, GError **err)
{
    g_return_val_if_fail(s->runs->len <= 1, FALSE);
    if (s->runs->len == 0)
        return TRUE;
    const char *path = s->runs->pdata[0];
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        int e = errno;
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot read spilled edges: %s", path, g_strerror(e));
        return FALSE;
    }
    GArray *batch = g_array_new(FALSE, FALSE, sizeof(c2h_edge));
    c2h_edge buf[READ_EDGES];
    gsize n;
    gboolean v4 = g_array_index(s->v4, gboolean, 0);
    while ((n = read_edges(f, v4, buf)) > 0) {
        for (gsize i = 0; i < n; i++) {
            /* a batch ends only where a dst group ends */
            if (batch->len >= READ_EDGES &&
                c2h_addr_cmp(&g_array_index(batch, c2h_edge, batch->len - 1).dst, &buf[i].dst) != 0) {
                fn(batch, ud);
                g_array_set_size(batch, 0);
            }
            g_array_append_vals(batch, &buf[i], 1);
        }
    }
    gboolean ok = !ferror(f);
    if (ok && batch->len)
        fn(batch, ud);
    if (!ok)
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot read spilled edges", path);
    fclose(f);
    g_array_free(batch, TRUE);
    return ok;
}
