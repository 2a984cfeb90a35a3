/*
 * qmail-rspawn - run remote deliveries for qmail-send (SPEC section 5). Runs as
 * qmailr (started so by qmail-start; started as root it becomes qmailr itself). At
 * startup it empties the connect timeout table (queue/lock/tcpto), since the network
 * may have changed while mail was down, and writes one byte, its limit AUTO_SPAWN.
 * Then it reads commands on fd 0 and writes reports on fd 1 (spawn.h). Beyond qmail,
 * a command carries a list of 1..SPAWN_RCPTMAX recipients, all at one domain; for each
 * command it runs, with the message on fd 0,
 *	qmail-remote DOMAIN SENDER RECIPIENT...
 * (QMAILHOME/bin/qmail-remote, or $QMAILREMOTE) where DOMAIN follows the last '@' of
 * the recipients. qmail-remote's output (stdout and stderr, up to RREPORT_OUTMAX
 * bytes) and exit status make one report per recipient, in the command's order, all
 * written at once (rreport.h). Beyond qmail, each run also gets fd 3, a socket to
 * us ($QMAILREMOTECACHE=3), through which it may take an SMTP connection kept from an
 * earlier run to its domain and hand its own back after a delivery (keep.h).
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
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "auto.h"
#include "die.h"
#include "env.h"
#include "error.h"
#include "fd.h"
#include "fdpass.h"
#include "ids.h"
#include "keep.h"
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
	size_t nrcpt;   /* recipients of the delivery: reports owed */
	int chan;       /* our end of its connection channel (fd 3 in the child), or -1 */
	unsigned uses;  /* deliveries over the connection it was offered, this one counted */
	sa domain;      /* the delivery's domain, NUL-terminated */
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
	const char *argv[SPAWN_RCPTMAX + 4];         /* qmail-remote's arguments */
	slot s[AUTO_SPAWN];                          /* the deliveries */
	struct pollfd pf[AUTO_SPAWN + 2 + KEEP_MAX]; /* fd 0, the signal pipe, slots, kept */
} st;

/* nomem - the one fatal error for memory */
static _Noreturn void nomem(void)
{
	die_x(111, "out of memory", (char *)0);
}

/* send_reports - write the reports gathered in st.rep to qmail-send */
static void send_reports(void)
{
	if (!fd_write_all(1, st.rep.s, st.rep.len))
		die_sys(111, "unable to write a report to qmail-send", (char *)0);
	st.rep.len = 0;
}

/* say - the same report, our own text, for each of the command's recipients */
static void say(unsigned n, char status, const char *text)
{
	size_t i;
	st.rep.len = 0;
	for (i = 0; i < st.cmd.nrcpt; ++i)
		if (!spawn_rep_put(&st.rep, n, status, text, strlen(text)))
			nomem();
	send_reports();
}

/* finish - a slot's child has exited and its output is all read: report each
 * recipient */
static void finish(slot *s)
{
	char status;
	unsigned n = (unsigned)(s - st.s);
	size_t i;
	rreport r;
	int fd;
	if (s->chan != -1) {
		while (fdpass_recv(s->chan, &fd) == 1)
			keep_put(s->domain.s, fd, s->uses);
		close(s->chan);
		s->chan = -1;
	}
	st.rep.len = 0;
	rreport_start(&r, s->out.s, s->out.len, s->status);
	for (i = 0; i < s->nrcpt; ++i)
		if (!rreport_next(&r, &st.text, &status) ||
		    !spawn_rep_put(&st.rep, n, status, st.text.s, st.text.len))
			nomem();
	send_reports();
	s->pid = 0;
	s->reaped = 0;
	s->out.len = 0;
	s->dropped = 0;
	--st.busy;
}

/* child - in the child of vfork: become qmail-remote for the command. It shares
 * our memory until the exec, so it only moves descriptors (its own table) and
 * writes argv (scratch of ours); the signal pipe is close-on-exec and the exec
 * resets the caught SIGCHLD, and a handler that runs meanwhile only writes a byte
 * to the signal pipe. */
