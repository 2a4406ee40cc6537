/* cmd_run.c: `c2hunt run`: the distributed job that maps C2 infrastructure from seeds.
 *
 * Up to four passes over the archive, usually three (docs/ALGORITHM.md):
 *   1. the C2-port subgraph: TCP flows to the profile's C2 ports fold into edges that go
 *      to the owner of the pair; victims and C2 grow from the seeds to a fixed point; who
 *      touches the seeds the way controllers touch C2 names the likely controller candidates;
 *   2. every flow that touches the C2 set: who touches many C2 (owner of the source), and
 *      whom the C2 connect out to (owner of the destination); and the likely candidates'
 *      flows, sketched ahead of pass 3;
 *   3. the flows of the controller candidates, unless pass 2 gathered them all: fan-out
 *      sketches decide controller or scanner, and the hosts controllers touch the way they
 *      touch C2 become c2_predicted candidates;
 *   4. the flows into the c2_predicted and backend candidates: fan-in sketches decide.
 * Memory follows these subgraphs, not the flows; hubs are counted with HyperLogLog. */
#include "detect/detect.h"
#include "detect/hll.h"
#include "io/archive.h"
#include "io/seeds.h"
#include "mpi/ckpt.h"
#include "mpi/cmds.h"
#include "mpi/exchange.h"
#include "partition/addrmap.h"
#include "partition/owner.h"
#include "partition/spill.h"
#include "report/result.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#define TCP 6

typedef struct phase_metrics {
    char name[32];
    double wall_s;
    double cpu_s;           /* user + system CPU of this rank's process (the work, whatever the sharing of cores) */
    guint64 flows_read;     /* rows read from shards, in the time window or not */
    guint64 bytes_read;     /* compressed bytes read */
    guint64 edges;          /* edges this rank holds after the exchange (pass 1: beacon edges) */
    guint64 spilled_bytes;  /* edges written to disk to stay within the memory budget */
    guint64 bytes_exchanged;
    guint64 peak_rss;
    double exchange_s;      /* wall time sending edges to their owners and taking in theirs (spills included) */
    double spill_s;         /* wall time writing and merging spilled runs */
} phase_metrics;

typedef struct run_opts {
    char *archive, *seeds, *out, *profile, *since_s, *until_s, *customers;
    GArray *cust; /* c2h_customer of --customers, or NULL */
    gboolean quiet, force, resume, keep_ckpt, skip_bad;
    gint64 edge_budget;
} run_opts;

typedef struct run {
    const c2h_comm *comm;
    const c2h_profile *p;
    uint8_t c2_port[65536];  /* 1 where p's port class of a port is a C2 port */
    c2h_archive *a;
    gint64 since, until;
    gboolean quiet;
    GArray *mine;            /* shard indices this rank reads */
    guint n_window;          /* shards in the window, all ranks */
    GArray *metrics;         /* of phase_metrics */
    GHashTable *c2, *victims, *controllers, *scanners, *backends;
    gint64 t_start;
    guint64 edge_budget;     /* edges a rank holds in memory in pass 1 before it exchanges or spills */
    const char *ckpt_dir;    /* DIR.ckpt: checkpoints and spilled edges */
    gboolean skip_bad;       /* --skip-bad-shards */
    GArray *skipped;         /* c2h_skipped: shards skipped in pass 1, all ranks', by shard index */
    /* Pass 1, for pass 2 to sketch the likely controller candidates ahead of pass 3: the
     * seeds, and the edges into them on admin and other ports (NULL: none wanted). */
    c2h_addrmap *seed_map;
    c2h_edgeset *seed_touch;
    gboolean touchers_ahead; /* pass 3 judged from pass 2's sketches, without a scan */
} run;

/* Pass 1 keeps at most this many edges into the seeds for choosing the likely touchers. */
#define SEED_TOUCH_MAX 65536

/* A shard that --skip-bad-shards left out, and why (the reader's message). */
typedef struct c2h_skipped {
    guint32 shard;
    char reason[508];
} c2h_skipped;

/* ---- reading ---------------------------------------------------------------------- */

static int owner_of_dst(const void *rec, int nranks)
{
    return c2h_owner(&((const c2h_edge *)rec)->dst, nranks);
}

static int owner_of_pair(const void *rec, int nranks)
{
    const c2h_edge *e = rec;
    return c2h_owner_pair(&e->src, &e->dst, nranks);
}

static int owner_of_count(const void *rec, int nranks)
{
    return c2h_owner(&((const c2h_c2_count *)rec)->dst, nranks);
}

static int owner_of_src(const void *rec, int nranks)
{
    return c2h_owner(&((const c2h_edge *)rec)->src, nranks);
}

static void progress(run *r, const char *phase, guint done, guint total, guint64 flows, gint64 t0, gboolean last)
{
    static const gint64 every = G_USEC_PER_SEC;
    static gint64 shown = 0;
    if (r->quiet || r->comm->rank != 0)
        return;
    gint64 now = g_get_monotonic_time();
    if (!last && now - shown < every)
        return;
    shown = now;
    double secs = (double)(now - t0) / 1e6;
    double share = total ? (double)done / total : 1.0;
    double left = share > 0 ? secs / share - secs : 0;
    fprintf(stderr, "c2hunt run: %-28s %5.1f%% of rank 0's shards, %.2f M flows/s, %s%.0f s\n", phase, 100 * share,
            secs > 0 ? (double)flows / secs / 1e6 : 0.0, last ? "took " : "~", last ? secs : left);
}

/* What a pass sees of one chunk: the columns it filters on, loaded; more on demand. */
typedef struct chunk_ctx {
    c2h_shard_reader *sr;
    c2h_chunk ch;
    gboolean whole;  /* every row of the shard is in [since, until): start_ms need not be read */
    gint64 since, until;
    guint32 *hit;    /* scratch: row numbers that passed the filter */
    guint32 *hit2;   /* and a second one (pass 1: rows into the seeds) */
    GError **err;
    gboolean failed;
} chunk_ctx;

typedef void (*chunk_fn)(run *r, chunk_ctx *c, void *ud);

/* Load the columns of mask for the current chunk too. @return FALSE (c->failed) on a bad chunk. */
static gboolean more(chunk_ctx *c, unsigned mask)
{
    if (!c->failed && !c2h_shard_load(c->sr, c->ch.index, mask, &c->ch, c->err))
        c->failed = TRUE;
    return !c->failed;
}

/* more() for the columns of mask that only rows hit[0, m) will be read from. */
static gboolean more_rows(chunk_ctx *c, unsigned mask, gsize m)
{
    if (!c->failed && !c2h_shard_load_rows(c->sr, c->ch.index, mask, c->hit, m, &c->ch, c->err))
        c->failed = TRUE;
    return !c->failed;
}

static inline gboolean in_window(const chunk_ctx *c, gsize i)
{
    return c->whole || (c->ch.start_ms[i] >= c->since && c->ch.start_ms[i] < c->until);
}

/* Row i of the loaded columns as a flow (the fields of columns not loaded are 0). */
static void flow_at(const c2h_chunk *ch, gsize i, c2h_flow *f)
{
    memset(f, 0, sizeof *f);
    if (ch->loaded & C2H_COLBIT(C2H_COL_SRC_ADDR))
        f->src = c2h_chunk_src(ch, i);
    if (ch->loaded & C2H_COLBIT(C2H_COL_DST_ADDR))
        f->dst = c2h_chunk_dst(ch, i);
    f->start_ms = ch->start_ms ? ch->start_ms[i] : 0;
    f->bytes = ch->bytes ? ch->bytes[i] : 0;
    f->dport = ch->dport ? ch->dport[i] : 0;
    f->proto = ch->proto ? ch->proto[i] : 0;
}

/* Where a scan is: the chunk context and the progress clock. */
typedef struct scan_state {
    chunk_ctx c;
    gsize cap;
    gint64 t0;
    c2h_shard_bufs *bufs;     /* reused by every shard the scan opens */
    guint k;                  /* the shard open in c.sr (index into r->mine) */
    guint64 ck, nchunks;      /* its next chunk, and how many */
    unsigned open_mask;       /* columns checked when a shard opens (the others when first read) */
} scan_state;

/* Open the k-th of this rank's shards for chunk-by-chunk reading into ss. */
static gboolean shard_begin(run *r, scan_state *ss, guint k, GError **err)
{
    chunk_ctx *c = &ss->c;
    c->since = r->since;
    c->until = r->until;
    c->err = err;
    c->failed = FALSE;
    guint si = g_array_index(r->mine, guint, k);
    g_autofree char *path = c2h_archive_shard_path(r->a, si);
    if (ss->bufs == NULL)
        ss->bufs = c2h_shard_bufs_new();
    c2h_shard_reader *sr = c2h_shard_open_cols(path, ss->bufs, ss->open_mask, err);
    if (sr == NULL)
        return FALSE;
    const c2h_shard_info *info = &g_array_index(r->a->shards, c2h_shard_info, si);
    if (c2h_shard_rows(sr) != info->rows) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: %" G_GUINT64_FORMAT " rows, the index says %" G_GUINT64_FORMAT,
                    path, c2h_shard_rows(sr), info->rows);
        c2h_shard_close(sr);
        return FALSE;
    }
    if (ss->cap < c2h_shard_chunk_rows(sr)) {
        g_free(c->hit);
        ss->cap = c2h_shard_chunk_rows(sr);
        c->hit = g_new(guint32, ss->cap);
        g_free(c->hit2);
        c->hit2 = g_new(guint32, ss->cap);
    }
    c->sr = sr;
    c->whole = info->t_min_ms >= r->since && info->t_max_ms < r->until;
    ss->k = k;
    ss->ck = 0;
    ss->nchunks = c2h_shard_nchunks(sr);
    return TRUE;
}

/* The next chunk of the open shard into fn: the columns in filter (and start_ms when the
 * shard is not wholly inside [since, until)) are loaded; fn loads more only where a row passed. */
static gboolean shard_chunk(scan_state *ss, unsigned filter, chunk_fn fn, run *r, void *ud, phase_metrics *m,
                            GError **err)
{
    chunk_ctx *c = &ss->c;
    unsigned first = filter | (c->whole ? 0 : C2H_COLBIT(C2H_COL_START_MS));
    if (!c2h_shard_load(c->sr, ss->ck++, first, &c->ch, err))
        return FALSE;
    m->flows_read += c->ch.n;
    fn(r, c, ud);
    return !c->failed;
}

static void shard_end(run *r, scan_state *ss, const char *phase, phase_metrics *m)
{
    if (ss->c.sr == NULL)
        return;
    m->bytes_read += c2h_shard_bytes_read(ss->c.sr);
    c2h_shard_close(ss->c.sr);
    ss->c.sr = NULL;
    progress(r, phase, ss->k + 1, r->mine->len, m->flows_read, ss->t0, FALSE);
}

/* Stream the k-th of this rank's shards chunk by chunk into fn. */
static gboolean scan_shard(run *r, scan_state *ss, guint k, const char *phase, unsigned filter, chunk_fn fn, void *ud,
                           phase_metrics *m, GError **err)
{
    if (!shard_begin(r, ss, k, err))
        return FALSE;
    gboolean ok = TRUE;
    while (ok && ss->ck < ss->nchunks)
        ok = shard_chunk(ss, filter, fn, r, ud, m, err);
    shard_end(r, ss, phase, m);
    return ok;
}

/* scan_shard over all of this rank's shards. */
static gboolean scan(run *r, const char *phase, unsigned filter, chunk_fn fn, void *ud, phase_metrics *m,
                     GError **err)
{
    /* Pass 1 opened and checked every column of every shard: a later pass opens the columns it
     * filters on, and the others where a row passed. */
    scan_state ss = {.t0 = g_get_monotonic_time(), .open_mask = filter};
    gboolean ok = TRUE;
    for (guint k = 0; ok && k < r->mine->len; k++)
        ok = scan_shard(r, &ss, k, phase, filter, fn, ud, m, err);
    if (ok)
        progress(r, phase, r->mine->len, r->mine->len, m->flows_read, ss.t0, TRUE);
    g_free(ss.c.hit);
    g_free(ss.c.hit2);
    c2h_shard_bufs_free(ss.bufs);
    return ok;
}

/* ---- pass 1: the C2-port subgraph ------------------------------------------------- */

static gsize select_rows(chunk_ctx *c, const c2h_addrmap *ms, const c2h_addrmap *md);

