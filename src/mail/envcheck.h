/*
 * envcheck.h - the rules a queued envelope (todo/ID, as qmail-queue writes it) must
 * follow before qmail-send preprocesses it, as a pure function of its bytes: no I/O,
 * no allocation, fed in pieces of any size. Records end in NUL; 'u' and 'p' carry a
 * decimal number, 'F' the sender (exactly one), 'T' a recipient (after the sender);
 * no record is longer than ENVCHECK_MAX bytes and the last one has its NUL.
 */
#ifndef ENVCHECK_H
#define ENVCHECK_H

#include <stddef.h>
#include <stdint.h>

#define ENVCHECK_MAX 1024 /* longest record accepted, its letter included, NUL not */

typedef struct envcheck_s {
	char rec[ENVCHECK_MAX]; /* the first bytes of the current record */
	size_t len;             /* bytes of it kept */
	int over;               /* it is longer than ENVCHECK_MAX */
	int open;               /* a record is started and its NUL not seen yet */
	int sender;             /* the 'F' record was seen */
	uint64_t nrcpt;         /* 'T' records seen */
	uint64_t uid;           /* the last 'u' record's number */
	uint64_t qp;            /* the last 'p' record's number */
	const char *why;        /* the first problem found, or 0 (sticky) */
} envcheck;

void envcheck_init(envcheck *e);
void envcheck_feed(envcheck *e, const char *p, size_t n);
int envcheck_end(envcheck *e);
int envcheck_bytes(envcheck *e, const char *p, size_t n);

#endif
