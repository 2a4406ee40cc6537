/* shard.h: one HDF5 shard of an archive: the on-disk layout and its writer and reader.
 *
 * Layout of a shard file (schema 1):
 *
 *   /                      attributes: c2hunt_schema (int32) = 1
 *                                      family (int32) = 4 | 6
 *                                      rows (uint64), t_min_ms, t_max_ms (int64, over start_ms)
 *   /flows/start_ms        int64   first packet, ms since the epoch, UTC
 *   /flows/end_ms          int64   last packet, ms since the epoch, UTC
 *   /flows/src_addr        family 4: uint32 (host-order value: 10.0.0.1 = 0x0a000001)
 *   /flows/dst_addr        family 6: uint8[16] array (network order)
 *   /flows/src_port        uint16
 *   /flows/dst_port        uint16
 *   /flows/protocol        uint8   IANA protocol number
 *   /flows/tcp_flags       uint8   CWR ECE URG ACK PSH RST SYN FIN, bit 7 .. bit 0
 *   /flows/packets         uint64
 *   /flows/bytes           uint64
 *
 * Every dataset is 1-D, all of the same length (rows), little-endian, chunked
 * (chunk_rows rows a chunk) and filtered: HDF5 shuffle, then zstd (filter id 32015,
 * cd_values[0] = level), one zstd frame per chunk, with the content size and the
 * frame checksum. A chunk the level shrinks by less than 1/8 is written at level -1
 * (literals raw: it decodes about ten times faster; io/h5zstd.c).
 */
#ifndef C2H_SHARD_H
#define C2H_SHARD_H

#include "io/flow.h"
#include "io/flowsrc.h"

#include <glib.h>

#define C2H_SCHEMA_VERSION 1
#define C2H_DEFAULT_CHUNK_ROWS 65536
#define C2H_DEFAULT_ZSTD_LEVEL 3

typedef enum c2h_col {
    C2H_COL_START_MS,
    C2H_COL_END_MS,
    C2H_COL_SRC_ADDR,
    C2H_COL_DST_ADDR,
    C2H_COL_SRC_PORT,
    C2H_COL_DST_PORT,
    C2H_COL_PROTOCOL,
    C2H_COL_TCP_FLAGS,
    C2H_COL_PACKETS,
    C2H_COL_BYTES,
    C2H_NCOLS
} c2h_col;

#define C2H_COLS_ALL ((1u << C2H_NCOLS) - 1)
#define C2H_COLBIT(c) (1u << (c))

/* Dataset name of column c ("start_ms", ...). */
const char *c2h_col_name(c2h_col c);
/* Bytes one row of column c takes before compression in a shard of family. */
size_t c2h_col_width(c2h_col c, int family);
/* Bytes one row takes before compression, all columns. */
size_t c2h_row_width(int family);

/* What the index records of a shard. */
typedef struct c2h_shard_info {
    char *file;          /* path relative to the archive folder */
    int family;          /* 4 or 6 */
    guint64 rows;
    gint64 t_min_ms;     /* min and max of start_ms; 0, 0 for a shard of no rows */
    gint64 t_max_ms;
    guint64 stored_bytes; /* file size on disk */
    guint64 raw_bytes;    /* rows * row width: the bytes before compression */
} c2h_shard_info;

void c2h_shard_info_clear(c2h_shard_info *info);

/* Make sure the zstd filter (32015) is registered with HDF5 in this process.
 * @return FALSE with err set when registration failed. */
gboolean c2h_h5_init(GError **err);

typedef struct c2h_shard_writer c2h_shard_writer;

/* Create a shard at path (which must not exist).
 * @return a writer the caller ends with c2h_shard_writer_finish or _free, or NULL with err. */
c2h_shard_writer *c2h_shard_writer_create(const char *path, int family, guint chunk_rows, int zstd_level,
                                          GError **err);
/* Append n flows, all of the writer's family. */
gboolean c2h_shard_writer_append(c2h_shard_writer *w, const c2h_flow *flows, gsize n, GError **err);
/* Rows appended so far. */
guint64 c2h_shard_writer_rows(const c2h_shard_writer *w);
/* Flush, write the attributes, close the file and fill info (info->file is the path given
 * to create; the caller owns it). Frees w whatever the outcome. */
gboolean c2h_shard_writer_finish(c2h_shard_writer *w, c2h_shard_info *info, GError **err);
/* Abandon the shard: close and delete the file. Accepts NULL. */
void c2h_shard_writer_free(c2h_shard_writer *w);

typedef struct c2h_shard_reader c2h_shard_reader;

/* Open a shard and check it: schema version, family, every column present, of the
 * right type and of the same length. @return NULL with err (naming the file and the
 * dataset) when the shard is not one c2hunt can read. */
