/* smtpreply.c - tests for the SMTP reply reader: tables fed whole and byte by byte */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "harness.h"
#include "smtpreply.h"

/* feed - smtpreply_feed for t_pieces */
static int feed(void *st, const char *s, size_t n, size_t *used)
{
	return smtpreply_feed(st, s, n, used);
}

static const struct {
	const char *in;   /* input (NUL-free unless len is given) */
	size_t len;       /* 0: strlen(in) */
	int result;       /* 1 complete, 0 incomplete, -1 error */
	size_t used;      /* bytes consumed */
	unsigned code;    /* when complete */
	const char *text; /* when complete */
	int err;          /* errno when -1 */
} cases[] = {
	{"220 mx.example ESMTP\r\n", 0, 1, 22, 220, "220 mx.example ESMTP", 0},
	{"250 ok\n", 0, 1, 7, 250, "250 ok", 0},
	{"553\r\n", 0, 1, 5, 553, "553", 0},
	{"553\n", 0, 1, 4, 553, "553", 0},
	{"421 \r\n", 0, 1, 6, 421, "421 ", 0},
	{"250-mx\r\n250-PIPELINING\r\n250 SIZE 1000\r\n", 0, 1, 39, 250,
	 "250-mx\n250-PIPELINING\n250 SIZE 1000", 0},
	{"250-a\n250-\r\n250 b\r\n", 0, 1, 19, 250, "250-a\n250-\n250 b", 0},
	{"250-a\r\n250\r\n", 0, 1, 12, 250, "250-a\n250", 0},
	/* the reply ends where it ends: the next reply stays unread */
	{"250 ok\r\n354 go\r\n", 0, 1, 8, 250, "250 ok", 0},
	{"550 5.1.1 no such user \xc3\xa9\t!\r\n", 0, 1, 29, 550,
	 "550 5.1.1 no such user \xc3\xa9\t!", 0},
	/* incomplete */
	{"250", 0, 0, 3, 0, 0, 0},
	{"250-a\r\n", 0, 0, 7, 0, 0, 0},
	{"250 ok\r", 0, 0, 7, 0, 0, 0},
	{"", 0, 0, 0, 0, 0, 0},
	/* errors: used stops before the offending byte */
	{"150 ok\r\n", 0, -1, 0, 0, 0, EPROTO},
	{"650 ok\r\n", 0, -1, 0, 0, 0, EPROTO},
	{"25x ok\r\n", 0, -1, 2, 0, 0, EPROTO},
	{"2 ok\r\n", 0, -1, 1, 0, 0, EPROTO},
	{"250+ok\r\n", 0, -1, 3, 0, 0, EPROTO},
	{"250 o\rk\r\n", 0, -1, 6, 0, 0, EPROTO},
	{"250 a\r\r\n", 0, -1, 6, 0, 0, EPROTO},
	{"250 a\0b\r\n", 9, -1, 5, 0, 0, EPROTO},
	{"\0", 1, -1, 0, 0, 0, EPROTO},
	{"250-a\r\n251 b\r\n", 0, -1, 9, 0, 0, EPROTO},
	{"250-a\r\n\r\n", 0, -1, 7, 0, 0, EPROTO},
	{"\r\n", 0, -1, 0, 0, 0, EPROTO},
	{" 250 ok\r\n", 0, -1, 0, 0, 0, EPROTO},
};

static void t_table(void)
{
	size_t i, step;
	for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		for (step = 1; step <= len + 1; step = step == 1 ? len + 1 : step + 1) {
			smtpreply r = SMTPREPLY_ZERO;
			size_t used;
			int x;
			errno = 0;
			x = t_pieces(feed, &r, cases[i].in, len, step, &used);
			if (!T_EQ_U(x, cases[i].result))
				t_eq_s(cases[i].in, "", __FILE__, __LINE__, "case");
			T_EQ_U(used, cases[i].used);
			if (x == 1) {
				T_EQ_U(r.code, cases[i].code);
				T_EQ_MEM(r.text.s, r.text.len, cases[i].text,
					 strlen(cases[i].text));
				T_EQ_U(r.dropped, 0);
			}
			if (x == -1) {
				T_EQ_U(errno, cases[i].err);
				T_EQ_U(r.err, cases[i].err);
				/* sticky: even a good reply is refused now */
				T_EQ_U(smtpreply_feed(&r, "250 ok\r\n", 8, &used), -1);
				T_EQ_U(used, 0);
				T_EQ_U(errno, cases[i].err);
			}
			smtpreply_free(&r);
			if (len == 0)
				break;
		}
	}
}

