/*
 * smtproute.c - smtproutes (and qmtproutes) lookup. The list is what control_readlist gives: items,
 * each followed by a NUL. Items without a colon carry no route and are ignored.
 * smtproute_find returns 1 when an item matched, 0 when none did, and -1 with errno
 * EINVAL when the matching item is malformed (the caller defers rather than guess).
 */
#include "smtproute.h"

#include <errno.h>

#include "scan.h"
#include "str.h"

/* lookup - the value of the first item whose key is s[0..n), and its length; or 0 */
static const char *lookup(const char *list, size_t len, const char *s, size_t n, const char **entry,
			  size_t *vlen)
{
	size_t i = 0;
	while (i < len) {
		const char *item = list + i;
		size_t itemlen = byte_chr(item, len - i, 0);
		size_t colon = byte_chr(item, itemlen, ':');
		if (colon < itemlen && colon == n && case_equalb(item, n, s)) {
			*entry = item;
			*vlen = itemlen - colon - 1;
			return item + colon + 1;
		}
		i += itemlen + 1;
	}
	return 0;
}

/* name_ok - a relay host name: letters, digits, '-', '_' and '.', nothing else */
static int name_ok(const char *s, size_t n)
{
	size_t i;
	if (!n)
		return 0;
	for (i = 0; i < n; ++i) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

/* bracket - "[2001:db8::1]" (an IPv6 address in brackets without the tag) or any
 * literal ip_scan_literal knows; bytes used, or 0 */
static size_t bracket(const char *s, size_t n, ip_addr *ip)
{
	size_t k = ip_scan_literal(s, n, ip);
	if (k)
		return k;
	if (n < 2 || s[0] != '[')
		return 0;
	k = ip6_scan(s + 1, n - 1, ip);
	if (!k || 1 + k >= n || s[1 + k] != ']')
		return 0;
	return k + 2;
}

/* smtproute_parseport - the value of an item, "relay[:port]", into r (entry
 * untouched), with port defport when the item names none; 1, or 0 with errno EINVAL */
int smtproute_parseport(smtproute *r, const char *value, size_t len, unsigned defport)
{
	size_t k;
	uint64_t port = defport;
	r->relay = 0;
	r->relaylen = 0;
	r->ip.family = 0;
	if (len && value[0] == '[') {
		k = bracket(value, len, &r->ip);
		if (!k)
			goto bad;
	} else {
		k = byte_chr(value, len, ':');
		if (k && ip_scan_all(value, k, &r->ip)) {
			if (r->ip.family != 4)
				goto bad; /* a bare IPv6 address would need brackets */
		} else if (k) {
			if (!name_ok(value, k))
				goto bad;
			r->relay = value;
			r->relaylen = k;
		}
	}
	if (k < len) {
		if (value[k] != ':')
			goto bad;
		++k;
		if (k < len && (!scan_u64_all(value + k, len - k, &port) || !port || port > 65535))
			goto bad;
	}
	r->port = (unsigned)port;
	return 1;
bad:
	r->relay = 0;
	r->ip.family = 0;
	errno = EINVAL;
	return 0;
}

/* smtproute_parse - smtproute_parseport for smtproutes: port 25 unless the item says */
int smtproute_parse(smtproute *r, const char *value, size_t len)
{
	return smtproute_parseport(r, value, len, SMTPROUTE_SMTP);
}

/* smtproute_findport - the route for host[0..hostlen) in list, port defport unless the
 * item names one (qmtproutes shares the syntax with another port) */
int smtproute_findport(smtproute *r, const char *list, size_t len, const char *host, size_t hostlen,
		       unsigned defport)
{
	size_t i, vlen = 0;
	const char *v = lookup(list, len, host, hostlen, &r->entry, &vlen);
	for (i = 0; !v && i < hostlen; ++i)
		if (host[i] == '.')
			v = lookup(list, len, host + i, hostlen - i, &r->entry, &vlen);
	if (!v)
		v = lookup(list, len, "", 0, &r->entry, &vlen);
	if (!v) {
		r->entry = 0;
		return 0;
	}
	return smtproute_parseport(r, v, vlen, defport) ? 1 : -1;
}

/* smtproute_find - the route for host[0..hostlen) in smtproutes */
int smtproute_find(smtproute *r, const char *list, size_t len, const char *host, size_t hostlen)
{
	return smtproute_findport(r, list, len, host, hostlen, SMTPROUTE_SMTP);
}
