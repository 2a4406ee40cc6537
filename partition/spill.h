/* spill.h: edges kept on disk when a rank's share of a subgraph outgrows its memory budget.
 *
 * A rank writes its edge set as a sorted run (by dst, then src) whenever the set reaches the
 * budget, and empties the set; at the end the runs are merged, edges of the same pair combined
 * (c2h_edge_merge: sums, min, max, OR, so the result does not depend on when the runs were
 * written), and only the combined edges a caller keeps come back into memory. Merging reads
 * at most C2H_SPILL_FANIN runs at once, each through a small buffer, so memory stays flat
 * however many runs there are. A run whose edges are all between IPv4 addresses is written
 * coded (varints of each edge's differences from the one before: about 18 bytes an edge, not
 * 72). Runs are files made with mkstemp in a folder
 * of the job's own (DIR.ckpt), removed by c2h_spill_free. No MPI here: unit tests drive it. */
#ifndef C2H_SPILL_H
#define C2H_SPILL_H

#include "partition/edges.h"

#include <glib.h>

#define C2H_SPILL_FANIN 32

typedef struct c2h_spill c2h_spill;

/* Runs go into dir, named tag-XXXXXX. */
c2h_spill *c2h_spill_new(const char *dir, const char *tag);
/* Remove the runs and free s (accepts NULL). */
void c2h_spill_free(c2h_spill *s);
guint c2h_spill_runs(const c2h_spill *s);
/* Bytes written to runs so far. */
guint64 c2h_spill_bytes(const c2h_spill *s);
/* Write the edges of set as a run, sorted by (dst, src), and empty the set.
 * @return FALSE with err naming the file when the write fails (a full disk). */
gboolean c2h_spill_set(c2h_spill *s, c2h_edgeset *set, GError **err);
/* Merge every run into one that holds only the combined edges keep accepts, for
 * c2h_spill_each_dst to read (as often as needed). */
gboolean c2h_spill_compact(c2h_spill *s, gboolean (*keep)(const c2h_edge *e, void *ud), void *ud, GError **err);
/* Read the one run left by c2h_spill_compact in (dst, src) order and hand fn batches of whole
 * dst groups (a group is never split; a batch is valid during the call only). */
gboolean c2h_spill_each_dst(c2h_spill *s, void (*fn)(const GArray *edges, void *ud), void *ud, GError **err);

#endif
