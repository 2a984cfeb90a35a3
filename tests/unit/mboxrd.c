/* mboxrd.c - tests for mboxrd quoting and the From_ line */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "harness.h"
#include "mboxrd.h"
#include "sa.h"

/* mem_write - a buf op appending to the sa in ctx; fails once ctx->a is a limit */
static ssize_t mem_write(int fd, void *p, size_t n, void *ctx)
{
	(void)fd;
	if (!sa_catb(ctx, p, n)) {
		errno = ENOMEM;
		return -1;
	}
	return (ssize_t)n;
}

/* fail_write - a buf op that always fails */
static ssize_t fail_write(int fd, void *p, size_t n, void *ctx)
{
	(void)fd;
	(void)p;
	(void)n;
	(void)ctx;
	errno = EIO;
	return -1;
}

/* reference - the expected quoting, line by line: a '>' before every line that is
 * zero or more '>' and then "From ", and the blank line at the end (an empty
 * message is just that blank line) */
static void reference(sa *out, const char *s, size_t n)
{
	size_t i = 0;
	out->len = 0;
	while (i < n) {
		size_t j = i, end;
		while (j < n && s[j] == '>')
			++j;
		if (n - j >= 5 && !memcmp(s + j, "From ", 5))
			sa_catc(out, '>');
		for (end = i; end < n && s[end] != '\n'; ++end)
			;
		if (end < n)
			++end;
		sa_catb(out, s + i, end - i);
		i = end;
	}
	sa_cats(out, !n || s[n - 1] == '\n' ? "\n" : "\n\n");
}

/* quote - the module's output for s fed in pieces of at most step bytes (0: whole) */
static int quote(sa *out, const char *s, size_t n, size_t step)
{
	char space[7]; /* tiny, so the buffer fills and flushes often */
	buf b;
	mboxrd q;
	size_t i = 0;
	out->len = 0;
	buf_init(&b, -1, space, sizeof space);
	buf_setop(&b, mem_write, out);
	mboxrd_init(&q, &b);
	while (i < n) {
		size_t k = step && n - i > step ? step : n - i;
		if (!mboxrd_put(&q, s + i, k))
			return 0;
		i += k;
	}
	return mboxrd_end(&q) && buf_flush(&b);
}

/* check - one input, whole, byte by byte and in pieces of 3 bytes; want (wn bytes)
 * is the expected output when not 0 */
static void check(const char *s, size_t n, const char *want, size_t wn)
{
	static const size_t steps[] = {0, 1, 3};
	sa got = SA_ZERO, ref = SA_ZERO;
	size_t i;
	reference(&ref, s, n);
	if (want)
		T_EQ_MEM(ref.s, ref.len, want, wn);
	for (i = 0; i < sizeof steps / sizeof steps[0]; ++i) {
		T_OK(quote(&got, s, n, steps[i]));
		T_EQ_MEM(got.s, got.len, ref.s, ref.len);
	}
	sa_free(&got);
	sa_free(&ref);
}

static void t_table(void)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
		{"", "\n"},
		{"x", "x\n\n"},
		{"x\n", "x\n\n"},
		{"From a\n", ">From a\n\n"},
		{">From a\n", ">>From a\n\n"},
		{">>>From a\n", ">>>>From a\n\n"},
		{"From", "From\n\n"},
		{"From ", ">From \n\n"},
		{">>From", ">>From\n\n"},
		{">>", ">>\n\n"},
		{">", ">\n\n"},
		{"From\n", "From\n\n"},
		{" From a\n", " From a\n\n"},
		{"from a\n", "from a\n\n"},
		{"FromX\n", "FromX\n\n"},
		{"From:a\n", "From:a\n\n"},
		{">x From \n", ">x From \n\n"},
		{"a\nFrom b\nc From d\n", "a\n>From b\nc From d\n\n"},
		{"\n\nFrom \n", "\n\n>From \n\n"},
		{"a\n>From\n>From \nFro", "a\n>From\n>>From \nFro\n\n"},
		{">F>From x\n", ">F>From x\n\n"},
		{"FFrom x\n", "FFrom x\n\n"},
		{"FroFrom x\n", "FroFrom x\n\n"},
	};
	size_t i;
	for (i = 0; i < sizeof cases / sizeof cases[0]; ++i)
		check(cases[i].in, strlen(cases[i].in), cases[i].out, strlen(cases[i].out));
	check("From \0x\n", 8, ">From \0x\n\n", 10);
	check(">\0From x\n", 9, ">\0From x\n\n", 10);
}

