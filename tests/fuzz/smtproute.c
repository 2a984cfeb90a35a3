/*
 * smtproute.c - fuzz qmail-remote's smtproutes lookup (smtproute.h). Input: a
 * length byte, a host name of that length (at most 63), then control/smtproutes as
 * control_readlist gives it (items each ending in NUL). Invariants: the item chosen
 * is the one a model of the lookup order picks (the host, then each suffix from a
 * dot, then the empty key; keys without case; the first item wins; items without a
 * colon ignored); a route parsed is a host name of safe bytes, an address, or MX,
 * with a port 1..65535; the route written out again parses to the same route.
 */
#include <errno.h>
#include <strings.h>

#include "fuzz.h"
#include "ip.h"
#include "sa.h"
#include "smtproute.h"

/* find - the model: the first item keyed k[0..n), or 0 */
static const char *find(const char *list, size_t len, const char *k, size_t n)
{
	const char *p = list, *end = list + len;
	while (p < end) {
		const char *nul = memchr(p, 0, (size_t)(end - p));
		const char *e = nul ? nul : end;
		const char *colon = memchr(p, ':', (size_t)(e - p));
		if (colon && (size_t)(colon - p) == n && (n == 0 || !strncasecmp(p, k, n)))
			return p;
		p = e + 1;
	}
	return 0;
}

/* same_route - two parses of one route agree */
static void same_route(const smtproute *a, const smtproute *b)
{
	CHECK(a->port == b->port && ip_cmp(&a->ip, &b->ip) == 0);
	CHECK(fuzz_same(a->relay ? a->relay : "", a->relaylen, b->relay ? b->relay : "",
			b->relaylen));
	CHECK(!a->relay == !b->relay);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t hl = fuzz_take(&data, &size) & 63, i, vlen;
	const char *host = (const char *)data, *list, *want = 0, *v, *e;
	smtproute r, again;
	sa text = SA_ZERO;
	int x;
	if (hl > size)
		hl = size;
	list = host + hl;
	size -= hl;
	want = find(list, size, host, hl);
	for (i = 0; !want && i < hl; ++i)
		if (host[i] == '.')
			want = find(list, size, host + i, hl - i);
	if (!want)
		want = find(list, size, "", 0);
	errno = 0;
	x = smtproute_find(&r, list, size, host, hl);
	CHECK((x != 0) == (want != 0));
	if (!want) {
		CHECK(r.entry == 0);
		return 0;
	}
	CHECK(r.entry == want);
	v = memchr(want, ':', (size_t)(list + size - want)) + 1;
	e = memchr(v, 0, (size_t)(list + size - v));
	vlen = (size_t)((e ? e : list + size) - v);
	if (x < 0) {
		CHECK(errno == EINVAL && r.relay == 0 && r.ip.family == 0);
		return 0;
	}
	CHECK(r.port >= 1 && r.port <= 65535);
	CHECK(!(r.relay && r.ip.family));
	if (r.relay) {
		CHECK(r.relay >= v && r.relay + r.relaylen <= v + vlen && r.relaylen > 0);
		for (i = 0; i < r.relaylen; ++i) {
			char c = r.relay[i];
			CHECK((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.');
		}
		CHECK(sa_catb(&text, r.relay, r.relaylen));
	} else if (r.ip.family) {
		char t[IP_FMT_LITERAL];
		CHECK(r.ip.family == 4 || r.ip.family == 6);
		CHECK(sa_catb(&text, t, ip_fmt_literal(t, &r.ip)));
	}
	CHECK(sa_catc(&text, ':') && sa_catu(&text, r.port));
	CHECK(smtproute_parse(&again, text.s, text.len));
	same_route(&r, &again);
	sa_free(&text);
	return 0;
}
