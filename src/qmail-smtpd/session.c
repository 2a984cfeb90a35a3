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
 * Each command is checked in a fixed order before it acts: state (is it allowed
 * now), syntax (is the argument well formed), limits and policy (may it be done);
 * only then does it change anything. Each check that fails replies and returns, so
 * no failure can fall through to success.
 *
 * A DATA command that is refused closes the session: a client that pipelined the
 * message anyway would otherwise have its body read as commands. So does a bare
 * LF or CR in the body.
 */
#include <string.h>

#include "addr.h"
#include "fmt.h"
#include "size.h"
#include "smtpd.h"
#include "str.h"

/* Replies: qmail's texts, with RFC 3463 codes (RFC 2034) in front. */
#define R_LONG      "500 5.5.2 line too long (#5.5.2)"
#define R_BADBYTE   "500 5.5.2 syntax error, NUL or CR in command (#5.5.2)"
#define R_UNIMPL    "502 5.5.1 unimplemented (#5.5.1)"
#define R_MAILFIRST "503 5.5.1 MAIL first (#5.5.1)"
#define R_RCPTFIRST "503 5.5.1 RCPT first (#5.5.1)"
#define R_SYNTAX    "555 5.5.4 syntax error (#5.5.4)"
#define R_ADDRLONG  "555 5.5.4 address too long (#5.5.4)"
#define R_PARAM     "555 5.5.4 unsupported parameter (#5.5.4)"
#define R_DATAARG   "501 5.5.4 DATA takes no argument (#5.5.4)"
#define R_MAILOK    "250 2.1.0 ok"
#define R_RCPTOK    "250 2.1.5 ok"
#define R_BMF       "553 5.7.1 sorry, your envelope sender is in my badmailfrom list (#5.7.1)"
#define R_RELAY     "553 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)"
#define R_UNKNOWN   "550 5.1.1 sorry, no mailbox here by that name (#5.1.1)"
#define R_TOOMANY   "452 4.5.3 too many recipients (#4.5.3)"
#define R_TEMP      "451 4.3.0 temporary failure checking the address (#4.3.0)"
#define R_SIZE      "552 5.3.4 sorry, that message size exceeds my databytes limit (#5.3.4)"
#define R_QQT       "451 4.3.0 qqt failure (#4.3.0)"
#define R_GOAHEAD   "354 go ahead"
#define R_LOOP      "554 5.4.6 too many hops, this message is looping (#5.4.6)"
#define R_BARELF    "451 4.5.0 See https://cr.yp.to/docs/smtplf.html. (#4.5.0)"
#define R_BARECR    "451 4.5.0 bare CR in data: lines must end with CRLF (#4.5.0)"
#define R_RSET      "250 2.0.0 flushed"
#define R_NOOP      "250 2.0.0 ok"
#define R_VRFY      "252 2.0.0 send some mail, i'll try my best"
#define R_HELP      "214 2.0.0 qmail-smtpd: see the qmail-smtpd(8) manual page"
#define R_TIMEOUT   "451 4.4.2 timeout (#4.4.2)"
#define R_DEADLINE  "421 4.4.2 session time limit reached, closing connection (#4.4.2)"
#define R_SLOW      "421 4.4.2 data arriving too slowly, closing connection (#4.4.2)"
#define R_EARLY     "554 5.5.0 SMTP protocol violation: input before the greeting (#5.5.0)"

/* oom - memory ran out: stop; the driver sends 421 after the complete replies */
static void oom(smtp *s)
{
	if (s->state == SMTP_DATA && s->ops->qabort)
		s->ops->qabort(s->ops->ctx);
	s->nomem = 1;
	s->state = SMTP_CLOSED;
}

/* reply3 - append a + b + c and CRLF to out as one unit: whole or not at all */
static void reply3(smtp *s, const char *a, const char *b, const char *c)
{
	size_t need = strlen(a);
	if (!size_add(&need, need, strlen(b)) || !size_add(&need, need, strlen(c)) ||
	    !size_add(&need, need, 2) || !sa_readyplus(&s->out, need)) {
		oom(s);
		return;
	}
	sa_cats(&s->out, a);
	sa_cats(&s->out, b);
	sa_cats(&s->out, c);
	sa_catb(&s->out, "\r\n", 2);
}

/* reply - append one reply line */
static void reply(smtp *s, const char *text)
{
	reply3(s, text, "", "");
}

/* close_with - reply, then end the session */
static void close_with(smtp *s, const char *text)
{
	reply(s, text);
	s->state = SMTP_CLOSED;
}

/* set0 - x = n bytes at p, NUL-terminated (the NUL is not counted in len) */
static int set0(sa *x, const char *p, size_t n)
{
	if (!sa_copyb(x, p, n) || !sa_0(x))
		return 0;
	--x->len;
	return 1;
}

/* txn_reset - forget the sender and recipients */
static void txn_reset(smtp *s)
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
	    !set0(&s->helo, info->remotehost, strlen(info->remotehost))) {
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
	reply3(s, "220 ", s->info->greeting, " ESMTP");
}

