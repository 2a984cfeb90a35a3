/*
 * qmail-rspawn - run remote deliveries for qmail-send (SPEC section 5). Runs as
 * qmailr (started so by qmail-start; started as root it becomes qmailr itself). At
 * startup it empties the connect timeout table (queue/lock/tcpto), since the network
 * may have changed while mail was down, and writes one byte, its limit AUTO_SPAWN.
 * Then it reads commands on fd 0 and writes reports on fd 1 (spawn.h). For each
 * command it runs, with the message on fd 0,
 *	qmail-remote DOMAIN SENDER RECIPIENT
 * (QMAILHOME/bin/qmail-remote, or $QMAILREMOTE) where DOMAIN follows the last '@' of
 * the recipient; one recipient per run. qmail-remote's output (stdout and stderr, up
 * to RREPORT_OUTMAX bytes) and exit status make the report (rreport.h).
 *
 * A command for a slot out of range or still busy, or one that breaks the framing, is
 * a qmail-send bug that no report can answer: qmail-rspawn stops reading commands,
 * reports the deliveries in progress, and exits 100.
 *
 * DIAGNOSTICS
 *   0    fd 0 was closed and every delivery reported
 *   100  a protocol violation by qmail-send (in-flight deliveries reported)
 *   111  cannot start (wrong user, missing account, no queue), or fd 1 failed
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "auto.h"
#include "die.h"
#include "env.h"
#include "error.h"
#include "fd.h"
#include "ids.h"
#include "lock.h"
#include "priv.h"
#include "rreport.h"
#include "sa.h"
#include "sig.h"
#include "spawn.h"
#include "str.h"
#include "tcpto.h"
#include "wait.h"

#define GROUPS_MAX 65536 /* most supplementary groups of qmailr */

typedef struct slot_s {
	pid_t pid;      /* qmail-remote; 0 when the slot is free */
	int fd;         /* read end of its output pipe; -1 after end of file */
	int reaped;     /* it has exited; status is valid */
	int status;     /* its wait status */
	sa out;         /* its output, at most RREPORT_OUTMAX bytes */
	size_t dropped; /* output bytes beyond RREPORT_OUTMAX */
} slot;

static struct {
	ids id;             /* qmailr, qmailq, the qmail group */
	const char *remote; /* the program to run */
	sa remotepath;      /* QMAILHOME/bin/qmail-remote, when $QMAILREMOTE is not set */
	int input;          /* commands may still arrive on fd 0 */
	int broken;         /* qmail-send broke the protocol */
	size_t busy;        /* slots in use */
	spawn_cmd cmd;      /* the command being read */
	sa rep;             /* scratch: a report being written */
	sa text;            /* scratch: a report's text */
	slot s[AUTO_SPAWN]; /* the deliveries */
	struct pollfd pf[AUTO_SPAWN + 2]; /* poll's array: fd 0, the signal pipe, slots */
} st;

/* nomem - the one fatal error for memory */
static _Noreturn void nomem(void)
{
	die_x(111, "out of memory", (char *)0);
}

/* report - send one report to qmail-send; text is our own, or out[0..n) follows */
static void report(unsigned n, char status, const char *text, size_t len)
{
	st.rep.len = 0;
	if (!spawn_rep_put(&st.rep, n, status, text, len))
		nomem();
	if (!fd_write_all(1, st.rep.s, st.rep.len))
		die_sys(111, "unable to write a report to qmail-send", (char *)0);
}

/* say - a report with our own text */
static void say(unsigned n, char status, const char *text)
{
	report(n, status, text, strlen(text));
}

/* finish - a slot's child has exited and its output is all read: report it */
static void finish(slot *s)
{
	char status;
	unsigned n = (unsigned)(s - st.s);
	if (!rreport_make(&st.text, &status, s->out.s, s->out.len, s->status))
		nomem();
	report(n, status, st.text.s, st.text.len);
	s->pid = 0;
	s->reaped = 0;
	s->out.len = 0;
	s->dropped = 0;
	--st.busy;
}

