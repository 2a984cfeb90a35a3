/*
 * envcheck.c - checking a queued envelope (todo/ID) before it is preprocessed. The
 * queue is trusted no more than a network peer (SPEC 0): a corrupt entry must be
 * recognised as a whole before anything is written, so it can be set aside instead
 * of half processed. The checker is a state machine over the bytes, kept apart from
 * the reading so that tests and fuzzers can drive it; memory is fixed (one record
 * of ENVCHECK_MAX bytes) however long the input. The first problem found sticks.
 */
#include "envcheck.h"

#include <string.h>

#include "scan.h"

/* envcheck_init - a checker at the start of an envelope */
void envcheck_init(envcheck *e)
{
	e->len = 0;
	e->over = 0;
	e->open = 0;
	e->sender = 0;
	e->nrcpt = 0;
	e->uid = 0;
	e->qp = 0;
	e->why = 0;
}

/* record - judge the complete record in e->rec; sets e->why on a problem */
static void record(envcheck *e)
{
	if (e->over) {
		e->why = "overlong record";
		return;
	}
	switch (e->len ? e->rec[0] : 0) {
	case 'u':
	case 'p':
		if (!scan_u64_all(e->rec + 1, e->len - 1, e->rec[0] == 'u' ? &e->uid : &e->qp))
			e->why = "bad number";
		break;
	case 'F':
		if (e->sender++)
			e->why = "second sender";
		break;
	case 'T':
		if (!e->sender)
			e->why = "recipient before sender";
		else
			++e->nrcpt;
		break;
	default:
		e->why = "unknown record type";
	}
}

/* envcheck_feed - the next n bytes of the envelope; nothing more is looked at
 * after the first problem */
void envcheck_feed(envcheck *e, const char *p, size_t n)
{
	while (n && !e->why) {
		const char *nul = memchr(p, 0, n);
		size_t k = nul ? (size_t)(nul - p) : n;
		size_t room = ENVCHECK_MAX - e->len;
		size_t take = k < room ? k : room;
		memcpy(e->rec + e->len, p, take);
		e->len += take;
		if (take < k)
			e->over = 1;
		e->open = 1;
		if (!nul)
			return;
		record(e);
		e->len = 0;
		e->over = 0;
		e->open = 0;
		p += k + 1;
		n -= k + 1;
	}
}

/* envcheck_end - the envelope is complete: 1 if it is good, else 0 with e->why */
int envcheck_end(envcheck *e)
{
	if (!e->why && e->open)
		e->why = "truncated record";
	if (!e->why && !e->sender)
		e->why = "no sender";
	return e->why == 0;
}

/* envcheck_bytes - check the whole envelope p[0..n) at once; as envcheck_end */
int envcheck_bytes(envcheck *e, const char *p, size_t n)
{
	envcheck_init(e);
	envcheck_feed(e, p, n);
	return envcheck_end(e);
}
