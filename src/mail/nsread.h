/*
 * nsread.h - netstrings from a network peer (QMTP, QMQP): the events of an ns
 * parser (ns.h) read through a buf, under a deadline for the whole connection. The
 * parser's limit is checked as the length digits arrive, before any payload is read.
 */
#ifndef NSREAD_H
#define NSREAD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ns.h"

typedef struct nsread_s {
	buf *in;           /* the peer; borrowed */
	uint64_t deadline; /* tm_mono_ms() at which the connection ends */
	int inside;        /* bytes of an unfinished netstring were consumed */
	int eof;           /* the peer closed between netstrings */
} nsread;

void nsread_init(nsread *r, buf *in, uint64_t deadline);
int nsread_next(nsread *r, ns *p, const char **piece, size_t *n);
unsigned nsread_left(const nsread *r);

#endif
