/*
 * qmail-lspawn - run local deliveries for qmail-send (SPEC sections 5 and 7). Runs as
 * root: each delivery needs a different uid. Speaks the spawn protocol (spawn.h): at
 * startup one byte, the limit AUTO_SPAWN; then commands on fd 0 and reports on fd 1.
 * Each delivery is a child (child.c) that becomes qmail-local as the recipient's user;
 * its stdout and stderr (at most OUTMAX bytes kept) and its exit status make the
 * report. cwd is QMAILHOME/queue/mess, so message paths are "SPLIT/ID".
 *
 * A command for a slot out of range or still busy, or one that breaks the framing, is
 * a qmail-send bug that no report can answer: qmail-lspawn stops reading commands,
 * reports the deliveries in progress, and exits 100.
 *
 * DIAGNOSTICS
 *   0    fd 0 was closed and every delivery reported
 *   100  usage, or a protocol violation by qmail-send (in-flight deliveries reported)
 *   111  cannot start (not root, missing account, no queue), or fd 1 failed
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auto.h"
#include "die.h"
#include "error.h"
#include "fd.h"
#include "ids.h"
#include "lookup.h"
#include "lspawn.h"
#include "qlx.h"
#include "sa.h"
#include "sig.h"
#include "spawn.h"
#include "str.h"
#include "wait.h"

#define OUTMAX 3000 /* bytes of a child's output kept for its report */

typedef struct slot_s {
	int asking;     /* waiting for the lookup process to find the user */
	int msgfd;      /* while asking: the message */
	sa rcpt;        /* while asking: the recipient, local part NUL-terminated */
	size_t at;      /* where its domain starts, after that NUL */
	sa sender;      /* while asking: the envelope sender */
	pid_t pid;      /* the delivery child; 0 when the slot is free */
	int fd;         /* read end of its output pipe; -1 after end of file */
	int reaped;     /* the child has exited; status is valid */
	int status;     /* its wait status */
	sa out;         /* its output, at most OUTMAX bytes */
	size_t dropped; /* output bytes beyond OUTMAX */
} slot;

static struct {
	const char *delivery;       /* the default delivery, argv[1] */
	ids id;                     /* qmailp, qmailq, nofiles */
	int input;                  /* commands may still arrive on fd 0 */
	int broken;                 /* qmail-send broke the protocol */
	size_t busy;                /* slots in use */
	spawn_cmd cmd;              /* the command being read */
	sa rep;                     /* scratch: a report being written */
	slot s[AUTO_SPAWN];         /* the deliveries */
	lookup lk;                  /* users/cdb and the lookup process */
	unsigned asked[AUTO_SPAWN]; /* slots asking, in the order asked (a ring) */
	unsigned askfirst;          /* the oldest of them */
	unsigned askn;              /* how many */
	users_pw pw;                /* scratch: the user found */
	sa why;                     /* scratch: why a lookup failed */
} st;

/* die_nomem - out of memory in the scheduler itself */
static _Noreturn void die_nomem(void)
{
	die_x(111, "out of memory", NULL);
}

/* report - send one report to qmail-send; text is text1 then text2 */
static void report(unsigned n, char status, const char *text1, const char *text2, size_t len2)
{
	sa t = SA_ZERO;
	if (!sa_cats(&t, text1) || !sa_catb(&t, text2, len2))
		die_nomem();
	st.rep.len = 0;
	if (!spawn_rep_put(&st.rep, n, status, t.s ? t.s : "", t.len))
		die_nomem();
	if (!fd_write_all(1, st.rep.s, st.rep.len))
		die_sys(111, "unable to write a report to qmail-send", NULL);
	sa_free(&t);
}

/* code_verdict - status letter and leading text for a qlx.h or qmail-local exit
 * code */
