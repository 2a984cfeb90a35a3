/*
 * dnsconf.h - which recursive DNS servers to ask, and how patiently: read from
 * /etc/resolv.conf (nameserver lines, options timeout: and attempts:), or, for tests,
 * from $QMAIL_DNS_SERVER in a process that is not set-id.
 */
#ifndef DNSCONF_H
#define DNSCONF_H

#include <stddef.h>
#include <stdint.h>

#include "ip.h"

#define DNS_NS_MAX       8    /* servers kept from resolv.conf */
#define DNS_TIMEOUT_MS   5000 /* default wait for one server, as resolv.conf(5) */
#define DNS_ATTEMPTS     2    /* default rounds over all the servers */
#define DNS_PORT         53
#define DNS_SERVER_ENV   "QMAIL_DNS_SERVER"
#define DNS_RESOLV_CONF  "/etc/resolv.conf"
#define DNS_RESOLV_LIMIT 65536 /* a larger resolv.conf is an error */

typedef struct dns_conf_s {
	ip_addr ns[DNS_NS_MAX];    /* the servers, in the order they are asked */
	uint16_t port[DNS_NS_MAX]; /* each server's port: 53 except in tests */
	size_t n;                  /* servers in use */
	unsigned timeout_ms;       /* wait for one server's answer, per attempt */
	unsigned attempts;         /* rounds over all the servers */
	uint16_t udpsize;          /* EDNS0 UDP size offered; 0 sends no OPT record */
} dns_conf;

void dns_conf_init(dns_conf *c);
int dns_conf_parse(dns_conf *c, const char *s, size_t n);
int dns_conf_servers(dns_conf *c, const char *s);
int dns_conf_load(dns_conf *c);

#endif
