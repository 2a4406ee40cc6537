/* h5zstd.c: HDF5 filter 32015, zstd. See h5zstd.h. */
#include "io/h5zstd.h"

#include <stdlib.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_c_literalCompressionMode (zstd 1.4.5 and later) */
#include <zstd.h>

/* One decoded chunk may not claim more than this (HDF5 chunks are limited to 4 GiB). */
#define MAX_CHUNK_BYTES ((unsigned long long)UINT32_MAX)
/* The output buffer starts at most this big and doubles as the frame fills it. */
#define FIRST_OUT_BYTES ((size_t)1 << 20)

/* Decode the one zstd frame of in[0, nbytes), which says it holds want bytes. The output
 * grows as the frame fills it, so a corrupt header that claims gigabytes costs only what the
 * frame really holds (found by tests/fuzz/fuzz_shard: 20 bytes made a 3 GB malloc). @return
 * a malloc'd buffer of exactly want bytes, or NULL when the frame is corrupt, cut short, holds
 * another size, or has bytes after it. */
static void *decode_frame(const void *in, size_t nbytes, size_t want)
{
    size_t cap = want < FIRST_OUT_BYTES ? want : FIRST_OUT_BYTES;
    void *out = malloc(cap ? cap : 1);
    ZSTD_DCtx *d = ZSTD_createDCtx();
    ZSTD_inBuffer src = {in, nbytes, 0};
    ZSTD_outBuffer dst = {out, cap, 0};
    int ok = out != NULL && d != NULL;
    while (ok) {
        size_t rc = ZSTD_decompressStream(d, &dst, &src);
        if (ZSTD_isError(rc)) {
            ok = 0;
        } else if (rc == 0) { /* the frame is complete */
            ok = dst.pos == want && src.pos == src.size;
            break;
        } else if (dst.pos == dst.size) { /* room for more */
            if (dst.size >= want) {
                ok = 0; /* more than the header said */
            } else {
                size_t grown = dst.size > want / 2 ? want : dst.size * 2;
                void *more = realloc(dst.dst, grown);
                ok = more != NULL;
                if (more != NULL) {
                    dst.dst = more;
                    dst.size = grown;
                }
            }
        } else if (src.pos == src.size) {
            ok = 0; /* the frame is cut short */
        }
    }
    ZSTD_freeDCtx(d);
    if (!ok) {
        free(dst.dst);
        return NULL;
    }
    return dst.dst;
}

/* in[0, nbytes) as one zstd frame at level, with its content size and checksum, into out;
 * at a level above 0 with matches of at least 7 bytes (fewer, longer matches decode faster:
 * source addresses 1.4 times, destination ports 1.15 times, for no more bytes), and with
 * the literals stored raw when raw_literals. @return its size, or 0 on failure (raw
 * literals: also when this zstd lacks the parameter). */
static size_t compress_frame(ZSTD_CCtx *cctx, void *out, size_t cap, const void *in, size_t nbytes, int level,
                             int raw_literals)
{
    size_t got = 0;
    ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
    if (!ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level)) &&
        !ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)) &&
        !ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1)) &&
        (level <= 0 || !ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_minMatch, 7))) &&
        (!raw_literals ||
         !ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_literalCompressionMode, ZSTD_ps_disable))))
        got = ZSTD_compress2(cctx, out, cap, in, nbytes);
    return ZSTD_isError(got) ? 0 : got;
}

static size_t zstd_filter(unsigned int flags, size_t cd_nelmts, const unsigned int cd_values[], size_t nbytes,
                          size_t *buf_size, void **buf)
{
    if (flags & H5Z_FLAG_REVERSE) {
        unsigned long long want = ZSTD_getFrameContentSize(*buf, nbytes);
        if (want == ZSTD_CONTENTSIZE_ERROR || want == ZSTD_CONTENTSIZE_UNKNOWN || want > MAX_CHUNK_BYTES)
            return 0;
        void *out = decode_frame(*buf, nbytes, (size_t)want);
        if (out == NULL)
            return 0;
        free(*buf);
        *buf = out;
        *buf_size = (size_t)want;
        return (size_t)want;
    }

    int level = cd_nelmts > 0 ? (int)cd_values[0] : 3;
    if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel())
        level = 3;
    size_t bound = ZSTD_compressBound(nbytes);
    void *out = malloc(bound), *raw = level > 0 ? malloc(bound) : NULL;
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    size_t got = out && cctx ? compress_frame(cctx, out, bound, *buf, nbytes, level, 0) : 0;
    /* Decoding Huffman-coded literals is most of the time a scan spends in zstd, and on
     * nearly random bytes (addresses, the low bytes of byte counts) it buys little: a chunk
     * whose frame with raw literals is at most 1/5 larger (Huffman saves less than 1/6 of it)
     * is written that way. Source addresses then decode 2.9 times faster for 16% more bytes,
     * byte counts 2 times for 10%, destination addresses 7.8 times for 9% (bench/literals).
     * Any zstd decoder reads either frame. */
    size_t got_raw = got && raw ? compress_frame(cctx, raw, bound, *buf, nbytes, level, 1) : 0;
    if (got_raw != 0 && got_raw <= got + got / 5) {
        free(out);
        out = raw;
        raw = NULL;
        got = got_raw;
    }
    free(raw);
    ZSTD_freeCCtx(cctx);
    if (out == NULL || got == 0) {
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
