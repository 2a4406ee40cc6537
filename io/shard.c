/* shard.c: writer and reader of one HDF5 shard (layout in shard.h). */
#include "io/shard.h"

#include "io/h5zstd.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <zstd.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const col_names[C2H_NCOLS] = {
    "start_ms", "end_ms", "src_addr", "dst_addr", "src_port", "dst_port", "protocol", "tcp_flags", "packets", "bytes",
};

const char *c2h_col_name(c2h_col c)
{
    g_assert(c < C2H_NCOLS);
    return col_names[c];
}

size_t c2h_col_width(c2h_col c, int family)
{
    switch (c) {
    case C2H_COL_START_MS:
    case C2H_COL_END_MS:
    case C2H_COL_PACKETS:
    case C2H_COL_BYTES:
        return 8;
    case C2H_COL_SRC_ADDR:
    case C2H_COL_DST_ADDR:
        return family == C2H_FAMILY_V4 ? 4 : 16;
    case C2H_COL_SRC_PORT:
    case C2H_COL_DST_PORT:
        return 2;
    case C2H_COL_PROTOCOL:
    case C2H_COL_TCP_FLAGS:
        return 1;
    default:
        g_assert_not_reached();
    }
}

size_t c2h_row_width(int family)
{
    size_t w = 0;
    for (int c = 0; c < C2H_NCOLS; c++)
        w += c2h_col_width((c2h_col)c, family);
    return w;
}

void c2h_shard_info_clear(c2h_shard_info *info)
{
    g_clear_pointer(&info->file, g_free);
}

/* ---- HDF5 plumbing ---------------------------------------------------------------- */

static herr_t collect_h5_error(unsigned n, const H5E_error2_t *e, void *ud)
{
    GString *s = ud;
    (void)n;
    if (e->desc && *e->desc && s->len < 400)
        g_string_append_printf(s, "%s%s", s->len ? "; " : "", e->desc);
    return 0;
}

/* The innermost HDF5 error messages of the current stack, for our own message. Caller frees. */
static char *h5_error_detail(void)
{
    GString *s = g_string_new(NULL);
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect_h5_error, s);
    H5Eclear2(H5E_DEFAULT);
    if (s->len == 0)
        g_string_append(s, "HDF5 call failed");
    return g_string_free(s, FALSE);
}

gboolean c2h_h5_init(GError **err)
{
    /* Our messages name the file and dataset; HDF5's own stack dumps would only confuse. */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (H5Zregister(&c2h_h5z_zstd_class) < 0 || H5Zfilter_avail(C2H_H5Z_ZSTD) <= 0) {
        g_autofree char *d = h5_error_detail();
        g_set_error(err, C2H_ERROR, C2H_ERROR_INTERNAL, "cannot register the zstd HDF5 filter %d: %s", C2H_H5Z_ZSTD, d);
        return FALSE;
    }
    unsigned int cfg = 0;
    if (H5Zget_filter_info(C2H_H5Z_ZSTD, &cfg) < 0 || !(cfg & H5Z_FILTER_CONFIG_ENCODE_ENABLED) ||
        !(cfg & H5Z_FILTER_CONFIG_DECODE_ENABLED)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INTERNAL, "the zstd HDF5 filter %d cannot encode and decode",
                    C2H_H5Z_ZSTD);
        return FALSE;
    }
    return TRUE;
}

/* File type of column c in a shard of family; caller closes with H5Tclose. */
static hid_t col_file_type(c2h_col c, int family)
{
    switch (c) {
    case C2H_COL_START_MS:
    case C2H_COL_END_MS:
        return H5Tcopy(H5T_STD_I64LE);
    case C2H_COL_PACKETS:
    case C2H_COL_BYTES:
        return H5Tcopy(H5T_STD_U64LE);
    case C2H_COL_SRC_ADDR:
    case C2H_COL_DST_ADDR:
        if (family == C2H_FAMILY_V4)
            return H5Tcopy(H5T_STD_U32LE);
        else {
            hsize_t d = 16;
            return H5Tarray_create2(H5T_STD_U8LE, 1, &d);
        }
    case C2H_COL_SRC_PORT:
    case C2H_COL_DST_PORT:
        return H5Tcopy(H5T_STD_U16LE);
    default:
        return H5Tcopy(H5T_STD_U8LE);
    }
}

/* Memory type of column c; caller closes with H5Tclose. */
static hid_t col_mem_type(c2h_col c, int family)
{
    switch (c) {
    case C2H_COL_START_MS:
    case C2H_COL_END_MS:
        return H5Tcopy(H5T_NATIVE_INT64);
    case C2H_COL_PACKETS:
    case C2H_COL_BYTES:
        return H5Tcopy(H5T_NATIVE_UINT64);
    case C2H_COL_SRC_ADDR:
    case C2H_COL_DST_ADDR:
        if (family == C2H_FAMILY_V4)
            return H5Tcopy(H5T_NATIVE_UINT32);
        else {
            hsize_t d = 16;
            return H5Tarray_create2(H5T_NATIVE_UINT8, 1, &d);
        }
    case C2H_COL_SRC_PORT:
    case C2H_COL_DST_PORT:
        return H5Tcopy(H5T_NATIVE_UINT16);
    default:
        return H5Tcopy(H5T_NATIVE_UINT8);
    }
}

/* Copy field c of flows[0..n) into the column buffer col (row width w). */
static void gather_col(c2h_col c, int family, const c2h_flow *flows, gsize n, uint8_t *col)
{
    for (gsize i = 0; i < n; i++) {
        const c2h_flow *f = &flows[i];
        switch (c) {
        case C2H_COL_START_MS: memcpy(col + 8 * i, &f->start_ms, 8); break;
        case C2H_COL_END_MS: memcpy(col + 8 * i, &f->end_ms, 8); break;
        case C2H_COL_PACKETS: memcpy(col + 8 * i, &f->packets, 8); break;
        case C2H_COL_BYTES: memcpy(col + 8 * i, &f->bytes, 8); break;
        case C2H_COL_SRC_ADDR:
        case C2H_COL_DST_ADDR: {
            const c2h_addr *a = c == C2H_COL_SRC_ADDR ? &f->src : &f->dst;
            if (family == C2H_FAMILY_V4) {
                uint32_t v = c2h_addr_v4(a);
                memcpy(col + 4 * i, &v, 4);
            } else {
                memcpy(col + 16 * i, a->b, 16);
            }
            break;
        }
        case C2H_COL_SRC_PORT: memcpy(col + 2 * i, &f->sport, 2); break;
        case C2H_COL_DST_PORT: memcpy(col + 2 * i, &f->dport, 2); break;
        case C2H_COL_PROTOCOL: col[i] = f->proto; break;
        case C2H_COL_TCP_FLAGS: col[i] = f->tcp_flags; break;
        default: g_assert_not_reached();
        }
    }
}

