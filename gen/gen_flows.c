/* gen_flows.c: the flows of one hour of the scenario that gen.c planned.
 *
 * Every generator below draws from generators keyed by what the flow belongs to and the
 * hour (or the beacon slot), so hour h comes out the same whoever generates it and
 * whichever hours were generated before. One flow a connection, from the initiator to the
 * responder, packets and bytes of the connection.
 */
#include "gen/gen_impl.h"
#include "io/flowsrc.h"

#include <string.h>

#define HOUR 3600

typedef struct gen_hour_ctx {
    const c2h_gen_plan *p;
    guint h;
    gint64 hs, he; /* the hour: [hs, he) in seconds since the start of the span */
    GArray *out;
} gen_hour_ctx;

typedef enum gen_kind {
    K_WEB, K_QUIC, K_DNS, K_NTP, K_SMTP, K_SSH, K_P2P_TCP, K_P2P_UDP, /* ordinary traffic */
    K_PROBE,                                                          /* a SYN nobody answers */
    K_BEACON, K_BIG, K_CHECKIN,                                       /* victim to C2 */
    K_ADMIN, K_PROXY, K_EXPLOIT, K_KNOCK, K_POLL,
} gen_kind;

enum { FL_SYN = C2H_TCP_SYN, FL_DONE = C2H_TCP_FIN | C2H_TCP_SYN | C2H_TCP_PSH | C2H_TCP_ACK };

static uint64_t clampu(double v, double lo, double hi)
{
    return (uint64_t)(v < lo ? lo : v > hi ? hi : v);
}

static uint16_t eph_port(gen_rng *r)
{
    return (uint16_t)gen_irange(r, 32768, 65535);
}

static uint16_t any_port(gen_rng *r)
{
    return (uint16_t)gen_irange(r, 1024, 65535);
}

