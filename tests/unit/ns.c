/* ns.c - tests for netstrings: tables of valid and invalid input, fed whole and bytewise */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "ns.h"
#include "sa.h"

typedef struct good_s {
	const char *in;   /* the netstring */
	size_t inlen;     /* its length */
	const char *data; /* the payload it holds */
	size_t dlen;      /* the payload's length */
} good;

/* clang-format off */
#define G(in, data) {in, sizeof in - 1, data, sizeof data - 1}
/* clang-format on */
static const good goods[] = {
	G("0:,", ""),
	G("1:a,", "a"),
	G("5:hello,", "hello"),
	G("12:hello world!,", "hello world!"), /* exactly the limit */
	G("3:a\0b,", "a\0b"),
	G("3::,,,", ":,,"),
	G("2:\r\n,", "\r\n"),
	G("10:0123456789,", "0123456789"),
	G("9:3:abc,0:,,", "3:abc,0:,"),               /* nested */
	G("6:0:,0:,,", "0:,0:,"),                     /* nested empties */
	G("4:\xff\x80\x00\x01,", "\xff\x80\x00\x01"), /* any byte */
};

typedef struct bad_s {
	const char *in; /* the input */
	size_t inlen;   /* its length */
	int r;          /* what ns_parse says: -1 error, 0 input ends too soon */
	int e;          /* errno for an error */
	size_t at;      /* bytes consumed before the error showed */
} bad;

/* clang-format off */
#define B(in, r, e, at) {in, sizeof in - 1, r, e, at}
/* clang-format on */
static const bad bads[] = {
	B("01:a,", -1, EPROTO, 1), /* leading zero */
	B("00:,", -1, EPROTO, 1),
	B("+1:a,", -1, EPROTO, 0), /* sign */
	B("-1:a,", -1, EPROTO, 0),
	B(" 1:a,", -1, EPROTO, 0), /* space */
	B("1 :a,", -1, EPROTO, 1),
	B("1: a,", -1, EPROTO, 3), /* payload " ", then "a" where the comma goes */
	B("1a,", -1, EPROTO, 1),   /* no colon */
	B(":a,", -1, EPROTO, 0),   /* no length */
	B(",", -1, EPROTO, 0),
	B("0x1:a,", -1, EPROTO, 1),
	B("1:ab", -1, EPROTO, 3), /* no comma */
	B("1:a;", -1, EPROTO, 3),
	B("0:;", -1, EPROTO, 2),
	B("2:a,", 0, 0, 4), /* ends inside the payload */
	B("1:a", 0, 0, 3),  /* ends before the comma */
	B("0:", 0, 0, 2),
	B("12", 0, 0, 2),
	B("", 0, 0, 0),
	B("13:0123456789abc,", -1, EMSGSIZE, 1), /* over the limit of 12 */
	B("1000000:", -1, EMSGSIZE, 2), /* told at the third digit, long before the colon */
	B("18446744073709551617:x,", -1, EMSGSIZE, 1), /* 2^64 + 1 */
	B("99999999999999999999999999:", -1, EMSGSIZE, 1),
};

#define LIMIT 12

/* get_whole - ns_get on the whole input; returns its result, payload in out */
static int get_whole(const char *in, size_t n, sa *out, size_t *used, int *e)
{
	ns p;
	int r;
	ns_init(&p, LIMIT);
	errno = 0;
	r = ns_get(&p, out, in, n, used);
	*e = errno;
	return r;
}

/* get_bytes - ns_get one byte at a time; stops at the first non-0 result */
static int get_bytes(const char *in, size_t n, sa *out, size_t *used, int *e)
{
	ns p;
	size_t i, u;
	int r = 0;
	ns_init(&p, LIMIT);
	*used = 0;
	errno = 0;
	for (i = 0; i < n && r == 0; ++i) {
		r = ns_get(&p, out, in + i, 1, &u);
		*used += u;
	}
	*e = errno;
	return r;
}

