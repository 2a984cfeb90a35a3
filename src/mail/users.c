/*
 * users.c - users/assign lines, users/cdb writing and lookup, user records.
 * Lower-casing is ASCII only (str.h), the same in qmail-newu and qmail-lspawn, so a
 * key written by one is the key looked up by the other; the wildcard characters are
 * stored lower-cased too, since they are compared with the lower-cased local part.
 */
#include "users.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "scan.h"
#include "str.h"

#define FIELDS 6 /* user, uid, gid, home, dash, ext */

/* id_ok - s[0..n) is a decimal id that fits uid_t and gid_t and is not (id_t)-1 */
static int id_ok(const char *s, size_t n, uint64_t *v)
{
	if (!scan_u64_all(s, n, v))
		return 0;
	return *v < (uint64_t)(uid_t)-1 && *v < (uint64_t)(gid_t)-1;
}

/* users_assign_parse - split one users/assign line (without its newline) into e;
 * 1 for a valid line, 0 with *why telling what is wrong */
int users_assign_parse(users_line *e, const char *s, size_t n, const char **why)
{
	size_t i, colon, start, f;
	uint64_t v;
	if (n == 1 && s[0] == '.') {
		e->kind = '.';
		e->key = e->data = s + 1;
		e->keylen = e->datalen = 0;
		return 1;
	}
	if (n == 0) {
		*why = "empty line";
		return 0;
	}
	if (s[0] != '=' && s[0] != '+') {
		*why = s[0] == '.' ? "text after the final dot"
				   : "line begins with neither = nor +";
		return 0;
	}
	for (i = 0; i < n; ++i)
		if ((unsigned char)s[i] < 32 || s[i] == 127) {
			*why = s[i] == '\r' ? "carriage return in line"
					    : "control character in line";
			return 0;
		}
	colon = byte_chr(s, n, ':');
	if (colon == n) {
		*why = "no colon after the address";
		return 0;
	}
	e->kind = s[0];
	e->key = s + 1;
	e->keylen = colon - 1;
	e->data = s + colon + 1;
	e->datalen = n - colon - 1;
	for (f = 0, start = 0; f < FIELDS; ++f) {
		i = byte_chr(e->data + start, e->datalen - start, ':');
		if (start + i == e->datalen) {
			*why = "fewer than 7 colons (a line ends with a colon)";
			return 0;
		}
		if (f == 0 && i == 0) {
			*why = "empty user name";
			return 0;
		}
		if ((f == 1 || f == 2) && !id_ok(e->data + start, i, &v)) {
			*why = f == 1 ? "uid is not a valid number" : "gid is not a valid number";
			return 0;
		}
		if (f == 3 && (i == 0 || e->data[start] != '/')) {
			*why = "home directory is not an absolute path";
			return 0;
		}
		start += i + 1;
	}
	if (start != e->datalen) {
		*why = "text after the seventh colon";
		return 0;
	}
	return 1;
}

/* users_make_start - begin writing users/cdb on fd (a new, empty, seekable file) */
int users_make_start(users_make *u, int fd)
{
	static const sa zero = SA_ZERO;
	u->wild = u->key = u->data = zero;
	return cdbmake_start(&u->m, fd);
}

/* users_make_add - add the record of one parsed '=' or '+' line */
int users_make_add(users_make *u, const users_line *e)
{
	size_t i;
	if (e->kind != '=' && e->kind != '+') {
		errno = EINVAL;
		return 0;
	}
	if (!sa_copyb(&u->key, "!", 1) || !sa_catb(&u->key, e->key, e->keylen))
		return 0;
	case_lowerb(u->key.s, u->key.len);
	if (e->kind == '=' && !sa_0(&u->key))
		return 0;
	if (e->kind == '+' && e->keylen) {
		char c = u->key.s[u->key.len - 1];
		if (byte_chr(u->wild.s, u->wild.len, c) == u->wild.len && !sa_catc(&u->wild, c))
			return 0;
	}
	/* the data is the fields with their colons made NULs, less the last one */
	if (!sa_copyb(&u->data, e->data, e->datalen - 1))
		return 0;
	for (i = 0; i < u->data.len; ++i)
		if (u->data.s[i] == ':')
			u->data.s[i] = 0;
	return cdbmake_add(&u->m, u->key.s, u->key.len, u->data.s, u->data.len);
}

/* users_make_finish - add the wildcard record and the hash tables; frees u */
int users_make_finish(users_make *u)
{
	int ok = cdbmake_add(&u->m, "", 0, u->wild.s ? u->wild.s : "", u->wild.len) &&
		 cdbmake_finish(&u->m);
	int e = errno;
	users_make_free(u);
	errno = e;
	return ok;
}

