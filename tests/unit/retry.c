/* retry.c - tests for the retry schedule and queue lifetime */
#include <stdint.h>

#include "harness.h"
#include "retry.h"

static void t_isqrt(void)
{
	static const struct {
		uint64_t x, r;
	} t[] = {
		{0, 0},
		{1, 1},
		{2, 1},
		{3, 1},
		{4, 2},
		{8, 2},
		{9, 3},
		{99, 9},
		{100, 10},
		{101, 10},
		{4294967295u, 65535},
		{4294967296u, 65536},
		{UINT64_C(18446744065119617025), 4294967295u}, /* (2^32-1)^2 */
		{UINT64_C(18446744065119617024), 4294967294u},
		{UINT64_MAX, 4294967295u},
	};
	size_t i;
	for (i = 0; i < sizeof t / sizeof t[0]; ++i)
		T_EQ_U(retry_isqrt(t[i].x), t[i].r);
	for (i = 0; i < 100000; ++i) {
		uint64_t r = retry_isqrt(i);
		if (r * r > i || (r + 1) * (r + 1) <= i)
			T_OK(0);
	}
}

/* t_schedule - attempts on time fall exactly at birth + (skip k)^2 */
static void t_schedule(void)
{
	uint64_t birth = 1700000000, t = birth, k;
	for (k = 1; k <= 40; ++k) {
		t = retry_next(birth, t, RETRY_LOCAL);
		T_EQ_U(t, birth + (10 * k) * (10 * k));
	}
	t = birth;
	for (k = 1; k <= 40; ++k) {
		t = retry_next(birth, t, RETRY_REMOTE);
		T_EQ_U(t, birth + (20 * k) * (20 * k));
	}
	/* the remote schedule gives about 39 attempts in a week (SPEC 12) */
	t = birth;
	for (k = 1; t <= birth + RETRY_LIFETIME; ++k)
		t = retry_next(birth, t, RETRY_REMOTE);
	T_EQ_U(k - 1, 39);
}

static void t_late(void)
{
	uint64_t b = 1000;
	T_EQ_U(retry_next(b, b, 10), b + 100);
	T_EQ_U(retry_next(b, b + 99, 10), b + 19 * 19);   /* isqrt(99) = 9 */
	T_EQ_U(retry_next(b, b + 150, 10), b + 22 * 22);  /* isqrt(150) = 12 */
	T_EQ_U(retry_next(b, b + 1600, 20), b + 60 * 60); /* isqrt(1600) = 40 */
	T_EQ_U(retry_next(b, b - 500, 20), b + 400);      /* clock went back */
	T_EQ_U(retry_next(b, 0, 10), b + 100);
	/* always strictly later than now */
	for (uint64_t now = b; now < b + 5000; now += 7)
		if (retry_next(b, now, RETRY_LOCAL) <= now)
			T_OK(0);
}

static void t_saturate(void)
{
	T_EQ_U(retry_next(UINT64_MAX - 50, UINT64_MAX - 50, 10), UINT64_MAX);
	T_EQ_U(retry_next(0, UINT64_MAX, 10), UINT64_MAX); /* (2^32 + 9)^2 wraps */
	T_EQ_U(retry_next(0, UINT64_MAX, 0), UINT64_C(18446744065119617025));
	T_EQ_U(retry_next(0, 0, UINT64_MAX), UINT64_MAX);
	T_EQ_U(retry_next(UINT64_MAX, 0, 0), UINT64_MAX);
}

static void t_dying(void)
{
	T_EQ_U(retry_dying(1000, 1000 + RETRY_LIFETIME, RETRY_LIFETIME), 0);
	T_EQ_U(retry_dying(1000, 1001 + RETRY_LIFETIME, RETRY_LIFETIME), 1);
	T_EQ_U(retry_dying(1000, 500, RETRY_LIFETIME), 0);
	T_EQ_U(retry_dying(1000, 1001, 0), 1);
	T_EQ_U(retry_dying(1000, 1000, 0), 0);
	T_EQ_U(retry_dying(0, UINT64_MAX, UINT64_MAX), 0);
	T_EQ_U(retry_dying(0, UINT64_MAX, UINT64_MAX - 1), 1);
}

const t_case t_cases[] = {T_CASE(t_isqrt),    T_CASE(t_schedule), T_CASE(t_late),
			  T_CASE(t_saturate), T_CASE(t_dying),    T_END};
