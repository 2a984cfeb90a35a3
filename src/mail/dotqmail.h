/*
 * dotqmail.h - .qmail files (SPEC section 6), without any file system access.
 * The parser turns the bytes of a .qmail file into one instruction per line; it is
 * incremental (feed any pieces, then end) and bounded: a line longer than the line
 * limit or a file larger than the total limit is an error, never unbounded memory.
 * dotqmail_find yields the names qmail-local tries and computes DEFAULT, and
 * dotqmail_newsender the envelope sender of forwards; both ask a caller-supplied
 * callback whether a name exists.
 */
#ifndef DOTQMAIL_H
#define DOTQMAIL_H

#include <stddef.h>

#include "sa.h"

/* what one line of a .qmail file asks for */
enum dotqmail_kind {
	DQ_EMPTY,      /* empty line (not the first): ignored */
	DQ_BLANKFIRST, /* the first line is empty: a temporary failure */
	DQ_COMMENT,    /* # comment; arg is the whole line */
	DQ_PROGRAM,    /* |command; arg is the command after the | */
	DQ_MAILDIR,    /* /path/ or ./path/ (ends with /); arg is the path */
	DQ_MBOX,       /* /path or ./path; arg is the path */
	DQ_FORWARD,    /* &address or address; arg is the address */
	DQ_LIST,       /* the line +list: forward-only mode from here on */
	DQ_PLUS        /* any other + line: ignored */
};

typedef struct dotqmail_insn_s {
	int kind;    /* an enum dotqmail_kind */
	size_t line; /* line number, from 1 */
	size_t off;  /* the argument: offset in dotqmail.text, NUL-terminated there */
	size_t len;  /* bytes in the argument */
} dotqmail_insn;

typedef struct dotqmail_s {
	sa text;          /* the stripped lines, each followed by a NUL */
	dotqmail_insn *v; /* the instructions, one per line */
	size_t n;         /* instructions in v */
	size_t a;         /* instructions allocated */
	size_t start;     /* offset in text where the current line starts */
	size_t linemax;   /* longest line accepted, without its newline */
	size_t totalmax;  /* largest text accepted */
	int partial;      /* 1 if bytes of an unfinished line have been fed */
	int err;          /* sticky errno of the first failure, 0 if none */
} dotqmail;

#define DOTQMAIL_LINEMAX  65536              /* default line limit */
#define DOTQMAIL_TOTALMAX (16 * 1024 * 1024) /* default total limit */

void dotqmail_init(dotqmail *d, size_t linemax, size_t totalmax);
int dotqmail_feed(dotqmail *d, const char *s, size_t n);
int dotqmail_end(dotqmail *d);
int dotqmail_parse(dotqmail *d, const char *s, size_t n);
const char *dotqmail_arg(const dotqmail *d, size_t i);
void dotqmail_free(dotqmail *d);

/* exists callback: 1 the name exists, 0 it does not, -1 error (errno set) */
typedef int (*dotqmail_exists)(const char *name, void *ctx);

#define DOTQMAIL_NODEFAULT ((size_t)-1) /* *defpos when no -default file matched */

int dotqmail_find(sa *name, size_t *defpos, const char *dash, const char *ext, dotqmail_exists fn,
		  void *ctx);
int dotqmail_newsender(sa *out, const char *sender, const char *local, const char *domain,
		       const char *dash, const char *ext, dotqmail_exists fn, void *ctx);

#endif
