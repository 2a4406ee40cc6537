/* seeds.h: known C2 addresses to start from, read from one of three kinds of file, told
 * apart by their content (docs/REAL_DATA.md shows each):
 *
 * - plain: one IP address per line, '#' starts a comment. A line that is not an address
 *   is an error naming the file and line.
 * - Feodo Tracker CSV (abuse.ch): a header row that names a dst_ip column, quoted or not,
 *   as a row or as a comment: `"first_seen_utc","dst_ip","dst_port","c2_status",
 *   "last_online","malware"` (2021 on) or `# Firstseen,DstIP,DstPort,LastOnline,Malware`
 *   (before), `# Firstseen,DstIP,DstPort` (SSLBL, no family). Columns are found by name;
 *   first_seen (UTC) and the malware family are kept. '#' lines are comments; a
 *   "# END N entries" line that disagrees with the rows read gives a warning (a cut
 *   download). A row whose address or first_seen is malformed is an error (file:line).
 * - Maltrail static trail: a file whose leading comments name Maltrail or carry an
 *   "# Aliases:" line. Its IPv4 entries, bare or IP:port (also IP;port, as one entry of
 *   trickbot.txt has it), become seeds; domain names, .onion names, URLs and URL paths are
 *   skipped and counted, not errors (a flow archive has addresses, not names). The family of
 *   every entry is the file's: its aliases all match --seeds-family.
 *
 * An address that cannot be a C2 on the Internet (unspecified, loopback, multicast,
 * broadcast, 240.0.0.0/4) is left out with a warning; a private, shared (100.64/10),
 * link-local or documentation address is kept with a warning, since lab captures use them.
 * Seeds are merged by address: the earliest first_seen wins, with its family.
 */
#ifndef C2H_SEEDS_H
#define C2H_SEEDS_H

#include "io/flow.h"

#include <glib.h>

typedef enum { C2H_SEEDS_PLAIN, C2H_SEEDS_FEODO, C2H_SEEDS_MALTRAIL } c2h_seeds_format;

#define C2H_SEED_FAMILY_LEN 32

typedef struct c2h_seed {
    c2h_addr addr;
    gint64 first_seen_ms;                /* ms since the epoch, UTC; G_MAXINT64 when not known */
    char family[C2H_SEED_FAMILY_LEN];    /* "TrickBot"; "" when not known */
    guint line;                          /* the line it came from (of the earliest row) */
} c2h_seed;

typedef struct c2h_seeds_opts {
    const char *family;      /* keep only rows of this family (ASCII case-insensitive); NULL: all */
    gint64 known_before_ms;  /* keep only rows first seen before this; 0 or G_MAXINT64: all */
} c2h_seeds_opts;

typedef struct c2h_seeds {
    c2h_seeds_format format;
    GArray *seeds;        /* c2h_seed, sorted by address, one per address */
    guint entries;        /* rows or lines that gave an address, before the filters */
    guint other_family;   /* rows left out by opts->family */
    guint later;          /* rows left out by opts->known_before_ms */
    guint names;          /* Maltrail: domain names, .onion names, URLs and paths skipped */
    guint unusable;       /* addresses that cannot be a C2 (loopback, multicast, ...), left out */
    guint private_kept;   /* private and other special addresses kept */
    char *families;       /* "Dridex 166, Emotet 178, TrickBot 128" (rows per family), "" if none */
    GPtrArray *warnings;  /* "FILE:LINE: ..." texts for the caller to show */
} c2h_seeds;

/* Read the seeds of path, keeping what opts (may be NULL) lets through.
 * @return seeds the caller frees with c2h_seeds_free, or NULL with err naming the file and
 * line (C2H_ERROR_INPUT): an unreadable file, a malformed address or time, --family for a
 * file that names no families. An empty result is not an error here. */
c2h_seeds *c2h_seeds_read(const char *path, const c2h_seeds_opts *opts, GError **err);
void c2h_seeds_free(c2h_seeds *s); /* accepts NULL */

/* The format's name: "plain", "feodo" or "maltrail". */
const char *c2h_seeds_format_name(c2h_seeds_format f);

/* Read the seeds of path, all of them. @return a GArray of c2h_addr (sorted, no duplicates)
 * the caller frees, or NULL with err naming the file and line of a bad address. */
GArray *c2h_seeds_load(const char *path, GError **err);

#endif
