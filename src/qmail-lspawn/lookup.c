/*
 * lookup.c - finding the user of a delivery, in qmail-lspawn itself: users/cdb
 * first, else qmail-getpw's lookup (getpw.c) in the lookup process, one long-lived
 * child running as qmailp:nofiles. A delivery so costs one fork (its own child)
 * instead of two: the lookup used to run in a grandchild per delivery, and that
 * fork, its exit and the wait were a fifth of qmail-lspawn's time.
 *
 * The process answers over a SOCK_SEQPACKET socket: one packet per question (the
 * local part) and one per answer (a code byte, 0 or a qlx.h code, then the six
 * NUL-terminated fields or the reason as text), in the order asked. It has no
 * other descriptor than the socket, /dev/null and qmail-lspawn's stderr, holds no
 * privilege, and ends when qmail-lspawn closes its end. When it dies the questions
 * in flight fail for now (lookup_answer reports its end) and the next question
 * starts a new process. One slow lookup (a hung name service) delays the ones
 * after it, as all of them would wait for that service anyway.
 */
#include "lookup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "auto.h"
#include "cdb.h"
#include "fd.h"
#include "priv.h"
#include "qlx.h"
#include "sig.h"
#include "spawn.h"

#include "../qmail-getpw/getpw.h"

#define ASKMAX (SPAWN_ADDRMAX + 1)    /* beyond any local part of a command */
#define ANSMAX (USERS_DATAMAX + 4096) /* longest answer: the fields, or a reason */

/* lookup_cdb - local in users/cdb: 1 found (into pw), 0 no users/cdb or no
 * match, -1 when users/cdb cannot be read */
int lookup_cdb(const lookup *l, const char *local, users_pw *pw)
{
	cdb c;
	int r, fd = open(l->cdb.s, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (!cdb_init(&c, fd)) {
		close(fd);
		return -1;
	}
	r = users_cdb_find(&c, local, strlen(local), pw);
	cdb_free(&c);
	close(fd);
	return r;
}

/* serve - the lookup process: answer questions on fd 0 until it ends */
static _Noreturn void serve(void)
{
	static char q[ASKMAX + 1];
	sa out = SA_ZERO, a = SA_ZERO;
	for (;;) {
		ssize_t r = recv(0, q, sizeof q, 0);
		int code;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			_exit(0);
		if ((size_t)r == sizeof q || memchr(q, 0, (size_t)r)) {
			code = QLX_USAGE;
			out.len = 0;
			if (!sa_cats(&out, "malformed question") || !sa_0(&out))
				_exit(QLX_NOMEM);
		} else {
			q[r] = 0;
			code = getpw_find(q, &out);
		}
		a.len = 0;
		if (!sa_catc(&a, (char)code) || !sa_catb(&a, out.s, out.len))
			_exit(QLX_NOMEM);
		while ((r = send(0, a.s, a.len, MSG_NOSIGNAL)) < 0 && errno == EINTR)
			;
		if (r < 0)
			_exit(QLX_SYS);
	}
}

/* start - a new lookup process; 0 with errno */
static int start(lookup *l)
{
	int s[2];
	pid_t pid;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, s) != 0)
		return 0;
	pid = fork();
	if (pid < 0) {
		close(s[0]);
		close(s[1]);
		return 0;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		sig_default(SIGCHLD);
		sig_default(SIGPIPE);
		sig_blocknone();
		if (null < 0 || dup2(s[1], 0) != 0 || dup2(null, 1) != 1 || !fd_closefrom(3) ||
		    !priv_drop(l->uid, l->gid, &l->gid, 1))
			_exit(QLX_SYS);
		serve();
	}
	close(s[1]);
	l->fd = s[0];
	return 1;
}

/* lookup_init - no process yet; it runs as uid:gid once started. 0 without
 * memory */
int lookup_init(lookup *l, uid_t uid, gid_t gid)
{
	l->fd = -1;
	l->uid = uid;
	l->gid = gid;
	l->cdb.len = 0;
	return sa_cats(&l->cdb, auto_qmail) && sa_cats(&l->cdb, "/users/cdb") && sa_0(&l->cdb);
}

/* lookup_ask - ask about local, starting the process if none runs; 0 with errno
 * when the question could not be asked */
int lookup_ask(lookup *l, const char *local)
{
	size_t n = strlen(local);
	ssize_t r;
	if (n >= ASKMAX) {
		errno = ENAMETOOLONG;
		return 0;
	}
	if (l->fd < 0 && !start(l))
		return 0;
	while ((r = send(l->fd, local, n, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	if (r < 0) {
		int e = errno;
		lookup_end(l);
		errno = e;
		return 0;
	}
	return 1;
}

/* lookup_answer - read the next answer: its code (0 with the fields in pw, or a
 * qlx.h code with the reason in why), LOOKUP_NONE when none is there yet, or
 * LOOKUP_GONE when the process has ended (every question in flight is lost;
 * lookup_end was called) */
int lookup_answer(lookup *l, users_pw *pw, sa *why)
{
	static char a[ANSMAX];
	ssize_t r;
	if (l->fd < 0)
		return LOOKUP_GONE;
	while ((r = recv(l->fd, a, sizeof a, MSG_TRUNC | MSG_DONTWAIT)) < 0 && errno == EINTR)
		;
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return LOOKUP_NONE;
	if (r <= 0 || (size_t)r > sizeof a) {
		lookup_end(l);
		return LOOKUP_GONE;
	}
	why->len = 0;
	if (a[0] == 0) {
		if ((size_t)r - 1 <= USERS_DATAMAX && users_pw_parse(pw, a + 1, (size_t)r - 1, 1))
			return 0;
		return sa_cats(why, "the lookup process sent a malformed record") && sa_0(why)
			       ? QLX_USAGE
			       : QLX_NOMEM;
	}
	if (!sa_catb(why, a + 1, (size_t)r - 1) || !sa_0(why))
		return QLX_NOMEM;
	return (unsigned char)a[0];
}

/* lookup_fd - the descriptor to poll for answers, or -1 */
int lookup_fd(const lookup *l)
{
	return l->fd;
}

/* lookup_end - let the process go (it ends when it reads end of file) */
void lookup_end(lookup *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}
