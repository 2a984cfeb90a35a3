/* hdraddr.c - tests for address-list parsing, rewriting and printing */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "hdraddr.h"

static const hdr_rw rw = {"dh", "dd.org", "pd.net"};

/* S - a string literal and its length, so tables can hold NUL bytes */
#define S(x) x, sizeof(x) - 1

static const struct {
	const char *in;    /* the field value */
	size_t inlen;      /* its length */
	const char *text;  /* the value printed again */
	const char *addrs; /* the addresses, each followed by NUL */
	size_t addrslen;   /* bytes of addrs */
	size_t count;      /* number of addresses */
} ok[] = {
	{S(" a@b.c"), " a@b.c", S("a@b.c\0"), 1},
	{S(" joe"), " joe@dh.dd.org", S("joe@dh.dd.org\0"), 1},
	{S(" joe@host"), " joe@host.dd.org", S("joe@host.dd.org\0"), 1},
	{S(" joe@host+"), " joe@host.pd.net", S("joe@host.pd.net\0"), 1},
	{S(" eric@mammoth.cs+"), " eric@mammoth.cs.pd.net", S("eric@mammoth.cs.pd.net\0"), 1},
	{S(" djb@[128.32.183.163]"), " djb@[128.32.183.163]", S("djb@[128.32.183.163]\0"), 1},
	{S(" x@[a+]"), " x@[a+]", S("x@[a+]\0"), 1},
	{S(" a@b.c, d@e.f"), " a@b.c, d@e.f", S("a@b.c\0d@e.f\0"), 2},
	{S(" a@b.c d@e.f"), " a@b.c, d@e.f", S("a@b.c\0d@e.f\0"), 2},
	{S(" joe bob"), " joe@dh.dd.org, bob@dh.dd.org", S("joe@dh.dd.org\0bob@dh.dd.org\0"), 2},
	{S(" Full Name <a@b.c>"), " Full Name <a@b.c>", S("a@b.c\0"), 1},
	{S(" \"Full, Name\" <a@b.c>"), " \"Full, Name\" <a@b.c>", S("a@b.c\0"), 1},
	{S(" <@r1,@r2:a@b.c>"), " <a@b.c>", S("a@b.c\0"), 1},
	{S(" <@r1.x.y:a@b.c>"), " <a@b.c>", S("a@b.c\0"), 1},
	{S(" <@[1.2.3.4],@r2:a@b.c>"), " <a@b.c>", S("a@b.c\0"), 1},
	{S(" a@b.c (Comment)"), " a@b.c (Comment)", S("a@b.c\0"), 1},
	{S(" (Comment) a@b.c"), " a@b.c (Comment)", S("a@b.c\0"), 1},
	{S(" a(x)@(y)b.c"), " a@b.c (x) (y)", S("a@b.c\0"), 1},
	{S(" group: a@b.c, d@e.f;"), " group: a@b.c, d@e.f;", S("a@b.c\0d@e.f\0"), 2},
	{S(" recipient list not shown: ;"), " recipient list not shown: ;", S(""), 0},
	{S(" random group: g@h, i@j;, k@l"), " random group: g@h.dd.org, i@j.dd.org;, k@l.dd.org",
	 S("g@h.dd.org\0i@j.dd.org\0k@l.dd.org\0"), 3},
	{S(" g: a@b.c"), " g: a@b.c;", S("a@b.c\0"), 1},
	{S(" : a@b.c;"), " : a@b.c;", S("a@b.c\0"), 1},
	{S(" g: a@b.c; (after)"), " g: a@b.c; (after)", S("a@b.c\0"), 1},
	{S(" \"john doe\"@x.y"), " \"john doe\"@x.y", S("john doe@x.y\0"), 1},
	{S(" \"john\"@x.y"), " john@x.y", S("john@x.y\0"), 1},
	{S(" \"a\\\"b\"@x.y"), " \"a\\\"b\"@x.y", S("a\"b@x.y\0"), 1},
	{S(" \"a\\\\b\"@x.y"), " \"a\\\\b\"@x.y", S("a\\b@x.y\0"), 1},
	{S(" \"a@b\"@x.y"), " \"a@b\"@x.y", S("a@b@x.y\0"), 1},
	{S(" <>"), " <>", S("\0"), 1},
	{S(" Nobody <>"), " Nobody <>", S("\0"), 1},
	{S(" "), "", S(""), 0},
	{S(""), "", S(""), 0},
	{S(" ,,a@b.c,,"), " a@b.c", S("a@b.c\0"), 1},
	{S(" a@b.c; d@e.f"), " a@b.c, d@e.f", S("a@b.c\0d@e.f\0"), 2},
	{S(" a.b@c.d"), " a.b@c.d", S("a.b@c.d\0"), 1},
	{S(" a . b @ c . d"), " a.b@c.d", S("a.b@c.d\0"), 1},
	{S(" a.@docomo.ne.jp"), " \"a.\"@docomo.ne.jp", S("a.@docomo.ne.jp\0"), 1},
	{S(" a..b@c.d"), " \"a..b\"@c.d", S("a..b@c.d\0"), 1},
	{S(" <a@b.c> <d@e.f>"), " <a@b.c>, <d@e.f>", S("a@b.c\0d@e.f\0"), 2},
	{S(" A <a@b.c> B <d@e.f>"), " A <a@b.c>, B <d@e.f>", S("a@b.c\0d@e.f\0"), 2},
	{S(" John Q. Public <jqp@x.y>"), " John Q. Public <jqp@x.y>", S("jqp@x.y\0"), 1},
	{S(" a@b.c,\n d@e.f"), " a@b.c, d@e.f", S("a@b.c\0d@e.f\0"), 2},
	{S(" a@b.c,\r\n\td@e.f\r"), " a@b.c, d@e.f", S("a@b.c\0d@e.f\0"), 2},
	{S(" a@b.c (x (y) z)"), " a@b.c (x (y) z)", S("a@b.c\0"), 1},
	{S(" a@b.c (x\n y)"), " a@b.c (x y)", S("a@b.c\0"), 1},
	{S(" a@b.c (x\\\n)"), " a@b.c (x)", S("a@b.c\0"), 1},
	{S(" a@b.c (x \\) y)"), " a@b.c (x \\) y)", S("a@b.c\0"), 1},
	{S(" (only a comment)"), " (only a comment)", S(""), 0},
	{S(" J\xc3\xb6rg <j@x.de>"), " J\xc3\xb6rg <j@x.de>", S("j@x.de\0"), 1},
	{S(" j\xc3\xb6rg@x.de"), " j\xc3\xb6rg@x.de", S("j\xc3\xb6rg@x.de\0"), 1},
	{S(" <a@b.c> (c1)"), " <a@b.c> (c1)", S("a@b.c\0"), 1},
	{S(" Name <a@b.c> (c1), x@y.z"), " Name <a@b.c> (c1), x@y.z", S("a@b.c\0x@y.z\0"), 2},
	{S(" Name (c0) <(c1) a (c2) @ b.c>"), " Name (c0) <a@b.c> (c1) (c2)", S("a@b.c\0"), 1},
	{S(" a@[1\\]2]"), " a@[1\\]2]", S("a@[1\\]2]\0"), 1},
	{S(" \"q\" <a@b.c>"), " \"q\" <a@b.c>", S("a@b.c\0"), 1},
	{S(" joe@a.b.c.d.e"), " joe@a.b.c.d.e", S("joe@a.b.c.d.e\0"), 1},
	{S(" joe@b."), " joe@b.", S("joe@b.\0"), 1},
	{S(" \"\"@x.y"), " \"\"@x.y", S("@x.y\0"), 1},
	{S(" a@b (x) c@d"), " a@b.dd.org (x), c@d.dd.org", S("a@b.dd.org\0c@d.dd.org\0"), 2},
	{S(" a@b <c@d.e>"), " a@b <c@d.e>", S("c@d.e\0"), 1},
	{S(" g: <a@b.c>, X <d@e.f>;"), " g: <a@b.c>, X <d@e.f>;", S("a@b.c\0d@e.f\0"), 2},
	{S(" g:;"), " g: ;", S(""), 0},
	{S(" a@b.c,"), " a@b.c", S("a@b.c\0"), 1},
	{S(" a@b:"), " a@b: ;", S(""), 0},
};

