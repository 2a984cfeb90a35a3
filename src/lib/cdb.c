/*
 * cdb.c - constant database lookups. The file is mapped when it can be, else read with
 * pread. A lookup hashes the key, takes table (hash & 255) from the header, and probes
 * its slots linearly from slot (hash >> 8) % slots; an empty slot (position 0) ends the
 * search. Positions are 32-bit but all checks are done in 64 bits, so no sum can wrap.
 * A table with no empty slot is corrupt (a writer leaves half of the slots empty): the
 * probe count is bounded by the slot count and running out of slots is an error.
 */
#include "cdb.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* le32 - the little-endian 32-bit word at p */
static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* corrupt - fail with EPROTO: the file does not hold what a cdb must */
static int corrupt(void)
{
	errno = EPROTO;
	return 0;
}

/* inside - whether len bytes at pos lie within the file */
static int inside(const cdb *c, uint64_t pos, uint64_t len)
{
	uint64_t end;
	if (__builtin_add_overflow(pos, len, &end))
		return 0;
	return end <= c->size;
}

/* get - len bytes at pos into buf; 1, or 0 with errno (EPROTO beyond the end) */
static int get(cdb *c, void *buf, size_t len, uint64_t pos)
{
	char *b = buf;
	if (!inside(c, pos, len))
		return corrupt();
	if (c->map) {
		if (len)
			memcpy(b, c->map + pos, len);
		return 1;
	}
	while (len) {
		ssize_t r = pread(c->fd, b, len, (off_t)pos);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		if (r == 0)
			return corrupt(); /* the file shrank under us */
		b += r;
		len -= (size_t)r;
		pos += (uint64_t)r;
	}
	return 1;
}

/* same - whether the len bytes at pos equal key: 1 yes, 0 no, -1 error */
static int same(cdb *c, const char *key, size_t len, uint64_t pos)
{
	char chunk[256];
	if (!inside(c, pos, len)) {
		errno = EPROTO;
		return -1;
	}
	if (c->map)
		return len == 0 || memcmp(c->map + pos, key, len) == 0;
	while (len) {
		size_t n = len < sizeof chunk ? len : sizeof chunk;
		if (!get(c, chunk, n, pos))
			return -1;
		if (memcmp(chunk, key, n) != 0)
			return 0;
		key += n;
		len -= n;
		pos += n;
	}
	return 1;
}

/* cdb_hash - the cdb hash: h = 5381, then h = (h * 33) ^ byte, in 32 bits */
uint32_t cdb_hash(const char *key, size_t len)
{
	uint32_t h = 5381;
	size_t i;
	for (i = 0; i < len; ++i)
		h = ((h << 5) + h) ^ (unsigned char)key[i];
	return h;
}

/* cdb_init - prepare to read the cdb open on fd; the file must hold at least a header */
int cdb_init(cdb *c, int fd)
{
	struct stat st;
	memset(c, 0, sizeof *c);
	c->fd = fd;
	if (fstat(fd, &st) != 0)
		return 0;
	if (st.st_size < CDB_HEADER)
		return corrupt();
	c->size = (uint64_t)st.st_size;
	if (c->size > UINT32_MAX)
		c->size = UINT32_MAX; /* positions are 32-bit: nothing past here is reachable */
	if (c->size <= SIZE_MAX) {
		void *p = mmap(0, (size_t)c->size, PROT_READ, MAP_SHARED, fd, 0);
		if (p != MAP_FAILED)
			c->map = p;
	}
	return 1;
}

/* cdb_free - unmap the file; the descriptor stays open, it belongs to the caller */
void cdb_free(cdb *c)
{
	if (c->map)
		munmap((void *)c->map, (size_t)c->size);
	c->map = 0;
}

/* cdb_findstart - forget the current search, so cdb_findnext starts a new one */
void cdb_findstart(cdb *c)
{
	c->started = 0;
}

/* start - hash key and find its table; 1 ready, -1 error */
static int start(cdb *c, const char *key, size_t klen)
{
	unsigned char slot[8];
	c->started = 1;
	c->probes = 0;
	c->hash = cdb_hash(key, klen);
	if (!get(c, slot, 8, (uint64_t)(c->hash & 255) * 8))
		return -1;
	c->tpos = le32(slot);
	c->tslots = le32(slot + 4);
	if (c->tslots && !inside(c, c->tpos, (uint64_t)c->tslots * 8)) {
		errno = EPROTO;
		return -1;
	}
	if (c->tslots)
		c->kpos = c->tpos + (uint64_t)((c->hash >> 8) % c->tslots) * 8;
	return 1;
}

/* cdb_findnext - the next record whose key is key: 1 found, 0 no more, -1 error */
int cdb_findnext(cdb *c, const char *key, size_t klen)
{
	unsigned char slot[8];
	uint32_t h, pos, rk, rd;
	int r;
	if (!c->started) {
		if (start(c, key, klen) < 0)
			return -1;
	}
	if (c->tslots == 0)
		return 0;
	while (c->probes < c->tslots) {
		if (!get(c, slot, 8, c->kpos))
			return -1;
		h = le32(slot);
		pos = le32(slot + 4);
		if (pos == 0)
			return 0;
		c->probes++;
		c->kpos += 8;
		if (c->kpos == c->tpos + (uint64_t)c->tslots * 8)
			c->kpos = c->tpos;
		if (h != c->hash)
			continue;
		if (!get(c, slot, 8, pos))
			return -1;
		rk = le32(slot);
		rd = le32(slot + 4);
		if (!inside(c, (uint64_t)pos + 8, (uint64_t)rk + rd)) {
			errno = EPROTO;
			return -1;
		}
		if (rk != klen)
			continue;
		r = same(c, key, klen, (uint64_t)pos + 8);
		if (r < 0)
			return -1;
		if (r) {
			c->dpos = pos + 8 + rk;
			c->dlen = rd;
			return 1;
		}
	}
	errno = EPROTO; /* every slot full: no writer makes such a table */
	return -1;
}

/* cdb_find - the first record whose key is key: 1 found, 0 not there, -1 error */
int cdb_find(cdb *c, const char *key, size_t klen)
{
	cdb_findstart(c);
	return cdb_findnext(c, key, klen);
}

/* cdb_read - len bytes at pos into buf; 1, or 0 with errno (EPROTO: beyond the end) */
int cdb_read(cdb *c, char *buf, size_t len, uint32_t pos)
{
	return get(c, buf, len, pos);
}
