/* pq.c - tests for the priority queue (binary min-heap) */
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"
#include "pq.h"

static void t_empty(void)
{
	pq q = PQ_ZERO;
	pq_item it = {7, 7};
	T_EQ_U(pq_top(&q, &it), 0);
	T_EQ_U(it.key, 7);
	pq_pop(&q); /* harmless on an empty queue */
	T_EQ_U(q.n, 0);
	pq_clamp(&q, 0);
	pq_free(&q);
	T_OK(q.v == 0);
}

static void t_order(void)
{
	static const uint64_t keys[] = {50, 10, 40, 10, 0, UINT64_MAX, 30, 20, 20, 5};
	pq q = PQ_ZERO;
	pq_item it;
	size_t i;
	uint64_t last = 0;
	for (i = 0; i < sizeof keys / sizeof keys[0]; ++i)
		T_OK(pq_push(&q, keys[i], i));
	T_EQ_U(q.n, 10);
	T_OK(pq_top(&q, &it));
	T_EQ_U(it.key, 0);
	T_EQ_U(it.val, 4);
	for (i = 0; i < 10; ++i) {
		T_OK(pq_top(&q, &it));
		T_OK(it.key >= last);
		T_EQ_U(keys[it.val], it.key);
		last = it.key;
		pq_pop(&q);
	}
	T_EQ_U(last, UINT64_MAX);
	T_EQ_U(pq_top(&q, &it), 0);
	pq_free(&q);
}

/* heap_ok - every parent is at most each of its children */
static int heap_ok(const pq *q)
{
	size_t i;
	for (i = 1; i < q->n; ++i)
		if (q->v[(i - 1) / 2].key > q->v[i].key)
			return 0;
	return 1;
}

static void t_random(void)
{
	pq q = PQ_ZERO;
	pq_item it;
	size_t i, bad = 0, out = 0;
	uint64_t last = 0;
	srand(12345);
	for (i = 0; i < 20000; ++i) {
		if (!pq_push(&q, (uint64_t)rand() % 1000, i))
			++bad;
		if (i % 3 == 0)
			pq_pop(&q);
	}
	T_EQ_U(bad, 0);
	T_OK(heap_ok(&q));
	T_EQ_U(q.n, 20000 - 6667);
	while (pq_top(&q, &it)) {
		if (it.key < last)
			++bad;
		last = it.key;
		pq_pop(&q);
		++out;
	}
	T_EQ_U(bad, 0);
	T_EQ_U(out, 13333);
	pq_free(&q);
}

static void t_clamp(void)
{
	pq q = PQ_ZERO;
	pq_item it;
	uint64_t k;
	size_t n = 0;
	for (k = 1; k <= 100; ++k)
		T_OK(pq_push(&q, k * 7 % 101, k));
	pq_clamp(&q, 50);
	T_OK(heap_ok(&q));
	while (pq_top(&q, &it)) {
		T_OK(it.key <= 50);
		pq_pop(&q);
		T_OK(heap_ok(&q));
		++n;
	}
	T_EQ_U(n, 100);
	/* reusable after being emptied and after pq_free */
	T_OK(pq_push(&q, 3, 33));
	pq_free(&q);
	T_OK(pq_push(&q, 4, 44));
	T_OK(pq_top(&q, &it));
	T_EQ_U(it.val, 44);
	pq_free(&q);
}

const t_case t_cases[] = {T_CASE(t_empty), T_CASE(t_order), T_CASE(t_random), T_CASE(t_clamp),
			  T_END};
