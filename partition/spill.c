/* spill.c: see spill.h. */
#include "partition/spill.h"

#include "io/flowsrc.h" /* C2H_ERROR */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#define READ_EDGES 256 /* per run being merged: 18 KiB */

/* A run whose edges are all between IPv4 addresses is written coded: each edge as varints
 * of its differences from the edge before it in the run (runs are sorted by dst, then src:
 * the destination repeats, the source grows, the counts are small), about 18 bytes an edge
 * instead of 72 (on the large preset, 33 MB a rank where 48-byte edges took 85 MiB), so
 * the disk a rank needs falls to a quarter; the time spilling takes is now mostly sorting
 * and merging, not writing. Differences wrap
 * (uint32, uint64), so any order of edges decodes exactly; sorting only makes them short. */
#define CODED_MAX 60 /* the longest coded edge: 2 x 5 + 4 x 10 + 2 x 5 bytes */

typedef struct coder {
    uint32_t dst, src; /* of the edge before */
    int64_t first_ms;
} coder;

static gsize put_varint(uint8_t *out, uint64_t v)
{
    gsize n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

/* @return the bytes read, 0 when the varint runs past end or past 64 bits. */
static gsize get_varint(const uint8_t *in, const uint8_t *end, uint64_t *v)
{
    uint64_t x = 0;
    for (gsize n = 0; n < 10 && in + n < end; n++) {
        x |= (uint64_t)(in[n] & 0x7f) << (7 * n);
        if (!(in[n] & 0x80)) {
            *v = x;
            return n + 1;
        }
    }
    return 0;
}

static uint64_t zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static gsize encode_edge(uint8_t *out, const c2h_edge *e, coder *c)
{
    uint32_t dst = c2h_addr_v4(&e->dst), src = c2h_addr_v4(&e->src);
    gsize n = put_varint(out, (uint32_t)(dst - c->dst));
    n += put_varint(out + n, dst == c->dst ? (uint32_t)(src - c->src) : src);
    n += put_varint(out + n, zigzag((int64_t)((uint64_t)e->first_ms - (uint64_t)c->first_ms)));
    n += put_varint(out + n, zigzag((int64_t)((uint64_t)e->last_ms - (uint64_t)e->first_ms)));
    n += put_varint(out + n, e->flows);
    n += put_varint(out + n, e->bytes);
    n += put_varint(out + n, e->ports);
    n += put_varint(out + n, e->hours);
    c->dst = dst;
    c->src = src;
    c->first_ms = e->first_ms;
    return n;
}

/* @return the bytes of the coded edge at in, 0 when it is cut short or not one. */
static gsize decode_edge(const uint8_t *in, const uint8_t *end, c2h_edge *e, coder *c)
{
    uint64_t v[8];
    gsize n = 0;
    for (int k = 0; k < 8; k++) {
        gsize m = get_varint(in + n, end, &v[k]);
        if (m == 0)
            return 0;
        n += m;
    }
    if (v[0] > UINT32_MAX || v[1] > UINT32_MAX || v[6] > UINT32_MAX || v[7] > UINT32_MAX)
        return 0;
    uint32_t dst = c->dst + (uint32_t)v[0];
    uint32_t src = v[0] == 0 ? c->src + (uint32_t)v[1] : (uint32_t)v[1];
    int64_t first = (int64_t)((uint64_t)c->first_ms + (uint64_t)unzigzag(v[2]));
    *e = (c2h_edge){.src = c2h_addr_from_v4(src), .dst = c2h_addr_from_v4(dst), .first_ms = first,
                    .last_ms = (int64_t)((uint64_t)first + (uint64_t)unzigzag(v[3])), .flows = v[4],
                    .bytes = v[5], .ports = (uint32_t)v[6], .hours = (uint32_t)v[7]};
    c->dst = dst;
    c->src = src;
    c->first_ms = first;
    return n;
}

static gboolean is_v4_edge(const c2h_edge *e)
{
    return c2h_addr_is_v4(&e->src) && c2h_addr_is_v4(&e->dst);
}

struct c2h_spill {
    char *dir, *tag;
    GPtrArray *runs; /* paths */
    GArray *v4;      /* gboolean a run: IPv4 edges, coded */
    guint64 bytes;
};

/* A run being written: coded (v4) or as c2h_edge, through a buffer. */
typedef struct run_out {
    FILE *f;
    gboolean v4, ok;
    coder c;
    uint8_t buf[16384];
    gsize n;
    guint64 bytes;
} run_out;

static void out_flush(run_out *o)
{
    o->ok = o->ok && fwrite(o->buf, 1, o->n, o->f) == o->n;
    o->bytes += o->n;
    o->n = 0;
}

static void out_put(run_out *o, const c2h_edge *e)
{
    if (o->n + MAX(CODED_MAX, sizeof *e) > sizeof o->buf)
        out_flush(o);
    if (o->v4) {
        o->n += encode_edge(o->buf + o->n, e, &o->c);
    } else {
        memcpy(o->buf + o->n, e, sizeof *e);
        o->n += sizeof *e;
    }
}

/* A run being read. */
typedef struct run_in {
    FILE *f;
    gboolean v4, bad; /* bad: a coded edge cut short or malformed */
    coder c;
    uint8_t buf[16384];
    gsize pos, n;
} run_in;

/* Up to READ_EDGES edges of the run into out. @return how many: 0 at the end, or when the
 * file cannot be read (ferror) or holds a bad edge (in->bad). */
static gsize in_read(run_in *in, c2h_edge *out)
{
    if (!in->v4) {
        gsize k = fread(out, sizeof(c2h_edge), READ_EDGES, in->f);
        /* fread drops a last edge cut short: the file's length says so */
        if (k < READ_EDGES && feof(in->f) && ftell(in->f) % (long)sizeof(c2h_edge) != 0)
            in->bad = TRUE;
        return in->bad ? 0 : k;
    }
    gsize k = 0;
    while (k < READ_EDGES && !in->bad) {
        if (in->n - in->pos < CODED_MAX && !feof(in->f) && !ferror(in->f)) {
            memmove(in->buf, in->buf + in->pos, in->n - in->pos);
            in->n -= in->pos;
            in->pos = 0;
            in->n += fread(in->buf + in->n, 1, sizeof in->buf - in->n, in->f);
        }
        if (in->pos == in->n)
            break;
        gsize m = decode_edge(in->buf + in->pos, in->buf + in->n, &out[k], &in->c);
        if (m == 0) {
            in->bad = TRUE;
            break;
        }
        in->pos += m;
        k++;
    }
    return k;
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
    if (ok) {
        run_out *o = g_new0(run_out, 1);
        *o = (run_out){.f = f, .v4 = v4, .ok = TRUE};
        for (guint i = 0; i < a->len; i++)
            out_put(o, &g_array_index(a, c2h_edge, i));
        out_flush(o);
        s->bytes += o->bytes;
        ok = run_finish(s, f, path, v4, o->ok, err);
        g_free(o);
    }
    g_array_free(a, TRUE);
    return ok;
}

/* ---- merging ---------------------------------------------------------------------- */

typedef struct reader {
    run_in in;
    const char *path;
    c2h_edge buf[READ_EDGES];
    gsize n, pos;
} reader;

/* @return the reader's next edge, NULL at the end (or on a read error, with *failed). */
static const c2h_edge *reader_peek(reader *r, gboolean *failed)
{
    if (r->pos == r->n) {
        r->n = in_read(&r->in, r->buf);
        r->pos = 0;
        if (r->n == 0) {
            if (ferror(r->in.f) || r->in.bad)
                *failed = TRUE;
            return NULL;
        }
    }
    return &r->buf[r->pos];
}

typedef gboolean (*emit_fn)(const c2h_edge *e, void *ud);

/* Merge runs[0..n) (by dst, src; v4[i]: run i is coded), combining each pair,
 * into emit. */
static gboolean merge_runs(char **paths, const gboolean *v4, guint n, emit_fn emit, void *ud, GError **err)
{
    reader *rd = g_new0(reader, n); /* 34 KiB each */
    guint *heap = g_new(guint, n); /* reader indices, min-heap on their next edge */
    guint hn = 0;
    gboolean failed = FALSE, ok = TRUE;
    for (guint i = 0; i < n && ok; i++) {
        rd[i].path = paths[i];
        rd[i].in.v4 = v4[i];
        rd[i].in.f = fopen(paths[i], "rb");
        if (rd[i].in.f == NULL) {
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
        if (rd[i].in.f)
            fclose(rd[i].in.f);
    g_free(rd);
    g_free(heap);
    return ok;
}

/* Are runs [0, n) all coded (then so is what merging them gives)? */
static gboolean all_v4(const c2h_spill *s, guint n)
{
    for (guint i = 0; i < n; i++)
        if (!g_array_index(s->v4, gboolean, i))
            return FALSE;
    return TRUE;
}

/* Where merged edges go: the new run, those that keep (when not NULL) accepts. */
typedef struct to_run {
    run_out *o;
    gboolean (*keep)(const c2h_edge *e, void *ud);
    void *ud;
} to_run;

static gboolean emit_to_run(const c2h_edge *e, void *ud)
{
    to_run *t = ud;
    if (t->keep == NULL || t->keep(e, t->ud))
        out_put(t->o, e);
    return t->o->ok;
}

/* Merge the first n runs into one new run (of the edges keep accepts, when not NULL), which
 * takes their place at the end of the list. */
static gboolean merge_first(c2h_spill *s, guint n, gboolean (*keep)(const c2h_edge *e, void *ud), void *ud,
                            GError **err)
{
    char *path = NULL;
    FILE *f = run_create(s, &path, err);
    if (f == NULL)
        return FALSE;
    run_out *o = g_new0(run_out, 1);
    *o = (run_out){.f = f, .v4 = all_v4(s, n), .ok = TRUE};
    to_run t = {o, keep, ud};
    gboolean ok = merge_runs((char **)s->runs->pdata, (gboolean *)(void *)s->v4->data, n, emit_to_run, &t, err);
    out_flush(o);
    s->bytes += o->bytes;
    ok = run_finish(s, f, path, o->v4, ok && o->ok, err);
    g_free(o);
    if (!ok)
        return FALSE;
    for (guint i = 0; i < n; i++)
        unlink(s->runs->pdata[i]);
    g_ptr_array_remove_range(s->runs, 0, n);
    g_array_remove_range(s->v4, 0, n);
    return TRUE;
}

gboolean c2h_spill_compact(c2h_spill *s, gboolean (*keep)(const c2h_edge *e, void *ud), void *ud, GError **err)
{
    /* C2H_SPILL_FANIN at a time until at most that many are left, then all at once */
    while (s->runs->len > C2H_SPILL_FANIN)
        if (!merge_first(s, C2H_SPILL_FANIN, NULL, NULL, err))
            return FALSE;
    return merge_first(s, s->runs->len, keep, ud, err);
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
    run_in *in = g_new0(run_in, 1);
    *in = (run_in){.f = f, .v4 = g_array_index(s->v4, gboolean, 0)};
    while ((n = in_read(in, buf)) > 0) {
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
    gboolean ok = !ferror(f) && !in->bad;
    g_free(in);
    if (ok && batch->len)
        fn(batch, ud);
    if (!ok)
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot read spilled edges", path);
    fclose(f);
    g_array_free(batch, TRUE);
    return ok;
}
