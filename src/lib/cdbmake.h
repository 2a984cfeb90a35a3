/*
 * cdbmake.h - writing constant databases in the cdb format that cdb.h reads. Records
 * go out through a small buffer as they are added; cdbmake_finish appends the 256 hash
 * tables and then seeks back to write the header. A cdb cannot exceed 4 GB - 1 bytes
 * (its positions are 32-bit): an add that would make the file larger fails with
 * EOVERFLOW. The caller makes the file durable (fsync, rename into place).
 */
#ifndef CDBMAKE_H
#define CDBMAKE_H

#include <stddef.h>
#include <stdint.h>

typedef struct cdbmake_entry_s {
	uint32_t hash; /* cdb_hash of the key */
	uint32_t pos;  /* position of the record */
} cdbmake_entry;

typedef struct cdbmake_s {
	int fd;                  /* borrowed descriptor being written */
	int err;                 /* errno of an earlier failure, 0 if none: failures stick */
	uint32_t pos;            /* bytes of the file produced so far */
	size_t count;            /* records added */
	size_t alloc;            /* entries allocated in e */
	cdbmake_entry *e;        /* one per record, in the order added; owned */
	size_t blen;             /* bytes waiting in buf */
	unsigned char buf[4096]; /* output not yet written */
} cdbmake;

int cdbmake_start(cdbmake *m, int fd);
int cdbmake_add(cdbmake *m, const char *key, size_t klen, const char *data, size_t dlen);
int cdbmake_finish(cdbmake *m);
void cdbmake_free(cdbmake *m);

#endif
