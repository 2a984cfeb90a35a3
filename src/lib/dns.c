/*
 * dns.c - MX, address, CNAME and PTR lookups. A lookup asks the servers (dnsresolv.c),
 * then follows the CNAME chain in the answer section from the name asked: records of
 * the wanted type owned by the chain's last name are the answer. When a chain ends
 * without them, the last name is asked about in turn, as a resolver that did not
 * chase the chain requires; at most DNS_CNAME_MAX links in all, after which the
 * lookup fails temporarily with ELOOP (a CNAME loop is a fixable mistake). An
 * NXDOMAIN answer means the last name of the chain does not exist.
 *
 * Names come back as text: MX hosts only when they are made of letters, digits, '-',
 * '_' and dots (others are dropped, so a name with a space, CR, ';', '/' or '`' never
 * reaches a caller), canonical and PTR names with every other byte escaped as \DDD.
 */
#include "dns.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "dnsresolv.h"
#include "size.h"

/* dns_reply_follow - follow the CNAME chain in r's answer section from name (wire
   form, DNS_NAME_MAX bytes, updated to the chain's last name), counting links in
   *hops; 1 if that name owns answer records of type, 0 if not, -1 with ELOOP past
   DNS_CNAME_MAX links. A type of 0 matches nothing, so the chain is followed to
   its end */
int dns_reply_follow(const dns_reply *r, unsigned char *name, uint16_t type, size_t *hops)
{
	for (;;) {
		const unsigned char *next = 0;
		size_t i;
		for (i = 0; i < r->n; i++) {
			const dns_rr *rr = &r->rr[i];
			if (rr->section != DNS_S_ANSWER || rr->class != DNS_C_IN ||
			    !dns_name_equal(dns_reply_name(r, rr->name), name))
				continue;
			if (type && rr->type == type)
				return 1;
			if (rr->type == DNS_T_CNAME && !next)
				next = dns_reply_name(r, rr->target);
		}
		if (!next)
			return 0;
		if (*hops >= DNS_CNAME_MAX) {
			errno = ELOOP;
			return -1;
		}
		++*hops;
		memmove(name, next, dns_name_len(next));
	}
}

/* host_text - wire name w, a valid host name, as text at s (DNS_HOST_MAX + 1 bytes) */
static void host_text(char *s, const unsigned char *w)
{
	size_t i = 0, o = 0;
	while (w[i]) {
		size_t n = w[i++];
		if (o)
			s[o++] = '.';
		memcpy(s + o, w + i, n);
		o += n;
		i += n;
	}
	s[o] = 0;
}

/* dns_reply_mx - the MX records of name in r's answer section into out (emptied
   first), unsorted; a target that is not a valid host name is dropped, the root
   (RFC 7505 null MX) becomes "."; DNS_OK, DNS_NODATA, DNS_BADNAME (EINVAL) when
   every target was dropped, or DNS_TEMP (ENOMEM) */
int dns_reply_mx(const dns_reply *r, const unsigned char *name, dns_mxlist *out)
{
	size_t i, dropped = 0;
	out->len = 0;
	for (i = 0; i < r->n; i++) {
		const dns_rr *rr = &r->rr[i];
		const unsigned char *t;
		dns_mxhost *m;
		if (rr->section != DNS_S_ANSWER || rr->class != DNS_C_IN || rr->type != DNS_T_MX ||
		    !dns_name_equal(dns_reply_name(r, rr->name), name))
			continue;
		t = dns_reply_name(r, rr->target);
		if (t[0] && !dns_name_host(t)) {
			dropped++;
			continue;
		}
		if (out->len == out->alloc) {
			size_t want, bytes;
			void *p = out->mx;
			if (!size_add(&want, out->alloc, out->alloc / 2 + 4) ||
			    !size_mul(&bytes, want, sizeof *out->mx) || !alloc_resize(&p, bytes))
				return DNS_TEMP;
			out->mx = p;
			out->alloc = want;
		}
		m = &out->mx[out->len++];
		m->pref = rr->pref;
		m->key = 0;
		if (t[0])
			host_text(m->name, t);
		else
			memcpy(m->name, ".", 2);
	}
	if (out->len)
		return DNS_OK;
	if (dropped) {
		errno = EINVAL;
		return DNS_BADNAME;
	}
	return DNS_NODATA;
}