c2h_shard_reader *c2h_shard_open(const char *path, GError **err);
void c2h_shard_close(c2h_shard_reader *r); /* accepts NULL */
/* Buffers for c2h_shard_load (decompressed columns, the compressed chunk, the zstd context)
 * that a caller keeps from shard to shard instead of each reader making its own. */
typedef struct c2h_shard_bufs c2h_shard_bufs;
c2h_shard_bufs *c2h_shard_bufs_new(void);
void c2h_shard_bufs_free(c2h_shard_bufs *b); /* accepts NULL */
/* c2h_shard_open, reading through bufs (not freed by c2h_shard_close). */
c2h_shard_reader *c2h_shard_open_bufs(const char *path, c2h_shard_bufs *bufs, GError **err);
/* c2h_shard_open_bufs that opens and checks only the columns of colmask (and column 0, which
 * sets the chunk size); the others are opened and checked when first read. For a scan that
 * reads a few columns of a shard already checked whole (a later pass of `c2hunt run`): each
 * dataset opened costs about as much as a chunk read. */
c2h_shard_reader *c2h_shard_open_cols(const char *path, c2h_shard_bufs *bufs, unsigned colmask, GError **err);
guint64 c2h_shard_rows(const c2h_shard_reader *r);
int c2h_shard_family(const c2h_shard_reader *r);
/* Rows per chunk: the natural unit to read. */
guint c2h_shard_chunk_rows(const c2h_shard_reader *r);
/* Compressed bytes read so far (for metrics). */
guint64 c2h_shard_bytes_read(const c2h_shard_reader *r);

/* Read rows [row0, row0 + n) of the columns in colmask into out[0..n); fields of other
 * columns are left as they were. @return FALSE with err naming the file, the dataset and
 * the rows when a chunk is corrupt or truncated. */
gboolean c2h_shard_read(c2h_shard_reader *r, guint64 row0, gsize n, unsigned colmask, c2h_flow *out, GError **err);

/* One chunk's columns, as stored: the hot path of `c2hunt run` reads these instead of
 * c2h_flow rows. The pointers of the columns not loaded are NULL; they stay valid until the
 * next c2h_shard_load of another chunk or c2h_shard_close. */
typedef struct c2h_chunk {
    guint64 index; /* chunk number: rows [index * chunk_rows, + n) */
    gsize n;
    int family;
    unsigned loaded; /* C2H_COLBIT mask */
    const int64_t *start_ms, *end_ms;
    const uint32_t *src4, *dst4; /* family 4: the host-order IPv4 value (c2h_addr_v4) */
    const c2h_addr *src6, *dst6; /* family 6 */
    const uint16_t *sport, *dport;
    const uint8_t *proto, *tcp_flags;
    const uint64_t *packets, *bytes;
} c2h_chunk;

/* Chunks in the shard. */
guint64 c2h_shard_nchunks(const c2h_shard_reader *r);
/* Load the columns in colmask of chunk k into ch (columns of chunk k already loaded are not
 * read again, so a caller can load the columns it filters on, then the others only when a
 * row passed). A chunk stored as c2hunt writes it (shuffle + zstd, native byte order) is read
 * raw (H5Dread_chunk), decompressed into a reused buffer and its size and checksum checked;
 * any other filter pipeline goes through H5Dread. @return FALSE with err naming the file,
 * the dataset and the chunk when it is corrupt or truncated. */
gboolean c2h_shard_load(c2h_shard_reader *r, guint64 k, unsigned colmask, c2h_chunk *ch, GError **err);
/* c2h_shard_load where only rows[0, nrows) of the columns in colmask will be read: the frame
 * is decoded and checked whole, but only these rows are unshuffled (when they are few), so
 * the other rows of those columns hold garbage until the columns are loaded again. A column
 * loaded for some rows is read again by any later load of it in the same chunk. */
gboolean c2h_shard_load_rows(c2h_shard_reader *r, guint64 k, unsigned colmask, const guint32 *rows, gsize nrows,
                             c2h_chunk *ch, GError **err);
/* Undo HDF5's byte shuffle of the first count of n elements of w bytes (in: byte j of element
 * i at j * n + i), with the vector path or, when plain, the byte loop; for bench/readpath and
 * the tests. */
void c2h_unshuffle(const uint8_t *in, uint8_t *out, size_t w, size_t n, size_t count, gboolean plain);
/* The address of row i of a loaded address column (src or dst) as c2h_addr. */
static inline c2h_addr c2h_chunk_src(const c2h_chunk *ch, gsize i)
{
    return ch->family == C2H_FAMILY_V4 ? c2h_addr_from_v4(ch->src4[i]) : ch->src6[i];
}
static inline c2h_addr c2h_chunk_dst(const c2h_chunk *ch, gsize i)
{
    return ch->family == C2H_FAMILY_V4 ? c2h_addr_from_v4(ch->dst4[i]) : ch->dst6[i];
}

#endif
