/*
 * rcpthosts.c - control/rcpthosts and control/morercpthosts.cdb.
 *
 * With no control/rcpthosts every domain is accepted (qmail's rule). Else a
 * recipient's domain (after its last '@', in lower case) is accepted when it, or one
 * of its ".suffix" tails cut at a dot, is a line of rcpthosts or a key of
 * morercpthosts.cdb; a recipient without '@' is always accepted (qmail-send treats it
 * as local). The list is sorted once, so each look-up is a binary search.
 */
#include "rcpthosts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "control.h"
#include "str.h"

/* cmp_item - qsort order of two items */
static int cmp_item(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ctlset_load - read list file name into x, lower case and sorted: -1, 0 absent, 1 */
int ctlset_load(ctlset *x, const char *name)
{
	size_t i, k;
	int r = control_readlist(&x->text, name);
	if (r != 1)
		return r;
	case_lowerb(x->text.s, x->text.len);
	for (i = 0, x->n = 0; i < x->text.len; ++i)
		if (!x->text.s[i])
			++x->n;
	if (!x->n)
		return 1;
	x->v = alloc_array(x->n, sizeof *x->v);
	if (!x->v)
		return -1;
	for (i = 0, k = 0; k < x->n; ++k) {
		x->v[k] = x->text.s + i;
		i += strlen(x->v[k]) + 1;
	}
	qsort(x->v, x->n, sizeof *x->v, cmp_item);
	return 1;
}

/* ctlset_has - whether the n bytes at s (already lower case) are an item of x */
int ctlset_has(const ctlset *x, const char *s, size_t n)
{
	size_t lo = 0, hi = x->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *v = x->v[mid];
		int c = strncmp(v, s, n);
		if (c == 0)
			c = v[n] ? 1 : 0; /* no NUL can be in s: v[0..n) matched s */
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* ctlset_free - release a set */
void ctlset_free(ctlset *x)
{
	sa_free(&x->text);
	alloc_free(x->v);
	x->v = 0;
	x->n = 0;
}

/* rcpthosts_load - read both files (cwd QMAILHOME): 1, or 0 with errno and *failed
 * naming the file */
int rcpthosts_load(rcpthosts *r, const char **failed)
{
	int k, e;
	memset(r, 0, sizeof *r);
	r->mrh_fd = -1;
	*failed = "control/rcpthosts";
	k = ctlset_load(&r->rh, *failed);
	if (k == -1)
		return 0;
	r->has_rh = k;
	*failed = "control/morercpthosts.cdb";
	r->mrh_fd = open(*failed, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (r->mrh_fd == -1) {
		if (errno != ENOENT)
			return 0;
	} else if (!cdb_init(&r->mrh, r->mrh_fd)) {
		e = errno;
		close(r->mrh_fd);
		r->mrh_fd = -1;
		errno = e;
		return 0;
	}
	*failed = 0;
	return 1;
}

/* rcpthosts_check - whether rcpt's domain is one we accept mail for: 1, 0, -1 error */
int rcpthosts_check(rcpthosts *r, const char *rcpt)
{
	size_t n = strlen(rcpt);
	size_t at = byte_rchr(rcpt, n, '@');
	size_t i;
	if (!r->has_rh || at == n)
		return 1;
	if (!sa_copyb(&r->key, rcpt + at + 1, n - at - 1))
		return -1;
	case_lowerb(r->key.s, r->key.len);
	for (i = 0; i < r->key.len; ++i) {
		if (i && r->key.s[i] != '.')
			continue;
		if (ctlset_has(&r->rh, r->key.s + i, r->key.len - i))
			return 1;
		if (r->mrh_fd != -1) {
			int k = cdb_find(&r->mrh, r->key.s + i, r->key.len - i);
			if (k)
				return k;
		}
	}
	return 0;
}

/* rcpthosts_free - release the list and close the cdb */
void rcpthosts_free(rcpthosts *r)
{
	ctlset_free(&r->rh);
	if (r->mrh_fd != -1) {
		cdb_free(&r->mrh);
		close(r->mrh_fd);
	}
	r->mrh_fd = -1;
	sa_free(&r->key);
}
