/*
 * qmail-popup - the POP3 front end (RFC 1939; SPEC sections 1 and 17). tcpserver runs
 * it as root with the connection on fds 0 and 1:
 *     qmail-popup HOSTNAME subprogram [arg ...]
 * It greets with "+OK <PID.USEC@HOSTNAME>" (the APOP timestamp) and reads USER and
 * PASS, or APOP; QUIT, NOOP and CAPA are answered, every other command refused. Then
 * it runs subprogram (a checkpassword-compatible program, found on $PATH) with the
 * remaining arguments and with fd 3 reading "user NUL pass NUL timestamp NUL". If the
 * password is good, the subprogram becomes the user and runs the rest of its argv
 * (e.g. qmail-pop3d Maildir), which answers PASS and serves the session. If it exits
 * non-zero, qmail-popup waits FAILDELAY seconds and answers -ERR, then hangs up.
 *
 * Limits: a command line is at most POP3_LINEMAX bytes (a longer one is refused and
 * discarded; one that runs past POP3_SKIPMAX bytes ends the session), the fd 3 record
 * at most AUTHMAX bytes (what checkpassword reads), and each read or write of the
 * connection at most TIMEOUT seconds. Commands pipelined after PASS or APOP are lost
 * (the subprogram reads the connection itself), so PIPELINING is not offered.
 *
 * DIAGNOSTICS
 *   0    the client quit, or the session after a good password ended
 *   1    authorization failed, or the session ended badly (timeout, network error,
 *        a command line that would not end)
 *   100  usage
 *   111  a system call failed (pipe, fork, out of memory)
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "die.h"
#include "fd.h"
#include "fmt.h"
#include "pop3.h"
#include "sa.h"
#include "sig.h"
#include "tm.h"
#include "wait.h"

#define TIMEOUT   1200 /* seconds allowed per read or write of the connection, as qmail */
#define FAILDELAY 5    /* seconds before a failed authorization is answered */
#define AUTHMAX   512  /* bytes of the fd 3 record: checkpassword reads no more */
#define HOSTMAX   255  /* bytes of HOSTNAME */

static struct {
	const char *host;    /* HOSTNAME, for the timestamp */
	char **prog;         /* subprogram and its arguments */
	buf in;              /* the client's commands, fd 0 */
	buf out;             /* our replies, fd 1 */
	char inspace[1024];  /* in's storage */
	char outspace[1024]; /* out's storage */
	pop3_cmd cmd;        /* the command reader */
	sa user;             /* the name given by USER */
	int gotuser;         /* USER was given */
	sa stamp;            /* the timestamp, "<PID.USEC@HOSTNAME>" */
	sa rec;              /* the fd 3 record */
} st;

/* die_nomem - out of memory: a temporary trouble of this program */
static _Noreturn void die_nomem(void)
{
	die_x(111, "out of memory", NULL);
}

/* die_net - the connection failed; say why on stderr (the log) and end */
static _Noreturn void die_net(const char *what)
{
	if (errno == ETIMEDOUT) {
		char n[FMT_U64];
		n[fmt_u64(n, TIMEOUT)] = 0;
		die_x(1, "timeout: the connection was idle for ", n, " seconds", NULL);
	}
	die_sys(1, "unable to ", what, " the network", NULL);
}

/* reply - one reply line, sent at once */
static void reply(const char *s)
{
	if (!buf_puts(&st.out, s) || !buf_putflush(&st.out, "\r\n", 2))
		die_net("write to");
}

/* hostname_ok - HOSTNAME goes inside <...@...>: printable, no spaces, no brackets */
static int hostname_ok(const char *s)
{
	size_t n = strlen(s), i;
	if (n == 0 || n > HOSTMAX)
		return 0;
	for (i = 0; i < n; ++i)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '<' || s[i] == '>')
			return 0;
	return 1;
}

/* make_stamp - "<PID.USEC@HOSTNAME>": unique per connection, for APOP digests */
static void make_stamp(void)
{
	if (!sa_catc(&st.stamp, '<') || !sa_catu(&st.stamp, (uint64_t)getpid()) ||
	    !sa_catc(&st.stamp, '.') || !sa_catu(&st.stamp, tm_now_usec()) ||
	    !sa_catc(&st.stamp, '@') || !sa_cats(&st.stamp, st.host) || !sa_catc(&st.stamp, '>'))
		die_nomem();
}

/* record - the fd 3 record "user NUL pass NUL timestamp NUL"; 0 if over AUTHMAX */
static int record(const char *user, size_t ulen, const char *pass, size_t plen)
{
	st.rec.len = 0;
	if (!sa_catb(&st.rec, user, ulen) || !sa_catc(&st.rec, 0) ||
	    !sa_catb(&st.rec, pass, plen) || !sa_catc(&st.rec, 0) || !sa_cat(&st.rec, &st.stamp) ||
	    !sa_catc(&st.rec, 0))
		die_nomem();
	return st.rec.len <= AUTHMAX;
}

