/*
 * sa.c - growable byte strings. Growth asks for need + need/8 + 32 bytes so that
 * appending is amortised O(1); every sum is checked with size_add, and when the
 * slack would overflow, exactly the needed size is tried instead.
 */
#include "sa.h"

#include <errno.h>
#include <string.h>

#include "alloc.h"
#include "fmt.h"
#include "size.h"

/* sa_ready - make room for n bytes in all; contents and len are kept */
int sa_ready(sa *x, size_t n)
{
	size_t want;
	void *p;
	if (x->s && n <= x->a)
		return 1;
	if (!size_add(&want, n, n / 8) || !size_add(&want, want, 32))
		want = n;
	p = x->s;
	if (!alloc_resize(&p, want))
		return 0;
	x->s = p;
	x->a = want;
	return 1;
}

/* sa_readyplus - make room for n more bytes after len */
int sa_readyplus(sa *x, size_t n)
{
	size_t need;
	if (!size_add(&need, x->len, n))
		return 0;
	return sa_ready(x, need);
}

/* sa_catb - append n bytes; s may point into x itself */
int sa_catb(sa *x, const char *s, size_t n)
{
	size_t off = 0;
	int inside = x->s && n && s >= x->s && s < x->s + x->a;
	if (inside)
		off = (size_t)(s - x->s);
	if (!sa_readyplus(x, n))
		return 0;
	if (inside)
		s = x->s + off;
	if (n)
		memmove(x->s + x->len, s, n);
	x->len += n;
	return 1;
}

/* sa_copyb - replace the contents with n bytes; s may point into x itself */
int sa_copyb(sa *x, const char *s, size_t n)
{
	if (x->s && s >= x->s && s < x->s + x->a) {
		memmove(x->s, s, n);
		x->len = n;
		return 1;
	}
	if (!sa_ready(x, n))
		return 0;
	if (n)
		memcpy(x->s, s, n);
	x->len = n;
	return 1;
}

/* sa_copys - replace the contents with a C string (without its NUL) */
int sa_copys(sa *x, const char *s)
{
	return sa_copyb(x, s, strlen(s));
}

/* sa_copy - replace the contents with those of y */
int sa_copy(sa *x, const sa *y)
{
	return sa_copyb(x, y->s, y->len);
}

/* sa_cats - append a C string (without its NUL) */
int sa_cats(sa *x, const char *s)
{
	return sa_catb(x, s, strlen(s));
}

/* sa_cat - append the contents of y */
int sa_cat(sa *x, const sa *y)
{
	return sa_catb(x, y->s, y->len);
}

/* sa_catc - append one byte */
int sa_catc(sa *x, char c)
{
	return sa_catb(x, &c, 1);
}

/* sa_catu - append u in decimal */
int sa_catu(sa *x, uint64_t u)
{
	char buf[FMT_U64];
	return sa_catb(x, buf, fmt_u64(buf, u));
}

/* sa_catvis - append s[0..n) with every byte outside printable ASCII (0x20..0x7e)
 * made '_', so text from outside can be shown on a terminal; s may point into x */
int sa_catvis(sa *x, const char *s, size_t n)
{
	size_t i = x->len;
	if (!sa_catb(x, s, n))
		return 0;
	for (; i < x->len; ++i) {
		unsigned char c = (unsigned char)x->s[i];
		if (c < 0x20 || c > 0x7e)
			x->s[i] = '_';
	}
	return 1;
}

/* sa_0 - append a NUL, so x->s can be used as a C string; len counts it */
int sa_0(sa *x)
{
	return sa_catb(x, "", 1);
}

/* sa_starts - whether the contents begin with prefix */
int sa_starts(const sa *x, const char *prefix)
{
	size_t n = strlen(prefix);
	return x->len >= n && (n == 0 || memcmp(x->s, prefix, n) == 0);
}

/* sa_free - release the storage; x is SA_ZERO afterwards */
void sa_free(sa *x)
{
	alloc_free(x->s);
	x->s = 0;
	x->len = 0;
	x->a = 0;
}