/* Append one flow of kind starting at second t, shaped (duration, packets, bytes, flags) by kind. */
static void emit(gen_hour_ctx *x, gen_rng *r, gen_kind kind, gint64 t, const c2h_addr *src, uint16_t sport,
                 const c2h_addr *dst, uint16_t dport)
{
    const c2h_gen_plan *p = x->p;
    g_assert(t >= x->hs && t < x->he);
    c2h_flow f;
    memset(&f, 0, sizeof f);
    f.src = *src;
    f.dst = *dst;
    f.sport = sport;
    f.dport = dport;
    f.proto = 6;
    f.tcp_flags = FL_DONE;
    uint64_t pk = 1, dur = 0;
    double by = 0;
    switch (kind) {
    case K_WEB: {
        double u = gen_unif(r);
        if (u < 0.04) {
            pk = 1 + gen_below(r, 2);
            by = 60.0 * pk;
            dur = pk > 1 ? (uint64_t)gen_irange(r, 1000, 3000) : 0;
            f.tcp_flags = FL_SYN;
        } else {
            pk = clampu(gen_lognormal(p, r, 12, 1.1), 3, 2e5);
            by = pk * gen_range(r, 120, 1300);
            dur = clampu(gen_lognormal(p, r, 1200, 1.6), 1, 1.8e6);
            f.tcp_flags = u < 0.9 ? FL_DONE : u < 0.95 ? (FL_DONE | C2H_TCP_RST) : (FL_DONE & ~C2H_TCP_FIN);
        }
        break;
    }
    case K_QUIC:
        pk = clampu(gen_lognormal(p, r, 20, 1.2), 2, 1e5);
        by = pk * gen_range(r, 80, 1350);
        dur = clampu(gen_lognormal(p, r, 1500, 1.5), 1, 1.8e6);
        break;
    case K_DNS:
        pk = gen_unif(r) < 0.85 ? 1 : 2;
        by = (double)pk * (double)gen_irange(r, 50, 300);
        dur = pk == 1 ? 0 : (uint64_t)gen_irange(r, 1, 80);
        break;
    case K_NTP:
        by = 76;
        break;
    case K_SMTP:
        pk = clampu(gen_lognormal(p, r, 25, 1.0), 6, 1e5);
        by = pk * gen_range(r, 100, 1400);
        dur = clampu(gen_lognormal(p, r, 3000, 1.0), 50, 6e5);
        break;
    case K_SSH:
        pk = clampu(gen_lognormal(p, r, 40, 1.5), 6, 1e6);
        by = pk * gen_range(r, 80, 500);
        dur = clampu(gen_lognormal(p, r, 20000, 1.5), 100, 3.6e6);
        break;
    case K_P2P_TCP:
        pk = clampu(gen_lognormal(p, r, 30, 1.8), 3, 1e6);
        by = pk * gen_range(r, 100, 1400);
        dur = clampu(gen_lognormal(p, r, 20000, 1.8), 10, 3.6e6);
        break;
    case K_P2P_UDP:
        pk = clampu(gen_lognormal(p, r, 5, 1.2), 1, 1e5);
        by = pk * gen_range(r, 60, 1200);
        dur = pk == 1 ? 0 : clampu(gen_lognormal(p, r, 500, 2), 1, 3.6e6);
        break;
    case K_PROBE:
        pk = gen_unif(r) < 0.8 ? 1 : 2;
        by = 40.0 * pk;
        dur = pk == 1 ? 0 : (uint64_t)gen_irange(r, 1000, 3000);
        f.tcp_flags = FL_SYN;
        break;
    case K_BEACON:
        pk = (uint64_t)gen_irange(r, 5, 14);
        by = (double)clampu(gen_lognormal(p, r, 2200, 0.5), 60.0 * pk, 4e4);
        dur = clampu(gen_lognormal(p, r, 700, 0.8), 20, 3e4);
        break;
    case K_BIG:
        pk = clampu(gen_lognormal(p, r, 300, 1.0), 20, 1e6);
        by = pk * gen_range(r, 600, 1400);
        dur = clampu(gen_lognormal(p, r, 15000, 1.0), 500, 3.6e6);
        break;
    case K_CHECKIN:
        pk = (uint64_t)gen_irange(r, 8, 20);
        by = (double)clampu(gen_lognormal(p, r, 5000, 0.6), 60.0 * pk, 1e5);
        dur = clampu(gen_lognormal(p, r, 1500, 0.8), 50, 6e4);
        break;
    case K_ADMIN:
        pk = clampu(gen_lognormal(p, r, 80, 1.2), 10, 5e4);
        by = pk * gen_range(r, 60, 600);
        dur = clampu(gen_lognormal(p, r, 60000, 1.3), 2000, 3.6e6);
        break;
    case K_PROXY:
        pk = clampu(gen_lognormal(p, r, 20, 1.0), 4, 1e5);
        by = pk * gen_range(r, 200, 1300);
        dur = clampu(gen_lognormal(p, r, 2000, 1.0), 20, 6e5);
        break;
    case K_EXPLOIT:
        pk = clampu(gen_lognormal(p, r, 25, 0.8), 6, 1e4);
        by = pk * gen_range(r, 60, 400);
        dur = clampu(gen_lognormal(p, r, 4000, 0.8), 100, 1.2e5);
        break;
    case K_KNOCK:
        pk = (uint64_t)gen_irange(r, 3, 8);
        by = (double)pk * (double)gen_irange(r, 52, 120);
        dur = (uint64_t)gen_irange(r, 50, 5000);
        f.tcp_flags = gen_unif(r) < 0.5 ? FL_DONE : (C2H_TCP_SYN | C2H_TCP_RST | C2H_TCP_ACK);
        break;
    case K_POLL:
        pk = (uint64_t)gen_irange(r, 6, 12);
        by = (double)clampu(gen_lognormal(p, r, 1500, 0.4), 60.0 * pk, 2e4);
        dur = clampu(gen_lognormal(p, r, 400, 0.5), 20, 1e4);
        break;
    }
    if (kind == K_QUIC || kind == K_DNS || kind == K_NTP || kind == K_P2P_UDP) {
        f.proto = 17;
        f.tcp_flags = 0;
    }
    f.packets = pk;
    f.bytes = (uint64_t)by;
    f.start_ms = p->cfg.start_ms + t * 1000;
    f.end_ms = f.start_ms + (int64_t)dur;
    g_array_append_val(x->out, f);
}

/* Service of background server `rank` (1 = most popular): a stable function of the rank. */
static uint16_t server_port(const c2h_gen_plan *p, uint32_t rank)
{
    if (rank == 1 || rank == 3)
        return 53; /* the big resolvers */
    if (rank == 6)
        return 123;
    gen_rng r = gen_rng_at(p->cfg.seed, GEN_S_PORTS, rank, 0);
    double u = gen_unif(&r);
    static const struct {
        double upto;
        uint16_t port;
    } mix[] = {{0.52, 443}, {0.74, 80}, {0.80, 53}, {0.84, 123}, {0.91, 25}, {0.95, 993}, {0.98, 8080}, {1.01, 22}};
    size_t i = 0;
    while (u >= mix[i].upto)
        i++;
    return mix[i].port;
}

