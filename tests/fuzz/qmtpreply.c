/*
 * qmtpreply.c - fuzz qmail-remote's QMTP reply reader (qmtpreply.h). Input: a cut
 * byte, then what a server sends. Invariants: a reference model of the replies
 * (netstrings without leading zeros, at most QMTPREPLY_MAX bytes, each a K, Z or D
 * and a text without NUL) gives the same replies and the same error at the same
 * offset, whether the bytes come all at once, one at a time or in pieces; after an
 * error every call fails.
 */
#include <errno.h>

#include "fuzz.h"
#include "qmtpreply.h"

#define MAXREP 4096 /* replies the model keeps */

typedef struct rep_s {
	size_t end;  /* offset just after the reply's comma */
	size_t text; /* offset of its payload in the input */
	size_t len;  /* payload length */
} rep;

typedef struct run_s {
	rep r[MAXREP]; /* complete replies */
	size_t n;      /* how many */
	int err;       /* errno of the error that stopped the stream, or 0 */
	size_t at;     /* bytes consumed when it stopped */
} run;

static run model;

/* stop - the model stops with e after at bytes */
static void stop(run *m, int e, size_t at)
{
	m->err = e;
	m->at = at;
}

/* ref - the model: the replies of s[0..n), each checked as it is read */
static void ref(run *m, const char *s, size_t n)
{
	size_t i = 0;
	m->n = 0;
	m->err = 0;
	while (i < n && m->n < MAXREP) {
		size_t start = i, len = 0, k;
		for (;; ++i) {
			if (i == n)
				return;
			if (s[i] == ':' && i > start)
				break;
			if (s[i] < '0' || s[i] > '9' || (i > start && s[start] == '0'))
				return stop(m, EPROTO, i);
			len = len * 10 + (size_t)(s[i] - '0');
			if (len > QMTPREPLY_MAX)
				return stop(m, EMSGSIZE, i);
		}
		++i;
		if (n - i < len)
			return;
		m->r[m->n].text = i;
		m->r[m->n].len = len;
		i += len;
		if (i == n)
			return;
		if (s[i] != ',')
			return stop(m, EPROTO, i);
		++i;
		if (!len || (s[m->r[m->n].text] != 'K' && s[m->r[m->n].text] != 'Z' &&
			     s[m->r[m->n].text] != 'D'))
			return stop(m, EPROTO, i);
		for (k = 0; k < len; ++k)
			if (!s[m->r[m->n].text + k])
				return stop(m, EPROTO, i);
		m->r[m->n].end = i;
		++m->n;
	}
}

/* feed - qmtpreply_feed over s in pieces cut by c (all at once without c) */
static void feed(const char *s, size_t n, fuzz_cut *c)
{
	qmtpreply q = QMTPREPLY_ZERO;
	size_t off = 0, k = 0, used;
	qmtpreply_init(&q);
	while (off < n) {
		size_t piece = c ? fuzz_cut_next(c, n - off) : n - off;
		while (piece) {
			int x = qmtpreply_feed(&q, s + off, piece, &used);
			CHECK(used <= piece);
			off += used;
			piece -= used;
			if (x < 0) {
				CHECK(model.err && errno == model.err && q.err == model.err);
				CHECK(off == model.at && k == model.n);
				CHECK(qmtpreply_feed(&q, "1:K,", 4, &used) == -1 && used == 0);
				qmtpreply_free(&q);
				return;
			}
			if (x == 0) {
				CHECK(piece == 0);
				continue;
			}
			CHECK(k < model.n && off == model.r[k].end);
			CHECK(fuzz_same(q.text.s, q.text.len, s + model.r[k].text, model.r[k].len));
			CHECK(q.text.len <= QMTPREPLY_MAX);
			++k;
		}
	}
	CHECK(!model.err && k == model.n);
	qmtpreply_free(&q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char cb = fuzz_take(&data, &size);
	const char *s = (const char *)data;
	if (size >= 4 * MAXREP)
		return 0; /* more replies than the model keeps */
	ref(&model, s, size);
	fuzz_feeds(feed, s, size, cb);
	return 0;
}
