/*
 * smtpdata.c - the DATA encoder. One pass, byte by byte, with three states; each
 * call appends to out what its bytes give, so the caller may send out and reuse it.
 */
#include "smtpdata.h"

#include <errno.h>

enum { AT_START, IN_LINE, AFTER_CR };

/* endline - append CRLF and return to the start of a line */
static int endline(smtpdata *d, sa *out)
{
	d->state = AT_START;
	d->size += 2;
	return sa_catb(out, "\r\n", 2);
}

/* smtpdata_put - append the encoding of s[0..n) to out; 0 only when out cannot grow */
int smtpdata_put(smtpdata *d, sa *out, const char *s, size_t n)
{
	size_t i, j;
	for (i = 0; i < n; ++i) {
		char c = s[i];
		if (d->state == AFTER_CR) {
			if (!endline(d, out))
				return 0;
			if (c == '\n')
				continue; /* CRLF in, one CRLF out */
		}
		if (c == '\n') {
			if (!endline(d, out))
				return 0;
			continue;
		}
		if (c == '\r') {
			d->state = AFTER_CR;
			continue;
		}
		/* a run of ordinary bytes goes out in one piece */
		j = i;
		while (j < n && s[j] != '\r' && s[j] != '\n') {
			if ((unsigned char)s[j] > 127)
				d->eightbit = 1;
			++j;
		}
		if (d->state == AT_START && c == '.' && !sa_catc(out, '.'))
			return 0;
		if (!sa_catb(out, s + i, j - i))
			return 0;
		d->state = IN_LINE;
		d->size += j - i;
		i = j - 1;
	}
	return 1;
}

/* smtpdata_end - append the final ".\r\n"; 0 with errno EPROTO, and nothing appended,
 * when the input did not end with a line feed (SMTP cannot send a partial line) */
int smtpdata_end(smtpdata *d, sa *out)
{
	if (d->state != AT_START) {
		errno = EPROTO;
		return 0;
	}
	return sa_catb(out, ".\r\n", 3);
}
