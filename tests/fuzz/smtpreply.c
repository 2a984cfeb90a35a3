/*
 * smtpreply.c - fuzz qmail-remote's SMTP reply reader (smtpreply.h). Input: a cut
 * byte, then what a server sends. Invariants: a reference model of RFC 5321 replies
 * (three digits, the first 2 to 5, '-' on all lines but the last, one code for all
 * lines, CRLF or LF endings, no NUL or lone CR, the line and line-count limits) gives
 * the same replies, texts, dropped counts and error at the same offset, whether the
 * bytes come all at once, one at a time or in pieces; every reply is well formed
 * (each kept line starts with the code); smtpreply_keyword finds what a model finds.
 */
#include <errno.h>
#include <strings.h>

#include "fuzz.h"
#include "sa.h"
#include "smtpreply.h"

#define MAXREP 2048 /* replies the model keeps */

typedef struct rep_s {
	size_t end;     /* offset just after the reply */
	unsigned code;  /* its code */
	size_t text;    /* offset of its text in the model's texts */
	size_t textlen; /* length of the whole text, before the limit */
	size_t lines;   /* lines */
} rep;

typedef struct run_s {
	rep r[MAXREP]; /* complete replies */
	size_t n;      /* how many */
	sa texts;      /* the replies' whole texts, back to back */
	int err;       /* errno of the error that stopped the stream, or 0 */
	size_t at;     /* offset of the byte that caused it */
} run;

static run model;

/* ref - the model: replies of s[0..n), each checked as it is read */
static void ref(run *m, const char *s, size_t n)
{
	size_t i = 0;
	m->n = 0;
	m->texts.len = 0;
	m->err = 0;
	while (i < n && m->n < MAXREP) {
		rep *r = &m->r[m->n];
		int last = 0;
		r->text = m->texts.len;
		r->lines = 0;
		while (!last) {
			size_t start = i, k;
			unsigned code = 0;
			if (r->lines)
				CHECK(sa_catc(&m->texts, '\n'));
			for (k = 0; k < 3; ++k, ++i) {
				if (i == n)
					return;
				if (s[i] < (k ? '0' : '2') || s[i] > (k ? '9' : '5')) {
					m->err = EPROTO;
					m->at = i;
					return;
				}
				code = code * 10 + (unsigned)(s[i] - '0');
				CHECK(sa_catc(&m->texts, s[i]));
			}
			if (r->lines && code != r->code) {
				m->err = EPROTO;
				m->at = i - 1;
				return;
			}
			r->code = code;
			if (i == n)
				return;
			last = s[i] != '-';
			if (s[i] != '\r' && s[i] != '\n' && s[i] != ' ' && s[i] != '-') {
				m->err = EPROTO;
				m->at = i;
				return;
			}
			for (; i < n && s[i] != '\r' && s[i] != '\n'; ++i) {
				if (s[i] == 0) {
					m->err = EPROTO;
					m->at = i;
					return;
				}
				if (i - start + 1 > SMTPREPLY_LINEMAX) {
					m->err = EMSGSIZE;
					m->at = i;
					return;
				}
				CHECK(sa_catc(&m->texts, s[i]));
			}
			if (i == n)
				return;
			if (s[i] == '\r') {
				if (++i == n)
					return;
				if (s[i] != '\n') {
					m->err = EPROTO;
					m->at = i;
					return;
				}
			}
			++i;
			++r->lines;
			if (!last && r->lines >= SMTPREPLY_LINESMAX) {
				m->err = E2BIG;
				m->at = i - 1;
				return;
			}
		}
		r->end = i;
		r->textlen = m->texts.len - r->text;
		++m->n;
	}
}

/* keyword - the model of smtpreply_keyword: a line after the first reading
 * "DDD-KW" or "DDD KW", then the end or spaces and the parameters */
static int keyword(const char *t, size_t n, const char *kw, const char **arg, size_t *arglen)
{
	size_t i = 0, kl = strlen(kw);
	while (i < n && t[i] != '\n')
		++i;
	while (i < n) {
		size_t start = i + 1, end = start;
		while (end < n && t[end] != '\n')
			++end;
		if (end - start >= 4 + kl && !strncasecmp(t + start + 4, kw, kl) &&
		    (end - start == 4 + kl || t[start + 4 + kl] == ' ')) {
			size_t k = start + 4 + kl;
			while (k < end && t[k] == ' ')
				++k;
			*arg = t + k;
			*arglen = end - k;
			return 1;
		}
		i = end;
	}
	return 0;
}

/* check_reply - reply r, complete after off bytes, is model reply k */
static void check_reply(const smtpreply *r, size_t k, size_t off)
{
	const rep *m = &model.r[k];
	size_t keep = m->textlen < SMTPREPLY_TEXTMAX ? m->textlen : SMTPREPLY_TEXTMAX, i;
	static const char *const kws[] = {"SIZE", "PIPELINING", "8BITMIME", "AUTH", ""};
	CHECK(k < model.n && off == m->end);
	CHECK(r->code == m->code && r->code >= 200 && r->code <= 599);
	CHECK(r->lines == m->lines && r->dropped == m->textlen - keep);
	CHECK(fuzz_same(r->text.s, r->text.len, model.texts.s + m->text, keep));
	/* well formed: every kept line starts with the code */
	for (i = 0; i < r->text.len; ++i) {
		if (i && r->text.s[i - 1] != '\n')
			continue;
		CHECK(r->text.len - i < 3 ||
		      (unsigned)((r->text.s[i] - '0') * 100 + (r->text.s[i + 1] - '0') * 10 +
				 r->text.s[i + 2] - '0') == r->code);
	}
	for (i = 0; i < sizeof kws / sizeof kws[0]; ++i) {
		const char *a = 0, *b = 0;
		size_t al = 0, bl = 0;
		int x = smtpreply_keyword(r, kws[i], &a, &al);
		CHECK(x == keyword(r->text.s, r->text.len, kws[i], &b, &bl));
		CHECK(!x || (a == b && al == bl));
	}
}

/* feed - smtpreply_feed over s in pieces cut by c (all at once without c) */
static void feed(const char *s, size_t n, fuzz_cut *c)
{
	smtpreply r = SMTPREPLY_ZERO;
	size_t off = 0, k = 0, used;
	while (off < n) {
		size_t piece = c ? fuzz_cut_next(c, n - off) : n - off;
		while (piece) {
			int x = smtpreply_feed(&r, s + off, piece, &used);
			CHECK(used <= piece);
			off += used;
			piece -= used;
			if (x < 0) {
				CHECK(model.err && errno == model.err && r.err == model.err);
				CHECK(off == model.at && k == model.n);
				CHECK(smtpreply_feed(&r, "250 ok\r\n", 8, &used) == -1 &&
				      used == 0);
				smtpreply_free(&r);
				return;
			}
			if (x == 0) {
				CHECK(piece == 0);
				continue;
			}
			check_reply(&r, k++, off);
		}
	}
	CHECK(!model.err && k == model.n);
	smtpreply_free(&r);
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
