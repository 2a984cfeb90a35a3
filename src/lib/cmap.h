/*
 * cmap.h - a constant map from keys to values, built once from a list of
 * NUL-terminated items (the form control_readlist gives) and then only read. Keys
 * compare with ASCII case folding, which is what domain names and control-file
 * lookups want. With colon set, each item is "key:value" split at its first colon,
 * and items without a colon are skipped; otherwise each item is a key with an empty
 * value. When a key appears twice the later item wins.
 */
#ifndef CMAP_H
#define CMAP_H

#include <stddef.h>

#include "sa.h"

typedef struct cmap_entry_s {
	size_t key;  /* offset of the key in data */
	size_t klen; /* key length */
	size_t val;  /* offset of the value in data (NUL-terminated there) */
	size_t vlen; /* value length */
} cmap_entry;

typedef struct cmap_s {
	sa data;         /* a copy of the items */
	cmap_entry *ent; /* the entries; owned */
	size_t n;        /* entries in use */
	size_t *tab;     /* open-addressing table: entry index + 1, 0 for empty; owned */
	size_t mask;     /* table size - 1 (a power of two), 0 when there is no table */
} cmap;
/* clang-format off */
#define CMAP_ZERO {{0, 0, 0}, 0, 0, 0, 0}
/* clang-format on */

int cmap_init(cmap *m, const char *items, size_t len, int colon);
const char *cmap_get(const cmap *m, const char *key, size_t klen, size_t *vlen);
void cmap_free(cmap *m);

#endif
