/* fuzz_shard.c: the shard reader (io/shard.c: c2h_shard_open, c2h_shard_read and
 * c2h_shard_load) over HDF5 1.10 and the zstd filter (io/h5zstd.c), on files with mutated
 * bytes.
 *
 * Where the bytes are mutated: HDF5 1.10.8 itself crashes on many files whose metadata
 * (object headers, B-trees, heaps: no checksums in the format c2hunt writes) has a byte
 * changed, and nothing in c2hunt's reader can prevent that (docs/FUZZING.md, "The shard
 * target and HDF5"). A fuzzer that mutates anywhere spends its time finding those again.
 * So by default a custom mutator
 * changes only what c2hunt's own code reads: the bytes of a data chunk, in place (HDF5
 * hands them to the zstd filter, then shuffle, then c2h_shard_read); a chunk rewritten with
 * H5Dwrite_chunk at another size and maybe another filter mask (a valid frame of the wrong
 * size, a chunk that claims to be unfiltered); or a root attribute (c2hunt_schema, family,
 * rows) set to another value. The file stays well-formed HDF5 around the change. With
 * C2H_FUZZ_SHARD_WHOLE=1 in the environment the mutator mutates the whole file instead
 * (tests/fuzz/run shard-file), to look for HDF5's own crashes; with
 * C2H_FUZZ_SHARD_KEEP_MASK=1 it never changes a chunk's filter mask (to fuzz on while the
 * bug in tests/fuzz/pending/shard, which needs one, is not fixed).
 *
 * The input is the HDF5 file. When it opens, every column is read, chunk by chunk as
 * `c2hunt run` and `inspect --verify` read it (at most 4096 rows a call and the first
 * 65536 rows in all: a mutated row count could otherwise ask for 2^60 rows of fill values).
 * When the reader has c2h_shard_load (the chunk read path; C2H_FUZZ_SHARD_LOAD is defined
 * by tests/fuzz.cmake when io/shard.c has it), every chunk is loaded through it as well.
 * Checked besides the sanitizers: an error has a message, the family and chunk size are
 * sane, no HDF5 object of a file (the file, a dataset, group, attribute or named type) is
 * left open after c2h_shard_close, nothing leaks (leaks inside HDF5's own error paths are
 * suppressed: tests/fuzz/hdf5.supp).
 */
#include "fuzzlib.h"

#include "io/flowsrc.h"
#include "io/shard.h"

#include <hdf5.h>
#include <string.h>

#define STEP_MAX 4096
#define ROWS_MAX ((guint64)1 << 16)

static fz_file *file, *scratch;
static c2h_flow rows[STEP_MAX];
static gboolean whole_file; /* C2H_FUZZ_SHARD_WHOLE: mutate anywhere */
static gboolean keep_mask;  /* C2H_FUZZ_SHARD_KEEP_MASK: never change a chunk's filter mask */

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

/* ---------------------------------------------------------------- the mutator */

static guint32 rnd(guint32 *s) /* xorshift32 */
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

typedef struct chunk_at {
    haddr_t addr;
    hsize_t size;
} chunk_at;

/* The file offsets and sizes of every stored chunk of every column of the shard at path.
 * @return FALSE when HDF5 cannot open it. */
static gboolean find_chunks(const char *path, GArray *out)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return FALSE;
    for (int c = 0; c < C2H_NCOLS; c++) {
        g_autofree char *name = g_strdup_printf("/flows/%s", c2h_col_name((c2h_col)c));
        if (H5Lexists(f, "/flows", H5P_DEFAULT) <= 0 || H5Lexists(f, name, H5P_DEFAULT) <= 0)
            continue;
        hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
        if (d < 0)
            continue;
        hid_t sp = H5Dget_space(d);
        hsize_t n = 0;
        if (sp >= 0 && H5Dget_num_chunks(d, sp, &n) >= 0)
            for (hsize_t i = 0; i < n && i < 4096; i++) {
                hsize_t off = 0;
                unsigned mask = 0;
                chunk_at ch = {0, 0};
                if (H5Dget_chunk_info(d, sp, i, &off, &mask, &ch.addr, &ch.size) >= 0 && ch.size > 0 &&
                    ch.addr != HADDR_UNDEF)
                    g_array_append_val(out, ch);
            }
        if (sp >= 0)
            H5Sclose(sp);
        H5Dclose(d);
    }
    H5Fclose(f);
    H5Eclear2(H5E_DEFAULT);
    return TRUE;
}

