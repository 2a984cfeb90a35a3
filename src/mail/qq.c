/*
 * qq.c - run qmail-queue (or the program named by $QMAILQUEUE) and turn its exit
 * status into a report. The child gets the message on fd 0, the envelope on fd 1
 * and a pipe on fd 6 where a filter may leave a custom rejection text (exit 82).
 * The envelope is collected in memory and written after the message, because
 * qmail-queue reads fd 0 to the end before it reads fd 1.
 * Callers ignore SIGPIPE: a child that dies early must not kill the caller.
 */
#include "qq.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auto.h"
#include "fd.h"
#include "wait.h"

#define CUSTOM_MAX 255 /* longest custom rejection text we read from fd 6 */

/* child - in the child of vfork, which shares our memory until the exec: wire the
 * pipes to fds 0, 1 and 6 and exec the queue program prog */
static void child(const char *prog, int msg, int env, int cust, const char *home)
{
	char *argv[2];
	if (dup2(msg, 0) == -1 || dup2(env, 1) == -1 || dup2(cust, 6) == -1)
		_exit(120);
	if (chdir(home) == -1)
		_exit(61);
	argv[0] = (char *)prog;
	argv[1] = 0;
	execv(prog, argv);
	_exit(120);
}

/* spawn - vfork a child that becomes prog (no copy of our memory for an exec, once
 * per message); its pid, or -1 */
static pid_t spawn(const char *prog, int msg, int env, int cust, const char *home)
{
	pid_t pid = vfork();
	if (pid == 0)
		child(prog, msg, env, cust, home);
	return pid;
}

/* qq_start_at - start the queue program with cwd home; 0 with errno on failure */
int qq_start_at(qq *q, const char *home)
{
	const char *prog = getenv("QMAILQUEUE");
	int msg[2], env[2], cust[2];
	if (!prog || !*prog)
		prog = "bin/qmail-queue";
	memset(q, 0, sizeof *q);
	q->envfd = q->custfd = -1;
	if (!fd_pipe_high(msg, 7))
		return 0;
	if (!fd_pipe_high(env, 7))
		goto close_msg;
	if (!fd_pipe_high(cust, 7))
		goto close_env;
	q->pid = spawn(prog, msg[0], env[0], cust[1], home);
	if (q->pid == -1)
		goto close_cust;
	close(msg[0]);
	close(env[0]);
	close(cust[1]);
	q->envfd = env[1];
	q->custfd = cust[0];
	buf_init(&q->out, msg[1], q->space, sizeof q->space);
	return 1;
close_cust:
	close(cust[0]);
	close(cust[1]);
close_env:
	close(env[0]);
	close(env[1]);
close_msg:
	close(msg[0]);
	close(msg[1]);
	return 0;
}

/* qq_start - start bin/qmail-queue (or $QMAILQUEUE) in QMAILHOME */
int qq_start(qq *q)
{
	return qq_start_at(q, auto_qmail);
}

/* qq_put - message bytes; a failure is remembered, not reported here */
void qq_put(qq *q, const char *s, size_t n)
{
	if (!q->failed && !buf_put(&q->out, s, n))
		q->failed = 1;
}

/* qq_puts - a C string of message bytes */
void qq_puts(qq *q, const char *s)
{
	qq_put(q, s, strlen(s));
}

/* env_rec - append one envelope record: letter, address, NUL */
static void env_rec(qq *q, char letter, const char *addr)
{
	if (!q->failed && (!sa_catc(&q->env, letter) || !sa_cats(&q->env, addr) || !sa_0(&q->env)))
		q->failed = 1;
}

/* qq_fail - give up on this message: qq_finish then sends no envelope, so the
 * queue program fails and nothing is queued */
void qq_fail(qq *q)
{
	q->failed = 1;
}

/* qq_from - the envelope sender ("" for a bounce) */
void qq_from(qq *q, const char *sender)
{
	env_rec(q, 'F', sender);
}