/* smtp_early - the client spoke before the greeting: refuse and end */
void smtp_early(smtp *s)
{
	close_with(s, R_EARLY);
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
	close_with(s, why == SMTP_DEADLINE ? R_DEADLINE : why == SMTP_SLOW ? R_SLOW : R_TIMEOUT);
}

/* cmd_helo - HELO: remember the name, end any transaction */
static void cmd_helo(smtp *s, const char *arg, size_t n)
{
	if (!set0(&s->helo, arg, n)) {
		oom(s);
		return;
	}
	txn_reset(s);
	reply3(s, "250 ", s->info->greeting, "");
}

/* cmd_ehlo - EHLO: like HELO, and list the extensions */
static void cmd_ehlo(smtp *s, const char *arg, size_t n)
{
	char num[FMT_U64 + 1];
	if (!set0(&s->helo, arg, n)) {
		oom(s);
		return;
	}
	txn_reset(s);
	num[0] = ' ';
	num[fmt_u64(num + 1, s->lim.databytes) + 1] = 0;
	reply3(s, "250-", s->info->greeting, "");
	reply(s, "250-PIPELINING");
	reply(s, "250-8BITMIME");
	reply3(s, "250-SIZE", s->lim.databytes ? num : "", "");
	reply(s, "250 ENHANCEDSTATUSCODES");
}

/* parse - the address of a MAIL or RCPT argument into s->addr (NUL-terminated, the
 * NUL not counted), literals of this host rewritten; *params where the parameters
 * start. 0 after replying (or running out of memory). */
static int parse(smtp *s, const char *arg, size_t n, const char *kw, size_t *params)
{
	switch (addr_parse(arg, n, kw, s->lim.addrmax, &s->addr, params)) {
	case ADDR_OK:
		break;
	case ADDR_LONG:
		reply(s, R_ADDRLONG);
		return 0;
	case ADDR_NOMEM:
		oom(s);
		return 0;
	default:
		reply(s, R_SYNTAX);
		return 0;
	}
	if (!addr_localip(&s->addr, s->info->liphost, s->info->ipme)) {
		oom(s);
		return 0;
	}
	if (s->addr.len > s->lim.addrmax) {
		reply(s, R_ADDRLONG);
		return 0;
	}
	if (!sa_0(&s->addr)) {
		oom(s);
		return 0;
	}
	--s->addr.len;
	return 1;
}

/* cmd_mail - MAIL FROM: start a new transaction (no RSET needed) */
static void cmd_mail(smtp *s, const char *arg, size_t n)
{
	size_t params;
	uint64_t size;
	if (!parse(s, arg, n, "from:", &params))
		return;
	if (!addr_mailparams(arg + params, n - params, &size)) {
		reply(s, R_PARAM);
		return;
	}
	if (s->lim.databytes && size > s->lim.databytes) {
		reply(s, R_SIZE);
		return;
	}
	txn_reset(s);
	if (!set0(&s->from, s->addr.s, s->addr.len)) {
		oom(s);
		return;
	}
	s->mail = 1;
	reply(s, R_MAILOK);
}

/* ask - one policy callback; a missing one answers def */
static int ask(smtp *s, int (*fn)(void *, const char *), const char *arg, int def)
{
	return fn ? fn(s->ops->ctx, arg) : def;
}

/* rcpt_policy - the refusal for recipient s->addr, or 0 to accept it */
static const char *rcpt_policy(smtp *s)
{
	int r = ask(s, s->ops->badmailfrom, s->from.s, 0);
	if (r)
		return r > 0 ? R_BMF : R_TEMP;
	if (!s->info->relayclient) {
		r = ask(s, s->ops->rcpthosts, s->addr.s, 1);
		if (r != 1)
			return r == 0 ? R_RELAY : R_TEMP;
	}
	r = ask(s, s->ops->rcptknown, s->addr.s, 1);
	if (r != 1)
		return r == 0 ? R_UNKNOWN : R_TEMP;
	return 0;
}

/* cmd_rcpt - RCPT TO: one more recipient for the open transaction */
static void cmd_rcpt(smtp *s, const char *arg, size_t n)
{
	const char *relay = s->info->relayclient ? s->info->relayclient : "";
	const char *refusal;
	size_t params;
	if (!s->mail) {
		reply(s, R_MAILFIRST);
		return;
	}
	if (!parse(s, arg, n, "to:", &params))
		return;
	if (!s->addr.len) {
		reply(s, R_SYNTAX);
		return;
	}
	if (!addr_noparams(arg + params, n - params)) {
		reply(s, R_PARAM);
		return;
	}
	if (s->nrcpt >= s->lim.rcptmax) {
		reply(s, R_TOOMANY);
		return;
	}
	refusal = rcpt_policy(s);
	if (refusal) {
		reply(s, refusal);
		return;
	}
	if (!sa_cat(&s->rcpts, &s->addr) || !sa_cats(&s->rcpts, relay) || !sa_0(&s->rcpts)) {
		oom(s);
		return;
	}
	++s->nrcpt;
	reply(s, R_RCPTOK);
}

