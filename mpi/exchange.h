/* exchange.h: moving fixed-size records between ranks.
 *
 * c2h_exchange sends every record to the rank that owns it in bounded rounds: each round a
 * rank sends at most round_cap records (round_cap / P to each destination), counts go
 * first with MPI_Alltoall, the records with MPI_Alltoallv, and the loop ends when an
 * MPI_Allreduce says every rank is drained. Received records are handed to a sink at once,
 * so no rank ever holds more than one round of incoming records besides its own state. */
#ifndef C2H_EXCHANGE_H
#define C2H_EXCHANGE_H

#include "mpi/comm.h"

#include <glib.h>

typedef struct c2h_xstats {
    guint64 records_sent;
    guint64 bytes_sent;     /* to other ranks */
    guint64 rounds;
} c2h_xstats;

/* @return the owning rank of record rec. */
typedef int (*c2h_owner_fn)(const void *rec, int nranks);
/* Take n received records (valid only during the call). */
typedef void (*c2h_sink_fn)(const void *recs, gsize n, void *ud);

void c2h_exchange(const c2h_comm *comm, const void *recs, gsize n, gsize rec_size, c2h_owner_fn owner,
                  guint64 round_cap, c2h_sink_fn sink, void *ud, c2h_xstats *st);

/* Every rank gets every rank's records, in rank order, appended to out (element size rec_size). */
void c2h_allgather(const c2h_comm *comm, const void *recs, gsize n, gsize rec_size, GArray *out, c2h_xstats *st);

/* Element-wise max of n bytes over all ranks, in place (HyperLogLog registers). */
void c2h_allreduce_max_u8(const c2h_comm *comm, guint8 *v, gsize n);

#endif
