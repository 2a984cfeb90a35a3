/*
 * condredirect - send the message elsewhere when a program says so; a .qmail helper.
 *
 *	|condredirect ADDR prog [arg...]
 *
 * Runs prog with the message on its stdin. If prog exits 0, the message is sent to
 * ADDR, prefixed by $DTLINE, with the original envelope sender $SENDER, and
 * condredirect exits 99 so that qmail-local skips the rest of the .qmail file; the
 * delivery is then done. If prog exits 111 (or crashes) the delivery is deferred;
 * any other exit code lets the delivery go on with the next line.
 *
 * DIAGNOSTICS: after a redirection "qp N" on stdout and exit 99; 0 when prog
 * declined; 100 when the queue refused the message for good; 111 for anything
 * temporary, and for a usage error, so no mail is lost while .qmail is fixed.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "die.h"
#include "env.h"
#include "fmt.h"
#include "requeue.h"
#include "run.h"
#include "sig.h"
#include "wait.h"

#define EXIT_PERM 100
#define EXIT_TEMP 111
#define EXIT_DONE 99 /* delivered: qmail-local ignores the rest of the .qmail file */

/* need - an environment variable qmail-local sets, or a fatal error */
static const char *need(const char *name)
{
	const char *v = env_get(name);
	if (!v)
		die_x(EXIT_TEMP, name, " not set", (char *)0);
	return v;
}

/* decide - run prog; 1 when it asks for the redirection; exits otherwise */
static int decide(char **prog)
{
	int status;
	pid_t pid = run_start(prog, -1);
	if (pid == -1)
		die_sys(EXIT_TEMP, "unable to run ", prog[0], (char *)0);
	if (wait_pid(pid, &status) == -1)
		die_sys(EXIT_TEMP, "unable to wait for ", prog[0], (char *)0);
	if (wait_crashed(status))
		die_x(EXIT_TEMP, prog[0], " crashed", (char *)0);
	switch (wait_exitcode(status)) {
	case 0:
		return 1;
	case EXIT_TEMP:
		_exit(EXIT_TEMP);
	default:
		_exit(0);
	}
}

/* redirect - queue the message to addr; exits with the queue's verdict */
static _Noreturn void redirect(char *addr, const char *sender, const char *dtline)
{
	static qq q;
	char num[FMT_U64];
	const char *text;
	int rerr;
	if (lseek(0, 0, SEEK_SET) != 0)
		die_sys(EXIT_TEMP, "unable to rewind message", (char *)0);
	if (!qq_start(&q))
		die_sys(EXIT_TEMP, "unable to start qq", (char *)0);
	text = requeue(&q, 0, dtline, strlen(dtline), sender, &addr, 1, &rerr);
	if (rerr)
		die_sys(EXIT_TEMP, "unable to read message", (char *)0);
	if (*text)
		die_x(*text == 'D' ? EXIT_PERM : EXIT_TEMP, text + 1, (char *)0);
	num[fmt_u64(num, qq_qp(&q))] = 0;
	msg_put(1, "qp ", num, (char *)0);
	_exit(EXIT_DONE);
}

int main(int argc, char **argv)
{
	const char *sender, *dtline;
	die_init(argv[0]);
	if (argc < 3)
		die_x(EXIT_TEMP, "usage: condredirect address program [arg ...]", (char *)0);
	sender = need("SENDER");
	dtline = need("DTLINE");
	if (!sig_ignore(SIGPIPE))
		die_sys(EXIT_TEMP, "unable to ignore SIGPIPE", (char *)0);
	if (decide(argv + 2))
		redirect(argv[1], sender, dtline);
	return 0;
}
