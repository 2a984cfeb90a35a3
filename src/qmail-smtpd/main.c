/*
 * qmail-smtpd - receive mail over SMTP and queue it.
 *
 *	tcpserver -u QMAILD -g NOFILES 0 smtp qmail-smtpd
 *
 * Talks SMTP on fds 0 and 1 (a socket from tcpserver or inetd with tcp-env) and
 * hands each accepted message to qmail-queue (or $QMAILQUEUE) through qq. Reads the
 * tcpserver environment and the control files of qmail-smtpd(8) in QMAILHOME.
 *
 * DIAGNOSTICS: every answer goes to the client as an SMTP reply; problems with the
 * configuration are also reported on fd 2. Exit 0 after QUIT; 1 when the client
 * goes away, a time limit runs out, the session is refused, or a control file, the
 * address list or memory fails (421).
 */
#include <signal.h>
#include <unistd.h>

#include "auto.h"
#include "die.h"
#include "sig.h"
#include "smtpd.h"

int main(void)
{
	static config c;
	die_init("qmail-smtpd");
	sig_ignore(SIGPIPE); /* a queue program that dies early must not kill us */
	if (chdir(auto_qmail) == -1) {
		warn_sys("unable to switch to ", auto_qmail, NULL);
		run_refuse(R_CONTROLS);
	}
	if (!config_load(&c))
		run_refuse(c.why);
	run(&c);
}
