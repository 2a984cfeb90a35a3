/*
 * cdb.c - fuzz the cdb reader (cdb.h) and writer (cdbmake.h). The first input byte
 * chooses a mode. Odd: the rest is a cdb file, however corrupt; every key a hash
 * slot points at, and a few others, are looked up. Invariants: each search ends
 * within its table's slot count; a record found lies inside the file and really has
 * the key asked for; reading through mmap and through pread gives the same answers.
 * Even: the rest is a list of records (key length byte, data length byte, key,
 * data) written with cdbmake; invariants: every key finds exactly its records, in
 * the order they were added, and keys never added are not found.
 */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cdb.h"
#include "cdbmake.h"
#include "fuzz.h"

#define MAXREC 300 /* records in the even mode (the checks take n * n) */

typedef struct rec_s {
	const char *key;  /* the key, in the input */
	size_t klen;      /* its length */
	const char *data; /* the data, in the input */
	size_t dlen;      /* its length */
} rec;

static rec recs[MAXREC];

/* file - an empty in-memory file, made once and reused */
static int file(void)
{
	static int fd = -1;
	if (fd < 0)
		fd = memfd_create("fuzz-cdb", 0);
	CHECK(fd >= 0);
	CHECK(ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0);
	return fd;
}

/* le32 - the little-endian word at p */
static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ref_hash - the cdb hash as the format defines it */
static uint32_t ref_hash(const char *s, size_t n)
{
	uint32_t h = 5381;
	while (n--)
		h = (h * 33) ^ (unsigned char)*s++;
	return h;
}

/* lookup - every record of key: found records' data positions into pos (at most
 * max), their count, or -1 for an error; checks each record has the key */
static long lookup(cdb *c, const unsigned char *f, size_t size, const char *key, size_t klen,
		   uint32_t *pos, size_t max)
{
	long found = 0;
	uint64_t calls = 0;
	cdb_findstart(c);
	for (;;) {
		int r = cdb_findnext(c, key, klen);
		++calls;
		/* a search probes each slot of its table at most once */
		CHECK(calls <= (uint64_t)c->tslots + 1);
		if (r < 0) {
			CHECK(errno == EPROTO);
			return -1;
		}
		if (r == 0)
			return found;
		CHECK((uint64_t)cdb_datapos(c) + cdb_datalen(c) <= size);
		CHECK(cdb_datapos(c) >= 8 + klen);
		{
			const unsigned char *at = f + cdb_datapos(c) - klen - 8;
			char buf[64];
			size_t k = cdb_datalen(c) < sizeof buf ? cdb_datalen(c) : sizeof buf;
			CHECK(le32(at) == klen && le32(at + 4) == cdb_datalen(c));
			CHECK(klen == 0 || !memcmp(at + 8, key, klen));
			CHECK(cdb_read(c, buf, k, cdb_datapos(c)));
			CHECK(!memcmp(buf, f + cdb_datapos(c), k));
		}
		if ((size_t)found < max)
			pos[found] = cdb_datapos(c);
		++found;
	}
}

/* both - look key up through the map and through pread: the same answer */
static void both(cdb *m, cdb *p, const unsigned char *f, size_t size, const char *key, size_t klen)
{
	uint32_t a[8], b[8];
	long x = lookup(m, f, size, key, klen, a, 8);
	long y = lookup(p, f, size, key, klen, b, 8);
	CHECK(x == y);
	CHECK(x <= 0 || !memcmp(a, b, sizeof a[0] * (size_t)(x < 8 ? x : 8)));
}

