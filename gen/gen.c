/* gen.c: the scenario generator's planner: presets, hosts, life cycles and victim schedules,
 * truth.csv and seeds.txt. The flows of an hour are made in gen_flows.c.
 *
 * THE SCENARIO. Every range below is drawn once per seed, uniformly unless marked log-uniform;
 * S, M, L are the presets small, medium, large.
 *
 * Span and volume
 *   days        S 3, M 7, L 14 (--days), from --start (default 2026-01-05T00:00:00Z, a Monday)
 *   flows       S 300k, M 5M, L 100M (--flows): the background takes what the planted traffic
 *               leaves (estimated from the plan), but never less than a tenth of --flows
 *   flows       one a connection, initiator to responder; starts in whole seconds, durations in ms
 *
 * Addresses
 *   customer    3-6 networks: the first in 10.0.0.0/8, the second in 100.64.0.0/10, the others in
 *               either or in a public-looking /8 kept out of the internet's space; prefix
 *               S /16-/20, M /16-/18, L /15-/16; clients S 2k-5k, M 20k-40k, L 100k-200k, spread by
 *               net size x U(0.3, 1), at most 60% of a net; the first 1% (>= 5) are servers
 *   internet    first octets 1-223 but 0, 10, 100, 127, 169, 172, 192, 198, 203 and the customer
 *               /8s; hosts .1-.254. Every internet host is an id put through a keyed Feistel
 *               permutation, so addresses look scattered and roles never share one
 *   servers     S 20k-40k, M 200k-400k, L 1M-2M, Zipf popularity, exponent 0.95-1.2; service by
 *               rank: 1 and 3 DNS, 6 NTP, else 443 52%, 80 22%, 53 6%, 123 4%, 25 7%, 993 4%,
 *               8080 3%, 22 2%; QUIC (UDP 443) for 10-20% of 443 flows
 *   others      internet clients 8 x customer clients; noise sources 0.5-2 x customer clients + 100
 *
 * Background, spread over the hours by (1 + A cos(2 pi (local hour - peak) / 24)) x W on
 * Saturday and Sunday; A 0.3-0.6, peak 14-20 h, local = UTC + 0-9 h, W 0.7-0.9
 *   55-65%      customer client to server; a twentieth of the clients make 20-40% of these
 *   15-22%      internet client to server
 *               (of both, 8-15% go to the CDN instead: 443 90%, 80 10%)
 *   4-7%        internet client to a customer server: 443 40%, 80 25%, 25 20%, 22 15%
 *   2-4%        port-scan noise: a SYN from one of many sources to a random internet (85%) or
 *               customer (15%) address on 22, 23, 445, 3389, 8291, 80, 8080 or 5555
 *   the rest    customer client to internet client on high ports, UDP 60%, TCP 40%
 *
 * C2: home routers at internet addresses, in lanes (S 3-5, M 5-8, L 8-12) of successors
 *   first       staged (first controller session) at 0-4 h (at most span / 4), live 20 min-4 h
 *               later (log-uniform)
 *   life        live to down 8 h-6 days (log-uniform)
 *   successor   live 0-6 h before its predecessor goes down (at least 1 h after the predecessor
 *               went live), staged 20 min-3 days (log-uniform) before that (if that is before the
 *               span: uniform from 0 to 10 min before going live). A lane ends with a C2 that
 *               outlives the span, or with one staged in the span that goes live after it
 *   predicted   such C2, plus 2-4 more staged in the last min(span / 2, 3 days) but the last hour
 *   port        447 45%, 449 35%, 8082 20%
 *   truth       t_active is its first victim contact; a C2 that never got a victim is
 *               c2_predicted (with t_down if it went down unused); after t_down no victim,
 *               controller or proxy traffic, though scanners still knock
 *
 * Controllers: 2-3
 *   touch       one of them (uniform) stages each C2 with a session at t_stage; each other
 *               touches it with probability 0.7-0.92, first 10 min-1 day after staging
 *               (log-uniform); one that touched every C2 lets go of one it did not stage
 *   sessions    with each C2 it touches, Poisson, mean gap 3-12 h, until the C2 goes down;
 *               1-3 flows 1-120 s apart; port: its main one (22 or 8291) 60-85%, the C2's own
 *               port 5-15%, else the other of 22 and 8291
 *   own         2-10 web flows an hour
 *
 * Victims: S 40-80, M 150-300, L 600-1000 customer clients (never customer servers)
 *   infection   2 to 2 + days / 2 campaigns, the first 10 min-6 h after the first C2 goes live,
 *               the others in [span / 10, 0.85 span]; 35% of victims come from the first;
 *               campaign + exponential, mean 4 h (uniform after the campaign if that falls in
 *               the last hour); a victim waits when no C2 is live
 *   clean-up    20-40% of victims, 6 h-5 days (log-uniform) after infection
 *   C2 set      1 (30%), 2 (40%) or 3 (30%) live C2. A new set: at infection; on a configuration
 *               update every exponential(mean 1-3 days) (the primary stays half the time); 30 s-
 *               20 min after a C2 of the set goes down (the victim stops at once; survivors
 *               stay); 1-30 min after a new C2 goes live, for each victim with probability
 *               0.05-0.2 (it joins the set, as primary 40% of the time). Members are drawn from
 *               C2 live for 10 more minutes, half the time from those no victim used yet
 *   check-in    at the start of a set, one flow to every C2 of it
 *   beacons     every 120-600 s, jitter +-5-30% of the period, 1-5% lost; to the primary
 *               60-90% of the time, else another of the set; on 443 instead of the C2's port
 *               3-10%; 2% are large transfers (modules, exfiltration)
 *   CDN         Poisson 0.5-3 flows an hour, all span (as every other client uses it)
 *
 * Backends (layer-2 C2): S 2-3, M 2-4, L 3-5, on 443 (50%) or a port in 2000-9999
 *   proxies     each C2 that got victims with probability 0.3-0.6 (the first always) relays to
 *               one backend (75%) or two, 2-12 flows an hour, from its first victim until down;
 *               a backend no C2 uses is left out of the truth
 *
 * Scanners (TOR-exit-like): S 2-3, M 3-4, L 3-5
 *   sweep       S 20k-60k, M 150k-400k, L 400k-1.2M probes in all (scaled by days / the
 *               preset's days), shared by weights 0.5-1.5; a scanner works a day with
 *               probability 0.6-1, its probes spread evenly over those hours; target a random
 *               internet (90%) or customer (10%) address; port 8291 40-60%, 22 20-35%, else 23;
 *               a SYN nobody answers
 *   C2 routers  1-4 contacts per scanner and C2 over the span (Poisson an hour), whatever the
 *               C2's life: 8291 70% (an exploit session), 22 15%, 23 15%
 *
 * Benign look-alikes (role benign)
 *   busy        on 8082: S 2-3, M 2-4, L 3-5; on 447: S 1-2, M 1-3, L 2-4; S 40-120, M 150-500,
 *               L 600-2000 flows an hour x the diurnal weight; clients from a pool of
 *               rate x hours / (2-6 visits), 20-50% customer clients, the rest internet clients
 *   polled      one more on 8082 or 447: 2-10 flows an hour from such a pool, and S 10-30,
 *               M 20-60, L 40-100 customer clients (never victims) that poll it all span every
 *               10-30 min (+-5% per client, jitter +-min(30 s, 5%)): regular like beacons, but
 *               one long-lived server, no controller, no churn
 *   CDN         4-12 addresses used by everyone
 *
 * Determinism: the plan draws from splitmix64 keyed by (seed, part); the flows of an hour from
 * generators keyed by (seed, source, hour) or, for beacons and polls, (seed, segment, slot), so
 * an hour's flows do not depend on the ranks or the order of the hours. Within an hour flows
 * are sorted by start second, in generation order within a second.
 */
