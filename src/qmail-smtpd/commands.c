/*
 * commands.c - the SMTP commands of the session. Each is checked in a fixed order
 * before it acts: state (is it allowed now), syntax (is the argument well formed),
 * limits and policy (may it be done); only then does it change anything. Each
 * check that fails replies and returns, so no failure can fall through to success.
 * A refused DATA closes the session (see session.c).
 */
#include <string.h>

#include "addr.h"
#include "fmt.h"
#include "received.h"
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
#define R_BADRCPT   "553 5.1.3 sorry, that domain is not a host name or address literal (#5.1.3)"
#define R_BADFROM   "553 5.1.7 sorry, that domain is not a host name or address literal (#5.1.7)"
#define R_PARAM     "555 5.5.4 unsupported parameter (#5.5.4)"
#define R_DATAARG   "501 5.5.4 DATA takes no argument (#5.5.4)"
#define R_MAILOK    "250 2.1.0 ok"
#define R_RCPTOK    "250 2.1.5 ok"
#define R_BMF       "553 5.7.1 sorry, your envelope sender is in my badmailfrom list (#5.7.1)"
#define R_RELAY     "553 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)"
#define R_UNKNOWN   "550 5.1.1 sorry, no mailbox here by that name (#5.1.1)"
#define R_TOOMANY   "452 4.5.3 too many recipients (#4.5.3)"
#define R_TEMP      "451 4.3.0 temporary failure checking the address (#4.3.0)"
#define R_QQT       "451 4.3.0 qqt failure (#4.3.0)"
#define R_GOAHEAD   "354 go ahead"
#define R_RSET      "250 2.0.0 flushed"
#define R_NOOP      "250 2.0.0 ok"
#define R_VRFY      "252 2.0.0 send some mail, i'll try my best"
#define R_HELP      "214 2.0.0 qmail-smtpd: see the qmail-smtpd(8) manual page"

/* cmd_helo - HELO: remember the name, end any transaction */
static void cmd_helo(smtp *s, const char *arg, size_t n)
{
	if (!smtp_set0(&s->helo, arg, n)) {
		smtp_oom(s);
		return;
	}
	smtp_reset(s);
	smtp_reply3(s, "250 ", s->info->greeting, "");
}

/* cmd_ehlo - EHLO: like HELO, and list the extensions */
static void cmd_ehlo(smtp *s, const char *arg, size_t n)
{
	char num[FMT_U64 + 1];
	if (!smtp_set0(&s->helo, arg, n)) {
		smtp_oom(s);
		return;
	}
	smtp_reset(s);
	num[0] = ' ';
	num[fmt_u64(num + 1, s->lim.databytes) + 1] = 0;
	smtp_reply3(s, "250-", s->info->greeting, "");
	smtp_reply(s, "250-PIPELINING");
	smtp_reply(s, "250-8BITMIME");
	smtp_reply3(s, "250-SIZE", s->lim.databytes ? num : "", "");
	smtp_reply(s, "250 ENHANCEDSTATUSCODES");
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
		smtp_reply(s, R_ADDRLONG);
		return 0;
	case ADDR_NOMEM:
		smtp_oom(s);
		return 0;
	case ADDR_DOMAIN:
		smtp_reply(s, *kw == 't' ? R_BADRCPT : R_BADFROM);
		return 0;
	default:
		smtp_reply(s, R_SYNTAX);
		return 0;
	}
	if (s->info->liphost && addr_isliteral(s->addr.s, s->addr.len)) {
		const ip_list *me = s->ops->ipme ? s->ops->ipme(s->ops->ctx) : 0;
		if (!me) {
			smtp_reply(s, R_IPME);
			return 0;
		}
		if (!addr_localip(&s->addr, s->info->liphost, me)) {
			smtp_oom(s);
			return 0;
		}
	}
	if (s->addr.len > s->lim.addrmax) {
		smtp_reply(s, R_ADDRLONG);
		return 0;
	}
	if (!sa_0(&s->addr)) {
		smtp_oom(s);
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
		smtp_reply(s, R_PARAM);
		return;
	}
	if (s->lim.databytes && size > s->lim.databytes) {
		smtp_reply(s, R_SIZE);
		return;
	}
	smtp_reset(s);
	if (!smtp_set0(&s->from, s->addr.s, s->addr.len)) {
		smtp_oom(s);
		return;
	}
	s->mail = 1;
	smtp_reply(s, R_MAILOK);
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
		smtp_reply(s, R_MAILFIRST);
		return;
	}
	if (!parse(s, arg, n, "to:", &params))
		return;
	if (!s->addr.len) {
		smtp_reply(s, R_SYNTAX);
		return;
	}
	if (!addr_noparams(arg + params, n - params)) {
		smtp_reply(s, R_PARAM);
		return;
	}
	if (s->nrcpt >= s->lim.rcptmax) {
		smtp_reply(s, R_TOOMANY);
		return;
	}
	refusal = rcpt_policy(s);
	if (refusal) {
		smtp_reply(s, refusal);
		return;
	}
	if (!sa_cat(&s->rcpts, &s->addr) || !sa_cats(&s->rcpts, relay) || !sa_0(&s->rcpts)) {
		smtp_oom(s);
		return;
	}
	++s->nrcpt;
	smtp_reply(s, R_RCPTOK);
}

