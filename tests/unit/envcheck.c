/* envcheck.c - tables of queued envelopes, good and corrupt, each fed whole, one byte
 * at a time and in pieces of three; records at and past the length limit; a long
 * envelope fed in one piece. */
#include <stdio.h>
#include <string.h>

#include "envcheck.h"
#include "harness.h"

#define E(s) s, sizeof s - 1

typedef struct ecase_s {
	const char *in;  /* the envelope */
	size_t n;        /* its length */
	const char *why; /* 0 for a good one, else the problem */
	uint64_t uid;    /* of a good one */
	uint64_t qp;     /* of a good one */
	uint64_t nrcpt;  /* of a good one */
} ecase;

static const ecase cases[] = {
	{E("u0\0p1\0F\0"), 0, 0, 1, 0},
	{E("u1001\0p4242\0Fa@b\0Tc@d\0Te@f\0"), 0, 1001, 4242, 2},
	{E("Fa@b\0Tc@d\0"), 0, 0, 0, 1},
	{E("F\0T\0"), 0, 0, 0, 1},
	{E("u1\0u2\0p3\0p4\0F\0"), 0, 2, 4, 0},
	{E("Fa\0u7\0Tb\0p8\0"), 0, 7, 8, 1},
	{E("u18446744073709551615\0F\0"), 0, UINT64_MAX, 0, 0},
	{E("Fa b\"c\\\xff\0T\x01\x7f\0"), 0, 0, 0, 1},
	{E(""), "no sender", 0, 0, 0},
	{E("u1\0p2\0"), "no sender", 0, 0, 0},
	{E("Fa@b"), "truncated record", 0, 0, 0},
	{E("Fa@b\0Tc@d"), "truncated record", 0, 0, 0},
	{E("Fa@b\0T"), "truncated record", 0, 0, 0},
	{E("u1"), "truncated record", 0, 0, 0},
	{E("Fa@b\0Fc@d\0"), "second sender", 0, 0, 0},
	{E("Tc@d\0Fa@b\0"), "recipient before sender", 0, 0, 0},
	{E("u1\0Tc@d\0"), "recipient before sender", 0, 0, 0},
	{E("Fa@b\0\0"), "unknown record type", 0, 0, 0},
	{E("Fa@b\0Tc\0\0"), "unknown record type", 0, 0, 0},
	{E("Fa@b\0Dc@d\0"), "unknown record type", 0, 0, 0},
	{E("fa@b\0"), "unknown record type", 0, 0, 0},
	{E("Fa@b\0tc@d\0"), "unknown record type", 0, 0, 0},
	{E("\xff\0"), "unknown record type", 0, 0, 0},
	{E("u\0F\0"), "bad number", 0, 0, 0},
	{E("p\0F\0"), "bad number", 0, 0, 0},
	{E("ux\0F\0"), "bad number", 0, 0, 0},
	{E("u-1\0F\0"), "bad number", 0, 0, 0},
	{E("u+1\0F\0"), "bad number", 0, 0, 0},
	{E("u 1\0F\0"), "bad number", 0, 0, 0},
	{E("u1 \0F\0"), "bad number", 0, 0, 0},
	{E("u18446744073709551616\0F\0"), "bad number", 0, 0, 0},
	{E("p99999999999999999999999\0F\0"), "bad number", 0, 0, 0},
	/* the first problem sticks, even if the input goes on well or badly */
	{E("Tx\0Fa\0Fb\0"), "recipient before sender", 0, 0, 0},
	{E("Fa\0Fb\0X\0Tc"), "second sender", 0, 0, 0},
};

/* run - check c fed in pieces of step bytes (0: whole) */
static int run(const ecase *c, size_t step, envcheck *e)
{
	size_t i;
	envcheck_init(e);
	if (!step)
		return envcheck_bytes(e, c->in, c->n);
	for (i = 0; i < c->n; i += step)
		envcheck_feed(e, c->in + i, c->n - i < step ? c->n - i : step);
	return envcheck_end(e);
}

static void t_table(void)
{
	static const size_t steps[] = {0, 1, 3};
	envcheck e;
	size_t i, k;
	for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
		const ecase *c = &cases[i];
		for (k = 0; k < sizeof steps / sizeof steps[0]; ++k) {
			int r = run(c, steps[k], &e);
			int ok = T_EQ_U(r, c->why == 0);
			if (ok && c->why)
				ok = T_EQ_S(e.why, c->why);
			if (ok && !c->why)
				ok = T_EQ_U(e.uid, c->uid) && T_EQ_U(e.qp, c->qp) &&
				     T_EQ_U(e.nrcpt, c->nrcpt);
			if (!ok)
				printf("    case %zu, step %zu\n", i, steps[k]);
		}
	}
}

/* rec - an envelope "F\0" then a 'T' record of total record length len (letter
 * included), optionally without its NUL */
static size_t rec(char *buf, size_t len, int nul)
{
	buf[0] = 'F';
	buf[1] = 0;
	buf[2] = 'T';
	memset(buf + 3, 'x', len - 1);
	buf[2 + len] = 0;
	return 2 + len + (nul ? 1 : 0);
}

static void t_limit(void)
{
	static char buf[3 * ENVCHECK_MAX];
	envcheck e;
	size_t n;
	n = rec(buf, ENVCHECK_MAX, 1);
	T_OK(envcheck_bytes(&e, buf, n));
	T_EQ_U(e.nrcpt, 1);
	n = rec(buf, ENVCHECK_MAX + 1, 1);
	T_OK(!envcheck_bytes(&e, buf, n));
	T_EQ_S(e.why, "overlong record");
	n = rec(buf, 2 * ENVCHECK_MAX, 1);
	T_OK(!envcheck_bytes(&e, buf, n));
	T_EQ_S(e.why, "overlong record");
	/* cut inside an overlong record: truncated wins, as the record never ended */
	n = rec(buf, ENVCHECK_MAX + 5, 0);
	T_OK(!envcheck_bytes(&e, buf, n));
	T_EQ_S(e.why, "truncated record");
	/* byte at a time across the limit */
	n = rec(buf, ENVCHECK_MAX + 1, 1);
	envcheck_init(&e);
	for (size_t i = 0; i < n; ++i)
		envcheck_feed(&e, buf + i, 1);
	T_OK(!envcheck_end(&e));
	T_EQ_S(e.why, "overlong record");
	/* empty feeds change nothing */
	envcheck_init(&e);
	envcheck_feed(&e, "", 0);
	envcheck_feed(&e, "F", 1);
	envcheck_feed(&e, "", 0);
	envcheck_feed(&e, "\0", 1);
	T_OK(envcheck_end(&e));
}

static void t_many(void)
{
	static char buf[2 + 100000 * 6];
	envcheck e;
	size_t n = 0, i;
	memcpy(buf, "F", 2);
	n = 2;
	for (i = 0; i < 100000; ++i) {
		memcpy(buf + n, "Ta@bc", 6);
		n += 6;
	}
	T_OK(envcheck_bytes(&e, buf, n));
	T_EQ_U(e.nrcpt, 100000);
	T_OK(!envcheck_bytes(&e, buf, n - 1));
	T_EQ_S(e.why, "truncated record");
}

const t_case t_cases[] = {
	T_CASE(t_table),
	T_CASE(t_limit),
	T_CASE(t_many),
	T_END,
};
