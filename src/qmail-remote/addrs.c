/*
 * addrs.c - where to deliver (SPEC section 8). In order:
 *   1. control/smtproutes: a route to an address uses that address; a route to a host
 *      name uses its A and AAAA records; no check for mail loops (the route is the
 *      administrator's word). A route with an empty relay only sets the port.
 *   2. A domain that is an address literal ("[192.0.2.1]", "[IPv6:2001:db8::1]") or a
 *      bare address is that address.
 *   3. The MX records, best preference first, in random order among equals; a domain
 *      without MX records is its own mail exchanger at preference 0 (its A and AAAA
 *      records).
 * For 2 and 3, if one of the addresses is this host's, only exchangers with a strictly
 * better preference may be used: none left means the domain is misconfigured or ought
 * to be local, and the message fails.
 */
#include <errno.h>
#include <string.h>

#include "alloc.h"
#include "remote.h"
#include "size.h"
#include "smtproute.h"
#include "sock.h"

/* add - append an address to try */
static void add(remote *r, const ip_addr *ip, unsigned pref)
{
	if (r->nt == r->at) {
		size_t n, bytes;
		void *p = r->t;
		if (!size_mul(&n, r->at ? r->at : 4, 2) || !size_mul(&bytes, n, sizeof *r->t) ||
		    !alloc_resize(&p, bytes))
			nomem(r);
		r->t = p;
		r->at = n;
	}
	r->t[r->nt].ip = *ip;
	r->t[r->nt].pref = pref;
	++r->nt;
}

/* not_me - keep only exchangers better than the best one that is this host */
static void not_me(remote *r)
{
	ip_list me = IP_LIST_ZERO;
	unsigned prefme = ~0u;
	size_t i, k = 0;
	if (!sock_ipme(&me))
		finish(r, 'Z', 0, "Unable to list this host's addresses. (#4.3.0)\n", (char *)0);
	for (i = 0; i < r->nt; ++i)
		if (ip_is_local(&me, &r->t[i].ip) && r->t[i].pref < prefme)
			prefme = r->t[i].pref;
	ip_list_free(&me);
	for (i = 0; i < r->nt; ++i)
		if (r->t[i].pref < prefme)
			r->t[k++] = r->t[i];
	r->nt = k;
	if (!r->nt)
		finish(r, 'D', 0, "This host is a best-preference mail exchanger for ", r->host,
		       ", but the domain is not one of its local domains "
		       "(control/locals, control/virtualdomains). (#5.4.6)\n",
		       (char *)0);
}

/* literal - the domain as an address: "[192.0.2.1]", "[IPv6:...]" or bare; 1 if so */
static int literal(const char *host, ip_addr *ip)
{
	size_t n = strlen(host);
	if (n && host[0] == '[')
		return ip_scan_literal(host, n, ip) == n;
	return ip_scan_all(host, n, ip);
}

/* relay - the addresses of a relay named in smtproutes */
static void relay(remote *r, const char *name, size_t len)
{
	(void)name;
	(void)len;
	finish(r, 'Z', 0, "DNS lookups are not available yet. (#4.3.0)\n", (char *)0);
}

/* by_mx - the addresses of the domain's mail exchangers */
static void by_mx(remote *r)
{
	finish(r, 'Z', 0, "DNS lookups are not available yet. (#4.3.0)\n", (char *)0);
}

/* addrs_find - fill r->t with the addresses to try, in order, and set r->port; a
 * domain that cannot be delivered to ends the run here */
void addrs_find(remote *r)
{
	smtproute rt;
	ip_addr ip;
	int x = smtproute_find(&rt, r->routes.s, r->routes.len, r->host, strlen(r->host));
	r->port = SMTP_PORT;
	if (x == -1)
		finish(r, 'Z', 0, "Malformed entry in control/smtproutes: ", rt.entry,
		       " (#4.3.5)\n", (char *)0);
	if (x == 1) {
		r->port = rt.port;
		if (rt.ip.family) {
			add(r, &rt.ip, 0);
			return;
		}
		if (rt.relay) {
			relay(r, rt.relay, rt.relaylen);
			return;
		}
	}
	if (literal(r->host, &ip))
		add(r, &ip, 0);
	else
		by_mx(r);
	not_me(r);
}
