/*
 * syncq.c - fsync a set of descriptors concurrently, without waiting for it. A disk
 * flush costs milliseconds and the kernel merges flushes that are in flight
 * together, so a set synced by several threads at once takes about as long as two
 * fsyncs; and a caller with other work (qmail-send's main loop) goes on meanwhile
 * and polls syncq_fd, which becomes readable when the whole set is done. Each
 * descriptor still gets its own complete fsync; only the waiting is shared.
 *
 * The workers are threads of our own, started on first use (up to SYNCQ_THREADS)
 * and kept for the life of the process: the C library's aio_fsync starts and ends
 * helper threads as its load comes and goes, which cost more than the fsyncs'
 * overlap saved in a program that syncs a small set many times a second. The
 * workers only ever call fsync(2) on descriptors the caller keeps open until the
 * set is collected; they block every signal, so handlers run in the caller's
 * thread. When no worker can be started the set is synced in turn by the caller.
 * One set is in flight at a time. The workers are never stopped, so a queue must
 * live as long as the process (static storage), and is never freed.
 */
#include "syncq.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#define STACK (64 * 1024) /* a worker's stack: it only calls fsync */

/* worker - take descriptors of the posted set one at a time and fsync them; the
 * one that finishes the set writes the byte */
static void *worker(void *arg)
{
	syncq *q = arg;
	pthread_mutex_lock(&q->lock);
	for (;;) {
		size_t i;
		int e;
		while (q->next == q->n)
			pthread_cond_wait(&q->work, &q->lock);
		i = q->next++;
		pthread_mutex_unlock(&q->lock);
		e = fsync(q->fd[i]) == 0 ? 0 : errno;
		pthread_mutex_lock(&q->lock);
		q->err[i] = e;
		if (--q->left == 0) {
			while (write(q->pipe[1], "", 1) == -1 && errno == EINTR)
				;
		}
	}
	return 0;
}

/* more - start workers until there are want (at most SYNCQ_THREADS); the number
 * running afterwards */
static unsigned more(syncq *q, size_t want)
{
	pthread_attr_t a;
	sigset_t all, old;
	if (want > SYNCQ_THREADS)
		want = SYNCQ_THREADS;
	if (q->threads >= want || pthread_attr_init(&a) != 0)
		return q->threads;
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&a, STACK);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	while (q->threads < want) {
		pthread_t t;
		if (pthread_create(&t, &a, worker, q) != 0)
			break;
		++q->threads;
	}
	pthread_sigmask(SIG_SETMASK, &old, 0);
	pthread_attr_destroy(&a);
	return q->threads;
}

/* syncq_init - an idle queue with no workers yet, in storage that lasts as long
 * as the process; 0 with errno if its pipe or lock cannot be made */
int syncq_init(syncq *q)
{
	if (pipe(q->pipe) == -1)
		return 0;
	if (fcntl(q->pipe[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(q->pipe[1], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(q->pipe[0], F_SETFL, O_NONBLOCK) == -1 || pthread_mutex_init(&q->lock, 0) != 0 ||
	    pthread_cond_init(&q->work, 0) != 0) {
		int e = errno;
		close(q->pipe[0]);
		close(q->pipe[1]);
		errno = e ? e : ENOMEM;
		return 0;
	}
	q->threads = 0;
	q->fd = 0;
	q->err = 0;
	q->n = q->next = q->left = 0;
	q->busy = 0;
	return 1;
}

/* syncq_fd - readable when the posted set is done */
int syncq_fd(const syncq *q)
{
	return q->pipe[0];
}

/* syncq_start - post the set fd[0..n-1]; err[i] will hold 0 or the errno of fd[i]'s
 * fsync. fd and err must stay valid, and the descriptors open, until the set is
 * collected (syncq_done or syncq_wait). No set may be in flight. */
void syncq_start(syncq *q, const int *fd, size_t n, int *err)
{
	size_t i;
	q->busy = 1;
	if (!n || !more(q, n)) {
		for (i = 0; i < n; ++i)
			err[i] = fsync(fd[i]) == 0 ? 0 : errno;
		while (write(q->pipe[1], "", 1) == -1 && errno == EINTR)
			;
		return;
	}
	pthread_mutex_lock(&q->lock);
	q->fd = fd;
	q->err = err;
	q->n = n;
	q->next = 0;
	q->left = n;
	for (i = 0; i < n && i < q->threads; ++i) /* one worker per fsync, not all of them */
		pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->lock);
}

/* syncq_busy - whether a set is posted and not yet collected */
int syncq_busy(const syncq *q)
{
	return q->busy;
}

/* collect - the set is done (its byte was read): forget it */
static int collect(syncq *q)
{
	pthread_mutex_lock(&q->lock);
	q->fd = 0;
	q->err = 0;
	q->n = q->next = 0;
	pthread_mutex_unlock(&q->lock);
	q->busy = 0;
	return 1;
}

/* syncq_done - after syncq_fd was readable: 1 when the set is done and collected
 * (its err[] filled in), 0 when it is still in flight */
int syncq_done(syncq *q)
{
	char c;
	return q->busy && read(q->pipe[0], &c, 1) == 1 ? collect(q) : 0;
}

/* syncq_wait - wait until the posted set is done and collect it; 1, or 0 when no
 * set was posted */
int syncq_wait(syncq *q)
{
	struct pollfd p;
	if (!q->busy)
		return 0;
	p.fd = q->pipe[0];
	p.events = POLLIN;
	while (!syncq_done(q))
		poll(&p, 1, -1);
	return 1;
}