static void t_pipelined(void)
{
	static const char in[] = "250 sender ok\r\n250 r1\r\n550-no\r\n550 such\r\n354 go\r\n";
	static const unsigned codes[] = {250, 250, 550, 354};
	static const char *const texts[] = {"250 sender ok", "250 r1", "550-no\n550 such",
					    "354 go"};
	size_t step;
	for (step = 1; step <= sizeof in; ++step) {
		smtpreply r = SMTPREPLY_ZERO;
		size_t pos = 0, got = 0;
		while (pos < sizeof in - 1) {
			size_t k = sizeof in - 1 - pos < step ? sizeof in - 1 - pos : step;
			size_t used;
			int x = smtpreply_feed(&r, in + pos, k, &used);
			T_OK(x >= 0);
			if (x < 0)
				break;
			pos += used;
			if (x == 1) {
				T_OK(got < 4);
				if (got >= 4)
					break;
				T_EQ_U(r.code, codes[got]);
				T_EQ_MEM(r.text.s, r.text.len, texts[got], strlen(texts[got]));
				++got;
			}
		}
		T_EQ_U(got, 4);
		smtpreply_free(&r);
	}
}

/* t_flood - continuation lines up to the limit are read; one more is E2BIG; the
 * text kept stops at SMTPREPLY_TEXTMAX */
static void t_flood(void)
{
	smtpreply r = SMTPREPLY_ZERO;
	size_t i, used, total = 0;
	int x = 0;
	for (i = 0; i + 1 < SMTPREPLY_LINESMAX; ++i) {
		x = smtpreply_feed(&r, "250-0123456789\r\n", 16, &used);
		total += 14;
		if (x != 0 || used != 16)
			break;
	}
	T_EQ_U(x, 0);
	T_EQ_U(i, SMTPREPLY_LINESMAX - 1);
	T_EQ_U(smtpreply_feed(&r, "250 end\r\n", 9, &used), 1);
	T_EQ_U(r.lines, SMTPREPLY_LINESMAX);
	T_EQ_U(r.text.len, SMTPREPLY_TEXTMAX);
	total += (SMTPREPLY_LINESMAX - 1) + 7; /* the LFs between lines, and "250 end" */
	T_EQ_U(r.text.len + r.dropped, total);
	T_OK(r.text.a <= SMTPREPLY_TEXTMAX + SMTPREPLY_TEXTMAX / 8 + 32); /* bounded */
	/* 100000 continuation lines: refused once the limit is passed */
	for (i = 0; i < 100000; ++i) {
		x = smtpreply_feed(&r, "250-x\r\n", 7, &used);
		if (x != 0)
			break;
	}
	T_EQ_U(x, -1);
	T_EQ_U(errno, E2BIG);
	T_EQ_U(i, SMTPREPLY_LINESMAX - 1);
	T_EQ_U(used, 6); /* the LF that would start line LINESMAX+1 is refused */
	smtpreply_free(&r);
}

/* t_long - a line of LINEMAX bytes is read; one byte more is EMSGSIZE */
static void t_long(void)
{
	char *line = alloc(SMTPREPLY_LINEMAX + 3);
	smtpreply r = SMTPREPLY_ZERO;
	size_t used;
	T_OK(line != 0);
	if (!line)
		return;
	memset(line, 'x', SMTPREPLY_LINEMAX + 1);
	memcpy(line, "250 ", 4);
	memcpy(line + SMTPREPLY_LINEMAX, "\r\n", 2);
	T_EQ_U(smtpreply_feed(&r, line, SMTPREPLY_LINEMAX + 2, &used), 1);
	T_EQ_U(used, SMTPREPLY_LINEMAX + 2);
	T_EQ_U(r.text.len, SMTPREPLY_LINEMAX);
	memset(line + 4, 'y', SMTPREPLY_LINEMAX - 3);
	memcpy(line + SMTPREPLY_LINEMAX + 1, "\r\n", 2);
	T_EQ_U(smtpreply_feed(&r, line, SMTPREPLY_LINEMAX + 3, &used), -1);
	T_EQ_U(errno, EMSGSIZE);
	T_EQ_U(used, SMTPREPLY_LINEMAX);
	smtpreply_free(&r);
	alloc_free(line);
}