/* The inverse of gather_col. */
static void scatter_col(c2h_col c, int family, const uint8_t *col, gsize n, c2h_flow *flows)
{
    for (gsize i = 0; i < n; i++) {
        c2h_flow *f = &flows[i];
        switch (c) {
        case C2H_COL_START_MS: memcpy(&f->start_ms, col + 8 * i, 8); break;
        case C2H_COL_END_MS: memcpy(&f->end_ms, col + 8 * i, 8); break;
        case C2H_COL_PACKETS: memcpy(&f->packets, col + 8 * i, 8); break;
        case C2H_COL_BYTES: memcpy(&f->bytes, col + 8 * i, 8); break;
        case C2H_COL_SRC_ADDR:
        case C2H_COL_DST_ADDR: {
            c2h_addr *a = c == C2H_COL_SRC_ADDR ? &f->src : &f->dst;
            if (family == C2H_FAMILY_V4) {
                uint32_t v;
                memcpy(&v, col + 4 * i, 4);
                *a = c2h_addr_from_v4(v);
            } else {
                memcpy(a->b, col + 16 * i, 16);
            }
            break;
        }
        case C2H_COL_SRC_PORT: memcpy(&f->sport, col + 2 * i, 2); break;
        case C2H_COL_DST_PORT: memcpy(&f->dport, col + 2 * i, 2); break;
        case C2H_COL_PROTOCOL: f->proto = col[i]; break;
        case C2H_COL_TCP_FLAGS: f->tcp_flags = col[i]; break;
        default: g_assert_not_reached();
        }
    }
}

static gboolean write_attr(hid_t loc, const char *name, hid_t file_type, hid_t mem_type, const void *v)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, file_type, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a < 0 ? -1 : H5Awrite(a, mem_type, v);
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(sp);
    return rc >= 0;
}

static gboolean read_attr(hid_t loc, const char *name, hid_t mem_type, void *v)
{
    if (H5Aexists(loc, name) <= 0)
        return FALSE;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0)
        return FALSE;
    hid_t sp = H5Aget_space(a);
    gboolean ok = H5Sget_simple_extent_npoints(sp) == 1 && H5Aread(a, mem_type, v) >= 0;
    H5Sclose(sp);
    H5Aclose(a);
    return ok;
}

/* ---- writer ----------------------------------------------------------------------- */

struct c2h_shard_writer {
    char *path;
    int family;
    guint chunk_rows;
    hid_t file, group;
    hid_t dset[C2H_NCOLS];
    uint8_t *buf[C2H_NCOLS]; /* one chunk of each column */
    guint fill;              /* rows in buf */
    guint64 rows;            /* rows written to the file */
    gint64 t_min, t_max;
    int fd;           /* the file's descriptor (HDF5's), for reserve(); -1: no reservations */
    guint64 reserved; /* bytes of the file that are allocated on disk ahead of the writes */
};

/* Room the file's metadata may need beyond its data: object headers, chunk B-trees. */
#define RESERVE_META ((guint64)64 << 10)

/* Make sure the disk has room for the file to grow to @need bytes, by allocating them ahead
 * (the file's size stays). A full disk then fails here, before HDF5 writes: HDF5 1.10 leaves
 * a file whose flush failed in a state it can neither close nor leave open (its H5Fclose
 * fails, "slist already enabled?", and closing it again at exit crashes). A file system
 * without fallocate gets no reservations. @return FALSE with err when there is no room. */
static gboolean reserve(c2h_shard_writer *w, guint64 need, GError **err)
{
    if (w->fd < 0 || need <= w->reserved)
        return TRUE;
    int e = fallocate(w->fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)need);
    if (e == 0) {
        w->reserved = need;
        return TRUE;
    }
    e = errno;
    if (e == EOPNOTSUPP || e == ENOSYS || e == EINVAL) {
        w->fd = -1;
        return TRUE;
    }
    g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot grow the shard to %" G_GUINT64_FORMAT " bytes: %s", w->path,
                need, g_strerror(e));
    return FALSE;
}

static void writer_close_h5(c2h_shard_writer *w)
{
    for (int c = 0; c < C2H_NCOLS; c++)
        if (w->dset[c] >= 0) {
            H5Dclose(w->dset[c]);
            w->dset[c] = -1;
        }
    if (w->group >= 0)
        H5Gclose(w->group);
    if (w->file >= 0)
        H5Fclose(w->file);
    w->group = w->file = -1;
}

static void writer_destroy(c2h_shard_writer *w)
{
    writer_close_h5(w);
    for (int c = 0; c < C2H_NCOLS; c++)
        g_free(w->buf[c]);
    g_free(w->path);
    g_free(w);
}

