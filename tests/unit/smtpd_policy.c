/* smtpd_policy.c - qmail-smtpd's rcpthosts, morercpthosts.cdb, badmailfrom and
 * recipients.cdb lookups, against real files made in a temporary QMAILHOME. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/qmail-smtpd/policy.c"
#include "cdbmake.h"
#include "harness.h"

/* put - write a file */
static void put(const char *name, const char *s)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	T_OK(fd >= 0);
	T_EQ_U(write(fd, s, strlen(s)), strlen(s));
	close(fd);
}

/* mkcdb - a cdb at name from "key\0data\0" pairs, n pairs */
static void mkcdb(const char *name, const char *const *kv, size_t n)
{
	cdbmake m;
	size_t i;
	int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
	T_OK(fd >= 0);
	T_OK(cdbmake_start(&m, fd));
	for (i = 0; i < n; ++i)
		T_OK(cdbmake_add(&m, kv[2 * i], strlen(kv[2 * i]), kv[2 * i + 1],
				 strlen(kv[2 * i + 1])));
	T_OK(cdbmake_finish(&m));
	cdbmake_free(&m);
	close(fd);
}

static void setup(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	T_OK(chdir(t_tmpdir()) == 0);
	T_OK(mkdir("control", 0755) == 0);
}

/* clear - remove every policy file */
static void clear(void)
{
	unlink("control/rcpthosts");
	unlink("control/morercpthosts.cdb");
	unlink("control/badmailfrom");
	unlink("control/recipients.cdb");
}

static void t_open_relay(void)
{
	policy p;
	setup();
	clear();
	T_OK(policy_load(&p));
	T_EQ_U(p.rh.has_rh, 0);
	T_EQ_U(policy_rcpthosts(&p, "a@anywhere.example"), 1);
	T_EQ_U(policy_rcptknown(&p, "a@anywhere.example"), 1);
	T_EQ_U(policy_badmailfrom(&p, "a@anywhere.example"), 0);
	policy_free(&p);
	/* morercpthosts.cdb alone does not restrict anything (qmail's rule) */
	{
		static const char *const kv[] = {"example.com", ""};
		mkcdb("control/morercpthosts.cdb", kv, 1);
	}
	T_OK(policy_load(&p));
	T_EQ_U(policy_rcpthosts(&p, "a@anywhere.example"), 1);
	policy_free(&p);
}

static void t_rcpthosts(void)
{
	static const char *const mrh[] = {"more.example", "", ".sub.more.example", ""};
	static const struct {
		const char *rcpt;
		int want;
	} c[] = {
		{"a@example.com", 1},
		{"a@EXAMPLE.COM", 1},
		{"a@Example.Com", 1},
		{"a@x.example.com", 0},
		{"a@example.com.", 0},
		{"a@xexample.com", 0},
		{"a@example.net", 0},
		{"a@a.example.net", 1},
		{"a@a.b.example.net", 1},
		{"a@xexample.net", 0},
		{"a@[192.0.2.1]", 1},
		{"a@[192.0.2.2]", 0},
		{"a@", 0},
		{"a", 1},
		{"a%b@example.org", 0},
		{"a@example.org@example.com", 1},
		{"a@example.com@example.org", 0},
		{"a!b@example.org", 0},
		{"a@more.example", 1},
		{"a@MORE.example", 1},
		{"a@x.more.example", 0},
		{"a@x.sub.more.example", 1},
		{"a@sub.more.example", 0},
		{"a@example.org", 0},
		{"@example.com", 1},
		{"postmaster", 1},
	};
	policy p;
	size_t i;
	setup();
	clear();
	put("control/rcpthosts", "# ours\nexample.com\n\n.Example.NET  \n[192.0.2.1]\n");
	mkcdb("control/morercpthosts.cdb", mrh, 2);
	T_OK(policy_load(&p));
	T_EQ_U(p.rh.has_rh, 1);
	for (i = 0; i < sizeof c / sizeof c[0]; ++i)
		if (!T_EQ_U(policy_rcpthosts(&p, c[i].rcpt), c[i].want))
			printf("    case \"%s\"\n", c[i].rcpt);
	policy_free(&p);
	/* an empty rcpthosts accepts nothing but @-less recipients */
	put("control/rcpthosts", "");
	unlink("control/morercpthosts.cdb");
	T_OK(policy_load(&p));
	T_EQ_U(policy_rcpthosts(&p, "a@example.com"), 0);
	T_EQ_U(policy_rcpthosts(&p, "a"), 1);
	policy_free(&p);
}

