/* ckpt.h: checkpoint files of `c2hunt run` (docs/ALGORITHM.md, Checkpoints).
 *
 * A checkpoint file holds named arrays of fixed-size records, each a 1-D HDF5 dataset of an
 * opaque type tagged with the record's name ("c2h_edge", "c2h_label", ...). Files are written
 * to a temporary name and renamed, so a file that exists is complete. Every rank runs the
 * same build, so records are stored as their bytes in memory. */
#ifndef C2H_CKPT_H
#define C2H_CKPT_H
#include <glib.h>

typedef struct c2h_ckpt_field {
    const char *name; /* dataset name */
    const char *tag;  /* record type, checked on load */
    GArray *arr;      /* the records (element size from the array) */
} c2h_ckpt_field;

/* Write the n fields to path (path.tmp, then renamed). @return FALSE with err (C2H_ERROR_IO). */
gboolean c2h_ckpt_save(const char *path, const c2h_ckpt_field *f, guint n, GError **err);
/* Fill each field's array (emptied first) from path: the dataset must exist with the same tag
 * and record size. @return FALSE with err (C2H_ERROR_INPUT) for a missing or mismatched file. */
gboolean c2h_ckpt_load(const char *path, const c2h_ckpt_field *f, guint n, GError **err);
#endif