c2h_shard_writer *c2h_shard_writer_create(const char *path, int family, guint chunk_rows, int zstd_level,
                                          GError **err)
{
    g_return_val_if_fail(family == C2H_FAMILY_V4 || family == C2H_FAMILY_V6, NULL);
    if (chunk_rows == 0)
        chunk_rows = C2H_DEFAULT_CHUNK_ROWS;
    if (zstd_level == 0)
        zstd_level = C2H_DEFAULT_ZSTD_LEVEL;
    c2h_shard_writer *w = g_new0(c2h_shard_writer, 1);
    w->path = g_strdup(path);
    w->family = family;
    w->chunk_rows = chunk_rows;
    w->group = -1;
    w->t_min = G_MAXINT64;
    w->t_max = G_MININT64;
    for (int c = 0; c < C2H_NCOLS; c++)
        w->dset[c] = -1;

    w->file = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
    if (w->file < 0) {
        g_autofree char *d = h5_error_detail();
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot create shard: %s", path, d);
        writer_destroy(w);
        return NULL;
    }
    void *handle = NULL;
    w->fd = H5Fget_vfd_handle(w->file, H5P_DEFAULT, &handle) >= 0 && handle != NULL ? *(int *)handle : -1;
    if (!reserve(w, RESERVE_META, err)) {
        c2h_shard_writer_free(w);
        return NULL;
    }
    w->group = H5Gcreate2(w->file, "flows", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t dims = 0, maxdims = H5S_UNLIMITED, chunk = chunk_rows;
    unsigned int level = (unsigned int)zstd_level;
    hid_t space = H5Screate_simple(1, &dims, &maxdims);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    gboolean ok = w->group >= 0 && space >= 0 && dcpl >= 0 && H5Pset_chunk(dcpl, 1, &chunk) >= 0 &&
                  H5Pset_shuffle(dcpl) >= 0 && H5Pset_filter(dcpl, C2H_H5Z_ZSTD, H5Z_FLAG_MANDATORY, 1, &level) >= 0;
    for (int c = 0; ok && c < C2H_NCOLS; c++) {
        hid_t ft = col_file_type((c2h_col)c, family);
        w->dset[c] = H5Dcreate2(w->group, col_names[c], ft, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        H5Tclose(ft);
        ok = w->dset[c] >= 0;
        w->buf[c] = g_malloc((gsize)chunk_rows * c2h_col_width((c2h_col)c, family));
    }
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    if (!ok) {
        g_autofree char *d = h5_error_detail();
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot create the datasets: %s", path, d);
        c2h_shard_writer_free(w);
        return NULL;
    }
    return w;
}

/* Write the buffered rows to the file. */
static gboolean writer_flush(c2h_shard_writer *w, GError **err)
{
    if (w->fill == 0)
        return TRUE;
    hsize_t start = w->rows, count = w->fill, total = w->rows + w->fill;
    hsize_t size = 0;
    if (H5Fget_filesize(w->file, &size) < 0)
        size = w->reserved;
    /* the rows as they are, plus some for a chunk zstd cannot shrink */
    guint64 data = (guint64)w->fill * c2h_row_width(w->family) + C2H_NCOLS * 1024;
    if (!reserve(w, (guint64)size + data + RESERVE_META, err))
        return FALSE;
    hid_t mspace = H5Screate_simple(1, &count, NULL);
    for (int c = 0; c < C2H_NCOLS; c++) {
        hid_t mt = col_mem_type((c2h_col)c, w->family);
        gboolean ok = H5Dset_extent(w->dset[c], &total) >= 0;
        hid_t fspace = ok ? H5Dget_space(w->dset[c]) : -1;
        ok = ok && fspace >= 0 && H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &count, NULL) >= 0 &&
             H5Dwrite(w->dset[c], mt, mspace, fspace, H5P_DEFAULT, w->buf[c]) >= 0;
        g_autofree char *d = ok ? NULL : h5_error_detail(); /* before H5Sclose clears the error stack */
        if (fspace >= 0)
            H5Sclose(fspace);
        H5Tclose(mt);
        if (!ok) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: dataset /flows/%s: cannot write rows %llu..%llu: %s",
                        w->path, col_names[c], (unsigned long long)start, (unsigned long long)(total - 1), d);
            H5Sclose(mspace);
            return FALSE;
        }
    }
    H5Sclose(mspace);
    w->rows = total;
    w->fill = 0;
    return TRUE;
}

gboolean c2h_shard_writer_append(c2h_shard_writer *w, const c2h_flow *flows, gsize n, GError **err)
{
    while (n > 0) {
        gsize take = MIN(n, (gsize)(w->chunk_rows - w->fill));
        for (int c = 0; c < C2H_NCOLS; c++) {
            size_t width = c2h_col_width((c2h_col)c, w->family);
            gather_col((c2h_col)c, w->family, flows, take, w->buf[c] + (size_t)w->fill * width);
        }
        for (gsize i = 0; i < take; i++) {
            g_assert(c2h_flow_family(&flows[i]) == w->family || w->family == C2H_FAMILY_V6);
            w->t_min = MIN(w->t_min, flows[i].start_ms);
            w->t_max = MAX(w->t_max, flows[i].start_ms);
        }
        w->fill += (guint)take;
        flows += take;
        n -= take;
        if (w->fill == w->chunk_rows && !writer_flush(w, err))
            return FALSE;
    }
    return TRUE;
}

guint64 c2h_shard_writer_rows(const c2h_shard_writer *w)
{
    return w->rows + w->fill;
}

gboolean c2h_shard_writer_finish(c2h_shard_writer *w, c2h_shard_info *info, GError **err)
{
    if (!writer_flush(w, err)) {
        c2h_shard_writer_free(w);
        return FALSE;
    }
    gint32 schema = C2H_SCHEMA_VERSION, family = w->family;
    guint64 rows = w->rows;
    gint64 tmin = rows ? w->t_min : 0, tmax = rows ? w->t_max : 0;
    hid_t root = w->file;
    gboolean ok = write_attr(root, "c2hunt_schema", H5T_STD_I32LE, H5T_NATIVE_INT32, &schema) &&
                  write_attr(root, "family", H5T_STD_I32LE, H5T_NATIVE_INT32, &family) &&
                  write_attr(root, "rows", H5T_STD_U64LE, H5T_NATIVE_UINT64, &rows) &&
                  write_attr(root, "t_min_ms", H5T_STD_I64LE, H5T_NATIVE_INT64, &tmin) &&
                  write_attr(root, "t_max_ms", H5T_STD_I64LE, H5T_NATIVE_INT64, &tmax);
    for (int c = 0; c < C2H_NCOLS; c++) {
        ok = ok && H5Dclose(w->dset[c]) >= 0;
        w->dset[c] = -1;
    }
    ok = ok && H5Gclose(w->group) >= 0;
    w->group = -1;
    ok = ok && H5Fclose(w->file) >= 0;
    w->file = -1;
    struct stat st;
    if (ok && stat(w->path, &st) != 0)
        ok = FALSE;
    if (ok && w->reserved > (guint64)st.st_size && truncate(w->path, st.st_size) != 0)
        ok = FALSE; /* gives back what was allocated ahead and not used */
    if (!ok) {
        g_autofree char *d = h5_error_detail();
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot finish shard: %s", w->path, d);
        c2h_shard_writer_free(w);
        return FALSE;
    }
    info->file = g_strdup(w->path);
    info->family = w->family;
    info->rows = rows;
    info->t_min_ms = tmin;
    info->t_max_ms = tmax;
    info->stored_bytes = (guint64)st.st_size;
    info->raw_bytes = rows * c2h_row_width(w->family);
    writer_destroy(w);
    return TRUE;
}

