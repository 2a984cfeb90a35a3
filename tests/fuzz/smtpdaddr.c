/*
 * smtpdaddr.c - fuzz qmail-smtpd's address parser (addr.c, compiled in here): the
 * arguments of MAIL and RCPT. Input: a byte choosing the keyword and the limit, then
 * the argument. Invariants: an address parsed holds no control byte and fits the
 * limit, and with a limit one byte shorter it is ADDR_LONG; the parameters start
 * after the address and its spaces, and addr_mailparams agrees with a model of
 * SIZE= and BODY=; an address with an '@' has an allow-listed domain (smtpaddr_domain)
 * and ADDR_DOMAIN is given exactly when a syntactically good address fails that test;
 * re-parsing the address as qmail-remote writes it (smtpaddr_path) gives the same
 * address, so whatever qmail-smtpd accepts qmail-remote relays unchanged;
 * addr_localip replaces a literal of this host by localiphost and nothing else.
 */
#include "../../src/qmail-smtpd/addr.c"

#include <strings.h>

#include "../../src/qmail-smtpd/smtpd.h"
#include "fuzz.h"
#include "smtpaddr.h"

/* params_model - SIZE=digits (at most 1000, saturating) and BODY=7BIT|8BITMIME, each
 * once at most, separated by spaces: 1 and *size, or 0 */
static int params_model(const char *s, size_t n, uint64_t *size)
{
	size_t i = 0;
	int sz = 0, bd = 0;
	*size = 0;
	while (i < n) {
		size_t e = i, k;
		while (e < n && s[e] != ' ')
			++e;
		if (e - i > 5 && !strncasecmp(s + i, "size=", 5) && !sz) {
			uint64_t u = 0;
			if (e - i - 5 > 1000)
				return 0;
			for (k = i + 5; k < e; ++k) {
				if (s[k] < '0' || s[k] > '9')
					return 0;
				u = u > (UINT64_MAX - 9) / 10 ? UINT64_MAX
							      : u * 10 + (uint64_t)(s[k] - '0');
			}
			*size = u;
			sz = 1;
		} else if (((e - i == 9 && !strncasecmp(s + i, "body=7bit", 9)) ||
			    (e - i == 13 && !strncasecmp(s + i, "body=8bitmime", 13))) &&
			   !bd) {
			bd = 1;
		} else {
			return 0;
		}
		while (e < n && s[e] == ' ')
			++e;
		i = e;
	}
	return 1;
}

/* domain_ok - whether the address has no '@' or an allow-listed domain after the last */
static int domain_ok(const sa *a)
{
	size_t at = byte_rchr(a->s, a->len, '@');
	return at == a->len || smtpaddr_domain(a->s + at + 1, a->len - at - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char b = fuzz_take(&data, &size);
	const char *kw = b & 1 ? "to:" : "from:";
	size_t max = b & 2 ? (size_t)(b >> 2) : SMTP_ADDRMAX, params, p2, i;
	const char *s = (const char *)data;
	sa a = SA_ZERO, again = SA_ZERO, path = SA_ZERO;
	uint64_t sz, msz;
	int r = addr_parse(s, size, kw, max, &a, &params);
	CHECK(r == ADDR_OK || r == ADDR_SYNTAX || r == ADDR_LONG || r == ADDR_DOMAIN);
	if (r == ADDR_DOMAIN) /* the same address, unchecked, is well formed and fits */
		CHECK(a.len <= max && !domain_ok(&a));
	if (r != ADDR_OK)
		goto done;
	CHECK(domain_ok(&a));
	CHECK(a.len <= max && params <= size);
	for (i = 0; i < a.len; ++i)
		CHECK((unsigned char)a.s[i] >= 32 && a.s[i] != 127);
	CHECK(params == size || (s[params] != ' ' && s[params - 1] == ' '));
	if (a.len) {
		CHECK(addr_parse(s, size, kw, a.len - 1, &again, &p2) == ADDR_LONG);
		CHECK(addr_parse(s, size, kw, a.len, &again, &p2) == ADDR_OK && p2 == params);
		CHECK(fuzz_same(again.s, again.len, a.s, a.len));
	}
	CHECK(addr_mailparams(s + params, size - params, &sz) ==
	      params_model(s + params, size - params, &msz));
	CHECK(!params_model(s + params, size - params, &msz) || sz == msz);
	CHECK(addr_noparams(s + params, size - params) == (params == size));

	/* what qmail-remote writes, qmail-smtpd reads back the same */
	{
		CHECK(sa_cats(&path, kw) && smtpaddr_path(&path, a.s, a.len));
		CHECK(addr_parse(path.s, path.len, kw, SMTP_ADDRMAX, &again, &p2) == ADDR_OK);
		CHECK(fuzz_same(again.s, again.len, a.s, a.len) && p2 == path.len);
	}

	/* a literal of this host becomes localiphost */
	{
		static ip_list me = IP_LIST_ZERO;
		size_t d = addr_domain(a.s, a.len);
		ip_addr ip;
		int local;
		if (!me.len) {
			CHECK(ip_scan_all("192.0.2.25", 10, &ip) && ip_list_add(&me, &ip));
			CHECK(ip_scan_all("2001:db8::25", 12, &ip) && ip_list_add(&me, &ip));
		}
		local = d < a.len && ip_scan_literal(a.s + d, a.len - d, &ip) == a.len - d &&
			ip_is_local(&me, &ip);
		CHECK(sa_copy(&again, &a));
		CHECK(addr_localip(&again, 0, &me) && fuzz_same(again.s, again.len, a.s, a.len));
		CHECK(addr_localip(&again, "lip.example", &me));
		if (local)
			CHECK(again.len == d + 11 && !memcmp(again.s, a.s, d) &&
			      !memcmp(again.s + d, "lip.example", 11));
		else
			CHECK(fuzz_same(again.s, again.len, a.s, a.len));
	}
done:
	sa_free(&a);
	sa_free(&again);
	sa_free(&path);
	return 0;
}
