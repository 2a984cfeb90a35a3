/*
 * ip.c - fuzz IP address text (ip.h). Input: text. Invariants: ip_scan_all accepts
 * exactly what the C library's inet_pton accepts (IPv4 without leading zeros; every
 * RFC 4291 IPv6 form) and reads the same address; a scan never reads past what it
 * reports, and the prefix it used scans alone to the same address; ip_fmt gives the
 * RFC 5952 text of a reference formatter, which scans back to the same address, as
 * does inet_ntop's text; address
 * literals round-trip through ip_fmt_literal and ip_scan_literal. The first 17
 * bytes are also taken as an address value, formatted and scanned back.
 */
#include <arpa/inet.h>
#include <stdio.h>

#include "fuzz.h"
#include "ip.h"

/* fmt5952 - the RFC 5952 text of an IPv6 address: lower-case hex without leading
 * zeros, the first longest run of two or more zero groups as "::", and an
 * IPv4-mapped address as ::ffff:d.d.d.d (section 5) */
static size_t fmt5952(char *t, const unsigned char *a)
{
	unsigned w[8];
	int i, best = -1, bestlen = 1, len = 0;
	for (i = 0; i < 8; ++i)
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	if (!w[0] && !w[1] && !w[2] && !w[3] && !w[4] && w[5] == 0xffff)
		return (size_t)sprintf(t, "::ffff:%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
	for (i = 0; i < 8; ++i) {
		int j = i;
		while (j < 8 && !w[j])
			++j;
		if (j - i > bestlen) {
			best = i;
			bestlen = j - i;
		}
	}
	for (i = 0; i < 8; ++i) {
		if (i == best) {
			len += sprintf(t + len, "::");
			i += bestlen - 1;
			continue;
		}
		len += sprintf(t + len, "%s%x", i && i != best + bestlen ? ":" : "", w[i]);
	}
	return (size_t)len;
}

/* roundtrip - ip formatted, as text and as a literal, scans back to itself */
static void roundtrip(const ip_addr *ip)
{
	char t[IP_FMT], u[IP_FMT], l[IP_FMT_LITERAL], r[64];
	ip_addr back;
	size_t n = ip_fmt(t, ip), m, k;
	CHECK(n > 0 && n < IP_FMT && ip_fmt(0, ip) == n);
	CHECK(ip_scan_all(t, n, &back) && ip_cmp(&back, ip) == 0);
	m = ip_fmt(u, &back);
	CHECK(fuzz_same(t, n, u, m));
	k = ip_fmt_literal(l, ip);
	CHECK(k == n + (ip->family == 4 ? 2 : 7) && k < IP_FMT_LITERAL);
	CHECK(ip_scan_literal(l, k, &back) == k && ip_cmp(&back, ip) == 0);
	if (ip->family == 4) {
		m = (size_t)sprintf(r, "%u.%u.%u.%u", ip->a[0], ip->a[1], ip->a[2], ip->a[3]);
		CHECK(fuzz_same(t, n, r, m));
	} else {
		CHECK(ip->family == 6);
		m = fmt5952(r, ip->a);
		CHECK(fuzz_same(t, n, r, m));
		CHECK(inet_ntop(AF_INET6, ip->a, r, sizeof r));
		CHECK(ip_scan_all(r, strlen(r), &back) && ip_cmp(&back, ip) == 0);
	}
}

/* differential - ip_scan_all of s[0..n) against inet_pton */
static void differential(const char *s, size_t n)
{
	char z[64];
	unsigned char b[16];
	ip_addr ip, want;
	int mine, four, six;
	if (n >= sizeof z || memchr(s, 0, n))
		return;
	memcpy(z, s, n);
	z[n] = 0;
	four = inet_pton(AF_INET, z, b) == 1;
	if (four)
		ip_set4(&want, b);
	six = inet_pton(AF_INET6, z, b) == 1;
	if (six)
		ip_set6(&want, b);
	mine = ip_scan_all(s, n, &ip);
	CHECK(mine == (four || six));
	if (mine) {
		CHECK(ip_cmp(&ip, &want) == 0);
		roundtrip(&ip);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	ip_addr ip, again;
	size_t k;
	differential(s, size);
	k = ip_scan(s, size, &ip);
	if (k) {
		CHECK(k <= size);
		CHECK(ip_scan(s, k, &again) == k && ip_cmp(&ip, &again) == 0);
		roundtrip(&ip);
	}
	k = ip_scan_literal(s, size, &ip);
	if (k) {
		CHECK(k <= size && s[0] == '[' && s[k - 1] == ']');
		CHECK(ip_scan_literal(s, k, &again) == k && ip_cmp(&ip, &again) == 0);
		roundtrip(&ip);
	}
	if (size >= 17) {
		if (data[0] & 1)
			ip_set6(&ip, data + 1);
		else
			ip_set4(&ip, data + 1);
		roundtrip(&ip);
	}
	return 0;
}
