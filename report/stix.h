/* stix.h: stix.json, the result as a STIX 2.1 bundle for threat-intelligence platforms.
 *
 * One infrastructure object for the botnet (infrastructure_types botnet and
 * command-and-control), one indicator per c2, c2_predicted and controller (pattern on its
 * address), and one `indicates` relationship from each indicator to the infrastructure.
 * Confidence follows the score (c2_predicted always below c2 and controllers). The file is
 * reproducible: ids are name-based UUIDs (version 5) of the role and the address, and every
 * created/modified time is the time the result speaks for (c2h_stix_time). The mapping is
 * documented in docs/OUTPUTS.md, section stix.json. */
#ifndef C2H_STIX_H
#define C2H_STIX_H

#include "report/result.h"

#include <glib.h>

/* The namespace of every c2hunt STIX id: UUIDv5 of the nil UUID and "c2hunt STIX 2.1",
 * that is 0d659598-5e70-5936-9edc-6a512a0a0af5. */
extern const guint8 c2h_stix_namespace[16];

/* RFC 4122 section 4.3 name-based UUID (SHA-1, version 5) of name in namespace ns, written
 * as 36 characters and a NUL into out. */
void c2h_uuid5(const guint8 ns[16], const char *name, char out[37]);

/* The time the result speaks for, in ms: --until when it was given, else the latest last
 * seen of any label, else --since, else 0. Used for created, modified, and valid_from of
 * hosts without a first-seen time. */
gint64 c2h_stix_time(const c2h_result *r);

/* Confidence 0..100 of a label: c2 and controller 50 + 50 x score, c2_predicted
 * 10 + 35 x score (at most 45), rounded; 0 for other roles. */
int c2h_stix_confidence(const c2h_label *l);

/* stix.json. @return the bundle (caller frees). */
GString *c2h_stix_json(const c2h_result *r);

#endif
