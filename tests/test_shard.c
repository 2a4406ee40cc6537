/* test_shard.c: shards and archives round-trip every column, IPv4 and IPv6, and refuse
 * what is not a c2hunt shard of this schema. */
#include "io/archive.h"

#include <hdf5.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

typedef struct fixture {
    char *dir;
} fixture;

static int setup(void **state)
{
    fixture *f = g_new0(fixture, 1);
    f->dir = g_dir_make_tmp("c2h-test-shard-XXXXXX", NULL);
    assert_non_null(f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    c2h_rmtree(f->dir, NULL);
    g_free(f->dir);
    g_free(f);
    return 0;
}

/* Random flows; v6 picks IPv6 for about half of them when asked. */
static c2h_flow *random_flows(GRand *rng, gsize n, gboolean v6, gint64 t0, gint64 span_ms)
{
    c2h_flow *fl = g_new0(c2h_flow, n);
    for (gsize i = 0; i < n; i++) {
        c2h_flow *f = &fl[i];
        f->start_ms = t0 + (gint64)(g_rand_double(rng) * (double)span_ms);
        f->end_ms = f->start_ms + g_rand_int_range(rng, 0, 600000);
        if (v6) {
            for (int k = 0; k < 16; k++) {
                f->src.b[k] = (uint8_t)g_rand_int(rng);
                f->dst.b[k] = (uint8_t)g_rand_int(rng);
            }
            f->src.b[0] = 0x20;
        } else {
            f->src = c2h_addr_from_v4(g_rand_int(rng));
            f->dst = c2h_addr_from_v4(g_rand_int(rng));
        }
        f->sport = (uint16_t)g_rand_int(rng);
        f->dport = (uint16_t)g_rand_int(rng);
        f->proto = (uint8_t)g_rand_int(rng);
        f->tcp_flags = (uint8_t)g_rand_int(rng);
        f->packets = g_rand_int(rng) | (guint64)g_rand_int(rng) << 32;
        f->bytes = g_rand_int(rng) | (guint64)g_rand_int(rng) << 32;
    }
    return fl;
}

static void assert_flow_equal(const c2h_flow *a, const c2h_flow *b)
{
    assert_int_equal(a->start_ms, b->start_ms);
    assert_int_equal(a->end_ms, b->end_ms);
    assert_memory_equal(a->src.b, b->src.b, 16);
    assert_memory_equal(a->dst.b, b->dst.b, 16);
    assert_int_equal(a->sport, b->sport);
    assert_int_equal(a->dport, b->dport);
    assert_int_equal(a->proto, b->proto);
    assert_int_equal(a->tcp_flags, b->tcp_flags);
    assert_int_equal(a->packets, b->packets);
    assert_int_equal(a->bytes, b->bytes);
}

static void shard_round_trip(fixture *f, int family, gsize n, guint chunk_rows, int level)
{
    GRand *rng = g_rand_new_with_seed((guint32)(n + (gsize)family * 7 + (gsize)level));
    c2h_flow *in = random_flows(rng, n, family == C2H_FAMILY_V6, 1767571200000LL, 3600000);
    g_autofree char *path = g_strdup_printf("%s/s-%d-%zu-%d.h5", f->dir, family, n, level);
    GError *err = NULL;
    c2h_shard_writer *w = c2h_shard_writer_create(path, family, chunk_rows, level, &err);
    assert_non_null(w);
    /* Appended in uneven pieces, so chunk boundaries fall inside appends. */
    for (gsize i = 0; i < n;) {
        gsize piece = (gsize)g_rand_int_range(rng, 1, 5000);
        gsize k = MIN(n - i, piece);
        assert_true(c2h_shard_writer_append(w, in + i, k, &err));
        i += k;
    }
    c2h_shard_info info = {0};
    assert_true(c2h_shard_writer_finish(w, &info, &err));
    assert_int_equal(info.rows, n);
    assert_int_equal(info.family, family);
    assert_int_equal(info.raw_bytes, n * c2h_row_width(family));

    c2h_shard_reader *r = c2h_shard_open(path, &err);
    assert_non_null(r);
    assert_int_equal(c2h_shard_rows(r), n);
    assert_int_equal(c2h_shard_family(r), family);
    c2h_flow *out = g_new0(c2h_flow, n ? n : 1);
    guint step = c2h_shard_chunk_rows(r);
    for (guint64 row = 0; row < n; row += step)
        assert_true(c2h_shard_read(r, row, MIN(step, n - row), C2H_COLS_ALL, out + row, &err));
    for (gsize i = 0; i < n; i++)
        assert_flow_equal(&in[i], &out[i]);
    /* Reading one column leaves the others alone. */
    if (n > 0) {
        c2h_flow one = {0};
        assert_true(c2h_shard_read(r, n - 1, 1, C2H_COLBIT(C2H_COL_DST_PORT), &one, &err));
        assert_int_equal(one.dport, in[n - 1].dport);
        assert_int_equal(one.sport, 0);
    }
    /* Chunks loaded for a few rows (c2h_shard_load_rows) hold those rows; a later whole load
     * of the same chunk holds every row. */
    guint32 *rows = g_new(guint32, step);
    for (guint64 k = 0; k < c2h_shard_nchunks(r); k++) {
        gsize len = (gsize)MIN((guint64)step, n - k * step), m = 0;
        for (gsize i = k % 5; i < len; i += 37)
            rows[m++] = (guint32)i;
        c2h_chunk ch;
        for (int whole = 0; whole < 2; whole++) {
            if (whole)
                assert_true(c2h_shard_load(r, k, C2H_COLS_ALL, &ch, &err));
            else
                assert_true(c2h_shard_load_rows(r, k, C2H_COLS_ALL, rows, m, &ch, &err));
            assert_int_equal(ch.loaded, C2H_COLS_ALL);
            gsize upto = whole ? len : m;
            for (gsize j = 0; j < upto; j++) {
                gsize i = whole ? j : rows[j];
                const c2h_flow *want = &in[k * step + i];
                c2h_addr src = c2h_chunk_src(&ch, i), dst = c2h_chunk_dst(&ch, i);
                assert_memory_equal(src.b, want->src.b, 16);
                assert_memory_equal(dst.b, want->dst.b, 16);
                assert_int_equal(ch.start_ms[i], want->start_ms);
                assert_int_equal(ch.end_ms[i], want->end_ms);
                assert_int_equal(ch.sport[i], want->sport);
                assert_int_equal(ch.dport[i], want->dport);
                assert_int_equal(ch.proto[i], want->proto);
                assert_int_equal(ch.tcp_flags[i], want->tcp_flags);
                assert_int_equal(ch.packets[i], want->packets);
                assert_int_equal(ch.bytes[i], want->bytes);
            }
        }
    }
    g_free(rows);
    c2h_shard_close(r);
    c2h_shard_info_clear(&info);
    g_free(in);
    g_free(out);
    g_rand_free(rng);
}

static void test_round_trip_v4(void **state)
{
    shard_round_trip(*state, C2H_FAMILY_V4, 100000, 4096, 3);
    shard_round_trip(*state, C2H_FAMILY_V4, 1, 4096, 1);
    shard_round_trip(*state, C2H_FAMILY_V4, 0, 4096, 3);
    shard_round_trip(*state, C2H_FAMILY_V4, 20000, 65536, 19);
}

static void test_round_trip_v6(void **state)
{
    shard_round_trip(*state, C2H_FAMILY_V6, 30000, 1000, 3);
    shard_round_trip(*state, C2H_FAMILY_V6, 4096, 4096, 9);
}

/* An IPv4 shard stores 4-byte addresses: it must be much smaller on disk than IPv6. */
static void test_v4_is_compact(void **state)
{
    (void)state;
    assert_int_equal(c2h_row_width(C2H_FAMILY_V4), 46);
    assert_int_equal(c2h_row_width(C2H_FAMILY_V6), 70);
    assert_int_equal(c2h_col_width(C2H_COL_SRC_ADDR, C2H_FAMILY_V4), 4);
}

static char *write_small_shard(fixture *f, const char *name, gsize n)
{
    GRand *rng = g_rand_new_with_seed(42);
    c2h_flow *in = random_flows(rng, n, FALSE, 0, 1000);
    char *path = g_strdup_printf("%s/%s", f->dir, name);
    GError *err = NULL;
    c2h_shard_writer *w = c2h_shard_writer_create(path, C2H_FAMILY_V4, 1024, 3, &err);
    assert_non_null(w);
    assert_true(c2h_shard_writer_append(w, in, n, &err));
    c2h_shard_info info = {0};
    assert_true(c2h_shard_writer_finish(w, &info, &err));
    c2h_shard_info_clear(&info);
    g_free(in);
    g_rand_free(rng);
    return path;
}

static void test_wrong_schema_refused(void **state)
{
    fixture *f = *state;
    g_autofree char *path = write_small_shard(f, "schema.h5", 10);
    hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t a = H5Aopen(file, "c2hunt_schema", H5P_DEFAULT);
    int v = 99;
    H5Awrite(a, H5T_NATIVE_INT, &v);
    H5Aclose(a);
    H5Fclose(file);
    GError *err = NULL;
    assert_null(c2h_shard_open(path, &err));
    assert_non_null(err);
    assert_non_null(strstr(err->message, "schema version 99"));
    assert_non_null(strstr(err->message, path));
    g_error_free(err);
}

static void test_truncated_refused(void **state)
{
    fixture *f = *state;
    g_autofree char *path = write_small_shard(f, "trunc.h5", 5000);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(truncate(path, st.st_size / 2), 0);
    GError *err = NULL;
    c2h_shard_reader *r = c2h_shard_open(path, &err);
    gboolean refused = r == NULL;
    if (r != NULL) { /* the header survived: the rows must not */
        c2h_flow *buf = g_new0(c2h_flow, 5000);
        refused = !c2h_shard_read(r, 0, 5000, C2H_COLS_ALL, buf, &err);
        g_free(buf);
        c2h_shard_close(r);
    }
    assert_true(refused);
    assert_non_null(strstr(err->message, path));
    g_error_free(err);
}

static void test_columns_must_agree(void **state)
{
    fixture *f = *state;
    g_autofree char *path = write_small_shard(f, "len.h5", 3000);
    hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t d = H5Dopen2(file, "/flows/bytes", H5P_DEFAULT);
    hsize_t shorter = 2000;
    assert_true(H5Dset_extent(d, &shorter) >= 0);
    H5Dclose(d);
    H5Fclose(file);
    GError *err = NULL;
    assert_null(c2h_shard_open(path, &err));
    assert_non_null(strstr(err->message, "/flows/bytes"));
    g_error_free(err);
}

static void test_archive_writer_routes(void **state)
{
    fixture *f = *state;
    g_autofree char *final = g_build_filename(f->dir, "arch", NULL);
    GError *err = NULL;
    char *stage = c2h_archive_stage(final, FALSE, &err);
    assert_non_null(stage);
    /* Three hours, both families, and a shard size small enough to split. */
    c2h_archive_writer_opts o = {.chunk_rows = 512, .shard_bytes = 46 * 1000, .tag = "t", .max_open = 2};
    c2h_archive_writer *w = c2h_archive_writer_create(stage, &o, &err);
    GRand *rng = g_rand_new_with_seed(5);
    c2h_flow *v4 = random_flows(rng, 6000, FALSE, 1767571200000LL, 3 * 3600000LL);
    c2h_flow *v6 = random_flows(rng, 500, TRUE, 1767571200000LL, 3 * 3600000LL);
    assert_true(c2h_archive_writer_append(w, v4, 6000, &err));
    assert_true(c2h_archive_writer_append(w, v6, 500, &err));
    assert_true(c2h_archive_writer_finish(w, &err));
    assert_true(c2h_archive_commit(stage, final, FALSE, &o, NULL, &err));
    g_assert_no_error(err);
    assert_false(g_file_test(stage, G_FILE_TEST_EXISTS));

    c2h_archive *a = c2h_archive_open(final, &err);
    assert_non_null(a);
    assert_int_equal(a->rows, 6500);
    guint64 sum4 = 0, sum6 = 0;
    for (guint i = 0; i < a->shards->len; i++) {
        const c2h_shard_info *s = &g_array_index(a->shards, c2h_shard_info, i);
        assert_true(s->rows <= 1000);
        /* A shard holds one hour. */
        assert_int_equal(s->t_min_ms / 3600000, s->t_max_ms / 3600000);
        *(s->family == 4 ? &sum4 : &sum6) += s->rows;
        g_autofree char *p = c2h_archive_shard_path(a, i);
        c2h_shard_reader *r = c2h_shard_open(p, &err);
        assert_non_null(r);
        assert_int_equal(c2h_shard_rows(r), s->rows);
        c2h_shard_close(r);
    }
    assert_int_equal(sum4, 6000);
    assert_int_equal(sum6, 500);
    assert_true(a->shards->len >= 9); /* at least 3 hours x 2 families, and v4 hours split */
    c2h_archive_free(a);

    /* Committing over an existing archive needs force. */
    char *stage2 = c2h_archive_stage(final, FALSE, &err);
    assert_null(stage2);
    assert_non_null(strstr(err->message, "already exists"));
    g_clear_error(&err);
    g_free(v4);
    g_free(v6);
    g_free(stage);
    g_rand_free(rng);
}

static void test_archive_schema_refused(void **state)
{
    fixture *f = *state;
    g_autofree char *dir = g_build_filename(f->dir, "newer", NULL);
    mkdir(dir, 0755);
    g_autofree char *meta = g_build_filename(dir, C2H_ARCHIVE_META, NULL);
    g_autofree char *idx = g_build_filename(dir, C2H_ARCHIVE_INDEX, NULL);
    g_file_set_contents(meta, "[archive]\nschema=2\n", -1, NULL);
    g_file_set_contents(idx, "file\tfamily\trows\tt_min_ms\tt_max_ms\tstored_bytes\traw_bytes\n", -1, NULL);
    GError *err = NULL;
    assert_null(c2h_archive_open(dir, &err));
    assert_non_null(strstr(err->message, "schema version 2"));
    g_clear_error(&err);
    g_file_set_contents(meta, "[archive]\nschema=1\n", -1, NULL);
    g_file_set_contents(idx, "file\tfamily\trows\tt_min_ms\tt_max_ms\tstored_bytes\traw_bytes\nx.h5\t5\t1\t0\t0\t1\t1\n", -1, NULL);
    assert_null(c2h_archive_open(dir, &err));
    assert_non_null(strstr(err->message, "index.tsv:2"));
    g_clear_error(&err);
}

static void test_addr_and_time(void **state)
{
    (void)state;
    c2h_addr a;
    char buf[C2H_ADDR_STRLEN];
    assert_true(c2h_addr_parse("10.0.0.1", 8, &a));
    assert_true(c2h_addr_is_v4(&a));
    assert_int_equal(c2h_addr_v4(&a), 0x0a000001);
    assert_string_equal(c2h_addr_format(&a, buf), "10.0.0.1");
    assert_true(c2h_addr_parse("2001:db8::1", 11, &a));
    assert_false(c2h_addr_is_v4(&a));
    assert_string_equal(c2h_addr_format(&a, buf), "2001:db8::1");
    assert_false(c2h_addr_parse("10.0.0", 6, &a));
    assert_false(c2h_addr_parse("10.0.0.256", 10, &a));
    char t[32];
    assert_string_equal(c2h_time_format_iso(1767571200000LL, t), "2026-01-05T00:00:00Z");
    assert_string_equal(c2h_time_format_iso(-1, t), "1969-12-31T23:59:59.999Z");
    gint64 ms = 0;
    assert_true(c2h_time_parse_iso("2026-01-05T00:00:00Z", &ms));
    assert_int_equal(ms, 1767571200000LL);
    assert_false(c2h_time_parse_iso("2026-01-05 00:00:00", &ms));
    assert_int_equal(c2h_floordiv(-1, 3600000), -1);
    assert_int_equal(c2h_floordiv(3599999, 3600000), 0);
}

int main(void)
{
    GError *err = NULL;
    if (!c2h_h5_init(&err)) {
        fprintf(stderr, "%s\n", err->message);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addr_and_time),
        cmocka_unit_test(test_v4_is_compact),
        cmocka_unit_test_setup_teardown(test_round_trip_v4, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_v6, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_schema_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_columns_must_agree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_archive_writer_routes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_archive_schema_refused, setup, teardown),
    };
    return cmocka_run_group_tests_name("shard", tests, NULL, NULL);
}