#include "gen/gen_impl.h"
#include "io/flowsrc.h"

#include <stdio.h>
#include <string.h>

#define HOUR 3600
#define DAY 86400

typedef struct gen_preset_params {
    const char *name;
    guint64 flows;
    guint days;
    uint32_t clients[2], servers[2], victims[2], lanes[2], backends[2], scanners[2], sweep[2];
    uint32_t b8082[2], b447[2], pollers[2], net_bits[2];
    double benign_rate[2];
} gen_preset_params;

static const gen_preset_params presets[] = {
    [C2H_GEN_SMALL] = {"small", 300000, 3, {2000, 5000}, {20000, 40000}, {40, 80}, {3, 5}, {2, 3}, {2, 3},
                       {20000, 60000}, {2, 3}, {1, 2}, {10, 30}, {12, 16}, {40, 120}},
    [C2H_GEN_MEDIUM] = {"medium", 5000000, 7, {20000, 40000}, {200000, 400000}, {150, 300}, {5, 8}, {2, 4}, {3, 4},
                        {150000, 400000}, {2, 4}, {1, 3}, {20, 60}, {14, 16}, {150, 500}},
    [C2H_GEN_LARGE] = {"large", 100000000, 14, {100000, 200000}, {1000000, 2000000}, {600, 1000}, {8, 12}, {3, 5},
                       {3, 5}, {400000, 1200000}, {3, 5}, {2, 4}, {40, 100}, {16, 17}, {600, 2000}},
};

gboolean c2h_gen_preset_parse(const char *name, c2h_gen_preset *out)
{
    for (size_t i = 0; i < G_N_ELEMENTS(presets); i++)
        if (g_strcmp0(name, presets[i].name) == 0) {
            *out = (c2h_gen_preset)i;
            return TRUE;
        }
    return FALSE;
}

const char *c2h_gen_preset_name(c2h_gen_preset p)
{
    return (size_t)p < G_N_ELEMENTS(presets) ? presets[p].name : "?";
}

void c2h_gen_config_init(c2h_gen_config *cfg, c2h_gen_preset preset, guint64 seed)
{
    g_assert((size_t)preset < G_N_ELEMENTS(presets));
    memset(cfg, 0, sizeof *cfg);
    cfg->preset = preset;
    cfg->seed = seed;
    cfg->flows = presets[preset].flows;
    cfg->days = presets[preset].days;
    gboolean ok = c2h_time_parse_iso(C2H_GEN_DEFAULT_START, &cfg->start_ms);
    g_assert(ok);
}

/* ---- random helpers ---- */

static double zipf_h(const gen_zipf *z, double x)
{
    return exp(-z->s * log(x));
}

static double helper1(double x) /* log1p(x) / x */
{
    return fabs(x) > 1e-8 ? log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
}

static double helper2(double x) /* expm1(x) / x */
{
    return fabs(x) > 1e-8 ? expm1(x) / x : 1 + x * 0.5 * (1 + x * (1.0 / 3) * (1 + 0.25 * x));
}

static double zipf_hint(const gen_zipf *z, double x)
{
    double lx = log(x);
    return helper2((1 - z->s) * lx) * lx;
}

static double zipf_hint_inv(const gen_zipf *z, double x)
{
    double t = x * (1 - z->s);
    if (t < -1)
        t = -1;
    return exp(helper1(t) * x);
}

void gen_zipf_init(gen_zipf *z, uint32_t n, double s)
{
    g_assert(n >= 1 && s > 0);
    z->n = n;
    z->s = s;
    z->h_x1 = zipf_hint(z, 1.5) - 1;
    z->h_n = zipf_hint(z, n + 0.5);
    z->thresh = 2 - zipf_hint_inv(z, zipf_hint(z, 2.5) - zipf_h(z, 2));
}

uint32_t gen_zipf_sample(const gen_zipf *z, gen_rng *r)
{
    for (;;) {
        double u = z->h_n + gen_unif(r) * (z->h_x1 - z->h_n);
        double x = zipf_hint_inv(z, u);
        double kf = x + 0.5;
        uint32_t k = kf < 1 ? 1 : kf > z->n ? z->n : (uint32_t)kf;
        if (k - x <= z->thresh || u >= zipf_hint(z, k + 0.5) - zipf_h(z, k))
            return k;
    }
}

uint64_t gen_poisson(const c2h_gen_plan *p, gen_rng *r, double lambda)
{
    if (lambda <= 0)
        return 0;
    if (lambda < 30) {
        double l = exp(-lambda), prod = gen_unif(r);
        uint64_t k = 0;
        while (prod > l) {
            k++;
            prod *= gen_unif(r);
        }
        return k;
    }
    double v = lambda + sqrt(lambda) * gen_normal(p, r) + 0.5;
    return v < 0 ? 0 : (uint64_t)v;
}

/* Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
static double normal_quantile(double q)
{
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                               1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                               6.680131188771972e+01,  -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                               -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    const double lo = 0.02425, hi = 1 - lo;
    if (q < lo) {
        double t = sqrt(-2 * log(q));
        return (((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5]) /
               ((((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1);
    }
    if (q > hi) {
        double t = sqrt(-2 * log(1 - q));
        return -(((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5]) /
               ((((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1);
    }
    double t = q - 0.5, u = t * t;
    return (((((a[0] * u + a[1]) * u + a[2]) * u + a[3]) * u + a[4]) * u + a[5]) * t /
           (((((b[0] * u + b[1]) * u + b[2]) * u + b[3]) * u + b[4]) * u + 1);
}

/* ---- addresses ---- */

static uint32_t lowbias32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

static uint32_t feistel32(const c2h_gen_plan *p, uint32_t x)
{
    uint32_t l = x >> 16, r = x & 0xffff;
    for (int i = 0; i < 4; i++) {
        uint32_t f = lowbias32(r ^ p->fkey[i]) >> 16;
        uint32_t nl = r;
        r = l ^ f;
        l = nl;
    }
    return l << 16 | r;
}

static c2h_addr inet_decode(const c2h_gen_plan *p, uint32_t x)
{
    const uint32_t per_octet = 65536u * 254u;
    uint32_t rem = x % per_octet;
    uint32_t v = (uint32_t)p->octets[x / per_octet] << 24 | (rem / 254) << 8 | (1 + rem % 254);
    return c2h_addr_from_v4(v);
}

c2h_addr gen_inet_addr(const c2h_gen_plan *p, uint32_t id)
{
    g_assert(id < p->inet_count);
    /* Cycle-walking keeps the Feistel permutation of [0, 2^32) a permutation of [0, inet_count). */
    uint32_t x = feistel32(p, id);
    while (x >= p->inet_count)
        x = feistel32(p, x);
    return inet_decode(p, x);
}

c2h_addr gen_inet_random(const c2h_gen_plan *p, gen_rng *r)
{
    return inet_decode(p, (uint32_t)gen_below(r, p->inet_count));
}

static uint32_t net_perm(const gen_net *n, uint32_t x)
{
    const uint32_t mask = (1u << n->bits) - 1, sh = n->bits / 2;
    do {
        x = (x * n->m1) & mask;
        x ^= x >> sh;
        x = (x * n->m2) & mask;
        x ^= x >> (sh + 1);
    } while (x == 0 || x == mask);
    return x;
}

c2h_addr gen_client_addr(const c2h_gen_plan *p, uint32_t k)
{
    g_assert(k < p->n_clients);
    uint32_t i = 0;
    while (i + 1 < p->n_nets && k >= p->nets[i + 1].first)
        i++;
    const gen_net *n = &p->nets[i];
    /* Host numbers 1 .. active map one to one onto the net's hosts other than 0 and all-ones. */
    return c2h_addr_from_v4(n->base | net_perm(n, k - n->first + 1));
}