static gen_kind port_kind(const c2h_gen_plan *p, gen_rng *r, uint16_t port)
{
    switch (port) {
    case 53: return K_DNS;
    case 123: return K_NTP;
    case 25: return K_SMTP;
    case 22: return K_SSH;
    case 443: return gen_unif(r) < p->f_quic ? K_QUIC : K_WEB;
    default: return K_WEB;
    }
}

/* A flow from src to the CDN or to a background server drawn by popularity. */
static void web_flow(gen_hour_ctx *x, gen_rng *r, gint64 t, const c2h_addr *src, uint16_t sport, gboolean cdn)
{
    const c2h_gen_plan *p = x->p;
    if (cdn) {
        uint16_t port = gen_unif(r) < 0.9 ? 443 : 80;
        emit(x, r, port_kind(p, r, port), t, src, sport, &p->cdn[gen_below(r, p->n_cdn)], port);
        return;
    }
    uint32_t rank = gen_zipf_sample(&p->zipf, r);
    c2h_addr dst = gen_inet_addr(p, GEN_ID_SERVER + rank - 1);
    uint16_t port = server_port(p, rank);
    emit(x, r, port_kind(p, r, port), t, src, sport, &dst, port);
}

static uint32_t pick_client(const c2h_gen_plan *p, gen_rng *r)
{
    /* A twentieth of the clients are heavy users. */
    if (gen_unif(r) < p->f_heavy)
        return (uint32_t)gen_below(r, p->n_clients / 20 + 1);
    return (uint32_t)gen_below(r, p->n_clients);
}

static void gen_background(gen_hour_ctx *x)
{
    const c2h_gen_plan *p = x->p;
    static const uint16_t noise_ports[] = {22, 23, 445, 3389, 8291, 80, 8080, 5555};
    guint64 n = p->bg_cum[x->h + 1] - p->bg_cum[x->h];
    gen_rng r = gen_rng_at(p->cfg.seed, GEN_S_BG, x->h, 0);
    const double c_out = p->f_out, c_ii = c_out + p->f_ii, c_in = c_ii + p->f_in, c_noise = c_in + p->f_noise;
    for (guint64 i = 0; i < n; i++) {
        gint64 t = x->hs + (gint64)gen_below(&r, HOUR);
        double u = gen_unif(&r);
        if (u < c_ii) { /* to the internet's servers, from customers or from the internet */
            gboolean cust = u < c_out;
            c2h_addr src = cust ? gen_client_addr(p, pick_client(p, &r))
                                : gen_inet_addr(p, GEN_ID_ICLIENT + (uint32_t)gen_below(&r, p->n_iclients));
            web_flow(x, &r, t, &src, cust ? eph_port(&r) : any_port(&r), gen_unif(&r) < p->f_cdn);
        } else if (u < c_in) { /* into the customers' own servers */
            c2h_addr src = gen_inet_addr(p, GEN_ID_ICLIENT + (uint32_t)gen_below(&r, p->n_iclients));
            c2h_addr dst = gen_client_addr(p, (uint32_t)gen_below(&r, p->n_cust_servers));
            double v = gen_unif(&r);
            uint16_t port = v < 0.4 ? 443 : v < 0.65 ? 80 : v < 0.85 ? 25 : 22;
            emit(x, &r, port_kind(p, &r, port), t, &src, any_port(&r), &dst, port);
        } else if (u < c_noise) { /* the internet's everyday port scanning, many small sources */
            c2h_addr src = gen_inet_addr(p, GEN_ID_NOISE + (uint32_t)gen_below(&r, p->n_noise));
            c2h_addr dst = gen_unif(&r) < 0.85 ? gen_inet_random(p, &r) : gen_customer_random(p, &r);
            uint16_t port = noise_ports[gen_below(&r, G_N_ELEMENTS(noise_ports))];
            emit(x, &r, K_PROBE, t, &src, any_port(&r), &dst, port);
        } else { /* peer to peer, high ports */
            c2h_addr src = gen_client_addr(p, pick_client(p, &r));
            c2h_addr dst = gen_inet_addr(p, GEN_ID_ICLIENT + (uint32_t)gen_below(&r, p->n_iclients));
            emit(x, &r, gen_unif(&r) < 0.6 ? K_P2P_UDP : K_P2P_TCP, t, &src, any_port(&r), &dst, any_port(&r));
        }
    }
}

