/* result.h: what `c2hunt run` found, as every output writer sees it (on rank 0, after the
 * ranks' findings are gathered): the labels and the evidence edges behind them.
 *
 * Writers (roles.csv, report.json, and the graph, HTML, STIX and incident writers) each
 * take a const c2h_result and a folder; c2h_result_write calls them all. */
#ifndef C2H_RESULT_H
#define C2H_RESULT_H

#include "detect/detect.h"
#include "detect/profile.h"
#include "io/customers.h"

#include <glib.h>

/* A shard the job left out (--skip-bad-shards), and why. */
typedef struct c2h_skipped_shard {
    const char *file;   /* relative to the archive */
    const char *reason; /* the reader's message */
} c2h_skipped_shard;

typedef struct c2h_result {
    const c2h_profile *profile;
    const char *archive;        /* paths as the user gave them */
    const char *seeds;
    gint64 since, until;        /* G_MININT64 / G_MAXINT64 when not set */
    int ranks;
    GArray *labels;             /* c2h_label, one per host, sorted by role name then address */
    /* Evidence edges (c2h_edge), each sorted by the end it is looked up by: */
    GArray *victim_beacons;     /* victim -> c2, sorted by src */
    GArray *ctl_by_src;         /* controller -> c2, sorted by src */
    GArray *ctl_by_dst;         /* the same, sorted by dst */
    GArray *predicted;          /* controller -> c2_predicted, sorted by dst */
    GArray *backend;            /* c2 -> backend, sorted by dst */
    const GArray *customers;    /* c2h_customer from --customers, or NULL (not owned) */
    const GArray *skipped;      /* c2h_skipped_shard: shards --skip-bad-shards left out, or NULL */
} c2h_result;

/* Free the arrays (not the profile, not the strings). */
void c2h_result_clear(c2h_result *r);

/* The label of addr, or NULL. labels must be sorted by address for this: use
 * c2h_result_find on a copy sorted with c2h_label_addr_cmp. */
int c2h_label_addr_cmp(const void *a, const void *b);

/* The edges of e (sorted by its key end) whose key end is addr: *n of them from the return. */
const c2h_edge *c2h_result_edges_of(const GArray *e, const c2h_addr *addr, gboolean key_is_src, guint *n);

/* "447 449 22" for an edge's or label's port classes. */
void c2h_append_ports(GString *s, const c2h_profile *p, guint32 mask);
/* ISO 8601 UTC of ms, or nothing when !have. */
void c2h_append_time(GString *s, gint64 ms, gboolean have);
/* s with JSON string escapes (no quotes around it). */
void c2h_append_json_string(GString *out, const char *s);

/* skipped (c2h_skipped_shard, or NULL) as a JSON array of {"file", "reason"} objects. */
void c2h_append_skipped_json(GString *s, const GArray *skipped);

/* roles.csv: header ip,role,score,first_seen,last_seen,count_a,count_b,fanout,ports. */
GString *c2h_roles_csv(const c2h_result *r);
/* report.json: the evidence for every label. */
GString *c2h_report_json(const c2h_result *r);

/* Write s to dir/name (temporary name, then rename). */
gboolean c2h_write_text(const char *dir, const char *name, const GString *s, GError **err);

/* Write every output of the result into dir (a staging folder). */
gboolean c2h_result_write(const c2h_result *r, const char *dir, GError **err);

#endif