void c2h_shard_writer_free(c2h_shard_writer *w)
{
    if (w == NULL)
        return;
    writer_close_h5(w);
    unlink(w->path);
    writer_destroy(w);
}

/* ---- reader ----------------------------------------------------------------------- */

struct c2h_shard_reader {
    char *path;
    int family;
    guint64 rows;
    guint chunk_rows;
    hid_t file;
    hid_t dset[C2H_NCOLS];
    hid_t mtype[C2H_NCOLS];
    guint64 stored[C2H_NCOLS]; /* compressed bytes of each column */
    guint64 bytes_read;
    uint8_t *buf;              /* one column of the last read */
    gsize buf_size;
    /* c2h_shard_load */
    guint64 nchunks;
    gboolean direct[C2H_NCOLS]; /* stored as c2hunt writes it: read raw chunks */
    guint64 cur;                /* the chunk in the buffers' col[] */
    unsigned cur_mask;          /* its columns loaded whole */
    unsigned part_mask;         /* its columns loaded for some rows only (c2h_shard_load_rows) */
    c2h_shard_bufs *b;          /* the reader's own, or the caller's (reused from shard to shard) */
    gboolean own_bufs;
};

struct c2h_shard_bufs {
    uint8_t *col[C2H_NCOLS]; /* the loaded chunk of each column */
    gsize col_size[C2H_NCOLS];
    uint8_t *raw, *plain;    /* a compressed chunk; its shuffled bytes */
    gsize raw_size, plain_size;
    ZSTD_DCtx *dctx;
};

c2h_shard_bufs *c2h_shard_bufs_new(void)
{
    return g_new0(c2h_shard_bufs, 1);
}

void c2h_shard_bufs_free(c2h_shard_bufs *b)
{
    if (b == NULL)
        return;
    for (int c = 0; c < C2H_NCOLS; c++)
        g_free(b->col[c]);
    g_free(b->raw);
    g_free(b->plain);
    ZSTD_freeDCtx(b->dctx);
    g_free(b);
}

/* Make buf hold at least size bytes (its content is not kept). */
static uint8_t *grow(uint8_t **buf, gsize *have, gsize size)
{
    if (*have < size) {
        g_free(*buf);
        *buf = g_malloc(size);
        *have = size;
    }
    return *buf;
}

void c2h_shard_close(c2h_shard_reader *r)
{
    if (r == NULL)
        return;
    for (int c = 0; c < C2H_NCOLS; c++) {
        if (r->dset[c] >= 0)
            H5Dclose(r->dset[c]);
        if (r->mtype[c] >= 0)
            H5Tclose(r->mtype[c]);
    }
    if (r->file >= 0)
        H5Fclose(r->file);
    if (r->own_bufs)
        c2h_shard_bufs_free(r->b);
    g_free(r->buf);
    g_free(r->path);
    g_free(r);
}

/* Check that dataset c has the type, rank and length the schema says. */
static gboolean check_dataset(c2h_shard_reader *r, c2h_col c, GError **err)
{
    const char *name = col_names[c];
    hid_t ft = col_file_type(c, r->family);
    hid_t dt = H5Dget_type(r->dset[c]);
    hid_t sp = H5Dget_space(r->dset[c]);
    hsize_t dims[2] = {0, 0};
    int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    if (rank == 1)
        H5Sget_simple_extent_dims(sp, dims, NULL);
    gboolean same_type = dt >= 0 && H5Tget_class(dt) == H5Tget_class(ft) && H5Tget_size(dt) == H5Tget_size(ft) &&
                         (H5Tget_class(ft) != H5T_INTEGER || H5Tget_sign(dt) == H5Tget_sign(ft));
    if (sp >= 0)
        H5Sclose(sp);
    if (dt >= 0)
        H5Tclose(dt);
    H5Tclose(ft);
    if (!same_type) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: dataset /flows/%s: wrong type for a family %d shard",
                    r->path, name, r->family);
        return FALSE;
    }
    if (rank != 1) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: dataset /flows/%s: %d dimensions, expected 1", r->path,
                    name, rank);
        return FALSE;
    }
    if (dims[0] != r->rows) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,
                    "%s: dataset /flows/%s: %llu rows, but the shard says %llu (columns disagree)", r->path, name,
                    (unsigned long long)dims[0], (unsigned long long)r->rows);
        return FALSE;
    }
    return TRUE;
}

/* Is column c stored the way c2hunt writes it: chunks of chunk_rows rows, shuffle then zstd
 * (32015) and nothing else, in this machine's byte order? Then c2h_shard_load reads its chunks
 * raw. r->chunk_rows must be known (column 0 sets it). */
static gboolean stored_as_written(c2h_shard_reader *r, c2h_col c)
{
    hid_t dcpl = H5Dget_create_plist(r->dset[c]);
    hid_t dt = H5Dget_type(r->dset[c]);
    hsize_t chunk = 0;
    unsigned flags = 0, cd[8];
    size_t n0 = G_N_ELEMENTS(cd), n1 = G_N_ELEMENTS(cd);
    gboolean ok = dcpl >= 0 && dt >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED && H5Pget_chunk(dcpl, 1, &chunk) == 1 &&
                  chunk == r->chunk_rows && H5Pget_nfilters(dcpl) == 2 &&
                  H5Pget_filter2(dcpl, 0, &flags, &n0, cd, 0, NULL, NULL) == H5Z_FILTER_SHUFFLE &&
                  H5Pget_filter2(dcpl, 1, &flags, &n1, cd, 0, NULL, NULL) == C2H_H5Z_ZSTD &&
                  H5Tequal(dt, r->mtype[c]) > 0 && H5Tget_size(dt) == c2h_col_width(c, r->family);
    if (dt >= 0)
        H5Tclose(dt);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    H5Eclear2(H5E_DEFAULT);
    return ok;
}

c2h_shard_reader *c2h_shard_open(const char *path, GError **err)
{
    return c2h_shard_open_bufs(path, NULL, err);
}

