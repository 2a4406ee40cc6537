/* archive.h: an archive is a folder of shards plus their index.
 *
 *   ARCHIVE/archive.ini     GKeyFile: [archive] schema, producer, created, shards, rows,
 *                           t_min, t_max (ISO 8601 UTC), chunk_rows, zstd_level
 *   ARCHIVE/index.tsv       one line per shard, sorted by file name:
 *                           file family rows t_min_ms t_max_ms stored_bytes raw_bytes
 *   ARCHIVE/shards/NAME.h5  the shards (shard.h)
 *
 * The writer routes flows to shards by hour of start time and address family, and
 * starts a new shard when one reaches the target size. Writers write into a temporary
 * folder beside the final one; the archive appears under its name (rename) only once
 * every shard and the index are complete.
 */
#ifndef C2H_ARCHIVE_H
#define C2H_ARCHIVE_H

#include "io/shard.h"

#include <glib.h>

#define C2H_ARCHIVE_META "archive.ini"
#define C2H_ARCHIVE_INDEX "index.tsv"
#define C2H_ARCHIVE_SHARDS "shards"
#define C2H_DEFAULT_SHARD_MB 64

typedef struct c2h_archive {
    char *path;
    int schema;
    GArray *shards; /* of c2h_shard_info, sorted by file */
    guint64 rows;
    gint64 t_min_ms, t_max_ms;
    guint64 stored_bytes, raw_bytes;
    GKeyFile *meta;
} c2h_archive;

/* Open an archive: read archive.ini and index.tsv, refuse an unknown schema, a shard listed
 * twice, and an index whose shard or row count differs from archive.ini's (when archive.ini
 * has them). Shards are not opened. @return NULL with err naming the file and line. */
c2h_archive *c2h_archive_open(const char *path, GError **err);
/* An archive of no flows (no shards, or only shards of zero rows) is a valid archive, but
 * nothing to hunt in or verify: most likely an ingest of empty input.
 * @return FALSE with err naming the archive when a->rows is 0. */
gboolean c2h_archive_require_flows(const c2h_archive *a, GError **err);
void c2h_archive_free(c2h_archive *a); /* accepts NULL */
/* Absolute or archive-relative path of shard i; caller frees. */
char *c2h_archive_shard_path(const c2h_archive *a, guint i);

typedef struct c2h_archive_writer_opts {
    guint chunk_rows;      /* 0: C2H_DEFAULT_CHUNK_ROWS */
    int zstd_level;        /* 0: C2H_DEFAULT_ZSTD_LEVEL */
    guint64 shard_bytes;   /* target raw bytes a shard; 0: C2H_DEFAULT_SHARD_MB MiB */
    guint max_open;        /* shards open at once; 0: 16 */
    const char *tag;       /* goes into shard names so writers of one archive never collide ("r003") */
} c2h_archive_writer_opts;

typedef struct c2h_archive_writer c2h_archive_writer;

/* A writer of shards into dir (a staging folder made by c2h_archive_stage). */
c2h_archive_writer *c2h_archive_writer_create(const char *dir, const c2h_archive_writer_opts *opts, GError **err);
gboolean c2h_archive_writer_append(c2h_archive_writer *w, const c2h_flow *flows, gsize n, GError **err);
/* Close every shard and write this writer's part of the index (index.TAG.part).
 * Frees w whatever the outcome. */
gboolean c2h_archive_writer_finish(c2h_archive_writer *w, GError **err);
/* Abandon: close and delete this writer's shards. Accepts NULL. */
void c2h_archive_writer_free(c2h_archive_writer *w);
guint64 c2h_archive_writer_rows(const c2h_archive_writer *w);

/* Make a staging folder .NAME.partial-XXXXXX beside final_path (same parent, so the last
 * rename is atomic; mkdtemp, so nothing planted there is used). Fails (C2H_ERROR_INPUT)
 * when final_path exists and !force, a symbolic link included: the message says it is one.
 * The folder is registered with c2h_cleanup_on_signal until c2h_stage_commit or c2h_rmtree.
 * @return its path, caller frees. */
char *c2h_stage_dir(const char *final_path, gboolean force, GError **err);
/* Rename the staging folder (or a temporary file) to final_path. Without force, fails when
 * anything is at final_path, even if it appeared after c2h_stage_dir (RENAME_NOREPLACE).
 * With force, whatever is there (a folder, a file, or a symbolic link itself, never what
 * the link points to) is swapped out atomically (RENAME_EXCHANGE; a rename aside where the
 * file system lacks it) and removed. */
gboolean c2h_stage_commit(const char *stage, const char *final_path, gboolean force, GError **err);

/* Make a staging folder for final_path (in the same parent, so the last rename is atomic).
 * Fails when final_path exists and !force. @return the staging path (caller frees). */
char *c2h_archive_stage(const char *final_path, gboolean force, GError **err);
/* Merge the index parts in the staging folder, write archive.ini and index.tsv, and rename
 * the staging folder to final_path (replacing an old archive there only when force).
 * extra: keys to add to [archive] (producer and the like), may be NULL. */
gboolean c2h_archive_commit(const char *stage, const char *final_path, gboolean force, const c2h_archive_writer_opts *opts,
                            GHashTable *extra, GError **err);
/* Delete a staging folder and everything in it. Accepts NULL. */
void c2h_archive_unstage(const char *stage);

/* Remove a folder tree, a file or a symbolic link. No symbolic link is ever followed, at
 * path or below it (folders are opened with O_NOFOLLOW relative to their parent), so a link
 * inside the tree, or one swapped in meanwhile, is unlinked and what it points to is left
 * alone. A missing path is not an error. Forgets path for c2h_cleanup_on_signal.
 * @return FALSE with err on failure. */
gboolean c2h_rmtree(const char *path, GError **err);

/* Have path (a staging folder or a temporary file) removed as c2h_rmtree would, should the
 * process be ended by SIGTERM, SIGINT or SIGHUP: mpirun ends the other ranks of a job with
 * SIGTERM when one rank dies, and Slurm does at the time limit. The handler is installed
 * only for those signals still at their default action (nohup's ignored SIGHUP stays
 * ignored); it removes the paths with system calls only, then lets the signal end the
 * process. Up to 4 paths at once. @return FALSE when there is no room. */
gboolean c2h_cleanup_on_signal(const char *path);
/* Stop watching path (committed, or removed). Accepts NULL. */
void c2h_cleanup_forget(const char *path);

#endif