static void fold_c2_ports(run *r, chunk_ctx *c, void *ud)
{
    c2h_edgeset *local = ud;
    const c2h_chunk *ch = &c->ch;
    const uint32_t *pclass = r->p->port_class;
    const uint8_t *is_c2 = r->c2_port; /* 64 KiB: stays in cache where the 256 KiB of pclass would not */
    gsize m = 0;
    if (c->whole) {
        for (gsize i = 0; i < ch->n; i++) { /* without branches */
            c->hit[m] = (guint32)i;
            m += (ch->proto[i] == TCP) & is_c2[ch->dport[i]];
        }
    } else {
        for (gsize i = 0; i < ch->n; i++)
            if (ch->proto[i] == TCP && is_c2[ch->dport[i]] && in_window(c, i))
                c->hit[m++] = (guint32)i;
    }
    const unsigned cols = C2H_COLBIT(C2H_COL_SRC_ADDR) | C2H_COLBIT(C2H_COL_DST_ADDR) | C2H_COLBIT(C2H_COL_BYTES) |
                          C2H_COLBIT(C2H_COL_START_MS);
    /* With --skip-bad-shards, pass 1 reads every column a later pass reads, of every chunk:
     * a shard that passes here cannot fail later. */
    if (r->skip_bad && !more(c, cols))
        return;
    /* Who touches a seed the way controllers touch C2 (an admin port, or one outside the C2
     * and web ports): pass 2 sketches the likeliest of them ahead of pass 3. Only the pair
     * and its port class count. The seeds are looked for in every destination; the sources
     * are then read whole, once, for these rows and the C2-port ones. */
    gsize e = 0;
    if (r->seed_touch != NULL && c2h_edgeset_len(r->seed_touch) < SEED_TOUCH_MAX) {
        if (!more(c, C2H_COLBIT(C2H_COL_DST_ADDR)))
            return;
        guint32 *keep = c->hit;
        c->hit = c->hit2; /* select_rows writes into c->hit */
        gsize k = select_rows(c, NULL, r->seed_map);
        c->hit = keep;
        for (gsize j = 0; j < k; j++)
            if (pclass[ch->dport[c->hit2[j]]] & (C2H_PC_ADMIN_MASK | C2H_PC_OTHER))
                c->hit2[e++] = c->hit2[j];
        if (e > 0 && !more(c, C2H_COLBIT(C2H_COL_SRC_ADDR)))
            return;
        for (gsize j = 0; j < e && c2h_edgeset_len(r->seed_touch) < SEED_TOUCH_MAX; j++) {
            gsize i = c->hit2[j];
            c2h_flow f = {.src = c2h_chunk_src(ch, i), .dst = c2h_chunk_dst(ch, i), .dport = ch->dport[i]};
            c2h_edgeset_add_flow(r->seed_touch, &f, pclass[f.dport]);
        }
    }
    /* The C2-port rows: only they are unshuffled (of the columns not read whole above). */
    if (m == 0 || !more_rows(c, cols, m))
        return;
    for (gsize j = 0; j < m; j++) {
        c2h_flow f;
        flow_at(ch, c->hit[j], &f);
        c2h_edgeset_add_flow(local, &f, pclass[f.dport]);
    }
}

static void sink_merge(const void *recs, gsize n, void *ud)
{
    c2h_edgeset *s = ud;
    const c2h_edge *e = recs;
    for (gsize i = 0; i < n; i++)
        c2h_edgeset_merge(s, &e[i]);
}

/* Send local's edges to their owners, each arrival handed to sink; local is emptied. */
static void send_edges(run *r, c2h_edgeset *local, c2h_owner_fn owner, c2h_sink_fn sink, void *ud, phase_metrics *m)
{
    gint64 t0 = g_get_monotonic_time();
    GArray *arr = c2h_edgeset_sorted(local, NULL);
    c2h_edgeset_clear(local);
    c2h_xstats xs = {0};
    c2h_exchange(r->comm, arr->data, arr->len, sizeof(c2h_edge), owner, r->p->exchange_round_edges, sink, ud, &xs);
    m->bytes_exchanged += xs.bytes_sent;
    g_array_free(arr, TRUE);
    m->exchange_s += (double)(g_get_monotonic_time() - t0) / 1e6;
}

/* Send a local edge set to the owners and merge what arrives. @return the merged set. */
static c2h_edgeset *exchange_edges(run *r, c2h_edgeset *local, c2h_owner_fn owner, phase_metrics *m)
{
    c2h_edgeset *merged = c2h_edgeset_new();
    send_edges(r, local, owner, sink_merge, merged, m);
    return merged;
}

static double cpu_seconds(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 + (double)u.ru_stime.tv_sec +
           (double)u.ru_stime.tv_usec / 1e6;
}

static phase_metrics *phase_begin(run *r, const char *name)
{
    phase_metrics m = {0};
    g_strlcpy(m.name, name, sizeof m.name);
    m.wall_s = (double)g_get_monotonic_time();
    m.cpu_s = cpu_seconds();
    g_array_append_val(r->metrics, m);
    return &g_array_index(r->metrics, phase_metrics, r->metrics->len - 1);
}

static void phase_end(phase_metrics *m, guint64 edges)
{
    m->wall_s = ((double)g_get_monotonic_time() - m->wall_s) / 1e6;
    m->cpu_s = cpu_seconds() - m->cpu_s;
    m->edges = edges;
    m->peak_rss = c2h_peak_rss();
}

/* ---- the job ---------------------------------------------------------------------- */

/* Value of row i's source or destination in m (0: absent). A family 6 shard may hold an
 * IPv4 (mapped) address on one side, hence c2h_addrmap_get there. */
static inline uint32_t map_src(const c2h_addrmap *m, const c2h_chunk *ch, gsize i)
{
    return ch->family == C2H_FAMILY_V4 ? c2h_addrmap_get4(m, ch->src4[i]) : c2h_addrmap_get(m, &ch->src6[i]);
}

static inline uint32_t map_dst(const c2h_addrmap *m, const c2h_chunk *ch, gsize i)
{
    return ch->family == C2H_FAMILY_V4 ? c2h_addrmap_get4(m, ch->dst4[i]) : c2h_addrmap_get(m, &ch->dst6[i]);
}

/* The rows of the chunk whose source is in ms or whose destination is in md (either may be
 * NULL), in the window, into c->hit. IPv4 chunks go through the maps' bit prefilter first.
 * @return how many. */
static gsize select_rows(chunk_ctx *c, const c2h_addrmap *ms, const c2h_addrmap *md)
{
    const c2h_chunk *ch = &c->ch;
    gsize m = 0;
    if (ch->family == C2H_FAMILY_V4) {
        gsize k = c2h_addrmap_filter4(ms, ch->src4, md, ch->dst4, ch->n, c->hit);
        for (gsize j = 0; j < k; j++) { /* in place: m <= j */
            gsize i = c->hit[j];
            if (((ms && c2h_addrmap_get4(ms, ch->src4[i])) || (md && c2h_addrmap_get4(md, ch->dst4[i]))) &&
                in_window(c, i))
                c->hit[m++] = (guint32)i;
        }
    } else {
        for (gsize i = 0; i < ch->n; i++)
            if (((ms && map_src(ms, ch, i)) || (md && map_dst(md, ch, i))) && in_window(c, i))
                c->hit[m++] = (guint32)i;
    }
    return m;
}

#define COLS_EDGE (C2H_COLBIT(C2H_COL_DST_PORT) | C2H_COLBIT(C2H_COL_BYTES) | C2H_COLBIT(C2H_COL_START_MS))
#define COLS_ADDR (C2H_COLBIT(C2H_COL_SRC_ADDR) | C2H_COLBIT(C2H_COL_DST_ADDR))

/* The controller candidates' side of a scan: pass 3's touchers, or pass 2's likely touchers
 * ahead of pass 3. Per host of idx, a fan-out sketch (every flow it sends) and its edges on
 * C2 and admin ports to hosts outside the C2 set, at most cap[i] of them on this rank. */
typedef struct toucher_scan {
    guint n;
    c2h_addrmap *idx;   /* addr -> index+1 */
    c2h_addrmap *c2;
    c2h_hll *fanout;
    guint64 *kept;      /* edges kept per host on this rank */
    guint64 *cap;       /* and how many it may keep */
    c2h_edgeset *edges; /* host -> Y */
} toucher_scan;

/* addr -> index + 1 of labels. */
static c2h_addrmap *addrmap_of(const GArray *labels)
{
    c2h_addrmap *m = c2h_addrmap_new();
    for (guint i = 0; i < labels->len; i++)
        c2h_addrmap_put(m, &g_array_index(labels, c2h_label, i).addr, i + 1);
    return m;
}

/* A toucher with more distinct contacts on a rank than count_a / controller_min_specificity
 * has a fan-out that makes it a scanner, whose edges are dropped after pass 3: it keeps at
 * most twice that many (the margin covers the HyperLogLog's error), so scanners cost no
 * memory. */
static guint64 toucher_cap(guint64 count_a, const c2h_profile *p)
{
    double c = ceil(2.0 * (double)count_a / MAX(p->controller_min_specificity, 1e-9));
    return MIN(p->fanout_edge_cap, (guint64)MIN(c, 1e15));
}

/* For the hosts of labels, each keeping at most toucher_cap(count_a) edges, or
 * toucher_cap(all_count_a) when that is not 0. */
static toucher_scan *toucher_scan_new(const GArray *labels, GHashTable *c2, guint64 all_count_a, const c2h_profile *p)
{
    toucher_scan *t = g_new0(toucher_scan, 1);
    t->n = labels->len;
    t->idx = addrmap_of(labels);
    t->c2 = c2h_addrmap_from_set(c2);
    t->fanout = g_new0(c2h_hll, MAX(t->n, 1));
    t->kept = g_new0(guint64, MAX(t->n, 1));
    t->cap = g_new0(guint64, MAX(t->n, 1));
    for (guint i = 0; i < t->n; i++)
        t->cap[i] = toucher_cap(all_count_a ? all_count_a : g_array_index(labels, c2h_label, i).count_a, p);
    t->edges = c2h_edgeset_new();
    return t;
}

static void toucher_scan_free(toucher_scan *t)
{
    if (t == NULL)
        return;
    c2h_addrmap_free(t->idx);
    c2h_addrmap_free(t->c2);
    g_free(t->fanout);
    g_free(t->kept);
    g_free(t->cap);
    c2h_edgeset_free(t->edges);
    g_free(t);
}

/* Is row i's flow from host ti (index + 1) one whose edge t keeps: under its cap, on a C2 or
 * admin port (the way controllers touch C2, and the only contacts that can stage one), to a
 * host outside the C2 set? The destination port must be loaded. */
static inline gboolean toucher_edge_wanted(const toucher_scan *t, const c2h_profile *p, const c2h_chunk *ch, gsize i,
                                           guint ti)
{
    return t->kept[ti - 1] < t->cap[ti - 1] &&
           (c2h_profile_port_class(p, ch->dport[i]) & (C2H_PC_C2_MASK | C2H_PC_ADMIN_MASK)) && !map_dst(t->c2, ch, i);
}

/* Row i's flow into host ti's edges (the columns of COLS_EDGE loaded). */
static void toucher_edge_add(toucher_scan *t, const c2h_profile *p, const c2h_chunk *ch, gsize i, guint ti)
{
    c2h_flow f;
    flow_at(ch, i, &f);
    guint64 before = c2h_edgeset_len(t->edges);
    c2h_edgeset_add_flow(t->edges, &f, c2h_profile_port_class(p, f.dport));
    t->kept[ti - 1] += c2h_edgeset_len(t->edges) - before;
}

static inline void toucher_sketch(toucher_scan *t, const c2h_chunk *ch, gsize i, guint ti)
{
    c2h_addr dst = c2h_chunk_dst(ch, i);
    c2h_hll_add(&t->fanout[ti - 1], c2h_addr_hash(&dst));
}

typedef struct pass2 {
    c2h_addrmap *c2;
    c2h_addrmap *src_any; /* the C2 set and the likely touchers (NULL: no likely touchers) */
    c2h_edgeset *in;      /* X -> c */
    c2h_edgeset *out;     /* c -> Y */
    toucher_scan *ahead;  /* the likely touchers, or NULL */
} pass2;

static void fold_touching_c2(run *r, chunk_ctx *c, void *ud)
{
    pass2 *p2 = ud;
    const c2h_chunk *ch = &c->ch;
    gsize m = select_rows(c, p2->src_any ? p2->src_any : p2->c2, p2->c2);
    if (m == 0 || !more_rows(c, COLS_EDGE, m))
        return;
    for (gsize j = 0; j < m; j++) {
        gsize i = c->hit[j];
        gboolean to_c2 = map_dst(p2->c2, ch, i) != 0, from_c2 = map_src(p2->c2, ch, i) != 0;
        if (to_c2 || from_c2) {
            c2h_flow f;
            flow_at(ch, i, &f);
            uint32_t pc = c2h_profile_port_class(r->p, f.dport);
            if (to_c2)
                c2h_edgeset_add_flow(p2->in, &f, pc);
            if (from_c2 && !to_c2 && !c2h_addrset_has(r->victims, &f.dst))
                c2h_edgeset_add_flow(p2->out, &f, pc);
        }
        guint ti = p2->ahead ? map_src(p2->ahead->idx, ch, i) : 0;
        if (ti) {
            toucher_sketch(p2->ahead, ch, i, ti);
            if (toucher_edge_wanted(p2->ahead, r->p, ch, i, ti))
                toucher_edge_add(p2->ahead, r->p, ch, i, ti);
        }
    }
}

/* Pass 3's scan, when pass 2 did not sketch the touchers ahead of it. */
static void fold_touchers(run *r, chunk_ctx *c, void *ud)
{
    toucher_scan *t = ud;
    const c2h_chunk *ch = &c->ch;
    gsize m = select_rows(c, t->idx, NULL);
    if (m == 0)
        return;
    /* The sketches need the addresses only. */
    gboolean edges_wanted = FALSE;
    for (gsize j = 0; j < m; j++) {
        gsize i = c->hit[j];
        guint ti = map_src(t->idx, ch, i);
        toucher_sketch(t, ch, i, ti);
        edges_wanted |= t->kept[ti - 1] < t->cap[ti - 1];
    }
    /* The edges: the ports only where a toucher is still under its cap (a scanner reaches it
     * early and reads no more of them), the rest only for the flows whose edge is kept. */
    if (!edges_wanted || !more_rows(c, C2H_COLBIT(C2H_COL_DST_PORT), m))
        return;
    gsize e = 0;
    for (gsize j = 0; j < m; j++) { /* in place: e <= j */
        gsize i = c->hit[j];
        if (toucher_edge_wanted(t, r->p, ch, i, map_src(t->idx, ch, i)))
            c->hit[e++] = (guint32)i;
    }
    if (e == 0 || !more_rows(c, C2H_COLBIT(C2H_COL_START_MS) | C2H_COLBIT(C2H_COL_BYTES), e))
        return;
    for (gsize j = 0; j < e; j++) {
        gsize i = c->hit[j];
        guint ti = map_src(t->idx, ch, i);
        if (t->kept[ti - 1] < t->cap[ti - 1]) /* else reached within this chunk */
            toucher_edge_add(t, r->p, ch, i, ti);
    }
}