/* hostile - the input is a cdb file */
static void hostile(const unsigned char *f, size_t size)
{
	cdb m, p;
	int fd = file();
	size_t t, s, tries = 0;
	CHECK(write(fd, f, size) == (ssize_t)size);
	if (!cdb_init(&m, fd)) {
		CHECK(errno == EPROTO && size < CDB_HEADER);
		return;
	}
	CHECK(cdb_init(&p, fd));
	if (p.map)
		munmap((void *)p.map, (size_t)p.size);
	p.map = 0; /* the pread path */
	both(&m, &p, f, size, "", 0);
	both(&m, &p, f, size, "key", 3);
	/* a corrupt table can make each search probe every slot: a few keys suffice */
	for (t = 0; t < 256 && tries < 32; ++t) {
		uint32_t tpos = le32(f + 8 * t), tslots = le32(f + 8 * t + 4);
		for (s = 0; s < tslots && s < 4 && tries < 32; ++s) {
			uint64_t at = (uint64_t)tpos + 8 * s, rpos, klen;
			if (at + 8 > size)
				break;
			rpos = le32(f + at + 4);
			if (rpos + 8 > size)
				continue;
			klen = le32(f + rpos);
			if (rpos + 8 + klen > size)
				continue;
			both(&m, &p, f, size, (const char *)f + rpos + 8, (size_t)klen);
			++tries;
		}
	}
	cdb_free(&m);
	cdb_free(&p);
}

/* made - the input is records to write, then read back */
static void made(const unsigned char *in, size_t size)
{
	cdbmake mk;
	cdb c;
	size_t n = 0, i, j, off = 0;
	int fd = file();
	unsigned char *f;
	off_t len;
	while (off + 2 <= size && n < MAXREC) {
		size_t kl = in[off], dl = in[off + 1];
		if (kl > 16)
			kl %= 16; /* short keys collide more */
		if (size - off - 2 < kl + dl)
			break;
		recs[n].key = (const char *)in + off + 2;
		recs[n].klen = kl;
		recs[n].data = (const char *)in + off + 2 + kl;
		recs[n].dlen = dl;
		off += 2 + kl + dl;
		++n;
	}
	CHECK(cdbmake_start(&mk, fd));
	for (i = 0; i < n; ++i)
		CHECK(cdbmake_add(&mk, recs[i].key, recs[i].klen, recs[i].data, recs[i].dlen));
	CHECK(cdbmake_finish(&mk));
	cdbmake_free(&mk);
	len = lseek(fd, 0, SEEK_END);
	CHECK(len >= CDB_HEADER);
	f = mmap(0, (size_t)len, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(f != MAP_FAILED);
	CHECK(cdb_init(&c, fd));
	for (i = 0; i < n; ++i) {
		size_t want = 0;
		int r;
		for (j = 0; j < i; ++j)
			if (fuzz_same(recs[j].key, recs[j].klen, recs[i].key, recs[i].klen))
				break;
		if (j < i)
			continue; /* this key was checked with its first record */
		CHECK(cdb_hash(recs[i].key, recs[i].klen) == ref_hash(recs[i].key, recs[i].klen));
		cdb_findstart(&c);
		for (j = i; j < n; ++j) {
			if (!fuzz_same(recs[j].key, recs[j].klen, recs[i].key, recs[i].klen))
				continue;
			CHECK(cdb_findnext(&c, recs[i].key, recs[i].klen) == 1);
			CHECK(cdb_datalen(&c) == recs[j].dlen);
			CHECK(!memcmp(f + cdb_datapos(&c), recs[j].data, recs[j].dlen));
			++want;
		}
		CHECK(want > 0);
		CHECK(cdb_findnext(&c, recs[i].key, recs[i].klen) == 0);
		/* a key one byte longer, unless that one was added too */
		{
			char k[18];
			memcpy(k, recs[i].key, recs[i].klen);
			k[recs[i].klen] = '\377';
			for (j = 0; j < n; ++j)
				if (fuzz_same(recs[j].key, recs[j].klen, k, recs[i].klen + 1))
					break;
			r = cdb_find(&c, k, recs[i].klen + 1);
			CHECK(r == (j < n));
		}
	}
	if (n == 0)
		CHECK(cdb_find(&c, "", 0) == 0);
	cdb_free(&c);
	munmap(f, (size_t)len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char mode = fuzz_take(&data, &size);
	if (mode & 1)
		hostile(data, size);
	else
		made(data, size);
	return 0;
}
