/* gen_impl.h: the generator's plan and its helpers, shared by gen/gen.c (the planner and the
 * truth) and gen/gen_flows.c (the flows of an hour). Not a public header.
 *
 * Times inside the plan are whole seconds since the start of the span (0 .. span); a time
 * of GEN_NEVER or more is "not within the span". Randomness is splitmix64 keyed by
 * (seed, stream, a, b) (gen_rng_at): every draw that decides a flow is keyed by what the
 * flow belongs to (a victim's segment and beacon slot, a scanner and an hour), never by
 * the order in which hours are generated.
 */
#ifndef C2H_GEN_IMPL_H
#define C2H_GEN_IMPL_H

#include "gen/gen.h"

#include <math.h>
#include <stdint.h>

#define GEN_NEVER (INT64_MAX / 4)
#define GEN_MAX_NETS 6
#define GEN_MAX_CTRL 3
#define GEN_MAX_SET 3
#define GEN_MAX_CDN 12
#define GEN_NORMAL_N 4096

/* Internet host ids: disjoint ranges, so no two roles ever share an address. */
#define GEN_ID_SERVER 0u             /* background servers by popularity rank - 1 */
#define GEN_ID_ICLIENT (1u << 24)    /* internet clients */
#define GEN_ID_C2 (1u << 27)         /* + C2 index */
#define GEN_ID_CTRL (GEN_ID_C2 + 4096u)
#define GEN_ID_BACKEND (GEN_ID_C2 + 8192u)
#define GEN_ID_SCANNER (GEN_ID_C2 + 12288u)
#define GEN_ID_BENIGN (GEN_ID_C2 + 16384u)
#define GEN_ID_CDN (GEN_ID_C2 + 20480u)
#define GEN_ID_NOISE (1u << 28)      /* sources of background port-scan noise */

/* Streams of the keyed generator. */
enum gen_stream {
    GEN_S_PLAN = 1, GEN_S_NETS, GEN_S_PORTS, GEN_S_BG, GEN_S_BENIGN, GEN_S_POOL, GEN_S_POLL,
    GEN_S_BEACON, GEN_S_VCDN, GEN_S_CTRL, GEN_S_CTRLBG, GEN_S_PROXY, GEN_S_SCAN, GEN_S_SCANC2, GEN_S_SCANDAY,
};

typedef struct gen_rng {
    uint64_t x;
} gen_rng;

static inline uint64_t gen_sm64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t gen_mix(uint64_t a, uint64_t b)
{
    uint64_t x = a ^ (b * 0xd1342543de82ef95ULL + 0x632be59bd9b4e019ULL);
    return gen_sm64(&x);
}

/* The generator keyed by (seed, stream, a, b). */
static inline gen_rng gen_rng_at(uint64_t seed, uint64_t stream, uint64_t a, uint64_t b)
{
    gen_rng r = {gen_mix(gen_mix(gen_mix(seed, stream), a), b)};
    return r;
}

static inline uint64_t gen_next(gen_rng *r)
{
    return gen_sm64(&r->x);
}

/* Uniform in [0, 1). */
static inline double gen_unif(gen_rng *r)
{
    return (double)(gen_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, n), n >= 1. */
static inline uint64_t gen_below(gen_rng *r, uint64_t n)
{
    if (n <= UINT32_MAX)
        return ((gen_next(r) >> 32) * n) >> 32;
    return gen_next(r) % n;
}

/* Uniform integer in [lo, hi]. */
static inline int64_t gen_irange(gen_rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)gen_below(r, (uint64_t)(hi - lo) + 1);
}

static inline double gen_range(gen_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * gen_unif(r);
}

/* Log-uniform in [lo, hi], lo > 0. */
static inline double gen_logunif(gen_rng *r, double lo, double hi)
{
    return lo * exp(log(hi / lo) * gen_unif(r));
}

static inline double gen_exp(gen_rng *r, double mean)
{
    return -mean * log1p(-gen_unif(r));
}

/* Zipf over ranks 1..n with exponent s (rejection-inversion, Hoermann and Derflinger). */
typedef struct gen_zipf {
    uint32_t n;
    double s, h_x1, h_n, thresh;
} gen_zipf;

void gen_zipf_init(gen_zipf *z, uint32_t n, double s);
uint32_t gen_zipf_sample(const gen_zipf *z, gen_rng *r);

typedef struct gen_net {
    uint32_t base;   /* network address, host order */
    uint32_t bits;   /* host bits: /16 is 16 */
    uint32_t active; /* clients in this net */
    uint32_t first;  /* global index of its first client */
    uint32_t m1, m2; /* odd multipliers of the host-number permutation */
} gen_net;

