/*
 * dotqmail.c - fuzz the .qmail parser and lookup (dotqmail.h). Input: a limits byte,
 * a cut byte, then a .qmail file. Invariants: a reference model written from SPEC
 * section 6 (line types, trailing blanks, limits, NUL refused) predicts success and
 * every instruction; parsing all at once, a byte at a time and in pieces agree;
 * every argument is a NUL-terminated piece of the parser's text. The first line of
 * the file, as an extension, drives dotqmail_find over names that "exist" by a hash:
 * the name found is the first one of the lookup order that exists.
 */
#include <errno.h>

#include "dotqmail.h"
#include "fuzz.h"
#include "sa.h"

#define MAXLINES 8192 /* instructions remembered by the model */

typedef struct insn_s {
	int kind;        /* DQ_... */
	const char *arg; /* the argument, in the input */
	size_t len;      /* its length */
} insn;

static insn want[MAXLINES];

/* classify - the kind of a stripped line s[0..n) and how many bytes precede its
 * argument, as SPEC section 6's table says */
static int classify(const char *s, size_t n, size_t line, size_t *skip)
{
	*skip = 0;
	if (n == 0)
		return line == 1 ? DQ_BLANKFIRST : DQ_EMPTY;
	if (s[0] == '#')
		return DQ_COMMENT;
	if (s[0] == '|' || s[0] == '&') {
		*skip = 1;
		return s[0] == '|' ? DQ_PROGRAM : DQ_FORWARD;
	}
	if (s[0] == '/' || s[0] == '.')
		return s[n - 1] == '/' ? DQ_MAILDIR : DQ_MBOX;
	if (s[0] == '+')
		return fuzz_same(s, n, "+list", 5) ? DQ_LIST : DQ_PLUS;
	return DQ_FORWARD;
}

/* model - the instructions of s[0..n) into want; their count, or -1 when the
 * parser must fail (a NUL, a line over linemax, text over totalmax) */
static long model(const char *s, size_t n, size_t linemax, size_t totalmax)
{
	size_t i = 0, lines = 0, text = 0;
	while (i < n) {
		size_t e = i, k, skip;
		while (e < n && s[e] != '\n')
			++e;
		if (memchr(s + i, 0, e - i) || e - i > linemax)
			return -1;
		/* the line is held whole before its blanks are stripped, then gets a NUL */
		if (e - i > totalmax - text)
			return -1;
		k = e - i;
		while (k && (s[i + k - 1] == ' ' || s[i + k - 1] == '\t'))
			--k;
		if (k + 1 > totalmax - text)
			return -1;
		text += k + 1;
		if (lines == MAXLINES)
			return -2;
		want[lines].kind = classify(s + i, k, lines + 1, &skip);
		want[lines].arg = s + i + skip;
		want[lines].len = k - skip;
		++lines;
		i = e + 1;
	}
	return (long)lines;
}

/* check - the parser's instructions equal the model's */
static void check(const dotqmail *d, long lines)
{
	size_t i;
	CHECK(d->n == (size_t)lines);
	for (i = 0; i < d->n; ++i) {
		const dotqmail_insn *v = &d->v[i];
		CHECK(v->line == i + 1);
		CHECK(v->kind == want[i].kind);
		CHECK(v->off <= d->text.len && v->len < d->text.len - v->off);
		CHECK(d->text.s[v->off + v->len] == 0);
		CHECK(dotqmail_arg(d, i) == d->text.s + v->off);
		CHECK(fuzz_same(d->text.s + v->off, v->len, want[i].arg, want[i].len));
	}
}

/* feed - parse s in pieces cut by c (all at once without c); 1 ok, 0 failed */
static int feed(dotqmail *d, const char *s, size_t n, size_t linemax, size_t totalmax, fuzz_cut *c)
{
	int ok = 1;
	dotqmail_init(d, linemax, totalmax);
	while (ok && n) {
		size_t k = c ? fuzz_cut_next(c, n) : n;
		ok = dotqmail_feed(d, s, k);
		s += k;
		n -= k;
	}
	ok = ok && dotqmail_end(d);
	if (!ok) {
		CHECK(d->err == E2BIG || d->err == EFBIG || d->err == EINVAL || d->err == ENOMEM);
		CHECK(!dotqmail_feed(d, "x\n", 2) && !dotqmail_end(d)); /* sticky */
	}
	return ok;
}

