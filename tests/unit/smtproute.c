/* smtproute.c - tests for the smtproutes lookup */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "smtproute.h"

/* the list as control_readlist gives it: items, each followed by a NUL */
static const char list[] = "example.com:relay.example.net\0"
			   ".sub.example.com:[192.0.2.7]:2525\0"
			   "EXACT.example.org::26\0"
			   "v6.example:[2001:db8::1]:587\0"
			   "tag.example:[IPv6:2001:db8::2]\0"
			   "ip.example:192.0.2.9\0"
			   "port.example:mx.example:65535\0"
			   "empty.example:\0"
			   "nocolon.example\0"
			   "first.example:one.example\0"
			   "first.example:two.example\0"
			   "bad.example:[2001:db8::1\0"
			   "badport.example:relay:99999\0"
			   "zero.example:relay:0\0"
			   "junk.example:relay:25x\0"
			   "bare6.example:2001:db8::1\0"
			   "space.example:re lay\0"
			   "colon.example:relay:\0"
			   "brjunk.example:[192.0.2.1]x\0";

static const struct {
	const char *host;  /* looked up */
	int result;        /* 1 found, 0 none, -1 malformed */
	const char *relay; /* relay name, or 0 */
	const char *ip;    /* relay address as ip_fmt gives it, or 0 */
	unsigned port;     /* port */
} cases[] = {
	{"example.com", 1, "relay.example.net", 0, 25},
	{"EXAMPLE.COM", 1, "relay.example.net", 0, 25},
	{"x.example.com", 0, 0, 0, 0}, /* a key without a dot matches only itself */
	{"a.sub.example.com", 1, 0, "192.0.2.7", 2525},
	{"b.a.sub.example.com", 1, 0, "192.0.2.7", 2525},
	{"sub.example.com", 0, 0, 0, 0}, /* ".sub..." matches subdomains only */
	{"exact.EXAMPLE.org", 1, 0, 0, 26},
	{"v6.example", 1, 0, "2001:db8::1", 587},
	{"tag.example", 1, 0, "2001:db8::2", 25},
	{"ip.example", 1, 0, "192.0.2.9", 25},
	{"port.example", 1, "mx.example", 0, 65535},
	{"empty.example", 1, 0, 0, 25},
	{"nocolon.example", 0, 0, 0, 0},
	{"first.example", 1, "one.example", 0, 25},
	{"bad.example", -1, 0, 0, 0},
	{"badport.example", -1, 0, 0, 0},
	{"zero.example", -1, 0, 0, 0},
	{"junk.example", -1, 0, 0, 0},
	{"bare6.example", -1, 0, 0, 0},
	{"space.example", -1, 0, 0, 0},
	{"colon.example", 1, "relay", 0, 25},
	{"brjunk.example", -1, 0, 0, 0},
	{"", 0, 0, 0, 0},
	{"example", 0, 0, 0, 0},
	{"[192.0.2.1]", 0, 0, 0, 0},
};

static void t_find(void)
{
	size_t i;
	for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
		smtproute r;
		int x;
		errno = 0;
		x = smtproute_find(&r, list, sizeof list - 1, cases[i].host, strlen(cases[i].host));
		if (!T_EQ_U(x, cases[i].result))
			t_eq_s(cases[i].host, "", __FILE__, __LINE__, "host");
		if (x == -1)
			T_EQ_U(errno, EINVAL);
		if (x == 0)
			T_OK(r.entry == 0);
		if (x != 1)
			continue;
		T_OK(r.entry != 0);
		T_EQ_U(r.port, cases[i].port);
		if (cases[i].relay)
			T_EQ_MEM(r.relay, r.relaylen, cases[i].relay, strlen(cases[i].relay));
		else
			T_OK(r.relay == 0);
		if (cases[i].ip) {
			char buf[IP_FMT];
			size_t n = ip_fmt(buf, &r.ip);
			T_EQ_MEM(buf, n, cases[i].ip, strlen(cases[i].ip));
		} else {
			T_EQ_U(r.ip.family, 0);
		}
	}
}

static void t_default(void)
{
	static const char def[] = "example.com:[192.0.2.1]\0:smarthost.example:2525\0";
	static const char mxdef[] = ":\0.example.com:relay\0";
	smtproute r;
	T_EQ_U(smtproute_find(&r, def, sizeof def - 1, "other.test", 10), 1);
	T_EQ_MEM(r.relay, r.relaylen, "smarthost.example", 17);
	T_EQ_U(r.port, 2525);
	T_EQ_U(smtproute_find(&r, def, sizeof def - 1, "example.com", 11), 1);
	T_EQ_U(r.ip.family, 4);
	T_OK(r.relay == 0);
	/* a default route to MX, overridden by a suffix */
	T_EQ_U(smtproute_find(&r, mxdef, sizeof mxdef - 1, "other.test", 10), 1);
	T_OK(r.relay == 0);
	T_EQ_U(r.ip.family, 0);
	T_EQ_U(smtproute_find(&r, mxdef, sizeof mxdef - 1, "a.example.com", 13), 1);
	T_EQ_MEM(r.relay, r.relaylen, "relay", 5);
	/* an empty list, and a list whose last item lacks its NUL */
	T_EQ_U(smtproute_find(&r, "", 0, "x", 1), 0);
	T_EQ_U(smtproute_find(&r, "x:relay", 7, "x", 1), 1);
	T_EQ_MEM(r.relay, r.relaylen, "relay", 5);
}

/* the qmtproutes form: the same items, port 209 unless the item names one */
static void t_qmtp(void)
{
	static const char q[] = "a.test:[2001:db8::5]\0b.test:relay:2209\0c.test:\0:[192.0.2.9]\0";
	smtproute r;
	T_EQ_U(smtproute_findport(&r, q, sizeof q - 1, "a.test", 6, SMTPROUTE_QMTP), 1);
	T_EQ_U(r.port, 209);
	T_EQ_U(r.ip.family, 6);
	T_EQ_U(smtproute_findport(&r, q, sizeof q - 1, "b.test", 6, SMTPROUTE_QMTP), 1);
	T_EQ_U(r.port, 2209);
	T_EQ_MEM(r.relay, r.relaylen, "relay", 5);
	T_EQ_U(smtproute_findport(&r, q, sizeof q - 1, "c.test", 6, SMTPROUTE_QMTP), 1);
	T_EQ_U(r.port, 209);
	T_OK(r.relay == 0 && r.ip.family == 0);
	T_EQ_U(smtproute_findport(&r, q, sizeof q - 1, "other.test", 10, SMTPROUTE_QMTP), 1);
	T_EQ_U(r.port, 209);
	T_EQ_U(r.ip.family, 4);
	T_EQ_U(smtproute_findport(&r, q, sizeof q - 1, "a.test", 6, SMTPROUTE_SMTP), 1);
	T_EQ_U(r.port, 25);
	T_EQ_U(smtproute_parseport(&r, "[::1]:", 6, SMTPROUTE_QMTP), 1);
	T_EQ_U(r.port, 209);
	T_EQ_U(smtproute_parseport(&r, "[::1]:0", 7, SMTPROUTE_QMTP), 0);
	T_EQ_U(smtproute_parseport(&r, "::1", 3, SMTPROUTE_QMTP), 0);
}

const t_case t_cases[] = {
	T_CASE(t_find),
	T_CASE(t_default),
	T_CASE(t_qmtp),
	T_END,
};