c2h_addr gen_customer_random(const c2h_gen_plan *p, gen_rng *r)
{
    const gen_net *n = &p->nets[gen_below(r, p->n_nets)];
    return c2h_addr_from_v4(n->base | (uint32_t)gen_irange(r, 1, ((int64_t)1 << n->bits) - 2));
}

double gen_hour_weight(const c2h_gen_plan *p, guint h)
{
    int64_t abs_hour = c2h_floordiv(p->cfg.start_ms, 1000 * HOUR) + h + p->tz_hours;
    int64_t hod = abs_hour - c2h_floordiv(abs_hour, 24) * 24;
    int64_t dow = (c2h_floordiv(abs_hour, 24) + 4) % 7; /* 1970-01-01 was a Thursday; 0 is Sunday */
    if (dow < 0)
        dow += 7;
    double w = 1 + p->diurnal_amp * cos(2 * G_PI * ((double)hod - p->peak_hour) / 24);
    return dow == 0 || dow == 6 ? w * p->weekend : w;
}

/* ---- planning: address space ---- */

static gboolean nets_overlap(const gen_net *a, const gen_net *b)
{
    uint32_t bits = MAX(a->bits, b->bits);
    return bits >= 32 || ((a->base ^ b->base) >> bits) == 0;
}

static void plan_addresses(c2h_gen_plan *p, const gen_preset_params *pp)
{
    gen_rng r = gen_rng_at(p->cfg.seed, GEN_S_NETS, 0, 0);
    static const uint8_t reserved[] = {0, 10, 100, 127, 169, 172, 192, 198, 203};
    gboolean allowed[256] = {FALSE};
    for (int o = 1; o <= 223; o++)
        allowed[o] = TRUE;
    for (size_t i = 0; i < G_N_ELEMENTS(reserved); i++)
        allowed[reserved[i]] = FALSE;

    p->n_nets = (uint32_t)gen_irange(&r, 3, GEN_MAX_NETS);
    for (uint32_t i = 0; i < p->n_nets; i++) {
        gen_net *n = &p->nets[i];
        for (;;) {
            n->bits = (uint32_t)gen_irange(&r, pp->net_bits[0], pp->net_bits[1]);
            uint32_t mask = (1u << n->bits) - 1, rnd = (uint32_t)gen_next(&r);
            int kind = i == 0 ? 0 : i == 1 ? 1 : (int)gen_below(&r, 3);
            if (kind == 0) { /* 10.0.0.0/8 */
                n->base = 10u << 24 | (rnd & 0x00ffffffu & ~mask);
            } else if (kind == 1) { /* 100.64.0.0/10, carrier-grade NAT */
                n->base = 100u << 24 | 64u << 16 | (rnd & 0x003fffffu & ~mask);
            } else { /* a public-looking /8, then kept out of the internet's space */
                uint32_t o;
                do
                    o = (uint32_t)gen_irange(&r, 1, 223);
                while (!allowed[o]);
                n->base = o << 24 | (rnd & 0x00ffffffu & ~mask);
            }
            gboolean clash = FALSE;
            for (uint32_t j = 0; j < i; j++)
                clash = clash || nets_overlap(n, &p->nets[j]);
            if (!clash)
                break;
        }
        n->m1 = ((uint32_t)gen_next(&r) | 1u) & ((1u << n->bits) - 1);
        n->m2 = ((uint32_t)gen_next(&r) | 1u) & ((1u << n->bits) - 1);
    }
    for (uint32_t i = 0; i < p->n_nets; i++)
        allowed[p->nets[i].base >> 24] = FALSE;
    p->n_octets = 0;
    for (int o = 1; o <= 223; o++)
        if (allowed[o])
            p->octets[p->n_octets++] = (uint8_t)o;
    p->inet_count = p->n_octets * 65536u * 254u;
    for (int i = 0; i < 4; i++)
        p->fkey[i] = (uint32_t)gen_next(&r);

    /* Clients: about the preset's count, spread over the nets, at most 60% of a net. */
    double target = (double)gen_irange(&r, pp->clients[0], pp->clients[1]), wsum = 0, w[GEN_MAX_NETS];
    for (uint32_t i = 0; i < p->n_nets; i++) {
        w[i] = gen_range(&r, 0.3, 1.0) * (double)(1u << p->nets[i].bits);
        wsum += w[i];
    }
    uint32_t first = 0;
    for (uint32_t i = 0; i < p->n_nets; i++) {
        uint32_t cap = (uint32_t)(0.6 * (double)(1u << p->nets[i].bits));
        uint32_t a = (uint32_t)(target * w[i] / wsum + 0.5);
        p->nets[i].active = CLAMP(a, 16u, cap);
        p->nets[i].first = first;
        first += p->nets[i].active;
    }
    p->n_clients = first;
    p->n_cust_servers = MAX(5u, p->n_clients / 100);
}

/* ---- planning: the botnet ---- */

static void add_c2(c2h_gen_plan *p, gen_rng *r, gint64 t_stage, gint64 t_live, gint64 t_down)
{
    gen_c2 c;
    memset(&c, 0, sizeof c);
    c.addr = gen_inet_addr(p, GEN_ID_C2 + p->c2->len);
    double u = gen_unif(r);
    c.port = u < 0.45 ? 447 : u < 0.8 ? 449 : 8082;
    c.t_stage = t_stage;
    c.t_live = t_live < p->span ? t_live : GEN_NEVER;
    c.t_down = t_down < p->span ? t_down : GEN_NEVER;
    c.t_active = GEN_NEVER;
    g_array_append_val(p->c2, c);
}

/* C2 in lanes: each lane is a chain of routers, the next staged before the last goes down. */
static void plan_c2(c2h_gen_plan *p, const gen_preset_params *pp)
{
    gen_rng r = gen_rng_at(p->cfg.seed, GEN_S_PLAN, 2, 0);
    const gint64 span = p->span;
    uint32_t lanes = (uint32_t)gen_irange(&r, pp->lanes[0], pp->lanes[1]);
    for (uint32_t lane = 0; lane < lanes && p->c2->len < 4000; lane++) {
        gint64 t_stage = gen_irange(&r, 0, MIN(4 * HOUR, span / 4));
        gint64 t_live = t_stage + (gint64)gen_logunif(&r, 1200, 4 * HOUR);
        while (p->c2->len < 4000) {
            gint64 t_down = t_live + (gint64)gen_logunif(&r, 8 * HOUR, 6 * DAY);
            add_c2(p, &r, t_stage, t_live, t_down);
            if (t_down >= span)
                break;
            gint64 overlap = gen_irange(&r, 0, 6 * HOUR);
            gint64 next_live = MAX(t_down - overlap, t_live + HOUR);
            gint64 next_stage = next_live - (gint64)gen_logunif(&r, 1200, 3 * DAY);
            if (next_stage < 0)
                next_stage = gen_irange(&r, 0, next_live - 600);
            if (next_stage >= span)
                break;
            t_stage = next_stage;
            t_live = next_live;
            if (t_live >= span) { /* staged, but its victims come after the span: predicted */
                add_c2(p, &r, t_stage, GEN_NEVER, GEN_NEVER);
                break;
            }
        }
    }
    uint32_t extra = (uint32_t)gen_irange(&r, 2, 4);
    for (uint32_t i = 0; i < extra; i++) {
        gint64 lo = MAX(0, span - MIN(span / 2, 3 * DAY));
        add_c2(p, &r, gen_irange(&r, lo, span - HOUR), GEN_NEVER, GEN_NEVER);
    }
}

