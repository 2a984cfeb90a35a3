/*
 * ns.c - fuzz the netstring parser (ns.h). Input: a limit byte, a cut byte, then a
 * stream of netstrings. Invariants: a reference model written from the format alone
 * gives the same payloads and the same error (errno and offset); ns_get fed all at
 * once, a byte at a time and in pieces, and ns_parse, all agree with it; and
 * ns_catb of each payload gives back exactly the bytes it was read from (the
 * encoding is unique: no leading zeros).
 */
#include <errno.h>

#include "fuzz.h"
#include "ns.h"
#include "sa.h"

#define MAXREC 4096 /* records remembered; inputs are shorter than this */

typedef struct rec_s {
	size_t start; /* offset of the netstring */
	size_t end;   /* offset just past its comma */
	size_t data;  /* offset of its payload */
	size_t len;   /* payload length */
} rec;

typedef struct run_s {
	rec r[MAXREC]; /* complete netstrings */
	size_t n;      /* how many */
	int err;       /* 0 when the input ended cleanly or inside a netstring, else errno */
	size_t at;     /* offset where the error was seen (bytes consumed before it) */
	int partial;   /* the input ended inside a netstring */
} run;

static run model, big, got; /* static: too large for the stack */

/* ref - the reference model: netstrings back to back, each checked as it is read */
static void ref(run *m, const char *s, size_t n, size_t limit)
{
	size_t i = 0;
	memset(m, 0, sizeof *m);
	while (i < n) {
		size_t start = i, len = 0, digits = 0;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; ++i, ++digits) {
			if (digits == 1 && s[start] == '0') {
				m->err = EPROTO; /* a leading zero */
				m->at = i;
				return;
			}
			size_t d = (size_t)(s[i] - '0');
			if (len > (SIZE_MAX - d) / 10 || len * 10 + d > limit) {
				m->err = EMSGSIZE;
				m->at = i;
				return;
			}
			len = len * 10 + d;
		}
		if (i == n) {
			m->partial = 1;
			return;
		}
		if (!digits || s[i] != ':') {
			m->err = EPROTO;
			m->at = i;
			return;
		}
		++i;
		if (n - i < len) {
			m->partial = 1;
			return;
		}
		i += len;
		if (i == n) {
			m->partial = 1;
			return;
		}
		if (s[i] != ',') {
			m->err = EPROTO;
			m->at = i;
			return;
		}
		++i;
		m->r[m->n].start = start;
		m->r[m->n].end = i;
		m->r[m->n].data = i - 1 - len;
		m->r[m->n].len = len;
		++m->n;
	}
}

/* same - the parser's run g equals the model m */
static void same(const run *g, const run *m, const char *s, sa *payloads)
{
	size_t k, off = 0;
	CHECK(g->n == m->n);
	CHECK(g->err == m->err);
	if (m->err)
		CHECK(g->at == m->at);
	for (k = 0; k < m->n; ++k) {
		CHECK(off + m->r[k].len <= payloads->len);
		CHECK(fuzz_same(payloads->s + off, m->r[k].len, s + m->r[k].data, m->r[k].len));
		off += m->r[k].len;
	}
	CHECK(off == payloads->len);
}

/* get_all - ns_get over s in pieces cut by c; payloads concatenated in out */
static void get_all(run *g, const char *s, size_t n, size_t limit, fuzz_cut *c, sa *out)
{
	ns p;
	sa one = SA_ZERO;
	size_t off = 0, piece = 0, used;
	memset(g, 0, sizeof *g);
	out->len = 0;
	ns_init(&p, limit);
	while (off < n) {
		int r;
		if (!piece)
			piece = c ? fuzz_cut_next(c, n - off) : n - off;
		errno = 0;
		r = ns_get(&p, &one, s + off, piece, &used);
		CHECK(used <= piece);
		off += used;
		piece -= used;
		if (r == 1) {
			CHECK(one.len == p.len);
			CHECK(sa_catb(out, one.s, one.len));
			++g->n;
			continue;
		}
		if (r < 0) {
			g->err = errno;
			g->at = off;
			CHECK(p.err == errno);
			/* the error sticks */
			CHECK(ns_get(&p, &one, "0:,", 3, &used) == -1 && used == 0);
			break;
		}
		CHECK(r == 0 && piece == 0);
	}
	sa_free(&one);
}

/* parse_all - ns_parse repeatedly from the start of s; it reports no error offset,
   so the model's m->at stands in for it */
static void parse_all(run *g, const run *m, const char *s, size_t n, size_t limit, sa *out)
{
	size_t off = 0;
	memset(g, 0, sizeof *g);
	out->len = 0;
	for (;;) {
		const char *data;
		size_t dlen, used;
		int r;
		errno = 0;
		r = ns_parse(s + off, n - off, limit, &data, &dlen, &used);
		if (r == 0)
			return;
		if (r < 0) {
			g->err = errno;
			g->at = m->at;
			return;
		}
		CHECK(data >= s + off && data + dlen <= s + off + used);
		CHECK(sa_catb(out, data, dlen));
		off += used;
		++g->n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char lb = fuzz_take(&data, &size), cb = fuzz_take(&data, &size);
	size_t limit = (size_t)lb * 4; /* ns_get allocates up to the limit: keep it small */
	const char *s = (const char *)data;
	sa payloads = SA_ZERO, enc = SA_ZERO;
	fuzz_cut cut;
	size_t k;
	if (size > 4 * MAXREC - 4)
		return 0;
	ref(&model, s, size, limit);

	get_all(&got, s, size, limit, 0, &payloads);
	same(&got, &model, s, &payloads);
	get_all(&got, s, size, limit, (fuzz_cut_init(&cut, 0), &cut), &payloads);
	same(&got, &model, s, &payloads);
	get_all(&got, s, size, limit, (fuzz_cut_init(&cut, cb), &cut), &payloads);
	same(&got, &model, s, &payloads);
	parse_all(&got, &model, s, size, limit, &payloads);
	same(&got, &model, s, &payloads);
	/* ns_parse copies nothing, so it can take any limit: lengths near SIZE_MAX */
	ref(&big, s, size, SIZE_MAX);
	parse_all(&got, &big, s, size, SIZE_MAX, &payloads);
	same(&got, &big, s, &payloads);

	for (k = 0; k < model.n; ++k) {
		const rec *r = &model.r[k];
		enc.len = 0;
		CHECK(ns_catb(&enc, s + r->data, r->len));
		CHECK(fuzz_same(enc.s, enc.len, s + r->start, r->end - r->start));
	}
	sa_free(&payloads);
	sa_free(&enc);
	return 0;
}