/* Dataset access without HDF5's chunk cache: c2hunt reads each chunk once (raw, or through
 * H5Dread a chunk at a time), and the cache's table is allocated afresh at every open. */
static hid_t no_chunk_cache(void)
{
    static hid_t dapl = -1;
    if (dapl < 0) {
        dapl = H5Pcreate(H5P_DATASET_ACCESS);
        if (dapl < 0 || H5Pset_chunk_cache(dapl, 1, 0, 1.0) < 0) {
            H5Eclear2(H5E_DEFAULT);
            return H5P_DEFAULT;
        }
    }
    return dapl;
}

/* Open column c's dataset and check it (type, length, layout). Column 0 first: its chunk
 * size is the shard's. @return FALSE with err naming the file and the dataset. */
static gboolean open_col(c2h_shard_reader *r, c2h_col c, GError **err)
{
    g_autofree char *dname = g_strdup_printf("/flows/%s", col_names[c]);
    if (H5Lexists(r->file, "/flows", H5P_DEFAULT) <= 0 || H5Lexists(r->file, dname, H5P_DEFAULT) <= 0 ||
        (r->dset[c] = H5Dopen2(r->file, dname, no_chunk_cache())) < 0) {
        H5Eclear2(H5E_DEFAULT);
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: dataset %s: missing", r->path, dname);
        return FALSE;
    }
    if (!check_dataset(r, c, err))
        return FALSE;
    r->mtype[c] = col_mem_type(c, r->family);
    r->stored[c] = H5Dget_storage_size(r->dset[c]);
    if (c == 0) {
        hid_t dcpl = H5Dget_create_plist(r->dset[c]);
        hsize_t chunk = 0;
        if (dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED && H5Pget_chunk(dcpl, 1, &chunk) == 1)
            r->chunk_rows = (guint)MIN(chunk, (hsize_t)G_MAXUINT);
        if (dcpl >= 0)
            H5Pclose(dcpl);
        if (r->chunk_rows == 0)
            r->chunk_rows = C2H_DEFAULT_CHUNK_ROWS;
    }
    r->direct[c] = stored_as_written(r, c);
    return TRUE;
}

/* Open the columns of mask that are not open yet. */
static gboolean open_cols(c2h_shard_reader *r, unsigned mask, GError **err)
{
    for (int c = 0; c < C2H_NCOLS; c++)
        if ((mask & C2H_COLBIT(c)) && r->dset[c] < 0 && !open_col(r, (c2h_col)c, err))
            return FALSE;
    return TRUE;
}

c2h_shard_reader *c2h_shard_open_bufs(const char *path, c2h_shard_bufs *bufs, GError **err)
{
    return c2h_shard_open_cols(path, bufs, C2H_COLS_ALL, err);
}

c2h_shard_reader *c2h_shard_open_cols(const char *path, c2h_shard_bufs *bufs, unsigned colmask, GError **err)
{
    c2h_shard_reader *r = g_new0(c2h_shard_reader, 1);
    r->own_bufs = bufs == NULL;
    r->b = bufs ? bufs : c2h_shard_bufs_new();
    r->path = g_strdup(path);
    r->file = -1;
    for (int c = 0; c < C2H_NCOLS; c++)
        r->dset[c] = r->mtype[c] = -1;

    if (access(path, R_OK) != 0) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: cannot open shard: %s", path, g_strerror(errno));
        goto fail;
    }
    r->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (r->file < 0) {
        g_autofree char *d = h5_error_detail();
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: not a readable HDF5 file (truncated or corrupt?): %s", path,
                    d);
        goto fail;
    }
    gint32 schema = 0, family = 0;
    if (!read_attr(r->file, "c2hunt_schema", H5T_NATIVE_INT32, &schema)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: not a c2hunt shard (no attribute c2hunt_schema on /)",
                    path);
        goto fail;
    }
    if (schema != C2H_SCHEMA_VERSION) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,
                    "%s: attribute /c2hunt_schema: shard schema version %d, this c2hunt reads version %d", path,
                    schema, C2H_SCHEMA_VERSION);
        goto fail;
    }
    if (!read_attr(r->file, "family", H5T_NATIVE_INT32, &family) ||
        (family != C2H_FAMILY_V4 && family != C2H_FAMILY_V6)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: attribute /family: missing or not 4 or 6", path);
        goto fail;
    }
    r->family = family;
    if (!read_attr(r->file, "rows", H5T_NATIVE_UINT64, &r->rows)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: attribute /rows: missing", path);
        goto fail;
    }
    /* column 0 always: it sets the chunk size */
    if (!open_cols(r, colmask | C2H_COLBIT(0), err))
        goto fail;
    r->nchunks = (r->rows + r->chunk_rows - 1) / r->chunk_rows;
    r->cur = G_MAXUINT64;
    return r;
fail:
    c2h_shard_close(r);
    return NULL;
}

guint64 c2h_shard_rows(const c2h_shard_reader *r) { return r->rows; }
int c2h_shard_family(const c2h_shard_reader *r) { return r->family; }
guint c2h_shard_chunk_rows(const c2h_shard_reader *r) { return r->chunk_rows; }
guint64 c2h_shard_bytes_read(const c2h_shard_reader *r) { return r->bytes_read; }

static gboolean check_chunk_h5(c2h_shard_reader *r, c2h_col c, guint64 k, GError **err);

