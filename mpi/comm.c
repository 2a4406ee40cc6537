/* comm.c: MPI behind c2h_comm. */
#include "mpi/comm.h"

#include <glib.h>
#include <mpi.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* When every rank of the job runs on this node (mpirun says so: the job's size equals the
 * node's; or a process started without any launcher), shared memory is the only transport
 * the job needs. Unless the user chose otherwise, ask Open MPI for it (pml ob1, btl self and
 * vader) instead of letting MPI_Init probe UCX and the network: an empty MPI program under
 * `mpirun -np 2` here took 0.39 s with the probes, 0.14 s without. A job across nodes (or
 * started by srun, which does not say) is left to Open MPI's own choice. */
static void single_node_transport(void)
{
    const char *size = getenv("OMPI_COMM_WORLD_SIZE"), *local = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    gboolean alone = size == NULL && getenv("PMIX_RANK") == NULL && getenv("PMI_RANK") == NULL &&
                     getenv("SLURM_PROCID") == NULL;
    if (!(size != NULL && local != NULL && strcmp(size, local) == 0) && !alone)
        return;
    if (getenv("OMPI_MCA_pml") == NULL && getenv("OMPI_MCA_btl") == NULL) {
        g_setenv("OMPI_MCA_pml", "ob1", FALSE);
        g_setenv("OMPI_MCA_btl", "self,vader", FALSE);
    }
    g_setenv("OMPI_MCA_osc", "^ucx", FALSE);
}

void c2h_comm_init(c2h_comm *c, int *argc, char ***argv)
{
    int inited = 0;
    MPI_Initialized(&inited);
    if (!inited) {
        single_node_transport();
        MPI_Init(argc, argv);
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &c->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &c->size);
}

void c2h_comm_finalize(c2h_comm *c)
{
    (void)c;
    int fin = 0;
    MPI_Finalized(&fin);
    if (!fin)
        MPI_Finalize();
}

gboolean c2h_comm_agree(const c2h_comm *c, gboolean ok)
{
    (void)c;
    int bad = ok ? 0 : 1, any = 0;
    MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
    return any == 0;
}

void c2h_comm_barrier(const c2h_comm *c)
{
    (void)c;
    MPI_Barrier(MPI_COMM_WORLD);
}

void c2h_comm_bcast_str(const c2h_comm *c, char **s)
{
    long long len = 0;
    if (c->rank == 0)
        len = *s ? (long long)strlen(*s) + 1 : 0;
    MPI_Bcast(&len, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
    if (c->rank != 0) {
        g_free(*s);
        *s = len ? g_malloc((gsize)len) : NULL;
    }
    if (len > 0) {
        g_assert(len < G_MAXINT);
        MPI_Bcast(*s, (int)len, MPI_CHAR, 0, MPI_COMM_WORLD);
    }
}

uint64_t c2h_comm_sum_u64(const c2h_comm *c, uint64_t v)
{
    (void)c;
    uint64_t r = 0;
    MPI_Allreduce(&v, &r, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    return r;
}

int64_t c2h_comm_min_i64(const c2h_comm *c, int64_t v)
{
    (void)c;
    int64_t r = 0;
    MPI_Allreduce(&v, &r, 1, MPI_INT64_T, MPI_MIN, MPI_COMM_WORLD);
    return r;
}

int64_t c2h_comm_max_i64(const c2h_comm *c, int64_t v)
{
    (void)c;
    int64_t r = 0;
    MPI_Allreduce(&v, &r, 1, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD);
    return r;
}

double c2h_comm_max_f64(const c2h_comm *c, double v)
{
    (void)c;
    double r = 0;
    MPI_Allreduce(&v, &r, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return r;
}

void c2h_comm_abort(const c2h_comm *c, int code)
{
    (void)c;
    MPI_Abort(MPI_COMM_WORLD, code);
    _exit(code);
}

uint64_t c2h_peak_rss(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    uint64_t kb = 0;
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %lu kB", &kb) == 1)
            break;
    fclose(f);
    return kb * 1024;
}

void c2h_flags_start(const c2h_comm *c, c2h_flags_op *op, const guint8 *v, int n)
{
    g_assert(n > 0 && n <= (int)sizeof op->v && op->req == NULL);
    memcpy(op->v, v, (size_t)n);
    op->n = n;
    MPI_Request *req = g_new(MPI_Request, 1);
    if (c->size == 1)
        *req = MPI_REQUEST_NULL; /* the max over one rank: nothing to wait for */
    else
        MPI_Iallreduce(MPI_IN_PLACE, op->v, n, MPI_UINT8_T, MPI_MAX, MPI_COMM_WORLD, req);
    op->req = req;
}

void c2h_flags_wait(c2h_flags_op *op, guint8 *v)
{
    g_assert(op->req != NULL);
    MPI_Wait(op->req, MPI_STATUS_IGNORE);
    g_free(op->req);
    op->req = NULL;
    memcpy(v, op->v, (size_t)op->n);
}
