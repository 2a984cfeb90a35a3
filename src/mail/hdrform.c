/*
 * hdrform.c - rewriting and printing single addresses and names, for hdraddr.c and
 * for programs that build header fields (qmail-inject's From). Printing refuses CR,
 * LF and NUL, the bytes that could end a header line or an envelope record early.
 */
#include "hdraddr.h"

#include <errno.h>
#include <string.h>

#include "str.h"

/* hdr_atomchar - whether byte c may be part of an RFC 822 atom (8-bit bytes may) */
int hdr_atomchar(unsigned char c)
{
	return c > 0x20 && c != 0x7f && !strchr("()<>@,;:\\\".[]", c);
}

/* hdr_host_rewrite - append host after qmail-inject's rules: a final '+' becomes
 * ".plusdomain"; then a host without dots gets ".defaultdomain"; literals stay */
int hdr_host_rewrite(sa *out, const char *host, size_t n, const hdr_rw *rw)
{
	if (!rw || (n && memchr(host, '[', n)))
		return sa_catb(out, host, n);
	if (n && host[n - 1] == '+' && rw->plusdomain)
		return sa_catb(out, host, n - 1) && sa_catc(out, '.') &&
		       sa_cats(out, rw->plusdomain);
	if (!sa_catb(out, host, n))
		return 0;
	if (rw->defdomain && !memchr(host, '.', n))
		return sa_catc(out, '.') && sa_cats(out, rw->defdomain);
	return 1;
}

/* hdr_addr_rewrite - append an envelope address (internal form) rewritten: the host
 * after the last '@' as hdr_host_rewrite says; no host (or an empty one) means the
 * default host, itself rewritten */
int hdr_addr_rewrite(sa *out, const char *addr, size_t n, const hdr_rw *rw)
{
	size_t at = byte_rchr(addr, n, '@');
	if (at == n || at + 1 == n) {
		if (!rw || !rw->defhost)
			return sa_catb(out, addr, n);
		return sa_catb(out, addr, at) && sa_catc(out, '@') &&
		       hdr_host_rewrite(out, rw->defhost, strlen(rw->defhost), rw);
	}
	return sa_catb(out, addr, at + 1) && hdr_host_rewrite(out, addr + at + 1, n - at - 1, rw);
}

/* dotatom - whether s[0..n) is atoms joined by single dots */
static int dotatom(const char *s, size_t n)
{
	size_t i;
	int dot = 1; /* the last byte was a dot (or there was none) */
	for (i = 0; i < n; ++i) {
		if (s[i] == '.') {
			if (dot)
				return 0;
			dot = 1;
		} else if (!hdr_atomchar((unsigned char)s[i])) {
			return 0;
		} else {
			dot = 0;
		}
	}
	return !dot;
}

/* quoted - append s as a quoted string, escaping '"' and '\'; esc are further bytes
 * to escape; CR, LF and NUL are refused (EINVAL) since they would break the header */
static int quoted(sa *out, const char *s, size_t n, char open, char close, const char *esc)
{
	size_t i;
	if (!sa_catc(out, open))
		return 0;
	for (i = 0; i < n; ++i) {
		if (s[i] == '\r' || s[i] == '\n' || s[i] == 0) {
			errno = EINVAL;
			return 0;
		}
		if ((s[i] == '\\' || strchr(esc, s[i])) && !sa_catc(out, '\\'))
			return 0;
		if (!sa_catc(out, s[i]))
			return 0;
	}
	return sa_catc(out, close);
}

/* hdr_local_render - append a local part (internal form) as a header shows it */
int hdr_local_render(sa *out, const char *local, size_t n)
{
	if (dotatom(local, n))
		return sa_catb(out, local, n);
	return quoted(out, local, n, '"', '"', "\"");
}

/* hdr_phrase_render - append a display name: as it is when it is words of atom
 * characters, else quoted */
int hdr_phrase_render(sa *out, const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; ++i)
		if (s[i] != ' ' && !hdr_atomchar((unsigned char)s[i]))
			return quoted(out, s, n, '"', '"', "\"");
	return sa_catb(out, s, n);
}

/* hdr_comment_render - append s as a comment, "(s)", with parentheses escaped */
int hdr_comment_render(sa *out, const char *s, size_t n)
{
	return quoted(out, s, n, '(', ')', "()");
}