/* dns_reply_ip - append the addresses of name's records of type (DNS_T_A or
   DNS_T_AAAA) in r's answer section to out, leaving out duplicates; DNS_OK if name
   has such records, DNS_NODATA if not, DNS_TEMP (ENOMEM) */
int dns_reply_ip(const dns_reply *r, const unsigned char *name, uint16_t type, ip_list *out)
{
	size_t i;
	int found = 0;
	for (i = 0; i < r->n; i++) {
		const dns_rr *rr = &r->rr[i];
		if (rr->section != DNS_S_ANSWER || rr->class != DNS_C_IN || rr->type != type ||
		    !dns_name_equal(dns_reply_name(r, rr->name), name))
			continue;
		found = 1;
		if (!ip_list_has(out, &rr->ip) && !ip_list_add(out, &rr->ip))
			return DNS_TEMP;
	}
	return found ? DNS_OK : DNS_NODATA;
}

/* lookup - ask about name (wire form; updated to the end of its CNAME chain) and
   follow the chain; DNS_OK with r holding the records, DNS_NODATA, DNS_NXDOMAIN or
   DNS_TEMP with errno */
static int lookup(const dns_conf *c, unsigned char *name, uint16_t type, dns_reply *r)
{
	size_t hops = 0;
	for (;;) {
		size_t before = hops;
		int f;
		if (!dns_transact(c, r, name, type))
			return DNS_TEMP;
		f = dns_reply_follow(r, name, type, &hops);
		if (f < 0)
			return DNS_TEMP;
		if (f)
			return DNS_OK;
		if (r->rcode == DNS_R_NXDOMAIN)
			return DNS_NXDOMAIN;
		if (hops == before)
			return DNS_NODATA;
	}
}

/* done - free r keeping errno, and pass status through */
static int done(dns_reply *r, int status)
{
	int e = errno;
	dns_reply_free(r);
	errno = e;
	return status;
}

/* kernel_rnd - a random number for dns_mx_sort; 0 if the kernel gives none */
static uint32_t kernel_rnd(void *arg)
{
	uint32_t u = 0;
	(void)arg;
	if (!dns_random(&u, sizeof u))
		u = 0;
	return u;
}

/* dns_mx - the MX hosts of domain name into out, sorted by dns_mx_sort; DNS_OK,
   DNS_NODATA (no MX: the caller may use the domain's addresses), DNS_NXDOMAIN,
   DNS_TEMP with errno, or DNS_BADNAME (EINVAL) for a name that is not a host name
   or whose MX records all name invalid hosts */
int dns_mx(const dns_conf *c, const char *name, dns_mxlist *out)
{
	unsigned char w[DNS_NAME_MAX];
	size_t wl;
	dns_reply r = DNS_REPLY_ZERO;
	int st;
	out->len = 0;
	if (!dns_name_wire(w, &wl, name, strlen(name)))
		return DNS_BADNAME;
	st = lookup(c, w, DNS_T_MX, &r);
	if (st == DNS_OK)
		st = dns_reply_mx(&r, w, out);
	if (st == DNS_OK)
		dns_mx_sort(out->mx, out->len, kernel_rnd, 0);
	return done(&r, st);
}

/* family - the addresses of one type (DNS_T_A or DNS_T_AAAA) of name, appended */
static int family(const dns_conf *c, const char *name, uint16_t type, ip_list *out)
{
	unsigned char w[DNS_NAME_MAX];
	size_t wl;
	dns_reply r = DNS_REPLY_ZERO;
	int st;
	if (!dns_name_wire(w, &wl, name, strlen(name)))
		return DNS_BADNAME;
	st = lookup(c, w, type, &r);
	if (st == DNS_OK)
		st = dns_reply_ip(&r, w, type, out);
	return done(&r, st);
}

/* dns_ip4 - the IPv4 addresses of host name into out (emptied first); statuses as
   dns_mx */
int dns_ip4(const dns_conf *c, const char *name, ip_list *out)
{
	out->len = 0;
	return family(c, name, DNS_T_A, out);
}

/* dns_ip6 - the IPv6 addresses of host name into out (emptied first) */
int dns_ip6(const dns_conf *c, const char *name, ip_list *out)
{
	out->len = 0;
	return family(c, name, DNS_T_AAAA, out);
}

