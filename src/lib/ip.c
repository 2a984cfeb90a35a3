/*
 * ip.c - IP addresses as text and as values. The scanners are greedy and strict: an
 * address ends at the first byte that cannot continue it, and if what came before is
 * not a whole valid address the scan fails rather than backing off to a shorter one.
 * IPv4 is exactly four decimal parts 0..255 without leading zeros ("01" is refused:
 * inet_aton would read it as octal, so it has no single meaning). IPv6 takes every
 * RFC 4291 text form ("::", compressed, trailing dotted quad) but no zone ("%eth0").
 * The scanners write *ip only on success.
 */
#include "ip.h"

#include <errno.h>
#include <string.h>

#include "alloc.h"
#include "fmt.h"
#include "scan.h"
#include "size.h"

/* bad - fail a scan with EINVAL */
static size_t bad(void)
{
	errno = EINVAL;
	return 0;
}

/* ip_set4 - make ip the IPv4 address b (4 bytes, network order) */
void ip_set4(ip_addr *ip, const unsigned char b[4])
{
	memset(ip, 0, sizeof *ip);
	ip->family = 4;
	memcpy(ip->a, b, 4);
}

/* ip_set6 - make ip the IPv6 address b (16 bytes, network order) */
void ip_set6(ip_addr *ip, const unsigned char b[16])
{
	ip->family = 6;
	memcpy(ip->a, b, 16);
}

/* scan_octet - one decimal part of a dotted quad: 1-3 digits, 0..255, no leading 0 */
static size_t scan_octet(const char *s, size_t n, unsigned char *b)
{
	size_t i = 0;
	unsigned v = 0;
	while (i < n && s[i] >= '0' && s[i] <= '9') {
		if (i == 3)
			return 0;
		v = v * 10 + (unsigned)(s[i] - '0');
		++i;
	}
	if (i == 0 || v > 255 || (i > 1 && s[0] == '0'))
		return 0;
	*b = (unsigned char)v;
	return i;
}

/* ip4_scan - a dotted quad at s; bytes used, or 0 with errno EINVAL */
size_t ip4_scan(const char *s, size_t n, ip_addr *ip)
{
	unsigned char b[4];
	size_t pos = 0;
	size_t k;
	int i;
	for (i = 0; i < 4; ++i) {
		if (i) {
			if (pos >= n || s[pos] != '.')
				return bad();
			++pos;
		}
		k = scan_octet(s + pos, n - pos, &b[i]);
		if (!k)
			return bad();
		pos += k;
	}
	if (pos < n && s[pos] == '.')
		return bad();
	ip_set4(ip, b);
	return pos;
}

/* ip6_scan - an IPv6 address at s; bytes used, or 0 with errno EINVAL */
size_t ip6_scan(const char *s, size_t n, ip_addr *ip)
{
	unsigned char b[16];
	size_t pos = 0;
	size_t words = 0; /* 16-bit groups stored in b so far */
	size_t gap = 9;   /* the group index where "::" stands; 9: none */
	int after_gap = 0;
	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		pos = 2;
		after_gap = 1;
	}
	for (;;) {
		size_t k = 0;
		unsigned v = 0;
		while (pos + k < n && scan_xdigit(s[pos + k]) >= 0)
			++k;
		if (!k) {
			if (!after_gap)
				return bad();
			break;
		}
		if (pos + k < n && s[pos + k] == '.') {
			ip_addr v4;
			size_t m;
			if (words > 6)
				return bad();
			m = ip4_scan(s + pos, n - pos, &v4);
			if (!m)
				return 0;
			memcpy(b + 2 * words, v4.a, 4);
			words += 2;
			pos += m;
			break;
		}
		if (k > 4)
			return bad();
		while (k--)
			v = v * 16 + (unsigned)scan_xdigit(s[pos++]);
		b[2 * words] = (unsigned char)(v >> 8);
		b[2 * words + 1] = (unsigned char)v;
		++words;
		after_gap = 0;
		if (words == 8 || pos >= n || s[pos] != ':')
			break;
		if (pos + 1 < n && s[pos + 1] == ':') {
			if (gap != 9)
				return bad();
			gap = words;
			pos += 2;
			after_gap = 1;
		} else {
			++pos;
		}
	}
	if (pos < n && (scan_xdigit(s[pos]) >= 0 || s[pos] == ':' || s[pos] == '.'))
		return bad();
	if (gap == 9 ? words != 8 : words > 7)
		return bad();
	if (gap != 9) {
		size_t tail = 2 * (words - gap); /* bytes written after the "::" */
		memmove(b + 16 - tail, b + 2 * gap, tail);
		memset(b + 2 * gap, 0, 16 - tail - 2 * gap);
	}
	ip_set6(ip, b);
	return pos;
}

