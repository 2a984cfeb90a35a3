/* file.c - tests for file_read and file_syncdir */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "harness.h"

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

/* t_startsync - a written file: started, and still all there; a pipe: ESPIPE */
static void t_startsync(void)
{
	char got[5] = {0};
	int p[2];
	int fd = open(path_of("started"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	T_OK(fd >= 0);
	T_OK(write(fd, "four", 4) == 4);
	T_OK(file_startsync(fd));
	T_OK(fsync(fd) == 0);
	T_OK(pread(fd, got, 4, 0) == 4 && memcmp(got, "four", 4) == 0);
	close(fd);
	T_OK(pipe(p) == 0);
	errno = 0;
	T_OK(!file_startsync(p[1]));
	T_EQ_U(errno, ESPIPE);
	close(p[0]);
	close(p[1]);
}

const t_case t_cases[] = {
	T_CASE(t_read),
	T_CASE(t_syncdir),
	T_CASE(t_startsync),
	T_END,
};