gboolean c2h_shard_read(c2h_shard_reader *r, guint64 row0, gsize n, unsigned colmask, c2h_flow *out, GError **err)
{
    if (n == 0)
        return TRUE;
    if (row0 > r->rows || n > r->rows - row0) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INTERNAL, "%s: rows %llu..%llu past the end (%llu rows)", r->path,
                    (unsigned long long)row0, (unsigned long long)(row0 + n - 1), (unsigned long long)r->rows);
        return FALSE;
    }
    if (!open_cols(r, colmask, err))
        return FALSE;
    if (row0 % r->chunk_rows == 0 && n == MIN((guint64)r->chunk_rows, r->rows - row0)) {
        /* a whole chunk: the raw path, which checks each chunk's size */
        c2h_chunk ch;
        if (!c2h_shard_load(r, row0 / r->chunk_rows, colmask, &ch, err))
            return FALSE;
        for (int c = 0; c < C2H_NCOLS; c++)
            if (colmask & C2H_COLBIT(c))
                scatter_col((c2h_col)c, r->family, r->b->col[c], n, out);
        return TRUE;
    }
    for (guint64 k = row0 / r->chunk_rows; k <= (row0 + n - 1) / r->chunk_rows; k++)
        for (int c = 0; c < C2H_NCOLS; c++)
            if ((colmask & C2H_COLBIT(c)) && !check_chunk_h5(r, (c2h_col)c, k, err))
                return FALSE;
    gsize need = n * 16;
    if (r->buf_size < need) {
        g_free(r->buf);
        r->buf = g_malloc(need);
        r->buf_size = need;
    }
    hsize_t start = row0, count = n;
    hid_t mspace = H5Screate_simple(1, &count, NULL);
    for (int c = 0; c < C2H_NCOLS; c++) {
        if (!(colmask & C2H_COLBIT(c)))
            continue;
        hid_t fspace = H5Dget_space(r->dset[c]);
        gboolean ok = fspace >= 0 && H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &count, NULL) >= 0 &&
                      H5Dread(r->dset[c], r->mtype[c], mspace, fspace, H5P_DEFAULT, r->buf) >= 0;
        g_autofree char *d = ok ? NULL : h5_error_detail(); /* before H5Sclose clears the error stack */
        if (fspace >= 0)
            H5Sclose(fspace);
        if (!ok) {
            g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,
                        "%s: dataset /flows/%s: cannot read rows %llu..%llu (corrupt or truncated chunk): %s", r->path,
                        col_names[c], (unsigned long long)row0, (unsigned long long)(row0 + n - 1), d);
            H5Sclose(mspace);
            return FALSE;
        }
        scatter_col((c2h_col)c, r->family, r->buf, n, out);
        r->bytes_read += r->rows ? r->stored[c] * n / r->rows : 0;
    }
    H5Sclose(mspace);
    return TRUE;
}

/* ---- chunks, for the hot path ----------------------------------------------------- */

guint64 c2h_shard_nchunks(const c2h_shard_reader *r) { return r->nchunks; }

/* HDF5's shuffle, undone for the first `count` of n elements: in holds byte j of element i at
 * j * n + i (a chunk's last rows may be fill that need not be unshuffled). With SSE2 (every x86-64)
 * sixteen elements at a time are interleaved back from their byte planes; bench/unshuffle
 * measures it against the plain loop (HDF5's own filter is about as fast as the plain loop). */
static void unshuffle_plain(const uint8_t *restrict in, uint8_t *restrict out, size_t w, size_t n, size_t from,
                            size_t count)
{
    for (size_t i = from; i < count; i++)
        for (size_t j = 0; j < w; j++)
            out[i * w + j] = in[j * n + i];
}

#ifdef __SSE2__
#include <emmintrin.h>
#define LD(p) _mm_loadu_si128((const __m128i *)(const void *)(p))
#define ST(p, v) _mm_storeu_si128((__m128i *)(void *)(p), (v))

static void unshuffle(const uint8_t *restrict in, uint8_t *restrict out, size_t w, size_t n, size_t count)
{
    size_t i = 0;
    switch (w) {
    case 1:
        memcpy(out, in, count);
        return;
    case 2:
        for (; i + 16 <= count; i += 16) {
            __m128i a = LD(in + i), b = LD(in + n + i);
            ST(out + 2 * i, _mm_unpacklo_epi8(a, b));
            ST(out + 2 * i + 16, _mm_unpackhi_epi8(a, b));
        }
        break;
    case 4:
        for (; i + 16 <= count; i += 16) {
            __m128i p0 = LD(in + i), p1 = LD(in + n + i), p2 = LD(in + 2 * n + i), p3 = LD(in + 3 * n + i);
            __m128i t0 = _mm_unpacklo_epi8(p0, p1), t1 = _mm_unpackhi_epi8(p0, p1);
            __m128i t2 = _mm_unpacklo_epi8(p2, p3), t3 = _mm_unpackhi_epi8(p2, p3);
            uint8_t *o = out + 4 * i;
            ST(o, _mm_unpacklo_epi16(t0, t2));
            ST(o + 16, _mm_unpackhi_epi16(t0, t2));
            ST(o + 32, _mm_unpacklo_epi16(t1, t3));
            ST(o + 48, _mm_unpackhi_epi16(t1, t3));
        }
        break;
    case 8:
        for (; i + 16 <= count; i += 16) {
            __m128i p[8], a[8], b[8];
            for (size_t j = 0; j < 8; j++)
                p[j] = LD(in + j * n + i);
            for (size_t j = 0; j < 4; j++) { /* bytes 2j, 2j+1 of elements 0-7 and 8-15 */
                a[2 * j] = _mm_unpacklo_epi8(p[2 * j], p[2 * j + 1]);
                a[2 * j + 1] = _mm_unpackhi_epi8(p[2 * j], p[2 * j + 1]);
            }
            for (size_t h = 0; h < 2; h++) { /* bytes 4h..4h+3 of elements 0-3, 4-7, 8-11, 12-15 */
                b[4 * h] = _mm_unpacklo_epi16(a[4 * h], a[4 * h + 2]);
                b[4 * h + 1] = _mm_unpackhi_epi16(a[4 * h], a[4 * h + 2]);
                b[4 * h + 2] = _mm_unpacklo_epi16(a[4 * h + 1], a[4 * h + 3]);
                b[4 * h + 3] = _mm_unpackhi_epi16(a[4 * h + 1], a[4 * h + 3]);
            }
            uint8_t *o = out + 8 * i;
            for (size_t q = 0; q < 4; q++) {
                ST(o + 32 * q, _mm_unpacklo_epi32(b[q], b[4 + q]));
                ST(o + 32 * q + 16, _mm_unpackhi_epi32(b[q], b[4 + q]));
            }
        }
        break;
    default:
        break;
    }
    unshuffle_plain(in, out, w, n, i, count);
}
#undef LD
#undef ST
#else
static void unshuffle(const uint8_t *restrict in, uint8_t *restrict out, size_t w, size_t n, size_t count)
{
    unshuffle_plain(in, out, w, n, 0, count);
}
#endif

