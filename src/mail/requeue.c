/*
 * requeue.c - one qmail-queue run for a message read from a descriptor. A read error
 * must never queue a truncated message: qq_fail makes qq_finish send no envelope,
 * so the queue program gives up and nothing is queued.
 */
#include "requeue.h"

#include <errno.h>

#include "buf.h"

/* requeue - for a started q: head[0..hlen), then fd to the end, from sender to
 * rcpt[0..n); "" when queued, else a D or Z report. *rerr is 1 (errno kept) when fd
 * could not be read, and then nothing was queued; 0 otherwise */
const char *requeue(qq *q, int fd, const char *head, size_t hlen, const char *sender,
		    char *const *rcpt, size_t n, int *rerr)
{
	char space[8192];
	buf in;
	size_t i;
	ssize_t r;
	int e = 0;
	const char *text;
	qq_put(q, head, hlen);
	buf_init(&in, fd, space, sizeof space);
	while ((r = buf_feed(&in)) > 0) {
		const char *s;
		size_t k;
		s = buf_peek(&in, &k);
		qq_put(q, s, k);
		buf_skip(&in, k);
	}
	if (r < 0) {
		e = errno;
		qq_fail(q);
	}
	qq_from(q, sender);
	for (i = 0; i < n; ++i)
		qq_to(q, rcpt[i]);
	text = qq_finish(q);
	*rerr = r < 0;
	if (r < 0) {
		errno = e;
		return "Zunable to read message (#4.3.0)";
	}
	return text;
}