static char code_verdict(int code, const char **text)
{
	*text = "";
	switch (code) {
	case 0:
		return 'K';
	case 111:
	case 71:
	case 74:
	case 75:
		return 'Z';
	case QLX_USAGE:
		*text = "internal error in qmail-lspawn (#4.3.0)\n";
		return 'Z';
	case QLX_ROOT:
		*text = "deliveries as root are not allowed (#4.7.0)\n";
		return 'Z';
	case QLX_NFS:
		*text = "unable to check a home directory (#4.3.0)\n";
		return 'Z';
	case QLX_NOALIAS:
		*text = "the alias user does not exist (#4.3.0)\n";
		return 'Z';
	case QLX_CDB:
		*text = "unable to read users/cdb (#4.3.0)\n";
		return 'Z';
	case QLX_SYS:
		*text = "temporary failure in qmail-lspawn (#4.3.0)\n";
		return 'Z';
	case QLX_NOMEM:
		*text = "out of memory in qmail-lspawn (#4.3.0)\n";
		return 'Z';
	case QLX_EXECSOFT:
		*text = "unable to run qmail-local (#4.3.0)\n";
		return 'Z';
	case QLX_EXECPW:
		*text = "unable to run qmail-getpw (#4.3.0)\n";
		return 'Z';
	case QLX_EXECHARD:
		*text = "unable to run qmail-local (#5.3.0)\n";
		return 'D';
	default:
		return 'D'; /* 100 and every code without a meaning */
	}
}

/* verdict - status letter and leading text for a child's wait status */
static char verdict(int status, const char **text)
{
	if (wait_crashed(status)) {
		*text = "qmail-local crashed (#4.3.0)\n";
		return 'Z';
	}
	return code_verdict(wait_exitcode(status), text);
}

/* collect - read what slot n's child wrote; keep OUTMAX bytes, count the rest.
 * Returns after end of file, or when nothing more is waiting (EAGAIN). */
static void collect(unsigned n)
{
	slot *x = &st.s[n];
	char buf[4096];
	for (;;) {
		ssize_t r = read(x->fd, buf, sizeof buf);
		size_t keep;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		if (r <= 0) { /* end of file, or an error that will not go away */
			close(x->fd);
			x->fd = -1;
			return;
		}
		keep = OUTMAX - x->out.len;
		if (keep > (size_t)r)
			keep = (size_t)r;
		if (!sa_catb(&x->out, buf, keep))
			die_nomem();
		x->dropped += (size_t)r - keep;
	}
}

/* finish - slot n's child has exited: take the rest of its output, report, free */
static void finish(unsigned n)
{
	slot *x = &st.s[n];
	const char *text;
	char status;
	if (x->fd >= 0)
		collect(n); /* what the child wrote before exiting is all in the pipe */
	if (x->fd >= 0) {
		close(x->fd); /* a grandchild still holds the pipe: its later words are lost */
		x->fd = -1;
	}
	if (x->dropped && !sa_cats(&x->out, "\n(output too long: truncated by qmail-lspawn)\n"))
		die_nomem();
	status = verdict(x->status, &text);
	report(n, status, text, x->out.s ? x->out.s : "", x->out.len);
	x->pid = 0;
	x->reaped = 0;
	x->out.len = 0;
	x->dropped = 0;
	--st.busy;
}

/* reap - collect the status of every child that has exited */
static void reap(void)
{
	int status;
	pid_t pid;
	unsigned i;
	while ((pid = wait_nohang(&status)) > 0)
		for (i = 0; i < AUTO_SPAWN; ++i)
			if (st.s[i].pid == pid) {
				st.s[i].reaped = 1;
				st.s[i].status = status;
			}
}

/* message - open the message at path: a regular file owned by the queue user */
static int message(const char *path, const char **why)
{
	struct stat s;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		*why = error_str(errno);
		return -1;
	}
	if (fstat(fd, &s) != 0 || !S_ISREG(s.st_mode) || s.st_uid != st.id.uidq) {
		*why = "not a regular file owned by the queue user";
		close(fd);
		return -1;
	}
	if (!fd_block(fd)) {
		*why = error_str(errno);
		close(fd);
		return -1;
	}
	return fd;
}

/* launch - fork slot n's delivery child for the user pw; msgfd is closed */
static void launch(unsigned n, int msgfd, const char *local, const char *domain, const char *sender,
		   const users_pw *pw)
{
	lspawn_job j;
	int p[2];
	pid_t pid;
	if (pipe(p) != 0 || !fd_cloexec(p[0]) || !fd_cloexec(p[1]) || !fd_nonblock(p[0])) {
		/* an fd may leak on the last two failures; they do not happen on pipes */
		close(msgfd);
		report(n, 'Z', "qmail-lspawn is unable to make a pipe (#4.3.0)\n", "", 0);
		return;
	}
	j.msgfd = msgfd;
	j.local = local;
	j.domain = domain;
	j.sender = sender;
	j.defaultdelivery = st.delivery;
	j.outfd = p[1];
	j.pw = pw;
	pid = fork();
	if (pid == 0)
		lspawn_child(&j);
	close(msgfd);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		report(n, 'Z', "qmail-lspawn is unable to fork (#4.3.0)\n", "", 0);
		return;
	}
	st.s[n].pid = pid;
	st.s[n].fd = p[0];
	st.s[n].reaped = 0;
	++st.busy;
}