/* For bench/unshuffle and the tests: the vector path (when built) and the plain one. */
void c2h_unshuffle(const uint8_t *in, uint8_t *out, size_t w, size_t n, size_t count, gboolean plain)
{
    if (plain)
        unshuffle_plain(in, out, w, n, 0, count);
    else
        unshuffle(in, out, w, n, count);
}

/* HDF5's shuffle undone for the given rows only (of n elements of w bytes). */
static void unshuffle_rows(const uint8_t *restrict in, uint8_t *restrict out, size_t w, size_t n,
                           const guint32 *rows, size_t m)
{
    switch (w) {
    case 2:
        for (size_t k = 0; k < m; k++) {
            size_t i = rows[k];
            out[2 * i] = in[i], out[2 * i + 1] = in[n + i];
        }
        break;
    case 4:
        for (size_t k = 0; k < m; k++) {
            size_t i = rows[k];
            uint8_t *o = out + 4 * i;
            o[0] = in[i], o[1] = in[n + i], o[2] = in[2 * n + i], o[3] = in[3 * n + i];
        }
        break;
    case 8:
        for (size_t k = 0; k < m; k++) {
            size_t i = rows[k];
            uint8_t *o = out + 8 * i;
            for (size_t j = 0; j < 8; j++)
                o[j] = in[j * n + i];
        }
        break;
    default:
        for (size_t k = 0; k < m; k++)
            for (size_t j = 0; j < w; j++)
                out[rows[k] * w + j] = in[j * n + rows[k]];
        break;
    }
}

/* Read chunk k of column c raw, decompress and unshuffle it into r->col[c] (only the rows
 * of rows[0, nrows) when rows is not NULL).
 * @return FALSE with err for a corrupt chunk (a skipped filter among them: c2hunt never
 * writes one). */
static gboolean load_direct(c2h_shard_reader *r, c2h_col c, guint64 k, const guint32 *rows, gsize nrows, GError **err)
{
    size_t w = c2h_col_width(c, r->family), want = (size_t)r->chunk_rows * w;
    hsize_t off = k * r->chunk_rows, nbytes = 0;
    unsigned long long last = MIN((k + 1) * r->chunk_rows, r->rows) - 1;
    const char *why = NULL;
    g_autofree char *detail = NULL;
    uint32_t fmask = 0;
    if (H5Dget_chunk_storage_size(r->dset[c], &off, &nbytes) < 0 || nbytes == 0) {
        why = "missing or unreadable (truncated file?)";
        detail = h5_error_detail();
    } else if (nbytes > ZSTD_compressBound(want) + 64) {
        why = "stored size impossible";
        detail = g_strdup_printf("%llu bytes stored for a chunk of %zu", (unsigned long long)nbytes, want);
    } else {
        grow(&r->b->raw, &r->b->raw_size, (gsize)nbytes);
        if (H5Dread_chunk(r->dset[c], H5P_DEFAULT, &off, &fmask, r->b->raw) < 0) {
            why = "cannot read (truncated file?)";
            detail = h5_error_detail();
        }
    }
    if (why == NULL && fmask != 0) {
        /* c2hunt never skips a filter: a shard that says it did is corrupt (and HDF5 itself
         * would copy a whole chunk out of the shorter unfiltered bytes) */
        why = "a filter is marked skipped";
        detail = g_strdup_printf("filter mask 0x%x", fmask);
    }
    if (why == NULL) {
        if (r->b->dctx == NULL)
            r->b->dctx = ZSTD_createDCtx();
        grow(&r->b->plain, &r->b->plain_size, want);
        unsigned long long size = ZSTD_getFrameContentSize(r->b->raw, (size_t)nbytes);
        if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) {
            why = "not a zstd frame with its content size";
        } else if (size != want) {
            why = "wrong size";
            detail = g_strdup_printf("its zstd frame decompresses to %llu bytes, a chunk is %zu", size, want);
        } else {
            size_t got = ZSTD_decompressDCtx(r->b->dctx, r->b->plain, want, r->b->raw, (size_t)nbytes);
            if (ZSTD_isError(got)) {
                why = "zstd";
                detail = g_strdup(ZSTD_getErrorName(got));
            } else if (got != want) {
                why = "wrong size";
                detail = g_strdup_printf("decompressed to %zu bytes, a chunk is %zu", got, want);
            }
        }
    }
    if (why != NULL) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,
                    "%s: dataset /flows/%s: chunk %llu (rows %llu..%llu): %s%s%s (corrupt chunk)", r->path, col_names[c],
                    (unsigned long long)k, (unsigned long long)off, last, why, detail && *detail ? ": " : "",
                    detail ? detail : "");
        return FALSE;
    }
    if (rows != NULL)
        unshuffle_rows(r->b->plain, r->b->col[c], w, r->chunk_rows, rows, nrows);
    else
        unshuffle(r->b->plain, r->b->col[c], w, r->chunk_rows, (size_t)(last + 1 - off));
    r->bytes_read += nbytes;
    return TRUE;
}

/* Before H5Dread of chunk k of a chunked column not stored as c2hunt writes it: HDF5 1.10
 * copies a whole chunk out of whatever its filters produced, so a chunk whose filters were
 * skipped, or whose zstd frame (the last filter) holds fewer bytes than a chunk, would be read
 * past its end (found by fuzz_shard). @return FALSE with err for such a chunk. */
