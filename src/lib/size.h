/*
 * size.h - checked size arithmetic. Every sum and product of sizes in the suite goes
 * through these, so a length can never wrap (the CVE-2005-1513 class of bug).
 */
#ifndef SIZE_H
#define SIZE_H

#include <errno.h>
#include <stddef.h>

/* size_add - *r = a + b; 1 on success, 0 with errno EOVERFLOW if it would wrap */
static inline int size_add(size_t *r, size_t a, size_t b)
{
	if (__builtin_add_overflow(a, b, r)) {
		errno = EOVERFLOW;
		return 0;
	}
	return 1;
}

/* size_mul - *r = a * b; 1 on success, 0 with errno EOVERFLOW if it would wrap */
static inline int size_mul(size_t *r, size_t a, size_t b)
{
	if (__builtin_mul_overflow(a, b, r)) {
		errno = EOVERFLOW;
		return 0;
	}
	return 1;
}

#endif
