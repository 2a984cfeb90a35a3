/*
 * qmail-send - the queue manager (SPEC sections 3, 5, 11, 12, 16). Started by
 * qmail-start as qmails with these descriptors:
 *	0 log (written)		1 -> qmail-lspawn	2 <- qmail-lspawn
 *	3 -> qmail-rspawn	4 <- qmail-rspawn	5 -> qmail-clean	6 <- qmail-clean
 * It preprocesses todo/ into info/, local/ and remote/, hands each recipient to a
 * spawner, retries temporary failures on the schedule of retry.h, bounces permanent
 * ones, and removes finished messages. Controls are read once at startup; SIGHUP
 * rereads locals and virtualdomains, SIGALRM makes every message due now, SIGTERM
 * stops new deliveries and exits when the running ones have reported.
 * DIAGNOSTICS: everything goes to the log on fd 0. Exit 0 after "status: exiting";
 * 111 after "alert: cannot start: ..." (unreadable controls, no locals and no me,
 * another qmail-send holding lock/sendmutex, a spawner that sent no startup byte).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auto.h"
#include "bounce.h"
#include "control.h"
#include "die.h"
#include "error.h"
#include "fd.h"
#include "lock.h"
#include "retry.h"
#include "send.h"
#include "sig.h"
#include "tm.h"

static send S; /* the program's whole state */

/* cannot - log why qmail-send cannot start and exit 111 */
static _Noreturn void cannot(const char *why, const char *more)
{
	log_put("alert: cannot start: ", why, more, NULL);
	_exit(111);
}

/* readlist - a list control file; -1 on error */
static int readlist(sa *out, const char *name)
{
	return control_readlist(out, name);
}

/* locals - control/locals, or control/me alone when locals does not exist */
static int locals(sa *out)
{
	int r = readlist(out, "control/locals");
	if (r != 0)
		return r;
	if (!control_me())
		return -1;
	return sa_copy(out, control_me()) && sa_0(out) ? 1 : -1;
}

/* controls - read every control file qmail-send uses (cwd is QMAILHOME) */
static void controls(send *s)
{
	sa loc = SA_ZERO, ph = SA_ZERO, vd = SA_ZERO, noat = SA_ZERO;
	uint64_t cl = 10, cr = 20;
	s->lifetime = RETRY_LIFETIME;
	s->maxbytes = BOUNCE_MAXBYTES;
	if (control_init() == -1)
		cannot("unable to read control/me: ", error_str(errno));
	if (locals(&loc) == -1)
		cannot("unable to read control/locals", errno == ENOENT ? " (nor control/me)" : "");
	if (readlist(&ph, "control/percenthack") == -1 ||
	    readlist(&vd, "control/virtualdomains") == -1 ||
	    control_rldef(&noat, "control/envnoathost", 1, "envnoathost") == -1 ||
	    control_rldef(&s->bouncefrom, "control/bouncefrom", 0, "MAILER-DAEMON") == -1 ||
	    control_rldef(&s->bouncehost, "control/bouncehost", 1, "bouncehost") == -1 ||
	    control_rldef(&s->dbhost, "control/doublebouncehost", 1, "doublebouncehost") == -1 ||
	    control_rldef(&s->dbto, "control/doublebounceto", 0, "postmaster") == -1 ||
	    control_readint(&cl, "control/concurrencylocal") == -1 ||
	    control_readint(&cr, "control/concurrencyremote") == -1 ||
	    control_readint(&s->lifetime, "control/queuelifetime") == -1 ||
	    control_readint(&s->maxbytes, "control/bouncemaxbytes") == -1)
		cannot("unable to read controls: ", error_str(errno));
	s->ch[CHAN_LOCAL].conc = cl > AUTO_SPAWN ? AUTO_SPAWN : (unsigned)cl;
	s->ch[CHAN_REMOTE].conc = cr > AUTO_SPAWN ? AUTO_SPAWN : (unsigned)cr;
	if ((control_me() && !sa_copy(&s->me, control_me())) || !sa_0(&s->me) ||
	    !sa_0(&s->bouncefrom) || !sa_0(&s->bouncehost) || !sa_0(&noat) ||
	    !rewrite_init(&s->rw, noat.s, &loc, &ph, &vd))
		cannot("out of memory", "");
	sa_free(&loc);
	sa_free(&ph);
	sa_free(&vd);
	sa_free(&noat);
}

/* send_reread - SIGHUP: read locals and virtualdomains again; on any trouble the
 * old tables stay */
void send_reread(send *s)
{
	sa loc = SA_ZERO, vd = SA_ZERO;
	if (fchdir(s->homefd) == -1) {
		log_put("alert: unable to reread controls: unable to switch to home directory",
			NULL);
		return;
	}
	if (locals(&loc) == -1 || readlist(&vd, "control/virtualdomains") == -1)
		log_put("alert: unable to reread controls: ", error_str(errno), NULL);
	else if (!rewrite_setlocals(&s->rw, &loc) || !rewrite_setvdoms(&s->rw, &vd))
		log_put("alert: unable to reread controls: out of memory", NULL);
	while (fchdir(s->queuefd) == -1) {
		log_put("alert: unable to switch back to queue directory; HELP! sleeping...", NULL);
		sleep(10);
	}
	sa_free(&loc);
	sa_free(&vd);
}

/* setup - directories, the send mutex, descriptors, spawners, signals */
static void setup(send *s)
{
	int fd;
	if (chdir(auto_qmail) == -1 || (s->homefd = open(".", O_RDONLY | O_CLOEXEC)) == -1)
		cannot("unable to switch to home directory: ", error_str(errno));
	controls(s);
	if (chdir("queue") == -1 || (s->queuefd = open(".", O_RDONLY | O_CLOEXEC)) == -1)
		cannot("unable to switch to queue directory: ", error_str(errno));
	fd = open("lock/sendmutex", O_RDWR | O_CLOEXEC);
	if (fd == -1)
		cannot("unable to open lock/sendmutex: ", error_str(errno));
	if (!lock_exnb(fd))
		cannot("qmail-send is already running", "");
	spare_init(&s->spare, "sspare", 0); /* ours alone, under the send mutex */
	spare_map(&s->spare);
	/* children (qmail-queue for bounces) must not hold our pipes open */
	fd_cloexec(3);
	fd_cloexec(4);
	fd_cloexec(5);
	fd_cloexec(6);
	if (!todo_init(s))
		cannot("unable to start the sync threads: ", error_str(errno));
	if (!deliver_init(s))
		cannot("hath the daemon spawn no fire?", "");
	if (!sig_pipe_init() || !sig_catch(SIGTERM, sig_pipe_notify) ||
	    !sig_catch(SIGALRM, sig_pipe_notify) || !sig_catch(SIGHUP, sig_pipe_notify))
		cannot("unable to set up signals: ", error_str(errno));
	s->trigfd = -1;
	s->todo_trig = 1;  /* scan todo/ at once */
	s->ctl_trig = 1;   /* and ctl/ */
	s->clean_step = 0; /* and sweep for stale files */
}

int main(int argc, char **argv)
{
	(void)argc;
	die_init(argv[0]);
	umask(077);
	sig_ignore(SIGPIPE);
	sig_blocknone();
	setup(&S);
	ctl_init(&S);
	deliver_status(&S);
	sched_rescan(&S, tm_now());
	loop_run(&S);
	return 0;
}
