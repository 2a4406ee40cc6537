/* main.c: c2hunt's entry point: one binary, subcommands. */
#include "io/shard.h"
#include "mpi/cmds.h"

#include <stdio.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

typedef struct c2h_subcommand {
    const char *name;
    int (*run)(int argc, char **argv, const c2h_comm *comm);
    const char *summary;
} c2h_subcommand;

static const c2h_subcommand subcommands[] = {
    {"ingest", c2h_cmd_ingest, "turn nfcapd files or nfdump CSV into an archive of HDF5 shards"},
    {"gen", c2h_cmd_gen, "generate a synthetic archive with a planted botnet, its truth and seeds"},
    {"run", c2h_cmd_run, "the MPI job: map C2, controllers, staged C2, backends and scanners from seeds"},
    {"inspect", c2h_cmd_inspect, "describe an archive: shards, rows, time span, families, compression"},
    {"diff", c2h_cmd_diff, "what appeared, went away or changed role between two runs' roles.csv"},
};

static void usage(FILE *out)
{
    fprintf(out, "Usage: c2hunt SUBCOMMAND [OPTION...]\n\n"
                 "Map a botnet's command-and-control infrastructure from NetFlow, on one machine or an MPI cluster.\n\n"
                 "Subcommands:\n");
    for (size_t i = 0; i < G_N_ELEMENTS(subcommands); i++)
        fprintf(out, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
    fprintf(out, "\n'c2hunt SUBCOMMAND --help' gives the options of each.\n"
                 "Exit codes: 0 done, 1 usage error, 2 bad input or failed write.\n");
}

void c2h_report_error(const c2h_comm *comm, const char *cmd, const GError *err)
{
    if (comm->rank == 0 && err != NULL)
        fprintf(stderr, "c2hunt %s: error: %s\n", cmd, err->message);
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("c2hunt 0.1.0 (archive schema %d)\n", C2H_SCHEMA_VERSION);
        return 0;
    }
    const c2h_subcommand *sc = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(subcommands); i++)
        if (strcmp(argv[1], subcommands[i].name) == 0)
            sc = &subcommands[i];
    if (sc == NULL) {
        fprintf(stderr, "c2hunt: unknown subcommand '%s'\n\n", argv[1]);
        usage(stderr);
        return 1;
    }
#ifdef __GLIBC__
    /* Large blocks (sorted copies, exchange buffers) are mapped and given back when freed.
     * Left to itself glibc raises this threshold after the first such free and serves them
     * from the heap, where a job that fills and empties its sets many times (pass 1 on a big
     * archive) leaves its peak memory fragmented: measured 10 MiB more per rank. The threshold
     * is 1 MiB, not lower: HDF5 allocates and frees a table of about 0.5 MiB at every file
     * open and close (its metadata cache), and mapping that afresh for every shard of every
     * pass cost page faults and zeroing (bench/peers, large: about 0.4 s of 9). */
    mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
#endif
    c2h_comm comm;
    c2h_comm_init(&comm, &argc, &argv);
    int rc = sc->run(argc - 1, argv + 1, &comm);
    c2h_comm_finalize(&comm);
    return rc;
}
