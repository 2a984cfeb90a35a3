/*
 * child.c - one local delivery, in a child of qmail-lspawn (still root): set up the
 * descriptors and close every other one, find the user (users/cdb, else qmail-getpw's
 * lookup in a grandchild as qmailp:nofiles), refuse uid 0, drop to the user's uid and
 * single gid, and become qmail-local: its code (local_run) runs right here, with the
 * same arguments bin/qmail-local would get, so no exec is spent per delivery. Every
 * failure exits with a qlx.h code that qmail-lspawn turns into a report; messages
 * printed on the way go to the output pipe and so into that report.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "auto.h"
#include "die.h"
#include "error.h"
#include "fd.h"
#include "lspawn.h"
#include "priv.h"
#include "qlx.h"
#include "sa.h"
#include "sig.h"
#include "users.h"
#include "wait.h"

#include "../qmail-getpw/getpw.h"
#include "../qmail-local/run.h"

#define GETPWMAX (USERS_DATAMAX + 1) /* qmail-getpw output kept; more is malformed */

/* fail - exit with code, saying why on the output pipe */
static _Noreturn void fail(int code, const char *what)
{
	if (errno == ENOMEM)
		die_x(QLX_NOMEM, "out of memory", NULL);
	die_sys(code, what, NULL);
}

/* from_cdb - look local up in users/cdb: 1 found, 0 no users/cdb or no match */
static int from_cdb(const char *local, users_pw *pw)
{
	cdb c;
	int r, fd = open("users/cdb", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		fail(QLX_CDB, "unable to open users/cdb");
	}
	if (!cdb_init(&c, fd))
		fail(QLX_CDB, "unable to read users/cdb");
	r = users_cdb_find(&c, local, strlen(local), pw);
	if (r < 0)
		fail(QLX_CDB, "unable to read users/cdb");
	cdb_free(&c);
	close(fd);
	return r;
}

/* getpw - qmail-getpw's lookup (getpw.c) in a child as qmailp:nofiles, with no exec;
 * parse the six fields it writes to the pipe */
static void getpw(const lspawn_job *j, users_pw *pw)
{
	sa out = SA_ZERO;
	char space[4096];
	int p[2], status, code;
	pid_t pid;
	if (pipe(p) != 0)
		fail(QLX_SYS, "unable to make a pipe for qmail-getpw");
	pid = fork();
	if (pid < 0)
		fail(QLX_SYS, "unable to fork for qmail-getpw");
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, 0) != 0 || dup2(p[1], 1) != 1)
			_exit(QLX_SYS);
		close(null);
		close(p[0]);
		close(p[1]);
		die_init("qmail-getpw");
		if (!priv_drop(j->uidp, j->gidn, &j->gidn, 1))
			fail(QLX_SYS, "unable to switch to the qmail-getpw user");
		getpw_run(j->local);
		_exit(0);
	}
	close(p[1]);
	for (;;) {
		ssize_t r = read(p[0], space, sizeof space);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (out.len < GETPWMAX && !sa_catb(&out, space, (size_t)r))
			fail(QLX_NOMEM, "out of memory");
	}
	close(p[0]);
	if (wait_pid(pid, &status) != pid)
		fail(QLX_SYS, "unable to wait for qmail-getpw");
	if (wait_crashed(status))
		die_x(QLX_SYS, "qmail-getpw crashed", NULL);
	code = wait_exitcode(status);
	if (code >= QLX_USAGE && code <= QLX_EXECHARD)
		_exit(code); /* qmail-getpw said why on stderr, which is our output too */
	if (code != 0)
		die_x(QLX_SYS, "qmail-getpw failed", NULL);
	if (out.len > USERS_DATAMAX || !users_pw_parse(pw, out.s, out.len, 1))
		die_x(QLX_USAGE, "qmail-getpw printed a malformed record", NULL);
	sa_free(&out);
}

/* lspawn_child - the delivery child's whole life; never returns */
void lspawn_child(const lspawn_job *j)
{
	users_pw pw = USERS_PW_ZERO;
	char *args[11];
	/* the scheduler's signal handling is not ours */
	sig_default(SIGCHLD);
	sig_default(SIGPIPE);
	sig_pipe_close();
	sig_blocknone();
	if (dup2(j->msgfd, 0) != 0 || dup2(j->outfd, 1) != 1 || dup2(j->outfd, 2) != 2)
		_exit(QLX_SYS);
	if (!fd_closefrom(3)) /* msgfd and outfd too, and everything qmail-lspawn holds */
		_exit(QLX_SYS);
	if (chdir(auto_qmail) != 0)
		fail(QLX_SYS, "unable to chdir to QMAILHOME");
	if (!from_cdb(j->local, &pw))
		getpw(j, &pw);
	if (pw.uid == 0)
		die_x(QLX_ROOT, "user ", pw.user.s, " has uid 0", NULL);
	if (!priv_drop(pw.uid, pw.gid, &pw.gid, 1))
		fail(QLX_SYS, "unable to switch to the user's uid and gid");
	args[0] = "qmail-local";
	args[1] = "--";
	args[2] = pw.user.s;
	args[3] = pw.home.s;
	args[4] = (char *)j->local;
	args[5] = pw.dash.s;
	args[6] = pw.ext.s;
	args[7] = (char *)j->domain;
	args[8] = (char *)j->sender;
	args[9] = (char *)j->defaultdelivery;
	args[10] = 0;
	_exit(local_run(10, args));
}
