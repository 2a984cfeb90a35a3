/* syncq.c - tests for the sync queue: a posted set is synced by the workers, its
 * end shows on syncq_fd, each descriptor gets its own result, and sets of any size
 * (none, one, more than there are workers) come back complete */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "syncq.h"

#define NFILES (2 * SYNCQ_THREADS + 3) /* more descriptors than workers */

static syncq q1, q2; /* the workers keep using a queue: it lives as long as they do */

/* make - create name in the test directory with text; an open descriptor */
static int make(const char *name, const char *text)
{
	char p[256];
	int fd;
	snprintf(p, sizeof p, "%s/%s", t_tmpdir(), name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd != -1 && write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* readable - whether q's descriptor becomes readable within ms milliseconds */
static int readable(syncq *q, int ms)
{
	struct pollfd p;
	p.fd = syncq_fd(q);
	p.events = POLLIN;
	return poll(&p, 1, ms) == 1;
}

static void t_many(void)
{
	syncq *q = &q1;
	int fd[NFILES + 1], err[NFILES + 1];
	size_t i;
	char name[32];
	T_OK(syncq_init(q));
	T_OK(!syncq_busy(q));
	T_OK(!syncq_done(q)); /* nothing posted */
	for (i = 0; i < NFILES; ++i) {
		snprintf(name, sizeof name, "f%zu", i);
		fd[i] = make(name, "data\n");
		T_OK(fd[i] != -1);
		err[i] = -1;
	}
	fd[NFILES] = open(t_tmpdir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	T_OK(fd[NFILES] != -1);
	err[NFILES] = -1;
	syncq_start(q, fd, NFILES + 1, err);
	T_OK(syncq_busy(q));
	T_OK(readable(q, 60000));
	T_OK(syncq_done(q));
	T_OK(!syncq_busy(q));
	T_OK(!readable(q, 0)); /* the end was read */
	for (i = 0; i <= NFILES; ++i)
		T_EQ_U(err[i], 0);
	T_OK(q->threads == SYNCQ_THREADS); /* started as needed, never more */
	/* a second set reuses the workers; syncq_wait blocks until it is done */
	for (i = 0; i <= NFILES; ++i)
		err[i] = -1;
	syncq_start(q, fd, 3, err);
	T_OK(syncq_wait(q));
	T_EQ_U(err[0], 0);
	T_EQ_U(err[2], 0);
	T_EQ_U(err[3], (unsigned long long)-1); /* not in the set: untouched */
	T_OK(!syncq_wait(q));                   /* nothing posted any more */
	T_OK(q->threads == SYNCQ_THREADS);
	for (i = 0; i <= NFILES; ++i)
		close(fd[i]);
}

static void t_fail(void)
{
	syncq *q = &q2;
	int fd[4], err[4], p[2];
	T_OK(syncq_init(q));
	T_OK(pipe(p) == 0);
	fd[0] = make("g0", "x");
	fd[1] = p[0]; /* fsync of a pipe: EINVAL */
	fd[2] = make("g2", "y");
	fd[3] = 1000; /* not open: EBADF */
	syncq_start(q, fd, 4, err);
	T_OK(syncq_wait(q));
	T_EQ_U(err[0], 0);
	T_EQ_U(err[1], EINVAL);
	T_EQ_U(err[2], 0);
	T_EQ_U(err[3], EBADF);
	T_OK(q->threads == 4); /* one worker per descriptor, at most SYNCQ_THREADS */
	/* one descriptor, and none: the end still shows */
	syncq_start(q, fd + 3, 1, err);
	T_OK(readable(q, 60000) && syncq_done(q));
	T_EQ_U(err[0], EBADF);
	syncq_start(q, fd, 0, err);
	T_OK(syncq_busy(q));
	T_OK(readable(q, 60000) && syncq_done(q));
	close(fd[0]);
	close(fd[2]);
	close(p[0]);
	close(p[1]);
}

const t_case t_cases[] = {
	T_CASE(t_many),
	T_CASE(t_fail),
	T_END,
};
