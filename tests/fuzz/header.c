/*
 * header.c - fuzz qmail-inject's header parser: hdr_split (hdr.h) over a whole
 * message, then hdr_alist_parse (hdraddr.h) over every sender and recipient field,
 * as qmail-inject does. Input: a limits byte, then a message. Invariants: a
 * reference model of the header rules (fields, continuation lines, the empty or CR
 * line that ends the header, the first other line that starts the body, a refused
 * unprintable name, the size and field limits) gives the same fields, body offset
 * and error; fields tile the header; ids and the resent flag match the names; each
 * address list keeps alist.h's invariants.
 */
#include <strings.h>

#include "alist.h"
#include "fuzz.h"
#include "hdr.h"
#include "hdraddr.h"

#define MAXF 4096 /* fields the model remembers */

typedef struct mfield_s {
	size_t off;  /* start of the field */
	size_t name; /* length of its name */
	size_t val;  /* offset after the colon */
	size_t end;  /* offset after its last line */
} mfield;

typedef struct mhdr_s {
	mfield f[MAXF]; /* fields */
	size_t n;       /* how many */
	size_t body;    /* where the body starts */
	int sep;        /* an empty line ended the header */
	int err;        /* HDR_OK or the error */
	size_t errat;   /* the line where the error is */
} mhdr;

static mhdr m;

/* blank - space or tab */
static int blank(char c)
{
	return c == ' ' || c == '\t';
}

/* model - the header rules, applied to s[0..n) */
static void model(mhdr *h, const char *s, size_t n, size_t bytes, size_t fields)
{
	size_t pos = 0;
	memset(h, 0, sizeof *h);
	h->body = n;
	while (pos < n) {
		size_t eol = pos, len, p, q;
		while (eol < n && s[eol] != '\n')
			++eol;
		len = eol - pos; /* without the LF */
		if (eol < n)
			++eol;
		if (eol > bytes) {
			h->err = HDR_ETOOBIG;
			h->errat = pos;
			return;
		}
		if (len == 0 || (len == 1 && s[pos] == '\r')) {
			h->body = eol;
			h->sep = 1;
			return;
		}
		if (blank(s[pos])) {
			if (!h->n) {
				h->body = pos;
				return;
			}
			h->f[h->n - 1].end = eol;
			pos = eol;
			continue;
		}
		/* the name runs to the first colon or blank; blanks may precede the colon */
		for (p = pos; p < pos + len && s[p] != ':' && !blank(s[p]); ++p)
			;
		for (q = p; q < pos + len && blank(s[q]); ++q)
			;
		if (p == pos || q == pos + len || s[q] != ':') {
			h->body = pos;
			return;
		}
		for (q = pos; q < p; ++q)
			if ((unsigned char)s[q] < 0x21 || (unsigned char)s[q] > 0x7e) {
				h->err = HDR_EBADNAME;
				h->errat = pos;
				return;
			}
		if (h->n >= fields) {
			h->err = HDR_EMANY;
			h->errat = pos;
			return;
		}
		if (h->n == MAXF) {
			h->err = -1; /* too many to model */
			return;
		}
		h->f[h->n].off = pos;
		h->f[h->n].name = p - pos;
		h->f[h->n].val = (size_t)((const char *)memchr(s + p, ':', len) - s) + 1;
		h->f[h->n].end = eol;
		++h->n;
		pos = eol;
	}
}

static const hdr_rw rw = {"host.example.org", "example.org", "plus.example.net"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char lb = fuzz_take(&data, &size);
	hdr_limits lim = {lb & 15 ? (size_t)(lb & 15) * 64 : HDR_BYTES_MAX,
			  lb >> 4 ? (size_t)(lb >> 4) : HDR_FIELDS_MAX};
	const char *s = (const char *)data;
	hdr h = HDR_ZERO;
	size_t i;
	int ok, resent = 0;
	model(&m, s, size, lim.bytes, lim.fields);
	if (m.err < 0)
		return 0;
	ok = hdr_split(&h, s, size, &lim);
	CHECK(ok == (m.err == HDR_OK) && h.err == m.err);
	if (!ok) {
		CHECK(h.errat == m.errat);
		hdr_free(&h);
		return 0;
	}
	CHECK(h.n == m.n && h.body == m.body && h.sep == m.sep);
	for (i = 0; i < h.n; ++i) {
		const hdr_field *f = &h.f[i];
		size_t k;
		CHECK(f->off == m.f[i].off && f->name == m.f[i].name);
		CHECK(f->val == m.f[i].val && f->end == m.f[i].end);
		CHECK(f->off == (i ? h.f[i - 1].end : 0));
		CHECK(f->id == hdr_id(s + f->off, f->name));
		CHECK(hdr_line(s + f->off, f->end - f->off, &k) == HDR_L_FIELD && k == f->name);
		if (f->name >= 7 && !strncasecmp(s + f->off, "resent-", 7))
			resent = 1;
		if (hdr_class(f->id) & (HDR_C_SENDER | HDR_C_RECIP))
			alist_check(s + f->val, f->end - f->val, &rw, f->val - f->off);
	}
	CHECK(h.resent == resent);
	CHECK(h.body == (h.n ? h.f[h.n - 1].end : 0) || h.sep);
	/* the object is reused: a second split gives the same answer */
	CHECK(hdr_split(&h, s, size, &lim) && h.n == m.n && h.body == m.body);
	hdr_free(&h);
	return 0;
}
