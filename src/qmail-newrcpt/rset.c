/*
 * rset.c - the record set of qmail-newrcpt: append, sort, merge duplicates.
 */
#include "rset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "size.h"

/* rset_add2 - add the key a[0..alen) b[0..blen) with its flag; 0 out of memory */
int rset_add2(rset *r, const char *a, size_t alen, const char *b, size_t blen, int star)
{
	size_t off = r->text.len;
	if (memchr(a, 0, alen) || (blen && memchr(b, 0, blen))) {
		errno = EINVAL; /* a NUL would cut the key short */
		return 0;
	}
	if (r->n == r->a) {
		size_t na, bytes;
		void *p = r->v;
		if (!size_add(&na, r->a, r->a / 2 + 16) || !size_mul(&bytes, na, sizeof *r->v) ||
		    !alloc_resize(&p, bytes))
			return 0;
		r->v = p;
		r->a = na;
	}
	if (!sa_catc(&r->text, star ? '*' : '=') || !sa_catb(&r->text, a, alen) ||
	    (blen && !sa_catb(&r->text, b, blen)) || !sa_0(&r->text)) {
		r->text.len = off;
		return 0;
	}
	r->v[r->n++] = off;
	return 1;
}

/* rset_add - add key[0..len) with its flag; 0 out of memory */
int rset_add(rset *r, const char *key, size_t len, int star)
{
	return rset_add2(r, key, len, "", 0, star);
}

static const char *sort_text; /* qsort has no context argument: rset_sort sets this */

/* cmp - qsort order of two record offsets: by key, star first */
static int cmp(const void *x, const void *y)
{
	const char *a = sort_text + *(const size_t *)x;
	const char *b = sort_text + *(const size_t *)y;
	int c = strcmp(a + 1, b + 1);
	if (c)
		return c;
	return (a[0] != '*') - (b[0] != '*');
}

/* rset_sort - order the records by key and keep one per key, a star one if any */
void rset_sort(rset *r)
{
	size_t i, k;
	if (!r->n)
		return;
	sort_text = r->text.s;
	qsort(r->v, r->n, sizeof *r->v, cmp);
	sort_text = 0;
	for (i = 1, k = 1; i < r->n; ++i)
		if (strcmp(r->text.s + r->v[i] + 1, r->text.s + r->v[k - 1] + 1) != 0)
			r->v[k++] = r->v[i];
	r->n = k;
}

/* rset_key - record i: its key (NUL-terminated), *len its length, *star its flag */
const char *rset_key(const rset *r, size_t i, size_t *len, int *star)
{
	const char *s = r->text.s + r->v[i];
	*star = s[0] == '*';
	*len = strlen(s + 1);
	return s + 1;
}

/* rset_free - release the records */
void rset_free(rset *r)
{
	sa_free(&r->text);
	alloc_free(r->v);
	r->v = 0;
	r->n = r->a = 0;
}
