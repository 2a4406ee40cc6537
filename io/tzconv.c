/* tzconv.c: local times to UTC, calendar arithmetic (see tzconv.h). */
#include "io/tzconv.h"
#include "io/flowsrc.h"

/* The offset GLib gives local second t: for a time that falls twice, the standard time's;
 * for one that never happens, the offset before the gap. */
static gint32 offset_at(GTimeZone *tz, gint64 t)
{
    gint64 adj = t;
    int iv = g_time_zone_adjust_time(tz, G_TIME_TYPE_STANDARD, &adj);
    gint64 utc = adj - g_time_zone_get_offset(tz, iv);
    return (gint32)(t - utc);
}

gboolean c2h_tzconv_init(c2h_tzconv *c, const char *name, const char *what, GError **err)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < C2H_TZ_SLOTS; i++)
        c->hour[i] = G_MININT64; /* never a real hour index */
    if (name == NULL || strcmp(name, "UTC") == 0)
        return TRUE;
    c->tz = g_time_zone_new_identifier(name);
    if (c->tz == NULL) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: unknown time zone '%s' (use an IANA name like Europe/Prague)",
                    what, name);
        return FALSE;
    }
    return TRUE;
}

void c2h_tzconv_clear(c2h_tzconv *c)
{
    if (c->tz)
        g_time_zone_unref(c->tz);
    c->tz = NULL;
}

gint32 c2h_tzconv_lookup(c2h_tzconv *c, gint64 t)
{
    gint64 h = c2h_floordiv(t, 3600);
    unsigned slot = (unsigned)h % C2H_TZ_SLOTS;
    if (c->hour[slot] != h) {
        gint32 a = offset_at(c->tz, h * 3600), b = offset_at(c->tz, h * 3600 + 3599);
        c->hour[slot] = h;
        c->offset[slot] = a == b ? a : C2H_TZ_MIXED;
    }
    gint32 off = c->offset[slot];
    return off != C2H_TZ_MIXED ? off : offset_at(c->tz, t);
}

gint64 c2h_days_from_civil(gint64 y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const gint64 era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (gint64)doe - 719468;
}

unsigned c2h_days_in_month(gint64 y, unsigned m)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
        return 29;
    return dim[m - 1];
}