/* feed_events - ns_feed in chunks of step bytes; payload pieces collected in out */
static int feed_events(const char *in, size_t n, size_t step, sa *out, size_t *declared)
{
	ns p;
	size_t off = 0, u;
	int r = NS_MORE, lens = 0;
	ns_init(&p, LIMIT);
	out->len = 0;
	while (off < n) {
		size_t k = n - off < step ? n - off : step;
		r = ns_feed(&p, in + off, k, &u);
		if (u > k)
			return -100; /* consumed more than given */
		if (r == NS_ERROR)
			return r;
		if (r == NS_LEN) {
			lens++;
			*declared = p.len;
		}
		if (r == NS_DATA)
			sa_catb(out, in + off, u);
		off += u;
		if (r == NS_END)
			break;
	}
	return r == NS_END && lens == 1 && off == n ? 1 : r;
}

static void t_good(void)
{
	size_t i, used, declared, dlen;
	const char *data;
	sa out = SA_ZERO;
	int e;
	for (i = 0; i < sizeof goods / sizeof goods[0]; ++i) {
		const good *g = goods + i;
		T_EQ_U(ns_parse(g->in, g->inlen, LIMIT, &data, &dlen, &used), 1);
		T_EQ_MEM(data, dlen, g->data, g->dlen);
		T_EQ_U(used, g->inlen);
		out.len = 0;
		T_EQ_U(get_whole(g->in, g->inlen, &out, &used, &e), 1);
		T_EQ_MEM(out.s, out.len, g->data, g->dlen);
		T_EQ_U(used, g->inlen);
		sa_copys(&out, "junk"); /* a new netstring replaces what was there */
		T_EQ_U(get_bytes(g->in, g->inlen, &out, &used, &e), 1);
		T_EQ_MEM(out.s, out.len, g->data, g->dlen);
		T_EQ_U(used, g->inlen);
		T_EQ_U(feed_events(g->in, g->inlen, 1, &out, &declared), 1);
		T_EQ_MEM(out.s, out.len, g->data, g->dlen);
		T_EQ_U(declared, g->dlen);
		T_EQ_U(feed_events(g->in, g->inlen, 3, &out, &declared), 1);
		T_EQ_MEM(out.s, out.len, g->data, g->dlen);
	}
	sa_free(&out);
}

static void t_bad(void)
{
	size_t i, used, dlen;
	const char *data = 0;
	sa out = SA_ZERO;
	int e;
	for (i = 0; i < sizeof bads / sizeof bads[0]; ++i) {
		const bad *b = bads + i;
		errno = 0;
		T_EQ_U(ns_parse(b->in, b->inlen, LIMIT, &data, &dlen, &used), b->r);
		T_EQ_U(errno, b->e);
		T_EQ_U(get_whole(b->in, b->inlen, &out, &used, &e), b->r);
		T_EQ_U(e, b->e);
		T_EQ_U(used, b->at);
		T_EQ_U(get_bytes(b->in, b->inlen, &out, &used, &e), b->r);
		T_EQ_U(e, b->e);
		T_EQ_U(used, b->at);
	}
	T_OK(data == 0); /* never set on failure */
	sa_free(&out);
}

static void t_limit_before_alloc(void)
{
	sa out = SA_ZERO;
	size_t used;
	ns p;
	ns_init(&p, 1000);
	T_EQ_U(ns_get(&p, &out, "1001:", 5, &used), -1);
	T_EQ_U(errno, EMSGSIZE);
	T_OK(out.s == 0); /* nothing was allocated */
	/* SIZE_MAX is a legal length under an unlimited limit, but cannot be allocated */
	ns_init(&p, SIZE_MAX);
	if (SIZE_MAX == UINT64_MAX) {
		errno = 0;
		T_EQ_U(ns_get(&p, &out, "18446744073709551615:", 21, &used), -1);
		T_EQ_U(errno, ENOMEM);
		T_EQ_U(used, 21);
		ns_init(&p, SIZE_MAX);
		errno = 0;
		T_EQ_U(ns_get(&p, &out, "18446744073709551616:", 21, &used), -1);
		T_EQ_U(errno, EMSGSIZE);
		T_EQ_U(used, 19);
	}
	T_OK(out.s == 0);
	/* the limit itself is accepted; one more is not */
	ns_init(&p, 0);
	T_EQ_U(ns_get(&p, &out, "0:,", 3, &used), 1);
	T_EQ_U(out.len, 0);
	ns_init(&p, 0);
	T_EQ_U(ns_get(&p, &out, "1:", 2, &used), -1);
	sa_free(&out);
}

