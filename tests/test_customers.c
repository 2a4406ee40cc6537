/* test_customers.c: the customer map (io/customers.c), the incidents it gives
 * (report/incidents.c) and the STIX helpers (report/stix.c), without MPI.
 *
 *   load_good:        header, comments, blank lines, IPv4, IPv6, a bare address, a quoted name;
 *                     sorted longest prefix first
 *   longest_prefix:   the most specific network wins; IPv6; no match; NULL map
 *   load_errors:      each bad line named as file:line with its reason; a missing file
 *   incidents_csv:    a hand-made result: the exact incidents.csv (rows by name, a customer of
 *                     two networks in one row, victims only, C2 from the beacons, quoting)
 *   incidents_html:   names are escaped; the summary counts victims outside every network
 *   no_customers:     without a map both writers return NULL
 *   uuid5:            RFC 4122 name-based UUIDs: the well-known vector and the namespace
 *   stix_values:      confidence bands and the time the result speaks for
 *   stix_bundle:      the bundle of a hand-made result parses (json-glib), holds one indicator
 *                     per c2, c2_predicted and controller with its name-based id and pattern */
#include "report/incidents.h"
#include "report/stix.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

static char *write_tmp(const char *text)
{
    char *path = NULL;
    int fd = g_file_open_tmp("c2h-customers-XXXXXX.csv", &path, NULL);
    assert_true(fd >= 0);
    assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    return path;
}

static c2h_addr ip(const char *s)
{
    c2h_addr a;
    assert_true(c2h_addr_parse(s, strlen(s), &a));
    return a;
}

static const char *name_of(const GArray *m, const char *addr)
{
    c2h_addr a = ip(addr);
    const c2h_customer *c = c2h_customer_of(m, &a);
    return c ? c->name : NULL;
}

static GArray *load_text(const char *text, GError **err)
{
    char *path = write_tmp(text);
    GArray *m = c2h_customers_load(path, err);
    g_unlink(path);
    g_free(path);
    return m;
}

static const char *const good_map = "\xef\xbb\xbf# SOC customer map, with a byte order mark\n"
                                    "CIDR,Customer\n"
                                    "\n"
                                    "10.0.0.0/8, Big Telco \n"
                                    "10.1.0.0/16,Branch\n"
                                    "10.1.2.3,\"Desk \"\"A\"\", 3rd floor\"\n"
                                    "100.64.0.0/10,CGNAT pool\n"
                                    "2001:db8::/32,V6 Corp\n"
                                    "2001:db8:1::/48,V6 Lab\r\n"
                                    "0.0.0.0/0,everyone\n";

static void test_load_good(void **state)
{
    (void)state;
    GError *err = NULL;
    GArray *m = load_text(good_map, &err);
    assert_null(err);
    assert_non_null(m);
    assert_int_equal(m->len, 7);
    for (guint i = 1; i < m->len; i++)
        assert_true(g_array_index(m, c2h_customer, i - 1).prefix_len >= g_array_index(m, c2h_customer, i).prefix_len);
    const c2h_customer *first = &g_array_index(m, c2h_customer, 0);
    assert_int_equal(first->prefix_len, 128); /* the bare address, a /32 */
    assert_string_equal(first->name, "Desk \"A\", 3rd floor");
    assert_int_equal(g_array_index(m, c2h_customer, m->len - 1).prefix_len, 32); /* 2001:db8::/32 */
    assert_int_equal(g_array_index(m, c2h_customer, m->len - 2).prefix_len, 48); /* 2001:db8:1::/48 */
    assert_int_equal(g_array_index(m, c2h_customer, m->len - 3).prefix_len, 96); /* 0.0.0.0/0 */
    assert_string_equal(name_of(m, "10.200.0.1"), "Big Telco"); /* trimmed */
    assert_string_equal(name_of(m, "2001:db8:1::5"), "V6 Lab");  /* CR trimmed */
    c2h_customers_free(m);
    c2h_customers_free(NULL);
}

static void test_longest_prefix(void **state)
{
    (void)state;
    GArray *m = load_text(good_map, NULL);
    assert_non_null(m);
    assert_string_equal(name_of(m, "10.1.2.3"), "Desk \"A\", 3rd floor");
    assert_string_equal(name_of(m, "10.1.2.4"), "Branch");
    assert_string_equal(name_of(m, "10.2.0.1"), "Big Telco");
    assert_string_equal(name_of(m, "100.127.255.254"), "CGNAT pool");
    assert_string_equal(name_of(m, "100.128.0.1"), "everyone");
    assert_string_equal(name_of(m, "2001:db8:1:ffff::1"), "V6 Lab");
    assert_string_equal(name_of(m, "2001:db8:2::1"), "V6 Corp");
    assert_null(name_of(m, "2001:db9::1")); /* 0.0.0.0/0 is IPv4 only */
    c2h_customers_free(m);
    GArray *v4 = load_text("10.0.0.0/8,a\n", NULL);
    assert_null(name_of(v4, "11.0.0.1"));
    c2h_customers_free(v4);
    c2h_addr a = ip("10.0.0.1");
    assert_null(c2h_customer_of(NULL, &a));
}

