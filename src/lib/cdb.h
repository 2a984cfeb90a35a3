/*
 * cdb.h - reading constant databases in D. J. Bernstein's cdb format: a 2048-byte
 * header of 256 (table position, slot count) pairs, then records "klen dlen key data",
 * then the hash tables; every number is a little-endian 32-bit word. Every position
 * and length taken from the file is checked against the file's size, so a corrupt or
 * hostile file gives an error (errno EPROTO), never an over-read or an endless probe.
 */
#ifndef CDB_H
#define CDB_H

#include <stddef.h>
#include <stdint.h>

typedef struct cdb_s {
	const unsigned char *map; /* the whole file mapped, or 0 when pread is used */
	uint64_t size;            /* file size at cdb_init */
	int fd;                   /* borrowed descriptor; the caller closes it */
	int started;              /* whether cdb_findnext has hashed the key yet */
	uint32_t hash;            /* hash of the key being looked up */
	uint32_t tslots;          /* slots in its hash table */
	uint32_t probes;          /* slots probed so far; never more than tslots */
	uint64_t tpos;            /* position of the table */
	uint64_t kpos;            /* position of the next slot to probe */
	uint32_t dpos;            /* position of the data found */
	uint32_t dlen;            /* length of the data found */
} cdb;

#define CDB_HEADER 2048 /* bytes in the header */

uint32_t cdb_hash(const char *key, size_t len);
int cdb_init(cdb *c, int fd);
void cdb_free(cdb *c);
void cdb_findstart(cdb *c);
int cdb_findnext(cdb *c, const char *key, size_t klen);
int cdb_find(cdb *c, const char *key, size_t klen);
int cdb_read(cdb *c, char *buf, size_t len, uint32_t pos);

/* cdb_datapos - where the data of the record found last begins */
static inline uint32_t cdb_datapos(const cdb *c)
{
	return c->dpos;
}

/* cdb_datalen - the length of the data of the record found last */
static inline uint32_t cdb_datalen(const cdb *c)
{
	return c->dlen;
}

#endif
