/* smtpaddr.c - tests for SMTP paths */
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

const t_case t_cases[] = {
	T_CASE(t_angle_path),
	T_CASE(t_addr_ok),
	T_END,
};