/* Pass 4: the fan-in of the c2_predicted candidates (from hosts other than controllers and
 * scanners) and of the backend candidates (from every host). */
enum { P4_PRED, P4_BACKEND, P4_KINDS };

typedef struct pass4 {
    const GArray *cand[P4_KINDS];  /* c2h_label */
    c2h_addrmap *idx[P4_KINDS];    /* addr -> index+1 into cand, of those still undecided */
    c2h_addrmap *any;              /* the union of idx, for select_rows */
    c2h_addrmap *others;           /* controllers and scanners */
    c2h_hll *fanin[P4_KINDS];
    double *limit[P4_KINDS];       /* decided once the local estimate rounds above it (< 0: never early) */
    gboolean *decided[P4_KINDS];   /* this rank alone has seen too many reach it */
    guint64 chunks;
} pass4;

static void pass4_index(pass4 *p4)
{
    c2h_addrmap_free(p4->any);
    p4->any = c2h_addrmap_new();
    for (int k = 0; k < P4_KINDS; k++) {
        c2h_addrmap_free(p4->idx[k]);
        p4->idx[k] = c2h_addrmap_new();
        for (guint i = 0; i < p4->cand[k]->len; i++)
            if (!p4->decided[k][i]) {
                const c2h_addr *a = &g_array_index(p4->cand[k], c2h_label, i).addr;
                c2h_addrmap_put(p4->idx[k], a, i + 1);
                c2h_addrmap_put(p4->any, a, 1);
            }
    }
}

/* The fan-in above which each candidate fails: c2_predicted, predicted_max_others;
 * backend, its C2 plus backend_max_others (none besides one C2 that alone reaches it
 * persistently; c2h_judge_backend). Deciding early needs the limit below C2H_HLL_REGS:
 * there the estimate is linear counting, which only grows as registers fill, so no rank's
 * sketch can bring the merged estimate back under it (see settle). */
static void pass4_init(pass4 *p4, const GArray *pred, const GArray *bcand, const c2h_profile *p)
{
    memset(p4, 0, sizeof *p4);
    p4->cand[P4_PRED] = pred;
    p4->cand[P4_BACKEND] = bcand;
    for (int k = 0; k < P4_KINDS; k++) {
        guint n = p4->cand[k]->len;
        p4->fanin[k] = g_new0(c2h_hll, MAX(n, 1));
        p4->limit[k] = g_new0(double, MAX(n, 1));
        p4->decided[k] = g_new0(gboolean, MAX(n, 1));
        for (guint i = 0; i < n; i++) {
            const c2h_label *l = &g_array_index(p4->cand[k], c2h_label, i);
            double lim = k == P4_PRED ? (double)p->predicted_max_others
                                      : (double)l->count_a + (l->count_a >= p->backend_min_c2 ? p->backend_max_others : 0);
            p4->limit[k][i] = lim < C2H_HLL_REGS ? lim : -1;
        }
    }
    p4->others = c2h_addrmap_new();
    pass4_index(p4);
}

static void pass4_free(pass4 *p4)
{
    for (int k = 0; k < P4_KINDS; k++) {
        c2h_addrmap_free(p4->idx[k]);
        g_free(p4->fanin[k]);
        g_free(p4->limit[k]);
        g_free(p4->decided[k]);
    }
    c2h_addrmap_free(p4->any);
    c2h_addrmap_free(p4->others);
}

/* Take out of the index the candidates whose fan-in on this rank alone already rounds above
 * their limit: their verdict is known, and the chunks where only they are reached need no
 * sources. The sketches of the candidates that stay are exactly what a full scan gives. */
static void settle(pass4 *p4)
{
    gboolean changed = FALSE;
    for (int k = 0; k < P4_KINDS; k++)
        for (guint i = 0; i < p4->cand[k]->len; i++)
            if (!p4->decided[k][i] && p4->limit[k][i] >= 0 &&
                round(c2h_hll_estimate(&p4->fanin[k][i])) > p4->limit[k][i])
                p4->decided[k][i] = changed = TRUE;
    if (changed)
        pass4_index(p4);
}

static void fold_fanin(run *r, chunk_ctx *c, void *ud)
{
    (void)r;
    pass4 *p4 = ud;
    const c2h_chunk *ch = &c->ch;
    gsize m = select_rows(c, NULL, p4->any);
    if (m == 0 || !more_rows(c, C2H_COLBIT(C2H_COL_SRC_ADDR), m)) /* the sources only where a candidate is reached */
        return;
    for (gsize j = 0; j < m; j++) {
        gsize i = c->hit[j];
        c2h_addr src = c2h_chunk_src(ch, i);
        guint k = map_dst(p4->idx[P4_PRED], ch, i);
        if (k && !map_src(p4->others, ch, i))
            c2h_hll_add(&p4->fanin[P4_PRED][k - 1], c2h_addr_hash(&src));
        if ((k = map_dst(p4->idx[P4_BACKEND], ch, i)) != 0)
            c2h_hll_add(&p4->fanin[P4_BACKEND][k - 1], c2h_addr_hash(&src));
    }
    if (++p4->chunks % 8 == 0)
        settle(p4);
}

static GArray *edges_where(const GArray *e, gboolean (*pred)(const c2h_edge *, run *), run *r)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(c2h_edge));
    for (guint i = 0; i < e->len; i++)
        if (pred(&g_array_index(e, c2h_edge, i), r))
            g_array_append_vals(out, &g_array_index(e, c2h_edge, i), 1);
    return out;
}

static gboolean is_victim_beacon(const c2h_edge *e, run *r)
{
    return c2h_addrset_has(r->c2, &e->dst) && c2h_addrset_has(r->victims, &e->src) && c2h_is_beacon(e, r->p);
}

static gboolean is_controller_contact(const c2h_edge *e, run *r)
{
    return c2h_addrset_has(r->controllers, &e->src) && c2h_addrset_has(r->c2, &e->dst);
}

static gboolean is_backend_link(const c2h_edge *e, run *r)
{
    return c2h_addrset_has(r->backends, &e->dst) && c2h_addrset_has(r->c2, &e->src);
}

static int role_rank(int role)
{
    switch (role) { /* which label wins when a host earns two */
    case C2H_ROLE_C2: return 0;
    case C2H_ROLE_CONTROLLER: return 1;
    case C2H_ROLE_C2_PREDICTED: return 2;
    case C2H_ROLE_BACKEND: return 3;
    case C2H_ROLE_SCANNER: return 4;
    case C2H_ROLE_VICTIM: return 5;
    default: return 6;
    }
}

static int label_addr_role_cmp(const void *a, const void *b)
{
    const c2h_label *x = a, *y = b;
    int c = c2h_addr_cmp(&x->addr, &y->addr);
    return c ? c : role_rank(x->role) - role_rank(y->role);
}

/* Victim labels from the beacon edges into the C2 set (all ranks' edges, on rank 0). */
static void label_victims(const GArray *vb, GArray *out)
{
    GArray *e = g_array_copy((GArray *)vb);
    g_array_sort(e, c2h_edge_cmp_src);
    for (guint i = 0; i < e->len;) {
        const c2h_edge *first = &g_array_index(e, c2h_edge, i);
        c2h_label l = {.addr = first->src, .role = C2H_ROLE_VICTIM, .first_ms = G_MAXINT64, .last_ms = G_MININT64};
        guint j = i;
        for (; j < e->len && c2h_addr_cmp(&g_array_index(e, c2h_edge, j).src, &first->src) == 0; j++) {
            const c2h_edge *x = &g_array_index(e, c2h_edge, j);
            l.count_a++;
            l.count_b += (uint32_t)MIN(x->flows, G_MAXUINT32 - l.count_b);
            l.ports |= x->ports;
            l.first_ms = MIN(l.first_ms, x->first_ms);
            l.last_ms = MAX(l.last_ms, x->last_ms);
        }
        l.score = 1.0 - pow(0.5, l.count_a); /* one C2: 0.5, two: 0.75, three: 0.875 */
        g_array_append_val(out, l);
        i = j;
    }
    g_array_free(e, TRUE);
}

/* ---- output ----------------------------------------------------------------------- */

/* r->skipped as the writers take it (c2h_skipped_shard: file names from the index). */
static GArray *skipped_shards(const run *r)
{
    GArray *sk = g_array_new(FALSE, FALSE, sizeof(c2h_skipped_shard));
    for (guint i = 0; i < r->skipped->len; i++) {
        const c2h_skipped *k = &g_array_index(r->skipped, c2h_skipped, i);
        c2h_skipped_shard x = {g_array_index(r->a->shards, c2h_shard_info, k->shard).file, k->reason};
        g_array_append_val(sk, x);
    }
    return sk;
}

static GString *metrics_json(run *r, const GArray *all, int nranks)
{
    GString *s = g_string_new("{\n");
    /* The most any rank held: the phases' peaks, and rank 0's now, after writing the outputs. */
    guint64 peak = c2h_peak_rss();
    for (guint i = 0; i < all->len; i++)
        peak = MAX(peak, g_array_index(all, phase_metrics, i).peak_rss);
    g_string_append_printf(s, "  \"ranks\": %d,\n  \"shards_in_window\": %u,\n  \"wall_s\": %.3f,\n"
                           "  \"edge_budget\": %" G_GUINT64_FORMAT ",\n  \"peak_rss_max\": %" G_GUINT64_FORMAT ",\n"
                           "  \"touchers_from_pass_2\": %s,\n  \"phases\": [\n",
                           nranks, r->n_window, (double)(g_get_monotonic_time() - r->t_start) / 1e6, r->edge_budget,
                           peak, r->touchers_ahead ? "true" : "false");
    guint nph = all->len / (guint)nranks;
    for (guint ph = 0; ph < nph; ph++) {
        const phase_metrics *m0 = &g_array_index(all, phase_metrics, ph);
        g_string_append_printf(s, "    {\"phase\": \"%s\", \"per_rank\": [\n", m0->name);
        for (int rk = 0; rk < nranks; rk++) {
            const phase_metrics *m = &g_array_index(all, phase_metrics, (guint)rk * nph + ph);
            g_string_append_printf(s,
                                   "      {\"rank\": %d, \"wall_s\": %.3f, \"cpu_s\": %.3f, \"flows_read\": %" G_GUINT64_FORMAT
                                   ", \"bytes_read\": %" G_GUINT64_FORMAT ", \"edges\": %" G_GUINT64_FORMAT
                                   ", \"bytes_exchanged\": %" G_GUINT64_FORMAT ", \"spilled_bytes\": %" G_GUINT64_FORMAT
                                   ", \"peak_rss\": %" G_GUINT64_FORMAT
                                   ", \"exchange_s\": %.3f, \"spill_s\": %.3f}%s\n",
                                   rk, m->wall_s, m->cpu_s, m->flows_read, m->bytes_read, m->edges, m->bytes_exchanged,
                                   m->spilled_bytes, m->peak_rss, m->exchange_s, m->spill_s, rk + 1 < nranks ? "," : "");
        }
        g_string_append_printf(s, "    ]}%s\n", ph + 1 < nph ? "," : "");
    }
    g_string_append(s, "  ],\n  \"skipped_shards\": ");
    GArray *sk = skipped_shards(r);
    c2h_append_skipped_json(s, sk);
    g_array_free(sk, TRUE);
    g_string_append(s, "\n}\n");
    return s;
}

/* ---- driver ----------------------------------------------------------------------- */

static void labels_gather(run *r, GArray *local, GArray *all)
{
    c2h_allgather(r->comm, local->data, local->len, sizeof(c2h_label), all, NULL);
}

static GArray *edges_gather(run *r, GArray *local, int (*cmp)(const void *, const void *))
{
    GArray *all = g_array_new(FALSE, FALSE, sizeof(c2h_edge));
    c2h_allgather(r->comm, local->data, local->len, sizeof(c2h_edge), all, NULL);
    g_array_sort(all, cmp);
    return all;
}

/* What carries from pass to pass; with r's address sets and metrics, what a checkpoint holds. */
typedef struct job_state {
    guint rounds;                   /* victims-and-C2 rounds after the last that grew nothing */
    GArray *beacons;                /* pass 1: C2-port edges (c2h_edge) at the owner of dst, by dst */
    GArray *in_by_src, *out_by_dst; /* pass 2: X -> c at the owner of X; c -> Y at the owner of Y */
    GArray *touchers, *bcand;       /* pass 2, judged in pass 3: c2h_label, every rank the same */
    GArray *ctl_by_dst;             /* pass 3: controller -> host at the owner of the host */
    GArray *pred;                   /* pass 3: c2_predicted candidates, every rank the same */
    /* Not in checkpoints (a resumed job scans in pass 3 instead): */
    GArray *likely;                 /* after pass 1: c2h_label of the likely touchers, every rank the same */
    struct toucher_scan *ahead;     /* pass 2: their sketches and edges, for pass 3 */
} job_state;

