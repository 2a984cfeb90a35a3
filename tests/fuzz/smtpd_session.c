/*
 * smtpd_session.c - libFuzzer target for qmail-smtpd's session state machine. Not
 * built by the Makefile; build and run by hand, e.g.
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/lib -Isrc/mail \
 *	    -Ibuild/_var_qmail/auto tests/fuzz/smtpd_session.c src/lib/[a-z]*.c \
 *	    src/mail/control.c -o /tmp/fuzz-smtpd && /tmp/fuzz-smtpd -max_total_time=300
 *
 * The first input byte picks the options (RELAYCLIENT, a small databytes, two
 * recipients at most, a failing or refusing queue), the second the size of the
 * pieces the rest is fed in. Besides the sanitizers it checks that: the replies are
 * the same whole and in pieces; every reply line is "NNN " or "NNN-" and ends with
 * CRLF with no other CR or LF; the queue callbacks come in order (start, bytes,
 * then finish or abort), with no more messages than 354 replies; and the line
 * buffer never grows past linemax + 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/qmail-smtpd/addr.c"
#include "../../src/qmail-smtpd/commands.c"
#include "../../src/qmail-smtpd/data.c"
#include "../../src/qmail-smtpd/received.c"
#include "../../src/qmail-smtpd/session.c"

typedef struct fz_s {
	int opts;        /* bit 0 relay, 1 databytes 64, 2 rcptmax 2, 3 qstart fails, 4 D text */
	int open;        /* a message is being queued */
	size_t messages; /* qstart calls that succeeded */
	size_t start;    /* length of log when the current message started */
	sa log;          /* envelopes and messages, for the differential check */
} fz;

static fz f;

/* fail - stop the fuzzer with a crash, naming the invariant's line */
static void fail(int line)
{
	fprintf(stderr, "invariant at line %d broken\n", line);
	abort();
}
#define check(ok) ((ok) ? (void)0 : fail(__LINE__))

static int f_bmf(void *ctx, const char *sender)
{
	(void)ctx;
	return strstr(sender, "bad") ? 1 : strstr(sender, "tmp") ? -1 : 0;
}
static int f_relay(void *ctx, const char *rcpt)
{
	const char *at = strrchr(rcpt, '@');
	(void)ctx;
	if (!at)
		return 1;
	return case_equals(at, "@tmp.example") ? -1 : case_equals(at, "@example.com");
}
static int f_known(void *ctx, const char *rcpt)
{
	(void)ctx;
	return case_starts(rcpt, "unknown") ? 0 : case_starts(rcpt, "tmpfail") ? -1 : 1;
}
static int f_qstart(void *ctx)
{
	fz *z = ctx;
	check(!z->open);
	if (z->opts & 8)
		return 0;
	z->open = 1;
	++z->messages;
	sa_cats(&z->log, "S");
	z->start = z->log.len;
	return 1;
}
static void f_qput(void *ctx, const char *s, size_t n)
{
	fz *z = ctx;
	check(z->open);
	sa_catb(&z->log, s, n);
}
static void f_qabort(void *ctx)
{
	fz *z = ctx;
	check(z->open);
	z->open = 0;
	z->log.len = z->start; /* an aborted message is nothing; how much of it came */
	sa_cats(&z->log, "A"); /* before the abort depends on the pieces */
}
static const char *f_qfinish(void *ctx, const char *from, const sa *rcpts, unsigned long *qp)
{
	fz *z = ctx;
	check(z->open);
	check(rcpts->len > 0 && rcpts->s[rcpts->len - 1] == 0);
	z->open = 0;
	sa_cats(&z->log, "F");
	sa_cats(&z->log, from);
	sa_catb(&z->log, rcpts->s, rcpts->len);
	*qp = 1;
	return z->opts & 16 ? "Dno (#5.7.1)" : "";
}
static time_t f_now(void *ctx)
{
	(void)ctx;
	return 1000000000;
}

static const smtp_ops ops = {&f,     f_bmf,    f_relay,   f_known, f_qstart,
			     f_qput, f_qabort, f_qfinish, f_now};

/* replies_ok - every line of out is a well-formed reply line */
static void replies_ok(const sa *out)
{
	size_t i = 0;
	while (i < out->len) {
		size_t j = i;
		while (j < out->len && out->s[j] != '\n')
			++j;
		check(j < out->len);          /* ends with LF */
		check(j - i >= 5);            /* "NNN " + CR at least */
		check(out->s[j - 1] == '\r'); /* CRLF */
		check(out->s[i] >= '2' && out->s[i] <= '5');
		check(out->s[i + 3] == ' ' || out->s[i + 3] == '-');
		check(!memchr(out->s + i, '\r', j - 1 - i));
		i = j + 1;
	}
}

/* session - one session over data in pieces of step bytes: its replies and log */
static void session(const uint8_t *data, size_t n, size_t step, sa *out, sa *log)
{
	static const unsigned char me[4] = {192, 0, 2, 25};
	static ip_list ipme;
	smtp_limits lim = {SMTP_LINEMAX, SMTP_ADDRMAX, SMTP_RCPTMAX, 0, SMTP_HOPMAX};
	smtp_info info = {"mx.example.com",
			  "mx.example.com",
			  "client.example.org",
			  "192.0.2.1",
			  0,
			  0,
			  "example.com",
			  &ipme};
	smtp s;
	size_t i, threes = 0;
	int open = 1;
	if (!ipme.len) {
		ip_addr a;
		ip_set4(&a, me);
		ip_list_add(&ipme, &a);
	}
	if (f.opts & 1)
		info.relayclient = "+r";
	if (f.opts & 2)
		lim.databytes = 64;
	if (f.opts & 4)
		lim.rcptmax = 2;
	f.open = 0;
	f.messages = 0;
	f.log.len = 0;
	if (!smtp_init(&s, &lim, &info, &ops))
		return;
	smtp_greet(&s);
	for (i = 0; i < n && open; i += step) {
		open = smtp_feed(&s, (const char *)data + i, n - i < step ? n - i : step);
		check(s.line.len <= lim.linemax + 1);
	}
	if (open)
		smtp_eof(&s);
	check(s.state == SMTP_CLOSED);
	check(!f.open);
	replies_ok(&s.out);
	for (i = 0; i + 3 <= s.out.len; ++i)
		if ((i == 0 || s.out.s[i - 1] == '\n') && !memcmp(s.out.s + i, "354", 3))
			++threes;
	check(f.messages == threes);
	sa_copy(out, &s.out);
	sa_copy(log, &f.log);
	smtp_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static sa out1, out2, log1, log2;
	size_t step;
	if (size < 2)
		return 0;
	f.opts = data[0];
	step = (size_t)data[1] % 16 + 1;
	data += 2;
	size -= 2;
	session(data, size, size + 1, &out1, &log1);
	session(data, size, step, &out2, &log2);
	check(out1.len == out2.len && (!out1.len || !memcmp(out1.s, out2.s, out1.len)));
	check(log1.len == log2.len && (!log1.len || !memcmp(log1.s, log2.s, log1.len)));
	return 0;
}
