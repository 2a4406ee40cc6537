/* cmds.h: the subcommands of c2hunt. Each parses its own options (GOptionContext),
 * runs on every rank of comm, and returns the process exit code:
 * 0 success, 1 usage error, 2 bad input or a failed write. */
#ifndef C2H_CMDS_H
#define C2H_CMDS_H

#include "mpi/comm.h"

int c2h_cmd_ingest(int argc, char **argv, const c2h_comm *comm);
int c2h_cmd_gen(int argc, char **argv, const c2h_comm *comm);
int c2h_cmd_inspect(int argc, char **argv, const c2h_comm *comm);
int c2h_cmd_run(int argc, char **argv, const c2h_comm *comm);
int c2h_cmd_diff(int argc, char **argv, const c2h_comm *comm);

/* Print a message for err on rank 0 only ("c2hunt CMD: message"). */
void c2h_report_error(const c2h_comm *comm, const char *cmd, const GError *err);

#endif