static void t_keyword(void)
{
	static const char in[] = "250-mx.example hello\r\n250-PIPELINING\r\n250-size 35882577\r\n"
				 "250-8BITMIMEX\r\n250-SIZEX 1\r\n250 8bitmime\r\n";
	smtpreply r = SMTPREPLY_ZERO;
	const char *arg;
	size_t used, arglen;
	T_EQ_U(smtpreply_feed(&r, in, sizeof in - 1, &used), 1);
	T_OK(smtpreply_keyword(&r, "PIPELINING", &arg, &arglen));
	T_EQ_U(arglen, 0);
	T_OK(smtpreply_keyword(&r, "SIZE", &arg, &arglen));
	T_EQ_MEM(arg, arglen, "35882577", 8);
	T_OK(smtpreply_keyword(&r, "8BITMIME", &arg, &arglen));
	T_EQ_U(arglen, 0);
	T_OK(!smtpreply_keyword(&r, "STARTTLS", &arg, &arglen));
	T_OK(!smtpreply_keyword(&r, "MX.EXAMPLE", &arg, &arglen)); /* the first line is not one */
	T_OK(!smtpreply_keyword(&r, "PIPE", &arg, &arglen));
	T_EQ_U(smtpreply_feed(&r, "250 mx\r\n", 8, &used), 1);
	T_OK(!smtpreply_keyword(&r, "PIPELINING", &arg, &arglen));
	T_EQ_U(smtpreply_feed(&r, "250-mx\r\n250\r\n", 13, &used), 1);
	T_OK(!smtpreply_keyword(&r, "PIPELINING", &arg, &arglen));
	smtpreply_free(&r);
}

/* rnd - a small deterministic generator, so a failure can be replayed */
static unsigned long rnd(unsigned long *x)
{
	*x = *x * 6364136223846793005UL + 1442695040888963407UL;
	return *x >> 33;
}

/* run - feed in[0..n) in chunks whose sizes come from seed (0: one at a time);
 * record each event into log: 'R' code text for a reply, 'E' errno for an error */
static size_t bad; /* limits passed or bytes unused, over all runs of t_random */

static void run(const char *in, size_t n, unsigned long seed, sa *log)
{
	smtpreply r = SMTPREPLY_ZERO;
	size_t i = 0;
	log->len = 0;
	while (i < n) {
		size_t k = seed ? 1 + rnd(&seed) % 40 : 1;
		size_t used;
		int x;
		if (k > n - i)
			k = n - i;
		x = smtpreply_feed(&r, in + i, k, &used);
		if (used > k || r.text.len > SMTPREPLY_TEXTMAX || r.lines > SMTPREPLY_LINESMAX)
			++bad;
		i += used;
		if (x == 1) {
			(void)(sa_catc(log, 'R') && sa_catu(log, r.code) && sa_cat(log, &r.text));
			continue;
		}
		if (x == -1) {
			(void)(sa_catc(log, 'E') && sa_catu(log, (uint64_t)errno));
			break;
		}
		if (used != k)
			++bad;
	}
	smtpreply_free(&r);
}

/* t_random - random, mostly well-formed input: whatever the chunking, the same
 * replies and the same error come out, and no limit is ever passed */
static void t_random(void)
{
	static const char *const parts[] = {"250", "-",   " ",   "ok", "\r\n", "\n",         "\r",
					    "5",   "550", "251", "\0", "x",    "354 go\r\n", "2"};
	unsigned long x = 12345;
	size_t iter, differ = 0, replies = 0, errors = 0;
	char in[512];
	sa a = SA_ZERO, b = SA_ZERO;
	for (iter = 0; iter < 3000; ++iter) {
		size_t n = 0;
		while (n < sizeof in - 16) {
			const char *p = parts[rnd(&x) % (sizeof parts / sizeof parts[0])];
			size_t k = p[0] ? strlen(p) : 1;
			memcpy(in + n, p, k);
			n += k;
			if (rnd(&x) % 50 == 0)
				break;
		}
		run(in, n, 0, &a);
		run(in, n, x | 1, &b);
		if (a.len != b.len || memcmp(a.s, b.s, a.len))
			++differ;
		replies += a.len && a.s[0] == 'R';
		errors += a.len && memchr(a.s, 'E', a.len) != 0;
	}
	T_EQ_U(differ, 0);
	T_EQ_U(bad, 0);
	T_OK(replies > 100); /* the input exercised both outcomes */
	T_OK(errors > 100);
	sa_free(&a);
	sa_free(&b);
}

const t_case t_cases[] = {
	T_CASE(t_table),   T_CASE(t_pipelined), T_CASE(t_flood), T_CASE(t_long),
	T_CASE(t_keyword), T_CASE(t_random),    T_END,
};
