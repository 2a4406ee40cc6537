/* flowsrc.h: the input-format interface. Every reader (nfdump CSV, nfcapd through
 * nfdump, IPFIX files, Argus binetflow CSV) is opened by name and yields flows in
 * batches through the same three calls: open, next, close.
 *
 * A bad row (a malformed line, an unknown protocol, an unparsable address) is not an
 * error of the whole source: it is reported through opts->bad_row with the file, the
 * line and the reason, counted, and skipped. When bad_row returns FALSE (the caller's
 * budget of bad rows is spent), next() fails with C2H_ERROR_INPUT. A row that is well
 * formed but not an IP flow (binetflow's ARP rows) is skipped and counted in skipped_rows.
 */
#ifndef C2H_FLOWSRC_H
#define C2H_FLOWSRC_H

#include "io/flow.h"

#include <glib.h>

/* Error domain of c2hunt's library code. Every message names the file and the place. */
#define C2H_ERROR (c2h_error_quark())
GQuark c2h_error_quark(void);
typedef enum {
    C2H_ERROR_INPUT,   /* bad input: malformed, corrupt, truncated, wrong schema: exit 2 */
    C2H_ERROR_IO,      /* the system failed us: disk full, permission: exit 2 as well */
    C2H_ERROR_INTERNAL /* a bug of ours */
} c2h_error_code;

/* Called for each rejected row. @return FALSE to stop reading (too many bad rows). */
typedef gboolean (*c2h_bad_row_fn)(void *ud, const char *file, guint64 line, const char *reason);

typedef struct c2h_flowsrc_opts {
    const char *tz;          /* time zone of local times in the input (nfdump CSV, binetflow); NULL or "UTC" for UTC */
    c2h_bad_row_fn bad_row;  /* may be NULL: then every bad row is an error */
    void *bad_row_ud;
    const char *nfdump_path; /* the nfdump program for --format nfcapd; NULL: "nfdump" on PATH */
} c2h_flowsrc_opts;

typedef struct c2h_flowsrc c2h_flowsrc;

typedef struct c2h_flowsrc_ops {
    /* Fill out[0..cap) with the next flows. @return the count, 0 at the end, -1 on error (err set). */
    gssize (*next)(c2h_flowsrc *src, c2h_flow *out, gsize cap, GError **err);
    /* Release everything; src itself is freed by c2h_flowsrc_close. */
    void (*close)(c2h_flowsrc *src);
} c2h_flowsrc_ops;

struct c2h_flowsrc {
    const c2h_flowsrc_ops *ops;
    char *name;           /* the input as the user named it ("-" is standard input) */
    guint64 rows;         /* flows returned so far */
    guint64 bad_rows;     /* rows rejected so far */
    guint64 skipped_rows; /* rows that are not IP flows, skipped (binetflow: arp, ipx/spx, ...) */
    guint64 input_bytes;  /* bytes of input consumed so far (file bytes for nfcapd) */
    void *impl;
};

/* Formats known to c2h_flowsrc_open, NULL-terminated, for --help texts. */
extern const char *const c2h_flowsrc_formats[];

/* Open path ("-" for standard input where the format allows it) as format.
 * @return a source the caller closes with c2h_flowsrc_close, or NULL with err set
 * (unknown format, missing file). */
c2h_flowsrc *c2h_flowsrc_open(const char *format, const char *path, const c2h_flowsrc_opts *opts, GError **err);

static inline gssize c2h_flowsrc_next(c2h_flowsrc *src, c2h_flow *out, gsize cap, GError **err)
{
    return src->ops->next(src, out, cap, err);
}

/* Close and free src. Accepts NULL. */
void c2h_flowsrc_close(c2h_flowsrc *src);

/* Per-format constructors, called by c2h_flowsrc_open. */
c2h_flowsrc *c2h_nfcsv_open(const char *path, const c2h_flowsrc_opts *opts, GError **err);
c2h_flowsrc *c2h_nfcapd_open(const char *path, const c2h_flowsrc_opts *opts, GError **err);
c2h_flowsrc *c2h_ipfix_open(const char *path, const c2h_flowsrc_opts *opts, GError **err);
c2h_flowsrc *c2h_binetflow_open(const char *path, const c2h_flowsrc_opts *opts, GError **err);

#endif
