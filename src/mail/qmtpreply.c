/*
 * qmtpreply.c - read QMTP replies. The netstring syntax is ns.c's (no leading zeros,
 * no spaces, a final comma); on top of it a reply must be at least its letter, the
 * letter one of K, Z, D, and the text free of NUL (it ends up in a NUL-terminated
 * report). Anything else is EPROTO and stops the reader for good.
 */
#include "qmtpreply.h"

#include <errno.h>

#include "str.h"

/* qmtpreply_init - a reader at the start of the first reply; q starts as
 * QMTPREPLY_ZERO (or is a reader used before: its text storage is kept) */
void qmtpreply_init(qmtpreply *q)
{
	ns_init(&q->p, QMTPREPLY_MAX);
	q->text.len = 0;
	q->err = 0;
}

/* stop - stop the reader with errno e */
static int stop(qmtpreply *q, int e)
{
	q->err = e;
	errno = e;
	return -1;
}

/* qmtpreply_feed - push n bytes: 1 when a reply is complete (in q->text; *used
 * counts the bytes up to its comma, the rest belongs to the next reply), 0 when
 * every byte was consumed without completing one, -1 with errno EPROTO (bad
 * syntax, empty reply, unknown letter, NUL in the text), EMSGSIZE (longer than
 * QMTPREPLY_MAX) or ENOMEM */
int qmtpreply_feed(qmtpreply *q, const char *s, size_t n, size_t *used)
{
	int x;
	*used = 0;
	if (q->err)
		return stop(q, q->err);
	x = ns_get(&q->p, &q->text, s, n, used);
	if (x == -1)
		return stop(q, errno);
	if (x == 0)
		return 0;
	if (!q->text.len || (q->text.s[0] != 'K' && q->text.s[0] != 'Z' && q->text.s[0] != 'D') ||
	    byte_chr(q->text.s, q->text.len, 0) != q->text.len)
		return stop(q, EPROTO);
	return 1;
}

/* qmtpreply_free - release the text */
void qmtpreply_free(qmtpreply *q)
{
	sa_free(&q->text);
}
