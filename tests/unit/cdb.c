/* cdb.c - tests for cdb reading and writing, checked against Debian's freecdb tools */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdb.h"
#include "cdbmake.h"
#include "harness.h"
#include "sa.h"

typedef struct rec_s {
	const char *key;  /* the key */
	size_t klen;      /* its length */
	const char *data; /* the data */
	size_t dlen;      /* its length */
} rec;

/* records with duplicate keys, an empty key, empty data and binary bytes */
static const rec recs[] = {
	{"one", 3, "Hello", 5},  {"two", 3, "Goodbye", 7},
	{"", 0, "empty key", 9}, {"nodata", 6, "", 0},
	{"dup", 3, "first", 5},  {"other", 5, "x", 1},
	{"dup", 3, "second", 6}, {"bin", 3, "a\0b\nc->d\n", 9},
	{"dup", 3, "third", 5},  {"colon:key", 9, "+1,2:x->y", 9},
};
#define NRECS (sizeof recs / sizeof recs[0])

/* make - write the n records to file with cdbmake; 1 on success */
static int make(const char *file, const rec *r, size_t n)
{
	cdbmake m;
	size_t i;
	int ok, fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 0;
	ok = cdbmake_start(&m, fd);
	for (i = 0; ok && i < n; ++i)
		ok = cdbmake_add(&m, r[i].key, r[i].klen, r[i].data, r[i].dlen);
	ok = ok && cdbmake_finish(&m);
	if (!ok)
		cdbmake_free(&m);
	close(fd);
	return ok;
}

/* data - the data of the record found last, in x; 1 on success */
static int data(cdb *c, sa *x)
{
	x->len = 0;
	if (!sa_ready(x, cdb_datalen(c)))
		return 0;
	if (!cdb_read(c, x->s, cdb_datalen(c), cdb_datapos(c)))
		return 0;
	x->len = cdb_datalen(c);
	return 1;
}

/* check_recs - every record of recs is found, duplicates in order; failures counted */
static void check_recs(cdb *c)
{
	sa x = SA_ZERO;
	size_t i;
	T_EQ_U(cdb_find(c, "one", 3), 1);
	T_OK(data(c, &x));
	T_EQ_MEM(x.s, x.len, "Hello", 5);
	T_EQ_U(cdb_find(c, "", 0), 1);
	T_OK(data(c, &x));
	T_EQ_MEM(x.s, x.len, "empty key", 9);
	T_EQ_U(cdb_find(c, "nodata", 6), 1);
	T_EQ_U(cdb_datalen(c), 0);
	T_EQ_U(cdb_find(c, "bin", 3), 1);
	T_OK(data(c, &x));
	T_EQ_MEM(x.s, x.len, "a\0b\nc->d\n", 9);
	/* duplicates come back in the order they were added, then 0 */
	cdb_findstart(c);
	T_EQ_U(cdb_findnext(c, "dup", 3), 1);
	T_OK(data(c, &x));
	T_EQ_MEM(x.s, x.len, "first", 5);
	T_EQ_U(cdb_findnext(c, "dup", 3), 1);
	T_OK(data(c, &x));
	T_EQ_MEM(x.s, x.len, "second", 6);
	T_EQ_U(cdb_findnext(c, "dup", 3), 1);
	T_OK(data(c, &x));
	T_EQ_MEM(x.s, x.len, "third", 5);
	T_EQ_U(cdb_findnext(c, "dup", 3), 0);
	T_EQ_U(cdb_findnext(c, "dup", 3), 0);
	/* keys that are not there, including prefixes and extensions of keys that are */
	T_EQ_U(cdb_find(c, "on", 2), 0);
	T_EQ_U(cdb_find(c, "onee", 4), 0);
	T_EQ_U(cdb_find(c, "ONE", 3), 0);
	T_EQ_U(cdb_find(c, "one\0", 4), 0);
	for (i = 0; i < NRECS; ++i)
		if (!T_EQ_U(cdb_find(c, recs[i].key, recs[i].klen), 1))
			break;
	sa_free(&x);
}

static void t_hash(void)
{
	T_EQ_U(cdb_hash("", 0), 5381);
	T_EQ_U(cdb_hash("a", 1), 177604);           /* 5381 * 33 ^ 'a' */
	T_EQ_U(cdb_hash("\xff", 1), 177573 ^ 0xff); /* bytes are unsigned */
	T_EQ_U(cdb_hash("ab", 2), (177604u * 33) ^ 'b');
}

