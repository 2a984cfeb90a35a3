/*
 * session.c - the SMTP session of qmail-smtpd as a state machine. Bytes go in
 * (smtp_feed, in pieces of any size), replies collect in s->out, and everything
 * else happens through the callbacks of smtp_ops; there is no I/O here, so the
 * same input always gives the same replies.
 *
 * Two readers share the input. The command reader keeps one line of at most
 * linemax bytes (the rest of a longer line is counted, not kept) and marks it bad
 * when it holds a NUL or a CR that is not right before the LF. The DATA reader
 * (data.c) takes over after "354" and hands the input back after CRLF.CRLF.
 *
 * The commands themselves are in commands.c.
 *
 * A DATA command that is refused closes the session: a client that pipelined the
 * message anyway would otherwise have its body read as commands. So does a bare
 * LF or CR in the body.
 */
#include <string.h>

#include "fmt.h"
#include "size.h"
#include "smtpd.h"
#include "str.h"

/* Replies: qmail's texts, with RFC 3463 codes (RFC 2034) in front. */
#define R_LOOP     "554 5.4.6 too many hops, this message is looping (#5.4.6)"
#define R_BARELF   "451 4.5.0 See https://cr.yp.to/docs/smtplf.html. (#4.5.0)"
#define R_BARECR   "451 4.5.0 bare CR in data: lines must end with CRLF (#4.5.0)"
#define R_TIMEOUT  "451 4.4.2 timeout (#4.4.2)"
#define R_DEADLINE "421 4.4.2 session time limit reached, closing connection (#4.4.2)"
#define R_SLOW     "421 4.4.2 data arriving too slowly, closing connection (#4.4.2)"
#define R_EARLY    "554 5.5.0 SMTP protocol violation: input before the greeting (#5.5.0)"

/* smtp_oom - memory ran out: stop; the driver sends 421 after the complete replies */
void smtp_oom(smtp *s)
{
	if (s->state == SMTP_DATA && s->ops->qabort)
		s->ops->qabort(s->ops->ctx);
	s->nomem = 1;
	s->state = SMTP_CLOSED;
}

/* smtp_reply3 - append a + b + c and CRLF to out as one unit: whole or not at all */
void smtp_reply3(smtp *s, const char *a, const char *b, const char *c)
{
	size_t need = strlen(a);
	if (!size_add(&need, need, strlen(b)) || !size_add(&need, need, strlen(c)) ||
	    !size_add(&need, need, 2) || !sa_readyplus(&s->out, need)) {
		smtp_oom(s);
		return;
	}
	sa_cats(&s->out, a);
	sa_cats(&s->out, b);
	sa_cats(&s->out, c);
	sa_catb(&s->out, "\r\n", 2);
}

/* smtp_reply - append one reply line */
void smtp_reply(smtp *s, const char *text)
{
	smtp_reply3(s, text, "", "");
}

/* smtp_close - reply, then end the session */
void smtp_close(smtp *s, const char *text)
{
	smtp_reply(s, text);
	s->state = SMTP_CLOSED;
}

/* smtp_set0 - x = n bytes at p, NUL-terminated (the NUL is not counted in len) */
int smtp_set0(sa *x, const char *p, size_t n)
{
	if (!sa_copyb(x, p, n) || !sa_0(x))
		return 0;
	--x->len;
	return 1;
}

/* smtp_reset - forget the sender and recipients */
void smtp_reset(smtp *s)
{
	s->mail = 0;
	s->from.len = 0;
	s->rcpts.len = 0;
	s->nrcpt = 0;
}

/* smtp_init - a session before its greeting; 0 if out of memory */
int smtp_init(smtp *s, const smtp_limits *lim, const smtp_info *info, const smtp_ops *ops)
{
	static const sa zero = SA_ZERO;
	s->lim = *lim;
	s->info = info;
	s->ops = ops;
	s->state = SMTP_CMD;
	s->out = s->line = s->helo = s->from = s->rcpts = s->addr = s->chunk = zero;
	s->nomem = s->quit = s->lastcr = s->bad = s->overlong = s->mail = s->toobig = 0;
	s->nrcpt = 0;
	s->bytes = 0;
	data_init(&s->dec);
	hops_init(&s->hop);
	if (s->lim.linemax >= (size_t)-1 || !sa_ready(&s->line, s->lim.linemax + 1) ||
	    !smtp_set0(&s->helo, info->remotehost, strlen(info->remotehost))) {
		smtp_free(s);
		return 0;
	}
	return 1;
}

/* smtp_free - release everything the session owns */
void smtp_free(smtp *s)
{
	sa_free(&s->out);
	sa_free(&s->line);
	sa_free(&s->helo);
	sa_free(&s->from);
	sa_free(&s->rcpts);
	sa_free(&s->addr);
	sa_free(&s->chunk);
}

/* smtp_greet - the 220 greeting */
void smtp_greet(smtp *s)
{
	smtp_reply3(s, "220 ", s->info->greeting, " ESMTP");
}

/* smtp_early - the client spoke before the greeting: refuse and end */
void smtp_early(smtp *s)
{
	smtp_close(s, R_EARLY);
}

/* smtp_eof - the client closed its side; a message in progress is dropped */
void smtp_eof(smtp *s)
{
	if (s->state == SMTP_DATA && s->ops->qabort)
		s->ops->qabort(s->ops->ctx);
	s->state = SMTP_CLOSED;
}

/* smtp_timeout - a time limit ran out (SMTP_TIMEOUT, SMTP_DEADLINE, SMTP_SLOW) */
void smtp_timeout(smtp *s, int why)
{
	if (s->state == SMTP_CLOSED)
		return;
	if (s->state == SMTP_DATA && s->ops->qabort)
		s->ops->qabort(s->ops->ctx);
	smtp_close(s, why == SMTP_DEADLINE ? R_DEADLINE : why == SMTP_SLOW ? R_SLOW : R_TIMEOUT);
}

