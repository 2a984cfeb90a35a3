/*
 * mboxrd.c - the mboxrd quoting as a stream filter. A line's leading '>' bytes and
 * the start of "From " are held back until it is known whether the line needs one
 * more '>', so the message may arrive in pieces of any size and nothing is buffered
 * beyond a counter: a line of a billion '>' costs no memory.
 */
#include "mboxrd.h"

#include <string.h>

#include "tm.h"

/* mboxrd_init - start quoting one message into out */
void mboxrd_init(mboxrd *q, buf *out)
{
	q->out = out;
	q->bol = 1;
	q->gt = 0;
	q->from = 0;
	q->last = '\n';
}

/* hold_flush - write out the bytes held back at the beginning of a line */
static int hold_flush(mboxrd *q)
{
	for (; q->gt; --q->gt)
		if (!buf_put(q->out, ">", 1))
			return 0;
	if (q->from && !buf_put(q->out, "From ", q->from))
		return 0;
	q->from = 0;
	q->bol = 0;
	return 1;
}

/* mboxrd_put - write n message bytes with mboxrd quoting; 0 on a write error */
int mboxrd_put(mboxrd *q, const char *s, size_t n)
{
	while (n) {
		const char *nl;
		size_t k;
		if (q->bol) {
			if (!q->from && *s == '>') {
				++q->gt;
			} else if (*s == "From "[q->from]) {
				if (++q->from == 5) {
					if (!buf_put(q->out, ">", 1) || !hold_flush(q))
						return 0;
					q->last = ' ';
				}
			} else {
				if (!hold_flush(q))
					return 0;
				continue;
			}
			++s;
			--n;
			continue;
		}
		nl = memchr(s, '\n', n);
		k = nl ? (size_t)(nl - s) + 1 : n;
		if (!buf_put(q->out, s, k))
			return 0;
		q->last = s[k - 1];
		q->bol = nl != 0;
		s += k;
		n -= k;
	}
	return 1;
}

/* mboxrd_end - the end of the message: release what is held, then the blank line
 * (two newlines if the message did not end with one); 0 on a write error */
int mboxrd_end(mboxrd *q)
{
	if (q->gt || q->from) {
		q->last = 'x';
		if (!hold_flush(q))
			return 0;
	}
	if (q->last == '\n')
		return buf_put(q->out, "\n", 1);
	return buf_put(q->out, "\n\n", 2);
}

/* mboxrd_fromline - append "From SENDER DATE\n": spaces, tabs, CR and LF in the
 * sender become '-' so the line keeps its three fields, an empty sender (a bounce)
 * is MAILER-DAEMON, the date is date_mbox's (UTC) */
int mboxrd_fromline(sa *out, const char *sender, time_t t)
{
	size_t i, off;
	if (!sa_cats(out, "From "))
		return 0;
	off = out->len;
	if (!sa_cats(out, *sender ? sender : "MAILER-DAEMON"))
		return 0;
	for (i = off; i < out->len; ++i)
		if (out->s[i] == ' ' || out->s[i] == '\t' || out->s[i] == '\r' || out->s[i] == '\n')
			out->s[i] = '-';
	return sa_catc(out, ' ') && date_mbox(out, t) && sa_catc(out, '\n');
}
