/* literals: the benchmark behind io/h5zstd.c's writer: matches of at least 7 bytes
 * (ZSTD_c_minMatch), and a chunk whose frame with raw literals is at most 1/5 larger than
 * with Huffman-coded ones is written with raw literals. For every column of an archive's
 * shards it takes each stored chunk, decodes it, and encodes the shuffled bytes again four
 * ways: level 3; level 3 with minMatch 7; that with raw literals; level -1 (the rule before
 * this one: a chunk that level 3 shrank by less than 1/8 went to level -1). It prints, per
 * column, the bytes and the decode speed of each way, how many chunks the rule gives raw
 * literals, and the machine.
 *
 *   literals ARCHIVE [max_shards] */
#include "io/archive.h"
#include "io/shard.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_c_literalCompressionMode */
#include <zstd.h>

static double now(void)
{
    return (double)g_get_monotonic_time() / 1e6;
}

typedef struct way {
    guint64 stored;
    double decode_s;
} way;

/* Encode plain at level, decode it back (timed, 3 times, best kept). */
static void measure(const uint8_t *plain, size_t n, int level, int min_match, int raw_literals, way *w, uint8_t *frame,
                    size_t cap, uint8_t *back, ZSTD_CCtx *cc, ZSTD_DCtx *dc)
{
    ZSTD_CCtx_reset(cc, ZSTD_reset_session_and_parameters);
    ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, level);
    if (min_match)
        ZSTD_CCtx_setParameter(cc, ZSTD_c_minMatch, min_match);
    if (raw_literals)
        ZSTD_CCtx_setParameter(cc, ZSTD_c_literalCompressionMode, ZSTD_ps_disable);
    ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
    size_t got = ZSTD_compress2(cc, frame, cap, plain, n);
    if (ZSTD_isError(got))
        fprintf(stderr, "literals: compress failed\n"), exit(2);
    double best = 1e9;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now();
        size_t d = ZSTD_decompressDCtx(dc, back, n, frame, got);
        double t = now() - t0;
        if (ZSTD_isError(d) || d != n)
            fprintf(stderr, "literals: decompress failed\n"), exit(2);
        best = MIN(best, t);
    }
    w->stored += got;
    w->decode_s += best;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: literals ARCHIVE [max_shards]\n");
        return 1;
    }
    GError *err = NULL;
    c2h_archive *a = NULL;
    if (!c2h_h5_init(&err) || (a = c2h_archive_open(argv[1], &err)) == NULL) {
        fprintf(stderr, "literals: %s\n", err->message);
        return 2;
    }
    guint nsh = a->shards->len;
    if (argc > 2)
        nsh = MIN(nsh, (guint)atoi(argv[2]));
    struct utsname u;
    uname(&u);
    g_autofree char *cpu = NULL;
    char *model = g_file_get_contents("/proc/cpuinfo", &cpu, NULL, NULL) ? strstr(cpu, "model name") : NULL;
    if (model && strchr(model, '\n'))
        *strchr(model, '\n') = 0;
    printf("machine: %ld cores, %s, %s %s, zstd %s\n", sysconf(_SC_NPROCESSORS_ONLN),
           model ? strchr(model, ':') + 2 : "?", u.sysname, u.release, ZSTD_versionString());
    printf("archive %s: %u shards; per column: decoded MB, stored MB and decode MB/s at level 3, at level 3 with\n"
           "matches of 7 bytes or more (ZSTD_c_minMatch 7), that with raw literals, and at level -1; the chunks\n"
           "the writer's rule gives raw literals (at most 1/5 larger than with Huffman-coded ones)\n",
           argv[1], nsh);
    printf("%-10s %9s | %9s %9s | %9s %9s | %9s %9s | %9s %9s | %6s %s\n", "column", "plain MB", "3: MB", "MB/s",
           "3,mm7: MB", "MB/s", "+raw lit", "MB/s", "-1: MB", "MB/s", "saves", "rule picks");
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    ZSTD_DCtx *dc = ZSTD_createDCtx();
    for (int c = 0; c < C2H_NCOLS; c++) {
        way w3 = {0}, w7 = {0}, wr = {0}, w1 = {0};
        guint64 plain_bytes = 0, picked_fast = 0, chunks = 0;
        for (guint i = 0; i < nsh; i++) {
            g_autofree char *path = c2h_archive_shard_path(a, i);
            hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
            g_autofree char *name = g_strdup_printf("/flows/%s", c2h_col_name((c2h_col)c));
            hid_t d = f >= 0 ? H5Dopen2(f, name, H5P_DEFAULT) : -1;
            if (d < 0)
                fprintf(stderr, "literals: %s: cannot open %s\n", path, name), exit(2);
            hid_t t = H5Dget_type(d), sp = H5Dget_space(d), dcpl = H5Dget_create_plist(d);
            hsize_t n = 0, chunk = 0;
            H5Sget_simple_extent_dims(sp, &n, NULL);
            H5Pget_chunk(dcpl, 1, &chunk);
            size_t wd = H5Tget_size(t), cap = ZSTD_compressBound(chunk * wd);
            uint8_t *raw = g_malloc(cap), *plain = g_malloc(chunk * wd), *frame = g_malloc(cap),
                    *back = g_malloc(chunk * wd);
            for (hsize_t row = 0; row < n; row += chunk) {
                hsize_t size = 0;
                uint32_t mask = 0;
                size_t got = 0;
                if (H5Dget_chunk_storage_size(d, &row, &size) < 0 || H5Dread_chunk(d, H5P_DEFAULT, &row, &mask, raw) < 0 ||
                    ZSTD_isError(got = ZSTD_decompressDCtx(dc, plain, chunk * wd, raw, size)))
                    fprintf(stderr, "literals: %s %s: raw read failed\n", path, name), exit(2);
                guint64 w7_before = w7.stored, wr_before = wr.stored;
                measure(plain, got, 3, 0, 0, &w3, frame, cap, back, cc, dc);
                measure(plain, got, 3, 7, 0, &w7, frame, cap, back, cc, dc);
                measure(plain, got, 3, 7, 1, &wr, frame, cap, back, cc, dc);
                measure(plain, got, -1, 0, 0, &w1, frame, cap, back, cc, dc);
                picked_fast += wr.stored - wr_before <= (w7.stored - w7_before) + (w7.stored - w7_before) / 5;
                plain_bytes += got;
                chunks++;
            }
            g_free(raw);
            g_free(plain);
            g_free(frame);
            g_free(back);
            H5Pclose(dcpl);
            H5Sclose(sp);
            H5Tclose(t);
            H5Dclose(d);
            H5Fclose(f);
        }
        printf("%-10s %9.1f | %9.1f %9.0f | %9.1f %9.0f | %9.1f %9.0f | %9.1f %9.0f | %5.1f%% raw literals for %llu of %llu chunks\n",
               c2h_col_name((c2h_col)c), plain_bytes / 1e6, w3.stored / 1e6, plain_bytes / 1e6 / w3.decode_s,
               w7.stored / 1e6, plain_bytes / 1e6 / w7.decode_s, wr.stored / 1e6, plain_bytes / 1e6 / wr.decode_s,
               w1.stored / 1e6, plain_bytes / 1e6 / w1.decode_s, 100.0 * (1 - (double)w3.stored / (double)plain_bytes),
               (unsigned long long)picked_fast, (unsigned long long)chunks);
    }
    ZSTD_freeCCtx(cc);
    ZSTD_freeDCtx(dc);
    c2h_archive_free(a);
    return 0;
}