static const struct {
	const char *in; /* the field value */
	size_t inlen;   /* its length */
	int err;        /* the error expected */
} bad[] = {
	{S(" @x"), HDR_ESYNTAX},
	{S(" a@"), HDR_ESYNTAX},
	{S(" a@,b"), HDR_ESYNTAX},
	{S(" <a@b.c"), HDR_ESYNTAX},
	{S(" a@b.c>"), HDR_ESYNTAX},
	{S(" >"), HDR_ESYNTAX},
	{S(" \"unterminated"), HDR_ESYNTAX},
	{S(" (unterminated"), HDR_ESYNTAX},
	{S(" (a (b)"), HDR_ESYNTAX},
	{S(" a)b"), HDR_ESYNTAX},
	{S(" a]b"), HDR_ESYNTAX},
	{S(" [1.2.3.4"), HDR_ESYNTAX},
	{S(" a@[1[2]"), HDR_ESYNTAX},
	{S(" a@b@c"), HDR_ESYNTAX},
	{S(" g: h: i;;"), HDR_ESYNTAX},
	{S(" a\\b@c"), HDR_ESYNTAX},
	{S(" a\0b@c"), HDR_ESYNTAX},
	{S(" \"a\0b\"@c"), HDR_ESYNTAX},
	{S(" (a\0b) a@c"), HDR_ESYNTAX},
	{S(" a\x01"
	   "b@c"),
	 HDR_ESYNTAX},
	{S(" a\x7f"), HDR_ESYNTAX},
	{S(" <@r1 a@b.c>"), HDR_ESYNTAX},
	{S(" <@:a@b.c>"), HDR_ESYNTAX},
	{S(" <@r1,r2:a@b.c>"), HDR_ESYNTAX},
	{S(" <a b@c.d>"), HDR_ESYNTAX},
	{S(" <a@b.c d>"), HDR_ESYNTAX},
	{S(" <a@b.c"), HDR_ESYNTAX},
	{S(" <<a@b.c>>"), HDR_ESYNTAX},
	{S(" Name <>>"), HDR_ESYNTAX},
	{S(" x [lit] <a@b.c>"), HDR_ESYNTAX},
	{S(" a@\"b\""), HDR_ESYNTAX},
	{S(" ."), HDR_ESYNTAX},
	{S(" \"a\\"), HDR_ESYNTAX},
	{S(" (a\\"), HDR_ESYNTAX},
	{S(" a@b.c (x) >"), HDR_ESYNTAX},
};

