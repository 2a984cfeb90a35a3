/*
 * pq.h - a priority queue of (key, value) pairs: a binary min-heap in one growable
 * array. Insert and removal of the smallest key cost O(log n); nothing walks the
 * whole queue except pq_clamp, which callers use for rare events (a signal).
 */
#ifndef PQ_H
#define PQ_H

#include <stddef.h>
#include <stdint.h>

typedef struct pq_item_s {
	uint64_t key; /* ordering: smallest first (a time, for schedulers) */
	uint64_t val; /* the caller's payload (a message id, ...) */
} pq_item;

typedef struct pq_s {
	pq_item *v; /* the heap: v[i] <= v[2i+1], v[2i+2]; owned; 0 until first growth */
	size_t n;   /* items in use */
	size_t a;   /* items allocated */
} pq;
/* clang-format off */
#define PQ_ZERO {0, 0, 0}
/* clang-format on */

int pq_push(pq *q, uint64_t key, uint64_t val);
int pq_top(const pq *q, pq_item *it);
void pq_pop(pq *q);
void pq_clamp(pq *q, uint64_t max);
void pq_free(pq *q);

#endif
