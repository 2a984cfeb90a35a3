/*
 * rset.h - a set of recipient records for qmail-newrcpt: each a key (bytes without
 * NUL) and a flag, exact (empty data) or star (data "*": a prefix, or for "@DOMAIN" a
 * catch-all). Keys are added in any order, then rset_sort orders them and merges
 * duplicates, star winning, so that each key is written once (qmail-recipients(5)).
 */
#ifndef RSET_H
#define RSET_H

#include <stddef.h>

#include "sa.h"

typedef struct rset_s {
	sa text;   /* the records, each a flag byte ('=' or '*'), the key and a NUL */
	size_t *v; /* offset of each record's flag byte in text; owned */
	size_t n;  /* records in v */
	size_t a;  /* offsets allocated in v */
} rset;
/* clang-format off */
#define RSET_ZERO {SA_ZERO, 0, 0, 0}
/* clang-format on */

int rset_add(rset *r, const char *key, size_t len, int star);
int rset_add2(rset *r, const char *a, size_t alen, const char *b, size_t blen, int star);
void rset_sort(rset *r);
const char *rset_key(const rset *r, size_t i, size_t *len, int *star);
void rset_free(rset *r);

#endif
