/* incidents.h: the result per customer, from the customer map of --customers (io/customers.h):
 * which customers have infected hosts (victims), which hosts, the C2 they beaconed to, and
 * when. This is how a SOC reports "seven incidents": one per customer.
 *
 * incidents.csv has the header
 *     customer,infected_hosts,hosts,c2,first_seen,last_seen
 * one row per customer name with at least one victim (a customer with several networks is
 * one row), sorted by customer name (byte order); hosts and c2 are space-separated
 * addresses in address order; first_seen and last_seen are the earliest first and the
 * latest last seen of its victims (ISO 8601 UTC). Fields are quoted as RFC 4180 says when
 * they hold a comma, a quote or a line break. docs/OUTPUTS.md, section incidents.csv. */
#ifndef C2H_INCIDENTS_H
#define C2H_INCIDENTS_H

#include "report/result.h"

#include <glib.h>

/* incidents.csv. @return the file (caller frees), or NULL when r->customers is NULL (no
 * --customers: the file is not written). */
GString *c2h_incidents_csv(const c2h_result *r);

/* The same as an HTML fragment for the report: a <section id="incidents"> with a heading, a
 * summary sentence (customers with infected hosts, infected hosts, victims outside every
 * customer network) and a table with the columns of incidents.csv (hosts in a <details>).
 * Every string from the data is HTML-escaped. @return the fragment (caller frees), or NULL
 * when r->customers is NULL. */
GString *c2h_incidents_html(const c2h_result *r);

#endif
