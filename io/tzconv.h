/* tzconv.h: local wall-clock times (with no offset, as binetflow and nfdump print them) to
 * UTC, and the proleptic Gregorian calendar arithmetic the text readers share.
 *
 * The UTC offset of the zone is cached per local hour (direct-mapped): flows come roughly
 * in time order, so nearly every row hits the slot of the row before. A local time that
 * falls twice (the autumn change) is taken as standard time; one that never happens (the
 * spring gap) gets the offset before the gap. The nfdump CSV and binetflow readers share it.
 */
#ifndef C2H_TZCONV_H
#define C2H_TZCONV_H

#include "io/flow.h"

#include <glib.h>

#define C2H_TZ_SLOTS 64
#define C2H_TZ_MIXED G_MININT32 /* an hour with a change of offset inside: look each second up */

typedef struct c2h_tzconv {
    GTimeZone *tz; /* NULL: local time is UTC */
    gint64 hour[C2H_TZ_SLOTS];
    gint32 offset[C2H_TZ_SLOTS]; /* seconds: utc = local - offset */
} c2h_tzconv;

/* Set c up for zone name (an IANA name like Europe/Prague; NULL or "UTC" for UTC).
 * @return FALSE with err (C2H_ERROR_INPUT) for an unknown zone; what names it in the message. */
gboolean c2h_tzconv_init(c2h_tzconv *c, const char *name, const char *what, GError **err);
/* Release the zone. */
void c2h_tzconv_clear(c2h_tzconv *c);
/* The offset of local second t when the cache misses. */
gint32 c2h_tzconv_lookup(c2h_tzconv *c, gint64 t);

/* @return the UTC second of local second t. */
static inline gint64 c2h_tzconv_to_utc(c2h_tzconv *c, gint64 t)
{
    if (c->tz == NULL)
        return t;
    gint64 h = c2h_floordiv(t, 3600);
    unsigned slot = (unsigned)h % C2H_TZ_SLOTS;
    if (c->hour[slot] == h && c->offset[slot] != C2H_TZ_MIXED)
        return t - c->offset[slot];
    return t - c2h_tzconv_lookup(c, t);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
gint64 c2h_days_from_civil(gint64 y, unsigned m, unsigned d);
/* Days of month m (1..12) of year y. */
unsigned c2h_days_in_month(gint64 y, unsigned m);

#endif
