/*
 * lock.c - exclusive file locks through flock(2). lock_ex_timeout waits without
 * SIGALRM (callers keep alarm for their own timeouts): it polls with LOCK_NB against
 * a monotonic deadline, sleeping 1, 2, 4 ... up to 50 ms between attempts, so a
 * lock freed by another process is taken within about 50 ms.
 */
#include "lock.h"

#include <errno.h>
#include <sys/file.h>
#include <time.h>

#include "tm.h"

#define BACKOFF_MAX_MS 50

/* lock_op - flock, retried when a signal interrupts it */
static int lock_op(int fd, int op)
{
	for (;;) {
		if (flock(fd, op) == 0)
			return 1;
		if (errno != EINTR)
			return 0;
	}
}

/* lock_ex - wait as long as it takes for an exclusive lock */
int lock_ex(int fd)
{
	return lock_op(fd, LOCK_EX);
}

/* lock_exnb - take an exclusive lock only if it is free now; EWOULDBLOCK if held */
int lock_exnb(int fd)
{
	return lock_op(fd, LOCK_EX | LOCK_NB);
}

/* nap - sleep ms milliseconds; a signal merely ends the nap early */
static void nap(uint64_t ms)
{
	struct timespec ts;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	nanosleep(&ts, 0);
}

/* lock_ex_timeout - take an exclusive lock within ms milliseconds, else ETIMEDOUT;
 * errors other than "held by someone else" are reported at once */
int lock_ex_timeout(int fd, uint64_t ms)
{
	uint64_t now = tm_mono_ms(), deadline, wait = 1;
	if (__builtin_add_overflow(now, ms, &deadline))
		deadline = UINT64_MAX;
	for (;;) {
		if (lock_exnb(fd))
			return 1;
		if (errno != EWOULDBLOCK && errno != EAGAIN)
			return 0;
		now = tm_mono_ms();
		if (now >= deadline) {
			errno = ETIMEDOUT;
			return 0;
		}
		nap(wait < deadline - now ? wait : deadline - now);
		if (wait < BACKOFF_MAX_MS)
			wait = wait * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : wait * 2;
	}
}

/* lock_un - release the lock held through fd's open file description */
int lock_un(int fd)
{
	return lock_op(fd, LOCK_UN);
}
