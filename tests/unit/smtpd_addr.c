/* smtpd_addr.c - tables for qmail-smtpd's MAIL/RCPT argument parser, its ESMTP
 * parameters, literal rewriting, and the DATA decoder and hop scanner (fed whole and
 * one byte at a time). */
#include <stdio.h>
#include <string.h>

#include "../../src/qmail-smtpd/addr.c"
#include "../../src/qmail-smtpd/data.c"
#include "harness.h"
#include "smtpdata.h"

typedef struct acase_s {
	const char *in;   /* the argument after the verb */
	int want;         /* ADDR_ result */
	const char *addr; /* the address when ADDR_OK */
	const char *rest; /* the parameters when ADDR_OK */
} acase;

static const acase acases[] = {
	{"FROM:<a@b>", ADDR_OK, "a@b", ""},
	{"from:<a@b>", ADDR_OK, "a@b", ""},
	{"From:<A@B>", ADDR_OK, "A@B", ""},
	{"FROM:<>", ADDR_OK, "", ""},
	{"FROM:", ADDR_OK, "", ""},
	{"FROM: <a@b>", ADDR_OK, "a@b", ""},
	{"FROM:   <a@b>   SIZE=1", ADDR_OK, "a@b", "SIZE=1"},
	{"FROM:<a@b> SIZE=1 BODY=8BITMIME", ADDR_OK, "a@b", "SIZE=1 BODY=8BITMIME"},
	{"FROM:a@b", ADDR_OK, "a@b", ""},
	{"FROM:a@b SIZE=2", ADDR_OK, "a@b", "SIZE=2"},
	{"FROM:<@x.example:a@b>", ADDR_OK, "a@b", ""},
	{"FROM:<@x.example,@y.example:a@b>", ADDR_OK, "a@b", ""},
	{"FROM:@x:a@b", ADDR_OK, "a@b", ""},
	{"FROM:<\"a b\"@c>", ADDR_OK, "a b@c", ""},
	{"FROM:<\"a>b\"@c>", ADDR_OK, "a>b@c", ""},
	{"FROM:<\"a@b\"@c>", ADDR_OK, "a@b@c", ""},
	{"FROM:<a\\@b@c>", ADDR_OK, "a@b@c", ""},
	{"FROM:<a\\>b@c>", ADDR_OK, "a>b@c", ""},
	{"FROM:<a\\\"b@c>", ADDR_OK, "a\"b@c", ""},
	{"FROM:<a\\\\b@c>", ADDR_OK, "a\\b@c", ""},
	{"FROM:<\"\"@c>", ADDR_OK, "@c", ""},
	{"FROM:<a%b@c>", ADDR_OK, "a%b@c", ""},
	{"FROM:<b!a@c>", ADDR_OK, "b!a@c", ""},
	{"FROM:<a@[192.0.2.1]>", ADDR_OK, "a@[192.0.2.1]", ""},
	{"FROM:<\xc3\xa4@b>", ADDR_OK, "\xc3\xa4@b", ""},
	{"FROM:<a@b> ", ADDR_OK, "a@b", ""},
	{"TO:<a@b>", ADDR_SYNTAX, 0, 0},
	{"FROM <a@b>", ADDR_SYNTAX, 0, 0},
	{"FROM", ADDR_SYNTAX, 0, 0},
	{"", ADDR_SYNTAX, 0, 0},
	{"FRO", ADDR_SYNTAX, 0, 0},
	{"FROM:<a@b", ADDR_SYNTAX, 0, 0},
	{"FROM:<a@b>x", ADDR_SYNTAX, 0, 0},
	{"FROM:<a@b>>", ADDR_SYNTAX, 0, 0},
	{"FROM:<a b@c>", ADDR_SYNTAX, 0, 0},
	{"FROM:<\"a@b>", ADDR_SYNTAX, 0, 0},
	{"FROM:\"a b", ADDR_SYNTAX, 0, 0},
	{"FROM:<a\\>", ADDR_SYNTAX, 0, 0},
	{"FROM:a\\", ADDR_SYNTAX, 0, 0},
	{"FROM:<a\tb@c>", ADDR_SYNTAX, 0, 0},
	{"FROM:<a\x7f@c>", ADDR_SYNTAX, 0, 0},
	{"FROM:<\"a\x01\"@c>", ADDR_SYNTAX, 0, 0},
	{"FROM:<a\\\x01@c>", ADDR_SYNTAX, 0, 0},
	{"FROM:<@x.example>", ADDR_SYNTAX, 0, 0},
	{"FROM:<@x.example,a@b>", ADDR_SYNTAX, 0, 0},
	{"FROM:<@x>:a@b>", ADDR_SYNTAX, 0, 0},
	/* the domain after the last '@' must be a host name or an address literal */
	{"FROM:<\"x@y z\">", ADDR_DOMAIN, 0, 0},
	{"FROM:<\"x@y\\\"z\">", ADDR_DOMAIN, 0, 0},
	{"FROM:<\"x@y\\\\z\">", ADDR_DOMAIN, 0, 0},
	{"FROM:<\"x@y>z\">", ADDR_DOMAIN, 0, 0},
	{"FROM:<x@y\\>z>", ADDR_DOMAIN, 0, 0},
	{"FROM:<x@\"y z\">", ADDR_DOMAIN, 0, 0},
	{"FROM:<x@y\\ z>", ADDR_DOMAIN, 0, 0},
	{"FROM:<x@>", ADDR_DOMAIN, 0, 0},
	{"FROM:<x@b.>", ADDR_DOMAIN, 0, 0},
	{"FROM:<x@.b>", ADDR_DOMAIN, 0, 0},
	{"FROM:<x@b..c>", ADDR_DOMAIN, 0, 0},
	{"FROM:<x@b%c>", ADDR_DOMAIN, 0, 0},
	{"FROM:<x@b!c>", ADDR_DOMAIN, 0, 0},
	{"FROM:<x@b,c>", ADDR_DOMAIN, 0, 0},
	{"FROM:<x@b;c>", ADDR_DOMAIN, 0, 0},
	{"FROM:<x@b/c>", ADDR_DOMAIN, 0, 0},
	{"FROM:<x@b`c>", ADDR_DOMAIN, 0, 0},
	{"FROM:<x@\xc3\xa4.de>", ADDR_DOMAIN, 0, 0},
	{"FROM:<x@[tag:abc]>", ADDR_DOMAIN, 0, 0},
	{"FROM:<x@[192.0.2.1]x>", ADDR_DOMAIN, 0, 0},
	{"FROM:<x@[192.0.2.999]>", ADDR_DOMAIN, 0, 0},
	{"FROM:x@\"y z\"", ADDR_DOMAIN, 0, 0},
	{"FROM:<\"y@z\"@b.c>", ADDR_OK, "y@z@b.c", ""},
	{"FROM:<x@[IPv6:2001:db8::1]>", ADDR_OK, "x@[IPv6:2001:db8::1]", ""},
	{"FROM:<x@a-b.c_d>", ADDR_OK, "x@a-b.c_d", ""},
	{"FROM:<postmaster>", ADDR_OK, "postmaster", ""},
	{"FROM:<\"a b\">", ADDR_OK, "a b", ""},
};