static void plan_controllers(c2h_gen_plan *p)
{
    gen_rng r = gen_rng_at(p->cfg.seed, GEN_S_PLAN, 3, 0);
    uint32_t n = (uint32_t)gen_irange(&r, 2, GEN_MAX_CTRL);
    double p_touch[GEN_MAX_CTRL];
    for (uint32_t k = 0; k < n; k++) {
        gen_ctrl c;
        memset(&c, 0, sizeof c);
        c.addr = gen_inet_addr(p, GEN_ID_CTRL + k);
        gboolean ssh = gen_unif(&r) < 0.5;
        c.port_main = ssh ? 22 : 8291;
        c.port_alt = ssh ? 8291 : 22;
        c.p_main = gen_range(&r, 0.6, 0.85);
        c.p_c2port = gen_range(&r, 0.05, 0.15);
        c.session_rate = 1.0 / gen_range(&r, 3, 12);
        c.bg_rate = gen_range(&r, 2, 10);
        p_touch[k] = gen_range(&r, 0.7, 0.92);
        g_array_append_val(p->ctrl, c);
    }
    for (guint i = 0; i < p->c2->len; i++) {
        gen_c2 *c = &g_array_index(p->c2, gen_c2, i);
        gint64 end = MIN(c->t_down, p->span);
        c->stager = (uint8_t)gen_below(&r, n);
        c->ctrl_mask = (uint8_t)(1u << c->stager);
        for (uint32_t k = 0; k < GEN_MAX_CTRL; k++)
            c->ctrl_first[k] = GEN_NEVER;
        c->ctrl_first[c->stager] = c->t_stage;
        for (uint32_t k = 0; k < n; k++) {
            if (k == c->stager || gen_unif(&r) >= p_touch[k])
                continue;
            gint64 f = c->t_stage + (gint64)gen_logunif(&r, 600, DAY);
            if (f < end) {
                c->ctrl_mask |= (uint8_t)(1u << k);
                c->ctrl_first[k] = f;
            }
        }
    }
    /* Most, not all: a controller that touched every C2 lets go of one it did not stage. */
    for (uint32_t k = 0; k < n; k++) {
        guint all = 0, candidates = 0;
        for (guint i = 0; i < p->c2->len; i++) {
            const gen_c2 *c = &g_array_index(p->c2, gen_c2, i);
            all += (c->ctrl_mask >> k) & 1u;
            candidates += c->stager != k;
        }
        if (all < p->c2->len || candidates == 0)
            continue;
        guint pick = (guint)gen_below(&r, candidates);
        for (guint i = 0; i < p->c2->len; i++) {
            gen_c2 *c = &g_array_index(p->c2, gen_c2, i);
            if (c->stager != k && pick-- == 0) {
                c->ctrl_mask &= (uint8_t)~(1u << k);
                c->ctrl_first[k] = GEN_NEVER;
                break;
            }
        }
    }
}

/* ---- planning: victims and their C2 over time (a small event simulation) ---- */

enum { EV_LIVE, EV_DOWN, EV_INFECT, EV_UPDATE, EV_CLEAN };
enum { HINT_NONE = -1, HINT_PERIODIC = -2 };

typedef struct gen_event {
    gint64 t;
    guint64 seq;
    uint32_t id;
    int32_t arg;
    int type;
} gen_event;

typedef struct gen_sim {
    c2h_gen_plan *p;
    gen_rng r;
    GArray *heap; /* of gen_event, a binary min-heap on (t, seq) */
    guint64 seq;
    int *state;      /* per victim: 0 not infected yet, 1 infected, 2 cleaned */
    gint64 *open;    /* per victim: index of its open segment in p->segs, or -1 */
    uint16_t (*last)[GEN_MAX_SET];
    uint8_t *last_n;
    double *update_mean;
} gen_sim;