/* check_ok - parse, compare, then parse the printed text again: same text, same
 * addresses, with the same rules and with none */
static void check_ok(size_t i)
{
	hdr_alist r = HDR_ALIST_ZERO, again = HDR_ALIST_ZERO;
	char *copy = malloc(ok[i].inlen + 1); /* exact size, so ASan sees any overread */
	T_OK(copy != 0);
	memcpy(copy, ok[i].in, ok[i].inlen);
	if (!T_OK(hdr_alist_parse(&r, copy, ok[i].inlen, &rw, 3)))
		T_EQ_S(hdr_errstr(r.err), ok[i].in);
	T_EQ_MEM(r.text.s, r.text.len, ok[i].text, strlen(ok[i].text));
	T_EQ_MEM(r.addrs.s, r.addrs.len, ok[i].addrs, ok[i].addrslen);
	T_EQ_U(r.count, ok[i].count);
	T_OK(hdr_alist_parse(&again, r.text.s, r.text.len, &rw, 3));
	T_EQ_MEM(again.text.s, again.text.len, r.text.s, r.text.len);
	T_EQ_MEM(again.addrs.s, again.addrs.len, r.addrs.s, r.addrs.len);
	T_OK(hdr_alist_parse(&again, r.text.s, r.text.len, 0, 3));
	T_EQ_MEM(again.addrs.s, again.addrs.len, r.addrs.s, r.addrs.len);
	hdr_alist_free(&r);
	hdr_alist_free(&again);
	free(copy);
}

static void t_valid(void)
{
	size_t i;
	for (i = 0; i < sizeof ok / sizeof ok[0]; ++i)
		check_ok(i);
}

