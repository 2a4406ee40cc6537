/* sortedges: the benchmark behind partition/edges.c's radix sort. Pass 1 of `c2hunt run`
 * sorts its edge set by (dst, src) at every spill (--edge-budget edges, 32768 by default).
 * This times c2h_edgeset_sorted (radix sort on the bytes where keys differ) against GLib's
 * g_array_sort with the comparator, on sets of IPv4 edges shaped like the C2-port subgraph
 * (a few thousand destinations), and prints both and the machine.
 *
 *   sortedges [edges] [repeats] */
#include "partition/edges.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>

static double now(void)
{
    return (double)g_get_monotonic_time() / 1e6;
}

int main(int argc, char **argv)
{
    guint n = argc > 1 ? (guint)atoi(argv[1]) : 32768, reps = argc > 2 ? (guint)atoi(argv[2]) : 50;
    struct utsname u;
    uname(&u);
    g_autofree char *cpu = NULL;
    char *model = g_file_get_contents("/proc/cpuinfo", &cpu, NULL, NULL) ? strstr(cpu, "model name") : NULL;
    if (model && strchr(model, '\n'))
        *strchr(model, '\n') = 0;
    printf("machine: %ld cores, %s, %s %s\n", sysconf(_SC_NPROCESSORS_ONLN), model ? strchr(model, ':') + 2 : "?",
           u.sysname, u.release);
    GRand *rnd = g_rand_new_with_seed(1);
    c2h_edgeset *s = c2h_edgeset_new();
    while (c2h_edgeset_len(s) < n) {
        c2h_flow f = {.src = c2h_addr_from_v4(g_rand_int(rnd)),
                      .dst = c2h_addr_from_v4(0x50000000u + (uint32_t)g_rand_int_range(rnd, 0, 4000)),
                      .dport = 8082, .proto = 6};
        c2h_edgeset_add_flow(s, &f, 1);
    }
    double radix = 1e9, qs = 1e9;
    for (guint r = 0; r < reps; r++) {
        double t0 = now();
        GArray *a = c2h_edgeset_sorted(s, c2h_edge_cmp_dst);
        radix = MIN(radix, now() - t0);
        t0 = now();
        GArray *b = c2h_edgeset_sorted(s, NULL);
        g_array_sort(b, c2h_edge_cmp_dst);
        qs = MIN(qs, now() - t0);
        if (memcmp(a->data, b->data, (gsize)a->len * sizeof(c2h_edge)) != 0)
            fprintf(stderr, "sortedges: the two orders differ\n"), exit(2);
        g_array_free(a, TRUE);
        g_array_free(b, TRUE);
    }
    printf("%u IPv4 edges by (dst, src), best of %u:\n", n, reps);
    printf("  c2h_edgeset_sorted (radix)     %8.3f ms  %6.1f ns/edge\n", radix * 1e3, radix * 1e9 / n);
    printf("  copy + g_array_sort (compare)  %8.3f ms  %6.1f ns/edge\n", qs * 1e3, qs * 1e9 / n);
    c2h_edgeset_free(s);
    g_rand_free(rnd);
    return 0;
}
