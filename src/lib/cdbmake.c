/*
 * cdbmake.c - writing a cdb. The header is left as zeros at first; records follow it as
 * they are added, and each record's (hash, position) is remembered. cdbmake_finish
 * sorts the remembered entries by table (hash & 255) with a counting pass, writes each
 * table with twice as many slots as entries (so a probe always meets an empty slot),
 * placing entries in the order added so that duplicate keys are found in that order,
 * and finally writes the header at position 0. Records start at 2048, so no record
 * has position 0, which marks an empty slot.
 */
#include "cdbmake.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "cdb.h"
#include "size.h"

/* put32 - store u at p as a little-endian 32-bit word */
static void put32(unsigned char *p, uint32_t u)
{
	p[0] = (unsigned char)u;
	p[1] = (unsigned char)(u >> 8);
	p[2] = (unsigned char)(u >> 16);
	p[3] = (unsigned char)(u >> 24);
}

/* writeall - write n bytes, retrying on EINTR and after short writes */
static int writeall(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		ssize_t r = write(fd, p, n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		if (r == 0) {
			errno = EIO;
			return 0;
		}
		p += r;
		n -= (size_t)r;
	}
	return 1;
}

/* flush - write out what waits in the buffer */
static int flush(cdbmake *m)
{
	if (!writeall(m->fd, m->buf, m->blen))
		return 0;
	m->blen = 0;
	return 1;
}

/* put - n bytes to the file through the buffer; large pieces go straight out */
static int put(cdbmake *m, const void *p, size_t n)
{
	if (n > sizeof m->buf - m->blen && !flush(m))
		return 0;
	if (n >= sizeof m->buf)
		return writeall(m->fd, p, n);
	if (n)
		memcpy(m->buf + m->blen, p, n);
	m->blen += n;
	return 1;
}

/* fail - remember errno so that later calls fail too, and report failure */
static int fail(cdbmake *m)
{
	m->err = errno ? errno : EIO;
	return 0;
}

/* cdbmake_start - begin a cdb on fd, which must be seekable and open for writing */
int cdbmake_start(cdbmake *m, int fd)
{
	unsigned char zero[CDB_HEADER];
	memset(m, 0, sizeof *m);
	m->fd = fd;
	if (lseek(fd, 0, SEEK_SET) != 0)
		return fail(m);
	memset(zero, 0, sizeof zero);
	if (!put(m, zero, sizeof zero))
		return fail(m);
	m->pos = CDB_HEADER;
	return 1;
}

/* cdbmake_add - append one record; EOVERFLOW if the finished cdb would pass 4 GB - 1 */
int cdbmake_add(cdbmake *m, const char *key, size_t klen, const char *data, size_t dlen)
{
	unsigned char head[8];
	size_t rec, end, tables, n;
	if (m->err) {
		errno = m->err;
		return 0;
	}
	/* the finished file: records so far, this one, and 2 slots of 8 bytes per record */
	if (!size_add(&rec, klen, dlen) || !size_add(&rec, rec, 8) ||
	    !size_add(&end, m->pos, rec) || !size_add(&n, m->count, 1) ||
	    !size_mul(&tables, n, 16) || !size_add(&end, end, tables))
		return 0;
	if (end > UINT32_MAX) {
		errno = EOVERFLOW;
		return 0;
	}
	if (m->count == m->alloc) {
		size_t want = m->alloc ? m->alloc : 64, bytes;
		void *p = m->e;
		if (!size_mul(&want, want, 2) || !size_mul(&bytes, want, sizeof *m->e) ||
		    !alloc_resize(&p, bytes))
			return 0;
		m->e = p;
		m->alloc = want;
	}
	put32(head, (uint32_t)klen);
	put32(head + 4, (uint32_t)dlen);
	if (!put(m, head, 8) || !put(m, key, klen) || !put(m, data, dlen))
		return fail(m);
	m->e[m->count].hash = cdb_hash(key, klen);
	m->e[m->count].pos = m->pos;
	m->count++;
	m->pos += (uint32_t)rec;
	return 1;
}

/* table - write the table of the n entries at e, using the zeroed slots (2n of them) */
static int table(cdbmake *m, const cdbmake_entry *e, size_t n, cdbmake_entry *slot)
{
	unsigned char b[8];
	size_t slots = n * 2, i, j;
	for (i = 0; i < n; ++i) {
		j = (e[i].hash >> 8) % slots;
		while (slot[j].pos != 0)
			j = j + 1 == slots ? 0 : j + 1;
		slot[j] = e[i];
	}
	for (j = 0; j < slots; ++j) {
		put32(b, slot[j].hash);
		put32(b + 4, slot[j].pos);
		if (!put(m, b, 8))
			return 0;
	}
	return 1;
}

/* cdbmake_finish - write the hash tables and the header; the fd stays open */
int cdbmake_finish(cdbmake *m)
{
	unsigned char head[CDB_HEADER];
	size_t count[256], first[256], most = 0, i, t, size;
	cdbmake_entry *sorted = 0, *slot = 0;
	int ok = 0;
	if (m->err) {
		errno = m->err;
		return 0;
	}
	memset(count, 0, sizeof count);
	for (i = 0; i < m->count; ++i)
		count[m->e[i].hash & 255]++;
	for (t = 0, i = 0; t < 256; ++t) {
		first[t] = i;
		i += count[t];
		if (count[t] > most)
			most = count[t];
	}
	if (!(sorted = alloc_array(m->count, sizeof *sorted)) || !size_mul(&size, most, 2) ||
	    !(slot = alloc_array(size, sizeof *slot)))
		goto done;
	for (i = 0; i < m->count; ++i)
		sorted[first[m->e[i].hash & 255]++] = m->e[i]; /* keeps the order added */
	for (t = 0, i = 0; t < 256; ++t) {
		/* cdbmake_add kept pos + 16 * count <= UINT32_MAX, so pos cannot wrap here */
		put32(head + t * 8, m->pos);
		put32(head + t * 8 + 4, (uint32_t)(count[t] * 2));
		memset(slot, 0, count[t] * 2 * sizeof *slot);
		if (!table(m, sorted + i, count[t], slot))
			goto done;
		i += count[t];
		m->pos += (uint32_t)(count[t] * 16);
	}
	if (!flush(m) || lseek(m->fd, 0, SEEK_SET) != 0 || !writeall(m->fd, head, sizeof head))
		goto done;
	ok = 1;
done:
	m->err = ok ? EINVAL : errno ? errno : EIO; /* finished, or failed: either way, used up */
	alloc_free(sorted);
	alloc_free(slot);
	cdbmake_free(m);
	if (!ok)
		errno = m->err;
	return ok;
}

/* cdbmake_free - release the entries; for abandoning a cdb, or after finishing one */
void cdbmake_free(cdbmake *m)
{
	alloc_free(m->e);
	m->e = 0;
	m->alloc = 0;
	m->count = 0;
}