/* Busy benign services on the C2 ports, with many clients that come a few times each, and the
 * clients that poll the last of them on a fixed period. */
static void gen_benign_servers(gen_hour_ctx *x)
{
    const c2h_gen_plan *p = x->p;
    double w = gen_hour_weight(p, x->h);
    for (guint b = 0; b < p->benign->len; b++) {
        const gen_benign *be = &g_array_index(p->benign, gen_benign, b);
        gen_rng r = gen_rng_at(p->cfg.seed, GEN_S_BENIGN, b, x->h);
        guint64 n = gen_poisson(p, &r, be->rate * w);
        for (guint64 i = 0; i < n; i++) {
            gint64 t = x->hs + (gint64)gen_below(&r, HOUR);
            gen_rng m = gen_rng_at(p->cfg.seed, GEN_S_POOL, b, gen_below(&r, be->pool));
            gboolean cust = gen_unif(&m) < be->pool_customer;
            uint64_t k = gen_next(&m);
            c2h_addr src = cust ? gen_client_addr(p, (uint32_t)(k % p->n_clients))
                                : gen_inet_addr(p, GEN_ID_ICLIENT + (uint32_t)(k % p->n_iclients));
            emit(x, &r, K_WEB, t, &src, cust ? eph_port(&r) : any_port(&r), &be->addr, be->port);
        }
    }
    for (guint i = 0; i < p->pollers->len; i++) {
        const gen_poller *pl = &g_array_index(p->pollers, gen_poller, i);
        const gen_benign *be = &g_array_index(p->benign, gen_benign, pl->server);
        const gint64 per = pl->interval, jit = MIN(30, per / 20);
        c2h_addr src = gen_client_addr(p, pl->client);
        gint64 k_lo = MAX(0, c2h_floordiv(x->hs - pl->phase - jit, per));
        gint64 k_hi = c2h_floordiv(x->he - 1 - pl->phase + jit, per);
        for (gint64 k = k_lo; k <= k_hi; k++) {
            gen_rng r = gen_rng_at(p->cfg.seed, GEN_S_POLL, i, (uint64_t)k);
            gint64 t = pl->phase + k * per + gen_irange(&r, -jit, jit);
            if (t >= x->hs && t < x->he)
                emit(x, &r, K_POLL, t, &src, eph_port(&r), &be->addr, be->port);
        }
    }
}

/* Victims: a check-in with every C2 of the set at the start of a segment, then a beacon each
 * period (jittered, now and then lost) to the primary or another C2 of the set. */
static void gen_victims(gen_hour_ctx *x)
{
    const c2h_gen_plan *p = x->p;
    for (guint i = 0; i < p->segs->len; i++) {
        const gen_seg *g = &g_array_index(p->segs, gen_seg, i);
        if (g->n == 0 || g->e <= x->hs || g->s >= x->he)
            continue;
        const gen_victim *v = &g_array_index(p->victims, gen_victim, g->victim);
        const uint64_t key = (uint64_t)g->victim << 32 | g->index;
        if (g->s >= x->hs) {
            gen_rng r = gen_rng_at(p->cfg.seed, GEN_S_BEACON, key, 0);
            for (uint8_t j = 0; j < g->n; j++) {
                const gen_c2 *c = &g_array_index(p->c2, gen_c2, g->c2[j]);
                emit(x, &r, K_CHECKIN, g->s, &v->addr, eph_port(&r), &c->addr, c->port);
            }
        }
        const gint64 per = v->interval, jit = (gint64)(v->jitter * per);
        gint64 k_lo = MAX(1, c2h_floordiv(x->hs - g->s - jit, per));
        gint64 k_hi = c2h_floordiv(x->he - 1 - g->s + jit, per);
        for (gint64 k = k_lo; k <= k_hi; k++) {
            gen_rng r = gen_rng_at(p->cfg.seed, GEN_S_BEACON, key, (uint64_t)k);
            gint64 t = g->s + k * per + gen_irange(&r, -jit, jit);
            if (t < x->hs || t >= x->he || t >= g->e || gen_unif(&r) < v->p_drop)
                continue;
            uint8_t m = g->n == 1 || gen_unif(&r) < v->p_primary ? 0 : (uint8_t)(1 + gen_below(&r, g->n - 1));
            const gen_c2 *c = &g_array_index(p->c2, gen_c2, g->c2[m]);
            uint16_t port = gen_unif(&r) < v->p443 ? 443 : c->port;
            emit(x, &r, gen_unif(&r) < 0.02 ? K_BIG : K_BEACON, t, &v->addr, eph_port(&r), &c->addr, port);
        }
    }
    for (guint i = 0; i < p->victims->len; i++) {
        const gen_victim *v = &g_array_index(p->victims, gen_victim, i);
        gen_rng r = gen_rng_at(p->cfg.seed, GEN_S_VCDN, i, x->h);
        guint64 n = gen_poisson(p, &r, v->cdn_rate);
        for (guint64 j = 0; j < n; j++)
            web_flow(x, &r, x->hs + (gint64)gen_below(&r, HOUR), &v->addr, eph_port(&r), TRUE);
    }
}

