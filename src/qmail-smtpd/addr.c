/*
 * addr.c - parsing the argument of MAIL FROM and RCPT TO.
 *
 * "FROM:" or "TO:" (any case), optional spaces, then either a path in angle brackets
 * or (old clients) a bare address up to the next space. Inside the path a leading
 * source route "@a,@b:" is dropped, double quotes are removed and a backslash takes
 * the next byte literally, so "a\"b"@c and "a b"@c come out as a"b@c and a b@c. A
 * space outside quotes, a control byte (0..31, 127) anywhere, an unclosed bracket or
 * quote, and text glued to the closing bracket are syntax errors; bytes >= 128 pass.
 * The result is limited to max bytes; the work done and the memory used are bounded
 * by the length of the input. An address with an '@' must have a domain after the
 * last one that is a host name or an address literal (smtpaddr_domain): a quoted
 * "x@y z" would otherwise give the domain "y z", which no path can carry.
 */
#include "addr.h"

#include <string.h>

#include "smtpaddr.h"
#include "str.h"

/* ctl - whether c is a control byte, never valid in an SMTP path */
static int ctl(unsigned char c)
{
	return c < 32 || c == 127;
}

/* addr_parse - parse "KW<path> params" at s[0..n) into out (replaced); *params is
 * the offset of the first parameter byte (n when there are none). ADDR_OK, or
 * ADDR_SYNTAX, ADDR_LONG (more than max bytes), ADDR_DOMAIN, ADDR_NOMEM. */
int addr_parse(const char *s, size_t n, const char *kw, size_t max, sa *out, size_t *params)
{
	size_t k = strlen(kw);
	size_t i, d;
	int bracket;
	int quoted = 0;
	out->len = 0;
	if (n < k || !case_equalb(s, k, kw))
		return ADDR_SYNTAX;
	for (i = k; i < n && s[i] == ' '; ++i)
		;
	bracket = i < n && s[i] == '<';
	if (bracket)
		++i;
	if (i < n && s[i] == '@') { /* source route: "@a,@b:" is dropped */
		while (i < n && s[i] != ':' && s[i] != '>' && !ctl((unsigned char)s[i]))
			++i;
		if (i == n || s[i] != ':')
			return ADDR_SYNTAX;
		++i;
	}
	for (; i < n; ++i) {
		unsigned char c = (unsigned char)s[i];
		if (ctl(c))
			return ADDR_SYNTAX;
		if (c == '\\') {
			if (++i == n || ctl((unsigned char)s[i]))
				return ADDR_SYNTAX;
			c = (unsigned char)s[i];
		} else if (c == '"') {
			quoted = !quoted;
			continue;
		} else if (!quoted && c == ' ') {
			if (bracket)
				return ADDR_SYNTAX;
			break;
		} else if (!quoted && bracket && c == '>') {
			break;
		}
		if (out->len >= max)
			return ADDR_LONG;
		if (!sa_catc(out, (char)c))
			return ADDR_NOMEM;
	}
	if (quoted)
		return ADDR_SYNTAX;
	if (bracket) {
		if (i == n)
			return ADDR_SYNTAX; /* no closing bracket */
		++i;
		if (i < n && s[i] != ' ')
			return ADDR_SYNTAX; /* "<a@b>junk" */
	}
	while (i < n && s[i] == ' ')
		++i;
	*params = i;
	d = byte_rchr(out->s, out->len, '@');
	if (d < out->len && !smtpaddr_domain(out->s + d + 1, out->len - d - 1))
		return ADDR_DOMAIN;
	return ADDR_OK;
}

/* addr_domain - offset of the domain of addr: just after its last '@', or n */
size_t addr_domain(const char *addr, size_t n)
{
	size_t at = byte_rchr(addr, n, '@');
	return at == n ? n : at + 1;
}

/* addr_isliteral - whether the domain of addr[0..n) is an address literal ("[...]") */
int addr_isliteral(const char *addr, size_t n)
{
	size_t d = addr_domain(addr, n);
	return d < n && addr[d] == '[';
}

/* addr_localip - replace a domain that is an address literal of this host ("[ip]",
 * "[IPv6:ip]", also 0.0.0.0 and loopback) by liphost, so mail to the literal is
 * local mail; no change when liphost is 0. 1, or 0 out of memory. */
int addr_localip(sa *addr, const char *liphost, const ip_list *me)
{
	size_t d = addr_domain(addr->s, addr->len);
	ip_addr ip;
	if (!liphost || d == addr->len)
		return 1;
	if (ip_scan_literal(addr->s + d, addr->len - d, &ip) != addr->len - d)
		return 1;
	if (!ip_is_local(me, &ip))
		return 1;
	addr->len = d;
	return sa_cats(addr, liphost);
}

/* size_value - the decimal SIZE value of s[0..n); too large saturates; 0 if not digits */
static int size_value(const char *s, size_t n, uint64_t *size)
{
	uint64_t u = 0;
	size_t i;
	if (n == 0 || n > 1000)
		return 0;
	for (i = 0; i < n; ++i) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		if (u > (UINT64_MAX - 9) / 10)
			u = UINT64_MAX;
		else
			u = u * 10 + (uint64_t)(s[i] - '0');
	}
	*size = u;
	return 1;
}

/* addr_mailparams - check the MAIL parameters at s[0..n): SIZE=digits and
 * BODY=7BIT or BODY=8BITMIME, each at most once; *size gets SIZE (0 if absent).
 * 1, or 0 for any other parameter or a bad value (555). */
int addr_mailparams(const char *s, size_t n, uint64_t *size)
{
	size_t i = 0, end;
	int seen_size = 0, seen_body = 0;
	*size = 0;
	while (i < n) {
		const char *p = s + i;
		size_t len;
		for (end = i; end < n && s[end] != ' '; ++end)
			;
		len = end - i;
		if (len > 5 && case_equalb(p, 5, "size=") && !seen_size) {
			if (!size_value(p + 5, len - 5, size))
				return 0;
			seen_size = 1;
		} else if (len > 5 && case_equalb(p, 5, "body=") && !seen_body &&
			   ((len == 9 && case_equalb(p + 5, 4, "7bit")) ||
			    (len == 13 && case_equalb(p + 5, 8, "8bitmime")))) {
			seen_body = 1;
		} else {
			return 0;
		}
		for (i = end; i < n && s[i] == ' '; ++i)
			;
	}
	return 1;
}

/* addr_noparams - whether s[0..n) holds no parameter at all (RCPT takes none) */
int addr_noparams(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; ++i)
		if (s[i] != ' ')
			return 0;
	return 1;
}
