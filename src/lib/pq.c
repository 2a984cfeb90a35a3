/*
 * pq.c - binary min-heap. Items with equal keys come out in no particular order.
 * The array grows by half its size (checked), and never shrinks until pq_free.
 */
#include "pq.h"

#include <errno.h>

#include "alloc.h"
#include "size.h"

/* grow - room for one more item */
static int grow(pq *q)
{
	size_t want, bytes;
	void *p = q->v;
	if (q->n < q->a)
		return 1;
	if (!size_add(&want, q->a, q->a / 2) || !size_add(&want, want, 16) ||
	    !size_mul(&bytes, want, sizeof *q->v))
		return 0;
	if (!alloc_resize(&p, bytes))
		return 0;
	q->v = p;
	q->a = want;
	return 1;
}

/* pq_push - insert key with val; 0 with errno when memory runs out (q unchanged) */
int pq_push(pq *q, uint64_t key, uint64_t val)
{
	size_t i;
	if (!grow(q))
		return 0;
	i = q->n++;
	while (i > 0) {
		size_t up = (i - 1) / 2;
		if (q->v[up].key <= key)
			break;
		q->v[i] = q->v[up];
		i = up;
	}
	q->v[i].key = key;
	q->v[i].val = val;
	return 1;
}

/* pq_top - copy the item with the smallest key into *it; 0 when q is empty */
int pq_top(const pq *q, pq_item *it)
{
	if (!q->n)
		return 0;
	*it = q->v[0];
	return 1;
}

/* pq_pop - remove the item with the smallest key (nothing when q is empty) */
void pq_pop(pq *q)
{
	pq_item last;
	size_t i = 0;
	if (!q->n)
		return;
	last = q->v[--q->n];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= q->n)
			break;
		if (c + 1 < q->n && q->v[c + 1].key < q->v[c].key)
			++c;
		if (last.key <= q->v[c].key)
			break;
		q->v[i] = q->v[c];
		i = c;
	}
	if (q->n)
		q->v[i] = last;
}

/* pq_clamp - lower every key above max to max. min(key, max) never reverses the
 * order of two keys, so the heap stays valid without reordering. */
void pq_clamp(pq *q, uint64_t max)
{
	size_t i;
	for (i = 0; i < q->n; ++i)
		if (q->v[i].key > max)
			q->v[i].key = max;
}

/* pq_free - release the storage; q is empty and reusable afterwards */
void pq_free(pq *q)
{
	alloc_free(q->v);
	q->v = 0;
	q->n = q->a = 0;
}