/* lookup_failed - report slot n's delivery as failed by lookup code with reason
 * why (a C string) */
static void lookup_failed(unsigned n, int code, const char *why)
{
	const char *text;
	char status = code_verdict(code, &text);
	st.why.len = 0;
	if (!sa_cats(&st.why, why) || !sa_catc(&st.why, '\n'))
		die_nomem();
	report(n, status, text, st.why.s, st.why.len);
}

/* unasked - the oldest question is settled: free its slot; the slot number */
static unsigned unasked(void)
{
	unsigned n = st.asked[st.askfirst];
	st.askfirst = (st.askfirst + 1) % AUTO_SPAWN;
	--st.askn;
	st.s[n].asking = 0;
	--st.busy;
	return n;
}

/* lost - the lookup process is gone: every question in flight fails for now */
static void lost(void)
{
	while (st.askn) {
		unsigned n = unasked();
		close(st.s[n].msgfd);
		lookup_failed(n, QLX_EXECPW, "the lookup process ended");
	}
}

/* ask - keep slot n's job and ask the lookup process about its local part */
static void ask(unsigned n, int msgfd, const char *rcpt, size_t at, const char *sender)
{
	slot *x = &st.s[n];
	if (!lookup_ask(&st.lk, rcpt)) {
		int e = errno;
		lost(); /* if it has died, no answer is coming for anything asked */
		close(msgfd);
		lookup_failed(n, QLX_EXECPW, error_str(e));
		return;
	}
	if (!sa_copyb(&x->rcpt, rcpt, at + 1 + strlen(rcpt + at + 1) + 1) ||
	    !sa_copys(&x->sender, sender) || !sa_0(&x->sender))
		die_nomem();
	x->at = at;
	x->msgfd = msgfd;
	x->asking = 1;
	st.asked[(st.askfirst + st.askn++) % AUTO_SPAWN] = n;
	++st.busy;
}

/* answered - the lookup process answered (or ended): launch or fail the delivery
 * of each question answered, oldest first, or of every one in flight when it ended */
static void answered(void)
{
	while (st.askn) {
		int code = lookup_answer(&st.lk, &st.pw, &st.why);
		unsigned n;
		if (code == LOOKUP_NONE)
			return;
		if (code == LOOKUP_GONE) {
			lost();
			return;
		}
		n = unasked();
		if (code == 0)
			launch(n, st.s[n].msgfd, st.s[n].rcpt.s, st.s[n].rcpt.s + st.s[n].at + 1,
			       st.s[n].sender.s, &st.pw);
		else {
			close(st.s[n].msgfd);
			lookup_failed(n, code, st.why.s);
		}
	}
}

/* start - act on one complete command: the user from users/cdb, else a question to
 * the lookup process */
static void start(void)
{
	unsigned n = st.cmd.slot;
	char *rcpt = st.cmd.rcpt.s;
	const char *why;
	size_t at;
	int msgfd, r;
	if (n >= AUTO_SPAWN || st.s[n].pid || st.s[n].asking) {
		warn_x(n >= AUTO_SPAWN ? "command for a slot out of range"
				       : "command for a busy slot",
		       ": qmail-send is confused; no more commands accepted", NULL);
		st.broken = 1;
		st.input = 0;
		return;
	}
	if (!spawn_path_ok(st.cmd.path.s)) {
		report(n, 'Z', "qmail-lspawn was given a bad message path (#4.3.0)\n", "", 0);
		return;
	}
	at = byte_rchr(rcpt, strlen(rcpt), '@');
	if (!rcpt[at]) {
		report(n, 'D', "the recipient address has no @ and host (#5.1.3)\n", "", 0);
		return;
	}
	if (at == 0) {
		report(n, 'K', "the local part is empty: message discarded\n", "", 0);
		return;
	}
	msgfd = message(st.cmd.path.s, &why);
	if (msgfd < 0) {
		report(n, 'Z', "qmail-lspawn is unable to open the message: ", why, strlen(why));
		return;
	}
	rcpt[at] = 0;
	r = lookup_cdb(&st.lk, rcpt, &st.pw);
	if (r < 0) {
		close(msgfd);
		lookup_failed(n, errno == ENOMEM ? QLX_NOMEM : QLX_CDB, "unable to read users/cdb");
	} else if (r)
		launch(n, msgfd, rcpt, rcpt + at + 1, st.cmd.sender.s, &st.pw);
	else
		ask(n, msgfd, rcpt, at, st.cmd.sender.s);
}

