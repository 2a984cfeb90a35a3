/* file.c - tests for file_read, file_syncdir and file_syncall */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "harness.h"

#define NFILES 40 /* descriptors synced at once, more than the C library's helper threads */

/* path_of - name inside the test directory */
static const char *path_of(const char *name)
{
	static char p[256];
	snprintf(p, sizeof p, "%s/%s", t_tmpdir(), name);
	return p;
}

/* make - create name with text; an open descriptor, -1 on failure */
static int make(const char *name, const char *text)
{
	int fd = open(path_of(name), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd != -1 && write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void t_read(void)
{
	sa x = SA_ZERO;
	int fd = make("small", "hello\n");
	T_OK(fd != -1);
	close(fd);
	T_EQ_U(file_read(path_of("small"), &x, 100), 1);
	T_EQ_MEM(x.s, x.len, "hello\n", 6);
	T_EQ_U(file_read(path_of("small"), &x, 6), 1);
	T_EQ_U(x.len, 6);
	T_EQ_U(file_read(path_of("small"), &x, 5), (unsigned long long)-1);
	T_EQ_U(errno, EFBIG);
	T_EQ_U(file_read(path_of("absent"), &x, 100), 0);
	T_EQ_U(x.len, 0);
	T_EQ_U(file_read(path_of("small"), &x, (size_t)-1), 1);
	T_EQ_U(x.len, 6);
	sa_free(&x);
}

static void t_syncdir(void)
{
	T_OK(file_syncdir(t_tmpdir()));
	T_OK(!file_syncdir(path_of("absent")));
	T_EQ_U(errno, ENOENT);
}

static void t_syncall_many(void)
{
	int fd[NFILES + 1], err[NFILES + 1];
	size_t i;
	char name[32];
	for (i = 0; i < NFILES; ++i) {
		snprintf(name, sizeof name, "f%zu", i);
		fd[i] = make(name, "data\n");
		T_OK(fd[i] != -1);
		err[i] = -1;
	}
	fd[NFILES] = open(t_tmpdir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	err[NFILES] = -1;
	T_OK(fd[NFILES] != -1);
	T_EQ_U(file_syncall(fd, NFILES + 1, err), 1);
	for (i = 0; i <= NFILES; ++i)
		T_EQ_U(err[i], 0);
	/* again: a second round on clean files works too */
	T_EQ_U(file_syncall(fd, NFILES + 1, err), 1);
	T_EQ_U(err[NFILES], 0);
	for (i = 0; i <= NFILES; ++i)
		close(fd[i]);
}

static void t_syncall_fail(void)
{
	int fd[4], err[4], p[2];
	T_OK(pipe(p) == 0);
	fd[0] = make("g0", "x");
	fd[1] = p[0]; /* fsync of a pipe: EINVAL */
	fd[2] = make("g2", "y");
	fd[3] = 1000; /* not open: EBADF */
	T_EQ_U(file_syncall(fd, 4, err), 0);
	T_EQ_U(errno, EINVAL); /* the first failure */
	T_EQ_U(err[0], 0);
	T_EQ_U(err[1], EINVAL);
	T_EQ_U(err[2], 0);
	T_EQ_U(err[3], EBADF);
	/* one descriptor, and none */
	T_EQ_U(file_syncall(fd + 3, 1, err), 0);
	T_EQ_U(errno, EBADF);
	T_EQ_U(err[0], EBADF);
	T_EQ_U(file_syncall(fd, 1, err), 1);
	T_EQ_U(err[0], 0);
	T_EQ_U(file_syncall(fd, 0, err), 1);
	close(fd[0]);
	close(fd[2]);
	close(p[0]);
	close(p[1]);
}

const t_case t_cases[] = {
	T_CASE(t_read), T_CASE(t_syncdir), T_CASE(t_syncall_many), T_CASE(t_syncall_fail), T_END,
};
