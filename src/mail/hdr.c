/*
 * hdr.c - splitting a message header into fields. A field is a line "Name: value"
 * plus the lines after it that begin with a space or tab. The header ends at an
 * empty line, or just before the first line that is not a header line (so a message
 * with no header at all is all body). A name may contain any printable byte except
 * the colon; a line that looks like a field but whose name holds an unprintable
 * byte (a control byte or one above 0x7e) is refused, not passed along as body.
 * Lines end with LF; a CR before it is part of the line, except that a line of a
 * lone CR counts as empty, so CRLF input still finds its body.
 */
#include "hdr.h"

#include <string.h>

#include "alloc.h"
#include "size.h"
#include "str.h"

static const struct {
	const char *name; /* field name, compared ignoring case */
	int id;           /* HDR_... */
	unsigned int cls; /* HDR_C_... bits */
} names[] = {
	{"sender", HDR_SENDER, HDR_C_SENDER},
	{"from", HDR_FROM, HDR_C_SENDER},
	{"reply-to", HDR_REPLYTO, HDR_C_SENDER},
	{"return-path", HDR_RETURNPATH, HDR_C_SENDER},
	{"return-receipt-to", HDR_RETURNRECEIPTTO, HDR_C_SENDER},
	{"errors-to", HDR_ERRORSTO, HDR_C_SENDER},
	{"resent-sender", HDR_R_SENDER, HDR_C_SENDER | HDR_C_RESENT},
	{"resent-from", HDR_R_FROM, HDR_C_SENDER | HDR_C_RESENT},
	{"resent-reply-to", HDR_R_REPLYTO, HDR_C_SENDER | HDR_C_RESENT},
	{"to", HDR_TO, HDR_C_RECIP},
	{"cc", HDR_CC, HDR_C_RECIP},
	{"bcc", HDR_BCC, HDR_C_RECIP},
	{"apparently-to", HDR_APPARENTLYTO, HDR_C_RECIP},
	{"resent-to", HDR_R_TO, HDR_C_RECIP | HDR_C_RESENT},
	{"resent-cc", HDR_R_CC, HDR_C_RECIP | HDR_C_RESENT},
	{"resent-bcc", HDR_R_BCC, HDR_C_RECIP | HDR_C_RESENT},
	{"date", HDR_DATE, 0},
	{"resent-date", HDR_R_DATE, HDR_C_RESENT},
	{"message-id", HDR_MESSAGEID, 0},
	{"resent-message-id", HDR_R_MESSAGEID, HDR_C_RESENT},
	{"content-length", HDR_CONTENTLENGTH, 0},
	{"mail-followup-to", HDR_MFT, 0},
};
#define NNAMES (sizeof names / sizeof names[0])

/* hdr_id - which known field a name is (HDR_OTHER if none); case is ignored */
int hdr_id(const char *name, size_t n)
{
	size_t i;
	for (i = 0; i < NNAMES; ++i)
		if (strlen(names[i].name) == n && case_diffb(name, n, names[i].name) == 0)
			return names[i].id;
	return HDR_OTHER;
}

/* hdr_class - the HDR_C_ bits of a field id */
unsigned int hdr_class(int id)
{
	size_t i;
	for (i = 0; i < NNAMES; ++i)
		if (names[i].id == id)
			return names[i].cls;
	return 0;
}

/* hdr_errstr - a short text for an HDR_ error, for messages */
const char *hdr_errstr(int err)
{
	switch (err) {
	case HDR_OK:
		return "no error";
	case HDR_ENOMEM:
		return "out of memory";
	case HDR_ETOOBIG:
		return "header too long";
	case HDR_EMANY:
		return "too many header fields";
	case HDR_EBADNAME:
		return "unprintable byte in a field name";
	case HDR_ESYNTAX:
		return "unparsable address list";
	case HDR_ELONG:
		return "address too long";
	case HDR_ENEST:
		return "comments nested too deeply";
	}
	return "unknown error";
}