static void job_state_init(job_state *s)
{
    s->rounds = 0;
    s->beacons = g_array_new(FALSE, FALSE, sizeof(c2h_edge));
    s->in_by_src = g_array_new(FALSE, FALSE, sizeof(c2h_edge));
    s->out_by_dst = g_array_new(FALSE, FALSE, sizeof(c2h_edge));
    s->ctl_by_dst = g_array_new(FALSE, FALSE, sizeof(c2h_edge));
    s->touchers = g_array_new(FALSE, FALSE, sizeof(c2h_label));
    s->bcand = g_array_new(FALSE, FALSE, sizeof(c2h_label));
    s->pred = g_array_new(FALSE, FALSE, sizeof(c2h_label));
    s->likely = g_array_new(FALSE, FALSE, sizeof(c2h_label));
    s->ahead = NULL;
}

static void job_state_clear(job_state *s)
{
    GArray **all[] = {&s->beacons, &s->in_by_src, &s->out_by_dst, &s->ctl_by_dst, &s->touchers, &s->bcand, &s->pred,
                      &s->likely};
    for (guint i = 0; i < G_N_ELEMENTS(all); i++)
        if (*all[i]) {
            g_array_free(*all[i], TRUE);
            *all[i] = NULL;
        }
    toucher_scan_free(s->ahead);
    s->ahead = NULL;
}

static void replace_array(GArray **slot, GArray *a)
{
    g_array_free(*slot, TRUE);
    *slot = a;
}

/* Pass 1 and the rounds: s->beacons and s->rounds; r->c2 and r->victims grown. */
typedef struct beacon_count {
    const c2h_profile *p;
    guint64 n;
} beacon_count;

static gboolean keep_beacon(const c2h_edge *e, void *ud)
{
    beacon_count *bc = ud;
    gboolean b = c2h_is_beacon(e, bc->p);
    bc->n += b;
    return b;
}

/* The rounds read the beacon edges through these, from memory or from the spilled run. */
typedef struct round_ctx {
    run *r;
    GHashTable *newv; /* victims found */
    GArray *counts;   /* c2h_c2_count of this rank's pairs */
    GArray *keep;     /* what stays in memory after the rounds */
} round_ctx;

static void round_victims(const GArray *e, void *ud)
{
    round_ctx *c = ud;
    c2h_find_victims(e, c->r->c2, c->newv, c->r->p);
}

static void round_new_c2(const GArray *e, void *ud)
{
    round_ctx *c = ud;
    c2h_count_c2_clients(e, c->r->c2, c->r->victims, c->r->p, c->counts);
}

static void sink_counts(const void *recs, gsize n, void *ud)
{
    g_array_append_vals(ud, recs, (guint)n);
}

/* After the rounds only the beacons into the C2 set and those of victims are read again
 * (labels and evidence of the C2, victims' beacons, "has victim traffic" of staged C2):
 * the rest of the C2-port subgraph is let go. */
static void round_keep(const GArray *e, void *ud)
{
    round_ctx *c = ud;
    for (guint i = 0; i < e->len; i++) {
        const c2h_edge *x = &g_array_index(e, c2h_edge, i);
        if (c2h_addrset_has(c->r->c2, &x->dst) || c2h_addrset_has(c->r->victims, &x->src))
            g_array_append_vals(c->keep, x, 1);
    }
}

static gboolean each_beacons(GArray *mem, c2h_spill *disk, void (*fn)(const GArray *, void *), void *ud,
                             GError **err)
{
    if (mem != NULL) {
        fn(mem, ud);
        return TRUE;
    }
    return c2h_spill_each_dst(disk, fn, ud, err);
}

/* Victims and C2 to a fixed point over the beacon edges (mem, or disk's one run); then
 * s->beacons, s->rounds. */
static gboolean rounds_to_fixed_point(run *r, job_state *s, GArray *mem, c2h_spill *disk, GError **err)
{
    const c2h_profile *p = r->p;
    phase_metrics *m = phase_begin(r, "victims_and_c2_rounds");
    guint rounds = 0;
    gboolean ok = TRUE;
    for (; ok && rounds < p->max_rounds; rounds++) {
        /* Victims found on this rank go to everyone. */
        round_ctx c = {.r = r, .newv = c2h_addrset_new()};
        ok = c2h_comm_agree(r->comm, each_beacons(mem, disk, round_victims, &c, err));
        GArray *vloc = g_array_new(FALSE, FALSE, sizeof(c2h_addr));
        GHashTableIter it;
        gpointer k;
        g_hash_table_iter_init(&it, c.newv);
        while (g_hash_table_iter_next(&it, &k, NULL))
            if (!c2h_addrset_has(r->victims, k))
                g_array_append_vals(vloc, k, 1);
        g_hash_table_destroy(c.newv);
        guint added_v = 0, added_c = 0;
        if (ok) {
            GArray *vall = g_array_new(FALSE, FALSE, sizeof(c2h_addr));
            c2h_allgather(r->comm, vloc->data, vloc->len, sizeof(c2h_addr), vall, NULL);
            for (guint i = 0; i < vall->len; i++)
                added_v += c2h_addrset_add(r->victims, &g_array_index(vall, c2h_addr, i));
            g_array_free(vall, TRUE);
            /* A destination's beaconing pairs are spread over the ranks (pass 1 owns pairs, not
             * destinations): each rank counts its own, the destination's owner sums and judges. */
            c.counts = g_array_new(FALSE, FALSE, sizeof(c2h_c2_count));
            ok = c2h_comm_agree(r->comm, each_beacons(mem, disk, round_new_c2, &c, err));
            if (ok) {
                GArray *owned = g_array_new(FALSE, FALSE, sizeof(c2h_c2_count));
                c2h_exchange(r->comm, c.counts->data, c.counts->len, sizeof(c2h_c2_count), owner_of_count,
                             p->exchange_round_edges, sink_counts, owned, NULL);
                GArray *cloc = g_array_new(FALSE, FALSE, sizeof(c2h_addr)), *call = g_array_new(FALSE, FALSE, sizeof(c2h_addr));
                c2h_judge_c2_counts(owned, p, cloc);
                c2h_allgather(r->comm, cloc->data, cloc->len, sizeof(c2h_addr), call, NULL);
                for (guint i = 0; i < call->len; i++)
                    added_c += c2h_addrset_add(r->c2, &g_array_index(call, c2h_addr, i));
                g_array_free(owned, TRUE);
                g_array_free(cloc, TRUE);
                g_array_free(call, TRUE);
            }
            g_array_free(c.counts, TRUE);
        }
        g_array_free(vloc, TRUE);
        if (ok && !r->quiet && r->comm->rank == 0)
            fprintf(stderr, "c2hunt run: round %u: +%u victims, +%u C2 (now %u victims, %u C2)\n", rounds + 1,
                    added_v, added_c, g_hash_table_size(r->victims), g_hash_table_size(r->c2));
        if (added_v == 0 && added_c == 0)
            break;
    }
    if (ok) {
        round_ctx c = {.r = r, .keep = g_array_new(FALSE, FALSE, sizeof(c2h_edge))};
        ok = c2h_comm_agree(r->comm, each_beacons(mem, disk, round_keep, &c, err));
        /* What stays goes to the owners of the destinations, where the C2 labels, the
         * evidence and pass 4 look for it. */
        c2h_edgeset *mine = c2h_edgeset_new();
        if (ok) {
            c2h_xstats xs = {0};
            c2h_exchange(r->comm, c.keep->data, c.keep->len, sizeof(c2h_edge), owner_of_dst, p->exchange_round_edges,
                         sink_merge, mine, &xs);
            m->bytes_exchanged += xs.bytes_sent;
        }
        g_array_free(c.keep, TRUE);
        replace_array(&s->beacons, c2h_edgeset_sorted(mine, c2h_edge_cmp_dst));
        c2h_edgeset_free(mine);
    }
    s->rounds = rounds;
    phase_end(m, s->beacons->len);
    return ok;
}

/* Most seeds touched on admin ports first (count_a), then on any port they count on
 * (count_b), then by address. */
static int likely_cmp(const void *a, const void *b)
{
    const c2h_label *x = a, *y = b;
    if (x->count_a != y->count_a)
        return x->count_a > y->count_a ? -1 : 1;
    if (x->count_b != y->count_b)
        return x->count_b > y->count_b ? -1 : 1;
    return c2h_addr_cmp(&x->addr, &y->addr);
}

/* Keep the first n of labels in likely_cmp order. */
static void keep_likeliest(GArray *labels, guint n)
{
    g_array_sort(labels, likely_cmp);
    if (labels->len > n)
        g_array_set_size(labels, n);
}

/* s->likely: the hosts that touched the most seeds the way controllers touch C2 (pass 1's
 * r->seed_touch), at most likely_touchers of them, the same on every rank. Seeds touched on
 * an admin port rank first: a web server answering a router's household reaches it on an
 * ephemeral port, which counts as a contact too. Pass 2 sketches them ahead of pass 3, which
 * then needs no scan when they include every toucher. A choice, not a verdict: whatever it
 * holds, the labels are the same. */
static void choose_likely(run *r, job_state *s)
{
    guint k = (guint)MIN(r->p->likely_touchers, (guint64)G_MAXUINT);
    GArray *loc = g_array_new(FALSE, FALSE, sizeof(c2h_label));
    if (r->seed_touch != NULL && k > 0) {
        GArray *e = c2h_edgeset_sorted(r->seed_touch, c2h_edge_cmp_src);
        for (guint i = 0; i < e->len;) {
            const c2h_addr *x = &g_array_index(e, c2h_edge, i).src;
            c2h_label l = {.addr = *x, .role = C2H_ROLE_CONTROLLER};
            for (; i < e->len && c2h_addr_cmp(&g_array_index(e, c2h_edge, i).src, x) == 0; i++) {
                l.count_a += (g_array_index(e, c2h_edge, i).ports & C2H_PC_ADMIN_MASK) != 0;
                l.count_b++;
            }
            if (!c2h_addrset_has(r->c2, &l.addr)) /* a seed is never a toucher */
                g_array_append_val(loc, l);
        }
        g_array_free(e, TRUE);
        keep_likeliest(loc, k);
    }
    GArray *all = g_array_new(FALSE, FALSE, sizeof(c2h_label));
    labels_gather(r, loc, all);
    g_array_free(loc, TRUE);
    /* A host seen on several ranks: the sum of its counts (an upper bound of its seeds). */
    g_array_sort(all, label_addr_role_cmp);
    guint w = 0;
    for (guint i = 0; i < all->len; i++) {
        c2h_label *l = &g_array_index(all, c2h_label, i);
        if (w > 0 && c2h_addr_cmp(&g_array_index(all, c2h_label, w - 1).addr, &l->addr) == 0) {
            g_array_index(all, c2h_label, w - 1).count_a += l->count_a;
            g_array_index(all, c2h_label, w - 1).count_b += l->count_b;
        } else {
            g_array_index(all, c2h_label, w++) = *l;
        }
    }
    g_array_set_size(all, w);
    keep_likeliest(all, k);
    replace_array(&s->likely, all);
}

/* Where pass 1 is on this rank. */
typedef struct p1_iter {
    scan_state ss;
    guint next;        /* the next shard of r->mine to open */
    gboolean open;     /* a shard is open in ss */
    gboolean done;     /* no chunk left */
    c2h_edgeset *one;  /* --skip-bad-shards: the open shard's edges, until it has been read whole */
    GArray *skipped;   /* c2h_skipped */
} p1_iter;

/* A shard that cannot be read: with --skip-bad-shards, recorded and left out (its edges
 * dropped); else the error stands. */
static gboolean p1_bad_shard(run *r, p1_iter *it, guint k, GError **e, GError **err)
{
    if (!r->skip_bad) {
        g_propagate_error(err, *e);
        *e = NULL;
        return FALSE;
    }
    c2h_skipped sk = {.shard = g_array_index(r->mine, guint, k)};
    g_strlcpy(sk.reason, (*e)->message, sizeof sk.reason);
    g_array_append_val(it->skipped, sk);
    fprintf(stderr, "c2hunt run: warning: skipping bad shard %s\n", (*e)->message);
    g_clear_error(e);
    c2h_edgeset_clear(it->one);
    return TRUE;
}

/* One chunk of pass 1 into local (shards opened and closed on the way). */
static gboolean p1_step(run *r, p1_iter *it, c2h_edgeset *local, phase_metrics *m, GError **err)
{
    const unsigned filter = C2H_COLBIT(C2H_COL_PROTOCOL) | C2H_COLBIT(C2H_COL_DST_PORT);
    const char *phase = "pass 1/4 C2-port subgraph";
    GError *e = NULL;
    while (!it->open) {
        if (it->next >= r->mine->len) {
            it->done = TRUE;
            return TRUE;
        }
        guint k = it->next++;
        if (shard_begin(r, &it->ss, k, &e))
            it->open = TRUE;
        else if (!p1_bad_shard(r, it, k, &e, err))
            return FALSE;
    }
    gboolean ok = it->ss.ck >= it->ss.nchunks ||
                  shard_chunk(&it->ss, filter, fold_c2_ports, r, r->skip_bad ? it->one : local, m, &e);
    if (ok && it->ss.ck < it->ss.nchunks)
        return TRUE;
    guint k = it->ss.k;
    shard_end(r, &it->ss, phase, m);
    it->open = FALSE;
    if (!ok)
        return p1_bad_shard(r, it, k, &e, err);
    if (r->skip_bad) { /* read whole: its edges count */
        GArray *a = c2h_edgeset_sorted(it->one, NULL);
        for (guint i = 0; i < a->len; i++)
            c2h_edgeset_merge(local, &g_array_index(a, c2h_edge, i));
        g_array_free(a, TRUE);
        c2h_edgeset_clear(it->one);
    }
    return TRUE;
}