/* dns_ip - the IPv4 then the IPv6 addresses of host name into out (emptied first).
   DNS_OK if either lookup found addresses (a failure of the other is ignored), else
   DNS_NXDOMAIN if either said so, else DNS_TEMP if either failed, else DNS_NODATA */
int dns_ip(const dns_conf *c, const char *name, ip_list *out)
{
	int s4, s6, e4;
	out->len = 0;
	s4 = family(c, name, DNS_T_A, out);
	if (s4 == DNS_BADNAME)
		return s4;
	e4 = errno;
	s6 = family(c, name, DNS_T_AAAA, out);
	if (s4 == DNS_OK || s6 == DNS_OK)
		return out->len ? DNS_OK : DNS_NODATA;
	if (s4 == DNS_NXDOMAIN || s6 == DNS_NXDOMAIN)
		return DNS_NXDOMAIN;
	if (s4 == DNS_TEMP) {
		errno = e4;
		return DNS_TEMP;
	}
	return s6;
}

/* dns_cname - the canonical name of name (the end of its CNAME chain, or name
   itself) as text into out (emptied first); DNS_OK, DNS_NXDOMAIN, DNS_TEMP or
   DNS_BADNAME */
int dns_cname(const dns_conf *c, const char *name, sa *out)
{
	unsigned char w[DNS_NAME_MAX];
	size_t wl, hops = 0;
	dns_reply r = DNS_REPLY_ZERO;
	out->len = 0;
	if (!dns_name_wire(w, &wl, name, strlen(name)))
		return DNS_BADNAME;
	for (;;) {
		size_t before = hops;
		if (!dns_transact(c, &r, w, DNS_T_CNAME) || dns_reply_follow(&r, w, 0, &hops) < 0)
			return done(&r, DNS_TEMP);
		if (r.rcode == DNS_R_NXDOMAIN)
			return done(&r, DNS_NXDOMAIN);
		if (hops == before)
			break;
	}
	return done(&r, dns_name_fmt(out, w) ? DNS_OK : DNS_TEMP);
}

/* dns_ptr - the name of address ip (its first PTR record, through any CNAME chain, as
   RFC 2317 delegation uses) as text into out (emptied first); DNS_OK, DNS_NODATA,
   DNS_NXDOMAIN, DNS_TEMP, or DNS_BADNAME for an address of no family */
int dns_ptr(const dns_conf *c, const ip_addr *ip, sa *out)
{
	unsigned char w[DNS_NAME_MAX];
	size_t wl, i;
	dns_reply r = DNS_REPLY_ZERO;
	int st;
	out->len = 0;
	if (!dns_name_ptr(w, &wl, ip))
		return DNS_BADNAME;
	st = lookup(c, w, DNS_T_PTR, &r);
	for (i = 0; st == DNS_OK && i < r.n; i++) {
		const dns_rr *rr = &r.rr[i];
		if (rr->section == DNS_S_ANSWER && rr->class == DNS_C_IN && rr->type == DNS_T_PTR &&
		    dns_name_equal(dns_reply_name(&r, rr->name), w))
			return done(&r, dns_name_fmt(out, dns_reply_name(&r, rr->target))
						? DNS_OK
						: DNS_TEMP);
	}
	return done(&r, st);
}

/* mx_cmp - qsort order: preference, then the random key */
static int mx_cmp(const void *a, const void *b)
{
	const dns_mxhost *x = a, *y = b;
	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return 0;
}

/* dns_mx_sort - order mx[0..n) by preference, hosts of equal preference in random
   order: each gets a key from rnd(arg), and keys break ties (RFC 5321 5.1) */
void dns_mx_sort(dns_mxhost *mx, size_t n, uint32_t (*rnd)(void *), void *arg)
{
	size_t i;
	for (i = 0; i < n; i++)
		mx[i].key = rnd(arg);
	if (n > 1)
		qsort(mx, n, sizeof *mx, mx_cmp);
}

/* dns_mxlist_free - release l's storage; l is empty and reusable afterwards */
void dns_mxlist_free(dns_mxlist *l)
{
	alloc_free(l->mx);
	l->mx = 0;
	l->len = 0;
	l->alloc = 0;
}