static gboolean check_chunk_h5(c2h_shard_reader *r, c2h_col c, guint64 k, GError **err)
{
    hid_t dcpl = H5Dget_create_plist(r->dset[c]);
    hid_t dt = H5Dget_type(r->dset[c]);
    gboolean chunked = dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED;
    int nf = chunked ? H5Pget_nfilters(dcpl) : 0;
    hsize_t chunk = 0;
    if (chunked)
        H5Pget_chunk(dcpl, 1, &chunk);
    unsigned flags = 0, cd[8];
    size_t ncd = G_N_ELEMENTS(cd);
    gboolean zstd_last = nf > 0 && H5Pget_filter2(dcpl, (unsigned)nf - 1, &flags, &ncd, cd, 0, NULL, NULL) == C2H_H5Z_ZSTD;
    size_t want = (size_t)chunk * (dt >= 0 ? H5Tget_size(dt) : 0);
    if (dt >= 0)
        H5Tclose(dt);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    H5Eclear2(H5E_DEFAULT);
    if (nf == 0 || chunk == 0)
        return TRUE;
    hsize_t off = k * chunk, nbytes = 0;
    const char *why = NULL;
    g_autofree char *detail = NULL;
    if (H5Dget_chunk_storage_size(r->dset[c], &off, &nbytes) < 0 || nbytes == 0) {
        H5Eclear2(H5E_DEFAULT);
        return TRUE; /* unallocated: fill values, no filter runs */
    }
    if (nbytes > ZSTD_compressBound(want) + 4096) {
        why = "stored size impossible";
    } else {
        uint8_t *raw = g_malloc((gsize)nbytes);
        uint32_t fmask = 0;
        if (H5Dread_chunk(r->dset[c], H5P_DEFAULT, &off, &fmask, raw) < 0)
            why = "cannot read (truncated file?)";
        else if (fmask != 0)
            why = "a filter is marked skipped", detail = g_strdup_printf("filter mask 0x%x", fmask);
        else if (zstd_last && ZSTD_getFrameContentSize(raw, (size_t)nbytes) != want)
            why = "wrong size", detail = g_strdup_printf("its zstd frame does not hold the %zu bytes of a chunk", want);
        g_free(raw);
        H5Eclear2(H5E_DEFAULT);
    }
    if (why)
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: dataset /flows/%s: chunk %llu: %s%s%s (corrupt chunk)", r->path,
                    col_names[c], (unsigned long long)k, why, detail ? ": " : "", detail ? detail : "");
    return why == NULL;
}

/* Chunk k of column c through H5Dread (any filters HDF5 knows). */
static gboolean load_h5(c2h_shard_reader *r, c2h_col c, guint64 k, gsize n, GError **err)
{
    if (!check_chunk_h5(r, c, k, err))
        return FALSE;
    hsize_t start = k * r->chunk_rows, count = n;
    hid_t mspace = H5Screate_simple(1, &count, NULL);
    hid_t fspace = H5Dget_space(r->dset[c]);
    gboolean ok = fspace >= 0 && H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &count, NULL) >= 0 &&
                  H5Dread(r->dset[c], r->mtype[c], mspace, fspace, H5P_DEFAULT, r->b->col[c]) >= 0;
    g_autofree char *d = ok ? NULL : h5_error_detail();
    if (fspace >= 0)
        H5Sclose(fspace);
    H5Sclose(mspace);
    if (!ok)
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,
                    "%s: dataset /flows/%s: chunk %llu (rows %llu..%llu): cannot read (corrupt or truncated chunk): %s",
                    r->path, col_names[c], (unsigned long long)k, (unsigned long long)start,
                    (unsigned long long)(start + n - 1), d);
    else
        r->bytes_read += r->rows ? r->stored[c] * n / r->rows : 0;
    return ok;
}

gboolean c2h_shard_load(c2h_shard_reader *r, guint64 k, unsigned colmask, c2h_chunk *ch, GError **err)
{
    return c2h_shard_load_rows(r, k, colmask, NULL, 0, ch, err);
}

gboolean c2h_shard_load_rows(c2h_shard_reader *r, guint64 k, unsigned colmask, const guint32 *rows, gsize nrows,
                             c2h_chunk *ch, GError **err)
{
    if (k >= r->nchunks) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INTERNAL, "%s: chunk %llu past the end (%llu chunks)", r->path,
                    (unsigned long long)k, (unsigned long long)r->nchunks);
        return FALSE;
    }
    if ((colmask & ~r->cur_mask) && !open_cols(r, colmask, err))
        return FALSE;
    if (r->cur != k) {
        r->cur = k;
        r->cur_mask = r->part_mask = 0;
        memset(ch, 0, sizeof *ch);
    }
    gsize n = (gsize)MIN((guint64)r->chunk_rows, r->rows - k * r->chunk_rows);
    /* For a few rows, the unshuffle of those rows is cheaper than that of the chunk (the
     * frame is decoded whole either way: its checksum is checked). */
    if (rows != NULL && nrows > n / 8)
        rows = NULL;
    for (int c = 0; c < C2H_NCOLS; c++) {
        if (!(colmask & C2H_COLBIT(c)) || (r->cur_mask & C2H_COLBIT(c)))
            continue;
        grow(&r->b->col[c], &r->b->col_size[c], (gsize)r->chunk_rows * c2h_col_width((c2h_col)c, r->family));
        gboolean part = rows != NULL && r->direct[c];
        if (!(r->direct[c] ? load_direct(r, (c2h_col)c, k, part ? rows : NULL, nrows, err)
                           : load_h5(r, (c2h_col)c, k, n, err))) {
            r->cur = G_MAXUINT64;
            return FALSE;
        }
        if (part) {
            r->part_mask |= C2H_COLBIT(c);
        } else {
            r->cur_mask |= C2H_COLBIT(c);
            r->part_mask &= ~C2H_COLBIT(c);
        }
    }
    ch->index = k;
    ch->n = n;
    ch->family = r->family;
    ch->loaded = r->cur_mask | r->part_mask;
    gboolean v4 = r->family == C2H_FAMILY_V4;
#define COL(c, T) ((ch->loaded & C2H_COLBIT(c)) ? (const T *)r->b->col[c] : NULL)
    ch->start_ms = COL(C2H_COL_START_MS, int64_t);
    ch->end_ms = COL(C2H_COL_END_MS, int64_t);
    ch->src4 = v4 ? COL(C2H_COL_SRC_ADDR, uint32_t) : NULL;
    ch->dst4 = v4 ? COL(C2H_COL_DST_ADDR, uint32_t) : NULL;
    ch->src6 = v4 ? NULL : COL(C2H_COL_SRC_ADDR, c2h_addr);
    ch->dst6 = v4 ? NULL : COL(C2H_COL_DST_ADDR, c2h_addr);
    ch->sport = COL(C2H_COL_SRC_PORT, uint16_t);
    ch->dport = COL(C2H_COL_DST_PORT, uint16_t);
    ch->proto = COL(C2H_COL_PROTOCOL, uint8_t);
    ch->tcp_flags = COL(C2H_COL_TCP_FLAGS, uint8_t);
    ch->packets = COL(C2H_COL_PACKETS, uint64_t);
    ch->bytes = COL(C2H_COL_BYTES, uint64_t);
#undef COL
    return TRUE;
}
