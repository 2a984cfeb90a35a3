/*
 * mboxrd.h - writing messages into an mbox in the mboxrd form: each message starts
 * with a From_ line, any line that is zero or more '>' followed by "From " gets one
 * more '>', and a blank line ends the message. qmail-local (mbox deliveries) and
 * maildir2mbox share it, so both write exactly the same format.
 *
 *	mboxrd q;
 *	mboxrd_fromline(&line, sender, when);   "From SENDER DATE\n"
 *	mboxrd_init(&q, &out);
 *	mboxrd_put(&q, s, n); ...               the message, in pieces of any size
 *	mboxrd_end(&q);                          what was held back, the blank line
 */
#ifndef MBOXRD_H
#define MBOXRD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "sa.h"

typedef struct mboxrd_s {
	buf *out;    /* where the quoted message goes; borrowed */
	int bol;     /* at the beginning of a line */
	uint64_t gt; /* '>' bytes held back at the beginning of this line */
	size_t from; /* bytes of "From " matched after them */
	char last;   /* the last message byte written, '\n' if none */
} mboxrd;

void mboxrd_init(mboxrd *q, buf *out);
int mboxrd_put(mboxrd *q, const char *s, size_t n);
int mboxrd_end(mboxrd *q);
int mboxrd_fromline(sa *out, const char *sender, time_t t);

#endif