/* qq_to - one envelope recipient */
void qq_to(qq *q, const char *rcpt)
{
	env_rec(q, 'T', rcpt);
}

/* read_custom - the text a filter left on fd 6, if it is a usable report: at least
 * 3 bytes starting D or Z, cut at the first CR, LF or NUL so it can never add a line
 * to an SMTP reply; 0 when there is none */
static const char *read_custom(qq *q)
{
	size_t n = 0, i;
	ssize_t r;
	fd_nonblock(q->custfd);
	while (n < sizeof q->custom - 1 &&
	       (r = read(q->custfd, q->custom + n, sizeof q->custom - 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		n += (size_t)r;
	}
	for (i = 0; i < n && q->custom[i] != '\r' && q->custom[i] != '\n' && q->custom[i]; ++i)
		;
	q->custom[i] = 0;
	if (i < 3 || (q->custom[0] != 'D' && q->custom[0] != 'Z'))
		return 0;
	return q->custom;
}

/* qq_exittext - the report for a queue program's wait status (SPEC 4 table) */
const char *qq_exittext(int status)
{
	int code;
	if (wait_crashed(status))
		return "Zqq crashed (#4.3.0)";
	code = wait_exitcode(status);
	switch (code) {
	case 0:
		return "";
	case 11:
	case 115:
		return "Denvelope address too long for qq (#5.1.3)";
	case 31:
		return "Dmail server permanently rejected message (#5.3.0)";
	case 51:
		return "Zqq out of memory (#4.3.0)";
	case 52:
		return "Zqq timeout (#4.3.0)";
	case 53:
		return "Zqq write error or disk full (#4.3.0)";
	case 54:
		return "Zqq read error (#4.3.0)";
	case 55:
		return "Zqq unable to read configuration (#4.3.0)";
	case 56:
		return "Zqq trouble making network connection (#4.3.0)";
	case 61:
		return "Zqq trouble in home directory (#4.3.0)";
	case 62:
	case 63:
	case 64:
	case 65:
	case 66:
		return "Zqq trouble creating files in queue (#4.3.0)";
	case 71:
		return "Zmail server temporarily rejected message (#4.3.0)";
	case 72:
		return "Zconnection to mail server timed out (#4.4.1)";
	case 73:
		return "Zconnection to mail server rejected (#4.4.1)";
	case 74:
		return "Zcommunication with mail server failed (#4.4.2)";
	case 81:
	case 91:
		return "Zqq internal bug (#4.3.0)";
	case 120:
		return "Zunable to exec qq (#4.3.0)";
	default:
		if (code >= 11 && code <= 40)
			return "Dqq permanent problem (#5.3.0)";
		return "Zqq temporary problem (#4.3.0)";
	}
}

/* qq_finish - close the message, send the envelope, wait for the child, report:
 * "" when the message is queued, else a text starting with D or Z */
const char *qq_finish(qq *q)
{
	int status, ok = !q->failed && buf_flush(&q->out);
	const char *text;
	close(q->out.fd);
	if (ok && (!sa_catc(&q->env, 0) || !fd_write_all(q->envfd, q->env.s, q->env.len)))
		ok = 0;
	close(q->envfd);
	sa_free(&q->env);
	if (wait_pid(q->pid, &status) == -1)
		text = "Zqq crashed (#4.3.0)";
	else if (!wait_crashed(status) && wait_exitcode(status) == 82)
		text = read_custom(q);
	else
		text = qq_exittext(status);
	close(q->custfd);
	if (!text)
		text = "Zqq temporary problem (#4.3.0)";
	if (!*text && !ok)
		text = "Zqq read error (#4.3.0)";
	return text;
}

/* qq_qp - the queue program's pid, which qmail-queue logs as "qp" */
unsigned long qq_qp(const qq *q)
{
	return (unsigned long)q->pid;
}