/* The owner's side of pass 1: edges arrive into owned, which is written to disk as a run
 * whenever it reaches the budget, even in the middle of an exchange. */
typedef struct p1_owner {
    c2h_edgeset *owned;
    c2h_spill *spill;
    guint64 budget;
    gboolean ok;
    GError *err;
    phase_metrics *m;
} p1_owner;

static void sink_owned(const void *recs, gsize n, void *ud)
{
    p1_owner *o = ud;
    const c2h_edge *e = recs;
    for (gsize i = 0; i < n; i++) {
        c2h_edgeset_merge(o->owned, &e[i]);
        if (c2h_edgeset_len(o->owned) >= o->budget && o->ok) {
            gint64 t0 = g_get_monotonic_time();
            o->ok = c2h_spill_set(o->spill, o->owned, &o->err);
            o->m->spill_s += (double)(g_get_monotonic_time() - t0) / 1e6;
        }
    }
}

/* Send local's edges to the owners of their pairs; local is emptied. */
static void p1_exchange(run *r, c2h_edgeset *local, p1_owner *o, phase_metrics *m)
{
    send_edges(r, local, owner_of_pair, sink_owned, o, m);
}

static int skipped_cmp(const void *a, const void *b)
{
    const c2h_skipped *x = a, *y = b;
    return x->shard < y->shard ? -1 : x->shard > y->shard;
}

/* Leave the shards of r->skipped out of r->mine. */
static void drop_skipped(run *r)
{
    guint w = 0;
    for (guint i = 0; i < r->mine->len; i++) {
        guint si = g_array_index(r->mine, guint, i);
        gboolean bad = FALSE;
        for (guint j = 0; j < r->skipped->len && !bad; j++)
            bad = g_array_index(r->skipped, c2h_skipped, j).shard == si;
        if (!bad)
            g_array_index(r->mine, guint, w++) = si;
    }
    g_array_set_size(r->mine, w);
}

/* Pass 1 and the rounds: s->beacons and s->rounds; r->c2 and r->victims grown.
 *
 * Memory stays within r->edge_budget edges a set whatever the data: after each chunk the
 * ranks agree (one small non-blocking allreduce) whether any local set is about to reach the
 * budget, and if so all send their edges to the owners (owner of the pair) at once; an owner whose set reaches the
 * budget writes it to disk as a sorted run (partition/spill.h). At the end the runs are
 * merged and only beacon edges (the only ones any rule reads) stay in memory. */
static gboolean pass_1(run *r, job_state *s, GError **err)
{
    const c2h_profile *p = r->p;
    phase_metrics *m = phase_begin(r, "c2_port_subgraph");
    c2h_edgeset *local = c2h_edgeset_new(), *owned = c2h_edgeset_new();
    g_autofree char *tag = g_strdup_printf("pass1-rank-%04d", r->comm->rank);
    c2h_spill *spill = c2h_spill_new(r->ckpt_dir, tag);
    p1_iter it = {.ss = {.t0 = g_get_monotonic_time(), .open_mask = C2H_COLS_ALL}, .one = c2h_edgeset_new(),
                  .skipped = g_array_new(FALSE, FALSE, sizeof(c2h_skipped))};
    p1_owner own = {.owned = owned, .spill = spill, .budget = r->edge_budget, .ok = TRUE, .m = m};
    GArray *skipped = it.skipped;
    GArray *all = NULL; /* the beacon edges, when they stayed in memory */
    if (p->likely_touchers > 0) {
        r->seed_map = c2h_addrmap_from_set(r->c2); /* the seeds, before the rounds grow the set */
        r->seed_touch = c2h_edgeset_new();
    }
    guint64 n_beacons = 0;
    gboolean ok = TRUE;
    /* One chunk a rank a step; after each step the ranks learn (a non-blocking allreduce, read
     * LAG steps later so no rank waits for the others' chunk) whether anyone failed, whether a
     * local set nears the budget (then all exchange) and whether anyone has chunks left. */
    /* Flags started at step i are read at step i + LAG: ranks drift apart freely by up to LAG
     * chunks, and an exchange makes the one ahead wait for the other. 16 against 8: job 4.62
     * -> 4.38 s and 4.25 -> 3.97 s (means of 4 interleaved runs, large preset); 32 no better. */
    enum { LAG = 16 };
    c2h_flags_op op[LAG];
    memset(op, 0, sizeof op);
    guint64 grow = 0;     /* the most edges one step added to local on this rank */
    gint64 last_x = -1;   /* the step of the last exchange: flags started before it are stale */
    for (guint64 step = 0;; step++) {
        /* A rank at its budget reads nothing more until the exchange that its flag asks for. */
        if (ok && !it.done && c2h_edgeset_len(local) < r->edge_budget) {
            guint64 before = c2h_edgeset_len(local);
            ok = p1_step(r, &it, local, m, err);
            grow = MAX(grow, c2h_edgeset_len(local) - before);
        }
        /* Ask for the exchange early enough that the set is unlikely to fill (and the rank to
         * wait) in the LAG steps before everyone reads the request. */
        guint64 len = c2h_edgeset_len(local);
        guint8 now[3] = {!ok || !own.ok, len + LAG * grow >= r->edge_budget, !it.done}, flags[3];
        c2h_flags_op *slot = &op[step % LAG];
        if (step >= LAG) {
            c2h_flags_wait(slot, flags);
            if (flags[0] || !flags[2]) { /* every rank leaves at the same step: failed, or all done */
                for (guint64 k = 1; k < LAG; k++) /* the flags still in flight */
                    c2h_flags_wait(&op[(step + k) % LAG], flags);
                break;
            }
            /* Every rank reads the same flags at the same step, so all agree on last_x. */
            if (flags[1] && (gint64)(step - LAG) > last_x) {
                p1_exchange(r, local, &own, m);
                last_x = (gint64)step;
            }
        }
        c2h_flags_start(r->comm, slot, now, 3);
    }
    if (it.open)
        shard_end(r, &it.ss, "pass 1/4 C2-port subgraph", m);
    g_free(it.ss.c.hit);
    g_free(it.ss.c.hit2);
    c2h_shard_bufs_free(it.ss.bufs);
    c2h_edgeset_free(it.one);
    if (!own.ok && ok) {
        g_propagate_error(err, own.err);
        own.err = NULL;
        ok = FALSE;
    }
    g_clear_error(&own.err);
    ok = c2h_comm_agree(r->comm, ok);
    if (ok) {
        progress(r, "pass 1/4 C2-port subgraph", r->mine->len, r->mine->len, m->flows_read, it.ss.t0, TRUE);
        p1_exchange(r, local, &own, m);
        if (!own.ok) {
            g_propagate_error(err, own.err);
            own.err = NULL;
            ok = FALSE;
        }
    }
    if (ok) {
        /* The beacon edges: in memory when nothing was spilled, else one run on disk that the
         * rounds read group by group. */
        if (c2h_spill_runs(spill) == 0) {
            all = c2h_edgeset_sorted(owned, c2h_edge_cmp_dst);
            guint w = 0;
            for (guint i = 0; i < all->len; i++)
                if (c2h_is_beacon(&g_array_index(all, c2h_edge, i), p))
                    g_array_index(all, c2h_edge, w++) = g_array_index(all, c2h_edge, i);
            g_array_set_size(all, w);
            n_beacons = w;
        } else {
            beacon_count bc = {p, 0};
            gint64 t0 = g_get_monotonic_time();
            ok = c2h_spill_set(spill, owned, err) && c2h_spill_compact(spill, keep_beacon, &bc, err);
            m->spill_s += (double)(g_get_monotonic_time() - t0) / 1e6;
            n_beacons = bc.n;
        }
        m->spilled_bytes = c2h_spill_bytes(spill);
    }
    ok = c2h_comm_agree(r->comm, ok);
    if (ok) {
        /* Every rank learns which shards were skipped, in shard order. */
        g_array_set_size(r->skipped, 0);
        c2h_allgather(r->comm, skipped->data, skipped->len, sizeof(c2h_skipped), r->skipped, NULL);
        g_array_sort(r->skipped, skipped_cmp);
        drop_skipped(r);
        if (r->skipped->len > 0 && r->skipped->len == r->n_window) {
            if (r->comm->rank == 0) /* one message, not one a rank */
                g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "every shard in the window was skipped as bad (%u); the "
                        "first: %s", r->skipped->len, g_array_index(r->skipped, c2h_skipped, 0).reason);
            ok = FALSE;
        }
    }
    c2h_edgeset_free(local);
    c2h_edgeset_free(owned);
    g_array_free(skipped, TRUE);
    if (ok) {
        phase_end(m, n_beacons);
        choose_likely(r, s);
        ok = rounds_to_fixed_point(r, s, all, spill, err);
    }
    c2h_addrmap_free(r->seed_map);
    c2h_edgeset_free(r->seed_touch);
    r->seed_map = NULL;
    r->seed_touch = NULL;
    if (all)
        g_array_free(all, TRUE);
    c2h_spill_free(spill);
    return ok;
}

/* Pass 2: s->in_by_src, s->out_by_dst, s->touchers and s->bcand. */
static gboolean pass_2(run *r, job_state *s, GError **err)
{
    const c2h_profile *p = r->p;
    guint n_c2 = g_hash_table_size(r->c2);
    phase_metrics *m = phase_begin(r, "touching_c2");
    pass2 p2 = {c2h_addrmap_from_set(r->c2), NULL, c2h_edgeset_new(), c2h_edgeset_new(), NULL};
    if (s->likely->len > 0) {
        /* Every toucher keeps at most toucher_cap(C2 touched) edges a rank: these keep
         * toucher_cap(size of the C2 set), at least as many; pass 3 trims. */
        p2.ahead = toucher_scan_new(s->likely, r->c2, MAX(n_c2, 1), p);
        p2.src_any = c2h_addrmap_from_set(r->c2);
        for (guint i = 0; i < s->likely->len; i++)
            c2h_addrmap_put(p2.src_any, &g_array_index(s->likely, c2h_label, i).addr, 1);
    }
    gboolean ok = scan(r, "pass 2/4 flows touching C2", COLS_ADDR, fold_touching_c2, &p2, m, err);
    c2h_addrmap_free(p2.c2);
    c2h_addrmap_free(p2.src_any);
    if (!c2h_comm_agree(r->comm, ok)) {
        c2h_edgeset_free(p2.in);
        c2h_edgeset_free(p2.out);
        toucher_scan_free(p2.ahead);
        return FALSE;
    }
    toucher_scan_free(s->ahead);
    s->ahead = p2.ahead;
    c2h_edgeset *in = exchange_edges(r, p2.in, owner_of_src, m);
    c2h_edgeset *outs = exchange_edges(r, p2.out, owner_of_dst, m);
    c2h_edgeset_free(p2.in);
    c2h_edgeset_free(p2.out);
    replace_array(&s->in_by_src, c2h_edgeset_sorted(in, c2h_edge_cmp_src));
    replace_array(&s->out_by_dst, c2h_edgeset_sorted(outs, c2h_edge_cmp_dst));
    c2h_edgeset_free(in);
    c2h_edgeset_free(outs);
    GArray *tloc = g_array_new(FALSE, FALSE, sizeof(c2h_label));
    g_array_set_size(s->touchers, 0);
    c2h_find_touchers(s->in_by_src, r->c2, n_c2, p, tloc);
    labels_gather(r, tloc, s->touchers);
    g_array_sort(s->touchers, label_addr_role_cmp);
    GArray *bloc = g_array_new(FALSE, FALSE, sizeof(c2h_label));
    g_array_set_size(s->bcand, 0);
    c2h_find_backend_candidates(s->out_by_dst, r->c2, r->victims, p, bloc);
    labels_gather(r, bloc, s->bcand);
    g_array_sort(s->bcand, label_addr_role_cmp);
    g_array_free(tloc, TRUE);
    g_array_free(bloc, TRUE);
    phase_end(m, s->in_by_src->len + s->out_by_dst->len);
    return TRUE;
}

/* The touchers' merged sketches and this rank's edges (each toucher's within its cap) from
 * what pass 2 gathered ahead, into fanout (one per toucher) and edges. @return FALSE (on
 * every rank alike) when pass 3 must scan after all: a toucher was not among the likely
 * ones, or a toucher over its cap on some rank (which pass 3's scan would have cut to the
 * cap) is a controller, whose edges count. */
