/*
 * rec.c - reading the NUL-terminated records of todo/ID and the channel files, with
 * a bound on what is kept and an exact count of what was read (the count is how a
 * recipient is later marked done in place); and small sets of message ids, for the
 * few todo entries that need remembering. A set holds at most IDSET_MAX ids; beyond
 * that an id is simply not remembered, which costs a repeated warning, nothing more.
 */
#include <errno.h>
#include <string.h>

#include "alloc.h"
#include "send.h"
#include "size.h"

#define IDSET_MAX 10000 /* ids remembered per set */

/* rec_get - read one record from b into rec (replaced), keeping at most max bytes
 * and adding a NUL after them (not counted in rec->len); *len is the record's whole
 * length in the file, its NUL included. Returns 1 for a record (with *flags
 * REC_LONG and REC_CUT as they apply), 0 at the end of the file, -1 on error. */
int rec_get(buf *b, sa *rec, size_t max, uint64_t *len, unsigned *flags)
{
	int seen = 0;
	rec->len = 0;
	*len = 0;
	*flags = 0;
	for (;;) {
		size_t n, k, take;
		const char *s, *nul;
		ssize_t r = buf_feed(b);
		if (r < 0)
			return -1;
		if (r == 0) {
			if (!seen)
				return 0;
			*flags |= REC_CUT;
			break;
		}
		seen = 1;
		s = buf_peek(b, &n);
		nul = memchr(s, 0, n);
		k = nul ? (size_t)(nul - s) : n;
		take = k < max - rec->len ? k : max - rec->len;
		if (take < k)
			*flags |= REC_LONG;
		if (!sa_catb(rec, s, take))
			return -1;
		*len += k + (nul ? 1 : 0);
		buf_skip(b, k + (nul ? 1 : 0));
		if (nul)
			break;
	}
	if (!sa_0(rec))
		return -1;
	--rec->len;
	return 1;
}

/* idset_has - whether id is in x */
int idset_has(const idset *x, uint64_t id)
{
	size_t i;
	for (i = 0; i < x->n; ++i)
		if (x->v[i] == id)
			return 1;
	return 0;
}

/* idset_add - put id in x; 0 when the set is full or memory runs out */
int idset_add(idset *x, uint64_t id)
{
	if (idset_has(x, id))
		return 1;
	if (x->n >= IDSET_MAX) {
		errno = ENOSPC;
		return 0;
	}
	if (x->n == x->a) {
		size_t want = x->a ? 2 * x->a : 16, bytes;
		void *p = x->v;
		if (!size_mul(&bytes, want, sizeof *x->v) || !alloc_resize(&p, bytes))
			return 0;
		x->v = p;
		x->a = want;
	}
	x->v[x->n++] = id;
	return 1;
}

/* idset_del - take id out of x */
void idset_del(idset *x, uint64_t id)
{
	size_t i;
	for (i = 0; i < x->n; ++i)
		if (x->v[i] == id) {
			x->v[i] = x->v[--x->n];
			return;
		}
}