static void t_badmailfrom(void)
{
	static const struct {
		const char *sender;
		int want;
	} c[] = {
		{"bad@example.org", 1},  {"BAD@Example.ORG", 1},
		{"bad@example.orgx", 0}, {"xbad@example.org", 0},
		{"a@spam.example", 1},   {"a@SPAM.example", 1},
		{"a@x.spam.example", 0}, {"", 0},
		{"spam.example", 0},     {"@spam.example", 1},
		{"a@b@spam.example", 1},
	};
	policy p;
	size_t i;
	setup();
	clear();
	put("control/badmailfrom", "bad@example.org\n@Spam.Example\n#@example.com\n");
	T_OK(policy_load(&p));
	for (i = 0; i < sizeof c / sizeof c[0]; ++i)
		if (!T_EQ_U(policy_badmailfrom(&p, c[i].sender), c[i].want))
			printf("    case \"%s\"\n", c[i].sender);
	T_EQ_U(policy_badmailfrom(&p, "a@example.com"), 0);
	policy_free(&p);
}

static void t_recipients(void)
{
	/* example.com: listed users, a prefix from .qmail-list-default, and an address
	 * whose local part ends with the break character; virtual.example: catch-all */
	static const char *const kv[] = {
		"@example.com",      "",  "joe@example.com",     "",  "postmaster@example.com", "",
		"list-@example.com", "*", "a-b-@example.com",    "*", "odd-@example.com",       "",
		"@virtual.example",  "*", "x@unrelated.example", "",
	};
	static const struct {
		const char *rcpt;
		int want;
	} c[] = {
		{"joe@example.com", 1},
		{"JOE@Example.COM", 1},
		{"postmaster@example.com", 1},
		{"jim@example.com", 0},
		{"joe-x@example.com", 0},
		{"list-@example.com", 1},
		{"list-x@example.com", 1},
		{"list-x-y@example.com", 1},
		{"List-Owner@example.com", 1},
		{"list@example.com", 0},
		{"lis-t@example.com", 0},
		{"a-b-c@example.com", 1},
		{"a-b@example.com", 0},
		{"a-c@example.com", 0},
		{"odd-@example.com", 1},
		{"odd-x@example.com", 0},
		{"anyone@virtual.example", 1},
		{"x@unrelated.example", 1},
		{"y@unrelated.example", 1},
		{"y@other.example", 1},
		{"nodomain", 1},
		{"joe@example.com@example.com", 0},
		{"@example.com", 0},
	};
	policy p;
	size_t i;
	setup();
	clear();
	mkcdb("control/recipients.cdb", kv, sizeof kv / sizeof kv[0] / 2);
	T_OK(policy_load(&p));
	T_OK(p.rcpt_fd >= 0);
	for (i = 0; i < sizeof c / sizeof c[0]; ++i)
		if (!T_EQ_U(policy_rcptknown(&p, c[i].rcpt), c[i].want))
			printf("    case \"%s\"\n", c[i].rcpt);
	policy_free(&p);
}

static void t_broken(void)
{
	policy p;
	setup();
	clear();
	put("control/recipients.cdb", "short");
	T_OK(!policy_load(&p));
	T_EQ_S(p.failed, "control/recipients.cdb");
	policy_free(&p);
	clear();
	put("control/morercpthosts.cdb", "");
	T_OK(!policy_load(&p));
	T_EQ_S(p.failed, "control/morercpthosts.cdb");
	policy_free(&p);
	clear();
	put("control/rcpthosts", "a\0b\n");
	T_OK(mkdir("control/badmailfrom", 0755) == 0);
	T_OK(!policy_load(&p));
	T_EQ_S(p.failed, "control/badmailfrom");
	policy_free(&p);
	T_OK(rmdir("control/badmailfrom") == 0);
	clear();
}

const t_case t_cases[] = {
	T_CASE(t_open_relay), T_CASE(t_rcpthosts), T_CASE(t_badmailfrom),
	T_CASE(t_recipients), T_CASE(t_broken),    T_END,
};
