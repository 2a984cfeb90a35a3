/*
 * qmail-remote - deliver one message by SMTP (or QMTP) to the mail servers of one domain.
 *
 *	qmail-remote host sender recipient...
 *
 * Run by qmail-rspawn as qmailr (or by hand), with the message on fd 0. Works in
 * QMAILHOME; reads control/helohost (else control/me), control/qmtproutes,
 * control/smtproutes, control/timeoutconnect and control/timeoutremote. Finds the
 * protocol (addrs.c: QMTP when qmtproutes has an item for the domain), measures the
 * message for SMTP (message.c), finds the addresses to try (addrs.c), connects to the
 * first that answers, skipping those that timed out lately (queue/lock/tcpto, conn.c),
 * and speaks ESMTP (smtp.c) or QMTP (qmtp.c). Under qmail-rspawn an SMTP delivery
 * may use a connection an earlier run kept, and hands its own back (cache.c).
 *
 * OUTPUT on fd 1, written once at the end: once the server accepted the sender, one
 * report per recipient in argument order ('r' accepted, 'h' refused for good, 's'
 * refused for now), then one report for the message ('K' delivered, 'Z' try again
 * later, 'D' give up). A report is the letter, a text and a NUL; our own texts end
 * with an RFC 3463 code, and the server's reply follows as "Remote host said: ...".
 *
 * DIAGNOSTICS: exit 0 once the reports are written, even for a usage error (a D
 * report); 111 only if fd 1 cannot be written.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "auto.h"
#include "control.h"
#include "fd.h"
#include "remote.h"
#include "sig.h"
#include "smtpaddr.h"

#define TIMEOUT_MAX 1000000 /* seconds: longer control timeouts are cut to this */

static remote rem; /* the one state of this program */

/* out_of_memory - the report when even building a report failed */
static _Noreturn void out_of_memory(void)
{
	static const char z[] = "ZOut of memory. (#4.3.0)\n";
	if (!fd_write_all(1, z, sizeof z))
		_exit(111);
	_exit(0);
}

/* finish - end the run: say QUIT if the server awaits a command (never waiting for
 * the answer), then write the reports: the recipient reports made so far and the
 * message report: status, the strings, and with said the server's last reply */
void finish(remote *r, char status, int said, const char *s, ...)
{
	va_list ap;
	const char *p;
	if (r->fd != -1 && r->cmdstate)
		(void)(buf_puts(&r->out, "QUIT\r\n") && buf_flush(&r->out));
	if (r->fd != -1)
		close(r->fd);
	r->fd = -1;
	if (!sa_catc(&r->report, status))
		out_of_memory();
	va_start(ap, s);
	for (p = s; p; p = va_arg(ap, const char *))
		if (!sa_cats(&r->report, p)) {
			va_end(ap);
			out_of_memory();
		}
	va_end(ap);
	if (said && (!sa_cats(&r->report, "Remote host said: ") ||
		     !sa_catb(&r->report, r->reply.text.s, r->reply.text.len) ||
		     !sa_catc(&r->report, '\n')))
		out_of_memory();
	if (!sa_0(&r->report))
		out_of_memory();
	if (!fd_write_all(1, r->report.s, r->report.len))
		_exit(111);
	_exit(0);
}

/* nomem - this program's one answer to an allocation failure */
void nomem(remote *r)
{
	finish(r, 'Z', 0, "Out of memory. (#4.3.0)\n", (char *)0);
}

/* rcpt_report - one recipient report: 'r' accepted, or 'h'/'s' with the server's last
 * reply as the reason */
void rcpt_report(remote *r, char c)
{
	int ok = sa_catc(&r->report, c);
	if (ok && c != 'r')
		ok = sa_cats(&r->report, r->ip) &&
		     sa_cats(&r->report, " does not like recipient.\nRemote host said: ") &&
		     sa_catb(&r->report, r->reply.text.s, r->reply.text.len) &&
		     sa_catc(&r->report, '\n');
	if (!ok || !sa_0(&r->report))
		nomem(r);
}

/* seconds - control/NAME as milliseconds for a timeout; def when missing or 0 */
static unsigned seconds(remote *r, const char *name, uint64_t def)
{
	uint64_t u = 0;
	int x = control_readint(&u, name);
	if (x == -1)
		finish(r, 'Z', 0, "Unable to read ", name, ". (#4.3.0)\n", (char *)0);
	if (x == 0 || u == 0)
		u = def;
	if (u > TIMEOUT_MAX)
		u = TIMEOUT_MAX;
	return (unsigned)u * 1000;
}

/* controls - read the control files qmail-remote needs */
static void controls(remote *r)
{
	size_t i;
	if (control_init() == -1)
		finish(r, 'Z', 0, "Unable to read control/me. (#4.3.0)\n", (char *)0);
	if (control_rldef(&r->helo, "control/helohost", 1, 0) == -1) {
		if (errno == ENOENT)
			finish(r, 'Z', 0,
			       "Neither control/helohost nor control/me exists: "
			       "I do not know my name. (#4.3.0)\n",
			       (char *)0);
		finish(r, 'Z', 0, "Unable to read control/helohost. (#4.3.0)\n", (char *)0);
	}
	for (i = 0; i < r->helo.len; ++i)
		if ((unsigned char)r->helo.s[i] <= 32 || (unsigned char)r->helo.s[i] >= 127)
			break;
	if (!r->helo.len || i < r->helo.len)
		finish(r, 'Z', 0, "control/helohost is empty or not a host name. (#4.3.0)\n",
		       (char *)0);
	if (control_readlist(&r->routes, "control/smtproutes") == -1)
		finish(r, 'Z', 0, "Unable to read control/smtproutes. (#4.3.0)\n", (char *)0);
	if (control_readlist(&r->qroutes, "control/qmtproutes") == -1)
		finish(r, 'Z', 0, "Unable to read control/qmtproutes. (#4.3.0)\n", (char *)0);
	r->tconnect = seconds(r, "control/timeoutconnect", 60);
	r->tremote = seconds(r, "control/timeoutremote", 1200);
}

/* envelope - refuse addresses that cannot be written into a command line */
static void envelope(remote *r)
{
	size_t i, good = 0;
	if (!smtpaddr_ok(r->sender, strlen(r->sender)))
		finish(r, 'D', 0, "The sender address contains a line break. (#5.1.7)\n",
		       (char *)0);
	for (i = 0; i < r->nrcpt; ++i)
		if (smtpaddr_ok(r->rcpt[i], strlen(r->rcpt[i])))
			++good;
	if (!good)
		finish(r, 'D', 0,
		       "No recipient address can be sent: each contains a line break. "
		       "(#5.1.3)\n",
		       (char *)0);
}

int main(int argc, char **argv)
{
	remote *r = &rem;
	r->fd = -1;
	sig_ignore(SIGPIPE);
	if (argc < 4)
		finish(r, 'D', 0,
		       "qmail-remote was invoked improperly: usage: qmail-remote host sender "
		       "recipient... (#5.3.5)\n",
		       (char *)0);
	r->host = argv[1];
	r->sender = argv[2];
	r->rcpt = argv + 3;
	r->nrcpt = (size_t)(argc - 3);
	if (chdir(auto_qmail) == -1)
		finish(r, 'Z', 0, "Unable to switch to the qmail home directory. (#4.3.0)\n",
		       (char *)0);
	controls(r);
	addrs_route(r);
	if (r->qmtp) { /* QMTP carries any address and any last line as they are */
		addrs_find(r);
		qmtp_deliver(r);
	}
	envelope(r);
	message_measure(r);
	smtp_deliver(r);
	return 0;
}
