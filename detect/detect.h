/* detect.h: the detection rules, as plain functions over edges and address sets. The MPI
 * driver (mpi/cmd_run.c) decides which rank holds which edges and merges what the ranks
 * find; every rule here sees only edges of vertices its caller owns, plus the small sets
 * (C2, victims, controllers) that every rank holds whole. The reasoning and every
 * threshold are in docs/ALGORITHM.md. */
#ifndef C2H_DETECT_H
#define C2H_DETECT_H

#include "detect/profile.h"
#include "partition/edges.h"

#include <glib.h>

typedef enum c2h_role {
    C2H_ROLE_NONE = 0,
    C2H_ROLE_BACKEND,
    C2H_ROLE_C2,
    C2H_ROLE_C2_PREDICTED,
    C2H_ROLE_CONTROLLER,
    C2H_ROLE_SCANNER,
    C2H_ROLE_VICTIM,
} c2h_role;

/* "backend", "c2", ... (the names of roles.csv). */
const char *c2h_role_name(c2h_role r);

/* One labeled host, as roles.csv and the report see it. Fixed size: it crosses MPI. */
typedef struct c2h_label {
    c2h_addr addr;
    int32_t role;       /* c2h_role */
    uint32_t count_a;   /* role-specific counts, see c2h_label_* below */
    uint32_t count_b;
    uint32_t ports;     /* port classes of the evidence */
    double score;       /* 0..1 */
    int64_t first_ms, last_ms;
    double fanout;      /* distinct hosts touched (controllers, scanners) or reaching it (backends) */
} c2h_label;
G_STATIC_ASSERT(sizeof(c2h_label) == 64);
/* count_a / count_b by role: victim: C2 beaconed to / beacon flows; c2: victims / beaconing
 * clients; controller and scanner: C2 touched / size of the C2 set; c2_predicted:
 * controllers touching / controllers; backend: C2 connecting / other clients. */

/* A beacon: repeated flows over time on the C2 ports, not one touch. */
static inline gboolean c2h_is_beacon(const c2h_edge *e, const c2h_profile *p)
{
    return (e->ports & C2H_PC_C2_MASK) && e->flows >= p->beacon_min_flows &&
           (guint)__builtin_popcount(e->hours) >= p->beacon_min_hours;
}

/* Persistent contact on any port: the same repetition as a beacon. */
static inline gboolean c2h_is_persistent(const c2h_edge *e, const c2h_profile *p)
{
    return e->flows >= p->beacon_min_flows && (guint)__builtin_popcount(e->hours) >= p->beacon_min_hours;
}

/* Round step 1: the sources of beacons into known C2. edges: C2-port edges into vertices
 * this caller owns. Adds to victims; @return how many were new. */
guint c2h_find_victims(const GArray *edges, GHashTable *c2, GHashTable *victims, const c2h_profile *p);

/* Round step 2: destinations that known victims beacon to, enough of them and making up
 * enough of the destination's beaconing clients (a busy service with ordinary clients fails
 * the share). In two steps, for beacon edges spread over ranks by pair (each pair on one
 * rank): each rank counts, per destination of its edges, the beaconing clients and the
 * victims among them; the destination's owner sums every rank's counts and judges. */
typedef struct c2h_c2_count {
    c2h_addr dst;
    uint32_t clients, victims;
} c2h_c2_count;
G_STATIC_ASSERT(sizeof(c2h_c2_count) == 24);
/* Appends a c2h_c2_count for each destination of edges_by_dst (sorted by dst) that is neither
 * C2 nor victim. */
void c2h_count_c2_clients(const GArray *edges_by_dst, GHashTable *c2, GHashTable *victims, const c2h_profile *p,
                          GArray *out);
/* Sorts counts by dst, sums each destination's, and appends to out the address (c2h_addr) of
 * each that has at least c2_min_victims victims, making up at least c2_min_victim_share of
 * its beaconing clients. */
void c2h_judge_c2_counts(GArray *counts, const c2h_profile *p, GArray *out);

/* Labels of the C2 set for the C2 whose C2-port edges the caller holds (sorted by dst):
 * victims and beaconing clients, ports and first/last beacon of its victims; score 1 for a
 * seed, else the victims' share. */
void c2h_label_c2_set(const GArray *edges_by_dst, GHashTable *c2, GHashTable *seeds, GHashTable *victims,
                      const c2h_profile *p, GArray *out);

/* Hosts (not C2) that touch many of the C2 set the way an operator does (admin ports or
 * ports outside the C2 and web ports): controller or scanner candidates. Victims are not
 * excluded (a controller may beacon to a C2 too); the driver lets controller win.
 * edges: (X, c) with c in the C2 set, sorted by src. Appends c2h_label with
 * role controller, count_a = C2 touched, count_b = n_c2; fanout still 0. */
void c2h_find_touchers(const GArray *edges_by_src, GHashTable *c2, guint n_c2, const c2h_profile *p, GArray *out);

/* Given its fan-out (distinct hosts it touched), a candidate stays a controller or
 * becomes a scanner: its C2 share of all it touched must reach the profile's specificity. */
void c2h_judge_toucher(c2h_label *l, double fanout, const c2h_profile *p);

/* Hosts that several C2 connect out to (backend_min_c2), or that one C2 connects to
 * persistently: backend candidates. edges: (c, Y) sorted by dst.
 * Appends c2h_label role backend with count_a = C2 connecting. */
void c2h_find_backend_candidates(const GArray *edges_by_dst, GHashTable *c2, GHashTable *victims,
                                 const c2h_profile *p, GArray *out);
/* With the candidate's fan-in (distinct sources), keep it as backend or drop it (role NONE):
 * at most backend_max_others other sources, none at all for a single-C2 candidate. */
void c2h_judge_backend(c2h_label *l, double fanin, const c2h_profile *p);

/* Hosts that controllers touch the way they touch C2 (C2 or admin ports): at least
 * predicted_min_controllers of them, or one persistently (c2h_is_persistent); not C2,
 * and that no victim beacons to yet. edges: (k, Y) with k a controller, sorted by dst;
 * beacon_edges: this caller's C2-port edges (to look for victim traffic into Y), sorted by dst.
 * Appends c2h_label role c2_predicted. */
void c2h_find_predicted(const GArray *edges_by_dst, GHashTable *c2, GHashTable *victims, GHashTable *controllers,
                        const GArray *beacon_edges_by_dst, const c2h_profile *p, GArray *out);

/* With the candidate's fan-in from hosts other than controllers and scanners, keep it as
 * c2_predicted or drop it (role NONE): a staged router is reached by few others, a popular
 * SSH server that a controller also logs in to by many. */
void c2h_judge_predicted(c2h_label *l, double fanin_others, const c2h_profile *p);

/* Sort labels by role name, then address: the order of roles.csv. */
int c2h_label_cmp(const void *a, const void *b);

#endif