static void t_invalid(void)
{
	size_t i;
	hdr_alist r = HDR_ALIST_ZERO;
	for (i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
		char *copy = malloc(bad[i].inlen + 1);
		memcpy(copy, bad[i].in, bad[i].inlen);
		if (!T_OK(!hdr_alist_parse(&r, copy, bad[i].inlen, &rw, 3)))
			T_EQ_MEM(r.text.s, r.text.len, bad[i].in, bad[i].inlen);
		T_EQ_U(r.err, bad[i].err);
		free(copy);
	}
	hdr_alist_free(&r);
}

/* t_prefixes - every prefix of every table input parses or fails cleanly; an
 * exact-size copy lets the sanitizer catch a read past the end */
static void t_prefixes(void)
{
	size_t i, k, clean = 0, total = 0;
	hdr_alist r = HDR_ALIST_ZERO;
	for (i = 0; i < sizeof ok / sizeof ok[0]; ++i)
		for (k = 0; k <= ok[i].inlen; ++k) {
			char *copy = malloc(k ? k : 1);
			memcpy(copy, ok[i].in, k);
			if (hdr_alist_parse(&r, copy, k, &rw, 3))
				++clean;
			else
				T_OK(r.err == HDR_ESYNTAX);
			++total;
			free(copy);
		}
	T_OK(clean > total / 2);
	hdr_alist_free(&r);
}

static void t_norewrite(void)
{
	hdr_alist r = HDR_ALIST_ZERO;
	T_OK(hdr_alist_parse(&r, S(" joe, bob@host+, x@y"), 0, 3));
	T_EQ_MEM(r.addrs.s, r.addrs.len, "joe\0bob@host+\0x@y", 18);
	T_EQ_MEM(r.text.s, r.text.len, " joe, bob@host+, x@y", 20);
	hdr_rw only_host = {"h.example", 0, 0};
	T_OK(hdr_alist_parse(&r, S(" joe, bob@host+"), &only_host, 3));
	T_EQ_MEM(r.addrs.s, r.addrs.len, "joe@h.example\0bob@host+", 24);
	hdr_rw plus_host = {"h+", "d.example", "p.example"};
	T_OK(hdr_alist_parse(&r, S(" joe"), &plus_host, 3));
	T_EQ_MEM(r.addrs.s, r.addrs.len, "joe@h.p.example", 16);
	hdr_rw bare_host = {"h", "d.example", "p.example"};
	T_OK(hdr_alist_parse(&r, S(" joe"), &bare_host, 3));
	T_EQ_MEM(r.addrs.s, r.addrs.len, "joe@h.d.example", 16);
	hdr_alist_free(&r);
}

/* t_limits - address length and comment depth at and beyond their bounds */
static void t_limits(void)
{
	hdr_alist r = HDR_ALIST_ZERO;
	char b[4096];
	size_t i, n;
	/* local part of 996 bytes + "@y.z" = 1000: the longest allowed */
	b[0] = ' ';
	memset(b + 1, 'x', 996);
	memcpy(b + 997, "@y.z", 4);
	T_OK(hdr_alist_parse(&r, b, 1001, 0, 3));
	T_EQ_U(r.addrs.len, 1001);
	memset(b + 1, 'x', 997);
	memcpy(b + 998, "@y.z", 4);
	T_OK(!hdr_alist_parse(&r, b, 1002, 0, 3));
	T_EQ_U(r.err, HDR_ELONG);
	/* rewriting can push an address over the limit */
	memset(b + 1, 'x', 995);
	memcpy(b + 996, "@y", 2);
	T_OK(hdr_alist_parse(&r, b, 998, 0, 3));
	T_OK(!hdr_alist_parse(&r, b, 998, &rw, 3));
	T_EQ_U(r.err, HDR_ELONG);
	/* comments nested HDR_NEST_MAX deep are fine, one more is not */
	for (n = 0, b[n++] = ' ', i = 0; i < HDR_NEST_MAX; ++i)
		b[n++] = '(';
	for (i = 0; i < HDR_NEST_MAX; ++i)
		b[n++] = ')';
	memcpy(b + n, " a@b.c", 6);
	T_OK(hdr_alist_parse(&r, b, n + 6, 0, 3));
	T_EQ_U(r.count, 1);
	for (n = 0, b[n++] = ' ', i = 0; i <= HDR_NEST_MAX; ++i)
		b[n++] = '(';
	for (i = 0; i <= HDR_NEST_MAX; ++i)
		b[n++] = ')';
	T_OK(!hdr_alist_parse(&r, b, n, 0, 3));
	T_EQ_U(r.err, HDR_ENEST);
	hdr_alist_free(&r);
}