static void expect_error(const char *text, guint line, const char *reason)
{
    char *path = write_tmp(text);
    GError *err = NULL;
    GArray *m = c2h_customers_load(path, &err);
    assert_null(m);
    assert_non_null(err);
    char *want = g_strdup_printf("%s:%u: ", path, line);
    if (strstr(err->message, want) == NULL || strstr(err->message, reason) == NULL)
        fail_msg("'%s' lacks '%s' or '%s'", err->message, want, reason);
    g_free(want);
    g_error_free(err);
    g_unlink(path);
    g_free(path);
}

static void test_load_errors(void **state)
{
    (void)state;
    expect_error("cidr,customer\n10.0.0.0/8,a\n10.0.0.300/24,b\n", 3, "not a CIDR network");
    expect_error("10.1.2.3/16,a\n", 1, "host bits are set");
    expect_error("# x\n10.0.0.0/33,a\n", 2, "from 0 to 32");
    expect_error("2001:db8::/129,a\n", 1, "from 0 to 128");
    expect_error("10.0.0.0/x,a\n", 1, "prefix length");
    expect_error("10.0.0.0/8\n", 1, "no customer name");
    expect_error("10.0.0.0/8,   \n", 1, "no customer name");
    expect_error("10.0.0.0/8,\"\"\n", 1, "no customer name");
    expect_error("10.0.0.0/8,\"open\n", 1, "no closing quote");
    expect_error("10.0.0.0/8,\"a\" b\n", 1, "after the quoted");
    expect_error("10.0.0.0/8,a\n11.0.0.0/8,b\n10.0.0.0/8,a\n", 3, "already on line 1");
    expect_error("cidr,customer\ncidr,customer\n", 2, "not a CIDR network"); /* a header only first */
    expect_error("10.0.0.0/8,caf\xe9\n", 1, "not UTF-8");
    GError *err = NULL;
    assert_null(c2h_customers_load("/nonexistent/customers.csv", &err));
    assert_non_null(err);
    assert_non_null(strstr(err->message, "/nonexistent/customers.csv"));
    g_error_free(err);
}

/* A hand-made result: victims in two customers (one of them with two networks), one outside,
 * a controller inside a customer network (not an incident), C2 beacons as evidence. */
typedef struct fixture {
    c2h_profile *p;
    GArray *customers;
    c2h_result r;
} fixture;

static void add_label(GArray *labels, const char *addr, c2h_role role, double score, gint64 first, gint64 last)
{
    c2h_label l = {.addr = ip(addr), .role = role, .score = score, .first_ms = first, .last_ms = last,
                   .count_a = 3, .count_b = 4, .fanout = 7};
    g_array_append_val(labels, l);
}

static void add_beacon(GArray *e, const char *src, const char *dst)
{
    c2h_edge x = {.src = ip(src), .dst = ip(dst), .flows = 5, .first_ms = 1, .last_ms = 2};
    g_array_append_val(e, x);
}

#define T(s) ((gint64)(s) * 1000 + 1767571200000LL) /* seconds after 2026-01-05T00:00:00Z */

