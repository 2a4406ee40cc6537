/* nfcsv.h: nfdump 1.7's "-o csv" text, read (as a flowsrc, see flowsrc.h) and written.
 *
 * The header nfdump 1.7.1 prints:
 *   ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,
 *   nh,nhb,svln,dvln,ismc,odmc,idmc,osmc,mpls1..mpls10,cl,sl,al,ra,eng,exid,tr
 * ts and te are local times of nfdump's zone with no offset ("2018-01-12 15:37:30"),
 * td the duration in seconds with three decimals, pr a name ("TCP") or a number, flg
 * eight characters "CEUAPRSF" with '.' for a clear bit. nfdump may append a Summary block.
 */
#ifndef C2H_NFCSV_H
#define C2H_NFCSV_H

#include "io/flow.h"

#include <glib.h>

/* Append nfdump 1.7.1's csv header line (with '\n') to out. */
void c2h_nfcsv_append_header(GString *out);
/* Append one flow as nfdump 1.7.1 prints it with -o csv, times in UTC, to out.
 * ts is start_ms in whole seconds, td is (end_ms - start_ms) / 1000 with three decimals. */
void c2h_nfcsv_append_flow(GString *out, const c2h_flow *f);

/* io/-internal, for nfcapd.c: the same reader over another byte source. read fills buf
 * with up to len bytes and returns the count, 0 at the end, -1 with err set. header is the
 * column line when the text has none (nfdump -q); a column "tsr" (seconds since the epoch,
 * with ms) may stand for ts. The source does not own ud. @return NULL with err set. */
typedef gssize (*c2h_nfcsv_read_fn)(void *ud, char *buf, gsize len, GError **err);
struct c2h_flowsrc_opts;
struct c2h_flowsrc *c2h_nfcsv_open_reader(const char *name, const char *header, c2h_nfcsv_read_fn read, void *ud,
                                          const struct c2h_flowsrc_opts *opts, GError **err);

#endif