/* t_fold - a long list folds before column 78, and the folds parse back */
static void t_fold(void)
{
	hdr_alist r = HDR_ALIST_ZERO, again = HDR_ALIST_ZERO;
	sa in = SA_ZERO;
	size_t i, col = 3, maxcol = 0, lines = 1;
	for (i = 0; i < 40; ++i) {
		T_OK(sa_cats(&in, i ? ", user" : " user"));
		T_OK(sa_catu(&in, i));
		T_OK(sa_cats(&in, "@example.com"));
	}
	T_OK(hdr_alist_parse(&r, in.s, in.len, &rw, 3));
	T_EQ_U(r.count, 40);
	for (i = 0; i < r.text.len; ++i) {
		if (r.text.s[i] == '\n') {
			T_OK(i > 0 && r.text.s[i - 1] == ',');
			T_OK(i + 2 < r.text.len && r.text.s[i + 1] == ' ' &&
			     r.text.s[i + 2] == ' ');
			++lines;
			col = 0;
		} else if (++col > maxcol) {
			maxcol = col;
		}
	}
	T_OK(maxcol <= HDR_FOLD);
	T_OK(lines > 10);
	T_OK(hdr_alist_parse(&again, r.text.s, r.text.len, &rw, 3));
	T_EQ_MEM(again.addrs.s, again.addrs.len, r.addrs.s, r.addrs.len);
	T_EQ_MEM(again.text.s, again.text.len, r.text.s, r.text.len);
	/* one item longer than a line goes on a line of its own, whole */
	sa_free(&in);
	T_OK(sa_cats(&in, " a@b.c, "));
	for (i = 0; i < 100; ++i)
		T_OK(sa_catc(&in, 'z'));
	T_OK(sa_cats(&in, "@y.z, c@d.e"));
	T_OK(hdr_alist_parse(&r, in.s, in.len, 0, 3));
	T_OK(r.text.len > 10 && memcmp(r.text.s, " a@b.c,\n  zzz", 13) == 0);
	T_EQ_U(r.count, 3);
	sa_free(&in);
	hdr_alist_free(&r);
	hdr_alist_free(&again);
}

/* t_many - a long run of words without commas is split in linear time */
static void t_many(void)
{
	hdr_alist r = HDR_ALIST_ZERO;
	sa in = SA_ZERO;
	size_t i;
	for (i = 0; i < 20000; ++i)
		T_OK(sa_cats(&in, " w"));
	T_OK(hdr_alist_parse(&r, in.s, in.len, 0, 3));
	T_EQ_U(r.count, 20000);
	T_EQ_U(r.addrs.len, 40000);
	sa_free(&in);
	hdr_alist_free(&r);
}

static void t_rewrite(void)
{
	sa x = SA_ZERO;
	T_OK(hdr_host_rewrite(&x, "a", 1, &rw));
	T_OK(hdr_host_rewrite(&x, " b+", 3, &rw));
	T_OK(hdr_host_rewrite(&x, " [c]", 4, &rw));
	T_OK(hdr_host_rewrite(&x, " d.e", 4, &rw));
	T_OK(hdr_host_rewrite(&x, " f", 2, 0));
	T_EQ_MEM(x.s, x.len, "a.dd.org b.pd.net [c] d.e f", 27);
	x.len = 0;
	T_OK(hdr_addr_rewrite(&x, "joe", 3, &rw));
	T_OK(hdr_addr_rewrite(&x, " joe@", 5, &rw));
	T_OK(hdr_addr_rewrite(&x, " a@b@c", 6, &rw));
	T_OK(hdr_addr_rewrite(&x, " joe", 4, 0));
	T_OK(hdr_addr_rewrite(&x, " u@x.y", 6, &rw));
	T_EQ_MEM(x.s, x.len, "joe@dh.dd.org joe@dh.dd.org a@b@c.dd.org joe u@x.y", 50);
	sa_free(&x);
}

