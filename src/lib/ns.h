/*
 * ns.h - netstrings, "LEN:BYTES,": LEN is decimal digits with no sign, no spaces and
 * no leading zero (except "0" itself). The parser is an incremental state machine: the
 * caller pushes whatever bytes have arrived, one at a time or many, and gets events
 * back. The declared length is checked against the caller's limit as its digits
 * arrive, before anything is allocated or any payload is read. Errors stick: errno
 * EPROTO for bad syntax, EMSGSIZE for a length over the limit.
 */
#ifndef NS_H
#define NS_H

#include <stddef.h>

#include "sa.h"

typedef struct ns_s {
	size_t limit; /* longest payload accepted */
	size_t len;   /* declared payload length, once NS_LEN was returned */
	size_t left;  /* payload bytes still to come */
	int state;    /* where in the netstring the next byte falls (ns.c) */
	int err;      /* errno of the error that stopped the parser, 0 if none */
} ns;

/* events returned by ns_feed */
#define NS_ERROR (-1) /* malformed or too long (errno); used counts the bytes before */
#define NS_MORE  0    /* every byte consumed, nothing to report yet */
#define NS_LEN   1    /* "LEN:" consumed; the payload length is in len */
#define NS_DATA  2    /* the bytes consumed are payload */
#define NS_END   3    /* the final comma consumed; the next byte starts a new netstring */

void ns_init(ns *p, size_t limit);
int ns_feed(ns *p, const char *s, size_t n, size_t *used);
int ns_get(ns *p, sa *out, const char *s, size_t n, size_t *used);
int ns_parse(const char *s, size_t n, size_t limit, const char **data, size_t *dlen, size_t *used);
int ns_catb(sa *out, const char *s, size_t n);

#endif