static void t_roundtrip(void)
{
	const char *f = t_path("basic.cdb");
	cdb c;
	int fd;
	T_OK(make(f, recs, NRECS));
	fd = open(f, O_RDONLY);
	T_OK(fd >= 0);
	T_OK(cdb_init(&c, fd));
	T_OK(c.map != 0);
	check_recs(&c);
	/* white box: without the mapping every read goes through pread */
	cdb_free(&c);
	T_OK(c.map == 0);
	check_recs(&c);
	close(fd);
}

static void t_read_bounds(void)
{
	const char *f = t_path("basic.cdb");
	char b[16];
	cdb c;
	int fd = open(f, O_RDONLY);
	T_OK(cdb_init(&c, fd));
	errno = 0;
	T_OK(!cdb_read(&c, b, 5, (uint32_t)c.size - 2));
	T_EQ_U(errno, EPROTO);
	T_OK(!cdb_read(&c, b, SIZE_MAX, 0));
	T_OK(!cdb_read(&c, b, 1, UINT32_MAX));
	T_OK(cdb_read(&c, b, 2, (uint32_t)c.size - 2));
	T_OK(cdb_read(&c, b, 0, (uint32_t)c.size));
	cdb_free(&c);
	T_OK(!cdb_read(&c, b, 5, (uint32_t)c.size - 2));
	T_OK(cdb_read(&c, b, 8, 0));
	close(fd);
}

static void t_many(void)
{
	const char *f = t_path("many.cdb");
	rec *r = calloc(10000, sizeof *r);
	char(*k)[16] = calloc(10000, sizeof *k);
	char(*d)[24] = calloc(10000, sizeof *d);
	char key[16], want[24], got[24];
	size_t i, bad = 0, misread = 0, phantom = 0;
	cdb c;
	int fd;
	T_OK(r && k && d);
	if (!r || !k || !d)
		return;
	for (i = 0; i < 10000; ++i) {
		r[i].key = k[i];
		r[i].klen = (size_t)snprintf(k[i], sizeof k[i], "key%zu", i);
		r[i].data = d[i];
		r[i].dlen = (size_t)snprintf(d[i], sizeof d[i], "value of %zu", i * 7);
	}
	T_OK(make(f, r, 10000));
	fd = open(f, O_RDONLY);
	T_OK(cdb_init(&c, fd));
	for (i = 0; i < 10000; ++i) {
		size_t n = (size_t)snprintf(key, sizeof key, "key%zu", i);
		size_t w = (size_t)snprintf(want, sizeof want, "value of %zu", i * 7);
		if (cdb_find(&c, key, n) != 1) {
			bad++;
			continue;
		}
		if (cdb_datalen(&c) != w || !cdb_read(&c, got, w, cdb_datapos(&c)) ||
		    memcmp(got, want, w) != 0)
			misread++;
		n = (size_t)snprintf(key, sizeof key, "nokey%zu", i);
		if (cdb_find(&c, key, n) != 0)
			phantom++;
	}
	T_EQ_U(bad, 0);
	T_EQ_U(misread, 0);
	T_EQ_U(phantom, 0);
	cdb_free(&c);
	close(fd);
	free(r);
	free(k);
	free(d);
}

/* run - the whole standard output of a shell command, in x; its exit status */
static int run(const char *cmd, sa *x)
{
	char b[4096];
	size_t n;
	FILE *p = popen(cmd, "r");
	x->len = 0;
	if (!p)
		return -1;
	while ((n = fread(b, 1, sizeof b, p)) > 0)
		if (!sa_catb(x, b, n))
			break;
	return pclose(p);
}

/* dump - the records in cdbdump's format "+klen,dlen:key->data\n", then "\n" */
static void dump(sa *x, const rec *r, size_t n)
{
	size_t i;
	for (i = 0; i < n; ++i) {
		sa_catc(x, '+');
		sa_catu(x, r[i].klen);
		sa_catc(x, ',');
		sa_catu(x, r[i].dlen);
		sa_catc(x, ':');
		sa_catb(x, r[i].key, r[i].klen);
		sa_catb(x, "->", 2);
		sa_catb(x, r[i].data, r[i].dlen);
		sa_catc(x, '\n');
	}
	sa_catc(x, '\n');
}

