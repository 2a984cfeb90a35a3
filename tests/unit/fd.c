/* fd.c - tests for descriptor manipulation */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd.h"
#include "harness.h"

/* is_open - whether fd is an open descriptor */
static int is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* flag - whether bit is set in fd's F_GETFL (fl) or F_GETFD flags */
static int flag(int fd, int fl, int bit)
{
	int f = fcntl(fd, fl ? F_GETFL : F_GETFD);
	return f >= 0 && (f & bit) != 0;
}

/* passes - whether one byte written to w can be read from r */
static int passes(int w, int r)
{
	char c = 0;
	return write(w, "x", 1) == 1 && read(r, &c, 1) == 1 && c == 'x';
}

static void t_move_copy(void)
{
	int p[2];
	T_OK(pipe(p) == 0);
	T_OK(!is_open(100));
	T_OK(fd_move(100, p[1]));
	T_OK(is_open(100));
	T_OK(!is_open(p[1]));
	T_OK(passes(100, p[0]));
	/* moving onto itself is nothing, and keeps the descriptor */
	T_OK(fd_move(100, 100));
	T_OK(is_open(100));
	T_OK(fd_copy(101, 100));
	T_OK(is_open(100) && is_open(101));
	T_OK(passes(101, p[0]));
	T_OK(passes(100, p[0]));
	/* copying clears FD_CLOEXEC on the target */
	T_OK(fd_cloexec(100));
	T_OK(fd_copy(102, 100));
	T_OK(!flag(102, 0, FD_CLOEXEC));
	T_OK(flag(100, 0, FD_CLOEXEC));
	/* moving onto an open descriptor replaces it */
	T_OK(fd_move(101, p[0]));
	T_OK(!is_open(p[0]));
	T_OK(passes(102, 101));
	errno = 0;
	T_OK(!fd_move(103, p[0]));
	T_EQ_U(errno, EBADF);
	T_OK(!is_open(103));
	errno = 0;
	T_OK(!fd_copy(103, -1));
	T_EQ_U(errno, EBADF);
	errno = 0;
	T_OK(!fd_copy(-1, 100));
	T_EQ_U(errno, EBADF);
	T_OK(fd_close(100) && fd_close(101) && fd_close(102));
}

static void t_flags(void)
{
	int p[2];
	char c;
	T_OK(pipe(p) == 0);
	T_OK(!flag(p[0], 1, O_NONBLOCK));
	T_OK(fd_nonblock(p[0]));
	T_OK(flag(p[0], 1, O_NONBLOCK));
	T_OK(fd_nonblock(p[0]));
	T_OK(flag(p[0], 1, O_NONBLOCK));
	errno = 0;
	T_OK(read(p[0], &c, 1) < 0 && errno == EAGAIN);
	T_OK(fd_block(p[0]));
	T_OK(!flag(p[0], 1, O_NONBLOCK));
	/* other status flags survive */
	T_OK(fcntl(p[1], F_SETFL, O_APPEND) == 0);
	T_OK(fd_nonblock(p[1]));
	T_OK(flag(p[1], 1, O_NONBLOCK) && flag(p[1], 1, O_APPEND));
	T_OK(fd_block(p[1]));
	T_OK(!flag(p[1], 1, O_NONBLOCK) && flag(p[1], 1, O_APPEND));
	T_OK(!flag(p[1], 0, FD_CLOEXEC));
	T_OK(fd_cloexec(p[1]));
	T_OK(flag(p[1], 0, FD_CLOEXEC));
	T_OK(fd_nocloexec(p[1]));
	T_OK(!flag(p[1], 0, FD_CLOEXEC));
	/* FD_CLOEXEC belongs to the descriptor, O_NONBLOCK to the open file */
	T_OK(fd_copy(104, p[1]));
	T_OK(fd_cloexec(104));
	T_OK(fd_nonblock(104));
	T_OK(!flag(p[1], 0, FD_CLOEXEC));
	T_OK(flag(p[1], 1, O_NONBLOCK));
	T_OK(fd_close(104));
	errno = 0;
	T_OK(!fd_nonblock(-1));
	T_EQ_U(errno, EBADF);
	T_OK(!fd_block(104) && errno == EBADF);
	T_OK(!fd_cloexec(104) && errno == EBADF);
	T_OK(!fd_nocloexec(104) && errno == EBADF);
	T_OK(fd_close(p[0]) && fd_close(p[1]));
}