static void t_random(void)
{
	static const char *const parts[] = {"From ", ">", "F", "rom", " ", "\n", "x", "From"};
	char s[200];
	unsigned seed = 12345;
	int k;
	for (k = 0; k < 3000; ++k) {
		size_t n = 0;
		while (n < sizeof s - 8) {
			const char *p;
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 20 == 0)
				break;
			p = parts[(seed >> 8) % 8];
			memcpy(s + n, p, strlen(p));
			n += strlen(p);
		}
		check(s, n, 0, 0);
	}
}

static void t_many_gt(void)
{
	size_t n = 100000;
	char *s = malloc(n + 6);
	sa got = SA_ZERO;
	T_OK(s != 0);
	if (!s)
		return;
	memset(s, '>', n);
	memcpy(s + n, "From\n", 5);
	T_OK(quote(&got, s, n + 5, 0));
	T_EQ_U(got.len, n + 6);
	memcpy(s + n, "From ", 5);
	T_OK(quote(&got, s, n + 5, 1));
	T_EQ_U(got.len, n + 8);
	T_OK(got.s[0] == '>' && got.s[n] == '>' && got.s[n + 1] == 'F');
	check(s, n + 5, 0, 0);
	free(s);
	sa_free(&got);
}

static void t_write_error(void)
{
	char space[4];
	buf b;
	mboxrd q;
	int ok = 1, i;
	buf_init(&b, -1, space, sizeof space);
	buf_setop(&b, fail_write, 0);
	mboxrd_init(&q, &b);
	for (i = 0; i < 10 && ok; ++i)
		ok = mboxrd_put(&q, "From x\n", 7);
	T_OK(!ok);
	buf_init(&b, -1, space, sizeof space);
	buf_setop(&b, fail_write, 0);
	mboxrd_init(&q, &b);
	T_OK(mboxrd_put(&q, ">>>>>>>>>>", 10)); /* all held back */
	T_OK(!mboxrd_end(&q));
}

static void t_fromline(void)
{
	sa x = SA_ZERO;
	T_OK(mboxrd_fromline(&x, "a@example.com", 0));
	T_EQ_MEM(x.s, x.len, "From a@example.com Thu Jan 01 00:00:00 1970\n", 44);
	x.len = 0;
	T_OK(mboxrd_fromline(&x, "", 1700000000));
	T_EQ_MEM(x.s, x.len, "From MAILER-DAEMON Tue Nov 14 22:13:20 2023\n", 44);
	x.len = 0;
	T_OK(mboxrd_fromline(&x, "a b\tc\rd\ne@f", 86400 * 4));
	T_EQ_MEM(x.s, x.len, "From a-b-c-d-e@f Mon Jan 05 00:00:00 1970\n", 42);
	/* appends */
	T_OK(sa_copys(&x, "X"));
	T_OK(mboxrd_fromline(&x, "#@[]", 0));
	T_EQ_MEM(x.s, x.len, "XFrom #@[] Thu Jan 01 00:00:00 1970\n", 36);
	sa_free(&x);
}

const t_case t_cases[] = {T_CASE(t_table),       T_CASE(t_random),   T_CASE(t_many_gt),
			  T_CASE(t_write_error), T_CASE(t_fromline), T_END};
