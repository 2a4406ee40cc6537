/* comm.h: the little of MPI that c2hunt's subcommands need, behind one handle, so the
 * code above it reads as plain C and the detection logic never sees MPI.
 *
 * Every collective here is called by all ranks. c2h_comm_agree() is the one to call
 * before any other collective that depends on local success: it ORs the failure flags
 * so one rank's bad shard gives every rank the same clean exit instead of a hang.
 */
#ifndef C2H_COMM_H
#define C2H_COMM_H

#include <glib.h>
#include <stdint.h>

typedef struct c2h_comm {
    int rank;
    int size;
} c2h_comm;

/* MPI_Init (works without mpirun: one rank). */
void c2h_comm_init(c2h_comm *c, int *argc, char ***argv);
void c2h_comm_finalize(c2h_comm *c);
/* @return TRUE when every rank passed ok = TRUE. */
gboolean c2h_comm_agree(const c2h_comm *c, gboolean ok);
void c2h_comm_barrier(const c2h_comm *c);
/* Broadcast a string from rank 0; on other ranks *s is replaced (g_free'd, then owned). */
void c2h_comm_bcast_str(const c2h_comm *c, char **s);
uint64_t c2h_comm_sum_u64(const c2h_comm *c, uint64_t v);
int64_t c2h_comm_min_i64(const c2h_comm *c, int64_t v);
int64_t c2h_comm_max_i64(const c2h_comm *c, int64_t v);
double c2h_comm_max_f64(const c2h_comm *c, double v);
/* A non-blocking element-wise max of a few flag bytes over all ranks: start it, keep working,
 * wait for it later (every rank starts and waits the same operations in the same order). */
typedef struct c2h_flags_op {
    guint8 v[8];
    int n;
    gpointer req; /* MPI_Request, while started */
} c2h_flags_op;
void c2h_flags_start(const c2h_comm *c, c2h_flags_op *op, const guint8 *v, int n);
/* Wait for op; the max over all ranks goes to v[0..n). */
void c2h_flags_wait(c2h_flags_op *op, guint8 *v);

/* Abort every rank (for a failure that cannot be agreed on). */
G_NORETURN void c2h_comm_abort(const c2h_comm *c, int code);

/* Peak resident memory of this process in bytes (VmHWM). */
uint64_t c2h_peak_rss(void);

#endif