static gboolean touchers_from_ahead(run *r, job_state *s, c2h_hll *fanout, c2h_edgeset *edges)
{
    toucher_scan *t = s->ahead;
    GArray *touchers = s->touchers;
    if (t == NULL) /* on every rank alike */
        return FALSE;
    guint *at = g_new0(guint, MAX(touchers->len, 1)); /* toucher -> index + 1 in t */
    gboolean covered = TRUE;
    for (guint i = 0; i < touchers->len; i++)
        covered &= (at[i] = c2h_addrmap_get(t->idx, &g_array_index(touchers, c2h_label, i).addr)) != 0;
    /* The same on every rank (touchers and likely touchers are), so no agreement is needed. */
    if (!covered) {
        g_free(at);
        return FALSE;
    }
    c2h_allreduce_max_u8(r->comm, (guint8 *)t->fanout, sizeof(c2h_hll) * t->n);
    gboolean cut = FALSE;
    gboolean *over = g_new0(gboolean, MAX(touchers->len, 1));
    for (guint i = 0; i < touchers->len; i++) {
        fanout[i] = t->fanout[at[i] - 1];
        c2h_label l = g_array_index(touchers, c2h_label, i);
        over[i] = t->kept[at[i] - 1] > toucher_cap(l.count_a, r->p);
        c2h_judge_toucher(&l, c2h_hll_estimate(&fanout[i]), r->p);
        cut |= over[i] && l.role == C2H_ROLE_CONTROLLER;
    }
    gboolean ok = c2h_comm_agree(r->comm, !cut);
    if (ok) {
        c2h_addrmap *tidx = addrmap_of(touchers);
        GArray *e = c2h_edgeset_sorted(t->edges, NULL);
        for (guint i = 0; i < e->len; i++) {
            guint k = c2h_addrmap_get(tidx, &g_array_index(e, c2h_edge, i).src);
            if (k && !over[k - 1])
                c2h_edgeset_merge(edges, &g_array_index(e, c2h_edge, i));
        }
        g_array_free(e, TRUE);
        c2h_addrmap_free(tidx);
    }
    g_free(over);
    g_free(at);
    return ok;
}

/* Pass 3: touchers judged (r->controllers, r->scanners, controllers out of r->victims),
 * s->ctl_by_dst and s->pred. It reads the archive only when pass 2 did not gather the
 * touchers' flows ahead of it. */
static gboolean pass_3(run *r, job_state *s, GError **err)
{
    const c2h_profile *p = r->p;
    GArray *touchers = s->touchers;
    phase_metrics *m = phase_begin(r, "controllers");
    c2h_hll *fanout = g_new0(c2h_hll, MAX(touchers->len, 1));
    c2h_edgeset *edges = c2h_edgeset_new();
    gboolean ok = TRUE;
    r->touchers_ahead = touchers->len > 0 && touchers_from_ahead(r, s, fanout, edges);
    if (r->touchers_ahead && !r->quiet && r->comm->rank == 0)
        fprintf(stderr, "c2hunt run: pass 3/4 not needed: pass 2 gathered the flows of all %u controller candidates "
                "(among %u likely ones)\n", touchers->len, s->likely->len);
    if (touchers->len > 0 && !r->touchers_ahead) {
        toucher_scan *t = toucher_scan_new(touchers, r->c2, 0, p);
        ok = scan(r, "pass 3/4 controller candidates' flows", COLS_ADDR, fold_touchers, t, m, err);
        ok = c2h_comm_agree(r->comm, ok);
        if (ok) {
            c2h_allreduce_max_u8(r->comm, (guint8 *)t->fanout, sizeof(c2h_hll) * touchers->len);
            memcpy(fanout, t->fanout, sizeof(c2h_hll) * touchers->len);
            c2h_edgeset_free(edges);
            edges = g_steal_pointer(&t->edges);
        }
        toucher_scan_free(t);
    }
    toucher_scan_free(s->ahead);
    s->ahead = NULL;
    if (ok) {
        for (guint i = 0; i < touchers->len; i++) {
            c2h_label *l = &g_array_index(touchers, c2h_label, i);
            c2h_judge_toucher(l, c2h_hll_estimate(&fanout[i]), p);
            if (l->role == C2H_ROLE_CONTROLLER) {
                c2h_addrset_add(r->controllers, &l->addr);
                g_hash_table_remove(r->victims, &l->addr); /* its beacons are staging, not infection */
            } else {
                c2h_addrset_add(r->scanners, &l->addr);
            }
        }
        /* Only controllers' edges travel on. */
        GArray *ce = c2h_edgeset_sorted(edges, NULL);
        c2h_edgeset_clear(edges);
        c2h_edgeset *ctl_local = c2h_edgeset_new();
        for (guint i = 0; i < ce->len; i++)
            if (c2h_addrset_has(r->controllers, &g_array_index(ce, c2h_edge, i).src))
                c2h_edgeset_merge(ctl_local, &g_array_index(ce, c2h_edge, i));
        g_array_free(ce, TRUE);
        c2h_edgeset *ctl = exchange_edges(r, ctl_local, owner_of_dst, m);
        c2h_edgeset_free(ctl_local);
        replace_array(&s->ctl_by_dst, c2h_edgeset_sorted(ctl, c2h_edge_cmp_dst));
        c2h_edgeset_free(ctl);
        GArray *ploc = g_array_new(FALSE, FALSE, sizeof(c2h_label));
        g_array_set_size(s->pred, 0);
        c2h_find_predicted(s->ctl_by_dst, r->c2, r->victims, r->controllers, s->beacons, p, ploc);
        labels_gather(r, ploc, s->pred);
        g_array_sort(s->pred, label_addr_role_cmp);
        g_array_free(ploc, TRUE);
        phase_end(m, s->ctl_by_dst->len);
    }
    g_free(fanout);
    c2h_edgeset_free(edges);
    return ok;
}

/* ---- checkpoints ------------------------------------------------------------------ */

#define CKPT_STATE "state.ini"
#define CKPT_GROUP "checkpoint"

/* What a checkpoint of this run must match to be resumed. */
typedef struct ckpt_key {
    int ranks;
    const char *archive, *seeds;
    gint64 since, until;
    char *seeds_sha256, *profile_sha256;
} ckpt_key;

static char *ckpt_rank_path(const char *dir, int pass, int rank)
{
    g_autofree char *name = g_strdup_printf("pass%d-rank-%04d.h5", pass, rank);
    return g_build_filename(dir, name, NULL);
}

/* The fields of a checkpoint: the state, r's sets (as sorted arrays in sets[5]), the metrics
 * and the round count (in scalars). @return how many. */
static guint ckpt_fields(run *r, job_state *s, GArray *sets[5], GArray *scalars, c2h_ckpt_field f[16])
{
    guint n = 0;
    f[n++] = (c2h_ckpt_field){"beacons", "c2h_edge", s->beacons};
    f[n++] = (c2h_ckpt_field){"in_by_src", "c2h_edge", s->in_by_src};
    f[n++] = (c2h_ckpt_field){"out_by_dst", "c2h_edge", s->out_by_dst};
    f[n++] = (c2h_ckpt_field){"ctl_by_dst", "c2h_edge", s->ctl_by_dst};
    f[n++] = (c2h_ckpt_field){"touchers", "c2h_label", s->touchers};
    f[n++] = (c2h_ckpt_field){"backend_candidates", "c2h_label", s->bcand};
    f[n++] = (c2h_ckpt_field){"predicted_candidates", "c2h_label", s->pred};
    static const char *set_names[5] = {"c2", "victims", "controllers", "scanners", "backends"};
    for (guint i = 0; i < 5; i++)
        f[n++] = (c2h_ckpt_field){set_names[i], "c2h_addr", sets[i]};
    f[n++] = (c2h_ckpt_field){"phase_metrics", "c2h_phase_metrics", r->metrics};
    f[n++] = (c2h_ckpt_field){"skipped_shards", "c2h_skipped", r->skipped};
    f[n++] = (c2h_ckpt_field){"scalars", "u64:rounds", scalars};
    return n;
}

static GHashTable **run_sets(run *r, GHashTable **sets)
{
    sets[0] = r->c2, sets[1] = r->victims, sets[2] = r->controllers, sets[3] = r->scanners, sets[4] = r->backends;
    return sets;
}

static gboolean write_state_ini(const char *dir, int pass, const ckpt_key *k, GError **err)
{
    GKeyFile *kf = g_key_file_new();
    g_key_file_set_integer(kf, CKPT_GROUP, "pass", pass);
    g_key_file_set_integer(kf, CKPT_GROUP, "ranks", k->ranks);
    g_key_file_set_string(kf, CKPT_GROUP, "archive", k->archive);
    g_key_file_set_string(kf, CKPT_GROUP, "seeds", k->seeds);
    g_key_file_set_string(kf, CKPT_GROUP, "seeds_sha256", k->seeds_sha256);
    g_key_file_set_int64(kf, CKPT_GROUP, "since_ms", k->since);
    g_key_file_set_int64(kf, CKPT_GROUP, "until_ms", k->until);
    g_key_file_set_string(kf, CKPT_GROUP, "profile_sha256", k->profile_sha256);
    gsize len = 0;
    g_autofree char *text = g_key_file_to_data(kf, &len, NULL);
    g_key_file_free(kf);
    GString *s = g_string_new_len(text, (gssize)len);
    gboolean ok = c2h_write_text(dir, CKPT_STATE, s, err);
    g_string_free(s, TRUE);
    return ok;
}

/* Save the state after pass (every rank its file), then name it in state.ini (rank 0) once
 * every rank has written; then drop the files of the pass before. Sets *stop when
 * C2H_STOP_AFTER_PASS asks the job to end here. */
static gboolean checkpoint(run *r, job_state *s, const char *dir, const ckpt_key *k, int pass, gboolean *stop,
                           GError **err)
{
    GHashTable *hs[5];
    run_sets(r, hs);
    GArray *sets[5];
    for (guint i = 0; i < 5; i++)
        sets[i] = c2h_addrset_sorted(hs[i]);
    GArray *scalars = g_array_new(FALSE, FALSE, sizeof(guint64));
    guint64 rounds = s->rounds;
    g_array_append_val(scalars, rounds);
    c2h_ckpt_field f[16];
    guint n = ckpt_fields(r, s, sets, scalars, f);
    g_autofree char *path = ckpt_rank_path(dir, pass, r->comm->rank);
    gboolean ok = c2h_ckpt_save(path, f, n, err);
    for (guint i = 0; i < 5; i++)
        g_array_free(sets[i], TRUE);
    g_array_free(scalars, TRUE);
    if (!c2h_comm_agree(r->comm, ok))
        return FALSE;
    ok = r->comm->rank != 0 || write_state_ini(dir, pass, k, err);
    if (!c2h_comm_agree(r->comm, ok))
        return FALSE;
    if (pass > 1) {
        g_autofree char *old = ckpt_rank_path(dir, pass - 1, r->comm->rank);
        remove(old);
    }
    const char *env = g_getenv("C2H_STOP_AFTER_PASS");
    *stop = env != NULL && atoi(env) == pass;
    return TRUE;
}

/* May a fresh run replace dir? Yes when it is absent or holds only what a run puts there
 * (pass*-rank-*.h5, their temporary files, state.ini, spill runs pass1-rank-*), or with
 * --force; a symbolic link or anything else there is refused. */
static gboolean ckpt_dir_is_ours(const char *dir, gboolean force, GError **err)
{
    struct stat st;
    if (lstat(dir, &st) != 0)
        return TRUE;
    if (S_ISLNK(st.st_mode) && force)
        return TRUE; /* c2h_rmtree removes the link itself, never its target */
    if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: is a %s, not a checkpoint folder; remove it or choose "
                    "another --out (or --force)", dir, S_ISLNK(st.st_mode) ? "symbolic link" : "file");
        return FALSE;
    }
    if (force)
        return TRUE;
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    gboolean ours = d != NULL;
    while (ours && (name = g_dir_read_name(d)) != NULL)
        ours = strcmp(name, CKPT_STATE) == 0 || g_str_has_prefix(name, "pass") || g_str_has_prefix(name, "." CKPT_STATE);
    if (d)
        g_dir_close(d);
    if (!ours)
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: holds files that are not c2hunt's checkpoints; remove it, "
                    "choose another --out, or use --force", dir);
    return ours;
}

/* Read dir/state.ini and check it against k. @return the last complete pass, or 0 with err. */
static int ckpt_check(const char *dir, const ckpt_key *k, GError **err)
{
    g_autofree char *path = g_build_filename(dir, CKPT_STATE, NULL);
    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "--resume: no checkpoint to resume (%s does not exist)", path);
        return 0;
    }
    GKeyFile *kf = g_key_file_new();
    GError *e = NULL;
    int pass = 0;
    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &e)) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: cannot read: %s", path, e->message);
        g_error_free(e);
        g_key_file_free(kf);
        return 0;
    }
    pass = g_key_file_get_integer(kf, CKPT_GROUP, "pass", NULL);
    int ranks = g_key_file_get_integer(kf, CKPT_GROUP, "ranks", NULL);
    g_autofree char *archive = g_key_file_get_string(kf, CKPT_GROUP, "archive", NULL);
    g_autofree char *seeds = g_key_file_get_string(kf, CKPT_GROUP, "seeds", NULL);
    g_autofree char *seeds_sha = g_key_file_get_string(kf, CKPT_GROUP, "seeds_sha256", NULL);
    g_autofree char *prof_sha = g_key_file_get_string(kf, CKPT_GROUP, "profile_sha256", NULL);
    gint64 since = g_key_file_get_int64(kf, CKPT_GROUP, "since_ms", NULL);
    gint64 until = g_key_file_get_int64(kf, CKPT_GROUP, "until_ms", NULL);
    g_key_file_free(kf);
    const char *why = NULL;
    g_autofree char *detail = NULL;
    if (pass < 1 || pass > 3 || archive == NULL || seeds == NULL || seeds_sha == NULL || prof_sha == NULL)
        why = "it is incomplete or not a checkpoint", detail = g_strdup("");
    else if (ranks != k->ranks)
        why = "the rank count differs", detail = g_strdup_printf(" (it has %d ranks, this run %d)", ranks, k->ranks);
    else if (strcmp(archive, k->archive) != 0)
        why = "the archive differs", detail = g_strdup_printf(" (it read %s, this run %s)", archive, k->archive);
    else if (strcmp(seeds_sha, k->seeds_sha256) != 0)
        why = "the seeds differ", detail = g_strdup_printf(" (it started from %s)", seeds);
    else if (since != k->since || until != k->until)
        why = "--since/--until differ", detail = g_strdup("");
    else if (strcmp(prof_sha, k->profile_sha256) != 0)
        why = "the profile differs", detail = g_strdup("");
    if (why != NULL) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT,
                    "%s: cannot resume: %s%s; resume with the inputs and rank count of the interrupted run, or "
                    "start over with --force",
                    path, why, detail);
        return 0;
    }
    return pass;
}

