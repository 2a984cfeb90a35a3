/*
 * run.c - qmail-smtpd's I/O: the session (session.c) fed from fd 0, its replies
 * written to fd 1, the queue through qq, and the clocks.
 *
 * Replies are collected while input is at hand and written before every read that
 * may block, so pipelined commands get their replies in one write (RFC 2920) and a
 * client waiting for a reply always gets it. Each read waits at most the shortest of:
 * timeoutsmtpd, what is left of the session deadline, and, in DATA, the time by
 * which the body must have reached the minimum rate (after a grace period).
 * Before the greeting the client must stay silent for smtpdgreetdelay milliseconds.
 * When the session ends on our side we shut down our sending half and read what the
 * client still sends for a moment, so the last reply is not lost to a reset.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "die.h"
#include "qq.h"
#include "smtpd.h"
#include "sock.h"
#include "tm.h"

#define DRAIN_MS    1000  /* how long to read after our last reply */
#define DRAIN_BYTES 65536 /* and how much at most */

typedef struct rt_s {
	config *c;          /* the configuration */
	qq q;               /* the message being queued */
	buf in;             /* fd 0 */
	buf out;            /* fd 1 */
	char ispace[8192];  /* storage for in */
	char ospace[8192];  /* storage for out */
	uint64_t start;     /* monotonic ms when the session began */
	uint64_t datastart; /* monotonic ms of the 354 reply */
	uint64_t databytes; /* bytes received since then */
} rt;

static rt r; /* the one state of this program's I/O */

/* q_start, q_put, q_abort, q_finish, q_now - the session's callbacks into qq */
static int q_start(void *ctx)
{
	return qq_start(&((rt *)ctx)->q);
}
static void q_put(void *ctx, const char *s, size_t n)
{
	qq_put(&((rt *)ctx)->q, s, n);
}
static void q_abort(void *ctx)
{
	qq *q = &((rt *)ctx)->q;
	qq_fail(q);
	qq_finish(q);
}
static const char *q_finish(void *ctx, const char *from, const sa *rcpts, unsigned long *qp)
{
	qq *q = &((rt *)ctx)->q;
	const char *text;
	size_t i;
	qq_from(q, from);
	for (i = 0; i < rcpts->len; i += strlen(rcpts->s + i) + 1)
		qq_to(q, rcpts->s + i);
	text = qq_finish(q);
	*qp = qq_qp(q);
	return text;
}
static time_t q_now(void *ctx)
{
	(void)ctx;
	return tm_now();
}

/* p_bmf, p_relay, p_known - the session's callbacks into policy.c */
static int p_bmf(void *ctx, const char *sender)
{
	return policy_badmailfrom(&((rt *)ctx)->c->pol, sender);
}
static int p_relay(void *ctx, const char *rcpt)
{
	return policy_rcpthosts(&((rt *)ctx)->c->pol, rcpt);
}
static int p_known(void *ctx, const char *rcpt)
{
	return policy_rcptknown(&((rt *)ctx)->c->pol, rcpt);
}

/* p_ipme - this host's addresses, listed by the first literal address that needs them
 * (most sessions never do: getifaddrs is not cheap) */
static const ip_list *p_ipme(void *ctx)
{
	config *c = ((rt *)ctx)->c;
	if (!c->ipme_listed) {
		if (!sock_ipme(&c->ipme)) {
			warn_sys("unable to list this host's addresses", NULL);
			return 0;
		}
		c->ipme_listed = 1;
	}
	return &c->ipme;
}

static const smtp_ops ops = {&r,    p_bmf,   p_relay,  p_known, q_start,
			     q_put, q_abort, q_finish, q_now,   p_ipme};

/* run_refuse - answer with reply before any session, and exit */
void run_refuse(const char *reply)
{
	buf_init(&r.out, 1, r.ospace, sizeof r.ospace);
	buf_settimeout(&r.out, SMTPD_TIMEOUT * 1000);
	if (buf_puts(&r.out, reply) && buf_puts(&r.out, "\r\n"))
		buf_flush(&r.out);
	_exit(1);
}

/* drain - after our last reply: stop sending and swallow late input briefly */
static void drain(void)
{
	uint64_t end = tm_mono_ms() + DRAIN_MS;
	size_t total = 0;
	char tmp[4096];
	if (shutdown(1, SHUT_WR) == -1)
		return;
	while (total < DRAIN_BYTES) {
		uint64_t now = tm_mono_ms();
		struct pollfd pf = {0, POLLIN, 0};
		ssize_t k;
		if (now >= end || poll(&pf, 1, (int)(end - now)) <= 0)
			return;
		k = read(0, tmp, sizeof tmp);
		if (k <= 0)
			return;
		total += (size_t)k;
	}
}

