/*
 * qmail-start - start the queue daemons with the right ids and wire them together
 * (SPEC section 5), then become qmail-send, so that the process a supervisor started
 * is the queue manager. Usage: qmail-start [defaultdelivery [logger args...]].
 *
 *   qmail-send    qmails:qmail   fd 0 log; 1 -> lspawn; 2 <- lspawn; 3 -> rspawn;
 *                                4 <- rspawn; 5 -> clean; 6 <- clean
 *   qmail-lspawn  root:qmail     stdin/stdout: the lspawn pipes; argument defaultdelivery
 *   qmail-rspawn  qmailr:qmail and all of qmailr's groups
 *   qmail-clean   qmailq:qmail
 *   logger        qmaill:nofiles, stdin = qmail-send's log (else the log is our stdout)
 *
 * The daemons are run by absolute path, QMAILHOME/bin/NAME, so PATH does not choose
 * them (the logger, an arbitrary command, is found through PATH). Each daemon sets
 * its own working directory; qmail-start only leaves the one it was started in.
 * Descriptors 3..6 (and 2, if it is closed) are first made copies of fd 0, so no pipe
 * can land on a descriptor the wiring is about to fill; unlike qmail, fd 2 is
 * otherwise kept, and every daemon and the logger inherit it for their diagnostics.
 *
 * DIAGNOSTICS
 *   111  a missing account or program, or a failed system call (nothing was started,
 *        or the daemons already started exit as their pipes close)
 *   otherwise qmail-send's own exit status
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "auto.h"
#include "die.h"
#include "fd.h"
#include "ids.h"
#include "priv.h"
#include "sa.h"
#include "sig.h"

#define NGROUPSMAX 65536 /* most groups qmail-rspawn may have */

static struct {
	ids id;         /* every account the daemons run as */
	gid_t *rgroups; /* qmailr's groups, qmail included */
	size_t nr;      /* how many */
	sa path[4];     /* QMAILHOME/bin/ + send, lspawn, rspawn, clean */
} st;

enum { SEND, LSPAWN, RSPAWN, CLEAN };
static const char *const names[4] = {"qmail-send", "qmail-lspawn", "qmail-rspawn", "qmail-clean"};

/* die_nomem - out of memory */
static _Noreturn void die_nomem(void)
{
	die_x(111, "out of memory", NULL);
}

/* programs - find the four daemons; a missing one is fatal before anything starts */
static void programs(void)
{
	int i;
	for (i = 0; i < 4; ++i) {
		if (!sa_copys(&st.path[i], auto_qmail) || !sa_cats(&st.path[i], "/bin/") ||
		    !sa_cats(&st.path[i], names[i]) || !sa_0(&st.path[i]))
			die_nomem();
		if (access(st.path[i].s, X_OK) == 0)
			continue;
		die_sys(111, "unable to run ", st.path[i].s, NULL);
	}
}

/* accounts - every id, and qmailr's groups */
static void accounts(void)
{
	const char *name;
	if (!ids_get(&st.id, IDS_LOG | IDS_QUEUE | IDS_REMOTE | IDS_SEND | IDS_GROUPQ | IDS_GROUPN,
		     &name))
		errno == ENOENT ? die_x(111, "no account ", name, NULL)
				: die_sys(111, "unable to look up ", name, NULL);
	st.rgroups = alloc_array(NGROUPSMAX, sizeof *st.rgroups);
	if (!st.rgroups)
		die_nomem();
	if (!priv_groups(auto_userr, st.id.gidq, st.rgroups, NGROUPSMAX, &st.nr))
		die_sys(111, "unable to list the groups of ", auto_userr, NULL);
}

/* placeholders - fds 0 and 1 must be open; 2 (if closed) and 3..6 become copies of
 * fd 0, close-on-exec except 2, so every pipe made later is above 6 */
