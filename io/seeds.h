/* seeds.h: known C2 addresses to start from: one IP per line, '#' starts a comment. */
#ifndef C2H_SEEDS_H
#define C2H_SEEDS_H

#include "io/flow.h"

#include <glib.h>

/* Read the seeds of path. @return a GArray of c2h_addr (sorted, no duplicates) the
 * caller frees, or NULL with err naming the file and line of a bad address. */
GArray *c2h_seeds_load(const char *path, GError **err);

#endif