/* One admin session of controller k with C2 c at t: one to three flows, within [t, hi). */
static void admin_session(gen_hour_ctx *x, gen_rng *r, const gen_ctrl *k, const gen_c2 *c, gint64 t, gint64 hi,
                          gboolean first)
{
    guint nf = 1 + (guint)gen_below(r, 3);
    for (guint f = 0; f < nf; f++) {
        double u = gen_unif(r);
        uint16_t port = (f == 0 && first) || u < k->p_main ? k->port_main
                        : u < k->p_main + k->p_c2port     ? c->port
                                                          : k->port_alt;
        gint64 later = t + gen_irange(r, 1, 120);
        gint64 tf = f == 0 ? t : MIN(later, hi - 1);
        emit(x, r, K_ADMIN, tf, &k->addr, any_port(r), &c->addr, port);
    }
}

/* Controllers: a session at staging (the stager) or at first contact, then sessions at random
 * over the C2's life; and some ordinary web traffic of their own. */
static void gen_controllers(gen_hour_ctx *x)
{
    const c2h_gen_plan *p = x->p;
    for (guint i = 0; i < p->c2->len; i++) {
        const gen_c2 *c = &g_array_index(p->c2, gen_c2, i);
        gint64 end = MIN(c->t_down, p->span);
        for (guint k = 0; k < p->ctrl->len; k++) {
            if (!(c->ctrl_mask >> k & 1u))
                continue;
            const gen_ctrl *ct = &g_array_index(p->ctrl, gen_ctrl, k);
            gint64 a = c->ctrl_first[k], lo = MAX(a, x->hs), hi = MIN(end, x->he);
            if (lo >= hi)
                continue;
            gen_rng r = gen_rng_at(p->cfg.seed, GEN_S_CTRL, (uint64_t)i << 2 | k, x->h);
            if (a >= x->hs)
                admin_session(x, &r, ct, c, a, hi, TRUE);
            guint64 n = gen_poisson(p, &r, ct->session_rate * (double)(hi - lo) / HOUR);
            for (guint64 j = 0; j < n; j++)
                admin_session(x, &r, ct, c, lo + (gint64)gen_below(&r, (uint64_t)(hi - lo)), hi, FALSE);
        }
    }
    for (guint k = 0; k < p->ctrl->len; k++) {
        const gen_ctrl *ct = &g_array_index(p->ctrl, gen_ctrl, k);
        gen_rng r = gen_rng_at(p->cfg.seed, GEN_S_CTRLBG, k, x->h);
        guint64 n = gen_poisson(p, &r, ct->bg_rate);
        for (guint64 j = 0; j < n; j++)
            web_flow(x, &r, x->hs + (gint64)gen_below(&r, HOUR), &ct->addr, any_port(&r), FALSE);
    }
}

