/*
 * smtpaddr.c - fuzz how qmail-remote writes an envelope address as an SMTP path
 * (smtpaddr.h). Input: an address. Invariants: the path is "<" ... ">"; its local
 * part is bare exactly when it is an RFC 5321 dot-string (atoms of atext or 8-bit
 * bytes joined by single dots), else a quoted string; reading the path back (the
 * quoted string unescaped, the domain after the last '@') gives the same address;
 * an address smtpaddr_ok accepts gives a path without CR, LF or NUL.
 */
#include "smtpaddr.h"
#include "fuzz.h"
#include "sa.h"

/* atext - RFC 5322 atext, and bytes above 127 */
static int atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c > 127 || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* dotstring - atoms joined by single dots */
static int dotstring(const char *s, size_t n)
{
	size_t i;
	int prev = '.';
	if (!n || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; ++i) {
		if (s[i] == '.' ? prev == '.' : !atext((unsigned char)s[i]))
			return 0;
		prev = s[i];
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *a = (const char *)data;
	sa out = SA_ZERO, back = SA_ZERO;
	size_t at = size, i;
	while (at > 0 && a[at - 1] != '@')
		--at;
	at = at ? at - 1 : size; /* the last '@', or none */
	CHECK(smtpaddr_path(&out, a, size));
	CHECK(out.len >= 2 && out.s[0] == '<' && out.s[out.len - 1] == '>');
	if (size == 0) {
		CHECK(out.len == 2);
		goto done;
	}
	i = 1;
	if (out.s[1] == '"') {
		CHECK(!dotstring(a, at));
		for (i = 2; i < out.len && out.s[i] != '"'; ++i) {
			if (out.s[i] == '\\')
				++i;
			CHECK(i < out.len && sa_catc(&back, out.s[i]));
		}
		CHECK(i < out.len);
		++i;
	} else {
		CHECK(dotstring(a, at));
		CHECK(sa_catb(&back, out.s + 1, at));
		i = 1 + at;
	}
	CHECK(sa_catb(&back, out.s + i, out.len - 1 - i));
	CHECK(fuzz_same(back.s, back.len, a, size));
	if (smtpaddr_ok(a, size))
		for (i = 0; i < out.len; ++i)
			CHECK(out.s[i] != '\r' && out.s[i] != '\n' && out.s[i] != 0);
done:
	sa_free(&out);
	sa_free(&back);
	return 0;
}