static void t_parse(void)
{
	sa out = SA_ZERO;
	size_t i, params;
	for (i = 0; i < sizeof acases / sizeof acases[0]; ++i) {
		const acase *c = &acases[i];
		size_t n = strlen(c->in);
		int r = addr_parse(c->in, n, "from:", 1000, &out, &params);
		int ok = T_EQ_U(r, c->want);
		if (ok && r == ADDR_OK) {
			ok = T_EQ_MEM(out.s, out.len, c->addr, strlen(c->addr)) &&
			     T_OK(params <= n) &&
			     T_EQ_MEM(c->in + params, n - params, c->rest, strlen(c->rest));
		}
		if (!ok)
			printf("    case \"%s\"\n", c->in);
	}
	T_EQ_U(addr_parse("TO:<x@y>", 8, "to:", 1000, &out, &params), ADDR_OK);
	T_EQ_U(addr_parse("TO:<x@y>", 8, "from:", 1000, &out, &params), ADDR_SYNTAX);
	sa_free(&out);
}

static void t_limit(void)
{
	sa in = SA_ZERO, out = SA_ZERO;
	size_t params, i;
	sa_cats(&in, "FROM:<");
	for (i = 0; i < 10; ++i)
		sa_catc(&in, 'x');
	sa_cats(&in, ">");
	T_EQ_U(addr_parse(in.s, in.len, "from:", 10, &out, &params), ADDR_OK);
	T_EQ_U(out.len, 10);
	T_EQ_U(addr_parse(in.s, in.len, "from:", 9, &out, &params), ADDR_LONG);
	T_OK(out.len <= 9);
	T_EQ_U(addr_parse(in.s, in.len, "from:", 0, &out, &params), ADDR_LONG);
	T_EQ_U(addr_parse("FROM:<>", 7, "from:", 0, &out, &params), ADDR_OK);
	/* quoting does not count toward the limit, the result does */
	T_EQ_U(addr_parse("FROM:<\"ab\"\\c>", 13, "from:", 3, &out, &params), ADDR_OK);
	T_EQ_MEM(out.s, out.len, "abc", 3);
	T_EQ_U(addr_parse("FROM:<\"ab\"\\c>", 13, "from:", 2, &out, &params), ADDR_LONG);
	sa_free(&in);
	sa_free(&out);
}