/* input - read commands from fd 0 and start them */
static void input(void)
{
	char buf[4096];
	size_t off = 0, used;
	ssize_t r = read(0, buf, sizeof buf);
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		if (r < 0)
			warn_sys("unable to read commands", NULL);
		else if (st.cmd.field != 0)
			warn_x("qmail-send closed the pipe in the middle of a command", NULL);
		st.input = 0;
		return;
	}
	while (st.input && off < (size_t)r) {
		int k = spawn_cmd_feed(&st.cmd, buf + off, (size_t)r - off, &used);
		off += used;
		if (k < 0) {
			warn_x("malformed command from qmail-send; no more commands accepted",
			       NULL);
			st.broken = 1;
			st.input = 0;
		}
		if (k == 1)
			start();
	}
}

/* run - the poll loop: until fd 0 is closed and no delivery is left */
static void run(void)
{
	struct pollfd pfd[AUTO_SPAWN + 3];
	unsigned which[AUTO_SPAWN + 3];
	nfds_t nfd, ilk;
	unsigned i;
	while (st.input || st.busy) {
		nfd = 0;
		pfd[nfd].fd = sig_pipe_fd();
		pfd[nfd++].events = POLLIN;
		if (st.input) {
			pfd[nfd].fd = 0;
			pfd[nfd++].events = POLLIN;
		}
		ilk = 0;
		if (st.askn) {
			ilk = nfd;
			pfd[nfd].fd = lookup_fd(&st.lk);
			pfd[nfd++].events = POLLIN;
		}
		for (i = 0; i < AUTO_SPAWN; ++i)
			if (st.s[i].pid && st.s[i].fd >= 0) {
				which[nfd] = i;
				pfd[nfd].fd = st.s[i].fd;
				pfd[nfd++].events = POLLIN;
			}
		if (poll(pfd, nfd, -1) < 0) {
			if (errno != EINTR && errno != EAGAIN)
				die_sys(111, "poll failed", NULL);
			continue;
		}
		for (i = 0; i < nfd; ++i) {
			if (!pfd[i].revents)
				continue;
			if (pfd[i].fd == sig_pipe_fd())
				sig_pipe_drain();
			else if (pfd[i].fd == 0)
				input();
			else if (ilk && i == ilk)
				answered();
			else
				collect(which[i]);
		}
		reap();
		for (i = 0; i < AUTO_SPAWN; ++i)
			if (st.s[i].pid && st.s[i].reaped)
				finish(i);
	}
}

int main(int argc, char **argv)
{
	const char *name;
	char limit = (char)AUTO_SPAWN;
	die_init("qmail-lspawn");
	if (argc != 2 || !argv[1][0])
		die_x(100, "usage: qmail-lspawn defaultdelivery", NULL);
	st.delivery = argv[1];
	if (geteuid() != 0)
		die_x(111, "must run as root", NULL);
	if (!ids_get(&st.id, IDS_PASSWD | IDS_QUEUE | IDS_GROUPN, &name))
		errno == ENOENT ? die_x(111, "no account ", name, NULL)
				: die_sys(111, "unable to look up ", name, NULL);
	if (!lookup_init(&st.lk, st.id.uidp, st.id.gidn))
		die_nomem();
	if (chdir(auto_qmail) != 0 || chdir("queue/mess") != 0)
		die_sys(111, "unable to chdir to ", auto_qmail, "/queue/mess", NULL);
	if (!sig_ignore(SIGPIPE) || !sig_pipe_init() || !sig_catch(SIGCHLD, sig_pipe_notify) ||
	    !sig_blocknone())
		die_sys(111, "unable to set up signals", NULL);
	if (!fd_write_all(1, &limit, 1))
		die_sys(111, "unable to write to qmail-send", NULL);
	st.input = 1;
	run();
	lookup_end(&st.lk);
	spawn_cmd_free(&st.cmd);
	return st.broken ? 100 : 0;
}