/* ip_scan - an address of either family at s; bytes used, or 0 with errno EINVAL */
size_t ip_scan(const char *s, size_t n, ip_addr *ip)
{
	size_t k = ip6_scan(s, n, ip);
	if (k)
		return k;
	return ip4_scan(s, n, ip);
}

/* ip_scan_all - the n bytes at s are exactly one address; 1, or 0 with EINVAL */
int ip_scan_all(const char *s, size_t n, ip_addr *ip)
{
	ip_addr t;
	size_t k = ip_scan(s, n, &t);
	if (!k || k != n) {
		errno = EINVAL;
		return 0;
	}
	*ip = t;
	return 1;
}

/* ip_scan_literal - "[d.d.d.d]" or "[IPv6:...]" (tag in any case) at s; bytes used */
size_t ip_scan_literal(const char *s, size_t n, ip_addr *ip)
{
	static const char tag[] = "ipv6:";
	ip_addr t;
	size_t off = 1;
	size_t k;
	size_t i;
	if (n < 1 || s[0] != '[')
		return bad();
	for (i = 0; i < 5 && 1 + i < n; ++i)
		if ((s[1 + i] | 0x20) != tag[i])
			break;
	if (i == 5) {
		off = 6;
		k = ip6_scan(s + off, n - off, &t);
	} else {
		k = ip4_scan(s + off, n - off, &t);
	}
	if (!k || off + k >= n || s[off + k] != ']')
		return bad();
	*ip = t;
	return off + k + 1;
}

/* fmt_quad - b[0..3] as a dotted quad */
static size_t fmt_quad(char *s, const unsigned char *b)
{
	size_t len = 0;
	int i;
	for (i = 0; i < 4; ++i) {
		if (i)
			s[len++] = '.';
		len += fmt_u64(s + len, b[i]);
	}
	return len;
}

/* fmt6 - an IPv6 address as RFC 5952 says: lower case, no leading zeros, the first
   longest run of two or more zero groups as "::", IPv4-mapped as ::ffff:d.d.d.d */
static size_t fmt6(char *s, const unsigned char *a)
{
	unsigned w[8];
	size_t best = 8, bestlen = 0;
	size_t i, len = 0;
	for (i = 0; i < 8; ++i)
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (i = 0; i < 8;) {
		size_t j = i;
		while (j < 8 && w[j] == 0)
			++j;
		if (j - i > bestlen) {
			best = i;
			bestlen = j - i;
		}
		i = j > i ? j : i + 1;
	}
	if (bestlen < 2)
		best = 8;
	if (best == 0 && bestlen == 5 && w[5] == 0xffff) {
		memcpy(s, "::ffff:", 7);
		return 7 + fmt_quad(s + 7, a + 12);
	}
	for (i = 0; i < 8;) {
		if (i == best) {
			s[len++] = ':';
			s[len++] = ':';
			i += bestlen;
			continue;
		}
		if (i > 0 && i != best + bestlen)
			s[len++] = ':';
		len += fmt_x(s + len, w[i]);
		++i;
	}
	return len;
}

/* fmt_any - ip as text into buf (room for IP_FMT bytes); 0 for family 0 */
static size_t fmt_any(char *buf, const ip_addr *ip)
{
	if (ip->family == 4)
		return fmt_quad(buf, ip->a);
	if (ip->family == 6)
		return fmt6(buf, ip->a);
	return 0;
}

/* ip_fmt - ip as text (no NUL); the length, writing only when s is not 0 */
size_t ip_fmt(char *s, const ip_addr *ip)
{
	char buf[IP_FMT];
	size_t len = fmt_any(buf, ip);
	if (s)
		memcpy(s, buf, len);
	return len;
}