static void placeholders(void)
{
	int fd;
	if (fcntl(0, F_GETFD) < 0 || fcntl(1, F_GETFD) < 0)
		die_x(111, "descriptors 0 and 1 must be open", NULL);
	if (fcntl(2, F_GETFD) < 0 && !fd_copy(2, 0))
		die_sys(111, "unable to fill descriptor 2", NULL);
	for (fd = 3; fd <= 6; ++fd)
		if (!fd_copy(fd, 0) || !fd_cloexec(fd))
			die_sys(111, "unable to fill descriptors 3 to 6", NULL);
}

/* pipes - a close-on-exec pipe */
static void pipes(int p[2])
{
	if (pipe(p) != 0 || !fd_cloexec(p[0]) || !fd_cloexec(p[1]))
		die_sys(111, "unable to make a pipe", NULL);
}

/* child - fork; in the child become uid:gid+groups (uid 0: stay root), put in and out
 * on fds 0 and 1, and return 0; in the parent return 1 */
static int child(uid_t uid, gid_t gid, const gid_t *groups, size_t n, int in, int out)
{
	pid_t pid = fork();
	if (pid < 0)
		die_sys(111, "unable to fork", NULL);
	if (pid > 0)
		return 1;
	if (uid != 0 && !priv_drop(uid, gid, groups, n))
		die_sys(111, "unable to switch ids", NULL);
	if (!fd_copy(0, in) || !fd_copy(1, out))
		die_sys(111, "unable to set up descriptors", NULL);
	return 0;
}

/* logger - start args as qmaill:nofiles reading a pipe; the write end, for the log */
static int logger(char **args)
{
	int p[2];
	pipes(p);
	if (child(st.id.uidl, st.id.gidn, &st.id.gidn, 1, p[0], 1)) {
		close(p[0]);
		return p[1];
	}
	execvp(args[0], args);
	die_sys(111, "unable to run the logger ", args[0], NULL);
}

/* daemon_exec - exec a daemon (in a child set up by child()) */
static _Noreturn void daemon_exec(int which, char *arg)
{
	char *args[3] = {(char *)names[which], arg, 0};
	execv(st.path[which].s, args);
	die_sys(111, "unable to run ", st.path[which].s, NULL);
}

/* run - the wiring; ends by becoming qmail-send */
static _Noreturn void run(char *delivery, char **logargs)
{
	int log = logargs ? logger(logargs) : 1;
	int p[7][2], i;
	for (i = 1; i <= 6; ++i)
		pipes(p[i]);
	if (!child(0, 0, 0, 0, p[1][0], p[2][1]))
		daemon_exec(LSPAWN, delivery);
	if (!child(st.id.uidr, st.id.gidq, st.rgroups, st.nr, p[3][0], p[4][1]))
		daemon_exec(RSPAWN, 0);
	if (!child(st.id.uidq, st.id.gidq, &st.id.gidq, 1, p[5][0], p[6][1]))
		daemon_exec(CLEAN, 0);
	if (!priv_drop(st.id.uids, st.id.gidq, &st.id.gidq, 1))
		die_sys(111, "unable to switch to ", auto_users, NULL);
	if (!fd_copy(0, log) || !fd_copy(1, p[1][1]) || !fd_copy(2, p[2][0]) ||
	    !fd_copy(3, p[3][1]) || !fd_copy(4, p[4][0]) || !fd_copy(5, p[5][1]) ||
	    !fd_copy(6, p[6][0]))
		die_sys(111, "unable to set up descriptors for qmail-send", NULL);
	daemon_exec(SEND, 0);
}

int main(int argc, char **argv)
{
	die_init("qmail-start");
	accounts();
	programs();
	if (chdir("/") != 0)
		die_sys(111, "unable to chdir to /", NULL);
	umask(077);
	if (setgroups(1, &st.id.gidq) != 0 || setgid(st.id.gidq) != 0)
		die_sys(111, "unable to switch to group ", auto_groupq, NULL);
	sig_blocknone();
	placeholders();
	run(argc > 1 ? argv[1] : "./Mailbox", argc > 2 ? argv + 2 : 0);
}
