/*
 * syncq.h - fsync a set of descriptors on a few threads of our own, while the
 * caller goes on with other work and learns of the end through a descriptor.
 */
#ifndef SYNCQ_H
#define SYNCQ_H

#include <pthread.h>
#include <stddef.h>

#define SYNCQ_THREADS 16 /* most fsyncs in flight at once */

typedef struct syncq_s {
	pthread_mutex_t lock; /* guards everything below but the pipe */
	pthread_cond_t work;  /* signalled when a set is posted */
	int pipe[2];          /* a byte is written to pipe[1] when a set is done */
	unsigned threads;     /* workers started */
	const int *fd;        /* the set being synced */
	int *err;             /* its results */
	size_t n;             /* its size */
	size_t next;          /* the next descriptor a worker takes */
	size_t left;          /* fsyncs not yet finished */
	int busy;             /* a set is posted and not yet collected */
} syncq;

int syncq_init(syncq *q);
int syncq_fd(const syncq *q);
void syncq_start(syncq *q, const int *fd, size_t n, int *err);
int syncq_busy(const syncq *q);
int syncq_done(syncq *q);
int syncq_wait(syncq *q);

#endif