static gboolean ev_less(const gen_event *a, const gen_event *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void ev_push(gen_sim *s, gint64 t, int type, uint32_t id, int32_t arg)
{
    gen_event e = {t, s->seq++, id, arg, type};
    g_array_append_val(s->heap, e);
    gen_event *h = (gen_event *)(void *)s->heap->data;
    for (guint i = s->heap->len - 1; i > 0;) {
        guint parent = (i - 1) / 2;
        if (!ev_less(&h[i], &h[parent]))
            break;
        gen_event tmp = h[i];
        h[i] = h[parent];
        h[parent] = tmp;
        i = parent;
    }
}

static gen_event ev_pop(gen_sim *s)
{
    gen_event *h = (gen_event *)(void *)s->heap->data;
    gen_event top = h[0];
    guint n = s->heap->len - 1;
    h[0] = h[n];
    g_array_set_size(s->heap, n);
    for (guint i = 0;;) {
        guint l = 2 * i + 1, m = i;
        if (l < n && ev_less(&h[l], &h[m]))
            m = l;
        if (l + 1 < n && ev_less(&h[l + 1], &h[m]))
            m = l + 1;
        if (m == i)
            break;
        gen_event tmp = h[i];
        h[i] = h[m];
        h[m] = tmp;
        i = m;
    }
    return top;
}

/* Live for a new segment at t: went live, and stays up at least 10 more minutes. */
static gboolean c2_usable(const gen_c2 *c, gint64 t)
{
    return c->t_live <= t && c->t_down > t + 600;
}

static gboolean set_has(const uint16_t *set, uint8_t n, uint16_t c)
{
    for (uint8_t i = 0; i < n; i++)
        if (set[i] == c)
            return TRUE;
    return FALSE;
}

/* Fill set (holding *n) up to want with C2 usable at t, preferring ones no victim uses yet. */
static void fill_set(gen_sim *s, gint64 t, uint16_t *set, uint8_t *n, uint8_t want)
{
    const GArray *c2 = s->p->c2;
    while (*n < want) {
        guint cand = 0, fresh = 0;
        for (guint i = 0; i < c2->len; i++) {
            const gen_c2 *c = &g_array_index(c2, gen_c2, i);
            if (c2_usable(c, t) && !set_has(set, *n, (uint16_t)i)) {
                cand++;
                fresh += c->n_victims == 0;
            }
        }
        if (cand == 0)
            return;
        gboolean from_fresh = fresh > 0 && gen_unif(&s->r) < 0.5;
        guint pick = (guint)gen_below(&s->r, from_fresh ? fresh : cand);
        for (guint i = 0; i < c2->len; i++) {
            const gen_c2 *c = &g_array_index(c2, gen_c2, i);
            if (!c2_usable(c, t) || set_has(set, *n, (uint16_t)i) || (from_fresh && c->n_victims != 0))
                continue;
            if (pick-- == 0) {
                set[(*n)++] = (uint16_t)i;
                break;
            }
        }
    }
}

static void close_seg(gen_sim *s, uint32_t v, gint64 t)
{
    if (s->open[v] < 0)
        return;
    gen_seg *g = &g_array_index(s->p->segs, gen_seg, s->open[v]);
    g->e = t;
    if (g->e <= g->s)
        g->n = 0; /* empty: no flows */
    s->open[v] = -1;
}

/* Start a new segment of victim v at t with set (n members); with none usable, wait for the
 * next C2 to go live. */
static void open_seg(gen_sim *s, uint32_t v, gint64 t, const uint16_t *set, uint8_t n)
{
    c2h_gen_plan *p = s->p;
    gen_victim *vic = &g_array_index(p->victims, gen_victim, v);
    if (n == 0) {
        gint64 next = GEN_NEVER;
        for (guint i = 0; i < p->c2->len; i++) {
            const gen_c2 *c = &g_array_index(p->c2, gen_c2, i);
            if (c->t_live > t && c->t_live < next)
                next = c->t_live;
        }
        if (next < p->span)
            ev_push(s, next + gen_irange(&s->r, 60, 1800), EV_UPDATE, v, HINT_NONE);
        return;
    }
    gen_seg g;
    memset(&g, 0, sizeof g);
    g.s = t;
    g.e = p->span;
    g.victim = v;
    g.index = vic->nseg++;
    g.n = n;
    for (uint8_t i = 0; i < n; i++) {
        g.c2[i] = set[i];
        g_array_index(p->c2, gen_c2, set[i]).n_victims++;
        s->last[v][i] = set[i];
    }
    s->last_n[v] = n;
    s->open[v] = (gint64)p->segs->len;
    g_array_append_val(p->segs, g);
}

static void sim_update(gen_sim *s, uint32_t v, gint64 t, int32_t hint)
{
    c2h_gen_plan *p = s->p;
    const gen_victim *vic = &g_array_index(p->victims, gen_victim, v);
    uint16_t set[GEN_MAX_SET];
    uint8_t n = 0;
    /* Keep what is still usable of the last set; a periodic update keeps only the primary, and that
     * only half the time. */
    for (uint8_t i = 0; i < s->last_n[v]; i++) {
        uint16_t c = s->last[v][i];
        if (!c2_usable(&g_array_index(p->c2, gen_c2, c), t))
            continue;
        if (hint == HINT_PERIODIC && (i > 0 || gen_unif(&s->r) < 0.5))
            continue;
        set[n++] = c;
    }
    if (hint >= 0 && c2_usable(&g_array_index(p->c2, gen_c2, hint), t) && !set_has(set, n, (uint16_t)hint)) {
        if (n == vic->set_size)
            n--; /* the new C2 replaces the last of the set */
        set[n++] = (uint16_t)hint;
        if (n > 1 && gen_unif(&s->r) < 0.4) { /* and becomes the primary */
            uint16_t tmp = set[0];
            set[0] = set[n - 1];
            set[n - 1] = tmp;
        }
    }
    fill_set(s, t, set, &n, vic->set_size);
    if (s->open[v] >= 0) {
        const gen_seg *cur = &g_array_index(p->segs, gen_seg, s->open[v]);
        if (cur->n == n && memcmp(cur->c2, set, n * sizeof set[0]) == 0)
            return; /* nothing changes */
    }
    close_seg(s, v, t);
    open_seg(s, v, t, set, n);
}

static void sim_event(gen_sim *s, const gen_event *e)
{
    c2h_gen_plan *p = s->p;
    switch (e->type) {
    case EV_INFECT: {
        const gen_victim *vic = &g_array_index(p->victims, gen_victim, e->id);
        s->state[e->id] = 1;
        sim_update(s, e->id, e->t, HINT_NONE);
        ev_push(s, e->t + (gint64)gen_exp(&s->r, s->update_mean[e->id]) + 1, EV_UPDATE, e->id, HINT_PERIODIC);
        if (vic->t_clean < p->span)
            ev_push(s, vic->t_clean, EV_CLEAN, e->id, 0);
        break;
    }
    case EV_UPDATE:
        if (s->state[e->id] != 1)
            break;
        if (e->arg == HINT_PERIODIC)
            ev_push(s, e->t + (gint64)gen_exp(&s->r, s->update_mean[e->id]) + 1, EV_UPDATE, e->id, HINT_PERIODIC);
        sim_update(s, e->id, e->t, e->arg);
        break;
    case EV_CLEAN:
        close_seg(s, e->id, e->t);
        s->state[e->id] = 2;
        break;
    case EV_DOWN:
        /* Victims using it stop at once and move on after a while. */
        for (guint v = 0; v < p->victims->len; v++) {
            if (s->state[v] != 1 || s->open[v] < 0)
                continue;
            const gen_seg *g = &g_array_index(p->segs, gen_seg, s->open[v]);
            if (!set_has(g->c2, g->n, (uint16_t)e->id))
                continue;
            close_seg(s, v, e->t);
            ev_push(s, e->t + gen_irange(&s->r, 30, 1200), EV_UPDATE, v, HINT_NONE);
        }
        break;
    case EV_LIVE: {
        /* A new C2: some infected victims get it in a configuration update. */
        double q = gen_range(&s->r, 0.05, 0.2);
        for (guint v = 0; v < p->victims->len; v++)
            if (s->state[v] == 1 && gen_unif(&s->r) < q)
                ev_push(s, e->t + gen_irange(&s->r, 60, 1800), EV_UPDATE, v, (int32_t)e->id);
        break;
    }
    default:
        g_assert_not_reached();
    }
}

static void plan_victims(c2h_gen_plan *p, const gen_preset_params *pp, GHashTable *used_clients)
{
    gen_rng r = gen_rng_at(p->cfg.seed, GEN_S_PLAN, 4, 0);
    const gint64 span = p->span;
    uint32_t n = (uint32_t)gen_irange(&r, pp->victims[0], pp->victims[1]);
    n = MIN(n, (p->n_clients - p->n_cust_servers) / 4);

    gint64 first_live = GEN_NEVER;
    for (guint i = 0; i < p->c2->len; i++)
        first_live = MIN(first_live, g_array_index(p->c2, gen_c2, i).t_live);
    if (first_live >= span)
        first_live = 0;
    uint32_t n_camp = (uint32_t)gen_irange(&r, 2, 2 + p->cfg.days / 2);
    gint64 camp[2 + C2H_GEN_MAX_DAYS / 2];
    gint64 delay = gen_irange(&r, 600, 6 * HOUR);
    camp[0] = MIN(first_live + delay, span - HOUR);
    for (uint32_t j = 1; j < n_camp; j++)
        camp[j] = gen_irange(&r, span / 10, span * 85 / 100);
    double p_clean = gen_range(&r, 0.2, 0.4);

    gen_sim s = {.p = p, .r = gen_rng_at(p->cfg.seed, GEN_S_PLAN, 5, 0)};
    s.heap = g_array_new(FALSE, FALSE, sizeof(gen_event));
    s.state = g_new0(int, n);
    s.open = g_new(gint64, n);
    s.last = g_malloc0_n(n, sizeof *s.last);
    s.last_n = g_new0(uint8_t, n);
    s.update_mean = g_new(double, n);

    for (uint32_t v = 0; v < n; v++) {
        gen_victim vic;
        memset(&vic, 0, sizeof vic);
        do
            vic.client = p->n_cust_servers + (uint32_t)gen_below(&r, p->n_clients - p->n_cust_servers);
        while (g_hash_table_contains(used_clients, GUINT_TO_POINTER(vic.client + 1)));
        g_hash_table_add(used_clients, GUINT_TO_POINTER(vic.client + 1));
        vic.addr = gen_client_addr(p, vic.client);
        vic.interval = (uint32_t)gen_irange(&r, 120, 600);
        vic.jitter = gen_range(&r, 0.05, 0.3);
        vic.p_primary = gen_range(&r, 0.6, 0.9);
        vic.p443 = gen_range(&r, 0.03, 0.1);
        vic.p_drop = gen_range(&r, 0.01, 0.05);
        vic.cdn_rate = gen_range(&r, 0.5, 3);
        double u = gen_unif(&r);
        vic.set_size = u < 0.3 ? 1 : u < 0.7 ? 2 : 3;
        gint64 c = camp[gen_unif(&r) < 0.35 ? 0 : gen_below(&r, n_camp)];
        vic.t_inf = c + (gint64)gen_exp(&r, 4 * HOUR);
        if (vic.t_inf >= span - HOUR)
            vic.t_inf = c + gen_irange(&r, 0, MAX(0, span - HOUR - c));
        vic.t_clean = gen_unif(&r) < p_clean ? vic.t_inf + (gint64)gen_logunif(&r, 6 * HOUR, 5 * DAY) : GEN_NEVER;
        if (vic.t_clean >= span)
            vic.t_clean = GEN_NEVER;
        vic.t_first = GEN_NEVER;
        s.update_mean[v] = gen_range(&r, DAY, 3 * DAY);
        s.open[v] = -1;
        g_array_append_val(p->victims, vic);
        ev_push(&s, vic.t_inf, EV_INFECT, v, 0);
    }
    for (guint i = 0; i < p->c2->len; i++) {
        const gen_c2 *c = &g_array_index(p->c2, gen_c2, i);
        if (c->t_live < span)
            ev_push(&s, c->t_live, EV_LIVE, i, 0);
        if (c->t_down < span)
            ev_push(&s, c->t_down, EV_DOWN, i, 0);
    }
    while (s.heap->len > 0) {
        gen_event e = ev_pop(&s);
        if (e.t >= span)
            break;
        sim_event(&s, &e);
    }
    for (uint32_t v = 0; v < n; v++)
        close_seg(&s, v, span);

    /* What the flows will show: first contacts. */
    for (guint i = 0; i < p->segs->len; i++) {
        const gen_seg *g = &g_array_index(p->segs, gen_seg, i);
        if (g->n == 0)
            continue;
        gen_victim *vic = &g_array_index(p->victims, gen_victim, g->victim);
        vic->t_first = MIN(vic->t_first, g->s);
        for (uint8_t j = 0; j < g->n; j++) {
            gen_c2 *c = &g_array_index(p->c2, gen_c2, g->c2[j]);
            c->t_active = MIN(c->t_active, g->s);
        }
    }
    g_array_free(s.heap, TRUE);
    g_free(s.state);
    g_free(s.open);
    g_free(s.last);
    g_free(s.last_n);
    g_free(s.update_mean);
}

/* Proxies: some C2 that got victims relay to a backend from their first victim on. */
static void plan_backends(c2h_gen_plan *p, const gen_preset_params *pp)
{
    gen_rng r = gen_rng_at(p->cfg.seed, GEN_S_PLAN, 6, 0);
    uint32_t nb = (uint32_t)gen_irange(&r, pp->backends[0], pp->backends[1]);
    for (uint32_t b = 0; b < nb; b++) {
        gen_backend be = {gen_inet_addr(p, GEN_ID_BACKEND + b), 443, FALSE};
        if (gen_unif(&r) < 0.5)
            be.port = (uint16_t)gen_irange(&r, 2000, 9999);
        g_array_append_val(p->backends, be);
    }
    double f_proxy = gen_range(&r, 0.3, 0.6);
    guint assigned = 0;
    for (guint i = 0; i < p->c2->len; i++) {
        gen_c2 *c = &g_array_index(p->c2, gen_c2, i);
        gboolean proxy = gen_unif(&r) < f_proxy;
        if (c->t_active >= p->span || (!proxy && assigned > 0))
            continue;
        /* The first C2 that got victims is always a proxy, so there is at least one. */
        c->backend[0] = (uint8_t)(assigned < nb ? assigned : gen_below(&r, nb));
        c->n_backend = 1;
        if (nb > 1 && gen_unif(&r) < 0.25) {
            c->backend[1] = (uint8_t)((c->backend[0] + 1 + gen_below(&r, nb - 1)) % nb);
            c->n_backend = 2;
        }
        c->proxy_rate = gen_range(&r, 2, 12);
        for (uint8_t j = 0; j < c->n_backend; j++)
            g_array_index(p->backends, gen_backend, c->backend[j]).used = TRUE;
        assigned++;
    }
}

static void plan_scanners(c2h_gen_plan *p, const gen_preset_params *pp)
{
    gen_rng r = gen_rng_at(p->cfg.seed, GEN_S_PLAN, 7, 0);
    uint32_t ns = (uint32_t)gen_irange(&r, pp->scanners[0], pp->scanners[1]);
    /* The preset's sweep is for the preset's span; another --days scales it. */
    double total = (double)gen_irange(&r, pp->sweep[0], pp->sweep[1]) * p->cfg.days / pp->days, w[8], wsum = 0;
    g_assert(ns <= G_N_ELEMENTS(w));
    for (uint32_t s = 0; s < ns; s++) {
        gen_scanner sc = {gen_inet_addr(p, GEN_ID_SCANNER + s), gen_range(&r, 0.4, 0.6), gen_range(&r, 0.2, 0.35)};
        g_array_append_val(p->scanners, sc);
        w[s] = gen_range(&r, 0.5, 1.5);
        wsum += w[s];
    }
    p->scan_probes = g_new0(uint32_t, (gsize)ns * p->hours);
    for (uint32_t s = 0; s < ns; s++) {
        double p_active = gen_range(&r, 0.6, 1.0);
        gboolean *day_on = g_new0(gboolean, p->cfg.days);
        guint on = 0;
        for (guint d = 0; d < p->cfg.days; d++) {
            gen_rng rd = gen_rng_at(p->cfg.seed, GEN_S_SCANDAY, s, d);
            day_on[d] = gen_unif(&rd) < p_active;
            on += day_on[d];
        }
        if (on == 0) {
            day_on[0] = TRUE;
            on = 1;
        }
        /* Spread the scanner's sweep evenly over its active hours (exact total). */
        double mine = total * w[s] / wsum;
        guint64 active_hours = (guint64)on * 24, j = 0;
        for (guint h = 0; h < p->hours; h++) {
            if (!day_on[h / 24])
                continue;
            guint64 a = (guint64)(mine * (double)j / (double)active_hours);
            guint64 b = (guint64)(mine * (double)(j + 1) / (double)active_hours);
            p->scan_probes[(gsize)s * p->hours + h] = (uint32_t)(b - a);
            j++;
        }
        g_free(day_on);
    }
    for (guint i = 0; i < p->c2->len; i++)
        g_array_index(p->c2, gen_c2, i).scan_rate = gen_range(&r, 1, 4) / p->hours;
}

static void plan_benign(c2h_gen_plan *p, const gen_preset_params *pp, GHashTable *used_clients)
{
    gen_rng r = gen_rng_at(p->cfg.seed, GEN_S_PLAN, 8, 0);
    uint32_t n8082 = (uint32_t)gen_irange(&r, pp->b8082[0], pp->b8082[1]);
    uint32_t n447 = (uint32_t)gen_irange(&r, pp->b447[0], pp->b447[1]);
    for (uint32_t b = 0; b < n8082 + n447 + 1; b++) {
        gen_benign be;
        memset(&be, 0, sizeof be);
        be.addr = gen_inet_addr(p, GEN_ID_BENIGN + b);
        gboolean poll_server = b == n8082 + n447; /* the last: a service its clients poll */
        be.port = b < n8082 ? 8082 : b < n8082 + n447 ? 447 : gen_unif(&r) < 0.5 ? 8082 : 447;
        be.rate = poll_server ? gen_range(&r, 2, 10) : gen_range(&r, pp->benign_rate[0], pp->benign_rate[1]);
        double visits = gen_range(&r, 2, 6); /* a client's visits over the span */
        be.pool = MAX(50u, (uint32_t)(be.rate * p->hours / visits));
        be.pool_customer = gen_range(&r, 0.2, 0.5);
        g_array_append_val(p->benign, be);
    }
    uint32_t np = (uint32_t)gen_irange(&r, pp->pollers[0], pp->pollers[1]);
    np = MIN(np, (p->n_clients - p->n_cust_servers) / 4);
    double base = gen_range(&r, 600, 1800);
    for (uint32_t i = 0; i < np; i++) {
        gen_poller pl;
        do
            pl.client = p->n_cust_servers + (uint32_t)gen_below(&r, p->n_clients - p->n_cust_servers);
        while (g_hash_table_contains(used_clients, GUINT_TO_POINTER(pl.client + 1)));
        g_hash_table_add(used_clients, GUINT_TO_POINTER(pl.client + 1));
        pl.server = p->benign->len - 1;
        pl.interval = (uint32_t)(base * gen_range(&r, 0.95, 1.05));
        pl.phase = (uint32_t)gen_below(&r, pl.interval);
        g_array_append_val(p->pollers, pl);
    }
    p->n_cdn = (uint32_t)gen_irange(&r, 4, GEN_MAX_CDN);
    for (uint32_t i = 0; i < p->n_cdn; i++)
        p->cdn[i] = gen_inet_addr(p, GEN_ID_CDN + i);
}

static void plan_background(c2h_gen_plan *p, const gen_preset_params *pp)
{
    gen_rng r = gen_rng_at(p->cfg.seed, GEN_S_PLAN, 1, 0);
    p->n_servers = (uint32_t)gen_irange(&r, pp->servers[0], pp->servers[1]);
    gen_zipf_init(&p->zipf, p->n_servers, gen_range(&r, 0.95, 1.2));
    p->n_iclients = MIN(8 * p->n_clients, (1u << 26) - 1);
    double noise = gen_range(&r, 0.5, 2);
    p->n_noise = MIN((uint32_t)(p->n_clients * noise) + 100, (1u << 24) - 1);
    p->f_out = gen_range(&r, 0.55, 0.65);
    p->f_ii = gen_range(&r, 0.15, 0.22);
    p->f_in = gen_range(&r, 0.04, 0.07);
    p->f_noise = gen_range(&r, 0.02, 0.04);
    p->f_cdn = gen_range(&r, 0.08, 0.15);
    p->f_quic = gen_range(&r, 0.1, 0.2);
    p->f_heavy = gen_range(&r, 0.2, 0.4);
    p->diurnal_amp = gen_range(&r, 0.3, 0.6);
    p->weekend = gen_range(&r, 0.7, 0.9);
    p->peak_hour = gen_range(&r, 14, 20);
    p->tz_hours = (int)gen_irange(&r, 0, 9);
}

double gen_planted_estimate(const c2h_gen_plan *p)
{
    double est = 0, hours = p->hours;
    for (guint i = 0; i < p->segs->len; i++) {
        const gen_seg *g = &g_array_index(p->segs, gen_seg, i);
        const gen_victim *v = &g_array_index(p->victims, gen_victim, g->victim);
        if (g->n > 0)
            est += g->n + (double)(g->e - g->s) / v->interval;
    }
    for (guint i = 0; i < p->victims->len; i++)
        est += g_array_index(p->victims, gen_victim, i).cdn_rate * hours;
    for (guint i = 0; i < p->c2->len; i++) {
        const gen_c2 *c = &g_array_index(p->c2, gen_c2, i);
        gint64 end = MIN(c->t_down, p->span);
        for (guint k = 0; k < p->ctrl->len; k++)
            if (c->ctrl_mask >> k & 1u)
                est += 2 * (1 + g_array_index(p->ctrl, gen_ctrl, k).session_rate * (double)(end - c->ctrl_first[k]) / HOUR);
        if (c->n_backend > 0)
            est += c->proxy_rate * (double)(end - c->t_active) / HOUR;
        est += c->scan_rate * hours * p->scanners->len;
    }
    for (guint k = 0; k < p->ctrl->len; k++)
        est += g_array_index(p->ctrl, gen_ctrl, k).bg_rate * hours;
    for (gsize i = 0; i < (gsize)p->scanners->len * p->hours; i++)
        est += p->scan_probes[i];
    for (guint b = 0; b < p->benign->len; b++)
        est += g_array_index(p->benign, gen_benign, b).rate * hours;
    for (guint i = 0; i < p->pollers->len; i++)
        est += (double)p->span / g_array_index(p->pollers, gen_poller, i).interval;
    return est;
}

c2h_gen_plan *c2h_gen_plan_new(const c2h_gen_config *cfg, GError **err)
{
    if ((size_t)cfg->preset >= G_N_ELEMENTS(presets)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "gen: unknown preset %d", (int)cfg->preset);
        return NULL;
    }
    if (cfg->days < 1 || cfg->days > C2H_GEN_MAX_DAYS) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "gen: --days %u is out of range (1 to %d)", cfg->days,
                    C2H_GEN_MAX_DAYS);
        return NULL;
    }
    if (cfg->flows < 1000 || cfg->flows > G_GUINT64_CONSTANT(100000000000)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,
                    "gen: --flows %" G_GUINT64_FORMAT " is out of range (1000 to 100000000000)", cfg->flows);
        return NULL;
    }
    if (cfg->start_ms % 1000 != 0) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "gen: the start time must be a whole second");
        return NULL;
    }
    const gen_preset_params *pp = &presets[cfg->preset];
    c2h_gen_plan *p = g_new0(c2h_gen_plan, 1);
    p->cfg = *cfg;
    p->hours = cfg->days * 24;
    p->span = (gint64)p->hours * HOUR;
    for (int i = 0; i < GEN_NORMAL_N; i++)
        p->normal[i] = normal_quantile((i + 0.5) / GEN_NORMAL_N);
    p->c2 = g_array_new(FALSE, FALSE, sizeof(gen_c2));
    p->ctrl = g_array_new(FALSE, FALSE, sizeof(gen_ctrl));
    p->backends = g_array_new(FALSE, FALSE, sizeof(gen_backend));
    p->scanners = g_array_new(FALSE, FALSE, sizeof(gen_scanner));
    p->benign = g_array_new(FALSE, FALSE, sizeof(gen_benign));
    p->pollers = g_array_new(FALSE, FALSE, sizeof(gen_poller));
    p->victims = g_array_new(FALSE, FALSE, sizeof(gen_victim));
    p->segs = g_array_new(FALSE, FALSE, sizeof(gen_seg));

    plan_addresses(p, pp);
    plan_background(p, pp);
    plan_c2(p, pp);
    plan_controllers(p);
    GHashTable *used = g_hash_table_new(g_direct_hash, g_direct_equal); /* client index + 1 */
    plan_victims(p, pp, used);
    plan_benign(p, pp, used);
    g_hash_table_destroy(used);
    plan_backends(p, pp);
    plan_scanners(p, pp);
    gen_rng r = gen_rng_at(cfg->seed, GEN_S_PLAN, 9, 0);
    p->n_seeds = (uint32_t)gen_irange(&r, 2, 3);

    /* The background takes what the planted traffic leaves of the flows asked for. */
    double planted = gen_planted_estimate(p), wsum = 0, acc = 0;
    double bg = MAX((double)cfg->flows / 10, (double)cfg->flows - planted);
    for (guint h = 0; h < p->hours; h++)
        wsum += gen_hour_weight(p, h);
    p->bg_cum = g_new(guint64, p->hours + 1);
    p->bg_cum[0] = 0;
    for (guint h = 0; h < p->hours; h++) {
        acc += gen_hour_weight(p, h);
        p->bg_cum[h + 1] = (guint64)(bg * acc / wsum + 0.5);
    }
    return p;
}