/* ip_fmt_literal - ip as an SMTP address literal "[d.d.d.d]" or "[IPv6:...]" */
size_t ip_fmt_literal(char *s, const ip_addr *ip)
{
	char buf[IP_FMT_LITERAL];
	size_t len;
	if (ip->family == 4) {
		buf[0] = '[';
		len = 1;
	} else if (ip->family == 6) {
		memcpy(buf, "[IPv6:", 6);
		len = 6;
	} else {
		return 0;
	}
	len += fmt_any(buf + len, ip);
	buf[len++] = ']';
	if (s)
		memcpy(s, buf, len);
	return len;
}

/* ip_cmp - order addresses: by family (none, 4, 6), then bytewise; <0, 0 or >0 */
int ip_cmp(const ip_addr *x, const ip_addr *y)
{
	int c;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->family != 4 && x->family != 6)
		return 0;
	c = memcmp(x->a, y->a, x->family == 4 ? 4 : 16);
	return (c > 0) - (c < 0);
}

/* ip_is_mapped - ip is an IPv4-mapped IPv6 address, ::ffff:d.d.d.d */
int ip_is_mapped(const ip_addr *ip)
{
	static const unsigned char prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	return ip->family == 6 && memcmp(ip->a, prefix, 12) == 0;
}

/* ip_unmap - turn an IPv4-mapped address into plain IPv4 (what dual-stack sockets
   report for IPv4 peers); any other address is left as it is */
void ip_unmap(ip_addr *ip)
{
	unsigned char b[4];
	if (!ip_is_mapped(ip))
		return;
	memcpy(b, ip->a + 12, 4);
	ip_set4(ip, b);
}

/* ip_is_unspecified - ip is 0.0.0.0 or :: ("any address") */
int ip_is_unspecified(const ip_addr *ip)
{
	static const unsigned char zero[16];
	if (ip->family == 4)
		return memcmp(ip->a, zero, 4) == 0;
	return ip->family == 6 && memcmp(ip->a, zero, 16) == 0;
}

/* ip_is_loopback - ip is in 127.0.0.0/8 or is ::1 */
int ip_is_loopback(const ip_addr *ip)
{
	static const unsigned char one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	if (ip->family == 4)
		return ip->a[0] == 127;
	return ip->family == 6 && memcmp(ip->a, one, 16) == 0;
}

/* ip_list_add - append a copy of ip; the list is unchanged on failure */
int ip_list_add(ip_list *l, const ip_addr *ip)
{
	if (l->len == l->alloc) {
		size_t want;
		size_t bytes;
		void *p = l->a;
		if (!size_add(&want, l->len, l->len / 2) || !size_add(&want, want, 8) ||
		    !size_mul(&bytes, want, sizeof *l->a))
			return 0;
		if (!alloc_resize(&p, bytes))
			return 0;
		l->a = p;
		l->alloc = want;
	}
	l->a[l->len++] = *ip;
	return 1;
}

/* ip_list_has - ip is in the list (exactly, as ip_cmp compares) */
int ip_list_has(const ip_list *l, const ip_addr *ip)
{
	size_t i;
	for (i = 0; i < l->len; ++i)
		if (ip_cmp(&l->a[i], ip) == 0)
			return 1;
	return 0;
}

/* ip_list_free - release the storage; the list is empty and reusable afterwards */
void ip_list_free(ip_list *l)
{
	alloc_free(l->a);
	l->a = 0;
	l->len = 0;
	l->alloc = 0;
}

/* ip_is_local - ip reaches this host: it is in me (this host's addresses, from
   sock_ipme), loopback, or unspecified (0.0.0.0 and :: mean "this host", so mail
   to them loops: netqmail's fix); IPv4-mapped addresses count as their IPv4 form */
int ip_is_local(const ip_list *me, const ip_addr *ip)
{
	ip_addr t = *ip;
	ip_unmap(&t);
	if (t.family != 4 && t.family != 6)
		return 0;
	return ip_is_unspecified(&t) || ip_is_loopback(&t) || ip_list_has(me, &t) ||
	       ip_list_has(me, ip);
}
