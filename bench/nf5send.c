/* nf5send.c: send the flows of an nfdump csv file as NetFlow v5 to a collector (nfcapd),
 * so a benchmark can put the very flows of an archive into nfcapd files and compare.
 *
 *   nf5send FILE.csv HOST PORT [PACKETS_PER_MS]
 *
 * IPv4 only (v5 has no IPv6); other flows are counted and skipped. The exporter's clock is
 * set past the last flow, its uptime long enough (49 days) that every flow of a 14-day
 * archive fits. Prints the flows sent. */
#include "io/flowsrc.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define V5_MAX 30
#define UPTIME_MS 4000000000u

static void put16(uint8_t *p, uint16_t v) { v = htons(v); memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { v = htonl(v); memcpy(p, &v, 4); }

typedef struct exporter {
    int fd;
    struct sockaddr_in to;
    gint64 export_ms;
    long pace;
    c2h_flow batch[V5_MAX];
    gsize fill;
    guint64 sent, packets;
} exporter;

/* Send the batched flows as one v5 packet. */
static gboolean flush(exporter *ex)
{
    uint8_t pkt[24 + 48 * V5_MAX];
    memset(pkt, 0, sizeof pkt);
    put16(pkt, 5);
    put16(pkt + 2, (uint16_t)ex->fill);
    put32(pkt + 4, UPTIME_MS);
    put32(pkt + 8, (uint32_t)(ex->export_ms / 1000));
    put32(pkt + 12, (uint32_t)(ex->export_ms % 1000) * 1000000u);
    put32(pkt + 16, (uint32_t)ex->sent);
    for (gsize k = 0; k < ex->fill; k++) {
        const c2h_flow *f = &ex->batch[k];
        uint8_t *r = pkt + 24 + 48 * k;
        put32(r, c2h_addr_v4(&f->src));
        put32(r + 4, c2h_addr_v4(&f->dst));
        put32(r + 16, (uint32_t)MIN(f->packets, G_MAXUINT32));
        put32(r + 20, (uint32_t)MIN(f->bytes, G_MAXUINT32));
        put32(r + 24, (uint32_t)(UPTIME_MS - (ex->export_ms - f->start_ms)));
        put32(r + 28, (uint32_t)(UPTIME_MS - (ex->export_ms - f->end_ms)));
        put16(r + 32, f->sport);
        put16(r + 34, f->dport);
        r[37] = f->tcp_flags;
        r[38] = f->proto;
    }
    if (sendto(ex->fd, pkt, 24 + 48 * ex->fill, 0, (struct sockaddr *)&ex->to, sizeof ex->to) < 0) {
        perror("nf5send: sendto");
        return FALSE;
    }
    ex->sent += ex->fill;
    ex->fill = 0;
    if (++ex->packets % (guint64)ex->pace == 0) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return TRUE;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: nf5send FILE.csv HOST PORT [PACKETS_PER_MS]\n");
        return 1;
    }
    long pace = argc > 4 ? atol(argv[4]) : 20;
    GError *err = NULL;
    c2h_flowsrc_opts so = {0};
    /* First pass: the export time must follow every flow. */
    c2h_flowsrc *src = c2h_flowsrc_open("nfdump-csv", argv[1], &so, &err);
    if (src == NULL) {
        fprintf(stderr, "nf5send: %s\n", err->message);
        return 2;
    }
    c2h_flow *buf = g_new(c2h_flow, V5_MAX);
    gint64 max_end = 0, min_start = G_MAXINT64;
    gssize n;
    while ((n = c2h_flowsrc_next(src, buf, V5_MAX, &err)) > 0)
        for (gssize i = 0; i < n; i++) {
            max_end = MAX(max_end, buf[i].end_ms);
            min_start = MIN(min_start, buf[i].start_ms);
        }
    c2h_flowsrc_close(src);
    if (n < 0 || max_end - min_start >= (gint64)UPTIME_MS) {
        fprintf(stderr, "nf5send: %s\n", n < 0 ? err->message : "flows span more than the exporter's uptime");
        return 2;
    }
    gint64 export_ms = max_end + 1000;

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[3]))};
    if (fd < 0 || inet_pton(AF_INET, argv[2], &to.sin_addr) != 1) {
        fprintf(stderr, "nf5send: bad host %s\n", argv[2]);
        return 2;
    }
    src = c2h_flowsrc_open("nfdump-csv", argv[1], &so, &err);
    exporter ex = {.fd = fd, .to = to, .export_ms = export_ms, .pace = pace};
    guint64 skipped = 0;
    while ((n = c2h_flowsrc_next(src, buf, V5_MAX, &err)) > 0)
        for (gssize i = 0; i < n; i++) {
            if (c2h_flow_family(&buf[i]) != C2H_FAMILY_V4) {
                skipped++;
                continue;
            }
            ex.batch[ex.fill++] = buf[i];
            if (ex.fill == V5_MAX && !flush(&ex))
                return 2;
        }
    if (n < 0) {
        fprintf(stderr, "nf5send: %s\n", err->message);
        return 2;
    }
    if (ex.fill > 0 && !flush(&ex))
        return 2;
    c2h_flowsrc_close(src);
    g_free(buf);
    close(fd);
    printf("%" G_GUINT64_FORMAT " flows sent in %" G_GUINT64_FORMAT " packets, %" G_GUINT64_FORMAT " IPv6 skipped\n",
           ex.sent, ex.packets, skipped);
    return 0;
}
