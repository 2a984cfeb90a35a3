/*
 * data.h - reading the body of DATA: a decoder from the wire form (CRLF lines,
 * dot-stuffed, ended by CRLF.CRLF) to the stored form (LF lines, unstuffed), and a
 * bounded scanner that counts the header lines that mark a hop. Both are pure state
 * machines: bytes in any pieces, the same result as all at once.
 */
#ifndef DATA_H
#define DATA_H

#include <stddef.h>

#include "sa.h"

/* data_feed results */
#define DATA_MORE   0 /* every byte consumed; the message goes on */
#define DATA_END    1 /* the final CRLF.CRLF consumed; bytes after it are not ours */
#define DATA_BARELF 2 /* an LF without CR before it: the message is refused */
#define DATA_BARECR 3 /* a CR without LF after it: the message is refused */

typedef struct data_dec_s {
	int state;  /* where in a line the next byte falls (data.c) */
	int result; /* DATA_MORE until the end or an error, which then sticks */
} data_dec;

typedef struct hops_s {
	int body;            /* the empty line ending the header has been seen */
	unsigned pos;        /* bytes of the current line seen, stops counting at 10 */
	unsigned match;      /* bit 1: still "received" so far; bit 2: "delivered" */
	unsigned long count; /* Received and Delivered-To lines (saturates) */
} hops;

void data_init(data_dec *d);
int data_feed(data_dec *d, const char *s, size_t n, size_t *used, sa *out);

void hops_init(hops *h);
void hops_feed(hops *h, const char *s, size_t n);

#endif
