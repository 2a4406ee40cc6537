/* readpath: what reading a shard's chunks costs, by way of HDF5's filter pipeline (H5Dread:
 * zstd filter, then HDF5's shuffle, then the copy into memory) against c2hunt's raw path
 * (H5Dread_chunk, zstd into a reused buffer, then the unshuffle: SSE2 or the byte loop).
 * It is the benchmark behind io/shard.c's c2h_shard_load.
 *
 *   readpath ARCHIVE [max_shards]
 *
 * Reads the columns pass 1 of `c2hunt run` reads (start_ms, src_addr, dst_addr, dst_port,
 * protocol, bytes) of every chunk of the first max_shards shards (all by default), each way,
 * and prints seconds, rows/s and decompressed MB/s, and the machine. */
#include "io/archive.h"
#include "io/shard.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include <zstd.h>

static const c2h_col cols[] = {C2H_COL_START_MS, C2H_COL_SRC_ADDR, C2H_COL_DST_ADDR,
                               C2H_COL_DST_PORT, C2H_COL_PROTOCOL, C2H_COL_BYTES};

static double now(void)
{
    return (double)g_get_monotonic_time() / 1e6;
}

/* Read every chunk of the columns through H5Dread. @return decompressed bytes. */
static guint64 via_h5dread(const char *path, guint64 *rows)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    guint64 bytes = 0;
    for (guint c = 0; c < G_N_ELEMENTS(cols); c++) {
        g_autofree char *name = g_strdup_printf("/flows/%s", c2h_col_name(cols[c]));
        hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
        hid_t t = H5Dget_type(d), sp = H5Dget_space(d), dcpl = H5Dget_create_plist(d);
        hsize_t n = 0, chunk = 0;
        H5Sget_simple_extent_dims(sp, &n, NULL);
        H5Pget_chunk(dcpl, 1, &chunk);
        size_t w = H5Tget_size(t);
        uint8_t *buf = g_malloc(chunk * w);
        for (hsize_t row = 0; row < n; row += chunk) {
            hsize_t count = MIN(chunk, n - row);
            hid_t ms = H5Screate_simple(1, &count, NULL);
            H5Sselect_hyperslab(sp, H5S_SELECT_SET, &row, NULL, &count, NULL);
            if (H5Dread(d, t, ms, sp, H5P_DEFAULT, buf) < 0)
                fprintf(stderr, "readpath: %s %s: read failed\n", path, name), exit(2);
            H5Sclose(ms);
            bytes += count * w;
        }
        if (c == 0)
            *rows += n;
        g_free(buf);
        H5Pclose(dcpl);
        H5Sclose(sp);
        H5Tclose(t);
        H5Dclose(d);
    }
    H5Fclose(f);
    return bytes;
}

/* The raw path, with the SSE2 or the plain unshuffle. */
static guint64 via_raw(const char *path, gboolean plain)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ZSTD_DCtx *z = ZSTD_createDCtx();
    guint64 bytes = 0;
    for (guint c = 0; c < G_N_ELEMENTS(cols); c++) {
        g_autofree char *name = g_strdup_printf("/flows/%s", c2h_col_name(cols[c]));
        hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
        hid_t t = H5Dget_type(d), sp = H5Dget_space(d), dcpl = H5Dget_create_plist(d);
        hsize_t n = 0, chunk = 0;
        H5Sget_simple_extent_dims(sp, &n, NULL);
        H5Pget_chunk(dcpl, 1, &chunk);
        size_t w = H5Tget_size(t);
        uint8_t *raw = g_malloc(ZSTD_compressBound(chunk * w)), *mid = g_malloc(chunk * w), *out = g_malloc(chunk * w);
        for (hsize_t row = 0; row < n; row += chunk) {
            hsize_t size = 0;
            uint32_t mask = 0;
            if (H5Dget_chunk_storage_size(d, &row, &size) < 0 || H5Dread_chunk(d, H5P_DEFAULT, &row, &mask, raw) < 0 ||
                ZSTD_isError(ZSTD_decompressDCtx(z, mid, chunk * w, raw, size)))
                fprintf(stderr, "readpath: %s %s: raw read failed\n", path, name), exit(2);
            c2h_unshuffle(mid, out, w, chunk, MIN(chunk, n - row), plain);
            bytes += MIN(chunk, n - row) * w;
        }
        g_free(raw);
        g_free(mid);
        g_free(out);
        H5Pclose(dcpl);
        H5Sclose(sp);
        H5Tclose(t);
        H5Dclose(d);
    }
    ZSTD_freeDCtx(z);
    H5Fclose(f);
    return bytes;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: readpath ARCHIVE [max_shards]\n");
        return 1;
    }
    GError *err = NULL;
    c2h_archive *a = NULL;
    if (!c2h_h5_init(&err) || (a = c2h_archive_open(argv[1], &err)) == NULL) {
        fprintf(stderr, "readpath: %s\n", err->message);
        return 2;
    }
    guint n = a->shards->len;
    if (argc > 2)
        n = MIN(n, (guint)atoi(argv[2]));
    struct utsname u;
    uname(&u);
    g_autofree char *cpu = NULL;
    if (g_file_get_contents("/proc/cpuinfo", &cpu, NULL, NULL)) {
        char *m = strstr(cpu, "model name");
        char *e = m ? strchr(m, '\n') : NULL;
        if (e)
            *e = 0;
    }
    char *model = cpu ? strstr(cpu, "model name") : NULL;
    printf("machine: %ld cores, %s, %s %s\n", sysconf(_SC_NPROCESSORS_ONLN), model ? strchr(model, ':') + 2 : "?",
           u.sysname, u.release);
    printf("archive %s: %u shards, columns start_ms src_addr dst_addr dst_port protocol bytes\n", argv[1], n);
    const char *names[3] = {"H5Dread (HDF5 filters: zstd, shuffle)", "raw chunk + zstd + byte-loop unshuffle",
                            "raw chunk + zstd + SSE2 unshuffle (c2hunt)"};
    for (int way = 0; way < 3; way++) {
        guint64 rows = 0, bytes = 0;
        double t0 = now();
        for (guint i = 0; i < n; i++) {
            g_autofree char *path = c2h_archive_shard_path(a, i);
            guint64 r = 0;
            bytes += way == 0 ? via_h5dread(path, &r) : via_raw(path, way == 1);
            rows += way == 0 ? r : 0;
            if (way != 0)
                rows += g_array_index(a->shards, c2h_shard_info, i).rows;
        }
        double s = now() - t0;
        printf("%-44s %7.3f s  %6.1f M rows/s  %7.1f MB/s decompressed\n", names[way], s, (double)rows / s / 1e6,
               (double)bytes / s / 1e6);
    }
    c2h_archive_free(a);
    return 0;
}