typedef struct gen_c2 {
    c2h_addr addr;
    uint16_t port;      /* 447, 449 or 8082 */
    gint64 t_stage;     /* first controller contact */
    gint64 t_live;      /* victims may be sent to it from here (GEN_NEVER: not within the span) */
    gint64 t_down;      /* no botnet traffic from here (GEN_NEVER: still up at the end) */
    gint64 t_active;    /* first victim contact (GEN_NEVER: none) */
    gint64 ctrl_first[GEN_MAX_CTRL];
    uint8_t stager;     /* the controller whose first session stages it */
    uint8_t ctrl_mask;  /* controllers that touch it */
    uint8_t n_backend;  /* 0: not a proxy */
    uint8_t backend[2];
    double proxy_rate;  /* proxy flows an hour to its backends */
    double scan_rate;   /* per scanner: expected contacts an hour */
    uint32_t n_victims; /* victims ever sent to it (planning) */
} gen_c2;

typedef struct gen_ctrl {
    c2h_addr addr;
    uint16_t port_main, port_alt; /* 22 and 8291, in one order or the other */
    double p_main, p_c2port;      /* a session flow: main port, else the C2's own port, else alt */
    double session_rate;          /* sessions an hour with each C2 it touches */
    double bg_rate;               /* ordinary web flows an hour */
} gen_ctrl;

typedef struct gen_backend {
    c2h_addr addr;
    uint16_t port;
    gboolean used;
} gen_backend;

typedef struct gen_scanner {
    c2h_addr addr;
    double w8291, w22; /* probe port weights; 23 takes the rest */
} gen_scanner;

typedef struct gen_benign {
    c2h_addr addr;
    uint16_t port;
    double rate;          /* client flows an hour at the diurnal mean */
    uint32_t pool;        /* distinct clients */
    double pool_customer; /* share of the pool in the customer networks */
} gen_benign;

typedef struct gen_poller {
    uint32_t client;   /* customer client index, never a victim */
    uint32_t server;   /* index into benign */
    uint32_t interval; /* seconds */
    uint32_t phase;
} gen_poller;

typedef struct gen_victim {
    uint32_t client;
    c2h_addr addr;
    uint32_t interval; /* beacon period, seconds */
    double jitter;     /* beacon jitter, fraction of the period, either side */
    double p_primary, p443, p_drop, cdn_rate;
    uint8_t set_size;
    gint64 t_inf, t_clean; /* planned infection and clean-up (GEN_NEVER: none) */
    gint64 t_first;        /* first beacon (first segment start), GEN_NEVER if none */
    uint32_t nseg;
} gen_victim;

/* A stretch of time over which a victim beacons to one fixed set of C2. At s it checks in
 * with every C2 of the set; then beacon slot k (k >= 1) falls at s + k * interval +- jitter
 * while it is before e. Every C2 of the set is live over [s, e). */
typedef struct gen_seg {
    gint64 s, e;
    uint32_t victim, index; /* index: the victim's segment number, keys the slot draws */
    uint16_t c2[GEN_MAX_SET];
    uint8_t n;
} gen_seg;

struct c2h_gen_plan {
    c2h_gen_config cfg;
    guint hours;
    gint64 span; /* seconds */

    /* Internet address space: first octets allowed, ids permuted over [0, inet_count). */
    uint8_t octets[256];
    uint32_t n_octets, inet_count;
    uint32_t fkey[4];

    gen_net nets[GEN_MAX_NETS];
    uint32_t n_nets, n_clients, n_cust_servers;
    uint32_t n_servers, n_iclients, n_noise;
    gen_zipf zipf;

    /* Background. */
    double f_out, f_ii, f_in, f_noise, f_cdn, f_quic, f_heavy;
    double diurnal_amp, weekend, peak_hour;
    int tz_hours, start_dow; /* 0: Sunday */
    guint64 *bg_cum;         /* hours + 1 cumulative background flow counts */

    c2h_addr cdn[GEN_MAX_CDN];
    uint32_t n_cdn;

    GArray *c2, *ctrl, *backends, *scanners, *benign, *pollers, *victims, *segs;
    uint32_t *scan_probes; /* n_scanners x hours: random probes of scanner s in hour h */
    uint32_t n_seeds;

    double normal[GEN_NORMAL_N]; /* standard normal quantiles for cheap draws */
};

/* Standard normal draw (from the quantile table). */
static inline double gen_normal(const c2h_gen_plan *p, gen_rng *r)
{
    return p->normal[gen_next(r) >> (64 - 12)];
}

static inline double gen_lognormal(const c2h_gen_plan *p, gen_rng *r, double median, double sigma)
{
    return median * exp(sigma * gen_normal(p, r));
}

uint64_t gen_poisson(const c2h_gen_plan *p, gen_rng *r, double lambda);

/* Addresses. */
c2h_addr gen_inet_addr(const c2h_gen_plan *p, uint32_t id); /* the host of an id */
c2h_addr gen_inet_random(const c2h_gen_plan *p, gen_rng *r); /* any internet address */
c2h_addr gen_client_addr(const c2h_gen_plan *p, uint32_t k); /* customer client k */
c2h_addr gen_customer_random(const c2h_gen_plan *p, gen_rng *r);

/* Background weight of hour h (diurnal and weekly rhythm, mean about 1). */
double gen_hour_weight(const c2h_gen_plan *p, guint h);

/* Expected flows of everything but the background, for sizing the background. */
double gen_planted_estimate(const c2h_gen_plan *p);

#endif
