/* fuzzlib.h: what the libFuzzer targets (tests/fuzz/fuzz_*.c) share.
 *
 * The parsers take a path, so a target hands them its input as a file: an anonymous memory
 * file (memfd) opened again through its /proc/self/fd path, which leaves nothing behind when
 * a run crashes; or, for HDF5 (which resolves the path's symlinks and fails on a memfd), a
 * file in a folder of the process's own under $TMPDIR, removed at exit (tests/fuzz/run and
 * check.sh point TMPDIR into their work folder, so a crash leaves nothing elsewhere). Each target calls fz_init from LLVMFuzzerInitialize, and fz_begin_iteration
 * and fz_end_iteration around every input: the latter checks that no file descriptor opened
 * while the input ran is left open (libFuzzer itself opens some between inputs, for its
 * symbolizer, so the check cannot span inputs).
 *
 * GLib's log: a critical (g_return_if_fail, misuse of an API) or an error aborts, so the
 * fuzzer reports it; warnings and messages are dropped (libfixbuf warns a lot on bad input,
 * and the IPFIX reader takes those itself while it reads).
 */
#ifndef C2H_FUZZLIB_H
#define C2H_FUZZLIB_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

/* Set up the log handling. Call once, from LLVMFuzzerInitialize. */
void fz_init(void);

typedef struct fz_file fz_file;

/* A memory file named name (the name only shows in /proc; the path is /proc/self/fd/N).
 * @return the file; it lives as long as the process. Aborts when memfd_create fails. */
fz_file *fz_file_new(const char *name);
/* A file name in a new folder of this process under $TMPDIR (or /tmp); the file and
 * the folder are removed at exit. */
fz_file *fz_file_new_on_disk(const char *name);
/* Replace the file's content with data[0..size). @return its path (owned by f). */
const char *fz_file_set(fz_file *f, const uint8_t *data, size_t size);
/* The path of f, to open it again. */
const char *fz_file_path(const fz_file *f);

/* Hold a reference to the time zone name for the life of the process. GLib keeps a zone in
 * its cache while it is referenced, so the readers' c2h_tzconv_init finds it there instead
 * of parsing the zone file again for every input (a fifth of the time otherwise). */
void fz_keep_time_zone(const char *name);

/* A bad-row callback (c2h_bad_row_fn) that accepts *(guint *)ud more rows: it counts the
 * budget down and says stop when it is spent, as ingest's --max-bad does. */
gboolean fz_bad_row(void *ud, const char *file, guint64 line, const char *reason);

/* @return TRUE when a g_message of no domain reaches the default handler fz_init set, that
 * is, when no handler of a parser is left installed. */
gboolean fz_log_reaches_default(void);

/* Start of one input: note the lowest free file descriptor. */
void fz_begin_iteration(void);
/* End of one input: abort when a file descriptor was left open since fz_begin_iteration. */
void fz_end_iteration(void);

/* The check every failed call gets: err is set and has a message (else abort, naming what
 * failed). With C2H_FUZZ_VERBOSE set in the environment the message is printed, to see what
 * a parser says about an input: C2H_FUZZ_VERBOSE=1 build-fuzz/bin/fuzz_nfcsv FILE. */
void fz_check_error(const GError *err, const char *what);

/* Abort with a message: a property the target checks does not hold. */
void fz_fail(const char *fmt, ...) G_GNUC_PRINTF(1, 2) G_GNUC_NORETURN;

#endif
