/*
 * smtp.c - the SMTP dialogue (RFC 5321, with RFC 1869 EHLO, RFC
 * 2920 PIPELINING, RFC 1870 SIZE and RFC 6152 8BITMIME when the server offers them).
 *
 * The connection is conn.c's (shared with QMTP, with the timeout table).
 *
 * Replies: each must be complete within timeoutremote (a deadline for the whole
 * reply, not only for each read, so a server that sends one byte a minute cannot hold
 * us), and the reader (smtpreply.h) bounds its lines and its text. A reply that is
 * late, malformed or cut off ends the run with Z; after the final dot the text says
 * "Possible duplicate!", since the server may have taken the message.
 *
 * QUIT is sent only while the server awaits a command, and never waited for.
 *
 * A connection kept from an earlier run (cache.c) is greeted with EHLO again; if that
 * fails, the run connects anew as if there had been none.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "fmt.h"
#include "remote.h"
#include "smtpaddr.h"
#include "tm.h"

/* get - read one reply within ms milliseconds: its code, or 0 when the connection
 * failed or the time ran out (errno says which), or the reply was bad (*bad says
 * how) */
static unsigned get(remote *r, unsigned ms, const char **bad)
{
	uint64_t deadline = tm_mono_ms() + ms;
	for (;;) {
		size_t n, used;
		const char *p = buf_peek(&r->in, &n);
		ssize_t got;
		uint64_t now;
		if (n) {
			int x = smtpreply_feed(&r->reply, p, n, &used);
			buf_skip(&r->in, used);
			if (x == 1)
				return r->reply.code;
			if (x == -1) {
				if (errno == ENOMEM)
					nomem(r);
				*bad = errno == EMSGSIZE ? "a reply line that is too long"
				       : errno == E2BIG  ? "a reply with too many lines"
				       : errno == EPROTO ? "a malformed reply"
							 : error_str(errno);
				return 0;
			}
			continue;
		}
		now = tm_mono_ms();
		if (now >= deadline) {
			errno = ETIMEDOUT;
			return 0;
		}
		buf_settimeout(&r->in, (unsigned)(deadline - now));
		got = buf_feed(&r->in);
		if (got == 0)
			errno = ECONNRESET;
		if (got <= 0)
			return 0;
	}
}

/* reply - read one reply, within timeoutremote; its code. A connection that fails
 * or a bad reply ends the run. */
static unsigned reply(remote *r)
{
	const char *bad = 0;
	unsigned code = get(r, r->tremote, &bad);
	if (code)
		return code;
	if (!bad)
		conn_lost(r);
	r->cmdstate = 0;
	finish(r, 'Z', 0, r->ip, " sent ", bad, ".", r->sentdot ? " Possible duplicate!" : "",
	       " (#4.4.2)\n", (char *)0);
}

/* put - the command in r->cmd followed by CRLF; with flush, sent now; 0 if the
 * connection failed */
static int put(remote *r, int flush)
{
	return buf_putsa(&r->out, &r->cmd) && buf_put(&r->out, "\r\n", 2) &&
	       (!flush || buf_flush(&r->out));
}

/* command - put, where a failed connection ends the run */
static void command(remote *r, int flush)
{
	if (!put(r, flush))
		conn_lost(r);
}

/* greet - VERB and our name (EHLO or HELO) into r->cmd */
static void greet(remote *r, const char *verb)
{
	if (!sa_copys(&r->cmd, verb) || !sa_cat(&r->cmd, &r->helo))
		nomem(r);
}

/* put_rcpt_report - one recipient report: 'r', 'h' or 's' from the RCPT reply */
static void put_rcpt_report(remote *r, unsigned code)
{
	rcpt_report(r, code >= 200 && code < 300 ? 'r' : code >= 500 ? 'h' : 's');
}

/* hello - greeting, then EHLO (HELO if the server does not know EHLO) */
static int hello(remote *r)
{
	unsigned code = reply(r);
	if (code != 220)
		finish(r, 'Z', 1, "Connected to ", r->ip, " but the greeting failed.\n", (char *)0);
	r->cmdstate = 1;
	greet(r, "EHLO ");
	command(r, 1);
	code = reply(r);
	if (code == 250)
		return 1;
	if (code >= 500) {
		greet(r, "HELO ");
		command(r, 1);
		code = reply(r);
	}
	if (code != 250)
		finish(r, 'Z', 1, "Connected to ", r->ip, " but my name was rejected.\n",
		       (char *)0);
	return 0;
}

/* reuse - take the connection an earlier run left (cache.c) and say EHLO again,
 * which resets the session (RFC 5321 section 4.1.4) and tells what the server offers
 * now. 1 when it answered 250 within the connect timeout; else 0, with the
 * connection closed: nothing of this message has been sent, so the run connects
 * anew. */
static int reuse(remote *r)
{
	const char *bad = 0;
	int fd = cache_take();
	if (fd == -1)
		return 0;
	if (!conn_reuse(r, fd)) {
		close(fd);
		return 0;
	}
	greet(r, "EHLO ");
	if (put(r, 1) && get(r, r->tconnect, &bad) == 250) {
		r->cmdstate = 1;
		return 1;
	}
	close(r->fd);
	r->fd = -1;
	smtpreply_free(&r->reply); /* a bad reply leaves the reader stopped */
	memset(&r->reply, 0, sizeof r->reply);
	return 0;
}

