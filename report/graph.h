/* graph.h: the relationship graph of a result, as graph.dot, graph.graphml and graph.svg.
 *
 *   controllers ──> C2 ──> victims          (beacons: victims -> C2, drawn C2 -> victims)
 *        ╎           └──> backends          (the C2 proxy to them)
 *        └╌╌╌╌╌╌> c2_predicted              (staged by those controllers, dashed)
 *   scanners: grey, at the side, a count of the C2 they touched instead of edges
 *
 * The graph stays bounded whatever the number of victims: with more than
 * C2H_GRAPH_VICTIMS_ONE_BY_ONE victims, a C2's victims are drawn one by one only when it has
 * at most C2H_GRAPH_VICTIMS_PER_C2_ALONE of them; otherwise they are grouped into at most
 * C2H_GRAPH_VICTIM_NODES / (number of C2) nodes per C2 (at least 1, at most
 * C2H_GRAPH_GROUPS_PER_C2_MAX): per customer (result->customers, longest prefix) or per
 * network, /24, or /16 when the /24 groups do not fit (IPv6 /48, /32), the smallest groups
 * merged into one "more" node when even that does not fit (all of them when there is room
 * for two nodes or fewer). A group of one is the victim.
 * At most C2H_GRAPH_SCANNERS scanners are drawn, the rest as one node.
 * Nodes: C2, c2_predicted, controllers, backends, bounded victims, bounded scanners.
 *
 * One model (c2h_graph) feeds the three files, so they hold the same nodes and edges:
 * graph.dot is the text Graphviz lays out for graph.svg (`dot -Tsvg graph.dot` redraws it:
 * its layout attribute names the engine, dot or sfdp, see c2h_graph.engine);
 * graph.graphml carries every node's role, score, first/last seen and counts as attributes. */
#ifndef C2H_GRAPH_H
#define C2H_GRAPH_H

#include "report/result.h"

#include <glib.h>

#define C2H_GRAPH_VICTIMS_ONE_BY_ONE 40   /* up to this many victims in all: one node each */
#define C2H_GRAPH_VICTIMS_PER_C2_ALONE 3  /* else a C2 with up to this many: one node each */
#define C2H_GRAPH_VICTIM_NODES 150        /* else the victim nodes' budget, shared by the C2 */
#define C2H_GRAPH_GROUPS_PER_C2_MAX 6
#define C2H_GRAPH_SCANNERS 12
#define C2H_GRAPH_DOT_COLUMN 50           /* "dot" layout up to this many victim and backend nodes */

typedef enum c2h_gnode_kind {
    C2H_GNODE_HOST,  /* one labeled host */
    C2H_GNODE_GROUP, /* victims of one C2 in one customer or network */
    C2H_GNODE_MORE,  /* the rest: victims of one C2 in several networks, or scanners */
} c2h_gnode_kind;

typedef struct c2h_gnode {
    char *name;          /* DOT node name and GraphML id: the address for a host, else "victims:<c2>:<n>", ... */
    char *label;         /* the text drawn (lines separated by '\n'); may hold customer names */
    char *group;         /* GROUP: the customer name or the network ("10.1.0.0/16"); MORE victims:
                          * its biggest groups ("10.1.0.0/16 (57), 10.2.0.0/16 (36), ..."); else NULL */
    c2h_role role;
    c2h_gnode_kind kind;
    guint hosts;         /* hosts it stands for (1 for a host) */
    double score;        /* a host's score; a group's highest */
    gint64 first_ms, last_ms; /* 0, 0 when unknown (a seed without traffic) */
    guint32 count_a, count_b; /* HOST: as in roles.csv; else 0 */
    double fanout;
    guint32 ports;       /* port classes of its evidence */
    guint64 flows;       /* GROUP and victim hosts: beacon flows into the C2 (summed) */
} c2h_gnode;

typedef enum c2h_gedge_kind {
    C2H_GEDGE_BEACON,  /* victims -> C2 (in graph.dot: C2 -> victims, dir=back, for the layout) */
    C2H_GEDGE_CONTROL, /* controller -> C2 */
    C2H_GEDGE_STAGING, /* controller -> c2_predicted (dashed) */
    C2H_GEDGE_PROXY,   /* C2 -> backend */
} c2h_gedge_kind;

typedef struct c2h_gedge {
    guint from, to;      /* node indexes, in the direction of the traffic */
    c2h_gedge_kind kind;
    guint hosts;         /* victims behind a BEACON edge (1 for one victim), else 1 */
    guint64 flows, bytes;
    gint64 first_ms, last_ms;
    guint32 ports;
} c2h_gedge;

typedef struct c2h_graph {
    GArray *nodes;       /* c2h_gnode: C2, c2_predicted, controllers, backends, victims, scanners */
    GArray *edges;       /* c2h_gedge, sorted by kind, then from, then to */
    guint victims;       /* victims in the result */
    gboolean grouped;    /* victims grouped (more than C2H_GRAPH_VICTIMS_ONE_BY_ONE) */
    guint scanners_hidden; /* scanners folded into the "more" node */
    const char *engine;  /* Graphviz layout: "dot" (left to right) while the victims' and backends'
                          * column stays short (C2H_GRAPH_DOT_COLUMN nodes), else "sfdp" (each C2
                          * amid its victims, controllers in the middle); graph.dot says which */
    const c2h_profile *profile; /* not owned */
} c2h_graph;

/* Build the graph of r (which must outlive nothing: strings are copied).
 * @return a graph the caller frees with c2h_graph_free. */
c2h_graph *c2h_graph_new(const c2h_result *r);
void c2h_graph_free(c2h_graph *g); /* accepts NULL */

/* graph.dot: a digraph with its layout engine (graph attribute layout) and a legend as its label.
 * @return the text, caller frees. */
GString *c2h_graph_dot(const c2h_graph *g);
/* graph.graphml: GraphML with keys for every node and edge attribute. @return the text, caller frees. */
GString *c2h_graph_graphml(const c2h_graph *g);
/* Lay out DOT text with Graphviz (engine "dot", "neato", "sfdp", ...) and render it as SVG.
 * Graphviz's own messages do not reach stderr: they go into err.
 * @return the SVG, caller frees; NULL with err when Graphviz cannot parse or lay it out. */
GString *c2h_graph_render_svg(const GString *dot, const char *engine, GError **err);

/* Write graph.dot, graph.graphml and graph.svg into dir. When svg_out is not NULL, the SVG
 * is handed over in it (caller frees), for report.html. @return FALSE with err. */
gboolean c2h_graph_write(const c2h_result *r, const char *dir, GString **svg_out, GError **err);

/* Colour of a role in every picture ("#rrggbb"). */
const char *c2h_role_color(c2h_role role);

/* s escaped for XML and HTML text and attribute values (& < > " '), invalid UTF-8 replaced,
 * control characters other than tab and newline dropped. */
void c2h_append_xml_escaped(GString *out, const char *s);

#endif