static void t_mailparams(void)
{
	static const struct {
		const char *in;
		int ok;
		uint64_t size;
	} c[] = {
		{"", 1, 0},
		{"SIZE=0", 1, 0},
		{"SIZE=12345", 1, 12345},
		{"size=7  body=7BIT", 1, 7},
		{"BODY=8bitmime SIZE=18446744073709551615", 1, UINT64_MAX},
		{"SIZE=18446744073709551616", 1, UINT64_MAX},
		{"SIZE=999999999999999999999999999999", 1, UINT64_MAX},
		{"SIZE=", 0, 0},
		{"SIZE", 0, 0},
		{"SIZE=-1", 0, 0},
		{"SIZE=1x", 0, 0},
		{"SIZE=1 SIZE=1", 0, 0},
		{"BODY=7BIT BODY=7BIT", 0, 0},
		{"BODY=BINARYMIME", 0, 0},
		{"BODY=", 0, 0},
		{"BODY=8BITMIMEX", 0, 0},
		{"AUTH=<>", 0, 0},
		{"SMTPUTF8", 0, 0},
		{"RET=HDRS", 0, 0},
	};
	size_t i;
	for (i = 0; i < sizeof c / sizeof c[0]; ++i) {
		uint64_t size = 99;
		int r = addr_mailparams(c[i].in, strlen(c[i].in), &size);
		if (!T_EQ_U(r, c[i].ok) || (r && !T_EQ_U(size, c[i].size)))
			printf("    case \"%s\"\n", c[i].in);
	}
	T_OK(addr_noparams("", 0));
	T_OK(addr_noparams("   ", 3));
	T_OK(!addr_noparams(" x", 2));
}

static void t_localip(void)
{
	static const unsigned char me4[4] = {192, 0, 2, 25};
	static const unsigned char me6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
					      0,    0,    0,    0,    0, 0, 0, 0x19};
	static const struct {
		const char *in;
		const char *want;
	} c[] = {
		{"u@[192.0.2.25]", "u@example.com"},
		{"u@[127.0.0.1]", "u@example.com"},
		{"u@[127.1.2.3]", "u@example.com"},
		{"u@[0.0.0.0]", "u@example.com"},
		{"u@[IPv6:2001:db8::19]", "u@example.com"},
		{"u@[ipv6:::1]", "u@example.com"},
		{"u@[IPv6:::]", "u@example.com"},
		{"u@[IPv6:::ffff:192.0.2.25]", "u@example.com"},
		{"a@b@[192.0.2.25]", "a@b@example.com"},
		{"u@[192.0.2.26]", "u@[192.0.2.26]"},
		{"u@[IPv6:2001:db8::1a]", "u@[IPv6:2001:db8::1a]"},
		{"u@[192.0.2.25", "u@[192.0.2.25"},
		{"u@[192.0.2.25]x", "u@[192.0.2.25]x"},
		{"u@192.0.2.25", "u@192.0.2.25"},
		{"u@[::1]", "u@[::1]"},
		{"[192.0.2.25]", "[192.0.2.25]"},
		{"", ""},
		{"u@example.org", "u@example.org"},
	};
	ip_list me = IP_LIST_ZERO;
	ip_addr a;
	sa x = SA_ZERO;
	size_t i;
	ip_set4(&a, me4);
	T_OK(ip_list_add(&me, &a));
	ip_set6(&a, me6);
	T_OK(ip_list_add(&me, &a));
	for (i = 0; i < sizeof c / sizeof c[0]; ++i) {
		sa_copys(&x, c[i].in);
		T_OK(addr_localip(&x, "example.com", &me));
		if (!T_EQ_MEM(x.s, x.len, c[i].want, strlen(c[i].want)))
			printf("    case \"%s\"\n", c[i].in);
		sa_copys(&x, c[i].in);
		T_OK(addr_localip(&x, 0, &me));
		T_EQ_MEM(x.s, x.len, c[i].in, strlen(c[i].in));
	}
	T_EQ_U(addr_domain("a@b@c", 5), 4);
	T_EQ_U(addr_domain("abc", 3), 3);
	T_EQ_U(addr_domain("abc@", 4), 4);
	ip_list_free(&me);
	sa_free(&x);
}

