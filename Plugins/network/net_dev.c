#include "net_dev.h"
#include "vigil_kit.h"

#include <string.h>

/* After the colon: rx bytes packets errs drop fifo frame compressed multicast,
 * then tx bytes packets errs drop fifo colls carrier compressed. */
static int parse_counters(const char *p, net_counters *c) {
    uint64_t v[16];
    for (size_t i = 0; i < 16; i++) {
        if (vk_parse_u64(&p, &v[i]) != 0) return -1;
    }
    c->rx_bytes = v[0]; c->rx_packets = v[1]; c->rx_errors = v[2]; c->rx_drops = v[3];
    c->tx_bytes = v[8]; c->tx_packets = v[9]; c->tx_errors = v[10]; c->tx_drops = v[11];
    return 0;
}

size_t net_dev_parse(const char *text, void (*fn)(void *user, const net_counters *counters), void *user) {
    size_t reported = 0;
    net_counters c;
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        const char *colon = strchr(line, ':');
        if (colon && (!nl || colon < nl)) {
            const char *name = line;
            while (*name == ' ') name++;
            size_t len = (size_t)(colon - name);
            if (len > 0 && len < sizeof c.interface && !(len == 2 && strncmp(name, "lo", 2) == 0)) {
                memcpy(c.interface, name, len);
                c.interface[len] = '\0';
                if (parse_counters(colon + 1, &c) == 0) {
                    fn(user, &c);
                    reported++;
                }
            }
        }
        if (!nl) break;
        line = nl + 1;
    }
    return reported;
}
