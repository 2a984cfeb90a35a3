/*
 * smtpreply.c - the SMTP reply reader. A reply is one or more lines: three digits
 * (first 2..5), then '-' on every line but the last, ' ' or nothing on the last, then
 * text, then CRLF (a lone LF is accepted as well, as qmail does). Every line carries
 * the code of the first. A NUL anywhere, a CR not followed by LF, a bad digit or
 * separator, or a changed code is EPROTO. The lines are kept in text without their
 * CRs, joined by LF, until SMTPREPLY_TEXTMAX bytes; later bytes are only counted.
 */
#include "smtpreply.h"

#include <errno.h>

#include "str.h"

enum {
	ST_ERR = -1, /* stopped: err holds why */
	ST_START,    /* before the first byte of a reply */
	ST_D1,       /* before the first digit of a line */
	ST_D2,       /* before the second digit */
	ST_D3,       /* before the third digit */
	ST_SEP,      /* after the code: ' ', '-' or the end of the line */
	ST_TEXT,     /* in the text of a line */
	ST_CR        /* after a CR: only LF may follow */
};

/* fail - stop the reader for good with errno e */
static int fail(smtpreply *r, int e)
{
	r->state = ST_ERR;
	r->err = e;
	errno = e;
	return -1;
}

/* keep - add one byte to the text while it is under the limit, else count it */
static int keep(smtpreply *r, char c)
{
	if (r->text.len >= SMTPREPLY_TEXTMAX) {
		++r->dropped;
		return 1;
	}
	return sa_catc(&r->text, c);
}

/* byte - advance by one byte: 1 the reply is complete, 0 more needed, -1 error */
static int byte(smtpreply *r, char c)
{
	switch (r->state) {
	case ST_START:
		r->code = 0;
		r->text.len = 0;
		r->dropped = 0;
		r->lines = 0;
		r->state = ST_D1;
		/* fall through */
	case ST_D1:
		if (c < '2' || c > '5')
			return fail(r, EPROTO);
		if (r->lines && !keep(r, '\n'))
			return fail(r, ENOMEM);
		r->col = 1;
		r->cur = (unsigned)(c - '0');
		r->state = ST_D2;
		return keep(r, c) ? 0 : fail(r, ENOMEM);
	case ST_D2:
	case ST_D3:
		if (c < '0' || c > '9')
			return fail(r, EPROTO);
		r->cur = r->cur * 10 + (unsigned)(c - '0');
		++r->col;
		if (r->state == ST_D3) {
			if (!r->lines)
				r->code = r->cur;
			else if (r->cur != r->code)
				return fail(r, EPROTO);
		}
		r->state = r->state == ST_D2 ? ST_D3 : ST_SEP;
		return keep(r, c) ? 0 : fail(r, ENOMEM);
	case ST_SEP:
		r->last = c != '-';
		if (c == '\r' || c == '\n')
			break; /* a bare code ends the reply */
		if (c != ' ' && c != '-')
			return fail(r, EPROTO);
		++r->col;
		r->state = ST_TEXT;
		return keep(r, c) ? 0 : fail(r, ENOMEM);
	case ST_TEXT:
		if (c == '\r' || c == '\n')
			break;
		if (c == 0)
			return fail(r, EPROTO);
		if (++r->col > SMTPREPLY_LINEMAX)
			return fail(r, EMSGSIZE);
		return keep(r, c) ? 0 : fail(r, ENOMEM);
	case ST_CR:
		if (c != '\n')
			return fail(r, EPROTO);
		break;
	default:
		return fail(r, r->err ? r->err : EPROTO);
	}
	if (c == '\r') {
		r->state = ST_CR;
		return 0;
	}
	/* c is the LF that ends a line */
	++r->lines;
	if (r->last) {
		r->state = ST_START;
		return 1;
	}
	if (r->lines >= SMTPREPLY_LINESMAX)
		return fail(r, E2BIG);
	r->state = ST_D1;
	return 0;
}

/* smtpreply_feed - consume bytes of s[0..n) up to the end of one reply, setting
 * *used; 1 when a reply is complete (the next byte starts another), 0 when every
 * byte was used and more are needed, -1 on an error (sticky; *used stops before the
 * offending byte) */
int smtpreply_feed(smtpreply *r, const char *s, size_t n, size_t *used)
{
	size_t i;
	*used = 0;
	if (r->state == ST_ERR) {
		errno = r->err;
		return -1;
	}
	for (i = 0; i < n; ++i) {
		int k = byte(r, s[i]);
		if (k < 0) {
			*used = i;
			return -1;
		}
		if (k == 1) {
			*used = i + 1;
			return 1;
		}
	}
	*used = n;
	return 0;
}

/* smtpreply_keyword - find an EHLO extension (RFC 5321 4.1.1.1) on the lines after
 * the first: 1 and its parameters in *arg (0 bytes when it has none), or 0 */
int smtpreply_keyword(const smtpreply *r, const char *kw, const char **arg, size_t *arglen)
{
	const char *s = r->text.s;
	size_t n = r->text.len;
	size_t kwlen = 0;
	size_t i = byte_chr(s, n, '\n');
	while (kw[kwlen])
		++kwlen;
	while (i < n) {
		size_t start = i + 1;
		size_t end = start + byte_chr(s + start, n - start, '\n');
		size_t k = start + 4; /* past "250-" */
		if (k + kwlen <= end && case_equalb(s + k, kwlen, kw) &&
		    (k + kwlen == end || s[k + kwlen] == ' ')) {
			k += kwlen;
			while (k < end && s[k] == ' ')
				++k;
			*arg = s + k;
			*arglen = end - k;
			return 1;
		}
		i = end;
	}
	return 0;
}

/* smtpreply_free - release the reader's storage */
void smtpreply_free(smtpreply *r)
{
	sa_free(&r->text);
}