/* one decoder case: wire bytes, the result, the stored bytes, the bytes consumed */
typedef struct dcase_s {
	const char *in;
	size_t len;
	int want;
	const char *out;
	size_t outlen;
	size_t used;
} dcase;

#define D(in, want, out, used)                                     \
	{                                                          \
		in, sizeof in - 1, want, out, sizeof out - 1, used \
	}

static const dcase dcases[] = {
	D("", DATA_MORE, "", 0),
	D(".\r\n", DATA_END, "", 3),
	D(".\r\nNEXT", DATA_END, "", 3),
	D("a\r\n.\r\n", DATA_END, "a\n", 6),
	D("a\r\n.\r\nQUIT\r\n", DATA_END, "a\n", 6),
	D("a\r\nb", DATA_MORE, "a\nb", 4),
	D("\r\n\r\n.\r\n", DATA_END, "\n\n", 7),
	D("..\r\n.\r\n", DATA_END, ".\n", 7),
	D("...\r\n.\r\n", DATA_END, "..\n", 8),
	D(".a\r\n.\r\n", DATA_END, "a\n", 7),
	D(". \r\n.\r\n", DATA_END, " \n", 7),
	D("a.\r\n.\r\n", DATA_END, "a.\n", 7),
	D("a\r\n.b\r\n.\r\n", DATA_END, "a\nb\n", 10),
	D("\0\r\n.\r\n", DATA_END, "\0\n", 6),
	D("\r\n\0.\r\n.\r\n", DATA_END, "\n\0.\n", 9),
	D("\xff\x80\r\n.\r\n", DATA_END, "\xff\x80\n", 7),
	D("a\n", DATA_BARELF, "a", 1),
	D("\n", DATA_BARELF, "", 0),
	D(".\n", DATA_BARELF, "", 1),
	D("a\r\n.\n", DATA_BARELF, "a\n", 4),
	D("a\r", DATA_MORE, "a", 2),
	D("a\rb", DATA_BARECR, "a", 2),
	D("a\r\r\n", DATA_BARECR, "a", 2),
	D("\r.\r\n", DATA_BARECR, "", 1),
	D("a\r\n.\rb", DATA_BARECR, "a\n", 5),
	D("a\r\n.\r.", DATA_BARECR, "a\n", 5),
	D("a\r\n.\r", DATA_MORE, "a\n", 5),
	/* the SMTP smuggling end-of-data forms: none is an end */
	D("x\n.\nMAIL", DATA_BARELF, "x", 1),
	D("x\n.\r\nMAIL", DATA_BARELF, "x", 1),
	D("x\r.\r\nMAIL", DATA_BARECR, "x", 2),
	D("x\r\n.\rMAIL", DATA_BARECR, "x\n", 5),
	D("x\r.\rMAIL", DATA_BARECR, "x", 2),
	D("x\r.\nMAIL", DATA_BARECR, "x", 2),
	D("x\n.\rMAIL", DATA_BARELF, "x", 1),
	D("x\r\n.\nMAIL", DATA_BARELF, "x\n", 4),
	D("x\r\n\0.\r\nMAIL", DATA_MORE, "x\n\0.\nMAIL", 11),
};

/* decode - feed in (whole or byte by byte) to a fresh decoder */
static int decode(const dcase *c, int bytewise, sa *out, size_t *used)
{
	data_dec d;
	size_t i = 0, u;
	int r = DATA_MORE;
	data_init(&d);
	out->len = 0;
	*used = 0;
	if (!bytewise) {
		r = data_feed(&d, c->in, c->len, used, out);
		return r;
	}
	for (i = 0; i < c->len; ++i) {
		r = data_feed(&d, c->in + i, 1, &u, out);
		*used += u;
		if (r != DATA_MORE)
			break;
	}
	/* once over, it stays over and takes nothing */
	if (r != DATA_MORE && T_EQ_U(data_feed(&d, "x", 1, &u, out), r))
		T_EQ_U(u, 0);
	return r;
}

static void t_decoder(void)
{
	sa out = SA_ZERO;
	size_t i, used;
	int k;
	for (i = 0; i < sizeof dcases / sizeof dcases[0]; ++i)
		for (k = 0; k < 2; ++k) {
			const dcase *c = &dcases[i];
			int r = decode(c, k, &out, &used);
			if (!T_EQ_U(r, c->want) || !T_EQ_MEM(out.s, out.len, c->out, c->outlen) ||
			    !T_EQ_U(used, c->used))
				printf("    case %zu, %s\n", i, k ? "byte by byte" : "whole");
		}
	sa_free(&out);
}