static void t_freecdb_reads_ours(void)
{
	const char *f = t_path("basic.cdb");
	char cmd[512];
	sa x = SA_ZERO, want = SA_ZERO;
	snprintf(cmd, sizeof cmd, "cdbget one < '%s'", f);
	T_EQ_U(run(cmd, &x), 0);
	T_EQ_MEM(x.s, x.len, "Hello", 5);
	snprintf(cmd, sizeof cmd, "cdbget bin < '%s'", f);
	T_EQ_U(run(cmd, &x), 0);
	T_EQ_MEM(x.s, x.len, "a\0b\nc->d\n", 9);
	snprintf(cmd, sizeof cmd, "cdbget dup 2 < '%s'", f); /* skip two duplicates */
	T_EQ_U(run(cmd, &x), 0);
	T_EQ_MEM(x.s, x.len, "third", 5);
	snprintf(cmd, sizeof cmd, "cdbget nodata < '%s'", f);
	T_EQ_U(run(cmd, &x), 0);
	T_EQ_U(x.len, 0);
	snprintf(cmd, sizeof cmd, "cdbget missing < '%s'", f);
	T_EQ_U(run(cmd, &x), 100 << 8); /* cdbget exits 100 when the key is absent */
	snprintf(cmd, sizeof cmd, "cdbdump < '%s'", f);
	T_EQ_U(run(cmd, &x), 0);
	dump(&want, recs, NRECS);
	T_EQ_MEM(x.s, x.len, want.s, want.len);
	sa_free(&x);
	sa_free(&want);
}

static void t_freecdb_empty(void)
{
	const char *f = t_path("empty.cdb");
	char cmd[512];
	sa x = SA_ZERO;
	cdb c;
	int fd;
	T_OK(make(f, 0, 0));
	snprintf(cmd, sizeof cmd, "cdbdump < '%s'", f);
	T_EQ_U(run(cmd, &x), 0);
	T_EQ_MEM(x.s, x.len, "\n", 1);
	fd = open(f, O_RDONLY);
	T_OK(cdb_init(&c, fd));
	T_EQ_U(c.size, CDB_HEADER);
	T_EQ_U(cdb_find(&c, "", 0), 0);
	T_EQ_U(cdb_find(&c, "one", 3), 0);
	cdb_free(&c);
	close(fd);
	sa_free(&x);
}

static void t_freecdb_writes(void)
{
	const char *in = t_path("in.txt"), *f = t_path("theirs.cdb"), *tmp = t_path("theirs.tmp");
	char cmd[1024], key[16], want[16], got[16];
	sa x = SA_ZERO;
	size_t i, bad = 0;
	cdb c;
	int fd;
	FILE *o;
	/* the test records, then 1000 more */
	for (i = 0; i < NRECS; ++i) {
		dump(&x, recs + i, 1);
		x.len--; /* drop each final "\n" */
	}
	for (i = 0; i < 1000; ++i) {
		int kn = snprintf(key, sizeof key, "k%zu", i);
		int dn = snprintf(want, sizeof want, "d%zu", i * 3);
		rec r = {key, (size_t)kn, want, (size_t)dn};
		dump(&x, &r, 1);
		x.len--;
	}
	sa_catc(&x, '\n');
	o = fopen(in, "w");
	T_OK(o && fwrite(x.s, 1, x.len, o) == x.len);
	if (o)
		fclose(o);
	snprintf(cmd, sizeof cmd, "cdbmake '%s' '%s' < '%s'", f, tmp, in);
	T_EQ_U(system(cmd), 0);
	fd = open(f, O_RDONLY);
	T_OK(cdb_init(&c, fd));
	check_recs(&c);
	for (i = 0; i < 1000; ++i) {
		size_t kn = (size_t)snprintf(key, sizeof key, "k%zu", i);
		size_t dn = (size_t)snprintf(want, sizeof want, "d%zu", i * 3);
		if (cdb_find(&c, key, kn) != 1 || cdb_datalen(&c) != dn ||
		    !cdb_read(&c, got, dn, cdb_datapos(&c)) || memcmp(got, want, dn) != 0)
			bad++;
	}
	T_EQ_U(bad, 0);
	cdb_free(&c);
	close(fd);
	sa_free(&x);
}

/* put32 - append u as a little-endian word */
static void put32(sa *x, uint32_t u)
{
	char b[4] = {(char)u, (char)(u >> 8), (char)(u >> 16), (char)(u >> 24)};
	sa_catb(x, b, 4);
}

/* set32 - overwrite the word at pos */
static void set32(sa *x, size_t pos, uint32_t u)
{
	x->s[pos] = (char)u;
	x->s[pos + 1] = (char)(u >> 8);
	x->s[pos + 2] = (char)(u >> 16);
	x->s[pos + 3] = (char)(u >> 24);
}

/* craft - a header with every table empty, then one record "key" -> "val" at 2048 */
static void craft(sa *x)
{
	x->len = 0;
	sa_ready(x, CDB_HEADER);
	memset(x->s, 0, CDB_HEADER);
	x->len = CDB_HEADER;
	put32(x, 3);
	put32(x, 3);
	sa_catb(x, "keyval", 6);
}

