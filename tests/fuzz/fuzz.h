/*
 * fuzz.h - what the fuzz targets share. Each tests/fuzz/NAME.c defines
 * LLVMFuzzerTestOneInput: libFuzzer calls it directly, and driver.c calls it for
 * AFL++ or for replaying files. A broken invariant is a crash (CHECK prints the
 * condition and aborts), so both fuzzers record the input that broke it.
 * A "cut" turns a few input bytes into the piece sizes an incremental parser is fed
 * with, so that feeding in pieces is fuzzed as well as feeding all at once;
 * fuzzio.h does the same for targets that read through a buf.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_fail - report a broken invariant and crash, so the fuzzer keeps the input */
static inline _Noreturn void fuzz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
	abort();
}

#define CHECK(cond) ((cond) ? (void)0 : fuzz_fail(#cond, __FILE__, __LINE__))

/* fuzz_same - whether p[0..n) and q[0..m) are the same bytes */
static inline int fuzz_same(const void *p, size_t n, const void *q, size_t m)
{
	return n == m && (n == 0 || memcmp(p, q, n) == 0);
}

typedef struct fuzz_cut_s {
	unsigned char pat[4]; /* piece sizes, 1..64, used in turn */
	size_t i;             /* pieces cut so far */
} fuzz_cut;

/* fuzz_cut_init - a cut from one input byte: 0 means one byte at a time */
static inline void fuzz_cut_init(fuzz_cut *c, unsigned char b)
{
	size_t k;
	for (k = 0; k < 4; ++k)
		c->pat[k] = b ? (unsigned char)(((b >> (2 * k)) * 7 + k) % 64 + 1) : 1;
	c->i = 0;
}

/* fuzz_cut_next - the size of the next piece of the left bytes still to feed */
static inline size_t fuzz_cut_next(fuzz_cut *c, size_t left)
{
	size_t k = c->pat[c->i++ % 4];
	return k < left ? k : left;
}

/* fuzz_feeds - run feed over s[0..n) three ways: whole (cut 0), a byte at a time,
 * and in the pieces the input byte cb makes */
static inline void fuzz_feeds(void (*feed)(const char *s, size_t n, fuzz_cut *cut), const char *s,
			      size_t n, unsigned char cb)
{
	fuzz_cut cut;
	feed(s, n, 0);
	fuzz_cut_init(&cut, 0);
	feed(s, n, &cut);
	fuzz_cut_init(&cut, cb);
	feed(s, n, &cut);
}

/* fuzz_dec64 - model of a 64-bit decimal using all of s[0..n): 1 with its value in
 * *u (when u is not 0), or 0 when empty, not all digits, or above UINT64_MAX */
static inline int fuzz_dec64(const void *s, size_t n, uint64_t *u)
{
	const unsigned char *p = s;
	uint64_t v = 0;
	size_t i;
	if (!n)
		return 0;
	for (i = 0; i < n; ++i) {
		if (p[i] < '0' || p[i] > '9' || v > (UINT64_MAX - (uint64_t)(p[i] - '0')) / 10)
			return 0;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	if (u)
		*u = v;
	return 1;
}

/* fuzz_take - the first byte of *p (0 when none), moving past it */
static inline unsigned char fuzz_take(const uint8_t **p, size_t *n)
{
	unsigned char b;
	if (!*n)
		return 0;
	b = **p;
	++*p;
	--*n;
	return b;
}

#endif
