/*
 * qmail-queue - put one message into the queue.
 *
 * Reads the message from fd 0 and the envelope from fd 1 (F sender NUL, T recipient
 * NUL ..., NUL), and adds the message to the queue with one Received line on top.
 * Runs setuid qmailq; reads no environment and no control files.
 *
 * The order of steps is what makes a crash at any point safe (see inject.c).
 *
 * DIAGNOSTICS (exit codes, SPEC section 4)
 *   0 queued; 11 address too long; 51 out of memory; 52 timeout; 53 write error;
 *   54 read error; 61 home directory; 62 queue directory; 63 pid file; 64 mess;
 *   65 intd; 66 todo; 81 internal bug (crash caught); 91 envelope format error.
 */
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auto.h"
#include "inject.h"
#include "sig.h"

#define LIFETIME (24 * 60 * 60) /* a qmail-queue older than this gives up (52) */

/* die_timeout - the 24 h alarm: give up, leaving cleanup to qmail-send */
static void die_timeout(int sig)
{
	(void)sig;
	_exit(52);
}

/* die_crash - a caught SIGSEGV or SIGBUS is reported as an internal bug */
static void die_crash(int sig)
{
	(void)sig;
	_exit(81);
}

int main(void)
{
	static inject in;
	sig_blocknone();
	umask(033);
	if (chdir(auto_qmail) == -1)
		_exit(61);
	if (chdir("queue") == -1)
		_exit(62);
	sig_catch(SIGALRM, die_timeout);
	sig_catch(SIGSEGV, die_crash);
	sig_catch(SIGBUS, die_crash);
	alarm(LIFETIME);
	_exit(inject_run(&in));
}
