/*
 * qmtp.c - QMTP delivery (SPEC section 13), for domains that control/qmtproutes
 * names. One package per connection: the message as a netstring whose first byte is
 * the line convention ("\n": the message follows with LF line ends, exactly as the
 * queue holds it), the sender as a netstring, and the recipients, each a netstring,
 * together in one more netstring. The server answers with one netstring per
 * recipient, in order, starting K (accepted), Z (try again later) or D (refused);
 * qmtpreply.c reads them strictly and bounds their length.
 *
 * Reports are those of SMTP: 'r', 's' or 'h' per recipient with the server's text,
 * then K when some recipient was accepted, else D ("Giving up"). Each reply must be
 * complete within timeoutremote. A connection that fails before the first reply gives
 * Z with no recipient reports ("Possible duplicate!" once the package was sent); one
 * that fails later gives 's' to the recipients left, and K if some recipient was
 * accepted (the server has the message for it), else Z.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "fmt.h"
#include "ns.h"
#include "qmtpreply.h"
#include "remote.h"
#include "size.h"
#include "tm.h"

#define CHUNK 8192 /* bytes read from fd 0 at a time */

typedef struct package_s {
	sa msg;       /* the message, when fd 0 is not a regular file */
	int stream;   /* the message is read from fd 0 while sending */
	uint64_t len; /* message bytes */
} package;

/* get - read up to CHUNK bytes from fd 0: the count, 0 at the end, -1 on error */
static ssize_t get(char *p, size_t max)
{
	for (;;) {
		ssize_t n = read(0, p, max < CHUNK ? max : CHUNK);
		if (n >= 0 || errno != EINTR)
			return n;
	}
}

/* measure - the message's length: from fstat when fd 0 is a regular file (it is sent
 * as it is read), else by reading it into memory */
static void measure(remote *r, package *p)
{
	char in[CHUNK];
	struct stat st;
	off_t at;
	ssize_t n;
	if (fstat(0, &st) == 0 && S_ISREG(st.st_mode) && (at = lseek(0, 0, SEEK_CUR)) != -1) {
		p->stream = 1;
		p->len = st.st_size > at ? (uint64_t)(st.st_size - at) : 0;
		return;
	}
	while ((n = get(in, CHUNK)) > 0)
		if (!sa_catb(&p->msg, in, (size_t)n))
			nomem(r);
	if (n < 0)
		finish(r, 'Z', 0, "Unable to read the message. (#4.3.0)\n", (char *)0);
	p->len = p->msg.len;
}

/* put - queue n bytes for the server; a failed write ends the run */
static void put(remote *r, const char *s, size_t n)
{
	if (!buf_put(&r->out, s, n))
		conn_lost(r);
}

/* send_message - the message netstring, read from fd 0 or memory */
static void send_message(remote *r, package *p)
{
	char num[FMT_U64];
	uint64_t left = p->len;
	put(r, num, fmt_u64(num, p->len + 1));
	put(r, ":\n", 2);
	if (!p->stream) {
		put(r, p->msg.s, p->msg.len);
	} else {
		char in[CHUNK];
		while (left) {
			ssize_t n = get(in, left < CHUNK ? (size_t)left : CHUNK);
			if (n <= 0) /* the file shrank or broke: the server must not take half */
				finish(r, 'Z', 0, "Unable to read the message. (#4.3.0)\n",
				       (char *)0);
			put(r, in, (size_t)n);
			left -= (uint64_t)n;
		}
	}
	put(r, ",", 1);
}

/* send_package - the whole package: message, sender, recipients; flushed */
static void send_package(remote *r, package *p)
{
	sa rcpts = SA_ZERO;
	size_t i;
	send_message(r, p);
	r->cmd.len = 0;
	for (i = 0; i < r->nrcpt; ++i)
		if (!ns_catb(&rcpts, r->rcpt[i], strlen(r->rcpt[i])))
			nomem(r);
	if (!ns_catb(&r->cmd, r->sender, strlen(r->sender)) ||
	    !ns_catb(&r->cmd, rcpts.s, rcpts.len))
		nomem(r);
	sa_free(&rcpts);
	put(r, r->cmd.s, r->cmd.len);
	if (!buf_flush(&r->out))
		conn_lost(r);
}

/* answer - read one reply into q within timeoutremote: 1, or 0 with errno */
static int answer(remote *r, qmtpreply *q)
{
	uint64_t deadline = tm_mono_ms() + r->tremote;
	for (;;) {
		size_t n, used;
		const char *s = buf_peek(&r->in, &n);
		ssize_t got;
		uint64_t now;
		if (n) {
			int x = qmtpreply_feed(q, s, n, &used);
			buf_skip(&r->in, used);
			if (x == 1)
				return 1;
			if (x == -1)
				return 0;
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

/* why - the words for a failed answer */
static const char *why(int e)
{
	if (e == EPROTO)
		return "sent a malformed reply";
	if (e == EMSGSIZE)
		return "sent a reply that is too long";
	if (e == ETIMEDOUT)
		return "timed out";
	return "died";
}

/* cut - the replies stopped after done of them (errno says why): the recipients left
 * may or may not have the message, so they are tried again */
static _Noreturn void cut(remote *r, size_t done, size_t accepted)
{
	int e = errno;
	size_t i;
	if (e == ENOMEM)
		nomem(r);
	if (!done)
		finish(r, 'Z', 0, "Connection to ", r->ip, " ", why(e), " (", error_str(e),
		       "). Possible duplicate! (#4.4.2)\n", (char *)0);
	for (i = done; i < r->nrcpt; ++i)
		if (!sa_cats(&r->report, "sConnection to ") || !sa_cats(&r->report, r->ip) ||
		    !sa_cats(&r->report, " ") || !sa_cats(&r->report, why(e)) ||
		    !sa_cats(&r->report, " before the reply for this recipient. "
					 "Possible duplicate! (#4.4.2)\n") ||
		    !sa_0(&r->report))
			nomem(r);
	if (accepted)
		finish(r, 'K', 0, r->ip, " accepted the message for some recipients.\n", (char *)0);
	finish(r, 'Z', 0, "Connection to ", r->ip, " ", why(e), ". (#4.4.2)\n", (char *)0);
}

/* qmtp_deliver - connect, send the package, read a reply per recipient, and end the
 * run with the reports */
void qmtp_deliver(remote *r)
{
	package p = {SA_ZERO, 0, 0};
	qmtpreply q = QMTPREPLY_ZERO;
	sa said = SA_ZERO; /* the text of the last K reply: the message report quotes it */
	size_t i, accepted = 0;
	measure(r, &p);
	conn_open(r);
	send_package(r, &p);
	sa_free(&p.msg);
	r->sentdot = 1;
	qmtpreply_init(&q);
	for (i = 0; i < r->nrcpt; ++i) {
		char c;
		if (!answer(r, &q))
			cut(r, i, accepted);
		c = q.text.s[0] == 'K' ? 'r' : q.text.s[0] == 'D' ? 'h' : 's';
		if (!sa_copyb(&r->reply.text, q.text.s + 1, q.text.len - 1))
			nomem(r);
		rcpt_report(r, c);
		if (c == 'r' && !sa_copy(&said, &r->reply.text))
			nomem(r);
		if (c == 'r')
			++accepted;
	}
	qmtpreply_free(&q);
	if (!accepted)
		finish(r, 'D', 0, "Giving up on ", r->ip, ".\n", (char *)0);
	if (!sa_copy(&r->reply.text, &said))
		nomem(r);
	finish(r, 'K', 1, r->ip, " accepted message.\n", (char *)0);
}