static void t_sticky(void)
{
	size_t used;
	ns p;
	ns_init(&p, LIMIT);
	T_EQ_U(ns_feed(&p, "x", 1, &used), NS_ERROR);
	errno = 0;
	T_EQ_U(ns_feed(&p, "1:a,", 4, &used), NS_ERROR);
	T_EQ_U(errno, EPROTO);
	T_EQ_U(used, 0);
	ns_init(&p, LIMIT);
	T_EQ_U(ns_feed(&p, "1:a,", 4, &used), NS_LEN);
	T_EQ_U(used, 2);
	T_EQ_U(p.len, 1);
	T_EQ_U(ns_feed(&p, "a,", 2, &used), NS_DATA);
	T_EQ_U(used, 1);
	T_EQ_U(ns_feed(&p, ",", 1, &used), NS_END);
	T_EQ_U(ns_feed(&p, "", 0, &used), NS_MORE);
	T_EQ_U(ns_feed(&p, "10", 2, &used), NS_MORE);
	T_EQ_U(used, 2);
}

/* the payloads of "1:a,2:bc,0:,3:def," */
static const char *const seq[] = {"a", "bc", "", "def"};

static void t_stream(void)
{
	static const char in[] = "1:a,2:bc,0:,3:def,";
	size_t n = sizeof in - 1, off = 0, used, i, got = 0;
	sa out = SA_ZERO;
	ns p;
	int r;
	/* several netstrings in one buffer: each call stops after one */
	ns_init(&p, LIMIT);
	for (i = 0; i < 4; ++i) {
		r = ns_get(&p, &out, in + off, n - off, &used);
		T_EQ_U(r, 1);
		T_EQ_MEM(out.s, out.len, seq[i], strlen(seq[i]));
		off += used;
	}
	T_EQ_U(off, n);
	T_EQ_U(ns_get(&p, &out, in + off, 0, &used), 0);
	/* the same, one byte at a time */
	ns_init(&p, LIMIT);
	for (off = 0; off < n; ++off) {
		r = ns_get(&p, &out, in + off, 1, &used);
		T_OK(r >= 0 && used == 1);
		if (r == 1 && got < 4 && out.len == strlen(seq[got]) &&
		    memcmp(out.s, seq[got], out.len) == 0)
			got++;
	}
	T_EQ_U(got, 4);
	sa_free(&out);
}

static void t_nested(void)
{
	static const char in[] = "9:3:abc,0:,,";
	const char *d, *e;
	size_t dn, en, used;
	T_EQ_U(ns_parse(in, sizeof in - 1, LIMIT, &d, &dn, &used), 1);
	T_EQ_U(ns_parse(d, dn, LIMIT, &e, &en, &used), 1);
	T_EQ_MEM(e, en, "abc", 3);
	T_EQ_U(ns_parse(d + used, dn - used, LIMIT, &e, &en, &used), 1);
	T_EQ_U(en, 0);
	T_EQ_U(used, 3);
}

static void t_catb(void)
{
	sa x = SA_ZERO;
	const char *d;
	size_t dn, used;
	T_OK(ns_catb(&x, "", 0));
	T_EQ_MEM(x.s, x.len, "0:,", 3);
	T_OK(ns_catb(&x, "hello", 5));
	T_EQ_MEM(x.s, x.len, "0:,5:hello,", 11);
	x.len = 0;
	T_OK(ns_catb(&x, "a\0,:", 4));
	T_EQ_MEM(x.s, x.len, "4:a\0,:,", 7);
	T_EQ_U(ns_parse(x.s, x.len, LIMIT, &d, &dn, &used), 1);
	T_EQ_MEM(d, dn, "a\0,:", 4);
	/* sizes that cannot be: refused, and x unchanged */
	errno = 0;
	T_OK(!ns_catb(&x, "", SIZE_MAX));
	T_EQ_U(errno, EOVERFLOW);
	T_OK(!ns_catb(&x, "", SIZE_MAX - 22));
	T_OK(!ns_catb(&x, "", SIZE_MAX / 2));
	T_EQ_MEM(x.s, x.len, "4:a\0,:,", 7);
	sa_free(&x);
}

const t_case t_cases[] = {
	T_CASE(t_good),
	T_CASE(t_bad),
	T_CASE(t_limit_before_alloc),
	T_CASE(t_sticky),
	T_CASE(t_stream),
	T_CASE(t_nested),
	T_CASE(t_catb),
	T_END,
};