static void t_render(void)
{
	sa x = SA_ZERO;
	T_OK(hdr_local_render(&x, "a.b", 3));
	T_OK(hdr_local_render(&x, " ", 1));
	T_OK(hdr_local_render(&x, "", 0));
	T_OK(hdr_local_render(&x, "a\"b\\", 4));
	T_OK(hdr_local_render(&x, ".a", 2));
	T_EQ_MEM(x.s, x.len, "a.b\" \"\"\"\"a\\\"b\\\\\"\".a\"", 20);
	x.len = 0;
	T_OK(!hdr_local_render(&x, "a\nb", 3));
	T_OK(!hdr_local_render(&x, "a\rb", 3));
	T_OK(!hdr_local_render(&x, "a\0b", 3));
	x.len = 0;
	T_OK(hdr_phrase_render(&x, "Joe Bloggs", 10));
	T_OK(hdr_phrase_render(&x, " J. Q. Public", 13));
	T_OK(hdr_phrase_render(&x, " O\"Hara", 7));
	T_EQ_MEM(x.s, x.len, "Joe Bloggs\" J. Q. Public\"\" O\\\"Hara\"", 35);
	x.len = 0;
	T_OK(hdr_comment_render(&x, "Joe (the) \\ man", 15));
	T_EQ_MEM(x.s, x.len, "(Joe \\(the\\) \\\\ man)", 20);
	T_OK(!hdr_comment_render(&x, "a\nb", 3));
	sa_free(&x);
}

/* same - whether two strings hold the same bytes */
static int same(const sa *a, const sa *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->s, b->s, a->len) == 0);
}

/* random_run - inputs of random bytes from alphabet: every one parses or fails
 * cleanly, and whatever parses prints text that parses again to the same addresses
 * and the same text (with the same rules and with none); the number that parsed */
static size_t random_run(const char *alphabet, size_t total)
{
	hdr_alist r = HDR_ALIST_ZERO, again = HDR_ALIST_ZERO;
	unsigned long x = 12345;
	size_t i, k, parsed = 0, stable = 0, na = strlen(alphabet);
	char b[40];
	for (i = 0; i < total; ++i) {
		size_t n = 1 + (i % (sizeof b - 1));
		for (k = 0; k < n; ++k) {
			x = x * 6364136223846793005UL + 1442695040888963407UL;
			b[k] = alphabet[(x >> 33) % na];
		}
		if (!hdr_alist_parse(&r, b, n, &rw, 3))
			continue;
		++parsed;
		if (hdr_alist_parse(&again, r.text.s, r.text.len, &rw, 3) &&
		    same(&again.text, &r.text) && same(&again.addrs, &r.addrs) &&
		    hdr_alist_parse(&again, r.text.s, r.text.len, 0, 3) &&
		    same(&again.addrs, &r.addrs))
			++stable;
		else
			T_EQ_MEM(r.text.s, r.text.len, b, n);
	}
	T_EQ_U(stable, parsed);
	hdr_alist_free(&r);
	hdr_alist_free(&again);
	return parsed;
}

static void t_random(void)
{
	/* every byte that matters to the grammar */
	T_OK(random_run("abcdabcdabcd@@@...   ,,<>;:()\"[]\\\t\n+\xe9\x01", 20000) > 800);
	/* fewer kinds of delimiter, so that more inputs parse */
	T_OK(random_run("abcabcabcabc@.. ,,<>():", 20000) > 1500);
}

const t_case t_cases[] = {
	T_CASE(t_valid),
	T_CASE(t_invalid),
	T_CASE(t_prefixes),
	T_CASE(t_norewrite),
	T_CASE(t_limits),
	T_CASE(t_fold),
	T_CASE(t_many),
	T_CASE(t_rewrite),
	T_CASE(t_render),
	T_CASE(t_random),
	T_END,
};