/* cmd_feed - command bytes: collect a line, act on it at LF; bytes consumed (stops
 * after a command that changes the state, so the rest goes to the right reader) */
static size_t cmd_feed(smtp *s, const char *p, size_t n)
{
	size_t i;
	for (i = 0; i < n; ++i) {
		char c = p[i];
		if (c != '\n') {
			if (s->lastcr || !c)
				s->bad = 1;
			s->lastcr = c == '\r';
			if (s->line.len <= s->lim.linemax)
				s->line.s[s->line.len++] = c; /* room made by smtp_init */
			else
				s->overlong = 1;
			continue;
		}
		if (s->lastcr && s->line.len && s->line.s[s->line.len - 1] == '\r')
			--s->line.len;
		if (s->line.len > s->lim.linemax)
			s->overlong = 1;
		smtp_command(s);
		s->line.len = 0;
		s->lastcr = s->bad = s->overlong = 0;
		if (s->state != SMTP_CMD)
			return i + 1;
	}
	return n;
}

/* status_len - length of the RFC 3463 code "c.s.d" (1-3 digits each for s and d)
 * at the start of s, or 0 */
static size_t status_len(const char *s)
{
	size_t i = 1, part, k;
	if (s[0] < '2' || s[0] > '5')
		return 0;
	for (part = 0; part < 2; ++part) {
		if (s[i++] != '.')
			return 0;
		for (k = 0; k < 3 && s[i] >= '0' && s[i] <= '9'; ++k)
			++i;
		if (!k)
			return 0;
	}
	return i;
}

/* reply_qq - the reply for a queue report "D..." or "Z...": 554 or 451, with the
 * report's own RFC 3463 code (leading "5.x.y " or trailing "(#5.x.y)") when its
 * class fits, else 5.3.0 or 4.3.0 */
static void reply_qq(smtp *s, const char *text)
{
	char cls = *text == 'D' ? '5' : '4';
	const char *head = cls == '5' ? "554 " : "451 ";
	const char *body = *text ? text + 1 : text;
	const char *hash = strstr(body, "(#");
	char code[16];
	size_t k = status_len(body);
	if (k && body[0] == cls && body[k] == ' ') {
		smtp_reply3(s, head, body, "");
		return;
	}
	memcpy(code, cls == '5' ? "5.3.0 " : "4.3.0 ", 7);
	k = hash ? status_len(hash + 2) : 0;
	if (k && hash[2] == cls && hash[2 + k] == ')') {
		memcpy(code, hash + 2, k);
		code[k] = ' ';
		code[k + 1] = 0;
	}
	smtp_reply3(s, head, code, body);
}

/* data_done - the end of the body: queue the message or refuse it */
static void data_done(smtp *s)
{
	char num[2 * FMT_U64 + 8];
	unsigned long qp = 0;
	const char *text;
	size_t k;
	s->state = SMTP_CMD;
	if (s->hop.count >= s->lim.hopmax) {
		s->ops->qabort(s->ops->ctx);
		smtp_reply(s, R_LOOP);
	} else if (s->toobig) {
		s->ops->qabort(s->ops->ctx);
		smtp_reply(s, R_SIZE);
	} else {
		text = s->ops->qfinish(s->ops->ctx, s->from.s, &s->rcpts, &qp);
		if (*text) {
			reply_qq(s, text);
		} else {
			k = fmt_u64(num, (uint64_t)(s->ops->now ? s->ops->now(s->ops->ctx) : 0));
			memcpy(num + k, " qp ", 4);
			k += 4;
			num[k + fmt_u64(num + k, qp)] = 0;
			smtp_reply3(s, "250 2.0.0 ok ", num, "");
		}
	}
	smtp_reset(s);
}

/* data_bytes - stored message bytes: count them, scan the header, queue them
 * unless the message is already refused */
static void data_bytes(smtp *s, const char *p, size_t n)
{
	hops_feed(&s->hop, p, n);
	if (UINT64_MAX - s->bytes < n)
		s->bytes = UINT64_MAX;
	else
		s->bytes += n;
	if (s->lim.databytes && s->bytes > s->lim.databytes)
		s->toobig = 1;
	if (n && !s->toobig && s->hop.count < s->lim.hopmax)
		s->ops->qput(s->ops->ctx, p, n);
}

/* data_step - body bytes; bytes consumed */
static size_t data_step(smtp *s, const char *p, size_t n)
{
	size_t used;
	int r;
	s->chunk.len = 0;
	r = data_feed(&s->dec, p, n, &used, &s->chunk);
	if (r < 0) {
		smtp_oom(s);
		return n;
	}
	data_bytes(s, s->chunk.s, s->chunk.len);
	if (r == DATA_END) {
		data_done(s);
		return used;
	}
	if (r == DATA_BARELF || r == DATA_BARECR) {
		s->ops->qabort(s->ops->ctx);
		smtp_close(s, r == DATA_BARELF ? R_BARELF : R_BARECR);
		return n;
	}
	return n;
}

/* smtp_feed - input from the client; 1 while the session goes on, 0 once it is
 * over (the rest of the input is ignored; write out s->out and close) */
int smtp_feed(smtp *s, const char *p, size_t n)
{
	while (n && s->state != SMTP_CLOSED) {
		size_t k = s->state == SMTP_DATA ? data_step(s, p, n) : cmd_feed(s, p, n);
		p += k;
		n -= k;
	}
	return s->state != SMTP_CLOSED;
}
