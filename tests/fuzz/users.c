/*
 * users.c - fuzz users/assign parsing, users/cdb writing and lookup, and user
 * records (users.h). Input: a users/assign file. Invariants: a valid line's key and
 * data lie inside it, the data holds the six fields and ends with a colon; the valid
 * lines, written as users/cdb, find what qmail-lspawn must find: each '=' address
 * (in any case) its first line's record, and each '+' prefix followed by more text
 * some record, with that text at the end of its ext when no '=' line or longer
 * prefix matches; a record written with NULs parses back to the same fields.
 */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cdb.h"
#include "fuzz.h"
#include "sa.h"
#include "users.h"

#define MAXLINES 64 /* valid lines kept; the lookups take lines * lines */

static users_line lines[MAXLINES];

/* file - an empty in-memory file, made once and reused */
static int file(void)
{
	static int fd = -1;
	if (fd < 0)
		fd = memfd_create("fuzz-users", 0);
	CHECK(fd >= 0);
	CHECK(ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0);
	return fd;
}

/* lower - ASCII lower case */
static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* same_key - whether a and b are the same ignoring ASCII case */
static int same_key(const char *a, size_t n, const char *b, size_t m)
{
	size_t i;
	if (n != m)
		return 0;
	for (i = 0; i < n; ++i)
		if (lower(a[i]) != lower(b[i]))
			return 0;
	return 1;
}

/* field - the i-th colon-separated field of a line's data */
static void field(const users_line *e, size_t i, const char **p, size_t *n)
{
	const char *s = e->data, *end = e->data + e->datalen;
	while (i--)
		s = memchr(s, ':', (size_t)(end - s)) + 1;
	*p = s;
	*n = (size_t)((const char *)memchr(s, ':', (size_t)(end - s)) - s);
}

/* same_pw - pw holds the fields of line e, with tail appended to its ext */
static void same_pw(const users_pw *pw, const users_line *e, const char *tail, size_t tn)
{
	const char *p;
	size_t n;
	field(e, 0, &p, &n);
	CHECK(pw->user.len == n + 1 && !memcmp(pw->user.s, p, n));
	field(e, 3, &p, &n);
	CHECK(pw->home.len == n + 1 && !memcmp(pw->home.s, p, n));
	field(e, 4, &p, &n);
	CHECK(pw->dash.len == n + 1 && !memcmp(pw->dash.s, p, n));
	field(e, 5, &p, &n);
	CHECK(pw->ext.len == n + tn + 1 && !memcmp(pw->ext.s, p, n));
	CHECK(tn == 0 || !memcmp(pw->ext.s + n, tail, tn));
}

/* check_line - the shape of a line users_assign_parse accepted */
static void check_line(const users_line *e, const char *s, size_t n)
{
	size_t i, colons = 0;
	if (e->kind == '.') {
		CHECK(n == 1 && s[0] == '.');
		return;
	}
	CHECK(e->kind == s[0] && (e->kind == '=' || e->kind == '+'));
	CHECK(e->key == s + 1 && e->data == e->key + e->keylen + 1 && e->data[-1] == ':');
	CHECK(e->data + e->datalen == s + n && e->datalen && e->data[e->datalen - 1] == ':');
	CHECK(!memchr(e->key, ':', e->keylen));
	for (i = 0; i < e->datalen; ++i)
		colons += e->data[i] == ':';
	CHECK(colons == 6);
	for (i = 0; i < n; ++i)
		CHECK((unsigned char)s[i] >= 32 && s[i] != 127);
}

/* record - line e's fields as a record, parsed back */
static void record(const users_line *e)
{
	users_pw pw = USERS_PW_ZERO;
	sa rec = SA_ZERO;
	size_t i;
	CHECK(sa_catb(&rec, e->data, e->datalen - 1));
	for (i = 0; i < rec.len; ++i)
		if (rec.s[i] == ':')
			rec.s[i] = 0;
	CHECK(users_pw_parse(&pw, rec.s, rec.len, 0));
	same_pw(&pw, e, 0, 0);
	CHECK(sa_0(&rec) && users_pw_parse(&pw, rec.s, rec.len, 1));
	same_pw(&pw, e, 0, 0);
	CHECK(!users_pw_parse(&pw, rec.s, rec.len - 1, 1) && errno == EPROTO);
	users_pw_free(&pw);
	sa_free(&rec);
}

/* lookups - users_cdb_find for every line's key */
static void lookups(cdb *c, size_t n)
{
	users_pw pw = USERS_PW_ZERO;
	sa key = SA_ZERO;
	size_t i, j;
	for (i = 0; i < n; ++i) {
		const users_line *e = &lines[i];
		key.len = 0;
		CHECK(sa_catb(&key, e->key, e->keylen));
		if (e->kind == '=') {
			/* in upper case: the lookup ignores case */
			for (j = 0; j < key.len; ++j)
				if (key.s[j] >= 'a' && key.s[j] <= 'z')
					key.s[j] = (char)(key.s[j] - 32);
			CHECK(users_cdb_find(c, key.s, key.len, &pw) == 1);
			for (j = 0; j < n; ++j)
				if (lines[j].kind == '=' &&
				    same_key(lines[j].key, lines[j].keylen, e->key, e->keylen))
					break;
			same_pw(&pw, &lines[j], 0, 0);
			continue;
		}
		CHECK(sa_catb(&key, "zQ", 2));
		CHECK(users_cdb_find(c, key.s, key.len, &pw) == 1);
		/* with no '=' line for the whole key and no longer '+' prefix, this line's
		   first occurrence answers, and the rest of the key ends the ext */
		for (j = 0; j < n; ++j) {
			const users_line *o = &lines[j];
			if (o->kind == '=' && same_key(o->key, o->keylen, key.s, key.len))
				break;
			if (o->kind == '+' && o->keylen > e->keylen && o->keylen <= key.len &&
			    same_key(o->key, o->keylen, key.s, o->keylen))
				break;
		}
		if (j < n)
			continue;
		for (j = 0; j < n; ++j)
			if (lines[j].kind == '+' &&
			    same_key(lines[j].key, lines[j].keylen, e->key, e->keylen))
				break;
		same_pw(&pw, &lines[j], key.s + e->keylen, key.len - e->keylen);
	}
	users_pw_free(&pw);
	sa_free(&key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size;
	users_make u;
	size_t n = 0;
	int fd = file();
	cdb c;
	CHECK(users_make_start(&u, fd));
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		const char *why = 0;
		users_line e;
		if (users_assign_parse(&e, s, len, &why)) {
			check_line(&e, s, len);
			if (e.kind == '.')
				break;
			record(&e);
			if (n < MAXLINES) {
				lines[n++] = e;
				CHECK(users_make_add(&u, &e));
			}
		} else {
			CHECK(why && *why);
		}
		s = nl ? nl + 1 : end;
	}
	CHECK(users_make_finish(&u));
	CHECK(cdb_init(&c, fd));
	lookups(&c, n);
	cdb_free(&c);
	return 0;
}