/* lookup - write x to a file, then look up "key" both mapped and with pread */
static int lookup(const sa *x, const char *name, int *again)
{
	const char *f = t_path(name);
	FILE *o = fopen(f, "w");
	cdb c;
	int fd, r;
	if (!o)
		return -2;
	fwrite(x->s, 1, x->len, o);
	fclose(o);
	fd = open(f, O_RDONLY);
	if (!cdb_init(&c, fd)) {
		close(fd);
		return -3;
	}
	r = cdb_find(&c, "key", 3);
	cdb_free(&c);
	*again = cdb_find(&c, "key", 3);
	close(fd);
	return r;
}

/* table - append a table of n slots, each (h, pos), and point key's header entry at it */
static void table(sa *x, uint32_t n, uint32_t h, uint32_t pos)
{
	uint32_t i, kh = cdb_hash("key", 3);
	set32(x, (kh & 255) * 8, (uint32_t)x->len);
	set32(x, (kh & 255) * 8 + 4, n);
	for (i = 0; i < n; ++i) {
		put32(x, h);
		put32(x, pos);
	}
}

static void t_crafted_valid(void)
{
	sa x = SA_ZERO;
	int again;
	uint32_t kh = cdb_hash("key", 3);
	craft(&x);
	table(&x, 2, 0, 0);
	set32(&x, x.len - 16 + (kh >> 8) % 2 * 8, kh);   /* the key's slot: hash and */
	set32(&x, x.len - 12 + (kh >> 8) % 2 * 8, 2048); /* position */
	T_EQ_U(lookup(&x, "valid.cdb", &again), 1);
	T_EQ_U(again, 1);
	sa_free(&x);
}

static void t_corrupt(void)
{
	sa x = SA_ZERO;
	int again;
	uint32_t kh = cdb_hash("key", 3);
	cdb c;
	int fd;

	/* shorter than a header */
	craft(&x);
	x.len = 100;
	errno = 0;
	T_OK(lookup(&x, "short.cdb", &again) == -3);
	x.len = 0;
	T_OK(lookup(&x, "zero.cdb", &again) == -3);

	/* a table beyond the end, or running past it */
	craft(&x);
	set32(&x, (kh & 255) * 8, 0xfffffff0);
	set32(&x, (kh & 255) * 8 + 4, 4);
	errno = 0;
	T_OK(lookup(&x, "hdr1.cdb", &again) == -1);
	T_EQ_U(errno, EPROTO);
	T_OK(again == -1);
	set32(&x, (kh & 255) * 8, 2048);
	set32(&x, (kh & 255) * 8 + 4, 0xffffffff);
	T_OK(lookup(&x, "hdr2.cdb", &again) == -1);
	T_OK(again == -1);
	set32(&x, (kh & 255) * 8 + 4, 2);
	T_OK(lookup(&x, "hdr3.cdb", &again) == -1);

	/* a slot pointing beyond the end, or at a record that runs past it */
	craft(&x);
	table(&x, 2, kh, 0xffffff00);
	T_OK(lookup(&x, "rec1.cdb", &again) == -1);
	T_OK(again == -1);
	craft(&x);
	table(&x, 2, kh, (uint32_t)x.len - 4); /* the record head straddles the end */
	T_OK(lookup(&x, "rec2.cdb", &again) == -1);
	craft(&x);
	set32(&x, 2048 + 4, 0xffffff00); /* dlen far past the end */
	table(&x, 2, kh, 2048);
	T_OK(lookup(&x, "rec3.cdb", &again) == -1);
	T_OK(again == -1);
	craft(&x);
	set32(&x, 2048, 0xfffffff0); /* klen past the end, and 2^32 with dlen */
	set32(&x, 2048 + 4, 0x20);
	table(&x, 2, kh, 2048);
	T_OK(lookup(&x, "rec4.cdb", &again) == -1);

	/* every slot full: the probe must stop after one round, with an error */
	craft(&x);
	table(&x, 8, kh ^ 0x100, 2048); /* wrong hashes */
	T_OK(lookup(&x, "full1.cdb", &again) == -1);
	T_OK(again == -1);
	craft(&x);
	sa_catb(&x, "\3\0\0\0\0\0\0\0kez", 11);
	table(&x, 8, kh, 2048 + 14); /* right hash, other key */
	T_OK(lookup(&x, "full2.cdb", &again) == -1);
	T_OK(again == -1);
	craft(&x);
	table(&x, 1, kh, 2048); /* full, but the key is in it */
	T_EQ_U(lookup(&x, "full3.cdb", &again), 1);

	/* a good cdb cut short: the last table is gone */
	fd = open(t_path("basic.cdb"), O_RDONLY);
	x.len = 0;
	if (sa_ready(&x, 65536)) {
		ssize_t n = read(fd, x.s, 65536);
		x.len = n > 0 ? (size_t)n : 0;
	}
	close(fd);
	T_OK(x.len > CDB_HEADER);
	x.len -= 1;
	{
		const char *g = t_path("cut.cdb");
		FILE *o = fopen(g, "w");
		size_t i;
		int worst = 1;
		T_OK(o != 0);
		if (o) {
			fwrite(x.s, 1, x.len, o);
			fclose(o);
		}
		fd = open(g, O_RDONLY);
		T_OK(cdb_init(&c, fd));
		for (i = 0; i < NRECS; ++i) {
			int r = cdb_find(&c, recs[i].key, recs[i].klen);
			if (r < worst)
				worst = r;
		}
		T_OK(worst == -1);
		cdb_free(&c);
		close(fd);
	}
	sa_free(&x);
}

