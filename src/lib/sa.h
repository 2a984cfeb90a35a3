/*
 * sa.h - growable byte strings ("stralloc"). Every length is size_t and every growth
 * is overflow-checked; a string that cannot grow reports failure and stays as it was.
 * NUL termination is never implicit: sa_0 appends one where a C string is needed.
 */
#ifndef SA_H
#define SA_H

#include <stddef.h>
#include <stdint.h>

typedef struct sa_s {
	char *s;    /* the bytes; 0 until the first growth; owned by this object */
	size_t len; /* bytes in use */
	size_t a;   /* bytes allocated */
} sa;
/* clang-format off */
#define SA_ZERO {0, 0, 0}
/* clang-format on */

int sa_ready(sa *x, size_t n);
int sa_readyplus(sa *x, size_t n);
int sa_copyb(sa *x, const char *s, size_t n);
int sa_copys(sa *x, const char *s);
int sa_copy(sa *x, const sa *y);
int sa_catb(sa *x, const char *s, size_t n);
int sa_cats(sa *x, const char *s);
int sa_cat(sa *x, const sa *y);
int sa_catc(sa *x, char c);
int sa_catu(sa *x, uint64_t u);
int sa_catvis(sa *x, const char *s, size_t n);
int sa_0(sa *x);
int sa_starts(const sa *x, const char *prefix);
void sa_free(sa *x);

#endif
