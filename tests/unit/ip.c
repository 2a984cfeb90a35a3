/* ip.c - tests for address parsing, formatting, literals, comparison and lists; the
   C library's inet_pton and inet_ntop serve as an independent oracle */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ip.h"

static const struct {
	const char *in;  /* a whole address */
	int family;      /* its family */
	const char *out; /* what ip_fmt must give back */
} valid[] = {
	{"0.0.0.0", 4, "0.0.0.0"},
	{"255.255.255.255", 4, "255.255.255.255"},
	{"127.0.0.1", 4, "127.0.0.1"},
	{"192.0.2.10", 4, "192.0.2.10"},
	{"10.100.0.9", 4, "10.100.0.9"},
	{"::", 6, "::"},
	{"::1", 6, "::1"},
	{"1::", 6, "1::"},
	{"2001:db8::1", 6, "2001:db8::1"},
	{"2001:DB8::1", 6, "2001:db8::1"},
	{"2001:0db8:0000:0000:0000:0000:0000:0001", 6, "2001:db8::1"},
	{"2001:db8:0:0:1:0:0:1", 6, "2001:db8::1:0:0:1"},
	{"2001:db8:0:1:1:1:1:1", 6, "2001:db8:0:1:1:1:1:1"},
	{"2001:0:0:1:0:0:0:1", 6, "2001:0:0:1::1"},
	{"1:0:0:2:0:0:0:3", 6, "1:0:0:2::3"},
	{"0:0:1:0:0:0:0:0", 6, "0:0:1::"},
	{"1:2:3:4:5:6:7:8", 6, "1:2:3:4:5:6:7:8"},
	{"1:2:3:4:5:6:7::", 6, "1:2:3:4:5:6:7:0"},
	{"::2:3:4:5:6:7:8", 6, "0:2:3:4:5:6:7:8"},
	{"1:2:3::6:7:8", 6, "1:2:3::6:7:8"},
	{"0:0:0:0:0:0:0:0", 6, "::"},
	{"0000::0000", 6, "::"},
	{"FFFF:ffff:FfFf:ffff:ffff:ffff:ffff:ffff", 6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
	{"fe80::1", 6, "fe80::1"},
	{"fe80::abcd:ef01", 6, "fe80::abcd:ef01"},
	{"::ffff:1.2.3.4", 6, "::ffff:1.2.3.4"},
	{"::FFFF:102:304", 6, "::ffff:1.2.3.4"},
	{"0::ffff:255.255.255.255", 6, "::ffff:255.255.255.255"},
	{"::ffff:0.0.0.0", 6, "::ffff:0.0.0.0"},
	{"::1.2.3.4", 6, "::102:304"},
	{"1:2:3:4:5:6:1.2.3.4", 6, "1:2:3:4:5:6:102:304"},
	{"1::1.2.3.4", 6, "1::102:304"},
	{"::ffff:0:1.2.3.4", 6, "::ffff:0:102:304"},
	{"64:ff9b::192.0.2.33", 6, "64:ff9b::c000:221"},
};

static const char *const invalid[] = {
	"",
	".",
	"1",
	"1.2.3",
	"1.2.3.",
	"1.2.3.4.",
	"1.2.3.4.5",
	"256.1.1.1",
	"1.2.3.256",
	"1.2.3.999",
	"01.2.3.4",
	"1.2.3.04",
	"1.2.3.00",
	"1..2.3",
	"1.2.3.1234",
	"-1.2.3.4",
	" 1.2.3.4",
	"1.2.3.4 ",
	"1.2.3.4a",
	"0x1.2.3.4",
	"1.2.3.4/24",
	":",
	":::",
	"1:::2",
	"1::2::3",
	":1",
	":1::",
	"1:",
	"1:2:3:4:5:6:7",
	"1:2:3:4:5:6:7:",
	"1:2:3:4:5:6:7:8:9",
	"1:2:3:4:5:6:7:8:",
	"1:2:3:4:5:6:7:8::",
	"::1:2:3:4:5:6:7:8",
	"1:2:3:4::5:6:7:8",
	"12345::",
	"00000::",
	"g::",
	"::g",
	"::1.2.3",
	"::1.2.3.4.5",
	"::01.2.3.4",
	"::1.2.3.256",
	"::ab.1.2.3",
	"1:2:3:4:5:6:7:1.2.3.4",
	"1:2:3:4:5:6::1.2.3.4",
	"::1.2.3.4:5",
	"::1.2.3.4::",
	"::ffff:1.2.3.4a",
	"1.2.3.4::",
	"fe80::1%eth0",
	"[::1]",
	"::1 ",
	" ::1",
	"::1]",
};

/* oracle - what the C library says about a whole NUL-terminated string */
static int oracle(const char *s, ip_addr *ip)
{
	unsigned char b[16];
	if (inet_pton(AF_INET, s, b) == 1) {
		ip_set4(ip, b);
		return 1;
	}
	if (inet_pton(AF_INET6, s, b) == 1) {
		ip_set6(ip, b);
		return 1;
	}
	return 0;
}

/* scan_exact - ip_scan_all on a heap copy of exactly n bytes, so a read past n is
   caught by the sanitizer build; also checks that ip_scan stays within n */
static int scan_exact(const char *s, size_t n, ip_addr *ip)
{
	char *p = malloc(n ? n : 1);
	ip_addr t = IP_ADDR_ZERO;
	int ok;
	if (!p)
		abort();
	memcpy(p, s, n);
	T_OK(ip_scan(p, n, &t) <= n);
	ok = ip_scan_all(p, n, ip);
	free(p);
	return ok;
}

static void t_valid(void)
{
	size_t i;
	for (i = 0; i < sizeof valid / sizeof valid[0]; ++i) {
		ip_addr ip = IP_ADDR_ZERO;
		ip_addr o = IP_ADDR_ZERO;
		char buf[IP_FMT];
		size_t n = strlen(valid[i].in);
		T_OK(ip_scan_all(valid[i].in, n, &ip));
		T_EQ_U(ip.family, valid[i].family);
		T_EQ_U(ip_scan(valid[i].in, n, &ip), n);
		T_EQ_U(ip_fmt(buf, &ip), strlen(valid[i].out));
		T_EQ_MEM(buf, ip_fmt(buf, &ip), valid[i].out, strlen(valid[i].out));
		T_EQ_U(ip_fmt(0, &ip), strlen(valid[i].out));
		T_OK(oracle(valid[i].in, &o));
		T_EQ_U(ip_cmp(&ip, &o), 0);
		if (valid[i].family == 4) {
			T_EQ_U(ip4_scan(valid[i].in, n, &ip), n);
			T_EQ_U(ip6_scan(valid[i].in, n, &ip), 0);
		} else {
			T_EQ_U(ip6_scan(valid[i].in, n, &ip), n);
			T_EQ_U(ip4_scan(valid[i].in, n, &ip), 0);
		}
		/* the canonical form reads back as the same address */
		T_OK(ip_scan_all(valid[i].out, strlen(valid[i].out), &o));
		T_EQ_U(ip_cmp(&ip, &o), 0);
	}
}

static void t_invalid(void)
{
	size_t i;
	for (i = 0; i < sizeof invalid / sizeof invalid[0]; ++i) {
		ip_addr ip = IP_ADDR_ZERO;
		ip_addr o;
		ip.a[0] = 77;
		errno = 0;
		T_OK(!ip_scan_all(invalid[i], strlen(invalid[i]), &ip));
		T_EQ_U(errno, EINVAL);
		T_OK(ip.family == 0 && ip.a[0] == 77);
		T_OK(!oracle(invalid[i], &o));
	}
}

/* every prefix of every table entry, fed as exactly that many bytes, is accepted
   exactly when the C library accepts it */
static void t_prefixes(void)
{
	size_t i, k;
	char z[64];
	for (i = 0; i < sizeof valid / sizeof valid[0] + sizeof invalid / sizeof invalid[0]; ++i) {
		const char *s = i < sizeof valid / sizeof valid[0]
					? valid[i].in
					: invalid[i - sizeof valid / sizeof valid[0]];
		size_t n = strlen(s);
		for (k = 0; k <= n; ++k) {
			ip_addr ip, o;
			int ok;
			memcpy(z, s, k);
			z[k] = 0;
			ok = scan_exact(s, k, &ip);
			T_EQ_U(ok, oracle(z, &o));
			if (ok)
				T_EQ_U(ip_cmp(&ip, &o), 0);
		}
	}
}

static const struct {
	const char *in; /* input with something after the address */
	size_t used;    /* bytes ip_scan must use (0: error) */
} partial[] = {
	{"2001:db8::1]:25", 11},
	{"1.2.3.4:25", 7},
	{"1.2.3.4]", 7},
	{"::1]", 3},
	{"::]", 2},
	{"fe80::1%eth0", 7},
	{"1.2.3.4 rest", 7},
	{"::ffff:1.2.3.4>", 14},
	{"1.2.3.4x", 7},
	{"::1:25", 6},
	{"1.2.3.4.5", 0},
	{"::1.2.3.4.5]", 0},
	{"1:2:3:4:5:6:7:8:25", 0},
	{"::1::", 0},
	{"1.2.3]", 0},
};

static void t_partial(void)
{
	size_t i;
	for (i = 0; i < sizeof partial / sizeof partial[0]; ++i) {
		ip_addr ip;
		errno = 0;
		T_EQ_U(ip_scan(partial[i].in, strlen(partial[i].in), &ip), partial[i].used);
		if (!partial[i].used)
			T_EQ_U(errno, EINVAL);
	}
}

static const struct {
	const char *in;  /* input starting with a literal */
	size_t used;     /* bytes ip_scan_literal must use (0: error) */
	const char *out; /* ip_fmt_literal of the result */
} literal[] = {
	{"[1.2.3.4]", 9, "[1.2.3.4]"},
	{"[0.0.0.0]", 9, "[0.0.0.0]"},
	{"[1.2.3.4]:25", 9, "[1.2.3.4]"},
	{"[IPv6:2001:db8::1]", 18, "[IPv6:2001:db8::1]"},
	{"[ipv6:::1]", 10, "[IPv6:::1]"},
	{"[IPV6:2001:DB8:0:0:0:0:0:1]>", 27, "[IPv6:2001:db8::1]"},
	{"[IPv6:::ffff:1.2.3.4]", 21, "[IPv6:::ffff:1.2.3.4]"},
	{"", 0, 0},
	{"[", 0, 0},
	{"[]", 0, 0},
	{"1.2.3.4]", 0, 0},
	{"[1.2.3.4", 0, 0},
	{"[1.2.3.4 ]", 0, 0},
	{"[ 1.2.3.4]", 0, 0},
	{"[01.2.3.4]", 0, 0},
	{"[::1]", 0, 0},
	{"[IPv6:]", 0, 0},
	{"[IPv6:1.2.3.4]", 0, 0},
	{"[IPv6::::1]", 0, 0},
	{"[IPv6 :::1]", 0, 0},
	{"[IPv6:::1", 0, 0},
	{"[IPv4:1.2.3.4]", 0, 0},
	{"[x-tag:abc]", 0, 0},
	{"[IPv6:fe80::1%eth0]", 0, 0},
};

static void t_literal(void)
{
	size_t i, k;
	for (i = 0; i < sizeof literal / sizeof literal[0]; ++i) {
		ip_addr ip = IP_ADDR_ZERO;
		ip_addr o;
		char buf[IP_FMT_LITERAL];
		size_t n = strlen(literal[i].in);
		errno = 0;
		T_EQ_U(ip_scan_literal(literal[i].in, n, &ip), literal[i].used);
		if (!literal[i].used) {
			T_EQ_U(errno, EINVAL);
			T_EQ_U(ip.family, 0);
			continue;
		}
		T_EQ_MEM(buf, ip_fmt_literal(buf, &ip), literal[i].out, strlen(literal[i].out));
		T_EQ_U(ip_fmt_literal(0, &ip), strlen(literal[i].out));
		T_EQ_U(ip_scan_literal(buf, ip_fmt_literal(buf, &ip), &o), strlen(literal[i].out));
		T_EQ_U(ip_cmp(&ip, &o), 0);
		/* a literal cut short anywhere is refused, and never read past its end */
		for (k = 0; k < literal[i].used; ++k) {
			char *p = malloc(k ? k : 1);
			if (!p)
				abort();
			memcpy(p, literal[i].in, k);
			T_EQ_U(ip_scan_literal(p, k, &o), 0);
			free(p);
		}
	}
}

/* lcg - a small deterministic pseudo-random sequence */
static uint32_t lcg(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 8;
}

/* formatting agrees with inet_ntop (RFC 5952) on many addresses rich in zero runs;
   the one intended difference, IPv4-compatible ::d.d.d.d (deprecated by RFC 4291,
   printed in hex here), is left out */
static void t_fmt_oracle(void)
{
	uint32_t seed = 12345;
	unsigned agree = 0, tried = 0;
	int i, j;
	for (i = 0; i < 3000; ++i) {
		unsigned char b[16];
		char ours[IP_FMT + 1], theirs[INET6_ADDRSTRLEN];
		ip_addr ip, back;
		size_t n;
		for (j = 0; j < 8; ++j) {
			uint32_t r = lcg(&seed);
			unsigned w = (r & 3) ? 0 : (r >> 4) & 0xffff;
			if ((r & 0x30000) == 0x30000)
				w = (r >> 4) & 0xf;
			b[2 * j] = (unsigned char)(w >> 8);
			b[2 * j + 1] = (unsigned char)w;
		}
		if (i % 7 == 0)
			memcpy(b, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12);
		ip_set6(&ip, b);
		n = ip_fmt(ours, &ip);
		ours[n] = 0;
		if (!inet_ntop(AF_INET6, b, theirs, sizeof theirs))
			abort();
		if (memcmp(b, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0 && (b[12] || b[13]))
			continue;
		++tried;
		agree += strcmp(ours, theirs) == 0;
		if (strcmp(ours, theirs) != 0)
			T_EQ_S(ours, theirs);
		if (!ip_scan_all(ours, n, &back) || ip_cmp(&ip, &back) != 0)
			T_OK(!"round trip");
	}
	T_OK(tried > 2000);
	T_EQ_U(agree, tried);
}

static void t_limits(void)
{
	ip_addr ip;
	char buf[IP_FMT_LITERAL];
	const char *longest = "ffff:ffff:ffff:ffff:ffff:fffe:ffff:ffff";
	T_OK(ip_scan_all(longest, strlen(longest), &ip));
	T_EQ_U(ip_fmt(0, &ip), 39);
	T_OK(ip_fmt(0, &ip) < IP_FMT);
	T_EQ_U(ip_fmt_literal(buf, &ip), 46);
	T_OK(ip_fmt_literal(0, &ip) < IP_FMT_LITERAL);
	T_OK(ip_scan_all("255.255.255.255", 15, &ip));
	T_EQ_U(ip_fmt_literal(0, &ip), 17);
	/* no address formats as nothing */
	ip.family = 0;
	T_EQ_U(ip_fmt(buf, &ip), 0);
	T_EQ_U(ip_fmt_literal(buf, &ip), 0);
	/* a long run of digits is refused without overflowing anything */
	T_EQ_U(ip4_scan("1.2.3.99999999999999999999999", 29, &ip), 0);
	T_EQ_U(ip6_scan("ffffffffffffffffffffffffffffffff::", 35, &ip), 0);
	/* n bounds the scan, whatever follows in memory */
	T_EQ_U(ip4_scan("1.2.3.45", 7, &ip), 7);
	T_EQ_U(ip.a[3], 4);
	T_EQ_U(ip6_scan("::12345", 5, &ip), 5);
	T_EQ_U(ip.a[15], 0x23);
	T_EQ_U(ip_scan("x", 0, &ip), 0);
}

static void t_cmp(void)
{
	ip_addr a, b, z = IP_ADDR_ZERO, z2 = IP_ADDR_ZERO;
	T_OK(ip_scan_all("1.2.3.4", 7, &a));
	T_OK(ip_scan_all("1.2.3.5", 7, &b));
	T_OK(ip_cmp(&a, &b) < 0);
	T_OK(ip_cmp(&b, &a) > 0);
	T_EQ_U(ip_cmp(&a, &a), 0);
	T_OK(ip_cmp(&z, &a) < 0);
	T_EQ_U(ip_cmp(&z, &z2), 0);
	T_OK(ip_scan_all("::", 2, &b));
	T_OK(ip_cmp(&a, &b) < 0); /* every IPv4 address sorts before every IPv6 one */
	T_OK(ip_scan_all("255.0.0.0", 9, &a));
	T_OK(ip_cmp(&a, &b) < 0);
	T_OK(ip_scan_all("2001:db8::2", 11, &a));
	T_OK(ip_scan_all("2001:db8::10", 12, &b));
	T_OK(ip_cmp(&a, &b) < 0);
	/* mapped addresses are distinct until unmapped */
	T_OK(ip_scan_all("::ffff:1.2.3.4", 14, &a));
	T_OK(ip_scan_all("1.2.3.4", 7, &b));
	T_OK(ip_is_mapped(&a));
	T_OK(!ip_is_mapped(&b));
	T_OK(ip_cmp(&a, &b) != 0);
	ip_unmap(&a);
	T_EQ_U(a.family, 4);
	T_EQ_U(ip_cmp(&a, &b), 0);
	ip_unmap(&a);
	T_EQ_U(ip_cmp(&a, &b), 0);
	T_OK(ip_scan_all("::ffff:0:1.2.3.4", 16, &a));
	T_OK(!ip_is_mapped(&a));
	ip_unmap(&a);
	T_EQ_U(a.family, 6);
}

static void t_kinds(void)
{
	static const struct {
		const char *in; /* address */
		int unspec;     /* ip_is_unspecified */
		int loop;       /* ip_is_loopback */
	} k[] = {
		{"0.0.0.0", 1, 0},
		{"::", 1, 0},
		{"127.0.0.1", 0, 1},
		{"127.255.3.4", 0, 1},
		{"::1", 0, 1},
		{"128.0.0.1", 0, 0},
		{"::2", 0, 0},
		{"0.0.0.1", 0, 0},
		{"::ffff:127.0.0.1", 0, 0},
		{"::ffff:0.0.0.0", 0, 0},
		{"1::", 0, 0},
	};
	size_t i;
	for (i = 0; i < sizeof k / sizeof k[0]; ++i) {
		ip_addr ip;
		T_OK(ip_scan_all(k[i].in, strlen(k[i].in), &ip));
		T_EQ_U(ip_is_unspecified(&ip), k[i].unspec);
		T_EQ_U(ip_is_loopback(&ip), k[i].loop);
	}
}

static void t_list(void)
{
	ip_list l = IP_LIST_ZERO;
	ip_list big;
	ip_addr ip;
	unsigned i;
	for (i = 0; i < 1000; ++i) {
		unsigned char b[4] = {10, 0, (unsigned char)(i >> 8), (unsigned char)i};
		ip_set4(&ip, b);
		if (!ip_list_add(&l, &ip))
			break;
	}
	T_EQ_U(l.len, 1000);
	T_OK(l.alloc >= l.len);
	T_OK(ip_scan_all("10.0.3.231", 10, &ip));
	T_OK(ip_list_has(&l, &ip));
	T_OK(ip_scan_all("10.0.3.232", 10, &ip));
	T_OK(!ip_list_has(&l, &ip));
	T_OK(ip_scan_all("::ffff:10.0.0.1", 15, &ip));
	T_OK(!ip_list_has(&l, &ip));
	ip_list_free(&l);
	T_EQ_U(l.len, 0);
	T_OK(l.a == 0);
	T_OK(!ip_list_has(&l, &ip));
	T_OK(ip_list_add(&l, &ip));
	T_EQ_U(l.len, 1);
	ip_list_free(&l);
	/* growth arithmetic near SIZE_MAX fails cleanly and leaves the list alone */
	big.a = 0;
	big.len = big.alloc = SIZE_MAX / 2;
	errno = 0;
	T_OK(!ip_list_add(&big, &ip));
	T_EQ_U(errno, EOVERFLOW);
	T_EQ_U(big.len, SIZE_MAX / 2);
	big.len = big.alloc = SIZE_MAX - 3;
	errno = 0;
	T_OK(!ip_list_add(&big, &ip));
	T_EQ_U(errno, EOVERFLOW);
	big.len = big.alloc = SIZE_MAX / sizeof(ip_addr) / 2;
	errno = 0;
	T_OK(!ip_list_add(&big, &ip));
	T_EQ_U(errno, ENOMEM);
	T_OK(big.a == 0);
}

static void t_local(void)
{
	static const struct {
		const char *in; /* address */
		int empty;      /* ip_is_local with an empty list */
		int me;         /* ip_is_local with 192.0.2.7 and 2001:db8::7 */
	} k[] = {
		{"0.0.0.0", 1, 1},          {"::", 1, 1},
		{"::ffff:0.0.0.0", 1, 1},   {"127.0.0.1", 1, 1},
		{"127.0.0.2", 1, 1},        {"::1", 1, 1},
		{"::ffff:127.0.0.1", 1, 1}, {"192.0.2.7", 0, 1},
		{"::ffff:192.0.2.7", 0, 1}, {"2001:db8::7", 0, 1},
		{"192.0.2.8", 0, 0},        {"2001:db8::8", 0, 0},
		{"0.0.0.1", 0, 0},          {"::ffff:2001:db8", 0, 0},
	};
	ip_list me = IP_LIST_ZERO;
	ip_list none = IP_LIST_ZERO;
	ip_addr ip = IP_ADDR_ZERO;
	size_t i;
	T_OK(!ip_is_local(&none, &ip)); /* no address at all */
	T_OK(ip_scan_all("192.0.2.7", 9, &ip) && ip_list_add(&me, &ip));
	T_OK(ip_scan_all("2001:db8::7", 11, &ip) && ip_list_add(&me, &ip));
	for (i = 0; i < sizeof k / sizeof k[0]; ++i) {
		T_OK(ip_scan_all(k[i].in, strlen(k[i].in), &ip));
		T_EQ_U(ip_is_local(&none, &ip), k[i].empty);
		T_EQ_U(ip_is_local(&me, &ip), k[i].me);
	}
	ip_list_free(&me);
}

const t_case t_cases[] = {
	T_CASE(t_valid),   T_CASE(t_invalid),    T_CASE(t_prefixes), T_CASE(t_partial),
	T_CASE(t_literal), T_CASE(t_fmt_oracle), T_CASE(t_limits),   T_CASE(t_cmp),
	T_CASE(t_kinds),   T_CASE(t_list),       T_CASE(t_local),    T_END,
};