/* cmd_data - DATA: start the queue and switch to the DATA reader. Any refusal
 * closes the session. */
static void cmd_data(smtp *s, const char *arg, size_t n)
{
	sa *rl = &s->chunk;
	if (!s->mail) {
		close_with(s, R_MAILFIRST);
		return;
	}
	if (!s->nrcpt) {
		close_with(s, R_RCPTFIRST);
		return;
	}
	if (!addr_noparams(arg, n)) {
		close_with(s, R_DATAARG);
		return;
	}
	if (!s->ops->qstart || !s->ops->qstart(s->ops->ctx)) {
		close_with(s, R_QQT);
		return;
	}
	s->state = SMTP_DATA;
	if (!received_line(rl, s->info, s->helo.s, s->ops->now ? s->ops->now(s->ops->ctx) : 0)) {
		oom(s);
		return;
	}
	s->ops->qput(s->ops->ctx, rl->s, rl->len);
	data_init(&s->dec);
	hops_init(&s->hop);
	s->bytes = 0;
	s->toobig = 0;
	reply(s, R_GOAHEAD);
}

/* cmd_rset, cmd_noop, cmd_vrfy, cmd_help, cmd_quit - the simple commands */
static void cmd_rset(smtp *s, const char *arg, size_t n)
{
	(void)arg, (void)n;
	txn_reset(s);
	reply(s, R_RSET);
}
static void cmd_noop(smtp *s, const char *arg, size_t n)
{
	(void)arg, (void)n;
	reply(s, R_NOOP);
}
static void cmd_vrfy(smtp *s, const char *arg, size_t n)
{
	(void)arg, (void)n;
	reply(s, R_VRFY);
}
static void cmd_help(smtp *s, const char *arg, size_t n)
{
	(void)arg, (void)n;
	reply(s, R_HELP);
}
static void cmd_quit(smtp *s, const char *arg, size_t n)
{
	(void)arg, (void)n;
	reply3(s, "221 2.0.0 ", s->info->greeting, "");
	s->quit = 1;
	s->state = SMTP_CLOSED;
}

static const struct {
	const char *verb;                         /* lower case */
	void (*fn)(smtp *, const char *, size_t); /* the argument after the spaces */
} verbs[] = {
	{"helo", cmd_helo}, {"ehlo", cmd_ehlo}, {"mail", cmd_mail}, {"rcpt", cmd_rcpt},
	{"data", cmd_data}, {"rset", cmd_rset}, {"noop", cmd_noop}, {"vrfy", cmd_vrfy},
	{"help", cmd_help}, {"quit", cmd_quit},
};

/* command - act on the complete line in s->line */
static void command(smtp *s)
{
	const char *l = s->line.s;
	size_t n = s->line.len;
	size_t v = byte_chr(l, n, ' ');
	size_t a, i;
	if (s->overlong) {
		reply(s, R_LONG);
		return;
	}
	if (s->bad) {
		reply(s, R_BADBYTE);
		return;
	}
	for (a = v; a < n && l[a] == ' '; ++a)
		;
	for (i = 0; i < sizeof verbs / sizeof verbs[0]; ++i)
		if (strlen(verbs[i].verb) == v && case_equalb(l, v, verbs[i].verb)) {
			verbs[i].fn(s, l + a, n - a);
			return;
		}
	reply(s, R_UNIMPL);
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
		command(s);
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
		reply3(s, head, body, "");
		return;
	}
	memcpy(code, cls == '5' ? "5.3.0 " : "4.3.0 ", 7);
	k = hash ? status_len(hash + 2) : 0;
	if (k && hash[2] == cls && hash[2 + k] == ')') {
		memcpy(code, hash + 2, k);
		code[k] = ' ';
		code[k + 1] = 0;
	}
	reply3(s, head, code, body);
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
		reply(s, R_LOOP);
	} else if (s->toobig) {
		s->ops->qabort(s->ops->ctx);
		reply(s, R_SIZE);
	} else {
		text = s->ops->qfinish(s->ops->ctx, s->from.s, &s->rcpts, &qp);
		if (*text) {
			reply_qq(s, text);
		} else {
			k = fmt_u64(num, (uint64_t)(s->ops->now ? s->ops->now(s->ops->ctx) : 0));
			memcpy(num + k, " qp ", 4);
			k += 4;
			num[k + fmt_u64(num + k, qp)] = 0;
			reply3(s, "250 2.0.0 ok ", num, "");
		}
	}
	txn_reset(s);
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
		oom(s);
		return n;
	}
	data_bytes(s, s->chunk.s, s->chunk.len);
	if (r == DATA_END) {
		data_done(s);
		return used;
	}
	if (r == DATA_BARELF || r == DATA_BARECR) {
		s->ops->qabort(s->ops->ctx);
		close_with(s, r == DATA_BARELF ? R_BARELF : R_BARECR);
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