static _Noreturn void child(int msg, int out, int chan, const char *domain)
{
	const char *r = st.cmd.rcpt.s;
	size_t i;
	if (!fd_move(0, msg) || !fd_copy(1, out) || !fd_move(2, out) ||
	    (chan != -1 && (!fd_copy(3, chan) || !fd_nocloexec(3))))
		_exit(111);
	st.argv[0] = "qmail-remote";
	st.argv[1] = domain;
	st.argv[2] = st.cmd.sender.s;
	for (i = 0; i < st.cmd.nrcpt; ++i) { /* nrcpt <= SPAWN_RCPTMAX: the reader's limit */
		st.argv[3 + i] = r;
		r += strlen(r) + 1;
	}
	st.argv[3 + i] = 0;
	execv(st.remote, (char *const *)st.argv);
	msg_put(1, "Unable to run ", st.remote, ": ", error_str(errno), ". (#4.3.0)\n", (char *)0);
	_exit(111);
}

/* spawn - vfork a child that becomes qmail-remote (no copy of our memory for an
 * exec, once per delivery); its pid, or -1 */
static pid_t spawn(int msg, int out, int chan, const char *domain)
{
	pid_t pid = vfork();
	if (pid == 0)
		child(msg, out, chan, domain);
	return pid;
}

/* channel - the connection channel for slot s's run to domain: a socket pair, our end
 * in s->chan, the child's returned (-1 if there is none: the run then connects and
 * QUITs as ever). A connection kept for the domain waits in it for the run. */
static int channel(slot *s, const char *domain)
{
	int c[2], fd;
	unsigned uses = 0;
	s->uses = 1;
	if (!sa_copys(&s->domain, domain) || !sa_0(&s->domain) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, c) == -1)
		return -1;
	s->chan = c[0];
	fd = keep_take(domain, &uses);
	if (fd != -1) {
		if (fdpass_send(c[0], fd))
			s->uses = uses + 1;
		close(fd);
	}
	return c[1];
}

/* domains - check the recipients: 1 all at one domain (its offset in rcpt in *dom),
 * 0 one without '@', -1 different domains */
static int domains(size_t *dom)
{
	const char *r = st.cmd.rcpt.s, *d = 0;
	size_t i;
	for (i = 0; i < st.cmd.nrcpt; ++i) {
		size_t len = strlen(r), at = byte_rchr(r, len, '@');
		if (at == len)
			return 0;
		if (!d) {
			d = r + at + 1;
			*dom = (size_t)(d - st.cmd.rcpt.s);
		} else if (!case_equals(d, r + at + 1))
			return -1;
		r += len + 1;
	}
	return 1;
}

/* start - begin the delivery the command in st.cmd asks for */
static void start(void)
{
	unsigned n = st.cmd.slot;
	slot *s = &st.s[n];
	size_t dom = 0;
	struct stat sb;
	int msg, d, c, p[2] = {-1, -1};
	if (n >= AUTO_SPAWN || s->pid) {
		st.broken = 1; /* no report can name a slot that is not ours to use */
		return;
	}
	if (!spawn_path_ok(st.cmd.path.s)) {
		say(n, 'Z', "qmail-rspawn was given a bad message path. (#4.3.0)\n");
		return;
	}
	d = domains(&dom);
	if (d == 0) {
		say(n, 'D', "The recipient address has no @ and domain. (#5.1.3)\n");
		return;
	}
	if (d < 0) {
		say(n, 'Z', "qmail-rspawn was given recipients at different domains. (#4.3.0)\n");
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
	c = channel(s, st.cmd.rcpt.s + dom);
	s->pid = spawn(msg, p[1], c, st.cmd.rcpt.s + dom);
	close(msg);
	close(p[1]);
	if (c != -1)
		close(c);
	if (s->pid == -1) {
		s->pid = 0;
		close(p[0]);
		if (s->chan != -1)
			close(s->chan);
		s->chan = -1;
		say(n, 'Z', "qmail-rspawn is unable to fork. (#4.3.0)\n");
		return;
	}
	s->fd = p[0];
	s->nrcpt = st.cmd.nrcpt;
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
		size_t n = 0, i, kept;
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
		kept = keep_poll(st.pf + n);
		if (poll(st.pf, n + kept, keep_timeout()) == -1) {
			if (errno == EINTR)
				continue;
			die_sys(111, "poll failed", (char *)0);
		}
		keep_events(st.pf + n, kept);
		keep_expire(0);
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
	keep_expire(1);
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
	if (setenv("QMAILREMOTECACHE", "3", 1) == -1) /* each run's channel: child() */
		nomem();
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
		st.s[i].fd = st.s[i].chan = -1;
	st.input = 1;
	st.cmd.list = 1;
	if (!fd_write_all(1, &limit, 1))
		die_sys(111, "unable to write to qmail-send", (char *)0);
	run();
	return st.broken ? 100 : 0;
}
