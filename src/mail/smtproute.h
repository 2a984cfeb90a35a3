/*
 * smtproute.h - control/smtproutes (SPEC sections 0, 8 and 10): which relay, if any,
 * takes mail for a domain. Each item is "domain:relay[:port]". A domain is looked up
 * as itself, then as each suffix that starts at a dot (".example.com" matches only
 * subdomains), then as the empty key (a default route); case does not matter and the
 * first item with a key wins. The relay is a host name, an IPv4 address, or an
 * address in brackets: "[192.0.2.1]", "[2001:db8::1]" or "[IPv6:2001:db8::1]". An
 * empty relay means "deliver by MX as usual", on the item's port. control/qmtproutes
 * has the same syntax with port 209 by default (the *port functions).
 */
#ifndef SMTPROUTE_H
#define SMTPROUTE_H

#include <stddef.h>

#include "ip.h"

typedef struct smtproute_s {
	const char *entry; /* the matching item, borrowed from the list */
	const char *relay; /* the relay host name inside entry, 0 if none (address or MX) */
	size_t relaylen;   /* its length */
	ip_addr ip;        /* the relay when written as an address; family 0 otherwise */
	unsigned port;     /* the item's port, else the default (25 for smtproutes) */
} smtproute;

#define SMTPROUTE_SMTP 25  /* default port of smtproutes */
#define SMTPROUTE_QMTP 209 /* default port of qmtproutes */

int smtproute_find(smtproute *r, const char *list, size_t len, const char *host, size_t hostlen);
int smtproute_parse(smtproute *r, const char *value, size_t len);
int smtproute_findport(smtproute *r, const char *list, size_t len, const char *host, size_t hostlen,
		       unsigned defport);
int smtproute_parseport(smtproute *r, const char *value, size_t len, unsigned defport);

#endif