static int setup(void **state)
{
    fixture *f = g_new0(fixture, 1);
    f->p = c2h_profile_trickbot();
    f->customers = load_text("cidr,customer\n"
                             "10.1.0.0/16,<Acme & \"Sons\">\n"
                             "10.2.0.0/16,<Acme & \"Sons\">\n"
                             "100.64.0.0/10,Beta, Inc\n",
                             NULL);
    assert_non_null(f->customers);
    GArray *labels = g_array_new(FALSE, FALSE, sizeof(c2h_label));
    add_label(labels, "45.1.1.1", C2H_ROLE_C2, 1.0, T(100), T(9000));
    add_label(labels, "45.1.1.2", C2H_ROLE_C2, 0.4, T(200), T(8000));
    add_label(labels, "45.9.9.9", C2H_ROLE_C2, 1.0, 0, 0); /* a seed without traffic */
    add_label(labels, "46.2.2.2", C2H_ROLE_C2_PREDICTED, 1.0, T(5000), T(6000));
    add_label(labels, "10.2.0.9", C2H_ROLE_CONTROLLER, 0.5, T(50), T(9500));
    add_label(labels, "10.1.0.5", C2H_ROLE_VICTIM, 0.5, T(300), T(700));
    add_label(labels, "10.1.0.7", C2H_ROLE_VICTIM, 0.75, T(250), T(900));
    add_label(labels, "10.2.3.4", C2H_ROLE_VICTIM, 0.5, T(400), T(1000));
    add_label(labels, "100.64.0.1", C2H_ROLE_VICTIM, 0.5, T(10), T(20));
    add_label(labels, "192.0.2.1", C2H_ROLE_VICTIM, 0.5, T(10), T(20));
    g_array_sort(labels, c2h_label_cmp);
    GArray *vb = g_array_new(FALSE, FALSE, sizeof(c2h_edge));
    add_beacon(vb, "10.1.0.5", "45.1.1.2");
    add_beacon(vb, "10.1.0.7", "45.1.1.1");
    add_beacon(vb, "10.1.0.7", "45.1.1.2");
    add_beacon(vb, "10.2.3.4", "45.1.1.1");
    add_beacon(vb, "100.64.0.1", "45.1.1.1");
    add_beacon(vb, "192.0.2.1", "45.1.1.1");
    g_array_sort(vb, c2h_edge_cmp_src);
    f->r = (c2h_result){.profile = f->p, .archive = "a", .seeds = "s", .since = G_MININT64, .until = G_MAXINT64,
                        .ranks = 1, .labels = labels, .victim_beacons = vb, .customers = f->customers};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    c2h_result_clear(&f->r);
    c2h_customers_free(f->customers);
    c2h_profile_free(f->p);
    g_free(f);
    return 0;
}

static void test_incidents_csv(void **state)
{
    fixture *f = *state;
    GString *s = c2h_incidents_csv(&f->r);
    assert_non_null(s);
    assert_string_equal(s->str,
                        "customer,infected_hosts,hosts,c2,first_seen,last_seen\n"
                        "\"<Acme & \"\"Sons\"\">\",3,10.1.0.5 10.1.0.7 10.2.3.4,45.1.1.1 45.1.1.2,"
                        "2026-01-05T00:04:10Z,2026-01-05T00:16:40Z\n"
                        "\"Beta, Inc\",1,100.64.0.1,45.1.1.1,2026-01-05T00:00:10Z,2026-01-05T00:00:20Z\n");
    g_string_free(s, TRUE);
}

static void test_incidents_html(void **state)
{
    fixture *f = *state;
    GString *h = c2h_incidents_html(&f->r);
    assert_non_null(h);
    assert_non_null(strstr(h->str, "<section id=\"incidents\""));
    assert_non_null(strstr(h->str, "&lt;Acme &amp; &quot;Sons&quot;&gt;"));
    assert_null(strstr(h->str, "<Acme"));
    assert_non_null(strstr(h->str, "2 customers with infected hosts; 4 infected hosts in customer networks; "
                                   "1 victim outside every customer network."));
    assert_non_null(strstr(h->str, "<summary>3 hosts</summary>10.1.0.5 10.1.0.7 10.2.3.4</details>"));
    g_string_free(h, TRUE);
}

static void test_no_customers(void **state)
{
    fixture *f = *state;
    c2h_result r = f->r;
    r.customers = NULL;
    assert_null(c2h_incidents_csv(&r));
    assert_null(c2h_incidents_html(&r));
    GArray *empty = g_array_new(FALSE, FALSE, sizeof(c2h_customer));
    r.customers = empty;
    GString *s = c2h_incidents_csv(&r); /* a map that holds no victim: only the header */
    assert_string_equal(s->str, "customer,infected_hosts,hosts,c2,first_seen,last_seen\n");
    g_string_free(s, TRUE);
    g_array_free(empty, TRUE);
}

