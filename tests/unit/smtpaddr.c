/* smtpaddr.c - tests for SMTP paths */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "smtpaddr.h"

static const struct {
	const char *addr; /* envelope address */
	const char *path; /* as written in MAIL FROM or RCPT TO */
} cases[] = {
	{"", "<>"},
	{"user@example.com", "<user@example.com>"},
	{"first.last@example.com", "<first.last@example.com>"},
	{"a+b=c/d!#$%&'*-?^_`{|}~@x", "<a+b=c/d!#$%&'*-?^_`{|}~@x>"},
	{"user", "<user>"},
	{"@example.com", "<\"\"@example.com>"},
	{"a b@x", "<\"a b\"@x>"},
	{".a@x", "<\".a\"@x>"},
	{"a.@x", "<\"a.\"@x>"},
	{"a..b@x", "<\"a..b\"@x>"},
	{"a\"b@x", "<\"a\\\"b\"@x>"},
	{"a\\b@x", "<\"a\\\\b\"@x>"},
	{"a@b@x", "<\"a@b\"@x>"},
	{"a(b)@x", "<\"a(b)\"@x>"},
	{"j\xc3\xb6rg@x", "<j\xc3\xb6rg@x>"},
	{"user@[192.0.2.1]", "<user@[192.0.2.1]>"},
	{"user@", "<user@>"},
	{"#@[]", "<#@[]>"},
};

static void t_angle_path(void)
{
	size_t i;
	for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
		sa out = SA_ZERO;
		T_OK(sa_cats(&out, "MAIL FROM:"));
		T_OK(smtpaddr_path(&out, cases[i].addr, strlen(cases[i].addr)));
		T_EQ_MEM(out.s + 10, out.len - 10, cases[i].path, strlen(cases[i].path));
		sa_free(&out);
	}
}

static void t_addr_ok(void)
{
	T_OK(smtpaddr_ok("a@b", 3));
	T_OK(smtpaddr_ok("", 0));
	T_OK(!smtpaddr_ok("a\r\nRCPT TO:<x@y>@b", 17));
	T_OK(!smtpaddr_ok("a\n@b", 4));
	T_OK(!smtpaddr_ok("a\r@b", 4));
	T_OK(!smtpaddr_ok("a\0@b", 4));
	T_OK(smtpaddr_ok("a\t@b", 4));
}

/* t_domain - the allow-list of domains: valid and invalid tables, every proper
 * prefix of a valid name that ends in a dot refused, lengths at the limits */
static void t_domain(void)
{
	static const char *const good[] = {
		"b",
		"example.com",
		"EXAMPLE.com",
		"a-b.c_d.e",
		"0.1",
		"192.0.2.1",
		"x--y",
		"[192.0.2.1]",
		"[IPv6:2001:db8::1]",
		"[ipv6:::1]",
		"[IPv6:::ffff:192.0.2.1]",
	};
	static const char *const bad[] = {
		"",
		".",
		"a.",
		".a",
		"a..b",
		"y z",
		"y\"z",
		"y\\z",
		"y>z",
		"y<z",
		"y@z",
		"y,z",
		"y:z",
		"y;z",
		"y/z",
		"y`z",
		"y%z",
		"y!z",
		"y\tz",
		"y\rz",
		"y\nz",
		"\xc3\xa4.de",
		"[192.0.2.1",
		"[192.0.2.1]x",
		"[192.0.2.256]",
		"[]",
		"[x]",
		"[tag:abc]",
		"[2001:db8::1]",
		"[IPv6:192.0.2.1]",
		"192.0.2.1]",
		"a[1.2.3.4]",
	};
	char big[300];
	size_t i;
	for (i = 0; i < sizeof good / sizeof good[0]; ++i)
		if (!T_OK(smtpaddr_domain(good[i], strlen(good[i]))))
			printf("    good \"%s\"\n", good[i]);
	for (i = 0; i < sizeof bad / sizeof bad[0]; ++i)
		if (!T_OK(!smtpaddr_domain(bad[i], strlen(bad[i]))))
			printf("    bad \"%s\"\n", bad[i]);
	T_OK(!smtpaddr_domain("a\0b", 3));
	T_OK(!smtpaddr_domain("[1.2.3.4]\0", 10));
	/* a label of 63 passes, of 64 not; a name of 253 passes, of 254 not */
	memset(big, 'a', sizeof big);
	T_OK(smtpaddr_domain(big, 63));
	T_OK(!smtpaddr_domain(big, 64));
	for (i = 63; i < sizeof big; i += 64)
		big[i] = '.';
	T_OK(smtpaddr_domain(big, 253));
	T_OK(!smtpaddr_domain(big, 254));
	T_OK(!smtpaddr_domain(big, 255));
	T_OK(!smtpaddr_domain(big, 256)); /* ends in a dot, and too long */
}

const t_case t_cases[] = {
	T_CASE(t_domain),
	T_CASE(t_angle_path),
	T_CASE(t_addr_ok),
	T_END,
};