/* exists - a name exists when its hash says so; -1 (an error) for some */
static int exists(const char *name, void *ctx)
{
	uint32_t h = 2166136261u, seed = *(const unsigned char *)ctx;
	for (; *name; ++name)
		h = (h ^ (unsigned char)*name) * 16777619u;
	h ^= seed * 0x9e3779b9u;
	if (h % 61 == 0)
		return -1;
	return h % 5 == 0;
}

/* find - dotqmail_find for the extension ext (no NUL inside) against a model of its
 * lookup order: ext itself, then with dash each prefix ending at a '-' or empty,
 * longest first, followed by "default"; ext in lower case with '.' as ':' */
static void find(const char *ext, size_t n, unsigned char seed)
{
	sa name = SA_ZERO, safe = SA_ZERO, tryn = SA_ZERO, e = SA_ZERO;
	const char *dash = seed & 1 ? "-" : "";
	size_t defpos, i, want_def = DOTQMAIL_NODEFAULT;
	int r, want_r;
	CHECK(sa_copyb(&e, ext, n) && sa_0(&e));
	for (i = 0; i < n; ++i) {
		char ch = ext[i] >= 'A' && ext[i] <= 'Z' ? (char)(ext[i] + 32) : ext[i];
		CHECK(sa_catc(&safe, ch == '.' ? ':' : ch));
	}
	CHECK(sa_copys(&tryn, ".qmail") && sa_cats(&tryn, dash) &&
	      sa_catb(&tryn, safe.s, safe.len));
	CHECK(sa_0(&tryn));
	want_r = exists(tryn.s, &seed);
	if (want_r == 1 && *dash && n >= 7 && !memcmp(safe.s + n - 7, "default", 7) &&
	    (n == 7 || safe.s[n - 8] == '-'))
		want_def = n - 7;
	for (i = n + 1; want_r == 0 && *dash && i-- > 0;) {
		if (i && safe.s[i - 1] != '-')
			continue;
		tryn.len = 0;
		CHECK(sa_cats(&tryn, ".qmail-") && sa_catb(&tryn, safe.s, i));
		CHECK(sa_cats(&tryn, "default") && sa_0(&tryn));
		want_r = exists(tryn.s, &seed);
		if (want_r == 1)
			want_def = i;
	}
	r = dotqmail_find(&name, &defpos, dash, e.s, exists, &seed);
	CHECK(r == want_r);
	if (r == 1) {
		CHECK(fuzz_same(name.s, name.len, tryn.s, tryn.len));
		CHECK(defpos == want_def);
	}
	sa_free(&name);
	sa_free(&safe);
	sa_free(&tryn);
	sa_free(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char lb = fuzz_take(&data, &size), cb = fuzz_take(&data, &size);
	size_t linemax = lb & 15 ? (size_t)(lb & 15) * 3 : 0;
	size_t totalmax = lb >> 4 ? (size_t)(lb >> 4) * 40 : 0;
	const char *s = (const char *)data;
	dotqmail d;
	fuzz_cut cut;
	long lines;
	int ok;
	lines = model(s, size, linemax ? linemax : DOTQMAIL_LINEMAX,
		      totalmax ? totalmax : DOTQMAIL_TOTALMAX);
	if (lines == -2)
		return 0;

	ok = feed(&d, s, size, linemax, totalmax, 0);
	CHECK(ok == (lines >= 0));
	if (ok)
		check(&d, lines);
	dotqmail_free(&d);
	CHECK(dotqmail_parse((dotqmail_init(&d, linemax, totalmax), &d), s, size) == ok);
	if (ok)
		check(&d, lines);
	dotqmail_free(&d);
	fuzz_cut_init(&cut, 0);
	CHECK(feed(&d, s, size, linemax, totalmax, &cut) == ok);
	if (ok)
		check(&d, lines);
	dotqmail_free(&d);
	fuzz_cut_init(&cut, cb);
	CHECK(feed(&d, s, size, linemax, totalmax, &cut) == ok);
	if (ok)
		check(&d, lines);
	dotqmail_free(&d);

	{
		size_t k = 0;
		while (k < size && k < 80 && s[k] != '\n' && s[k] != 0)
			++k;
		find(s, k, cb);
	}
	return 0;
}
