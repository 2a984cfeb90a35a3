/*
 * child.c - one local delivery, in a child of qmail-lspawn (still root), for the
 * user qmail-lspawn has found (lookup.c): set up the descriptors and close every
 * other one, refuse uid 0, drop to the user's uid and single gid, and become
 * qmail-local: its code (local_run) runs right here, with the same arguments
 * bin/qmail-local would get, so no exec is spent per delivery. Every failure exits
 * with a qlx.h code that qmail-lspawn turns into a report; messages printed on the
 * way go to the output pipe and so into that report.
 */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "auto.h"
#include "die.h"
#include "fd.h"
#include "lspawn.h"
#include "priv.h"
#include "qlx.h"
#include "sa.h"
#include "sig.h"
#include "users.h"

#include "../qmail-local/run.h"

/* fail - exit with code, saying why on the output pipe */
static _Noreturn void fail(int code, const char *what)
{
	if (errno == ENOMEM)
		die_x(QLX_NOMEM, "out of memory", NULL);
	die_sys(code, what, NULL);
}

/* lspawn_child - the delivery child's whole life; never returns */
void lspawn_child(const lspawn_job *j)
{
	const users_pw *pw = j->pw;
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
	if (pw->uid == 0)
		die_x(QLX_ROOT, "user ", pw->user.s, " has uid 0", NULL);
	if (!priv_drop(pw->uid, pw->gid, &pw->gid, 1))
		fail(QLX_SYS, "unable to switch to the user's uid and gid");
	args[0] = "qmail-local";
	args[1] = "--";
	args[2] = pw->user.s;
	args[3] = pw->home.s;
	args[4] = (char *)j->local;
	args[5] = pw->dash.s;
	args[6] = pw->ext.s;
	args[7] = (char *)j->domain;
	args[8] = (char *)j->sender;
	args[9] = (char *)j->defaultdelivery;
	args[10] = 0;
	_exit(local_run(10, args));
}
