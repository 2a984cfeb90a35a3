/*
 * fuzzio.h - input from memory for the fuzz targets that read through a buf: a
 * buf_op that hands the bytes out in short reads of a chosen size, failing every
 * other read with EINTR when asked (buf must retry it), so that the way a stream is
 * cut into reads is fuzzed along with its contents.
 */
#ifndef FUZZIO_H
#define FUZZIO_H

#include <errno.h>
#include <string.h>
#include <sys/types.h>

#include "buf.h"

typedef struct fuzz_src_s {
	const char *s; /* the bytes still to read */
	size_t n;      /* how many */
	size_t step;   /* the most one read returns (at least 1) */
	int intr;      /* alternate reads fail with EINTR */
} fuzz_src;

/* fuzz_src_read - a buf_op reading from the fuzz_src ctx, in short reads */
static inline ssize_t fuzz_src_read(int fd, void *p, size_t n, void *ctx)
{
	fuzz_src *x = ctx;
	size_t k = n < x->step ? n : x->step;
	(void)fd;
	if (x->intr && (x->intr ^= 2) & 2) {
		errno = EINTR;
		return -1;
	}
	if (k > x->n)
		k = x->n;
	if (!k)
		return 0;
	memcpy(p, x->s, k);
	x->s += k;
	x->n -= k;
	return (ssize_t)k;
}

/* fuzz_reader - set b up, on space[0..size), to read s[0..n) through x in reads of
 * at most step bytes, every other one interrupted when intr is set */
static inline void fuzz_reader(buf *b, char *space, size_t size, fuzz_src *x, const char *s,
			       size_t n, size_t step, int intr)
{
	x->s = s;
	x->n = n;
	x->step = step;
	x->intr = intr ? 1 : 0;
	buf_init(b, -1, space, size);
	buf_setop(b, fuzz_src_read, x);
}

#endif
