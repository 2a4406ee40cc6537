/* exchange.c: bounded all-to-all rounds and allgather of fixed-size records. */
#include "mpi/exchange.h"

#include <limits.h>
#include <mpi.h>
#include <string.h>

/* MPI-3 counts are int: every byte count we pass is checked against this. */
static int to_count(guint64 bytes)
{
    g_assert(bytes <= INT_MAX);
    return (int)bytes;
}

void c2h_exchange(const c2h_comm *comm, const void *recs, gsize n, gsize rec_size, c2h_owner_fn owner,
                  guint64 round_cap, c2h_sink_fn sink, void *ud, c2h_xstats *st)
{
    const int P = comm->size;
    const char *base = recs;
    /* Counting sort of record indices by owner. */
    gsize *start = g_new0(gsize, P + 1);
    int *own = g_new(int, n ? n : 1);
    for (gsize i = 0; i < n; i++) {
        own[i] = owner(base + i * rec_size, P);
        start[own[i] + 1]++;
    }
    for (int r = 0; r < P; r++)
        start[r + 1] += start[r];
    gsize *order = g_new(gsize, n ? n : 1);
    gsize *fill = g_memdup2(start, sizeof(gsize) * (P + 1));
    for (gsize i = 0; i < n; i++)
        order[fill[own[i]]++] = i;
    g_free(fill);
    g_free(own);

    guint64 per_dest = MAX(round_cap / (guint64)P, 1);
    g_assert(per_dest * rec_size * (guint64)P <= INT_MAX);
    gsize *next = g_memdup2(start, sizeof(gsize) * (P + 1));
    int *scount = g_new(int, P), *sdisp = g_new(int, P), *rcount = g_new(int, P), *rdisp = g_new(int, P);
    char *sbuf = g_malloc(per_dest * rec_size * P);
    char *rbuf = NULL;
    gsize rbuf_size = 0;

    for (;;) {
        guint64 left = 0;
        for (int r = 0; r < P; r++)
            left += start[r + 1] - next[r];
        guint64 all_left = c2h_comm_sum_u64(comm, left);
        if (all_left == 0)
            break;
        /* Pack this round. */
        gsize off = 0;
        for (int r = 0; r < P; r++) {
            gsize take = MIN((gsize)per_dest, start[r + 1] - next[r]);
            sdisp[r] = to_count(off * rec_size);
            scount[r] = to_count(take * rec_size);
            for (gsize k = 0; k < take; k++)
                memcpy(sbuf + (off + k) * rec_size, base + order[next[r] + k] * rec_size, rec_size);
            next[r] += take;
            off += take;
            if (r != comm->rank && st) {
                st->records_sent += take;
                st->bytes_sent += take * rec_size;
            }
        }
        MPI_Alltoall(scount, 1, MPI_INT, rcount, 1, MPI_INT, MPI_COMM_WORLD);
        guint64 rtotal = 0;
        for (int r = 0; r < P; r++) {
            rdisp[r] = to_count(rtotal);
            rtotal += (guint64)rcount[r];
        }
        if (rtotal > rbuf_size) {
            g_free(rbuf);
            rbuf_size = rtotal;
            rbuf = g_malloc(rbuf_size);
        }
        MPI_Alltoallv(sbuf, scount, sdisp, MPI_BYTE, rbuf, rcount, rdisp, MPI_BYTE, MPI_COMM_WORLD);
        if (rtotal > 0)
            sink(rbuf, rtotal / rec_size, ud);
        if (st)
            st->rounds++;
    }
    g_free(rbuf);
    g_free(sbuf);
    g_free(scount);
    g_free(sdisp);
    g_free(rcount);
    g_free(rdisp);
    g_free(next);
    g_free(order);
    g_free(start);
}

void c2h_allgather(const c2h_comm *comm, const void *recs, gsize n, gsize rec_size, GArray *out, c2h_xstats *st)
{
    const int P = comm->size;
    int mine = to_count((guint64)n * rec_size);
    int *counts = g_new(int, P), *disp = g_new(int, P);
    MPI_Allgather(&mine, 1, MPI_INT, counts, 1, MPI_INT, MPI_COMM_WORLD);
    guint64 total = 0;
    for (int r = 0; r < P; r++) {
        disp[r] = to_count(total);
        total += (guint64)counts[r];
    }
    to_count(total);
    guint old = out->len;
    g_array_set_size(out, old + (guint)(total / rec_size));
    /* out->data is NULL while out is empty: no pointer arithmetic on it then */
    void *dst = out->len ? out->data + (gsize)old * rec_size : NULL;
    MPI_Allgatherv(recs, mine, MPI_BYTE, dst, counts, disp, MPI_BYTE, MPI_COMM_WORLD);
    if (st)
        st->bytes_sent += (guint64)mine * (guint64)(P - 1);
    g_free(counts);
    g_free(disp);
}

void c2h_allreduce_max_u8(const c2h_comm *comm, guint8 *v, gsize n)
{
    (void)comm;
    for (gsize off = 0; off < n;) {
        int k = (int)MIN(n - off, (gsize)(1 << 30));
        MPI_Allreduce(MPI_IN_PLACE, v + off, k, MPI_UINT8_T, MPI_MAX, MPI_COMM_WORLD);
        off += (gsize)k;
    }
}