void c2h_gen_plan_free(c2h_gen_plan *p)
{
    if (p == NULL)
        return;
    g_array_free(p->c2, TRUE);
    g_array_free(p->ctrl, TRUE);
    g_array_free(p->backends, TRUE);
    g_array_free(p->scanners, TRUE);
    g_array_free(p->benign, TRUE);
    g_array_free(p->pollers, TRUE);
    g_array_free(p->victims, TRUE);
    g_array_free(p->segs, TRUE);
    g_free(p->scan_probes);
    g_free(p->bg_cum);
    g_free(p);
}

const c2h_gen_config *c2h_gen_plan_config(const c2h_gen_plan *p)
{
    return &p->cfg;
}

guint c2h_gen_plan_hours(const c2h_gen_plan *p)
{
    return p->hours;
}

void c2h_gen_hours_of_rank(guint hours, int rank, int size, guint *h0, guint *h1)
{
    g_assert(size >= 1 && rank >= 0 && rank < size);
    *h0 = (guint)((guint64)hours * (guint64)rank / (guint64)size);
    *h1 = (guint)((guint64)hours * (guint64)(rank + 1) / (guint64)size);
}

/* ---- truth and seeds ---- */

const char *c2h_gen_role_name(c2h_gen_role r)
{
    static const char *const names[] = {"victim", "c2", "c2_predicted", "controller", "backend", "scanner", "benign"};
    return (size_t)r < G_N_ELEMENTS(names) ? names[r] : "?";
}

