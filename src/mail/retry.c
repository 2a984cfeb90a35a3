/*
 * retry.c - the retry schedule. Integer arithmetic only (no floating point, so no
 * rounding surprises near perfect squares), saturating instead of wrapping.
 */
#include "retry.h"

/* retry_isqrt - floor(sqrt(x)) for any 64-bit x, by Newton's method on integers */
uint64_t retry_isqrt(uint64_t x)
{
	uint64_t r, y;
	if (x < 2)
		return x;
	r = x / 2 + 1 < 4294967295u ? x / 2 + 1 : 4294967295u; /* r >= sqrt(x) */
	for (;;) {
		y = (r + x / r) / 2;
		if (y >= r)
			break;
		r = y;
	}
	while (r * r > x) /* guard; Newton from above already gives the floor */
		--r;
	return r;
}

/* retry_next - the time of the next pass after one at now; always later than now.
 * A clock that went backwards (now < birth) counts as now == birth. */
uint64_t retry_next(uint64_t birth, uint64_t now, uint64_t skip)
{
	uint64_t n, sq, t;
	n = now > birth ? retry_isqrt(now - birth) : 0;
	if (__builtin_add_overflow(n, skip, &n) || __builtin_mul_overflow(n, n, &sq) ||
	    __builtin_add_overflow(birth, sq, &t))
		return UINT64_MAX;
	return t;
}

/* retry_dying - whether a message born at birth has outlived lifetime by now */
int retry_dying(uint64_t birth, uint64_t now, uint64_t lifetime)
{
	return now > birth && now - birth > lifetime;
}
