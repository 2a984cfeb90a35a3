/*
 * dnsname.c - domain names between text and DNS wire form. Text going in must be a
 * plain host name (no escapes); wire names coming out may hold any byte, so the
 * formatter escapes everything outside a small safe set and dns_name_host tells
 * whether a name can be used as a host name at all.
 */
#include "dnsname.h"

#include <errno.h>
#include <string.h>

/* host_byte - whether c may appear in a host name label: letters, digits, '-', '_' */
static int host_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/* dns_name_wire - the text name s[0..n) ("mx.example.com", a final dot allowed) in
   wire form at out (DNS_NAME_MAX bytes), *len its length; 0 with EINVAL for an empty
   name, an empty or long label, a long name or a byte outside letters, digits, '-'
   and '_' (no escapes: names we ask about are host names) */
int dns_name_wire(unsigned char *out, size_t *len, const char *s, size_t n)
{
	size_t i = 0, o = 0;
	if (n && s[n - 1] == '.')
		n--;
	if (!n || n > DNS_HOST_MAX)
		goto fail;
	while (i < n) {
		size_t start = i;
		while (i < n && s[i] != '.') {
			if (!host_byte((unsigned char)s[i]))
				goto fail;
			i++;
		}
		if (i == start || i - start > DNS_LABEL_MAX)
			goto fail;
		out[o++] = (unsigned char)(i - start);
		memcpy(out + o, s + start, i - start);
		o += i - start;
		if (i < n && ++i == n) /* a dot that ends the name was taken off above */
			goto fail;
	}
	out[o++] = 0;
	*len = o;
	return 1;
fail:
	errno = EINVAL;
	return 0;
}

/* dns_name_len - the length of the well-formed wire name w, final 0 included */
size_t dns_name_len(const unsigned char *w)
{
	size_t i = 0;
	while (w[i])
		i += (size_t)w[i] + 1;
	return i + 1;
}

/* dns_name_equal - whether wire names a and b are the same name, ignoring ASCII case */
int dns_name_equal(const unsigned char *a, const unsigned char *b)
{
	size_t i, n = dns_name_len(a);
	if (n != dns_name_len(b))
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y + 32);
		if (x != y)
			return 0;
	}
	return 1;
}

/* dns_name_fmt - append wire name w as text without a final dot ("." for the root);
   every byte outside letters, digits, '-' and '_' comes out as \DDD, so the text never
   holds a space, control byte, ';', '/', '`', quote or a dot inside a label */
int dns_name_fmt(sa *out, const unsigned char *w)
{
	size_t i = 0;
	if (!w[0])
		return sa_catc(out, '.');
	while (w[i]) {
		size_t k, n = w[i++];
		if (i > 1 && !sa_catc(out, '.'))
			return 0;
		for (k = 0; k < n; k++, i++) {
			char e[4];
			if (host_byte(w[i])) {
				if (!sa_catc(out, (char)w[i]))
					return 0;
				continue;
			}
			e[0] = '\\';
			e[1] = (char)('0' + w[i] / 100);
			e[2] = (char)('0' + w[i] / 10 % 10);
			e[3] = (char)('0' + w[i] % 10);
			if (!sa_catb(out, e, 4))
				return 0;
		}
	}
	return 1;
}

/* dns_name_host - whether wire name w is usable as a host name: not the root, and
   every label made of letters, digits, '-' and '_' only */
int dns_name_host(const unsigned char *w)
{
	size_t i = 0;
	if (!w[0])
		return 0;
	while (w[i]) {
		size_t k, n = w[i++];
		for (k = 0; k < n; k++)
			if (!host_byte(w[i++]))
				return 0;
	}
	return 1;
}

/* dns_name_ptr - the reverse-lookup name of ip (d.c.b.a.in-addr.arpa, or 32 nibbles
   under ip6.arpa) in wire form at out (DNS_NAME_MAX bytes); EINVAL for no address */
int dns_name_ptr(unsigned char *out, size_t *len, const ip_addr *ip)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	int i;
	const char *tail;
	if (ip->family == 4) {
		for (i = 3; i >= 0; i--) {
			unsigned b = ip->a[i];
			size_t start = o++;
			if (b >= 100)
				out[o++] = (unsigned char)('0' + b / 100);
			if (b >= 10)
				out[o++] = (unsigned char)('0' + b / 10 % 10);
			out[o++] = (unsigned char)('0' + b % 10);
			out[start] = (unsigned char)(o - start - 1);
		}
		tail = "\7in-addr\4arpa";
	} else if (ip->family == 6) {
		for (i = 15; i >= 0; i--) {
			out[o++] = 1;
			out[o++] = (unsigned char)hex[ip->a[i] & 15];
			out[o++] = 1;
			out[o++] = (unsigned char)hex[ip->a[i] >> 4];
		}
		tail = "\3ip6\4arpa";
	} else {
		errno = EINVAL;
		return 0;
	}
	memcpy(out + o, tail, strlen(tail) + 1);
	*len = o + strlen(tail) + 1;
	return 1;
}
