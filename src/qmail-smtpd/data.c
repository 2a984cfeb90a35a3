/*
 * data.c - the DATA decoder and the hop scanner.
 *
 * The decoder accepts only what RFC 5321 allows: every line ends with CRLF, a line
 * starting with a dot has that dot removed, and the message ends at a line holding
 * only a dot, that is at CRLF "." CRLF (the 354 reply counts as the CRLF before the
 * first line). An LF without a CR before it, or a CR without an LF after it, stops the
 * message for good (DATA_BARELF, DATA_BARECR): no other byte sequence can end it,
 * so "\n.\n", "\r.\r", "\r\n.\r" and the other smuggling forms are never an end of
 * data here, whatever a next hop might make of them. NUL bytes are passed on.
 *
 *	state   byte    action
 *	BOL     '.'     -> DOT
 *	BOL     CR      -> CR
 *	DOT     CR      -> DOTCR
 *	DOT     other   drop the dot, store the byte, -> MID
 *	DOTCR   LF      end of data
 *	CR      LF      store LF, -> BOL
 *	MID     CR      -> CR
 *	any     LF      (not after CR) bare LF
 *	CR, DOTCR other bare CR
 *	BOL,MID other   store it, -> MID
 */
#include "data.h"

#include <string.h>

#include "str.h"

enum { BOL, DOT, DOTCR, MID, CR };

/* data_init - ready for the first byte after the 354 reply */
void data_init(data_dec *d)
{
	d->state = BOL;
	d->result = DATA_MORE;
}

/* data_feed - decode s[0..n), appending the stored form to out; *used is the bytes
 * consumed: all of them for DATA_MORE, through the final LF for DATA_END, up to the
 * offending byte for an error; -1 if out cannot grow. At most n bytes are appended. */
int data_feed(data_dec *d, const char *s, size_t n, size_t *used, sa *out)
{
	size_t i = 0;
	*used = 0;
	if (d->result != DATA_MORE)
		return d->result;
	if (!sa_readyplus(out, n))
		return -1;
	while (i < n) {
		char c = s[i];
		if (d->state == MID || d->state == BOL) {
			size_t j = i;
			if (d->state == BOL && c == '.') {
				d->state = DOT;
				++i;
				continue;
			}
			while (j < n && s[j] != '\r' && s[j] != '\n')
				++j;
			if (j > i) {
				memcpy(out->s + out->len, s + i, j - i);
				out->len += j - i;
				d->state = MID;
				i = j;
				continue;
			}
			if (c == '\n') {
				d->result = DATA_BARELF;
				break;
			}
			d->state = CR;
			++i;
			continue;
		}
		if (d->state == DOT) {
			if (c == '\r') {
				d->state = DOTCR;
			} else if (c == '\n') {
				d->result = DATA_BARELF;
				break;
			} else {
				d->state = MID;
				continue; /* the dot is dropped; c is stored as text */
			}
			++i;
			continue;
		}
		if (c != '\n') {
			d->result = DATA_BARECR;
			break;
		}
		++i;
		if (d->state == DOTCR) {
			d->result = DATA_END;
			break;
		}
		out->s[out->len++] = '\n';
		d->state = BOL;
	}
	*used = i;
	return d->result;
}

/* hops_init - ready for the first byte of a header */
void hops_init(hops *h)
{
	h->body = 0;
	h->pos = 0;
	h->match = 3;
	h->count = 0;
}

/* hops_feed - scan stored message bytes, counting header lines that start, in any
 * case, with "received" or "delivered". Only the first 9 bytes of a line are looked
 * at and pos stops at 10, so a line of any length costs nothing more. */
void hops_feed(hops *h, const char *s, size_t n)
{
	static const char r[] = "received";
	static const char dl[] = "delivered";
	size_t i;
	for (i = 0; i < n && !h->body; ++i) {
		int c = case_lower((unsigned char)s[i]);
		if (c == '\n') {
			if (h->pos == 0)
				h->body = 1;
			h->pos = 0;
			h->match = 3;
			continue;
		}
		if (h->pos < 8 && c != r[h->pos])
			h->match &= ~1u;
		if (h->pos < 9 && c != dl[h->pos])
			h->match &= ~2u;
		if (h->pos < 10)
			++h->pos;
		if (((h->pos == 8 && (h->match & 1)) || (h->pos == 9 && (h->match & 2))) &&
		    h->count < (unsigned long)-1)
			++h->count;
	}
}
