/*
 * bouncetext.c - the per-recipient side of failure notices: the QSBMF paragraph
 * qmail-send keeps in bounce/ID for each failed recipient, its reader, and what a
 * delivery-status report needs from a report text (the RFC 3463 status code and the
 * remote SMTP reply). Report texts come from qmail-local, qmail-remote and the
 * programs they run, so every scan here is bounded by the text's length and treats
 * the text as arbitrary bytes.
 */
#include "bounce.h"

#include <errno.h>
#include <string.h>

#include "fmt.h"
#include "str.h"

#define SAID      "Remote host said: "
#define SAIDLEN   (sizeof SAID - 1)
#define TRUNCATED "[the rest of this report was cut]\n"

/* bounce_para - append addr's QSBMF paragraph, as qmail-send keeps it in bounce/ID:
 * "<addr>:", the text's lines with empty ones written "/", then an empty line */
int bounce_para(sa *out, const char *addr, const char *text, size_t n)
{
	size_t old = out->len, alen = strlen(addr), i, e;
	if (alen > BOUNCE_ADDRMAX)
		alen = BOUNCE_ADDRMAX;
	if (n > BOUNCE_TEXTMAX)
		n = BOUNCE_TEXTMAX;
	if (!sa_catc(out, '<'))
		goto fail;
	for (i = 0; i < alen; ++i)
		if (!sa_catc(out, addr[i] == '\n' ? '_' : addr[i]))
			goto fail;
	if (!sa_cats(out, ">:\n"))
		goto fail;
	for (i = 0; i < n; i = e + 1) {
		e = i + byte_chr(text + i, n - i, '\n');
		if (e == i ? !sa_catc(out, '/') : !sa_catb(out, text + i, e - i))
			goto fail;
		if (!sa_catc(out, '\n'))
			goto fail;
	}
	if (!sa_catc(out, '\n'))
		goto fail;
	return 1;
fail:
	out->len = old;
	return 0;
}

/* bounce_para_get - read the next paragraph of a bounce/ID file: addr gets the
 * address without "<" and ">:", text its lines, each ending in LF, empty ones still
 * written "/". Bounded: an address is cut at BOUNCE_ADDRMAX, a text after
 * BOUNCE_TEXTMAX bytes (with a note saying so). -1 error, 0 end of input, 1 one */
int bounce_para_get(buf *in, sa *addr, sa *text)
{
	unsigned int fl;
	size_t old, room;
	int r, cut = 0;
	char *s;
	do {
		addr->len = 0;
		r = buf_getline(in, addr, BOUNCE_ADDRMAX + 4, '\n', &fl);
		if (r <= 0)
			return r;
	} while (addr->len == 1 && addr->s[0] == '\n');
	s = addr->s;
	if (s[addr->len - 1] == '\n')
		--addr->len;
	if (addr->len >= 3 && s[0] == '<' && s[addr->len - 2] == '>' && s[addr->len - 1] == ':') {
		memmove(s, s + 1, addr->len - 3);
		addr->len -= 3;
	} else if (fl & BUF_OVERLONG && s[0] == '<') {
		memmove(s, s + 1, addr->len - 1); /* cut before its ">:" */
		addr->len -= 1;
	}
	if (addr->len > BOUNCE_ADDRMAX)
		addr->len = BOUNCE_ADDRMAX;
	text->len = 0;
	for (;;) {
		old = text->len;
		room = old < BOUNCE_TEXTMAX ? BOUNCE_TEXTMAX - old : 0;
		r = buf_getline(in, text, room ? room : 1, '\n', &fl);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		if (text->len - old == 1 && text->s[old] == '\n') {
			text->len = old; /* the empty line that ends the paragraph */
			break;
		}
		if (!room) {
			text->len = old; /* past the bound: only look for the end */
			cut = 1;
			continue;
		}
		if (fl & BUF_OVERLONG)
			cut = 1;
		if (fl && !sa_catc(text, '\n'))
			return -1;
	}
	if (cut && !sa_cats(text, TRUNCATED))
		return -1;
	return 1;
}

/* digits - parse 1 to max decimal digits at s[*i]; 1 and *v, advancing *i */
static int digits(const char *s, size_t n, size_t *i, size_t max, unsigned int *v)
{
	size_t k = 0;
	*v = 0;
	while (*i < n && k < max && s[*i] >= '0' && s[*i] <= '9') {
		*v = *v * 10 + (unsigned int)(s[*i] - '0');
		++*i;
		++k;
	}
	return k > 0 && !(*i < n && s[*i] >= '0' && s[*i] <= '9');
}

