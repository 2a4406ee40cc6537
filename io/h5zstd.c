/* h5zstd.c: HDF5 filter 32015, zstd. See h5zstd.h. */
#include "io/h5zstd.h"

#include <stdlib.h>
#include <zstd.h>

/* One decoded chunk may not claim more than this (HDF5 chunks are limited to 4 GiB). */
#define MAX_CHUNK_BYTES ((unsigned long long)UINT32_MAX)

static size_t zstd_filter(unsigned int flags, size_t cd_nelmts, const unsigned int cd_values[], size_t nbytes,
                          size_t *buf_size, void **buf)
{
    if (flags & H5Z_FLAG_REVERSE) {
        unsigned long long want = ZSTD_getFrameContentSize(*buf, nbytes);
        if (want == ZSTD_CONTENTSIZE_ERROR || want == ZSTD_CONTENTSIZE_UNKNOWN || want > MAX_CHUNK_BYTES)
            return 0;
        void *out = malloc(want ? (size_t)want : 1);
        if (out == NULL)
            return 0;
        size_t got = ZSTD_decompress(out, (size_t)want, *buf, nbytes);
        if (ZSTD_isError(got) || got != want) {
            free(out);
            return 0;
        }
        free(*buf);
        *buf = out;
        *buf_size = (size_t)want;
        return got;
    }

    int level = cd_nelmts > 0 ? (int)cd_values[0] : 3;
    if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel())
        level = 3;
    size_t bound = ZSTD_compressBound(nbytes);
    void *out = malloc(bound);
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    size_t got = 0;
    if (out != NULL && cctx != NULL && !ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level)) &&
        !ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)) &&
        !ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1)))
        got = ZSTD_compress2(cctx, out, bound, *buf, nbytes);
    ZSTD_freeCCtx(cctx);
    if (out == NULL || got == 0 || ZSTD_isError(got)) {
        if (out)
            free(out);
        return 0;
    }
    free(*buf);
    *buf = out;
    *buf_size = bound;
    return got;
}

const H5Z_class2_t c2h_h5z_zstd_class = {
    .version = H5Z_CLASS_T_VERS,
    .id = C2H_H5Z_ZSTD,
    .encoder_present = 1,
    .decoder_present = 1,
    .name = "zstd",
    .can_apply = NULL,
    .set_local = NULL,
    .filter = zstd_filter,
};

#ifdef C2H_H5ZSTD_PLUGIN
#include <H5PLextern.h>

H5PL_type_t H5PLget_plugin_type(void)
{
    return H5PL_TYPE_FILTER;
}

const void *H5PLget_plugin_info(void)
{
    return &c2h_h5z_zstd_class;
}
#endif
