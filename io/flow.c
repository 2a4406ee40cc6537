/* flow.c: address and time helpers. */
#include "io/flow.h"

#include <arpa/inet.h>
#include <stdio.h>

bool c2h_addr_parse(const char *s, size_t len, c2h_addr *out)
{
    char buf[C2H_ADDR_STRLEN + 1];
    if (len == 0 || len > C2H_ADDR_STRLEN)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (memchr(buf, ':', len) == NULL) {
        struct in_addr a4;
        if (inet_pton(AF_INET, buf, &a4) != 1)
            return false;
        *out = c2h_addr_from_v4(ntohl(a4.s_addr));
        return true;
    }
    return inet_pton(AF_INET6, buf, out->b) == 1;
}

char *c2h_addr_format(const c2h_addr *a, char buf[C2H_ADDR_STRLEN])
{
    if (c2h_addr_is_v4(a)) {
        uint32_t v = c2h_addr_v4(a);
        snprintf(buf, C2H_ADDR_STRLEN, "%u.%u.%u.%u", v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
    } else if (inet_ntop(AF_INET6, a->b, buf, C2H_ADDR_STRLEN) == NULL) {
        g_strlcpy(buf, "?", C2H_ADDR_STRLEN);
    }
    return buf;
}

uint64_t c2h_addr_hash(const c2h_addr *a)
{
    /* splitmix64 over the two halves: cheap, well mixed, and the same everywhere. */
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (int half = 0; half < 2; half++) {
        uint64_t v;
        memcpy(&v, a->b + half * 8, 8);
        v = GUINT64_FROM_BE(v); /* the 8 bytes as a big-endian number */
        h ^= v;
        h += 0x9e3779b97f4a7c15ULL;
        h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
        h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
        h ^= h >> 31;
    }
    return h;
}

char *c2h_time_format_iso(int64_t ms, char buf[32])
{
    int64_t secs = c2h_floordiv(ms, 1000);
    int rem = (int)(ms - secs * 1000);
    GDateTime *dt = g_date_time_new_from_unix_utc(secs);
    if (dt == NULL) {
        snprintf(buf, 32, "invalid-time(%lld)", (long long)ms);
        return buf;
    }
    if (rem == 0)
        snprintf(buf, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", g_date_time_get_year(dt), g_date_time_get_month(dt),
                 g_date_time_get_day_of_month(dt), g_date_time_get_hour(dt), g_date_time_get_minute(dt),
                 g_date_time_get_second(dt));
    else
        snprintf(buf, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", g_date_time_get_year(dt), g_date_time_get_month(dt),
                 g_date_time_get_day_of_month(dt), g_date_time_get_hour(dt), g_date_time_get_minute(dt),
                 g_date_time_get_second(dt), rem);
    g_date_time_unref(dt);
    return buf;
}

bool c2h_time_parse_iso(const char *s, int64_t *ms)
{
    GDateTime *dt = g_date_time_new_from_iso8601(s, NULL); /* NULL zone: s must carry Z or an offset */
    if (dt == NULL)
        return false;
    *ms = g_date_time_to_unix(dt) * 1000 + g_date_time_get_microsecond(dt) / 1000;
    g_date_time_unref(dt);
    return true;
}
