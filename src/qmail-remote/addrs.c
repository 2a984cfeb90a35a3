/*
 * addrs.c - how and where to deliver (SPEC section 8). In order:
 *   0. control/qmtproutes, then control/smtproutes: the first that has an item for the
 *      domain decides the protocol (QMTP, port 209 by default, or SMTP, port 25) and
 *      is used as below.
 *   1. the route: a route to an address uses that address; a route to a host
 *      name uses its A and AAAA records (a name that does not resolve is a temporary
 *      configuration error, #4.3.5); no check for mail loops (the route is the
 *      administrator's word). A route with an empty relay only sets the port.
 *   2. A domain that is an address literal ("[192.0.2.1]", "[IPv6:2001:db8::1]") or a
 *      bare IPv4 address is that address.
 *   3. The MX records, best preference first, in random order among equals (dns_mx);
 *      a domain without MX records is its own mail exchanger at preference 0 (its A
 *      and AAAA records). An exchanger whose addresses cannot be found is passed over;
 *      a temporary failure matters only when no exchanger is left. A null MX (RFC
 *      7505) means the domain takes no mail.
 * For 2 and 3, if one of the addresses is this host's, only exchangers with a strictly
 * better preference may be used: none left means the domain is misconfigured or ought
 * to be local, and the message fails (#5.4.6).
 */
#include <errno.h>
#include <string.h>

#include "alloc.h"
#include "dns.h"
#include "remote.h"
#include "size.h"
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

/* resolver - the DNS configuration (/etc/resolv.conf) */
static void resolver(remote *r, dns_conf *c)
{
	if (!dns_conf_load(c))
		finish(r, 'Z', 0, "Unable to read the DNS configuration. (#4.3.0)\n", (char *)0);
}

/* add_list - append the addresses of one host at one preference */
static void add_list(remote *r, const ip_list *l, unsigned pref)
{
	size_t i;
	for (i = 0; i < l->len; ++i)
		add(r, &l->a[i], pref);
}

/* temporary - a DNS lookup failed for now: out of memory is ours, the rest the DNS's */
static _Noreturn void temporary(remote *r, const char *what, const char *name)
{
	if (errno == ENOMEM)
		nomem(r);
	finish(r, 'Z', 0, "Temporary DNS failure looking up ", what, name, ". (#4.1.2)\n",
	       (char *)0);
}

/* relay - the addresses of a relay named in smtproutes. A relay that does not
 * resolve is a configuration error: the message waits for it to be fixed. */
static void relay(remote *r, const char *name, size_t len)
{
	dns_conf c;
	ip_list l = IP_LIST_ZERO;
	sa host = SA_ZERO;
	int x;
	if (!sa_copyb(&host, name, len) || !sa_0(&host))
		nomem(r);
	resolver(r, &c);
	x = dns_ip(&c, host.s, &l);
	if (x == DNS_TEMP)
		temporary(r, "the relay ", host.s);
	if (x != DNS_OK)
		finish(r, 'Z', 0, "The relay ", host.s, " in control/",
		       r->qmtp ? "qmtproutes" : "smtproutes",
		       " has no address in the DNS. (#4.3.5)\n", (char *)0);
	add_list(r, &l, 0);
	ip_list_free(&l);
	sa_free(&host);
}

/* by_address - the domain has no MX records: it is its own exchanger, preference 0 */
static void by_address(remote *r, const dns_conf *c)
{
	ip_list l = IP_LIST_ZERO;
	int x = dns_ip(c, r->host, &l);
	if (x == DNS_TEMP)
		temporary(r, "", r->host);
	if (x == DNS_NXDOMAIN || x == DNS_BADNAME)
		finish(r, 'D', 0, "The domain ", r->host, " does not exist. (#5.1.2)\n", (char *)0);
	if (x != DNS_OK)
		finish(r, 'D', 0, "The domain ", r->host,
		       " has neither a mail exchanger nor an address. (#5.4.4)\n", (char *)0);
	add_list(r, &l, 0);
	ip_list_free(&l);
}

