/* html.h: report.html, one self-contained page (inline CSS, script and SVG; nothing is
 * fetched): the summary (hosts per role, archive, seeds, window, the profile's thresholds),
 * the relationship graph (graph.svg inlined), a timeline of every C2's life on one time axis
 * (staged: first controller contact; live: first to last victim beacon; c2_predicted as
 * staged-only bars) and the evidence per role in sortable tables, victims collapsed per C2
 * (the first C2H_HTML_VICTIM_ROWS of all, shared out between the C2). With --customers, the
 * incidents per customer (report/incidents.h) follow the summary.
 *
 * Every string that came from input (paths, customer names, profile values) is escaped for
 * HTML. window.onerror writes script errors into the element with id "js-errors"; the page
 * script sets data-js="ready" on <html> when it has run. */
#ifndef C2H_HTML_H
#define C2H_HTML_H

#include "report/result.h"

#include <glib.h>

#define C2H_HTML_VICTIM_ROWS 1500 /* victim rows in all; each C2 shows at least 20 */
#define C2H_HTML_TABLE_ROWS 1000  /* rows of any other role's table */

/* The page. svg: graph.svg as Graphviz wrote it (its prolog is dropped), or NULL for a page
 * without the graph. @return the text, caller frees. */
GString *c2h_report_html(const c2h_result *r, const char *svg);

#endif
