/*
 * sig.c - signals. Handlers run with the caught signal blocked and no other change
 * to the mask. The self-pipe (one per process: its two descriptors are the module's
 * only global state, since a handler cannot be given arguments) turns signals into
 * readable bytes: install sig_pipe_notify as the handler, poll sig_pipe_fd() with the
 * other descriptors, and call sig_pipe_drain() before checking what happened.
 */
#include "sig.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "fd.h"

/* the self-pipe: read end, write end; -1 when closed. sig_atomic_t: read by handlers */
static volatile sig_atomic_t pipefd[2] = {-1, -1};

/* install - set sig's disposition to f with flags */
static int install(int sig, void (*f)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = f;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, 0) == 0;
}

/* mask - block or unblock sig for the calling thread */
static int mask(int how, int sig)
{
	sigset_t set;
	sigemptyset(&set);
	if (sigaddset(&set, sig) < 0)
		return 0;
	return sigprocmask(how, &set, 0) == 0;
}

/* sig_catch - run f when sig arrives; interrupted slow system calls fail with EINTR */
int sig_catch(int sig, sig_fn f)
{
	return install(sig, f, 0);
}

/* sig_catch_restart - run f when sig arrives; interrupted system calls are restarted */
int sig_catch_restart(int sig, sig_fn f)
{
	return install(sig, f, SA_RESTART);
}

/* sig_ignore - discard sig (the disposition survives execve) */
int sig_ignore(int sig)
{
	return install(sig, SIG_IGN, 0);
}

/* sig_default - restore the default action of sig */
int sig_default(int sig)
{
	return install(sig, SIG_DFL, 0);
}

/* sig_block - hold sig pending until it is unblocked */
int sig_block(int sig)
{
	return mask(SIG_BLOCK, sig);
}

/* sig_unblock - let sig through; a pending one is delivered before this returns */
int sig_unblock(int sig)
{
	return mask(SIG_UNBLOCK, sig);
}

/* sig_blocknone - unblock every signal, as a program started by anyone should */
int sig_blocknone(void)
{
	sigset_t set;
	sigemptyset(&set);
	return sigprocmask(SIG_SETMASK, &set, 0) == 0;
}

/* sig_pause - with every signal unblocked, wait until a handler has run; the mask
 * is restored on return. Block the awaited signal first, check for the condition,
 * then call sig_pause: a signal arriving in between is not lost. */
void sig_pause(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigsuspend(&set);
}

/* sig_pipe_init - make the self-pipe, nonblocking and close-on-exec at both ends */
int sig_pipe_init(void)
{
	int p[2];
	if (pipefd[0] >= 0)
		return 1;
	if (pipe(p) < 0)
		return 0;
	if (!fd_nonblock(p[0]) || !fd_nonblock(p[1]) || !fd_cloexec(p[0]) || !fd_cloexec(p[1])) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		errno = e;
		return 0;
	}
	pipefd[0] = p[0];
	pipefd[1] = p[1];
	return 1;
}

/* sig_pipe_fd - the read end to poll for POLLIN, or -1 before sig_pipe_init */
int sig_pipe_fd(void)
{
	return pipefd[0];
}

/* sig_pipe_notify - a handler: make the self-pipe readable. Async-signal-safe and
 * keeps errno; a full pipe is already readable, so a failed write loses nothing. */
void sig_pipe_notify(int sig)
{
	int e = errno;
	char c = (char)sig;
	if (pipefd[1] >= 0 && write(pipefd[1], &c, 1) < 0) {
		/* EAGAIN: full, so already readable; EBADF: closed meanwhile */
	}
	errno = e;
}

/* sig_pipe_drain - read everything waiting in the self-pipe */
void sig_pipe_drain(void)
{
	char buf[64];
	ssize_t r;
	if (pipefd[0] < 0)
		return;
	do
		r = read(pipefd[0], buf, sizeof buf);
	while (r > 0 || (r < 0 && errno == EINTR));
}

/* sig_pipe_close - close the self-pipe, e.g. in a child that will not poll it */
void sig_pipe_close(void)
{
	int r = pipefd[0], w = pipefd[1];
	pipefd[1] = -1; /* first, so a handler no longer writes to it */
	pipefd[0] = -1;
	if (r >= 0) {
		close(w);
		close(r);
	}
}