/* child - in the forked child: become qmail-remote for the command */
static _Noreturn void child(int msg, int out, const char *domain)
{
	const char *argv[5];
	sig_pipe_close();
	sig_default(SIGCHLD);
	if (!fd_move(0, msg) || !fd_copy(1, out) || !fd_move(2, out))
		_exit(111);
	argv[0] = "qmail-remote";
	argv[1] = domain;
	argv[2] = st.cmd.sender.s;
	argv[3] = st.cmd.rcpt.s;
	argv[4] = 0;
	execv(st.remote, (char *const *)argv);
	msg_put(1, "Unable to run ", st.remote, ": ", error_str(errno), ". (#4.3.0)\n", (char *)0);
	_exit(111);
}

/* start - begin the delivery the command in st.cmd asks for */
static void start(void)
{
	unsigned n = st.cmd.slot;
	slot *s = &st.s[n];
	const char *rcpt = st.cmd.rcpt.s;
	size_t at = byte_rchr(rcpt, strlen(rcpt), '@');
	struct stat sb;
	int msg, p[2] = {-1, -1};
	if (n >= AUTO_SPAWN || s->pid) {
		st.broken = 1; /* no report can name a slot that is not ours to use */
		return;
	}
	if (!spawn_path_ok(st.cmd.path.s)) {
		say(n, 'Z', "qmail-rspawn was given a bad message path. (#4.3.0)\n");
		return;
	}
	if (!rcpt[at]) {
		say(n, 'D', "The recipient address has no @ and domain. (#5.1.3)\n");
		return;
	}
	msg = open(st.cmd.path.s, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (msg == -1) {
		say(n, 'Z', "qmail-rspawn is unable to open the message. (#4.3.0)\n");
		return;
	}
	if (fstat(msg, &sb) == -1 || !S_ISREG(sb.st_mode) || sb.st_uid != st.id.uidq ||
	    !fd_block(msg)) {
		close(msg);
		say(n, 'Z',
		    "The message file is not a regular file owned by the queue. (#4.3.0)\n");
		return;
	}
	if (pipe(p) == -1 || !fd_cloexec(p[0]) || !fd_cloexec(p[1])) {
		if (p[0] != -1) {
			close(p[0]);
			close(p[1]);
		}
		close(msg);
		say(n, 'Z', "qmail-rspawn is unable to make a pipe. (#4.3.0)\n");
		return;
	}
	s->pid = fork();
	if (s->pid == 0)
		child(msg, p[1], rcpt + at + 1);
	close(msg);
	close(p[1]);
	if (s->pid == -1) {
		s->pid = 0;
		close(p[0]);
		say(n, 'Z', "qmail-rspawn is unable to fork. (#4.3.0)\n");
		return;
	}
	s->fd = p[0];
	s->reaped = 0;
	s->out.len = 0;
	s->dropped = 0;
	++st.busy;
}

/* commands - read what fd 0 has and start each complete command */
static void commands(void)
{
	char in[4096];
	ssize_t got = read(0, in, sizeof in);
	size_t i = 0;
	if (got == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (got <= 0) {
		st.input = 0; /* end of input, or an error that would only repeat */
		return;
	}
	while (i < (size_t)got && !st.broken) {
		size_t used;
		int r = spawn_cmd_feed(&st.cmd, in + i, (size_t)got - i, &used);
		i += used;
		if (r == -1)
			st.broken = 1;
		else if (r == 1)
			start();
		else if (!used)
			break;
	}
	if (st.broken)
		st.input = 0;
}

/* output - read what a child wrote; keep up to RREPORT_OUTMAX bytes */
static void output(slot *s)
{
	char in[4096];
	ssize_t got = read(s->fd, in, sizeof in);
	size_t keep;
	if (got == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (got <= 0) {
		close(s->fd);
		s->fd = -1;
		if (s->reaped)
			finish(s);
		return;
	}
	keep = RREPORT_OUTMAX - s->out.len;
	if (keep > (size_t)got)
		keep = (size_t)got;
	if (!sa_catb(&s->out, in, keep))
		nomem();
	s->dropped += (size_t)got - keep;
}

/* reap - collect exited children; a slot is reported once its output has ended */
static void reap(void)
{
	int status;
	pid_t pid;
	size_t i;
	sig_pipe_drain();
	while ((pid = wait_nohang(&status)) > 0)
		for (i = 0; i < AUTO_SPAWN; ++i)
			if (st.s[i].pid == pid && !st.s[i].reaped) {
				st.s[i].reaped = 1;
				st.s[i].status = status;
				if (st.s[i].fd == -1)
					finish(&st.s[i]);
				break;
			}
}

/* run - the poll loop, until input is over and every delivery is reported */
static void run(void)
{
	while (st.input || st.busy) {
		size_t n = 0, i;
		st.pf[n].fd = st.input ? 0 : -1;
		st.pf[n++].events = POLLIN;
		st.pf[n].fd = sig_pipe_fd();
		st.pf[n++].events = POLLIN;
		for (i = 0; i < AUTO_SPAWN; ++i)
			if (st.s[i].pid && st.s[i].fd != -1) {
				st.pf[n].fd = st.s[i].fd;
				st.pf[n++].events = POLLIN;
			}
		for (i = 0; i < n; ++i)
			st.pf[i].revents = 0;
		if (poll(st.pf, n, -1) == -1) {
			if (errno == EINTR)
				continue;
			die_sys(111, "poll failed", (char *)0);
		}
		if (st.pf[1].revents)
			reap();
		for (i = 2; i < n; ++i)
			if (st.pf[i].revents) {
				size_t k;
				for (k = 0; k < AUTO_SPAWN; ++k)
					if (st.s[k].pid && st.s[k].fd == st.pf[i].fd) {
						output(&st.s[k]);
						break;
					}
			}
		if (st.input && st.pf[0].revents)
			commands();
	}
}

/* become_qmailr - check the account; started as root, drop to qmailr with its groups */
static void become_qmailr(void)
{
	const char *name;
	gid_t *groups;
	size_t n;
	if (!ids_get(&st.id, IDS_REMOTE | IDS_QUEUE | IDS_GROUPQ, &name)) {
		if (errno == ENOENT)
			die_x(111, "no account ", name, (char *)0);
		die_sys(111, "unable to look up ", name, (char *)0);
	}
	if (getuid() == st.id.uidr && geteuid() == st.id.uidr)
		return;
	if (getuid() != 0 || geteuid() != 0)
		die_x(111, "must run as ", auto_userr, " or root", (char *)0);
	groups = alloc_array(GROUPS_MAX, sizeof *groups);
	if (!groups)
		nomem();
	if (!priv_groups(auto_userr, st.id.gidq, groups, GROUPS_MAX, &n))
		die_sys(111, "unable to list the groups of ", auto_userr, (char *)0);
	if (!priv_drop(st.id.uidr, st.id.gidq, groups, n))
		die_sys(111, "unable to become ", auto_userr, (char *)0);
	alloc_free(groups);
}

/* setup - the program to run, the emptied timeout table, the queue */
static void setup(void)
{
	const char *q = env_get("QMAILREMOTE");
	int fd;
	if (q && *q) {
		st.remote = q;
	} else {
		if (!sa_copys(&st.remotepath, auto_qmail) ||
		    !sa_cats(&st.remotepath, "/bin/qmail-remote") || !sa_0(&st.remotepath))
			nomem();
		st.remote = st.remotepath.s;
	}
	if (chdir(auto_qmail) == -1)
		die_sys(111, "unable to switch to ", auto_qmail, (char *)0);
	fd = open(TCPTO_FILE, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 || !lock_ex_timeout(fd, 5000) || !tcpto_zero(fd))
		warn_sys("unable to clear ", TCPTO_FILE, (char *)0);
	if (fd != -1)
		close(fd);
	if (chdir("queue/mess") == -1)
		die_sys(111, "unable to switch to ", auto_qmail, "/queue/mess", (char *)0);
	if (!sig_pipe_init() || !sig_catch(SIGCHLD, sig_pipe_notify) || !sig_ignore(SIGPIPE))
		die_sys(111, "unable to set up signals", (char *)0);
}

int main(int argc, char **argv)
{
	char limit = (char)AUTO_SPAWN;
	size_t i;
	(void)argc;
	die_init(argv[0]);
	become_qmailr();
	setup();
	for (i = 0; i < AUTO_SPAWN; ++i)
		st.s[i].fd = -1;
	st.input = 1;
	if (!fd_write_all(1, &limit, 1))
		die_sys(111, "unable to write to qmail-send", (char *)0);
	run();
	return st.broken ? 100 : 0;
}