static void test_uuid5(void **state)
{
    (void)state;
    /* uuid.uuid5(uuid.NAMESPACE_DNS, "python.org") */
    static const guint8 dns[16] = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                                   0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
    char u[37];
    c2h_uuid5(dns, "python.org", u);
    assert_string_equal(u, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    static const guint8 nil[16] = {0};
    c2h_uuid5(nil, "c2hunt STIX 2.1", u);
    assert_string_equal(u, "0d659598-5e70-5936-9edc-6a512a0a0af5");
    char ns[37];
    g_snprintf(ns, sizeof ns, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
               c2h_stix_namespace[0], c2h_stix_namespace[1], c2h_stix_namespace[2], c2h_stix_namespace[3],
               c2h_stix_namespace[4], c2h_stix_namespace[5], c2h_stix_namespace[6], c2h_stix_namespace[7],
               c2h_stix_namespace[8], c2h_stix_namespace[9], c2h_stix_namespace[10], c2h_stix_namespace[11],
               c2h_stix_namespace[12], c2h_stix_namespace[13], c2h_stix_namespace[14], c2h_stix_namespace[15]);
    assert_string_equal(ns, u);
}

static void test_stix_values(void **state)
{
    fixture *f = *state;
    c2h_label l = {.role = C2H_ROLE_C2, .score = 1.0};
    assert_int_equal(c2h_stix_confidence(&l), 100);
    l.score = 0.3;
    assert_int_equal(c2h_stix_confidence(&l), 65);
    l.role = C2H_ROLE_C2_PREDICTED;
    l.score = 1.0;
    assert_int_equal(c2h_stix_confidence(&l), 45);
    l.score = 0.0;
    assert_int_equal(c2h_stix_confidence(&l), 10);
    l.role = C2H_ROLE_CONTROLLER;
    l.score = 0.0;
    assert_int_equal(c2h_stix_confidence(&l), 50);
    l.role = C2H_ROLE_VICTIM;
    assert_int_equal(c2h_stix_confidence(&l), 0);
    assert_int_equal(c2h_stix_time(&f->r), T(9500)); /* the latest last seen */
    c2h_result r = f->r;
    r.until = T(123);
    assert_int_equal(c2h_stix_time(&r), T(123));
}

static void test_stix_bundle(void **state)
{
    fixture *f = *state;
    GString *s = c2h_stix_json(&f->r);
    JsonParser *parser = json_parser_new();
    GError *err = NULL;
    assert_true(json_parser_load_from_data(parser, s->str, (gssize)s->len, &err));
    JsonObject *b = json_node_get_object(json_parser_get_root(parser));
    assert_string_equal(json_object_get_string_member(b, "type"), "bundle");
    JsonArray *objs = json_object_get_array_member(b, "objects");
    guint n_ind = 0, n_rel = 0, n_inf = 0;
    for (guint i = 0; i < json_array_get_length(objs); i++) {
        JsonObject *o = json_array_get_object_element(objs, i);
        const char *type = json_object_get_string_member(o, "type");
        assert_string_equal(json_object_get_string_member(o, "spec_version"), "2.1");
        assert_string_equal(json_object_get_string_member(o, "created"), "2026-01-05T02:38:20.000Z");
        if (strcmp(type, "indicator") == 0) {
            n_ind++;
            const char *pattern = json_object_get_string_member(o, "pattern");
            const char *role = json_array_get_string_element(json_object_get_array_member(o, "labels"), 0);
            char addr[64] = "";
            assert_int_equal(sscanf(pattern, "[ipv4-addr:value = '%63[^']']", addr), 1);
            char *key = g_strdup_printf("indicator|%s|%s", role, addr), u[37];
            c2h_uuid5(c2h_stix_namespace, key, u);
            char *id = g_strdup_printf("indicator--%s", u);
            assert_string_equal(json_object_get_string_member(o, "id"), id);
            g_free(key);
            g_free(id);
            if (strcmp(addr, "45.9.9.9") == 0) /* no first seen: the result's time */
                assert_string_equal(json_object_get_string_member(o, "valid_from"), "2026-01-05T02:38:20.000Z");
            if (strcmp(addr, "45.1.1.2") == 0) {
                assert_string_equal(json_object_get_string_member(o, "valid_from"), "2026-01-05T00:03:20.000Z");
                assert_int_equal(json_object_get_int_member(o, "confidence"), 70);
            }
        } else if (strcmp(type, "relationship") == 0) {
            n_rel++;
            assert_string_equal(json_object_get_string_member(o, "relationship_type"), "indicates");
        } else {
            assert_string_equal(type, "infrastructure");
            n_inf++;
        }
    }
    assert_int_equal(n_ind, 5); /* 3 c2, 1 c2_predicted, 1 controller; no victims */
    assert_int_equal(n_rel, 5);
    assert_int_equal(n_inf, 1);
    g_object_unref(parser);
    GString *again = c2h_stix_json(&f->r);
    assert_string_equal(s->str, again->str);
    g_string_free(again, TRUE);
    g_string_free(s, TRUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_good),
        cmocka_unit_test(test_longest_prefix),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test_setup_teardown(test_incidents_csv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_incidents_html, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_customers, setup, teardown),
        cmocka_unit_test(test_uuid5),
        cmocka_unit_test_setup_teardown(test_stix_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stix_bundle, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