/* hdr_line - classify one line (s[0..n), with or without its LF); for a field,
 * *name is the length of its name */
int hdr_line(const char *s, size_t n, size_t *name)
{
	size_t i;
	int bad = 0;
	if (n && s[n - 1] == '\n')
		--n;
	if (n == 0 || (n == 1 && s[0] == '\r'))
		return HDR_L_END;
	if (s[0] == ' ' || s[0] == '\t')
		return HDR_L_CONT;
	for (i = 0; i < n; ++i) {
		unsigned char c = (unsigned char)s[i];
		if (c == ':') {
			if (i == 0)
				return HDR_L_BODY; /* an empty name: text such as ":-)" */
			*name = i;
			return bad ? HDR_L_BAD : HDR_L_FIELD;
		}
		if (c == ' ' || c == '\t') {
			size_t k = i;
			while (k < n && (s[k] == ' ' || s[k] == '\t'))
				++k;
			if (k < n && s[k] == ':') {
				*name = i;
				return bad ? HDR_L_BAD : HDR_L_FIELD;
			}
			return HDR_L_BODY; /* words with blanks between: prose, not a field */
		}
		if (c < 0x21 || c > 0x7e)
			bad = 1;
	}
	return HDR_L_BODY;
}

/* push - append one field, growing the array with checked sizes */
static int push(hdr *h, const hdr_field *f)
{
	if (h->n == h->a) {
		size_t want, bytes;
		void *p = h->f;
		if (!size_add(&want, h->a, h->a / 2) || !size_add(&want, want, 16) ||
		    !size_mul(&bytes, want, sizeof *h->f) || !alloc_resize(&p, bytes))
			return 0;
		h->f = p;
		h->a = want;
	}
	h->f[h->n++] = *f;
	return 1;
}

/* fail - record the first error and report failure */
static int fail(hdr *h, int err, size_t at)
{
	if (h->err == HDR_OK) {
		h->err = err;
		h->errat = at;
	}
	return 0;
}

/* hdr_split - find the fields of the header at the start of s[0..n); 1 on success,
 * 0 with h->err set. h is reset first; its storage is reused. */
int hdr_split(hdr *h, const char *s, size_t n, const hdr_limits *lim)
{
	size_t pos = 0;
	h->n = 0;
	h->body = n;
	h->sep = h->resent = 0;
	h->err = HDR_OK;
	h->errat = 0;
	while (pos < n) {
		const char *nl = memchr(s + pos, '\n', n - pos);
		size_t eol = nl ? (size_t)(nl - s) + 1 : n;
		size_t name = 0;
		int kind = hdr_line(s + pos, eol - pos, &name);
		if (eol > lim->bytes)
			return fail(h, HDR_ETOOBIG, pos);
		if (kind == HDR_L_CONT && h->n == 0)
			kind = HDR_L_BODY;
		if (kind == HDR_L_BAD)
			return fail(h, HDR_EBADNAME, pos);
		if (kind == HDR_L_BODY) {
			h->body = pos;
			return 1;
		}
		if (kind == HDR_L_END) {
			h->body = eol;
			h->sep = 1;
			return 1;
		}
		if (kind == HDR_L_CONT)
			h->f[h->n - 1].end = eol;
		else {
			hdr_field f;
			size_t v = pos + name;
			while (s[v] != ':')
				++v;
			f.off = pos;
			f.name = name;
			f.val = v + 1;
			f.end = eol;
			f.id = hdr_id(s + pos, name);
			if (h->n >= lim->fields)
				return fail(h, HDR_EMANY, pos);
			if (!push(h, &f))
				return fail(h, HDR_ENOMEM, pos);
			if (name >= 7 && case_diffb(s + pos, 7, "resent-") == 0)
				h->resent = 1;
		}
		pos = eol;
	}
	return 1;
}

/* hdr_free - release the field array */
void hdr_free(hdr *h)
{
	alloc_free(h->f);
	h->f = 0;
	h->n = h->a = 0;
}