/* child - in the forked child: fd 3 is the record, run the subprogram */
static _Noreturn void child(int r)
{
	if (r == 3 ? !fd_nocloexec(3) : !fd_move(3, r))
		die_sys(111, "unable to set up fd 3", NULL);
	sig_default(SIGPIPE);
	execvp(st.prog[0], st.prog);
	die_sys(111, "unable to run ", st.prog[0], NULL);
}

/* checkpassword - run the subprogram on the record; its wait status */
static int checkpassword(void)
{
	int p[2], status;
	pid_t pid;
	if (pipe(p) == -1 || !fd_cloexec(p[0]) || !fd_cloexec(p[1]))
		die_sys(111, "unable to create a pipe", NULL);
	/* the record (<= AUTHMAX < PIPE_BUF bytes) fits in the empty pipe: written before
	 * the fork, so no write can block or meet a reader that has gone */
	if (!fd_write_all(p[1], st.rec.s, st.rec.len))
		die_sys(111, "unable to write to a pipe", NULL);
	close(p[1]);
	memset(st.rec.s, 0, st.rec.len); /* the password is no longer needed here */
	pid = fork();
	if (pid == -1)
		die_sys(111, "unable to fork", NULL);
	if (pid == 0)
		child(p[0]);
	close(p[0]);
	if (wait_pid(pid, &status) == -1)
		die_sys(111, "unable to wait for ", st.prog[0], NULL);
	return status;
}

/* login - check user and pass (or an APOP digest); on success the session is over */
static _Noreturn void login(const char *user, size_t ulen, const char *pass, size_t plen)
{
	int status = -1;
	if (record(user, ulen, pass, plen))
		status = checkpassword();
	if (status == 0)
		_exit(0); /* the user's session ran and ended; it said all there was to say */
	sleep(FAILDELAY);
	if (status != -1 && (wait_crashed(status) || wait_exitcode(status) == 111))
		reply("-ERR temporary failure, try again later");
	else
		reply("-ERR authorization failed");
	_exit(1);
}

/* capa - the capabilities (RFC 2449) of the session that follows a login */
static void capa(void)
{
	if (!buf_puts(&st.out, "+OK capability list follows\r\nTOP\r\nUIDL\r\nUSER\r\n.\r\n") ||
	    !buf_flush(&st.out))
		die_net("write to");
}

/* command - act on one well-formed command of the authorization state */
static void command(const pop3_cmd *c)
{
	const char *a, *b;
	size_t alen, blen;
	a = pop3_arg(c, 0, &alen);
	b = pop3_arg(c, 1, &blen);
	switch (c->verb) {
	case POP3_USER:
		if (!sa_copyb(&st.user, a, alen))
			die_nomem();
		st.gotuser = 1;
		reply("+OK send PASS");
		return;
	case POP3_PASS:
		if (!st.gotuser) {
			reply("-ERR USER first");
			return;
		}
		login(st.user.s, st.user.len, a, alen);
	case POP3_APOP:
		login(a, alen, b, blen);
	case POP3_QUIT:
		reply("+OK bye");
		_exit(0);
	case POP3_NOOP:
		reply("+OK");
		return;
	case POP3_CAPA:
		capa();
		return;
	default:
		reply("-ERR authorization first");
		return;
	}
}

/* run - read and answer commands until a login or QUIT ends the session */
static void run(void)
{
	int r;
	for (;;) {
		r = pop3_read(&st.cmd, &st.in);
		if (r < 0)
			die_net("read from");
		if (r == 0)
			_exit(0); /* the client went away */
		if (r == POP3_CMD) {
			command(&st.cmd);
			continue;
		}
		reply(pop3_err(r));
		if (r == POP3_FLOOD)
			die_x(1, "a command line would not end", NULL);
	}
}

int main(int argc, char **argv)
{
	die_init("qmail-popup");
	if (argc < 3 || !hostname_ok(argv[1]))
		die_x(100, "usage: qmail-popup hostname subprogram [arg ...]", NULL);
	st.host = argv[1];
	st.prog = argv + 2;
	sig_ignore(SIGPIPE); /* a write to a closed connection fails with EPIPE instead */
	buf_init(&st.in, 0, st.inspace, sizeof st.inspace);
	buf_init(&st.out, 1, st.outspace, sizeof st.outspace);
	buf_settimeout(&st.in, TIMEOUT * 1000);
	buf_settimeout(&st.out, TIMEOUT * 1000);
	pop3_cmd_init(&st.cmd);
	make_stamp();
	if (!buf_puts(&st.out, "+OK ") || !buf_putsa(&st.out, &st.stamp) ||
	    !buf_putflush(&st.out, "\r\n", 2))
		die_net("write to");
	run();
	return 0;
}