/* Proxy C2 relay to their backends from their first victim until they go down. */
static void gen_proxies(gen_hour_ctx *x)
{
    const c2h_gen_plan *p = x->p;
    for (guint i = 0; i < p->c2->len; i++) {
        const gen_c2 *c = &g_array_index(p->c2, gen_c2, i);
        if (c->n_backend == 0)
            continue;
        gint64 lo = MAX(c->t_active, x->hs), hi = MIN(MIN(c->t_down, p->span), x->he);
        if (lo >= hi)
            continue;
        gen_rng r = gen_rng_at(p->cfg.seed, GEN_S_PROXY, i, x->h);
        guint64 n = gen_poisson(p, &r, c->proxy_rate * (double)(hi - lo) / HOUR);
        for (guint64 j = 0; j < n; j++) {
            const gen_backend *b = &g_array_index(p->backends, gen_backend, c->backend[gen_below(&r, c->n_backend)]);
            emit(x, &r, K_PROXY, lo + (gint64)gen_below(&r, (uint64_t)(hi - lo)), &c->addr, any_port(&r), &b->addr,
                 b->port);
        }
    }
}

/* Scanners: a sweep of random addresses (a tenth in the customer networks) on 8291/22/23,
 * and now and then a real session with a C2 router, which answers. */
static void gen_scanners(gen_hour_ctx *x)
{
    const c2h_gen_plan *p = x->p;
    for (guint s = 0; s < p->scanners->len; s++) {
        const gen_scanner *sc = &g_array_index(p->scanners, gen_scanner, s);
        gen_rng r = gen_rng_at(p->cfg.seed, GEN_S_SCAN, s, x->h);
        uint32_t n = p->scan_probes[(gsize)s * p->hours + x->h];
        for (uint32_t i = 0; i < n; i++) {
            gint64 t = x->hs + (gint64)gen_below(&r, HOUR);
            c2h_addr dst = gen_unif(&r) < 0.1 ? gen_customer_random(p, &r) : gen_inet_random(p, &r);
            double u = gen_unif(&r);
            uint16_t port = u < sc->w8291 ? 8291 : u < sc->w8291 + sc->w22 ? 22 : 23;
            emit(x, &r, K_PROBE, t, &sc->addr, any_port(&r), &dst, port);
        }
        for (guint i = 0; i < p->c2->len; i++) {
            const gen_c2 *c = &g_array_index(p->c2, gen_c2, i);
            gen_rng rc = gen_rng_at(p->cfg.seed, GEN_S_SCANC2, (uint64_t)s << 16 | i, x->h);
            guint64 m = gen_poisson(p, &rc, c->scan_rate);
            for (guint64 j = 0; j < m; j++) {
                gint64 t = x->hs + (gint64)gen_below(&rc, HOUR);
                double u = gen_unif(&rc);
                uint16_t port = u < 0.7 ? 8291 : u < 0.85 ? 22 : 23;
                emit(x, &rc, port == 8291 ? K_EXPLOIT : K_KNOCK, t, &sc->addr, any_port(&rc), &c->addr, port);
            }
        }
    }
}

gboolean c2h_gen_hour(const c2h_gen_plan *p, guint h, GArray *out, GError **err)
{
    if (h >= p->hours) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "gen: hour %u is outside the span of %u hours", h, p->hours);
        return FALSE;
    }
    g_assert(g_array_get_element_size(out) == sizeof(c2h_flow));
    guint64 expect = p->bg_cum[h + 1] - p->bg_cum[h];
    gen_hour_ctx x = {p, h, (gint64)h * HOUR, (gint64)(h + 1) * HOUR,
                      g_array_sized_new(FALSE, FALSE, sizeof(c2h_flow), (guint)MIN(expect + expect / 2 + 4096, G_MAXUINT / 2))};
    gen_background(&x);
    gen_benign_servers(&x);
    gen_victims(&x);
    gen_controllers(&x);
    gen_proxies(&x);
    gen_scanners(&x);

    /* Stable counting sort by start second: the order within a second is the generation order,
     * itself fixed, so the hour's flows come out the same every time. */
    const gint64 base_ms = p->cfg.start_ms + x.hs * 1000;
    const c2h_flow *src = (const c2h_flow *)(const void *)x.out->data;
    guint *pos = g_new0(guint, HOUR + 1);
    for (guint i = 0; i < x.out->len; i++)
        pos[(src[i].start_ms - base_ms) / 1000 + 1]++;
    for (guint s = 0; s < HOUR; s++)
        pos[s + 1] += pos[s];
    guint first = out->len;
    g_array_set_size(out, first + x.out->len);
    c2h_flow *dst = &g_array_index(out, c2h_flow, first);
    for (guint i = 0; i < x.out->len; i++)
        dst[pos[(src[i].start_ms - base_ms) / 1000]++] = src[i];
    g_free(pos);
    g_array_free(x.out, TRUE);
    return TRUE;
}
