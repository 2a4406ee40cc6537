/* fuzz_profile.c: profile files (detect/profile.c, GKeyFile).
 *
 * The input is the file. When it loads, the profile is written back with
 * c2h_profile_to_data (what a run's profile.ini holds) and that text loaded again: it must
 * load, give the same ports, counts and limits, shares equal to the 6 significant digits
 * the writer prints, and the same text once more (a fixed point). The port-class table must
 * say C2, web or admin exactly for the ports the profile lists. Besides the sanitizers: an
 * error has a message, nothing leaks.
 */
#include "fuzzlib.h"

#include "detect/profile.h"
#include "io/flowsrc.h"

#include <math.h>
#include <string.h>

static fz_file *file, *again;

static void same_ports(const char *what, const guint16 *a, guint na, const guint16 *b, guint nb)
{
    if (na != nb || memcmp(a, b, na * sizeof *a) != 0)
        fz_fail("%s differ after a round trip", what);
}

static void same_share(const char *what, double a, double b)
{
    if (fabs(a - b) > 1e-5 * MAX(fabs(a), 1e-300) && fabs(a - b) > 1e-300)
        fz_fail("%s: %.17g became %.17g after a round trip", what, a, b);
}

static void check_classes(const c2h_profile *p)
{
    guint classed = 0;
    for (guint port = 0; port < 65536; port++) {
        guint32 c = c2h_profile_port_class(p, (guint16)port);
        if (c == 0 || (c & (c - 1)) != 0)
            fz_fail("port %u has class %08x, not one bit", port, c);
        if (c != C2H_PC_OTHER)
            classed++;
    }
    for (guint i = 0; i < p->n_c2_ports; i++)
        if (!(c2h_profile_port_class(p, p->c2_ports[i]) & C2H_PC_C2_MASK))
            fz_fail("C2 port %u is not of the C2 class", p->c2_ports[i]);
    if (classed > p->n_c2_ports + p->n_web_ports + p->n_admin_ports)
        fz_fail("%u ports classed, more than the profile lists", classed);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    file = fz_file_new("profile.ini");
    again = fz_file_new("profile-again.ini");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_begin_iteration();
    const char *path = fz_file_set(file, data, size);
    GError *err = NULL;
    c2h_profile *p = c2h_profile_load(path, &err);
    if (p == NULL) {
        fz_check_error(err, "c2h_profile_load");
        g_error_free(err);
        fz_end_iteration();
        return 0;
    }
    check_classes(p);
    char *text = c2h_profile_to_data(p);
    c2h_profile *q = c2h_profile_load(fz_file_set(again, (const uint8_t *)text, strlen(text)), &err);
    if (q == NULL)
        fz_fail("the profile written back does not load: %s\n%s", err->message, text);
    if (strcmp(p->name, q->name) != 0)
        fz_fail("name '%s' became '%s'", p->name, q->name);
    same_ports("c2_ports", p->c2_ports, p->n_c2_ports, q->c2_ports, q->n_c2_ports);
    same_ports("web_ports", p->web_ports, p->n_web_ports, q->web_ports, q->n_web_ports);
    same_ports("admin_ports", p->admin_ports, p->n_admin_ports, q->admin_ports, q->n_admin_ports);
#define SAME(f)                                                                   \
    if (p->f != q->f)                                                             \
        fz_fail(#f ": %" G_GUINT64_FORMAT " became %" G_GUINT64_FORMAT, (guint64)p->f, (guint64)q->f);
    SAME(beacon_min_flows) SAME(beacon_min_hours) SAME(c2_min_victims) SAME(max_rounds) SAME(controller_min_c2)
    SAME(predicted_min_controllers) SAME(predicted_max_others) SAME(backend_min_c2) SAME(backend_max_others)
    SAME(exchange_round_edges) SAME(fanout_edge_cap) SAME(likely_touchers)
#undef SAME
    same_share("c2_min_victim_share", p->c2_min_victim_share, q->c2_min_victim_share);
    same_share("controller_min_c2_share", p->controller_min_c2_share, q->controller_min_c2_share);
    same_share("controller_min_specificity", p->controller_min_specificity, q->controller_min_specificity);
    char *text2 = c2h_profile_to_data(q);
    if (strcmp(text, text2) != 0)
        fz_fail("writing the profile back is not a fixed point:\n%s\n---\n%s", text, text2);
    g_free(text);
    g_free(text2);
    c2h_profile_free(p);
    c2h_profile_free(q);
    fz_end_iteration();
    return 0;
}