static void t_hops(void)
{
	static const struct {
		const char *in;
		unsigned long want;
	} c[] = {
		{"", 0},
		{"Received: x\n", 1},
		{"received:\n", 1},
		{"RECEIVED\n", 1},
		{"Receive\n", 0},
		{"Delivered-To: a\n", 1},
		{"delivered\n", 1},
		{"Delivere\n", 0},
		{"Received-SPF: pass\n", 1},
		{" Received: x\n", 0},
		{"X-Received: x\n", 0},
		{"Subject: Received\n", 0},
		{"Received: a\nReceived: b\nDelivered-To: c\nSubject: d\n", 3},
		{"Received: a\n\nReceived: b\n", 1},
		{"\nReceived: a\n", 0},
		{"Received: a\n \nReceived: b\n", 2},
		{"Receiv", 0},
		{"Received", 1},
	};
	size_t i, j;
	for (i = 0; i < sizeof c / sizeof c[0]; ++i) {
		hops h;
		size_t n = strlen(c[i].in);
		hops_init(&h);
		hops_feed(&h, c[i].in, n);
		if (!T_EQ_U(h.count, c[i].want))
			printf("    case \"%s\" whole\n", c[i].in);
		hops_init(&h);
		for (j = 0; j < n; ++j)
			hops_feed(&h, c[i].in + j, 1);
		if (!T_EQ_U(h.count, c[i].want))
			printf("    case \"%s\" byte by byte\n", c[i].in);
	}
}

static void t_hops_long_line(void)
{
	/* a header line of several gigabytes would have overflowed qmail's counter; here
	 * the position stops at 10 and a later Received line still counts */
	static char chunk[1 << 16];
	hops h;
	size_t i;
	memset(chunk, 'x', sizeof chunk);
	hops_init(&h);
	hops_feed(&h, "Received: ", 10);
	for (i = 0; i < 1024; ++i)
		hops_feed(&h, chunk, sizeof chunk);
	T_EQ_U(h.pos, 10);
	hops_feed(&h, "\nReceived: y\n", 13);
	T_EQ_U(h.count, 2);
	T_EQ_U(h.body, 0);
	hops_feed(&h, "\nReceived: y\n", 13);
	T_EQ_U(h.count, 2);
	T_EQ_U(h.body, 1);
}

static void t_roundtrip(void)
{
	/* what qmail-remote's encoder (smtpdata) sends, this decoder takes back exactly,
	 * ending at the encoder's end and nowhere before; random messages of LF lines,
	 * fed whole, in pieces of 7 and byte by byte */
	static const char alphabet[] = {'.', '.', '\n', '\n', 'a', ' ', '\0', '\xe4', 'R'};
	unsigned long seed = 12345;
	sa msg = SA_ZERO, wire = SA_ZERO, out = SA_ZERO;
	int round;
	for (round = 0; round < 2000; ++round) {
		smtpdata enc = SMTPDATA_ZERO;
		data_dec d;
		size_t len, i, used = 0, u;
		int r = DATA_MORE;
		seed = seed * 1103515245 + 12345;
		len = (seed >> 16) % 200;
		msg.len = wire.len = out.len = 0;
		for (i = 0; i < len; ++i) {
			seed = seed * 1103515245 + 12345;
			sa_catc(&msg, alphabet[(seed >> 16) % sizeof alphabet]);
		}
		if (msg.len && msg.s[msg.len - 1] != '\n')
			sa_catc(&msg, '\n'); /* the encoder takes whole lines only */
		T_OK(smtpdata_put(&enc, &wire, msg.s, msg.len) && smtpdata_end(&enc, &wire));
		sa_cats(&wire, "NEXT");
		data_init(&d);
		for (i = 0; i < wire.len && r == DATA_MORE; i += u) {
			size_t step = round % 3 == 0 ? 1 : round % 3 == 1 ? 7 : wire.len;
			r = data_feed(&d, wire.s + i, wire.len - i < step ? wire.len - i : step, &u,
				      &out);
			used += u;
		}
		if (!T_EQ_U(r, DATA_END) || !T_EQ_U(used, wire.len - 4) ||
		    !T_EQ_MEM(out.s, out.len, msg.s, msg.len))
			printf("    round %d\n", round);
	}
	sa_free(&msg);
	sa_free(&wire);
	sa_free(&out);
}

const t_case t_cases[] = {
	T_CASE(t_parse),          T_CASE(t_limit),     T_CASE(t_mailparams),
	T_CASE(t_localip),        T_CASE(t_decoder),   T_CASE(t_hops),
	T_CASE(t_hops_long_line), T_CASE(t_roundtrip), T_END,
};
