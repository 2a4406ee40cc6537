/* customers.h: which customer a host belongs to, from a CSV of `cidr,customer` lines
 * (header optional, '#' comments), IPv4 and IPv6 CIDRs; the longest prefix wins. */
#ifndef C2H_CUSTOMERS_H
#define C2H_CUSTOMERS_H

#include "io/flow.h"

#include <glib.h>

typedef struct c2h_customer {
    c2h_addr net;       /* network address, host bits zero; IPv4 as ::ffff:a.b.c.d */
    guint8 prefix_len;  /* in the 128-bit space: an IPv4 /24 is 96 + 24 = 120 */
    char *name;
} c2h_customer;

/* Read path. @return a GArray of c2h_customer (the caller frees with c2h_customers_free),
 * sorted by prefix length, longest first, then by network (c2h_customer_of relies on this
 * order), or NULL with err naming the file, the line and what is wrong (an invalid CIDR, a
 * missing name, the same network twice). */
GArray *c2h_customers_load(const char *path, GError **err);
void c2h_customers_free(GArray *customers); /* accepts NULL */
/* The customer of a (longest matching prefix), or NULL. */
const c2h_customer *c2h_customer_of(const GArray *customers, const c2h_addr *a);

#endif