/* code_at - an RFC 3463 code "c.sss.ddd" at s[*i] (class 2, 4 or 5) */
static int code_at(const char *s, size_t n, size_t *i, bounce_st *st)
{
	if (!digits(s, n, i, 1, &st->cls) || (st->cls != 2 && st->cls != 4 && st->cls != 5))
		return 0;
	if (*i >= n || s[*i] != '.')
		return 0;
	++*i;
	if (!digits(s, n, i, 3, &st->sub) || *i >= n || s[*i] != '.')
		return 0;
	++*i;
	return digits(s, n, i, 3, &st->det);
}

/* bounce_code - the last well-formed "(#c.s.d)" in text, the way qmail's programs
 * end their reports; 1 and *st, or 0 when the text has none */
int bounce_code(const char *text, size_t n, bounce_st *st)
{
	size_t i, j;
	bounce_st t;
	int found = 0;
	for (i = 0; i + 1 < n; ++i) {
		if (text[i] != '(' || text[i + 1] != '#')
			continue;
		j = i + 2;
		if (code_at(text, n, &j, &t) && j < n && text[j] == ')') {
			*st = t;
			found = 1;
		}
	}
	return found;
}

/* said - offset just after the last "Remote host said: " in text, or n */
static size_t said(const char *text, size_t n)
{
	size_t i, at = n;
	for (i = 0; n >= SAIDLEN && i <= n - SAIDLEN; ++i)
		if (text[i] == 'R' && byte_equal(text + i, SAIDLEN, SAID))
			at = i + SAIDLEN;
	return at;
}

/* reply_at - a reply line "ddd" then space, '-' or end of line, at s[i] */
static int reply_at(const char *s, size_t n, size_t i, unsigned int *code)
{
	size_t j = i;
	if (!digits(s, n, &j, 3, code) || j - i != 3)
		return 0;
	return j == n || s[j] == ' ' || s[j] == '-' || s[j] == '\n';
}

/* bounce_reply - the remote SMTP reply qmail-remote quoted after its last
 * "Remote host said: ": 1 with *code (e.g. 550) and, when the reply carries an RFC
 * 3463 code right after it, that code in *st (else st->cls is 0); 0 when none */
int bounce_reply(const char *text, size_t n, unsigned int *code, bounce_st *st)
{
	size_t i = said(text, n);
	st->cls = st->sub = st->det = 0;
	if (i == n || !reply_at(text, n, i, code))
		return 0;
	i += 3;
	if (i < n && (text[i] == ' ' || text[i] == '-')) {
		size_t j = i + 1;
		bounce_st t;
		if (code_at(text, n, &j, &t) &&
		    (j == n || text[j] == ' ' || text[j] == '\n' || text[j] == '\r'))
			*st = t;
	}
	return 1;
}

/* bounce_status - the Status for a failed recipient, written with a NUL into out
 * (BOUNCE_STATUSLEN bytes); returns its length. The text's "(#c.s.d)" wins unless it
 * is the unspecific c.0.0 and the remote reply carries its own code; with neither,
 * 5.0.0. A bounced recipient failed for good, so class 4 (a deferral that outlived
 * queuelifetime) and class 2 become class 5 with the same subject and detail */
size_t bounce_status(char *out, const char *text, size_t n)
{
	bounce_st c = {5, 0, 0}, h, r;
	unsigned int code;
	int got_h = bounce_code(text, n, &h);
	int got_r = bounce_reply(text, n, &code, &r) && r.cls;
	size_t k = 0;
	if (got_h && !(h.sub == 0 && h.det == 0 && got_r))
		c = h;
	else if (got_r)
		c = r;
	out[k++] = '5';
	out[k++] = '.';
	k += fmt_u64(out + k, c.sub);
	out[k++] = '.';
	k += fmt_u64(out + k, c.det);
	out[k] = 0;
	return k;
}

/* bounce_diag - the remote reply after the last "Remote host said: " as a
 * Diagnostic-Code text, copied to out: its first line and the continuation lines of
 * a multi-line reply ("550-..."), joined by LF, with bytes outside printable ASCII
 * made '_' and at most BOUNCE_DIAGMAX bytes. 1 found, 0 none (out empty), -1 error */
int bounce_diag(sa *out, const char *text, size_t n)
{
	size_t i = said(text, n), e, room;
	unsigned int code;
	out->len = 0;
	if (i == n || !reply_at(text, n, i, &code))
		return 0;
	for (;;) {
		e = i + byte_chr(text + i, n - i, '\n');
		if (e > i && text[e - 1] == '\r')
			--e;
		room = BOUNCE_DIAGMAX - out->len;
		if (!bounce_clean(out, text + i, e - i < room ? e - i : room))
			return -1;
		i = e + byte_chr(text + e, n - e, '\n');
		if (i < n)
			++i;
		if (i >= n || !reply_at(text, n, i, &code) || out->len + 1 >= BOUNCE_DIAGMAX)
			break;
		if (!sa_catc(out, '\n'))
			return -1;
	}
	return 1;
}