/* cmd_data - DATA: start the queue and switch to the DATA reader. Any refusal
 * closes the session. */
static void cmd_data(smtp *s, const char *arg, size_t n)
{
	sa *rl = &s->chunk;
	received rcv;
	if (!s->mail) {
		smtp_close(s, R_MAILFIRST);
		return;
	}
	if (!s->nrcpt) {
		smtp_close(s, R_RCPTFIRST);
		return;
	}
	if (!addr_noparams(arg, n)) {
		smtp_close(s, R_DATAARG);
		return;
	}
	if (!s->ops->qstart || !s->ops->qstart(s->ops->ctx)) {
		smtp_close(s, R_QQT);
		return;
	}
	s->state = SMTP_DATA;
	rcv.proto = "SMTP";
	rcv.remotehost = s->info->remotehost;
	rcv.helo = s->helo.s;
	rcv.remoteinfo = s->info->remoteinfo;
	rcv.remoteip = s->info->remoteip;
	rcv.localhost = s->info->localhost;
	if (!received_line(rl, &rcv, s->ops->now ? s->ops->now(s->ops->ctx) : 0)) {
		smtp_oom(s);
		return;
	}
	s->ops->qput(s->ops->ctx, rl->s, rl->len);
	data_init(&s->dec);
	hops_init(&s->hop);
	s->bytes = 0;
	s->toobig = 0;
	smtp_reply(s, R_GOAHEAD);
}

/* cmd_rset, cmd_noop, cmd_vrfy, cmd_help, cmd_quit - the simple commands */
static void cmd_rset(smtp *s, const char *arg, size_t n)
{
	(void)arg, (void)n;
	smtp_reset(s);
	smtp_reply(s, R_RSET);
}
static void cmd_noop(smtp *s, const char *arg, size_t n)
{
	(void)arg, (void)n;
	smtp_reply(s, R_NOOP);
}
static void cmd_vrfy(smtp *s, const char *arg, size_t n)
{
	(void)arg, (void)n;
	smtp_reply(s, R_VRFY);
}
static void cmd_help(smtp *s, const char *arg, size_t n)
{
	(void)arg, (void)n;
	smtp_reply(s, R_HELP);
}
static void cmd_quit(smtp *s, const char *arg, size_t n)
{
	(void)arg, (void)n;
	smtp_reply3(s, "221 2.0.0 ", s->info->greeting, "");
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

/* smtp_command - act on the complete line in s->line */
void smtp_command(smtp *s)
{
	const char *l = s->line.s;
	size_t n = s->line.len;
	size_t v = byte_chr(l, n, ' ');
	size_t a, i;
	if (s->overlong) {
		smtp_reply(s, R_LONG);
		return;
	}
	if (s->bad) {
		smtp_reply(s, R_BADBYTE);
		return;
	}
	for (a = v; a < n && l[a] == ' '; ++a)
		;
	for (i = 0; i < sizeof verbs / sizeof verbs[0]; ++i)
		if (strlen(verbs[i].verb) == v && case_equalb(l, v, verbs[i].verb)) {
			verbs[i].fn(s, l + a, n - a);
			return;
		}
	smtp_reply(s, R_UNIMPL);
}