/* Load this rank's state after pass. */
static gboolean ckpt_load(run *r, job_state *s, const char *dir, int pass, GError **err)
{
    GArray *sets[5];
    for (guint i = 0; i < 5; i++)
        sets[i] = g_array_new(FALSE, FALSE, sizeof(c2h_addr));
    GArray *scalars = g_array_new(FALSE, FALSE, sizeof(guint64));
    c2h_ckpt_field f[16];
    guint n = ckpt_fields(r, s, sets, scalars, f);
    g_autofree char *path = ckpt_rank_path(dir, pass, r->comm->rank);
    gboolean ok = c2h_ckpt_load(path, f, n, err);
    if (ok && scalars->len != 1) {
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: scalars: %u values, expected 1", path, scalars->len);
        ok = FALSE;
    }
    if (ok) {
        s->rounds = (guint)g_array_index(scalars, guint64, 0);
        drop_skipped(r);
        GHashTable *hs[5];
        run_sets(r, hs);
        for (guint i = 0; i < 5; i++) {
            g_hash_table_remove_all(hs[i]);
            for (guint j = 0; j < sets[i]->len; j++)
                c2h_addrset_add(hs[i], &g_array_index(sets[i], c2h_addr, j));
        }
    }
    for (guint i = 0; i < 5; i++)
        g_array_free(sets[i], TRUE);
    g_array_free(scalars, TRUE);
    return ok;
}

/* ---- the job ---------------------------------------------------------------------- */

/* Pass 4 and the outputs, from the state after pass 3. */
static gboolean finish(run *r, job_state *s, GHashTable *seeds, const run_opts *o, GError **err)
{
    const c2h_profile *p = r->p;
    GArray *beacons = s->beacons, *in_by_src = s->in_by_src, *out_by_dst = s->out_by_dst;
    GArray *touchers = s->touchers, *bcand = s->bcand, *ctl_by_dst = s->ctl_by_dst, *pred = s->pred;
    guint rounds = s->rounds;
    gboolean ok = TRUE;
    GArray *labels_local = g_array_new(FALSE, FALSE, sizeof(c2h_label));
    GArray *labels = g_array_new(FALSE, FALSE, sizeof(c2h_label));
    c2h_result ev = {0};
    {
        /* Pass 4: who else reaches the c2_predicted and the backend candidates (only when
         * there are any). */
        phase_metrics *m = phase_begin(r, "fanin");
        pass4 p4;
        pass4_init(&p4, pred, bcand, p);
        GHashTable *other_sets[2] = {r->controllers, r->scanners};
        for (guint i = 0; i < 2; i++) {
            GHashTableIter it;
            gpointer k;
            g_hash_table_iter_init(&it, other_sets[i]);
            while (g_hash_table_iter_next(&it, &k, NULL))
                c2h_addrmap_put(p4.others, k, 1);
        }
        if (pred->len + bcand->len > 0)
            ok = scan(r, "pass 4/4 candidates' fan-in", C2H_COLBIT(C2H_COL_DST_ADDR), fold_fanin, &p4, m, err);
        ok = c2h_comm_agree(r->comm, ok);
        if (ok) {
            c2h_allreduce_max_u8(r->comm, (guint8 *)p4.fanin[P4_PRED], sizeof(c2h_hll) * pred->len);
            c2h_allreduce_max_u8(r->comm, (guint8 *)p4.fanin[P4_BACKEND], sizeof(c2h_hll) * bcand->len);
            for (guint i = 0; i < pred->len; i++) {
                c2h_label *l = &g_array_index(pred, c2h_label, i);
                c2h_judge_predicted(l, c2h_hll_estimate(&p4.fanin[P4_PRED][i]), p);
                if (l->role == C2H_ROLE_C2_PREDICTED && r->comm->rank == 0)
                    g_array_append_vals(labels_local, l, 1);
            }
            for (guint i = 0; i < bcand->len; i++) {
                c2h_label *l = &g_array_index(bcand, c2h_label, i);
                c2h_judge_backend(l, c2h_hll_estimate(&p4.fanin[P4_BACKEND][i]), p);
                if (l->role == C2H_ROLE_BACKEND)
                    c2h_addrset_add(r->backends, &l->addr);
            }
        }
        pass4_free(&p4);
        phase_end(m, 0);
    }
    if (ok) {
        /* Labels: C2 (owners), c2_predicted (owners), touchers and backends (rank 0 has them all). */
        c2h_label_c2_set(beacons, r->c2, seeds, r->victims, p, labels_local);
        if (r->comm->rank == 0) {
            for (guint i = 0; i < touchers->len; i++)
                g_array_append_vals(labels_local, &g_array_index(touchers, c2h_label, i), 1);
            for (guint i = 0; i < bcand->len; i++)
                if (g_array_index(bcand, c2h_label, i).role == C2H_ROLE_BACKEND)
                    g_array_append_vals(labels_local, &g_array_index(bcand, c2h_label, i), 1);
        }
        labels_gather(r, labels_local, labels);

        /* Evidence. */
        GArray *vb = edges_where(beacons, is_victim_beacon, r);
        ev.victim_beacons = edges_gather(r, vb, c2h_edge_cmp_src);
        g_array_free(vb, TRUE);
        label_victims(ev.victim_beacons, labels);
        GArray *cc = edges_where(in_by_src, is_controller_contact, r);
        ev.ctl_by_src = edges_gather(r, cc, c2h_edge_cmp_src);
        ev.ctl_by_dst = g_array_copy(ev.ctl_by_src);
        g_array_sort(ev.ctl_by_dst, c2h_edge_cmp_dst);
        g_array_free(cc, TRUE);
        GArray *bl = edges_where(out_by_dst, is_backend_link, r);
        ev.backend = edges_gather(r, bl, c2h_edge_cmp_dst);
        g_array_free(bl, TRUE);
        /* c2_predicted evidence: the controller edges into the predicted hosts. */
        GHashTable *pred = c2h_addrset_new();
        for (guint i = 0; i < labels->len; i++)
            if (g_array_index(labels, c2h_label, i).role == C2H_ROLE_C2_PREDICTED)
                c2h_addrset_add(pred, &g_array_index(labels, c2h_label, i).addr);
        GArray *pe = g_array_new(FALSE, FALSE, sizeof(c2h_edge));
        for (guint i = 0; i < ctl_by_dst->len; i++) {
            const c2h_edge *e = &g_array_index(ctl_by_dst, c2h_edge, i);
            if (c2h_addrset_has(pred, &e->dst) && c2h_addrset_has(r->controllers, &e->src))
                g_array_append_vals(pe, e, 1);
        }
        ev.predicted = edges_gather(r, pe, c2h_edge_cmp_dst);
        g_array_free(pe, TRUE);
        g_hash_table_destroy(pred);
    }
    g_array_free(labels_local, TRUE);

    if (ok) {
        /* One role per host, the strongest; seeds without traffic in the window stay c2. */
        for (guint i = 0; i < labels->len; i++)
            g_hash_table_remove(seeds, &g_array_index(labels, c2h_label, i).addr);
        GHashTableIter it;
        gpointer k;
        g_hash_table_iter_init(&it, seeds);
        while (g_hash_table_iter_next(&it, &k, NULL)) {
            c2h_label l = {.addr = *(c2h_addr *)k, .role = C2H_ROLE_C2, .score = 1.0};
            g_array_append_val(labels, l);
        }
        g_array_sort(labels, label_addr_role_cmp);
        guint w = 0;
        for (guint i = 0; i < labels->len; i++)
            if (w == 0 || c2h_addr_cmp(&g_array_index(labels, c2h_label, w - 1).addr,
                                       &g_array_index(labels, c2h_label, i).addr) != 0)
                g_array_index(labels, c2h_label, w++) = g_array_index(labels, c2h_label, i);
        g_array_set_size(labels, w);
        g_array_sort(labels, c2h_label_cmp);

        GArray *all_metrics = g_array_new(FALSE, FALSE, sizeof(phase_metrics));
        c2h_allgather(r->comm, r->metrics->data, r->metrics->len, sizeof(phase_metrics), all_metrics, NULL);
        char *stage = NULL;
        if (r->comm->rank == 0) {
            stage = c2h_stage_dir(o->out, o->force, err);
            ok = stage != NULL;
            ev.profile = p;
            ev.archive = r->a->path;
            ev.seeds = o->seeds;
            ev.since = r->since;
            ev.until = r->until;
            ev.ranks = r->comm->size;
            ev.labels = labels;
            ev.customers = o->cust;
            GArray *sk = skipped_shards(r);
            ev.skipped = sk;
            ok = ok && c2h_result_write(&ev, stage, err);
            /* After the other outputs, so that rank 0's peak includes writing them. */
            GString *met = ok ? metrics_json(r, all_metrics, r->comm->size) : NULL;
            g_autofree char *prof = c2h_profile_to_data(p);
            GString *pr = g_string_new(prof);
            ok = ok && c2h_write_text(stage, "metrics.json", met, err) &&
                 c2h_write_text(stage, "profile.ini", pr, err) && c2h_stage_commit(stage, o->out, o->force, err);
            ev.labels = NULL; /* still ours, freed below */
            g_array_free(sk, TRUE);
            ev.skipped = NULL;
            if (!ok && stage)
                c2h_rmtree(stage, NULL);
            if (met) g_string_free(met, TRUE);
            g_string_free(pr, TRUE);
            if (ok && !r->quiet) {
                guint counts[8] = {0};
                for (guint i = 0; i < labels->len; i++)
                    counts[g_array_index(labels, c2h_label, i).role]++;
                fprintf(stderr,
                        "c2hunt run: %u rounds; %u c2, %u c2_predicted, %u controller, %u backend, %u scanner, %u victim"
                        " -> %s (%.2f s, %d ranks, peak RSS rank 0 %.1f MiB)\n",
                        rounds + 1, counts[C2H_ROLE_C2], counts[C2H_ROLE_C2_PREDICTED], counts[C2H_ROLE_CONTROLLER],
                        counts[C2H_ROLE_BACKEND], counts[C2H_ROLE_SCANNER], counts[C2H_ROLE_VICTIM], o->out,
                        (double)(g_get_monotonic_time() - r->t_start) / 1e6, r->comm->size,
                        (double)c2h_peak_rss() / 1048576.0);
            }
        }
        g_free(stage);
        g_array_free(all_metrics, TRUE);
        ok = c2h_comm_agree(r->comm, ok);
    }
    ev.labels = NULL;
    c2h_result_clear(&ev);
    g_array_free(labels, TRUE);
    return ok;
}

/* The passes after the last complete one (done: 0 for a fresh run), each followed by a
 * checkpoint in ckpt_dir, then pass 4 and the outputs. Sets *stopped when C2H_STOP_AFTER_PASS
 * ended the job after a checkpoint. */
static gboolean run_job(run *r, job_state *s, int done, const char *ckpt_dir, const ckpt_key *key, GHashTable *seeds,
                        const run_opts *o, gboolean *stopped, GError **err)
{
    static gboolean (*const passes[3])(run *, job_state *, GError **) = {pass_1, pass_2, pass_3};
    for (int pass = done + 1; pass <= 3; pass++) {
        if (!passes[pass - 1](r, s, err) || !checkpoint(r, s, ckpt_dir, key, pass, stopped, err))
            return FALSE;
        if (*stopped) {
            if (r->comm->rank == 0)
                fprintf(stderr, "c2hunt run: stopped after the checkpoint of pass %d (C2H_STOP_AFTER_PASS); "
                        "continue with --resume\n", pass);
            return FALSE;
        }
    }
    return finish(r, s, seeds, o, err);
}

/* The seeds of path (plain, Feodo Tracker CSV or Maltrail, io/seeds.h): only those of family
 * when it is set, and only those first seen before until (a seed listed later was not known
 * at --until T). Rank 0 shows the warnings and, for a list that is not plain, what it kept.
 * @return the addresses, or NULL with err. */
static GArray *load_seeds(const char *path, const char *family, gint64 until, const c2h_comm *comm, gboolean quiet,
                          GError **err)
{
    c2h_seeds_opts so = {.family = family, .known_before_ms = until};
    c2h_seeds *s = c2h_seeds_read(path, &so, err);
    if (s == NULL)
        return NULL;
    /* Family names come from the file: no control character reaches the terminal. */
    g_autofree char *fam = g_strdup(s->families);
    for (char *q = fam; *q; q++)
        if ((unsigned char)*q < 0x20 || *q == 0x7f)
            *q = '?';
    for (guint i = 0; comm->rank == 0 && i < s->warnings->len; i++)
        fprintf(stderr, "c2hunt run: warning: %s\n", (char *)s->warnings->pdata[i]);
    if (comm->rank == 0 && !quiet && s->format != C2H_SEEDS_PLAIN)
        fprintf(stderr, "c2hunt run: seeds: %s list, %u address entries (%s), %u names skipped; left out: %u of other "
                "families, %u first seen at or after --until, %u unusable; %u seeds\n", c2h_seeds_format_name(s->format),
                s->entries, *fam ? fam : "no families", s->names, s->other_family, s->later,
                s->unusable, s->seeds->len);
    if (s->seeds->len == 0 && family != NULL)
        g_set_error(err, C2H_ERROR, C2H_ERROR_INPUT, "%s: no seeds of family '%s' (families there: %s)", path, family,
                    *fam ? fam : "none");
    GArray *out = NULL;
    if (s->seeds->len > 0 || family == NULL) {
        out = g_array_sized_new(FALSE, FALSE, sizeof(c2h_addr), s->seeds->len);
        for (guint i = 0; i < s->seeds->len; i++)
            g_array_append_val(out, g_array_index(s->seeds, c2h_seed, i).addr);
    }
    c2h_seeds_free(s);
    return out;
}