/* by_mx - the addresses of the domain's mail exchangers, best first (dns_mx has put
 * equal preferences in random order). An exchanger whose addresses cannot be found
 * is passed over; if that leaves none and some lookup failed for now, try later. A
 * null MX (RFC 7505) says the domain takes no mail. */
static void by_mx(remote *r)
{
	dns_conf c;
	dns_mxlist mx = DNS_MXLIST_ZERO;
	ip_list l = IP_LIST_ZERO;
	size_t i, null = 0;
	int x, temp = 0;
	resolver(r, &c);
	x = dns_mx(&c, r->host, &mx);
	if (x == DNS_TEMP)
		temporary(r, "the mail exchangers of ", r->host);
	if (x == DNS_NXDOMAIN)
		finish(r, 'D', 0, "The domain ", r->host, " does not exist. (#5.1.2)\n", (char *)0);
	if (x == DNS_BADNAME) {
		unsigned char w[DNS_NAME_MAX];
		size_t wl;
		if (!dns_name_wire(w, &wl, r->host, strlen(r->host)))
			finish(r, 'D', 0, "The domain ", r->host,
			       " is not a valid domain name. (#5.1.2)\n", (char *)0);
		finish(r, 'D', 0, "No mail exchanger of ", r->host, " has a valid name. (#5.4.4)\n",
		       (char *)0);
	}
	if (x != DNS_OK) {
		by_address(r, &c);
		return;
	}
	for (i = 0; i < mx.len; ++i) {
		if (!strcmp(mx.mx[i].name, ".")) {
			++null;
			continue;
		}
		x = dns_ip(&c, mx.mx[i].name, &l);
		if (x == DNS_OK)
			add_list(r, &l, mx.mx[i].pref);
		else if (x == DNS_TEMP && errno == ENOMEM)
			nomem(r);
		else if (x == DNS_TEMP)
			temp = 1;
	}
	ip_list_free(&l);
	dns_mxlist_free(&mx);
	if (r->nt)
		return;
	if (temp)
		temporary(r, "the mail exchangers of ", r->host);
	if (null)
		finish(r, 'D', 0, "The domain ", r->host,
		       " does not accept mail (it has a null MX record). (#5.1.10)\n", (char *)0);
	finish(r, 'D', 0, "No mail exchanger of ", r->host, " has an address. (#5.4.4)\n",
	       (char *)0);
}

/* addrs_route - look the domain up in qmtproutes, then smtproutes: set r->qmtp, the
 * default port, and r->route when an item matched; a malformed item ends the run */
void addrs_route(remote *r)
{
	size_t n = strlen(r->host);
	int x = smtproute_findport(&r->route, r->qroutes.s, r->qroutes.len, r->host, n,
				   SMTPROUTE_QMTP);
	if (x == -1)
		finish(r, 'Z', 0, "Malformed entry in control/qmtproutes: ", r->route.entry,
		       " (#4.3.5)\n", (char *)0);
	r->qmtp = x == 1;
	r->port = r->qmtp ? SMTPROUTE_QMTP : SMTPROUTE_SMTP;
	if (!r->qmtp) {
		x = smtproute_find(&r->route, r->routes.s, r->routes.len, r->host, n);
		if (x == -1)
			finish(r, 'Z', 0, "Malformed entry in control/smtproutes: ", r->route.entry,
			       " (#4.3.5)\n", (char *)0);
	}
	r->routed = x == 1;
	if (r->routed)
		r->port = r->route.port;
}

/* addrs_find - fill r->t with the addresses to try, in order (after addrs_route); a
 * domain that cannot be delivered to ends the run here */
void addrs_find(remote *r)
{
	ip_addr ip;
	if (r->routed) {
		if (r->route.ip.family) {
			add(r, &r->route.ip, 0);
			return;
		}
		if (r->route.relay) {
			relay(r, r->route.relay, r->route.relaylen);
			return;
		}
	}
	if (literal(r->host, &ip))
		add(r, &ip, 0);
	else
		by_mx(r);
	not_me(r);
}
