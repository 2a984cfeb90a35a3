/*
 * smtpaddr.c - SMTP paths. A dot-string is one or more atoms (RFC 5322 atext, plus
 * bytes above 127 so that UTF-8 local parts pass unchanged) joined by single dots;
 * anything else is quoted, with a backslash before '"' and '\'.
 */
#include "smtpaddr.h"

#include <string.h>

#include "ip.h"
#include "str.h"

#define HOST_MAX  253 /* a host name as text (RFC 1035 less the final dot) */
#define LABEL_MAX 63  /* one label of it */

/* atext - whether c may appear in an atom */
static int atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c > 127)
		return 1;
	return c && strchr("!#$%&'*+-/=?^_`{|}~", c) != 0;
}

/* dotstring - whether s[0..n) is a dot-string */
static int dotstring(const char *s, size_t n)
{
	size_t i;
	if (!n || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; ++i) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
		} else if (!atext((unsigned char)s[i])) {
			return 0;
		}
	}
	return 1;
}

/* smtpaddr_path - append "<path>" for the address addr[0..n) to out */
int smtpaddr_path(sa *out, const char *addr, size_t n)
{
	size_t at = byte_rchr(addr, n, '@');
	size_t i;
	if (!sa_catc(out, '<'))
		return 0;
	if (n == 0)
		return sa_catc(out, '>');
	if (dotstring(addr, at)) {
		if (!sa_catb(out, addr, at))
			return 0;
	} else {
		if (!sa_catc(out, '"'))
			return 0;
		for (i = 0; i < at; ++i) {
			int special = addr[i] == '"' || addr[i] == '\\';
			if ((special && !sa_catc(out, '\\')) || !sa_catc(out, addr[i]))
				return 0;
		}
		if (!sa_catc(out, '"'))
			return 0;
	}
	return sa_catb(out, addr + at, n - at) && sa_catc(out, '>');
}

/* smtpaddr_ok - whether an address can go into a command line at all: no CR, LF or
 * NUL, which would end the command early and let the rest be read as another */
int smtpaddr_ok(const char *addr, size_t n)
{
	size_t i;
	for (i = 0; i < n; ++i)
		if (addr[i] == '\r' || addr[i] == '\n' || addr[i] == 0)
			return 0;
	return 1;
}

/* label_byte - whether c may appear in a host name label: letters, digits, '-' and
 * '_' (seen in real names); nothing that could end a path or a header field */
static int label_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/* smtpaddr_domain - whether d[0..n) is a host name (labels of 1..63 label bytes
 * joined by single dots, no final dot, at most 253 bytes) or an address literal
 * "[d.d.d.d]" / "[IPv6:...]"; everything else (empty, spaces, quotes, backslashes,
 * '>', 8-bit bytes, general literals) is refused */
int smtpaddr_domain(const char *d, size_t n)
{
	ip_addr ip;
	size_t i, label = 0;
	if (n && d[0] == '[')
		return ip_scan_literal(d, n, &ip) == n;
	if (!n || n > HOST_MAX)
		return 0;
	for (i = 0; i < n; ++i) {
		if (d[i] == '.') {
			if (!label)
				return 0;
			label = 0;
		} else if (!label_byte((unsigned char)d[i]) || ++label > LABEL_MAX) {
			return 0;
		}
	}
	return label > 0;
}