static gint64 to_ms(const c2h_gen_plan *p, gint64 t)
{
    return t < p->span ? p->cfg.start_ms + t * 1000 : C2H_GEN_NO_TIME;
}

static void add_row(GArray *rows, const c2h_addr *ip, c2h_gen_role role, gint64 st, gint64 ac, gint64 dn)
{
    c2h_gen_truth_row row = {*ip, role, st, ac, dn};
    g_array_append_val(rows, row);
}

static gint truth_cmp(gconstpointer a, gconstpointer b)
{
    const c2h_gen_truth_row *x = a, *y = b;
    if (x->role != y->role)
        return x->role < y->role ? -1 : 1;
    return c2h_addr_cmp(&x->ip, &y->ip);
}

GArray *c2h_gen_truth(const c2h_gen_plan *p)
{
    const gint64 none = C2H_GEN_NO_TIME;
    GArray *rows = g_array_new(FALSE, FALSE, sizeof(c2h_gen_truth_row));
    for (guint i = 0; i < p->victims->len; i++) {
        const gen_victim *v = &g_array_index(p->victims, gen_victim, i);
        if (v->t_first < p->span)
            add_row(rows, &v->addr, C2H_ROLE_VICTIM, none, to_ms(p, v->t_first), to_ms(p, v->t_clean));
    }
    for (guint i = 0; i < p->c2->len; i++) {
        const gen_c2 *c = &g_array_index(p->c2, gen_c2, i);
        add_row(rows, &c->addr, c->t_active < p->span ? C2H_ROLE_C2 : C2H_ROLE_C2_PREDICTED, to_ms(p, c->t_stage),
                to_ms(p, c->t_active), to_ms(p, c->t_down));
    }
    for (guint i = 0; i < p->ctrl->len; i++)
        add_row(rows, &g_array_index(p->ctrl, gen_ctrl, i).addr, C2H_ROLE_CONTROLLER, none, none, none);
    for (guint i = 0; i < p->backends->len; i++) {
        const gen_backend *b = &g_array_index(p->backends, gen_backend, i);
        if (b->used)
            add_row(rows, &b->addr, C2H_ROLE_BACKEND, none, none, none);
    }
    for (guint i = 0; i < p->scanners->len; i++)
        add_row(rows, &g_array_index(p->scanners, gen_scanner, i).addr, C2H_ROLE_SCANNER, none, none, none);
    for (guint i = 0; i < p->benign->len; i++)
        add_row(rows, &g_array_index(p->benign, gen_benign, i).addr, C2H_ROLE_BENIGN, none, none, none);
    for (guint i = 0; i < p->n_cdn; i++)
        add_row(rows, &p->cdn[i], C2H_ROLE_BENIGN, none, none, none);
    g_array_sort(rows, truth_cmp);
    return rows;
}