/* Mutate the bytes of one stored chunk in place. @return FALSE when there is none. */
static gboolean mutate_chunk_bytes(uint8_t *data, size_t size, const GArray *chunks, guint32 *s)
{
    if (chunks->len == 0)
        return FALSE;
    const chunk_at *ch = &g_array_index(chunks, chunk_at, rnd(s) % chunks->len);
    if (ch->addr >= size || ch->size > size - ch->addr)
        return FALSE;
    size_t n = (size_t)ch->size;
    uint8_t *buf = g_memdup2(data + ch->addr, n);
    size_t got = LLVMFuzzerMutate(buf, n, n);
    memcpy(data + ch->addr, buf, MIN(got, n)); /* a shorter result keeps the old tail */
    g_free(buf);
    return TRUE;
}

/* Rewrite one chunk of one column through HDF5 with mutated bytes of another size, and now
 * and then another filter mask. The file is path; the caller reads it back. */
static gboolean rewrite_chunk(const char *path, guint32 *s)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0)
        return FALSE;
    gboolean ok = FALSE;
    g_autofree char *name = g_strdup_printf("/flows/%s", c2h_col_name((c2h_col)(rnd(s) % C2H_NCOLS)));
    hid_t d = H5Lexists(f, "/flows", H5P_DEFAULT) > 0 && H5Lexists(f, name, H5P_DEFAULT) > 0
                  ? H5Dopen2(f, name, H5P_DEFAULT)
                  : -1;
    hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
    hsize_t n = 0;
    if (sp >= 0 && H5Dget_num_chunks(d, sp, &n) >= 0 && n > 0) {
        hsize_t off = 0, size = 0;
        unsigned mask = 0;
        haddr_t addr;
        if (H5Dget_chunk_info(d, sp, rnd(s) % n, &off, &mask, &addr, &size) >= 0 && size > 0 && size < (1u << 20)) {
            size_t cap = (size_t)size * 2 + 64;
            uint8_t *buf = g_malloc(cap);
            uint32_t mask2 = 0;
            if (H5Dread_chunk(d, H5P_DEFAULT, &off, &mask2, buf) >= 0) {
                size_t len = LLVMFuzzerMutate(buf, (size_t)size, cap);
                if (!keep_mask && rnd(s) % 8 == 0)
                    mask2 = rnd(s) % 4; /* bit 0: shuffle skipped, bit 1: zstd skipped */
                ok = len > 0 && H5Dwrite_chunk(d, H5P_DEFAULT, mask2, &off, len, buf) >= 0;
            }
            g_free(buf);
        }
    }
    if (sp >= 0)
        H5Sclose(sp);
    if (d >= 0)
        H5Dclose(d);
    ok = H5Fclose(f) >= 0 && ok;
    H5Eclear2(H5E_DEFAULT);
    return ok;
}

