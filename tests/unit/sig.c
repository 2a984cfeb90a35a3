/* sig.c - tests for signal dispositions, the mask, sig_pause and the self-pipe */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "sig.h"
#include "wait.h"

static volatile sig_atomic_t caught; /* handler calls */
static volatile sig_atomic_t last;   /* the signal of the latest call */

static void on_sig(int sig)
{
	caught++;
	last = sig;
}

/* nap - sleep for ms milliseconds */
static void nap(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, 0);
}

/* handler_of - the current handler of sig, and its flags in *flags */
static void (*handler_of(int sig, int *flags))(int)
{
	struct sigaction sa;
	if (sigaction(sig, 0, &sa) < 0)
		return 0;
	*flags = sa.sa_flags;
	return sa.sa_handler;
}

/* blocked - whether sig is in the signal mask */
static int blocked(int sig)
{
	sigset_t set;
	return sigprocmask(SIG_BLOCK, 0, &set) == 0 && sigismember(&set, sig) == 1;
}

/* readable - whether fd has input waiting, without waiting */
static int readable(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static void t_catch(void)
{
	int flags = -1;
	caught = 0;
	T_OK(sig_catch(SIGUSR1, on_sig));
	T_OK(handler_of(SIGUSR1, &flags) == on_sig);
	T_OK(!(flags & SA_RESTART));
	T_OK(raise(SIGUSR1) == 0);
	T_EQ_U(caught, 1);
	T_EQ_U(last, SIGUSR1);
	T_OK(sig_catch_restart(SIGUSR2, on_sig));
	T_OK(handler_of(SIGUSR2, &flags) == on_sig);
	T_OK(flags & SA_RESTART);
	T_OK(raise(SIGUSR2) == 0);
	T_EQ_U(caught, 2);
	T_EQ_U(last, SIGUSR2);
	errno = 0;
	T_OK(!sig_catch(SIGKILL, on_sig));
	T_EQ_U(errno, EINVAL);
	T_OK(!sig_catch(0, on_sig));
	T_OK(!sig_ignore(SIGSTOP));
	T_OK(!sig_block(-1));
	T_EQ_U(errno, EINVAL);
	T_OK(sig_default(SIGUSR1) && sig_default(SIGUSR2));
	T_OK(handler_of(SIGUSR1, &flags) == SIG_DFL);
}

static void t_block(void)
{
	sigset_t pend;
	caught = 0;
	T_OK(sig_catch(SIGUSR1, on_sig));
	T_OK(sig_block(SIGUSR1));
	T_OK(blocked(SIGUSR1));
	T_OK(raise(SIGUSR1) == 0);
	T_EQ_U(caught, 0);
	T_OK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR1) == 1);
	/* the pending signal arrives before sig_unblock returns */
	T_OK(sig_unblock(SIGUSR1));
	T_EQ_U(caught, 1);
	T_OK(!blocked(SIGUSR1));
	T_OK(sig_block(SIGUSR1) && sig_block(SIGUSR2) && sig_block(SIGALRM));
	T_OK(blocked(SIGUSR2) && blocked(SIGALRM));
	T_OK(sig_blocknone());
	T_OK(!blocked(SIGUSR1) && !blocked(SIGUSR2) && !blocked(SIGALRM));
	T_OK(sig_default(SIGUSR1));
}

static void t_ignore_default(void)
{
	int flags = -1, status = -1;
	pid_t pid;
	caught = 0;
	T_OK(sig_ignore(SIGUSR1));
	T_OK(handler_of(SIGUSR1, &flags) == SIG_IGN);
	T_OK(raise(SIGUSR1) == 0); /* would end this test binary if not ignored */
	T_EQ_U(caught, 0);
	T_OK(sig_default(SIGUSR1));
	/* in a child: the default action of SIGUSR1 ends it; an ignored SIGTERM does not */
	pid = fork();
	if (pid == 0) {
		sig_catch(SIGUSR1, on_sig);
		sig_default(SIGUSR1);
		raise(SIGUSR1);
		_exit(0);
	}
	T_OK(pid > 0);
	T_EQ_U(wait_pid(pid, &status), pid);
	T_EQ_U(wait_termsig(status), SIGUSR1);
	pid = fork();
	if (pid == 0) {
		sig_ignore(SIGTERM);
		raise(SIGTERM);
		_exit(5);
	}
	T_OK(pid > 0);
	T_EQ_U(wait_pid(pid, &status), pid);
	T_EQ_U(wait_exitcode(status), 5);
}