static gint seed_cmp(gconstpointer a, gconstpointer b, gpointer ud)
{
    const c2h_gen_plan *p = ud;
    const gen_c2 *x = &g_array_index(p->c2, gen_c2, *(const guint *)a);
    const gen_c2 *y = &g_array_index(p->c2, gen_c2, *(const guint *)b);
    if (x->t_active != y->t_active)
        return x->t_active < y->t_active ? -1 : 1;
    return c2h_addr_cmp(&x->addr, &y->addr);
}

GArray *c2h_gen_seeds(const c2h_gen_plan *p)
{
    GArray *idx = g_array_new(FALSE, FALSE, sizeof(guint));
    for (guint i = 0; i < p->c2->len; i++)
        if (g_array_index(p->c2, gen_c2, i).t_active < p->span)
            g_array_append_val(idx, i);
    g_array_sort_with_data(idx, seed_cmp, (gpointer)p);
    GArray *out = g_array_new(FALSE, FALSE, sizeof(c2h_addr));
    for (guint i = 0; i < idx->len && i < p->n_seeds; i++)
        g_array_append_val(out, g_array_index(p->c2, gen_c2, g_array_index(idx, guint, i)).addr);
    g_array_free(idx, TRUE);
    return out;
}

static void append_time(GString *out, gint64 ms)
{
    char buf[32];
    g_string_append_c(out, ',');
    if (ms != C2H_GEN_NO_TIME)
        g_string_append(out, c2h_time_format_iso(ms, buf));
}

void c2h_gen_append_truth_csv(const c2h_gen_plan *p, GString *out)
{
    GArray *rows = c2h_gen_truth(p);
    g_string_append(out, "ip,role,t_stage,t_active,t_down\n");
    for (guint i = 0; i < rows->len; i++) {
        const c2h_gen_truth_row *row = &g_array_index(rows, c2h_gen_truth_row, i);
        char ip[C2H_ADDR_STRLEN];
        g_string_append_printf(out, "%s,%s", c2h_addr_format(&row->ip, ip), c2h_gen_role_name(row->role));
        append_time(out, row->t_stage_ms);
        append_time(out, row->t_active_ms);
        append_time(out, row->t_down_ms);
        g_string_append_c(out, '\n');
    }
    g_array_free(rows, TRUE);
}

void c2h_gen_append_seeds(const c2h_gen_plan *p, GString *out)
{
    char start[32];
    GArray *seeds = c2h_gen_seeds(p);
    g_string_append_printf(out,
                           "# seed C2 of a c2hunt gen archive: C2 known to be active early in the span, one address a line\n"
                           "# preset=%s seed=%" G_GUINT64_FORMAT " days=%u start=%s\n",
                           c2h_gen_preset_name(p->cfg.preset), p->cfg.seed, p->cfg.days,
                           c2h_time_format_iso(p->cfg.start_ms, start));
    for (guint i = 0; i < seeds->len; i++) {
        char ip[C2H_ADDR_STRLEN];
        g_string_append_printf(out, "%s\n", c2h_addr_format(&g_array_index(seeds, c2h_addr, i), ip));
    }
    g_array_free(seeds, TRUE);
}

static gboolean write_text(const char *dir, const char *name, const GString *text, GError **err)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    GError *e = NULL;
    if (!g_file_set_contents(path, text->str, (gssize)text->len, &e)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_IO, "gen: cannot write %s: %s", path, e->message);
        g_error_free(e);
        return FALSE;
    }
    return TRUE;
}

/* customers.csv: the customer networks, one customer each ("customer-1", ...), in the form
 * `c2hunt run --customers` reads. */
static void append_customers(const c2h_gen_plan *p, GString *out)
{
    g_string_append(out, "cidr,customer\n");
    for (uint32_t i = 0; i < p->n_nets; i++) {
        uint32_t b = p->nets[i].base;
        g_string_append_printf(out, "%u.%u.%u.%u/%u,customer-%u\n", b >> 24, (b >> 16) & 0xff, (b >> 8) & 0xff,
                               b & 0xff, 32 - p->nets[i].bits, i + 1);
    }
}

gboolean c2h_gen_write_truth(const c2h_gen_plan *p, const char *dir, GError **err)
{
    g_autoptr(GString) truth = g_string_new(NULL);
    g_autoptr(GString) seeds = g_string_new(NULL);
    g_autoptr(GString) customers = g_string_new(NULL);
    c2h_gen_append_truth_csv(p, truth);
    c2h_gen_append_seeds(p, seeds);
    append_customers(p, customers);
    return write_text(dir, C2H_GEN_TRUTH_FILE, truth, err) && write_text(dir, C2H_GEN_SEEDS_FILE, seeds, err) &&
           write_text(dir, "customers.csv", customers, err);
}