/* mail_from - the MAIL command, with SIZE and BODY when the server takes them */
static void mail_from(remote *r, int esmtp)
{
	const char *arg;
	size_t arglen;
	if (!sa_copys(&r->cmd, "MAIL FROM:") ||
	    !smtpaddr_path(&r->cmd, r->sender, strlen(r->sender)))
		nomem(r);
	if (esmtp && r->sized && smtpreply_keyword(&r->reply, "SIZE", &arg, &arglen)) {
		char num[FMT_U64];
		if (!sa_cats(&r->cmd, " SIZE=") || !sa_catb(&r->cmd, num, fmt_u64(num, r->size)))
			nomem(r);
	}
	if (esmtp && (r->eightbit || !r->sized) &&
	    smtpreply_keyword(&r->reply, "8BITMIME", &arg, &arglen) &&
	    !sa_cats(&r->cmd, " BODY=8BITMIME"))
		nomem(r);
}

/* unsendable - why address a cannot go into a RCPT command (a line break would end
 * the command early; a domain that is no host name or address literal would make an
 * invalid path, since other injectors than qmail-smtpd may queue one), or 0 */
static const char *unsendable(const char *a)
{
	const char *at = strrchr(a, '@');
	if (!smtpaddr_ok(a, strlen(a)))
		return "hThe recipient address contains a line break. (#5.1.3)\n";
	if (at && !smtpaddr_domain(at + 1, strlen(at + 1)))
		return "hThe recipient address has an invalid domain. (#5.1.3)\n";
	return 0;
}

/* rcpt_to - the RCPT command for recipient i; 0 if it cannot be sent at all */
static int rcpt_to(remote *r, size_t i)
{
	const char *a = r->rcpt[i];
	if (unsendable(a))
		return 0;
	if (!sa_copys(&r->cmd, "RCPT TO:") || !smtpaddr_path(&r->cmd, a, strlen(a)))
		nomem(r);
	return 1;
}

/* refused - the report for recipient i, which was never sent */
static void refused(remote *r, size_t i)
{
	if (!sa_cats(&r->report, unsendable(r->rcpt[i])) || !sa_0(&r->report))
		nomem(r);
}

/* envelope - MAIL, RCPT and DATA, all at once when pipelining; 1 when the server
 * awaits the message, 0 when no recipient was accepted (the run then gives up) */
static int envelope(remote *r, int esmtp)
{
	const char *arg;
	size_t arglen, i, accepted = 0;
	int pipe = esmtp && smtpreply_keyword(&r->reply, "PIPELINING", &arg, &arglen);
	unsigned code, mail;
	mail_from(r, esmtp);
	command(r, !pipe);
	if (pipe) {
		for (i = 0; i < r->nrcpt; ++i)
			if (rcpt_to(r, i))
				command(r, 0);
		if (!sa_copys(&r->cmd, "DATA"))
			nomem(r);
		command(r, 1);
	}
	mail = reply(r);
	if (mail < 200 || mail >= 300) {
		if (pipe) { /* stay in step: the other replies are on their way */
			if (!sa_copy(&r->cmd, &r->reply.text))
				nomem(r);
			for (i = 0; i < r->nrcpt; ++i)
				if (!unsendable(r->rcpt[i]))
					(void)reply(r);
			if (reply(r) == 354)
				r->cmdstate = 0; /* a confused server: do not feed it QUIT */
			if (!sa_copy(&r->reply.text, &r->cmd)) /* the text that matters */
				nomem(r);
		}
		finish(r, mail >= 500 ? 'D' : 'Z', 1, "Connected to ", r->ip,
		       " but the sender was rejected.\n", (char *)0);
	}
	for (i = 0; i < r->nrcpt; ++i) {
		if (!rcpt_to(r, i)) {
			refused(r, i);
			continue;
		}
		if (!pipe)
			command(r, 1);
		code = reply(r);
		put_rcpt_report(r, code);
		if (code >= 200 && code < 300)
			++accepted;
	}
	if (!accepted && !pipe)
		return 0;
	if (!pipe) {
		if (!sa_copys(&r->cmd, "DATA"))
			nomem(r);
		command(r, 1);
	}
	code = reply(r);
	if (!accepted) {
		if (code == 354) { /* RFC 2920: an empty message ends the transaction */
			if (!buf_puts(&r->out, ".\r\n") || !buf_flush(&r->out))
				conn_lost(r);
			(void)reply(r);
		}
		return 0;
	}
	if (code != 354)
		finish(r, code >= 500 ? 'D' : 'Z', 1, r->ip, " failed on DATA command.\n",
		       (char *)0);
	r->cmdstate = 0;
	return 1;
}

/* smtp_deliver - connect (or take a kept connection), hand over the message, and end
 * the run with its report; a connection the server accepted the message on is handed
 * back to be kept (cache.c) */
void smtp_deliver(remote *r)
{
	unsigned code;
	int esmtp = 1;
	if (!reuse(r)) {
		addrs_find(r);
		conn_open(r);
		esmtp = hello(r);
	}
	if (!envelope(r, esmtp))
		finish(r, 'D', 0, "Giving up on ", r->ip, ".\n", (char *)0);
	switch (message_send(r)) {
	case MESSAGE_NET:
		conn_lost(r);
	case MESSAGE_READ:
		finish(r, 'Z', 0, "Unable to read the message. (#4.3.0)\n", (char *)0);
	case MESSAGE_PARTIAL:
		finish(r, 'D', 0,
		       "The message does not end with a line feed, "
		       "and SMTP cannot send a partial final line. (#5.6.2)\n",
		       (char *)0);
	}
	r->sentdot = 1;
	code = reply(r);
	r->cmdstate = 1;
	if (code >= 200 && code < 300) {
		if (esmtp)
			cache_give(r);
		finish(r, 'K', 1, r->ip, " accepted message.\n", (char *)0);
	}
	finish(r, code >= 500 ? 'D' : 'Z', 1, r->ip, " failed after I sent the message.\n",
	       (char *)0);
}