/* t_pause - block, fork a sender, sig_pause: the signal cannot be lost */
static void t_pause(void)
{
	pid_t parent = getpid(), pid;
	int status = -1;
	caught = 0;
	T_OK(sig_catch(SIGUSR1, on_sig));
	T_OK(sig_block(SIGUSR1));
	pid = fork();
	if (pid == 0) {
		kill(parent, SIGUSR1);
		_exit(0);
	}
	T_OK(pid > 0);
	sig_pause();
	T_EQ_U(caught, 1);
	T_OK(blocked(SIGUSR1)); /* the mask is back as it was */
	T_EQ_U(wait_pid(pid, &status), pid);
	T_OK(sig_unblock(SIGUSR1) && sig_default(SIGUSR1));
}

/* reader - fork a child that signals us every 10 ms (forever if n is 0, else n
 * times and then writes one byte to p[1]); read one byte from p[0] */
static ssize_t reader(int n, char *c)
{
	pid_t parent = getpid(), pid;
	int p[2], i;
	ssize_t r;
	if (pipe(p) < 0)
		return -2;
	pid = fork();
	if (pid == 0) {
		for (i = 0; n == 0 || i < n; ++i) {
			nap(10);
			kill(parent, SIGUSR1);
		}
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		_exit(0);
	}
	r = read(p[0], c, 1);
	kill(pid, SIGKILL);
	wait_pid(pid, 0);
	close(p[0]);
	close(p[1]);
	return r;
}

static void t_restart(void)
{
	char c = 0;
	caught = 0;
	T_OK(sig_catch(SIGUSR1, on_sig));
	errno = 0;
	T_EQ_U(reader(0, &c), (unsigned long long)-1);
	T_EQ_U(errno, EINTR);
	T_OK(caught >= 1);
	caught = 0;
	T_OK(sig_catch_restart(SIGUSR1, on_sig));
	T_EQ_U(reader(5, &c), 1);
	T_EQ_U(c, 'x');
	T_OK(caught >= 1); /* at least one arrived; pending ones may merge */
	T_OK(sig_default(SIGUSR1));
}

static void t_self_pipe(void)
{
	int fd, flags = -1, i;
	unsigned char b = 0;
	T_EQ_U(sig_pipe_fd(), (unsigned long long)-1);
	sig_pipe_notify(SIGUSR1); /* before init: nothing, and no crash */
	sig_pipe_drain();
	T_OK(sig_pipe_init());
	fd = sig_pipe_fd();
	T_OK(fd >= 0);
	T_OK(sig_pipe_init());
	T_EQ_U(sig_pipe_fd(), fd);
	T_OK((flags = fcntl(fd, F_GETFL)) >= 0 && (flags & O_NONBLOCK));
	T_OK((flags = fcntl(fd, F_GETFD)) >= 0 && (flags & FD_CLOEXEC));
	T_OK(!readable(fd));
	T_OK(sig_catch(SIGUSR1, sig_pipe_notify));
	T_OK(raise(SIGUSR1) == 0);
	T_OK(readable(fd));
	T_OK(read(fd, &b, 1) == 1);
	T_EQ_U(b, SIGUSR1);
	T_OK(!readable(fd));
	T_OK(raise(SIGUSR1) == 0 && raise(SIGUSR1) == 0);
	sig_pipe_drain();
	T_OK(!readable(fd));
	/* far more notifications than a pipe holds: never blocks, errno is kept */
	errno = ERANGE;
	for (i = 0; i < 200000; ++i)
		sig_pipe_notify(SIGUSR2);
	T_EQ_U(errno, ERANGE);
	T_OK(readable(fd));
	sig_pipe_drain();
	T_OK(!readable(fd));
	T_OK(sig_default(SIGUSR1));
	sig_pipe_close();
	T_EQ_U(sig_pipe_fd(), (unsigned long long)-1);
	T_OK(fcntl(fd, F_GETFD) < 0 && errno == EBADF);
	sig_pipe_notify(SIGUSR1);
	T_OK(sig_pipe_init());
	T_OK(sig_pipe_fd() >= 0);
	sig_pipe_close();
}

const t_case t_cases[] = {
	T_CASE(t_catch), T_CASE(t_block),   T_CASE(t_ignore_default),
	T_CASE(t_pause), T_CASE(t_restart), T_CASE(t_self_pipe),
	T_END,
};
