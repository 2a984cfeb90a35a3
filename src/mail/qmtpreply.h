/*
 * qmtpreply.h - the replies of a QMTP server (SPEC section 13): after a package, one
 * netstring per recipient, in order, whose payload is a status letter ('K' accepted,
 * 'Z' try again later, 'D' refused for good) and a text. The reader is fed bytes as
 * they arrive, in pieces of any size; the length is checked against QMTPREPLY_MAX as
 * its digits arrive, so a hostile server cannot make it allocate. Errors stick.
 */
#ifndef QMTPREPLY_H
#define QMTPREPLY_H

#include <stddef.h>

#include "ns.h"
#include "sa.h"

#define QMTPREPLY_MAX 4096 /* longest reply accepted: letter and text */

typedef struct qmtpreply_s {
	ns p;    /* the netstring being read */
	sa text; /* the last complete reply: its letter, then its text (no NUL inside) */
	int err; /* errno of the error that stopped the reader, 0 if none */
} qmtpreply;

#define QMTPREPLY_ZERO                      \
	{                                   \
		{0, 0, 0, 0, 0}, SA_ZERO, 0 \
	}

void qmtpreply_init(qmtpreply *q);
int qmtpreply_feed(qmtpreply *q, const char *s, size_t n, size_t *used);
void qmtpreply_free(qmtpreply *q);

#endif
