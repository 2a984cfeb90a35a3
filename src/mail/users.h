/*
 * users.h - local users for qmail-lspawn (SPEC section 7): the users/assign lines,
 * the users/cdb that qmail-newu builds from them, the lookup of a local part in that
 * cdb, and the six fields qmail-getpw prints. A user record is
 *     user NUL uid NUL gid NUL home NUL dash NUL ext
 * (in users/cdb the ext runs to the end of the data; qmail-getpw ends it with a NUL).
 * cdb keys: "!" + lower-case local + NUL for '=' lines, "!" + lower-case prefix for
 * '+' lines, and the empty key, whose data is the set of last characters of the '+'
 * prefixes: a prefix is worth looking up only if it ends in one of them.
 */
#ifndef USERS_H
#define USERS_H

#include <stddef.h>
#include <sys/types.h>

#include "cdb.h"
#include "cdbmake.h"
#include "sa.h"

#define USERS_LINEMAX 8192  /* longest users/assign line, newline included */
#define USERS_DATAMAX 65536 /* longest user record accepted from users/cdb or qmail-getpw */

typedef struct users_line_s {
	char kind;        /* '=' one address, '+' every address with the prefix, '.' the end */
	const char *key;  /* the address or prefix, borrowed from the line, not lowered */
	size_t keylen;    /* its length */
	const char *data; /* "user:uid:gid:home:dash:ext:", borrowed from the line */
	size_t datalen;   /* its length, the last colon included */
} users_line;

typedef struct users_make_s {
	cdbmake m; /* the cdb being written */
	sa wild;   /* last characters of the '+' prefixes so far, each once */
	sa key;    /* scratch: the cdb key */
	sa data;   /* scratch: the record */
} users_make;

typedef struct users_pw_s {
	sa user;   /* account name, NUL-terminated */
	uid_t uid; /* its uid */
	gid_t gid; /* its gid */
	sa home;   /* home directory, NUL-terminated */
	sa dash;   /* "" or "-" (or what the administrator wrote), NUL-terminated */
	sa ext;    /* extension, NUL-terminated */
} users_pw;
/* clang-format off */
#define USERS_PW_ZERO {SA_ZERO, 0, 0, SA_ZERO, SA_ZERO, SA_ZERO}
/* clang-format on */

int users_assign_parse(users_line *e, const char *s, size_t n, const char **why);

int users_make_start(users_make *u, int fd);
int users_make_add(users_make *u, const users_line *e);
int users_make_finish(users_make *u);
void users_make_free(users_make *u);

int users_cdb_find(cdb *c, const char *local, size_t len, users_pw *pw);
int users_pw_parse(users_pw *pw, const char *s, size_t n, int terminated);
void users_pw_free(users_pw *pw);

#endif