int c2h_cmd_run(int argc, char **argv, const c2h_comm *comm)
{
    run_opts o = {0};
    char *seeds_family = NULL;
    GOptionEntry entries[] = {
        {"archive", 'a', 0, G_OPTION_ARG_FILENAME, &o.archive, "The archive to read", "ARCHIVE"},
        {"seeds", 's', 0, G_OPTION_ARG_FILENAME, &o.seeds,
         "Known C2: one IP per line ('#' comments), a Feodo Tracker CSV or a Maltrail trail", "FILE"},
        {"seeds-family", 0, 0, G_OPTION_ARG_STRING, &seeds_family,
         "Only the seeds of this malware family (Feodo Tracker CSV, Maltrail), e.g. TrickBot", "NAME"},
        {"out", 'o', 0, G_OPTION_ARG_FILENAME, &o.out, "Output folder (written complete or not at all)", "DIR"},
        {"profile", 'p', 0, G_OPTION_ARG_FILENAME, &o.profile, "trickbot (built in, default) or a GKeyFile", "NAME|FILE"},
        {"customers", 0, 0, G_OPTION_ARG_FILENAME, &o.customers,
         "CSV of cidr,customer lines: also write incidents.csv (infected hosts per customer)", "FILE"},
        {"since", 0, 0, G_OPTION_ARG_STRING, &o.since_s, "Only flows that start at or after T (ISO 8601 UTC)", "T"},
        {"until", 0, 0, G_OPTION_ARG_STRING, &o.until_s,
         "Only flows that start before T: what the job would have said at T", "T"},
        {"force", 0, 0, G_OPTION_ARG_NONE, &o.force, "Replace DIR if it exists (and start over from no checkpoint)", NULL},
        {"resume", 0, 0, G_OPTION_ARG_NONE, &o.resume,
         "Continue a killed job from the checkpoint in DIR.ckpt (same inputs and rank count)", NULL},
        {"keep-checkpoints", 0, 0, G_OPTION_ARG_NONE, &o.keep_ckpt, "Keep DIR.ckpt when the job completes", NULL},
        {"skip-bad-shards", 0, 0, G_OPTION_ARG_NONE, &o.skip_bad,
         "Leave out shards that cannot be read (named on stderr, in metrics.json and report.json) instead of failing",
         NULL},
        {"edge-budget", 0, 0, G_OPTION_ARG_INT64, &o.edge_budget,
         "Edges a rank holds in memory in pass 1 before it exchanges them or spills them to DIR.ckpt (default 32768)",
         "N"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, "No progress on stderr", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("- map C2 infrastructure from seeds");
    g_option_context_set_summary(ctx,
        "Reads ARCHIVE in three or four passes over each rank's share of the shards, grows victims and C2\n"
        "from the seeds, finds controllers, staged C2 (c2_predicted), backends and scanners, and\n"
        "writes roles.csv, report.json and metrics.json into DIR. Run it under mpirun for several ranks.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *err = NULL;
    int rc = 0;
    gboolean same_everywhere = TRUE; /* an error now is every rank's: rank 0 says it */
    run r = {.comm = comm, .since = G_MININT64, .until = G_MAXINT64, .t_start = g_get_monotonic_time()};
    c2h_profile *p = NULL;
    GArray *seeds = NULL;
    GHashTable *seedset = NULL;
    char *ckpt_dir = NULL, *state_ini = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        rc = 1;
        goto out;
    }
    if (o.archive == NULL || o.seeds == NULL || o.out == NULL || argc > 1) {
        g_set_error(&err, C2H_ERROR, C2H_ERROR_INPUT, "--archive, --seeds and --out are required (see --help)");
        rc = 1;
        goto out;
    }
    /* "--out link/" names the link, not its target: OUT.ckpt then lands beside it. */
    for (gsize l = strlen(o.out); l > 1 && o.out[l - 1] == '/'; l--)
        o.out[l - 1] = 0;
    if ((o.since_s && !c2h_time_parse_iso(o.since_s, &r.since)) || (o.until_s && !c2h_time_parse_iso(o.until_s, &r.until))) {
        g_set_error(&err, C2H_ERROR, C2H_ERROR_INPUT, "--since/--until: not an ISO 8601 time with a zone (2026-01-05T00:00:00Z)");
        rc = 1;
        goto out;
    }
    r.quiet = o.quiet;
    r.skip_bad = o.skip_bad;
    if (o.edge_budget == 0)
        o.edge_budget = 32768;
    if (o.edge_budget < 1024) {
        g_set_error(&err, C2H_ERROR, C2H_ERROR_INPUT, "--edge-budget: %" G_GINT64_FORMAT " is under 1024", o.edge_budget);
        rc = 1;
        goto out;
    }
    r.edge_budget = (guint64)o.edge_budget;
    struct stat st;
    if (lstat(o.out, &st) == 0 && !o.force) {
        g_set_error(&err, C2H_ERROR, C2H_ERROR_INPUT, "%s: already exists (use --force to replace it)", o.out);
        rc = 2;
        goto out;
    }
    if (!c2h_h5_init(&err) || (p = c2h_profile_load(o.profile, &err)) == NULL ||
        (seeds = load_seeds(o.seeds, seeds_family, r.until, comm, o.quiet, &err)) == NULL ||
        (o.customers && (o.cust = c2h_customers_load(o.customers, &err)) == NULL) ||
        (r.a = c2h_archive_open(o.archive, &err)) == NULL || !c2h_archive_require_flows(r.a, &err)) {
        rc = 2;
        goto out;
    }
    if (seeds->len == 0) {
        g_set_error(&err, C2H_ERROR, C2H_ERROR_INPUT, "%s: no seeds", o.seeds);
        rc = 2;
        goto out;
    }
    r.p = p;
    for (guint port = 0; port < 65536; port++)
        r.c2_port[port] = (c2h_profile_port_class(p, (uint16_t)port) & C2H_PC_C2_MASK) != 0;
    r.c2 = c2h_addrset_new();
    r.victims = c2h_addrset_new();
    r.controllers = c2h_addrset_new();
    r.backends = c2h_addrset_new();
    r.scanners = c2h_addrset_new();
    seedset = c2h_addrset_new();
    for (guint i = 0; i < seeds->len; i++) {
        c2h_addrset_add(r.c2, &g_array_index(seeds, c2h_addr, i));
        c2h_addrset_add(seedset, &g_array_index(seeds, c2h_addr, i));
    }
    r.metrics = g_array_new(FALSE, TRUE, sizeof(phase_metrics));
    /* The shards in the window, balanced by bytes. */
    GArray *win = g_array_new(FALSE, FALSE, sizeof(guint));
    GArray *sizes = g_array_new(FALSE, FALSE, sizeof(guint64));
    for (guint i = 0; i < r.a->shards->len; i++) {
        const c2h_shard_info *s = &g_array_index(r.a->shards, c2h_shard_info, i);
        /* A shard the index says is empty is read all the same: its rows are checked. */
        if (s->rows != 0 && (s->t_max_ms < r.since || s->t_min_ms >= r.until))
            continue;
        g_array_append_val(win, i);
        g_array_append_val(sizes, s->stored_bytes);
    }
    int *owner = c2h_assign_balanced((guint64 *)sizes->data, win->len, comm->size);
    r.mine = g_array_new(FALSE, FALSE, sizeof(guint));
    for (guint i = 0; i < win->len; i++)
        if (owner[i] == comm->rank)
            g_array_append_vals(r.mine, &g_array_index(win, guint, i), 1);
    r.n_window = win->len;
    g_free(owner);
    g_array_free(win, TRUE);
    g_array_free(sizes, TRUE);
    if (!o.quiet && comm->rank == 0)
        fprintf(stderr, "c2hunt run: %u of %u shards in the window, %d ranks, %u seeds, profile %s\n", r.n_window,
                r.a->shards->len, comm->size, seeds->len, p->name);
    /* Checkpoints in DIR.ckpt: resume from one, or start with none. */
    ckpt_dir = g_strconcat(o.out, ".ckpt", NULL);
    r.ckpt_dir = ckpt_dir;
    r.skipped = g_array_new(FALSE, FALSE, sizeof(c2h_skipped));
    state_ini = g_build_filename(ckpt_dir, CKPT_STATE, NULL);
    ckpt_key key = {.ranks = comm->size, .archive = o.archive, .seeds = o.seeds, .since = r.since, .until = r.until};
    {
        GArray *sorted = c2h_addrset_sorted(seedset);
        key.seeds_sha256 = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)sorted->data,
                                                       (gsize)sorted->len * sizeof(c2h_addr));
        g_array_free(sorted, TRUE);
        g_autofree char *prof = c2h_profile_to_data(p);
        key.profile_sha256 = g_compute_checksum_for_string(G_CHECKSUM_SHA256, prof, -1);
    }
    job_state st8;
    job_state_init(&st8);
    int done = 0;
    gboolean ok = TRUE;
    if (o.resume) {
        done = ckpt_check(ckpt_dir, &key, &err);
        ok = done > 0 && ckpt_load(&r, &st8, ckpt_dir, done, &err);
        if (ok && !o.quiet && comm->rank == 0)
            fprintf(stderr, "c2hunt run: resuming from the checkpoint of pass %d in %s\n", done, ckpt_dir);
    } else if (lstat(state_ini, &st) == 0 && !o.force) {
        g_set_error(&err, C2H_ERROR, C2H_ERROR_INPUT,
                    "%s: a checkpoint of an earlier run is there (continue it with --resume, or start over with --force)",
                    ckpt_dir);
        ok = FALSE;
    }
    /* Every rank has looked at DIR.ckpt before rank 0 makes it afresh. */
    ok = c2h_comm_agree(comm, ok);
    if (ok && !o.resume && comm->rank == 0) {
        /* Only a folder of ours is replaced: one that holds checkpoint and spill files only. */
        ok = ckpt_dir_is_ours(ckpt_dir, o.force, &err) && c2h_rmtree(ckpt_dir, &err);
        struct stat cst;
        if (ok && (mkdir(ckpt_dir, 0700) != 0 || lstat(ckpt_dir, &cst) != 0 || !S_ISDIR(cst.st_mode))) {
            int e = errno;
            g_set_error(&err, C2H_ERROR, C2H_ERROR_IO, "%s: cannot create: %s", ckpt_dir, g_strerror(e));
            ok = FALSE;
        }
    }
    gboolean stopped = FALSE, made = ok && !o.resume;
    same_everywhere = FALSE; /* from here a rank may fail alone (a shard it reads) */
    if (!c2h_comm_agree(comm, ok) || !run_job(&r, &st8, done, ckpt_dir, &key, seedset, &o, &stopped, &err)) {
        rc = stopped ? 3 : 2;
        /* A job that failed before its first checkpoint leaves nothing behind. */
        if (made && comm->rank == 0 && lstat(state_ini, &st) != 0)
            c2h_rmtree(ckpt_dir, NULL);
    }
    else if (comm->rank == 0 && !o.keep_ckpt && !c2h_rmtree(ckpt_dir, &err))
        rc = 2; /* the outputs are complete; the message names the folder left behind */
    job_state_clear(&st8);
    g_free(key.seeds_sha256);
    g_free(key.profile_sha256);
out:
    if (err != NULL) {
        /* A rank that failed reading says so itself; the others only agreed. */
        if (comm->rank == 0 || (rc == 2 && !same_everywhere))
            fprintf(stderr, "c2hunt run: error: %s\n", err->message);
        g_error_free(err);
    } else if (rc == 2 && comm->rank == 0) {
        fprintf(stderr, "c2hunt run: failed on another rank; no output written\n");
    }
    if (r.mine) g_array_free(r.mine, TRUE);
    if (r.skipped) g_array_free(r.skipped, TRUE);
    if (r.metrics) g_array_free(r.metrics, TRUE);
    if (r.c2) g_hash_table_destroy(r.c2);
    if (r.victims) g_hash_table_destroy(r.victims);
    if (r.controllers) g_hash_table_destroy(r.controllers);
    if (r.backends) g_hash_table_destroy(r.backends);
    if (r.scanners) g_hash_table_destroy(r.scanners);
    if (seedset) g_hash_table_destroy(seedset);
    if (seeds) g_array_free(seeds, TRUE);
    c2h_archive_free(r.a);
    c2h_profile_free(p);
    g_option_context_free(ctx);
    g_free(o.archive); g_free(o.seeds); g_free(o.out); g_free(o.profile); g_free(o.since_s); g_free(o.until_s);
    g_free(seeds_family);
    g_free(ckpt_dir);
    g_free(state_ini);
    g_free(o.customers);
    c2h_customers_free(o.cust);
    return rc;
}
