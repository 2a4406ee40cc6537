/* profile.h: the ports and thresholds of one malware family. `trickbot` is built in;
 * others are read from a GKeyFile (see docs/ALGORITHM.md for every key). */
#ifndef C2H_PROFILE_H
#define C2H_PROFILE_H

#include <glib.h>
#include <stdint.h>

#define C2H_MAX_PORTS 16

/* Port classes, one bit each in an edge's `ports`: the profile's C2 ports take bits 0..15,
 * its web ports 16..23, its admin ports 24..30, anything else bit 31. */
#define C2H_PC_C2_SHIFT 0
#define C2H_PC_WEB_SHIFT 16
#define C2H_PC_ADMIN_SHIFT 24
#define C2H_PC_OTHER (1u << 31)
#define C2H_PC_C2_MASK 0x0000ffffu
#define C2H_PC_WEB_MASK 0x00ff0000u
#define C2H_PC_ADMIN_MASK 0x7f000000u

typedef struct c2h_profile {
    char *name;
    guint16 c2_ports[C2H_MAX_PORTS];   /* where victims beacon (TCP) */
    guint n_c2_ports;
    guint16 web_ports[8];              /* HTTP/HTTPS: evidence, never discovery */
    guint n_web_ports;
    guint16 admin_ports[7];            /* how operators reach routers: SSH, Telnet, Winbox */
    guint n_admin_ports;

    guint beacon_min_flows;            /* a beacon: at least this many flows ... */
    guint beacon_min_hours;            /* ... in at least this many distinct hours */
    guint c2_min_victims;              /* a new C2: at least this many known victims beacon to it ... */
    double c2_min_victim_share;        /* ... and they are at least this share of its beaconing clients */
    guint max_rounds;                  /* victim/C2 rounds before giving up on a fixed point */

    guint controller_min_c2;           /* a controller candidate touches at least this many C2 ... */
    double controller_min_c2_share;    /* ... and at least this share of the C2 set */
    double controller_min_specificity; /* C2 touched / all distinct hosts touched, else scanner */
    guint predicted_min_controllers;   /* c2_predicted: touched by this many controllers (or one persistently) */
    guint predicted_max_others;        /* ... and reached by at most this many hosts besides controllers and scanners */
    guint backend_min_c2;              /* a backend: at least this many C2 connect out to it ... */
    guint backend_max_others;          /* ... and at most this many other hosts reach it */

    guint64 exchange_round_edges;      /* edges a rank sends per all-to-all round */
    guint64 fanout_edge_cap;           /* edges kept per controller candidate on a rank */
    guint64 likely_touchers;           /* hosts pass 2 sketches ahead of pass 3 (0: none) */

    uint32_t *port_class;              /* 65536 entries: port -> class bit (TCP/UDP dport) */
} c2h_profile;

/* The built-in trickbot profile. @return a profile the caller frees. */
c2h_profile *c2h_profile_trickbot(void);
/* "trickbot" or a GKeyFile path. @return NULL with err naming the file, group and key. */
c2h_profile *c2h_profile_load(const char *name_or_path, GError **err);
void c2h_profile_free(c2h_profile *p); /* accepts NULL */

static inline uint32_t c2h_profile_port_class(const c2h_profile *p, uint16_t port)
{
    return p->port_class[port];
}

/* The profile as GKeyFile text (for the report and for writing one's own). Caller frees. */
char *c2h_profile_to_data(const c2h_profile *p);

#endif
