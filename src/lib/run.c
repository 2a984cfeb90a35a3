/*
 * run.c - starting a program and feeding it. The child tells the parent why its exec
 * failed through a close-on-exec pipe: end of file on the pipe means the exec
 * succeeded, an int on it is the exec's errno. So "no such program" is an error
 * the caller sees from run_start, not an exit code 127 a real program may also use.
 */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "fd.h"
#include "sig.h"
#include "wait.h"

/* child - in the child: fd0 onto 0, SIGPIPE to its default, exec; on failure send
 * errno up the report pipe and exit */
static _Noreturn void child(char *const *argv, int fd0, int report)
{
	int e;
	if (fd0 >= 0 && fd0 != 0 && dup2(fd0, 0) == -1)
		goto fail;
	if (!sig_default(SIGPIPE))
		goto fail;
	execvp(argv[0], argv);
fail:
	e = errno;
	fd_write_all(report, (const char *)&e, sizeof e);
	_exit(127);
}

/* run_start - start argv[0] (looked up in PATH when it has no slash) with argv, its
 * stdin fd0 (or ours when fd0 is -1); the child's pid, or -1 with errno, which is
 * the exec's own errno when the program could not be run */
pid_t run_start(char *const *argv, int fd0)
{
	int p[2], e = 0, st;
	ssize_t r;
	size_t got = 0;
	pid_t pid;
	if (!argv || !argv[0]) {
		errno = EINVAL;
		return -1;
	}
	if (!fd_pipe_high(p, 3))
		return -1;
	pid = fork();
	if (pid == -1) {
		e = errno;
		close(p[0]);
		close(p[1]);
		errno = e;
		return -1;
	}
	if (pid == 0)
		child(argv, fd0, p[1]);
	close(p[1]);
	while (got < sizeof e) {
		r = read(p[0], (char *)&e + got, sizeof e - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(p[0]);
	if (got == 0)
		return pid;
	wait_pid(pid, &st);
	errno = got == sizeof e && e ? e : EIO;
	return -1;
}

/* feed - copy in to out until end of input: 1 done (or the reader went away), 0 a
 * read error on in */
static int feed(int out, int in)
{
	char space[8192];
	for (;;) {
		ssize_t r = read(in, space, sizeof space);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return 0;
		if (r == 0)
			return 1;
		if (!fd_write_all(out, space, (size_t)r))
			return 1; /* the child stopped reading; its status will say why */
	}
}

/* run_feed - run argv with stdin head[0..n) then everything from in, wait for it and
 * store its wait status. 1 done; 0 the program could not be started or waited for
 * (errno); -1 in could not be read (errno): the child is then killed before it could
 * see the end of its input, so it never acts on a truncated one. The caller ignores
 * SIGPIPE, so a child that stops reading early is not an error. */
int run_feed(char *const *argv, const char *head, size_t n, int in, int *status)
{
	int p[2], ok, e;
	pid_t pid;
	if (!fd_pipe_high(p, 3))
		return 0;
	pid = run_start(argv, p[0]);
	e = errno;
	close(p[0]);
	if (pid == -1) {
		close(p[1]);
		errno = e;
		return 0;
	}
	ok = 1;
	if (fd_write_all(p[1], head, n)) /* a failed write: the child stopped reading */
		ok = feed(p[1], in);
	e = errno;
	if (!ok)
		kill(pid, SIGKILL);
	close(p[1]);
	if (wait_pid(pid, status) == -1)
		return 0;
	if (!ok) {
		errno = e;
		return -1;
	}
	return 1;
}
