/* bytesrc.h: the bytes of one input file, plain or gzip-compressed, read in blocks.
 *
 * An input whose first two bytes are gzip's magic (1f 8b) is decompressed as it is read
 * (GIO's GZlibDecompressor; members written one after another, as `cat a.gz b.gz` makes,
 * are read one after another); any other input is read as it is. The extension does not
 * matter. "-" is standard input. Used by the binetflow and IPFIX readers (io/binetflow.c,
 * io/ipfix.c); CTU-13 ships its binetflow slices as .gz.
 *
 * Errors name the input and, for corrupt or truncated gzip data, the byte offset in the
 * compressed file at which the decompressor stopped.
 */
#ifndef C2H_BYTESRC_H
#define C2H_BYTESRC_H

#include <glib.h>

typedef struct c2h_bytesrc c2h_bytesrc;

/* Open path ("-": standard input). @return a source the caller frees with
 * c2h_bytesrc_close, or NULL with err (C2H_ERROR_INPUT for a missing file). */
c2h_bytesrc *c2h_bytesrc_open(const char *path, GError **err);

/* Read up to len bytes (decompressed) into buf. @return the count, 0 at the end of the
 * input, -1 with err set (read error, corrupt or truncated gzip data). */
gssize c2h_bytesrc_read(c2h_bytesrc *s, void *buf, gsize len, GError **err);

/* The input's name in messages: the path, or "(standard input)". */
const char *c2h_bytesrc_name(const c2h_bytesrc *s);
/* TRUE when the input is gzip data. */
gboolean c2h_bytesrc_is_gzip(const c2h_bytesrc *s);
/* Bytes taken from the file so far (compressed bytes for gzip input). */
guint64 c2h_bytesrc_file_bytes(const c2h_bytesrc *s);

/* Close and free s. Accepts NULL. */
void c2h_bytesrc_close(c2h_bytesrc *s);

#endif
