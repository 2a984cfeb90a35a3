/*
 * nsread.c - pull netstring events from a buf. Each read waits at most until the
 * connection's deadline; a netstring the peer leaves unfinished is an error.
 */
#include "nsread.h"

#include <errno.h>

#include "tm.h"

/* nsread_left - milliseconds until the deadline, at least 1 (0 would wait forever) */
unsigned nsread_left(const nsread *r)
{
	uint64_t now = tm_mono_ms();
	uint64_t left = r->deadline > now ? r->deadline - now : 1;
	return left > 0x7fffffffu ? 0x7fffffffu : (unsigned)left;
}

/* nsread_init - read from in until the deadline (a tm_mono_ms() value) */
void nsread_init(nsread *r, buf *in, uint64_t deadline)
{
	r->in = in;
	r->deadline = deadline;
	r->inside = 0;
	r->eof = 0;
}

/* nsread_next - the next event of p from r: NS_LEN, NS_DATA (*piece and *n the
 * payload bytes, valid until the next call) or NS_END; NS_ERROR with errno EPROTO
 * (syntax), EMSGSIZE (over the limit), ETIMEDOUT, EPIPE (end of input; r->eof set
 * when it came between netstrings) or a read error */
int nsread_next(nsread *r, ns *p, const char **piece, size_t *n)
{
	r->eof = 0;
	for (;;) {
		size_t avail, used;
		const char *s = buf_peek(r->in, &avail);
		int ev;
		if (!avail) {
			ssize_t got;
			if (tm_mono_ms() >= r->deadline) {
				errno = ETIMEDOUT;
				return NS_ERROR;
			}
			buf_settimeout(r->in, nsread_left(r));
			got = buf_feed(r->in);
			if (got == -1)
				return NS_ERROR;
			if (got == 0) {
				r->eof = !r->inside;
				errno = EPIPE;
				return NS_ERROR;
			}
			continue;
		}
		ev = ns_feed(p, s, avail, &used);
		buf_skip(r->in, used);
		if (used)
			r->inside = ev != NS_END;
		if (ev == NS_MORE)
			continue;
		*piece = s;
		*n = used;
		return ev;
	}
}
