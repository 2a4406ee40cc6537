/* gen.h: the scenario generator: synthetic NetFlow with a planted TrickBot-like botnet,
 * its truth and its seed C2. Plain C, no MPI (the front end is mpi/cmd_gen.c).
 *
 * Use: fill a c2h_gen_config (c2h_gen_config_init), make a plan (c2h_gen_plan_new: the
 * hosts, life cycles and victim schedules, all drawn from the seed; small, and the same
 * on every rank), then ask for the flows of any hour (c2h_gen_hour). The flows of an hour
 * depend only on the config and the hour, never on which other hours were generated or
 * in what order, so ranks can split the hours between them. The scenario and every
 * parameter range are described at the top of gen/gen.c.
 */
#ifndef C2H_GEN_H
#define C2H_GEN_H

#include "io/flow.h"

#include <glib.h>
#include <stdint.h>

#define C2H_GEN_DEFAULT_START "2026-01-05T00:00:00Z"
#define C2H_GEN_MAX_DAYS 366
#define C2H_GEN_TRUTH_FILE "truth.csv"
#define C2H_GEN_SEEDS_FILE "seeds.txt"
/* Time value of an empty truth cell. */
#define C2H_GEN_NO_TIME INT64_MIN

typedef enum c2h_gen_preset { C2H_GEN_SMALL, C2H_GEN_MEDIUM, C2H_GEN_LARGE } c2h_gen_preset;

typedef struct c2h_gen_config {
    c2h_gen_preset preset;
    guint64 seed;
    guint64 flows;   /* about this many flows in all; the background takes up the slack */
    guint days;      /* span in days, 1 .. C2H_GEN_MAX_DAYS */
    gint64 start_ms; /* first instant of the span, whole seconds, UTC */
} c2h_gen_config;

/* @return TRUE and *out for "small", "medium", "large". */
gboolean c2h_gen_preset_parse(const char *name, c2h_gen_preset *out);
const char *c2h_gen_preset_name(c2h_gen_preset p);
/* Fill cfg with the preset's defaults (flows, days, C2H_GEN_DEFAULT_START) and seed. */
void c2h_gen_config_init(c2h_gen_config *cfg, c2h_gen_preset preset, guint64 seed);

typedef struct c2h_gen_plan c2h_gen_plan;

/* Plan the scenario of cfg. @return a plan the caller frees with c2h_gen_plan_free, or NULL
 * with err (C2H_ERROR_INPUT) when cfg is out of range. */
c2h_gen_plan *c2h_gen_plan_new(const c2h_gen_config *cfg, GError **err);
void c2h_gen_plan_free(c2h_gen_plan *p); /* accepts NULL */
const c2h_gen_config *c2h_gen_plan_config(const c2h_gen_plan *p);
/* Hours in the span (days * 24). */
guint c2h_gen_plan_hours(const c2h_gen_plan *p);

/* Append to out (a GArray of c2h_flow) every flow whose start lies in hour h of the span,
 * sorted by start time. Start times are whole seconds. @return FALSE with err when h is
 * out of range. */
gboolean c2h_gen_hour(const c2h_gen_plan *p, guint h, GArray *out, GError **err);

/* The contiguous block [*h0, *h1) of the hours that rank of size generates. */
void c2h_gen_hours_of_rank(guint hours, int rank, int size, guint *h0, guint *h1);

typedef enum c2h_gen_role {
    C2H_ROLE_VICTIM,
    C2H_ROLE_C2,
    C2H_ROLE_C2_PREDICTED,
    C2H_ROLE_CONTROLLER,
    C2H_ROLE_BACKEND,
    C2H_ROLE_SCANNER,
    C2H_ROLE_BENIGN,
    C2H_NROLES
} c2h_gen_role;

/* "victim", "c2", ... as in truth.csv. */
const char *c2h_gen_role_name(c2h_gen_role r);

/* One line of truth.csv. Times are ms since the epoch or C2H_GEN_NO_TIME.
 *   victim:       t_active first beacon, t_down cleaned up (no beacon from then on)
 *   c2:           t_stage first controller contact, t_active first victim contact,
 *                 t_down end of all botnet traffic to and from it (scanners may still knock)
 *   c2_predicted: staged (t_stage) but no victim before the span ends; t_down when abandoned
 *   others:       no times */
typedef struct c2h_gen_truth_row {
    c2h_addr ip;
    c2h_gen_role role;
    gint64 t_stage_ms, t_active_ms, t_down_ms;
} c2h_gen_truth_row;

/* @return the truth rows, sorted by role then address (caller frees with g_array_unref). */
GArray *c2h_gen_truth(const c2h_gen_plan *p);
/* @return the seed C2 (two or three C2 active early), a GArray of c2h_addr the caller frees. */
GArray *c2h_gen_seeds(const c2h_gen_plan *p);
/* Append truth.csv ("ip,role,t_stage,t_active,t_down", ISO 8601 UTC or empty) to out. */
void c2h_gen_append_truth_csv(const c2h_gen_plan *p, GString *out);
/* Append seeds.txt ('#' comment header, then one address a line) to out. */
void c2h_gen_append_seeds(const c2h_gen_plan *p, GString *out);
/* Write truth.csv, seeds.txt and customers.csv (`cidr,customer`: the customer networks, as
 * `c2hunt run --customers` reads them) into the folder dir. @return FALSE with err naming the file. */
gboolean c2h_gen_write_truth(const c2h_gen_plan *p, const char *dir, GError **err);

#endif
