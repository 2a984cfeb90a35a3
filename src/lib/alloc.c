/*
 * alloc.c - malloc and realloc wrappers that never return a zero-sized block and
 * always leave errno ENOMEM (or EOVERFLOW) on failure.
 */
#include "alloc.h"

#include <errno.h>
#include <stdlib.h>

#include "size.h"

/* alloc - n bytes (at least 1); 0 with errno ENOMEM on failure */
void *alloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		errno = ENOMEM;
	return p;
}

/* alloc_array - count objects of size bytes; the product is checked */
void *alloc_array(size_t count, size_t size)
{
	size_t n;
	if (!size_mul(&n, count, size))
		return 0;
	return alloc(n);
}

/* alloc_resize - grow or shrink *p to n bytes; *p is untouched on failure */
int alloc_resize(void **p, size_t n)
{
	void *q = realloc(*p, n ? n : 1);
	if (!q) {
		errno = ENOMEM;
		return 0;
	}
	*p = q;
	return 1;
}

/* alloc_free - free a block from alloc; 0 is allowed */
void alloc_free(void *p)
{
	free(p);
}
