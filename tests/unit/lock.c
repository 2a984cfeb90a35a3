/* lock.c - tests for exclusive file locks, within one process and across a fork */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "lock.h"
#include "tm.h"

/* open_lockfile - a new open file description of the lock file */
static int open_lockfile(void)
{
	return open(t_path("lockfile"), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
}

/* sleep_ms - pause the calling process */
static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, ms % 1000 * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* holder - fork a child that locks the file, writes a byte to say so, and releases
 * the lock linger_ms after reading a byte (or after the pipe closes) */
static pid_t holder(int *go, long linger_ms)
{
	int up[2], down[2];
	pid_t pid;
	char c = 0;
	if (pipe(up) != 0 || pipe(down) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int fd = open_lockfile();
		close(up[0]);
		close(down[1]);
		if (fd < 0 || !lock_ex(fd))
			_exit(2);
		if (write(up[1], "l", 1) != 1)
			_exit(3);
		if (read(down[0], &c, 1) < 0)
			_exit(4);
		sleep_ms(linger_ms);
		if (!lock_un(fd))
			_exit(5);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	if (pid < 0 || read(up[0], &c, 1) != 1) {
		close(up[0]);
		close(down[1]);
		return -1;
	}
	close(up[0]);
	*go = down[1];
	return pid;
}

/* reaped - wait for the child; 1 if it exited 0 */
static int reaped(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* t_same_process - two open()s of one file conflict, a dup shares the lock */
static void t_same_process(void)
{
	int a = open_lockfile(), b = open_lockfile(), d;
	T_OK(a >= 0 && b >= 0);
	T_OK(lock_ex(a));
	T_OK(lock_ex(a)); /* relocking through the same description is no conflict */
	errno = 0;
	T_OK(!lock_exnb(b));
	T_OK(errno == EWOULDBLOCK || errno == EAGAIN);
	errno = 0;
	T_OK(!lock_ex_timeout(b, 30));
	T_EQ_U(errno, ETIMEDOUT);
	errno = 0;
	T_OK(!lock_ex_timeout(b, 0));
	T_EQ_U(errno, ETIMEDOUT);
	d = dup(a);
	T_OK(lock_exnb(d));
	T_OK(lock_un(a));
	T_OK(lock_exnb(b));
	T_OK(!lock_exnb(d));
	T_OK(!lock_exnb(a));
	close(b); /* closing the last descriptor of b's description releases it */
	T_OK(lock_ex_timeout(a, 0));
	T_OK(lock_un(a));
	T_OK(lock_un(a)); /* unlocking an unlocked file is harmless */
	close(a);
	close(d);
}

/* t_bad_fd - a bad descriptor fails at once with EBADF, not after a timeout */
static void t_bad_fd(void)
{
	uint64_t t0 = tm_mono_ms();
	errno = 0;
	T_OK(!lock_ex(-1));
	T_EQ_U(errno, EBADF);
	errno = 0;
	T_OK(!lock_exnb(-1));
	T_EQ_U(errno, EBADF);
	errno = 0;
	T_OK(!lock_ex_timeout(-1, 10000));
	T_EQ_U(errno, EBADF);
	errno = 0;
	T_OK(!lock_un(-1));
	T_EQ_U(errno, EBADF);
	T_OK(tm_mono_ms() - t0 < 1000);
}

/* t_other_process - a lock held by a child blocks until the child lets go */
static void t_other_process(void)
{
	int fd = open_lockfile(), go = -1;
	pid_t pid = holder(&go, 100);
	uint64_t t0, dt;
	T_OK(fd >= 0);
	T_OK(pid > 0);
	errno = 0;
	T_OK(!lock_exnb(fd));
	T_OK(errno == EWOULDBLOCK || errno == EAGAIN);
	t0 = tm_mono_ms();
	errno = 0;
	T_OK(!lock_ex_timeout(fd, 200));
	dt = tm_mono_ms() - t0;
	T_EQ_U(errno, ETIMEDOUT);
	T_OK(dt >= 200 && dt < 2000);
	/* the child releases 100 ms after this byte; the wait takes it within ~50 ms */
	T_OK(write(go, "g", 1) == 1);
	t0 = tm_mono_ms();
	T_OK(lock_ex_timeout(fd, 10000));
	dt = tm_mono_ms() - t0;
	T_OK(dt >= 50 && dt < 2000);
	T_OK(reaped(pid));
	close(go);
	T_OK(lock_un(fd));
	close(fd);
}

static volatile sig_atomic_t rang;

/* ring - SIGALRM handler that only counts */
static void ring(int sig)
{
	(void)sig;
	rang++;
}

/* t_eintr - lock_ex keeps waiting through a signal; lock_ex_timeout leaves alarm alone */
static void t_eintr(void)
{
	struct sigaction act, old;
	int fd = open_lockfile(), go = -1;
	pid_t pid;
	unsigned left;
	memset(&act, 0, sizeof act);
	act.sa_handler = ring;
	sigemptyset(&act.sa_mask);
	act.sa_flags = 0; /* no SA_RESTART: flock really returns EINTR */
	T_OK(sigaction(SIGALRM, &act, &old) == 0);
	pid = holder(&go, 1500);
	T_OK(pid > 0);
	T_OK(write(go, "g", 1) == 1);
	rang = 0;
	alarm(1);
	T_OK(lock_ex(fd));
	T_EQ_U(rang, 1);
	T_OK(reaped(pid));
	T_OK(lock_un(fd));
	/* a caller's pending alarm survives lock_ex_timeout */
	alarm(100);
	T_OK(lock_ex_timeout(fd, 100));
	left = alarm(0);
	T_OK(left >= 99 && left <= 100);
	T_EQ_U(rang, 1);
	T_OK(sigaction(SIGALRM, &old, 0) == 0);
	close(go);
	close(fd);
}

const t_case t_cases[] = {
	T_CASE(t_same_process), T_CASE(t_bad_fd), T_CASE(t_other_process), T_CASE(t_eintr), T_END,
};