/* Set one of the root attributes c2hunt_schema, family, rows to another value. */
static gboolean rewrite_attribute(const char *path, guint32 *s)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0)
        return FALSE;
    static const char *const names[] = {"c2hunt_schema", "family", "rows"};
    const char *name = names[rnd(s) % G_N_ELEMENTS(names)];
    gboolean ok = FALSE;
    if (H5Aexists(f, name) > 0) {
        hid_t a = H5Aopen(f, name, H5P_DEFAULT);
        if (a >= 0) {
            if (strcmp(name, "rows") == 0) {
                guint64 v = 0;
                static const guint64 odd[] = {0, 1, G_MAXUINT64, (guint64)1 << 40};
                if (H5Aread(a, H5T_NATIVE_UINT64, &v) >= 0) {
                    guint32 k = rnd(s) % 6;
                    v = k < 4 ? odd[k] : k == 4 ? v + 1 : v - 1;
                    ok = H5Awrite(a, H5T_NATIVE_UINT64, &v) >= 0;
                }
            } else {
                static const gint32 odd[] = {0, 1, 2, 4, 6, -1};
                gint32 v = odd[rnd(s) % G_N_ELEMENTS(odd)];
                ok = H5Awrite(a, H5T_NATIVE_INT32, &v) >= 0;
            }
            H5Aclose(a);
        }
    }
    ok = H5Fclose(f) >= 0 && ok;
    H5Eclear2(H5E_DEFAULT);
    return ok;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    if (whole_file)
        return LLVMFuzzerMutate(data, size, max_size);
    guint32 s = seed | 1;
    const char *path = fz_file_set(scratch, data, size);
    GArray *chunks = g_array_new(FALSE, FALSE, sizeof(chunk_at));
    gboolean opens = find_chunks(path, chunks);
    size_t out = size;
    guint32 how = rnd(&s) % 16;
    if (opens && how >= 12) { /* through HDF5: a chunk of another size, or an attribute */
        if (how < 15 ? rewrite_chunk(path, &s) : rewrite_attribute(path, &s)) {
            gchar *text = NULL;
            gsize len = 0;
            if (g_file_get_contents(path, &text, &len, NULL) && len <= max_size) {
                memcpy(data, text, len);
                out = len;
                how = 0xff; /* done */
            }
            g_free(text);
        }
    }
    if (how != 0xff && !mutate_chunk_bytes(data, size, chunks, &s))
        out = size; /* no chunk (a shard of no rows, or no file HDF5 opens): leave it */
    g_array_free(chunks, TRUE);
    return out;
}

/* ---------------------------------------------------------------- the target */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    GError *err = NULL;
    if (!c2h_h5_init(&err))
        fz_fail("c2h_h5_init: %s", err->message);
    file = fz_file_new_on_disk("shard.h5");
    scratch = fz_file_new_on_disk("mutating.h5");
    whole_file = g_getenv("C2H_FUZZ_SHARD_WHOLE") != NULL;
    keep_mask = g_getenv("C2H_FUZZ_SHARD_KEEP_MASK") != NULL;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_begin_iteration();
    const char *path = fz_file_set(file, data, size);
    GError *err = NULL;
    c2h_shard_reader *r = c2h_shard_open(path, &err);
    if (r == NULL) {
        fz_check_error(err, "c2h_shard_open");
        g_error_free(err);
    } else {
        int family = c2h_shard_family(r);
        if (family != C2H_FAMILY_V4 && family != C2H_FAMILY_V6)
            fz_fail("family %d", family);
        guint chunk = c2h_shard_chunk_rows(r);
        if (chunk == 0)
            fz_fail("chunk rows 0");
        guint64 total = MIN(c2h_shard_rows(r), ROWS_MAX);
        gsize step = MIN((gsize)chunk, (gsize)STEP_MAX);
        for (guint64 row = 0; row < total; row += step) {
            gsize n = (gsize)MIN((guint64)step, total - row);
            if (!c2h_shard_read(r, row, n, C2H_COLS_ALL, rows, &err)) {
                fz_check_error(err, "c2h_shard_read");
                g_clear_error(&err);
                break;
            }
        }
#ifdef C2H_FUZZ_SHARD_LOAD
        guint64 nchunks = c2h_shard_nchunks(r);
        for (guint64 k = 0; k < nchunks && k * chunk < ROWS_MAX; k++) {
            c2h_chunk ch = {0};
            if (!c2h_shard_load(r, k, C2H_COLS_ALL, &ch, &err)) {
                fz_check_error(err, "c2h_shard_load");
                g_clear_error(&err);
                break;
            }
            if (ch.n > chunk)
                fz_fail("chunk %" G_GUINT64_FORMAT " has %zu rows, more than %u", k, ch.n, chunk);
        }
#endif
        c2h_shard_close(r);
    }
    ssize_t open_ids = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
    if (open_ids != 0)
        fz_fail("%zd HDF5 objects left open", open_ids);
    H5Eclear2(H5E_DEFAULT);
    fz_end_iteration();
    return 0;
}
