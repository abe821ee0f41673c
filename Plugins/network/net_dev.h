/* Parsing /proc/<pid>/net/dev: one line of counters per interface. */
#ifndef VIGIL_NET_DEV_H
#define VIGIL_NET_DEV_H

#include <stddef.h>
#include <stdint.h>

typedef struct net_counters {
    char interface[32];
    uint64_t rx_bytes, rx_packets, rx_errors, rx_drops;
    uint64_t tx_bytes, tx_packets, tx_errors, tx_drops;
} net_counters;

/** Calls `fn` for each interface in the text of a net/dev file, except
 *  loopback. Returns the number of interfaces passed to fn. */
size_t net_dev_parse(const char *text, void (*fn)(void *user, const net_counters *counters), void *user);

#endif