/* t_exec - FD_CLOEXEC really closes across execve; the shell reports fds 8 and 9 */
static void t_exec(void)
{
	int p[2], q[2], status = -1;
	char buf[64];
	ssize_t r;
	size_t got = 0;
	pid_t pid;
	char *argv[] = {"sh", "-c",
			"(: >&8) 2>/dev/null && echo 8; (: >&9) 2>/dev/null && echo 9; exit 0", 0};
	char *envp[] = {0};
	T_OK(pipe(p) == 0 && pipe(q) == 0);
	pid = fork();
	if (pid == 0) {
		if (!fd_move(1, p[1]) || !fd_copy(8, q[1]) || !fd_move(9, q[1]) || !fd_cloexec(9))
			_exit(90);
		execve("/bin/sh", argv, envp);
		_exit(91);
	}
	T_OK(pid > 0);
	close(p[1]);
	close(q[1]);
	while (got < sizeof buf && (r = read(p[0], buf + got, sizeof buf - got)) > 0)
		got += (size_t)r;
	T_OK(waitpid(pid, &status, 0) == pid);
	T_OK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	T_EQ_MEM(buf, got, "8\n", 2);
	close(p[0]);
	close(q[0]);
}

static void t_close(void)
{
	int p[2];
	T_OK(pipe(p) == 0);
	T_OK(fd_close(p[0]));
	T_OK(!is_open(p[0]));
	errno = 0;
	T_OK(!fd_close(p[0]));
	T_EQ_U(errno, EBADF);
	T_OK(fd_close(p[1]));
	T_OK(!fd_close(-1));
}

static void t_write_all(void)
{
	static char big[1 << 20];
	char path[256];
	struct stat st;
	int fd, p[2];
	snprintf(path, sizeof path, "%s/writeall", t_tmpdir());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	T_OK(fd >= 0);
	memset(big, 'x', sizeof big);
	T_OK(fd_write_all(fd, big, sizeof big));
	T_OK(fd_write_all(fd, big, 0));
	T_OK(fstat(fd, &st) == 0);
	T_EQ_U(st.st_size, sizeof big);
	close(fd);
	T_OK(pipe(p) == 0);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	errno = 0;
	T_OK(!fd_write_all(p[1], big, 10));
	T_EQ_U(errno, EPIPE);
	close(p[1]);
	T_OK(!fd_write_all(-1, big, 1));
	T_EQ_U(errno, EBADF);
}

/* lowest_free - the number the next new descriptor would get */
static int lowest_free(void)
{
	int fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		close(fd);
	return fd;
}

static void t_pipe_high(void)
{
	int p[2] = {-1, -1};
	int low = lowest_free();
	T_OK(low >= 0 && low < 7);
	T_OK(fd_pipe_high(p, 7));
	T_OK(p[0] >= 7 && p[1] >= 7 && p[0] != p[1]);
	T_OK(flag(p[0], 0, FD_CLOEXEC) && flag(p[1], 0, FD_CLOEXEC));
	T_OK(passes(p[1], p[0]));
	T_EQ_U(lowest_free(), low); /* the pipe's first, low numbers were closed */
	close(p[0]);
	close(p[1]);
	errno = 0;
	T_OK(!fd_pipe_high(p, -1));
	T_EQ_U(errno, EINVAL);
	T_EQ_U(lowest_free(), low); /* nothing leaked by the failure */
}

/* t_closefrom - in a child (the test's own descriptors stay): everything from the
 * bound up is closed, close-on-exec or not, and nothing below it */
static void t_closefrom(void)
{
	int p[2], st = 0;
	pid_t pid;
	errno = 0;
	T_OK(!fd_closefrom(-1) && errno == EINVAL);
	T_OK(pipe(p) == 0);
	pid = fork();
	T_OK(pid >= 0);
	if (pid == 0) {
		int ok = fd_move(40, p[0]) && fd_move(41, p[1]) && fd_cloexec(41) &&
			 fd_copy(1000, 41) && fd_copy(39, 40);
		ok = ok && fd_closefrom(40);
		ok = ok && is_open(39) && !is_open(40) && !is_open(41) && !is_open(1000);
		ok = ok && is_open(0) && is_open(2) && fd_closefrom(3) && !is_open(39);
		_exit(ok ? 0 : 1);
	}
	T_OK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(p[0]);
	close(p[1]);
}

const t_case t_cases[] = {
	T_CASE(t_move_copy), T_CASE(t_flags),     T_CASE(t_exec),      T_CASE(t_close),
	T_CASE(t_write_all), T_CASE(t_pipe_high), T_CASE(t_closefrom), T_END,
};
