/*
 * smtpreply.h - the SMTP client's reply reader (RFC 5321 section 4.2). An incremental
 * state machine: the caller pushes whatever bytes arrived, one or many, and gets back
 * one complete reply: its code and its lines. It never reads past the end of a reply,
 * so pipelined replies that arrive together are taken one at a time. Everything is
 * bounded: the bytes of a line, the lines of a reply and the text kept; a violation is
 * a sticky error (errno EPROTO bad syntax, EMSGSIZE line too long, E2BIG too many
 * lines), so a hostile server can make the reader fail but never grow or loop.
 */
#ifndef SMTPREPLY_H
#define SMTPREPLY_H

#include <stddef.h>

#include "sa.h"

#define SMTPREPLY_TEXTMAX  5000 /* bytes of reply text kept; the rest is counted */
#define SMTPREPLY_LINEMAX  2048 /* longest line accepted, without its CRLF */
#define SMTPREPLY_LINESMAX 1000 /* most lines accepted in one reply */

typedef struct smtpreply_s {
	unsigned code;  /* the reply code (200..599); valid once the reply is complete */
	sa text;        /* the lines, "250-a\n250 b", no CR, no final LF, at most TEXTMAX */
	size_t dropped; /* text bytes beyond SMTPREPLY_TEXTMAX, not kept */
	size_t lines;   /* lines completed in this reply */
	size_t col;     /* bytes of the current line so far */
	unsigned cur;   /* the code of the current line, as its digits arrive */
	int last;       /* the current line ends the reply */
	int state;      /* where the next byte falls (smtpreply.c) */
	int err;        /* errno of the error that stopped the reader, 0 if none */
} smtpreply;
/* clang-format off */
#define SMTPREPLY_ZERO {0, SA_ZERO, 0, 0, 0, 0, 0, 0, 0}
/* clang-format on */

int smtpreply_feed(smtpreply *r, const char *s, size_t n, size_t *used);
int smtpreply_keyword(const smtpreply *r, const char *kw, const char **arg, size_t *arglen);
void smtpreply_free(smtpreply *r);

#endif