/* flush - write the session's replies; exit if the client cannot take them */
static void flush(smtp *s)
{
	if (s->out.len && !buf_putflush(&r.out, s->out.s, s->out.len))
		_exit(1);
	s->out.len = 0;
}

/* finish - write the last replies and exit: 0 after QUIT or a client's close */
static _Noreturn void finish(smtp *s, int code, int linger)
{
	flush(s);
	if (s->nomem && buf_puts(&r.out, R_NOMEM "\r\n"))
		buf_flush(&r.out);
	if (linger)
		drain();
	_exit(code);
}

/* greet_delay - wait before the greeting; 1 if the client spoke first, exit at EOF */
static int greet_delay(const config *c)
{
	struct pollfd pf = {0, POLLIN, 0};
	ssize_t k;
	int p;
	if (!c->greetdelay)
		return 0;
	do
		p = poll(&pf, 1, c->greetdelay > 60000 ? 60000 : (int)c->greetdelay);
	while (p == -1 && errno == EINTR);
	if (p <= 0)
		return 0;
	buf_settimeout(&r.in, 1000);
	k = buf_feed(&r.in);
	if (k <= 0)
		_exit(1);
	return 1;
}

/* sat_add, sat_mul - uint64 arithmetic that stops at the maximum instead of wrapping,
 * so an absurd control value means "practically never", not "already past" */
static uint64_t sat_add(uint64_t a, uint64_t b)
{
	uint64_t x;
	return __builtin_add_overflow(a, b, &x) ? UINT64_MAX : x;
}
static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	uint64_t x;
	return __builtin_mul_overflow(a, b, &x) ? UINT64_MAX : x;
}

/* limit - lower *ms to what is left until end (at now), noting why */
static void limit(uint64_t *ms, int *why, uint64_t end, uint64_t now, int reason)
{
	uint64_t left = end > now ? end - now : 0;
	if (left < *ms) {
		*ms = left;
		*why = reason;
	}
}

/* wait_ms - how long the next read may wait, and what it means if it runs out; 0
 * when the session deadline or the data rate limit has passed already (a client
 * that keeps sending fast never waits, so the limits are checked before each read) */
static unsigned wait_ms(const config *c, int indata, int *why)
{
	uint64_t now = tm_mono_ms();
	uint64_t ms = (uint64_t)c->timeout * 1000;
	*why = SMTP_TIMEOUT;
	if (c->session)
		limit(&ms, why, sat_add(r.start, sat_mul(c->session, 1000)), now, SMTP_DEADLINE);
	if (indata && c->minrate) {
		/* the body must keep ahead of minrate bytes per second after the grace */
		uint64_t allowed =
			sat_add(SMTPD_RATEGRACE * 1000, sat_mul(r.databytes, 1000) / c->minrate);
		limit(&ms, why, sat_add(r.datastart, allowed), now, SMTP_SLOW);
	}
	return ms > 0x7fffffff ? 0x7fffffff : (unsigned)ms; /* 0: a limit has passed */
}

/* run - the session, from greeting to close */
void run(config *c)
{
	static smtp s;
	r.c = c;
	r.start = tm_mono_ms();
	buf_init(&r.in, 0, r.ispace, sizeof r.ispace);
	buf_init(&r.out, 1, r.ospace, sizeof r.ospace);
	buf_settimeout(&r.out, c->timeout * 1000);
	if (!smtp_init(&s, &c->lim, &c->info, &ops))
		run_refuse(R_NOMEM);
	if (greet_delay(c)) {
		smtp_early(&s);
		finish(&s, 1, 1);
	}
	smtp_greet(&s);
	for (;;) {
		const char *p;
		size_t n;
		ssize_t k;
		unsigned ms;
		int why, was = s.state;
		flush(&s);
		if (s.state == SMTP_CLOSED)
			finish(&s, s.quit ? 0 : 1, !s.quit);
		ms = wait_ms(c, s.state == SMTP_DATA, &why);
		if (!ms) {
			smtp_timeout(&s, why);
			finish(&s, 1, 1);
		}
		buf_settimeout(&r.in, ms);
		k = buf_feed(&r.in);
		if (k < 0 && errno != ETIMEDOUT)
			_exit(1);
		if (k <= 0) {
			if (k == 0)
				smtp_eof(&s);
			else
				smtp_timeout(&s, why);
			finish(&s, 1, k < 0);
		}
		p = buf_peek(&r.in, &n);
		smtp_feed(&s, p, n);
		buf_skip(&r.in, n);
		if (was != SMTP_DATA && s.state == SMTP_DATA) {
			r.datastart = tm_mono_ms();
			r.databytes = 0;
		} else if (s.state == SMTP_DATA) {
			r.databytes += n;
		}
	}
}
