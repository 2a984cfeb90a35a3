/*
 * qreceipt - answer a request for a delivery notice; a .qmail helper.
 *
 *	|qreceipt ADDR
 *
 * Reads the header of the message on stdin. If a Notice-Requested-Upon-Delivery-To
 * field lists ADDR (compared ignoring case), it sends a short success notice about
 * ADDR to the envelope sender $SENDER. Nothing is sent for a bounce (empty sender)
 * or a double bounce (#@[]), and the notice itself goes out with an empty envelope
 * sender, so notices can never bounce back and forth.
 *
 * DIAGNOSTICS: exit 0 when the notice was queued or none was wanted; 100 when the
 * queue refused it for good; 111 for a temporary failure, and for a usage error.
 */
#include <signal.h>
#include <string.h>

#include "buf.h"
#include "die.h"
#include "env.h"
#include "qq.h"
#include "sa.h"
#include "sig.h"
#include "str.h"
#include "tm.h"

#define EXIT_PERM  100
#define EXIT_TEMP  111
#define FIELD_MAX  65536   /* bytes of one header field kept */
#define HEADER_MAX 1048576 /* header bytes read at most */

static const char field_name[] = "notice-requested-upon-delivery-to:";

static struct {
	const char *addr; /* ADDR */
	int found;        /* a request for ADDR was seen */
	sa cur;           /* the address being collected outside <> */
	sa angle;         /* the address inside <> */
	int got_angle;    /* the current address had a <> part */
} g;

static _Noreturn void nomem(void)
{
	die_x(EXIT_TEMP, "out of memory", (char *)0);
}

/* emit - one address of the list is complete: is it ADDR? */
static void emit(void)
{
	const sa *a = g.got_angle ? &g.angle : &g.cur;
	size_t n = strlen(g.addr);
	if (a->len == n && case_equalb(a->s, n, g.addr))
		g.found = 1;
	g.cur.len = g.angle.len = 0;
	g.got_angle = 0;
}

/* addresses - look at each address of an RFC 822 address list: comments and blanks
 * dropped, quoted strings unquoted, the part in <> preferred over the rest, source
 * routes and group names skipped */
static void addresses(const char *s, size_t n)
{
	size_t i;
	int in_angle = 0, depth;
	for (i = 0; i < n; ++i) {
		sa *to = in_angle ? &g.angle : &g.cur;
		char c = s[i];
		if (c == '(') {
			for (depth = 1, ++i; i < n && depth; ++i)
				if (s[i] == '\\')
					++i;
				else if (s[i] == '(' || s[i] == ')')
					depth += s[i] == '(' ? 1 : -1;
			--i;
		} else if (c == '"') {
			for (++i; i < n && s[i] != '"'; ++i) {
				if (s[i] == '\\' && i + 1 < n)
					++i;
				if (!sa_catc(to, s[i]))
					nomem();
			}
		} else if (c == '\\' && i + 1 < n) {
			if (!sa_catc(to, s[++i]))
				nomem();
		} else if (c == '<') {
			in_angle = 1;
			g.angle.len = 0;
		} else if (c == '>' && in_angle) {
			in_angle = 0;
			g.got_angle = 1;
		} else if (c == ':') {
			to->len = 0; /* a group name, or a source route inside <> */
		} else if ((c == ',' || c == ';') && !in_angle) {
			emit();
		} else if (c != ',' && c != ' ' && c != '\t' && c != '\r' && c != '\n') {
			if (!sa_catc(to, c))
				nomem();
		}
	}
	emit();
}

/* field_done - a whole header field has been collected */
static void field_done(const sa *f)
{
	size_t k = sizeof field_name - 1;
	if (f->len >= k && case_equalb(f->s, k, field_name))
		addresses(f->s + k, f->len - k);
}

/* scan - read the header on stdin, field by field */
static void scan(void)
{
	char space[8192];
	buf in;
	sa line = SA_ZERO, f = SA_ZERO;
	size_t total = 0;
	unsigned flags;
	int r;
	buf_init(&in, 0, space, sizeof space);
	while (total < HEADER_MAX) {
		line.len = 0;
		r = buf_getline(&in, &line, FIELD_MAX, '\n', &flags);
		if (r < 0)
			die_sys(EXIT_TEMP, "unable to read message", (char *)0);
		if (r == 0 || line.s[0] == '\n' ||
		    (line.s[0] == '\r' && line.len > 1 && line.s[1] == '\n'))
			break;
		total += line.len;
		if (line.s[0] != ' ' && line.s[0] != '\t') {
			field_done(&f);
			f.len = 0;
		}
		if (f.len < FIELD_MAX &&
		    !sa_catb(&f, line.s,
			     line.len < FIELD_MAX - f.len ? line.len : FIELD_MAX - f.len))
			nomem();
	}
	field_done(&f);
	sa_free(&line);
	sa_free(&f);
}

/* notice - queue the success notice to sender */
static void notice(const char *sender)
{
	static qq q;
	const char *rcpt = env_get("RECIPIENT");
	const char *host = env_get("HOST");
	const char *text;
	sa date = SA_ZERO;
	if (!date_utc822(&date, tm_now()) || !sa_0(&date))
		nomem();
	if (!qq_start(&q))
		die_sys(EXIT_TEMP, "unable to start qq", (char *)0);
	qq_puts(&q, "From: Delivery notice <");
	qq_puts(&q, rcpt ? rcpt : g.addr);
	qq_puts(&q, ">\nTo: <");
	qq_puts(&q, sender);
	qq_puts(&q, ">\nSubject: success notice\nDate: ");
	qq_puts(&q, date.s);
	qq_puts(&q, "\nAuto-Submitted: auto-replied\n\n"
		    "This is the qreceipt program");
	if (host) {
		qq_puts(&q, " at ");
		qq_puts(&q, host);
	}
	qq_puts(&q, ".\n\nYour message has been delivered to this address:\n\n    ");
	qq_puts(&q, g.addr);
	qq_puts(&q, "\n\nYou asked for this notice in the Notice-Requested-Upon-Delivery-To\n"
		    "field of its header.\n");
	qq_from(&q, "");
	qq_to(&q, sender);
	text = qq_finish(&q);
	if (*text)
		die_x(*text == 'D' ? EXIT_PERM : EXIT_TEMP, text + 1, (char *)0);
	sa_free(&date);
}

/* tame - whether s is fit for a header line: no CR, LF or other control bytes */
static int tame(const char *s)
{
	for (; *s; ++s)
		if ((unsigned char)*s < 32 || (unsigned char)*s == 127)
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	const char *sender;
	die_init(argv[0]);
	if (argc != 2 || !argv[1][0])
		die_x(EXIT_TEMP, "usage: qreceipt address", (char *)0);
	g.addr = argv[1];
	sender = env_get("SENDER");
	if (!sender)
		die_x(EXIT_TEMP, "SENDER not set", (char *)0);
	if (!*sender || str_equal(sender, "#@[]"))
		return 0;
	if (!sig_ignore(SIGPIPE))
		die_sys(EXIT_TEMP, "unable to ignore SIGPIPE", (char *)0);
	scan();
	if (!g.found)
		return 0;
	if (!tame(sender) || !tame(g.addr) ||
	    (env_get("RECIPIENT") && !tame(env_get("RECIPIENT"))) ||
	    (env_get("HOST") && !tame(env_get("HOST")))) {
		/* nothing sensible can be sent; the delivery itself is fine */
		msg_put(1, "qreceipt: control characters in an address, no notice sent", (char *)0);
		return 0;
	}
	notice(sender);
	return 0;
}