static void t_make_limits(void)
{
	const char *f = t_path("limits.cdb");
	static const char k[] = "k";
	cdbmake m;
	cdb c;
	int fd = open(f, O_RDWR | O_CREAT | O_TRUNC, 0644);
	T_OK(cdbmake_start(&m, fd));
	/* lengths are checked before a byte is read, so these pointers are never used */
	errno = 0;
	T_OK(!cdbmake_add(&m, k, (size_t)UINT32_MAX + 1, k, 0));
	T_EQ_U(errno, EOVERFLOW);
	errno = 0;
	T_OK(!cdbmake_add(&m, k, SIZE_MAX, k, SIZE_MAX));
	T_EQ_U(errno, EOVERFLOW);
	errno = 0;
	T_OK(!cdbmake_add(&m, k, 1, k, SIZE_MAX - 8));
	T_EQ_U(errno, EOVERFLOW);
	errno = 0;
	T_OK(!cdbmake_add(&m, k, UINT32_MAX - 2048 - 8 - 16 + 1, k, 0)); /* one byte too many */
	T_EQ_U(errno, EOVERFLOW);
	errno = 0;
	T_OK(!cdbmake_add(&m, k, (size_t)1 << 31, k, (size_t)1 << 31));
	T_EQ_U(errno, EOVERFLOW);
	/* refused adds leave nothing behind */
	T_OK(cdbmake_add(&m, "a", 1, "b", 1));
	T_OK(cdbmake_finish(&m));
	T_OK(!cdbmake_add(&m, "a", 1, "b", 1)); /* finished: used up */
	T_OK(!cdbmake_finish(&m));
	T_OK(cdb_init(&c, fd));
	T_EQ_U(c.size, CDB_HEADER + 10 + 16);
	T_EQ_U(cdb_find(&c, "a", 1), 1);
	T_EQ_U(cdb_datalen(&c), 1);
	cdb_free(&c);
	close(fd);
}

static void t_make_errors(void)
{
	static char big[10000];
	const char *f = t_path("ro.cdb");
	cdbmake m;
	int p[2], fd;
	/* a pipe cannot seek */
	T_OK(pipe(p) == 0);
	errno = 0;
	T_OK(!cdbmake_start(&m, p[1]));
	T_EQ_U(errno, ESPIPE);
	close(p[0]);
	close(p[1]);
	/* a write error sticks */
	fd = open(f, O_RDONLY | O_CREAT, 0644);
	T_OK(cdbmake_start(&m, fd));
	errno = 0;
	T_OK(!cdbmake_add(&m, "k", 1, big, sizeof big));
	T_EQ_U(errno, EBADF);
	errno = 0;
	T_OK(!cdbmake_add(&m, "k", 1, "", 0));
	T_EQ_U(errno, EBADF);
	errno = 0;
	T_OK(!cdbmake_finish(&m));
	T_EQ_U(errno, EBADF);
	cdbmake_free(&m);
	close(fd);
}

const t_case t_cases[] = {
	T_CASE(t_hash),           T_CASE(t_roundtrip),          T_CASE(t_read_bounds),
	T_CASE(t_many),           T_CASE(t_freecdb_reads_ours), T_CASE(t_freecdb_empty),
	T_CASE(t_freecdb_writes), T_CASE(t_crafted_valid),      T_CASE(t_corrupt),
	T_CASE(t_make_limits),    T_CASE(t_make_errors),        T_END,
};
