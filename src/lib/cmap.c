/*
 * cmap.c - constant map with case-insensitive keys: the entries in one array and an
 * open-addressing hash table of their indices, at most half full, so a lookup
 * costs O(key length) on average whatever the size of the map.
 */
#include "cmap.h"

#include <errno.h>
#include <string.h>

#include "alloc.h"
#include "size.h"
#include "str.h"

/* hash - djb's hash (h * 33 ^ c) over the case-folded key */
static size_t hash(const char *s, size_t n)
{
	size_t h = 5381, i;
	for (i = 0; i < n; ++i)
		h = (h * 33) ^ (unsigned char)case_lower((unsigned char)s[i]);
	return h;
}

/* find - the table position holding key, or the empty position where it belongs */
static size_t find(const cmap *m, const char *key, size_t klen)
{
	size_t i = hash(key, klen) & m->mask;
	while (m->tab[i]) {
		const cmap_entry *e = &m->ent[m->tab[i] - 1];
		if (e->klen == klen && case_equalb(m->data.s + e->key, klen, key))
			return i;
		i = (i + 1) & m->mask;
	}
	return i;
}

/* count - the number of items in s[0..len) */
static size_t count(const char *s, size_t len)
{
	size_t i, k = 0;
	for (i = 0; i < len; ++i)
		if (!s[i])
			++k;
	return k;
}

/* build - fill the entries and the table from m->data */
static void build(cmap *m, int colon)
{
	size_t i = 0, end;
	while (i < m->data.len) {
		size_t klen, pos;
		cmap_entry *e;
		end = i + strlen(m->data.s + i);
		klen = end - i;
		if (colon) {
			klen = byte_chr(m->data.s + i, end - i, ':');
			if (klen == end - i) {
				i = end + 1;
				continue;
			}
		}
		pos = find(m, m->data.s + i, klen);
		if (m->tab[pos])
			e = &m->ent[m->tab[pos] - 1];
		else {
			e = &m->ent[m->n++];
			m->tab[pos] = m->n;
		}
		e->key = i;
		e->klen = klen;
		e->val = colon ? i + klen + 1 : end;
		e->vlen = end - e->val;
		i = end + 1;
	}
}

/* cmap_init - build m from len bytes of NUL-terminated items (a last item without
 * its NUL is taken as if it had one); 0 with errno on failure, m left empty */
int cmap_init(cmap *m, const char *items, size_t len, int colon)
{
	size_t n, size = 4;
	memset(m, 0, sizeof *m);
	if (!sa_copyb(&m->data, items, len))
		return 0;
	if (len && items[len - 1] && !sa_0(&m->data))
		goto fail;
	n = count(m->data.s, m->data.len);
	while (size / 2 < n) {
		if (!size_mul(&size, size, 2))
			goto fail;
	}
	m->ent = alloc_array(n ? n : 1, sizeof *m->ent);
	m->tab = alloc_array(size, sizeof *m->tab);
	if (!m->ent || !m->tab)
		goto fail;
	memset(m->tab, 0, size * sizeof *m->tab);
	m->mask = size - 1;
	build(m, colon);
	return 1;
fail:
	cmap_free(m);
	return 0;
}

/* cmap_get - the value of key (NUL-terminated, length in *vlen when vlen is not 0),
 * or 0 when the key is absent */
const char *cmap_get(const cmap *m, const char *key, size_t klen, size_t *vlen)
{
	size_t pos;
	const cmap_entry *e;
	if (!m->tab)
		return 0;
	pos = find(m, key, klen);
	if (!m->tab[pos])
		return 0;
	e = &m->ent[m->tab[pos] - 1];
	if (vlen)
		*vlen = e->vlen;
	return m->data.s + e->val;
}

/* cmap_free - release everything; m is an empty map afterwards */
void cmap_free(cmap *m)
{
	sa_free(&m->data);
	alloc_free(m->ent);
	alloc_free(m->tab);
	m->ent = 0;
	m->tab = 0;
	m->n = m->mask = 0;
}