/* users_make_free - release a users_make after a failure (or at any time) */
void users_make_free(users_make *u)
{
	cdbmake_free(&u->m);
	sa_free(&u->wild);
	sa_free(&u->key);
	sa_free(&u->data);
}

/* field - copy s[0..n) into x as a C string */
static int field(sa *x, const char *s, size_t n)
{
	return sa_copyb(x, s, n) && sa_0(x);
}

/* users_pw_parse - the six fields of a user record; terminated says whether the ext
 * ends with a NUL (qmail-getpw's output) or runs to the end (users/cdb data);
 * 0 with errno EPROTO when the record is malformed */
int users_pw_parse(users_pw *pw, const char *s, size_t n, int terminated)
{
	size_t start = 0, f, len[FIELDS], at[FIELDS];
	uint64_t uid, gid;
	if (terminated) {
		if (n == 0 || s[n - 1] != 0)
			goto bad;
		--n;
	}
	for (f = 0; f < FIELDS; ++f) {
		size_t i = byte_chr(s + start, n - start, 0);
		if (f < FIELDS - 1 && start + i == n)
			goto bad;
		if (f == FIELDS - 1 && start + i != n)
			goto bad; /* a NUL inside the ext */
		at[f] = start;
		len[f] = i;
		start += i + 1;
	}
	if (len[0] == 0 || len[3] == 0 || !id_ok(s + at[1], len[1], &uid) ||
	    !id_ok(s + at[2], len[2], &gid))
		goto bad;
	if (!field(&pw->user, s + at[0], len[0]) || !field(&pw->home, s + at[3], len[3]) ||
	    !field(&pw->dash, s + at[4], len[4]) || !field(&pw->ext, s + at[5], len[5]))
		return 0;
	pw->uid = (uid_t)uid;
	pw->gid = (gid_t)gid;
	return 1;
bad:
	errno = EPROTO;
	return 0;
}

/* get - the data of the record found last into x, at most max bytes (else EPROTO) */
static int get(cdb *c, sa *x, size_t max)
{
	uint32_t n = cdb_datalen(c);
	if (n > max) {
		errno = EPROTO;
		return 0;
	}
	x->len = 0;
	if (!sa_ready(x, n ? n : 1) || !cdb_read(c, x->s, n, cdb_datapos(c)))
		return 0;
	x->len = n;
	return 1;
}

/* users_cdb_find - look the local part local[0..len) up in users/cdb: the exact key,
 * then "!" + ever shorter prefixes, each tried only if it is "!" alone or ends in a
 * wildcard character. 1 found (pw filled, the rest of local appended to the ext of a
 * prefix match), 0 no match, -1 error (EPROTO: a malformed users/cdb) */
int users_cdb_find(cdb *c, const char *local, size_t len, users_pw *pw)
{
	sa key = SA_ZERO, wild = SA_ZERO, data = SA_ZERO;
	size_t i;
	int r = -1, e;
	if (!sa_copyb(&key, "!", 1) || !sa_catb(&key, local, len) || !sa_0(&key))
		goto done;
	case_lowerb(key.s, key.len);
	r = cdb_find(c, key.s, key.len);
	if (r == 1) {
		r = get(c, &data, USERS_DATAMAX) && users_pw_parse(pw, data.s, data.len, 0) ? 1
											    : -1;
		goto done;
	}
	if (r < 0)
		goto done;
	r = cdb_find(c, "", 0);
	if (r == 0)
		errno = EPROTO; /* qmail-newu always writes the wildcard record */
	if (r != 1 || !get(c, &wild, 256)) {
		r = -1;
		goto done;
	}
	for (i = key.len - 1; i >= 1; --i) {
		if (i > 1 && byte_chr(wild.s, wild.len, key.s[i - 1]) == wild.len)
			continue;
		r = cdb_find(c, key.s, i);
		if (r < 0)
			goto done;
		if (r == 0)
			continue;
		if (!get(c, &data, USERS_DATAMAX) ||
		    !sa_catb(&data, local + i - 1, len - (i - 1)) ||
		    !users_pw_parse(pw, data.s, data.len, 0)) {
			r = -1;
			goto done;
		}
		r = 1;
		goto done;
	}
	r = 0;
done:
	e = errno;
	sa_free(&key);
	sa_free(&wild);
	sa_free(&data);
	errno = e;
	return r;
}

/* users_pw_free - release a user record's strings */
void users_pw_free(users_pw *pw)
{
	sa_free(&pw->user);
	sa_free(&pw->home);
	sa_free(&pw->dash);
	sa_free(&pw->ext);
}
