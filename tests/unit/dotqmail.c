/* dotqmail.c - tests for the .qmail parser, the file lookup order and NEWSENDER */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "dotqmail.h"
#include "harness.h"

/* one parser case: input bytes, the rendered instructions or the expected errno */
typedef struct {
	const char *in;   /* the file's bytes */
	size_t len;       /* their length (inputs may hold NUL bytes) */
	const char *want; /* rendered result (see render), or 0 when an error is expected */
	int err;          /* expected errno when want is 0 */
} pcase;

#define P(s, w)                       \
	{                             \
		s, sizeof s - 1, w, 0 \
	}
#define PERR(s, e)                    \
	{                             \
		s, sizeof s - 1, 0, e \
	}

/* Rendering: one line per instruction, a kind letter then the argument.
 * e empty, B blank first line, # comment, | program, D maildir, M mbox, F forward,
 * L +list, + other plus line. */
static const pcase cases[] = {
	P("", ""),
	P("\n", "B\n"),
	P(" \t \n./Maildir/\n", "B\nD./Maildir/\n"),
	P("   ", "B\n"),
	P("./Maildir/", "D./Maildir/\n"),
	P("./Maildir/\n", "D./Maildir/\n"),
	P("./Maildir/ \t \n", "D./Maildir/\n"),
	P("./Mailbox\n", "M./Mailbox\n"),
	P("/var/mail/joe\n", "M/var/mail/joe\n"),
	P("/home/joe/Maildir/\n", "D/home/joe/Maildir/\n"),
	P(".\n", "M.\n"),
	P("/\n", "D/\n"),
	P("./Mail box \n", "M./Mail box\n"),
	P("|preline procmail\n", "|preline procmail\n"),
	P("| echo hi  \n", "| echo hi\n"),
	P("|\n", "|\n"),
	P("&joe@example.org\n", "Fjoe@example.org\n"),
	P("&\n", "F\n"),
	P("joe@example.org\n", "Fjoe@example.org\n"),
	P("joe\n", "Fjoe\n"),
	P(" joe\n", "F joe\n"),
	P("&&x\n", "F&x\n"),
	P("# just a comment\n", "## just a comment\n"),
	P("#\n", "##\n"),
	P("+list\n", "L+list\n"),
	P("+list \t\n", "L+list\n"),
	P("+list", "L+list\n"),
	P("+lists\n", "++lists\n"),
	P("+LIST\n", "++LIST\n"),
	P("+\n", "++\n"),
	P("a\n\n\nb", "Fa\ne\ne\nFb\n"),
	P("a\n \nb\n", "Fa\ne\nFb\n"),
	P("#c\n\n", "##c\ne\n"),
	P("a\r\n", "Fa\r\n"),
	P("\t\n", "B\n"),
	P("x\t \t", "Fx\n"),
	P("|a\n&b\n./c/\n./d\n#e\n+list\nf\n", "|a\nFb\nD./c/\nM./d\n##e\nL+list\nFf\n"),
	P("./Maildir/\n|cmd\n", "D./Maildir/\n|cmd\n"),
	P("\xff\xfe\n", "F\xff\xfe\n"),
	PERR("a\0b\n", EINVAL),
	PERR("ok\n\0", EINVAL),
	PERR("#\0\n", EINVAL),
};

static const char *kinds = "eB#|DMFL+";

/* render - the parser's instructions as text */
static void render(const dotqmail *d, sa *out)
{
	size_t i;
	out->len = 0;
	for (i = 0; i < d->n; ++i) {
		T_OK(d->v[i].kind >= 0 && d->v[i].kind <= DQ_PLUS);
		T_EQ_U(d->v[i].line, i + 1);
		T_EQ_U(strlen(dotqmail_arg(d, i)), d->v[i].len);
		sa_catc(out, kinds[d->v[i].kind]);
		sa_catb(out, dotqmail_arg(d, i), d->v[i].len);
		sa_catc(out, '\n');
	}
}

/* check - the outcome of one parse against the case */
static void check(const pcase *c, dotqmail *d, int ok)
{
	sa out = SA_ZERO;
	if (c->want) {
		if (!T_OK(ok))
			return;
		render(d, &out);
		T_EQ_MEM(out.s, out.len, c->want, strlen(c->want));
	} else {
		T_OK(!ok);
		T_EQ_U(errno, c->err);
		T_EQ_U(d->err, c->err);
	}
	sa_free(&out);
}

static void t_whole(void)
{
	size_t i;
	for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
		dotqmail d;
		dotqmail_init(&d, 0, 0);
		check(&cases[i], &d, dotqmail_parse(&d, cases[i].in, cases[i].len));
		dotqmail_free(&d);
	}
}

static void t_bytewise(void)
{
	size_t i, j;
	for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
		dotqmail d;
		int ok = 1;
		dotqmail_init(&d, 0, 0);
		for (j = 0; j < cases[i].len && ok; ++j)
			ok = dotqmail_feed(&d, cases[i].in + j, 1);
		/* an empty feed changes nothing */
		if (ok)
			ok = dotqmail_feed(&d, "", 0);
		if (ok)
			ok = dotqmail_end(&d);
		check(&cases[i], &d, ok);
		dotqmail_free(&d);
	}
}

static void t_split(void)
{
	size_t i, j;
	for (i = 0; i < sizeof cases / sizeof cases[0]; ++i)
		for (j = 0; j <= cases[i].len; ++j) {
			dotqmail d;
			int ok;
			dotqmail_init(&d, 0, 0);
			ok = dotqmail_feed(&d, cases[i].in, j) &&
			     dotqmail_feed(&d, cases[i].in + j, cases[i].len - j) &&
			     dotqmail_end(&d);
			check(&cases[i], &d, ok);
			dotqmail_free(&d);
		}
}

static void t_limits(void)
{
	dotqmail d;
	static const char ten[] = "0123456789";
	/* the line limit counts bytes before stripping, and is exact */
	dotqmail_init(&d, 10, 0);
	T_OK(dotqmail_parse(&d, "0123456789\n0123456789", 21));
	T_EQ_U(d.n, 2);
	dotqmail_free(&d);
	dotqmail_init(&d, 10, 0);
	T_OK(!dotqmail_parse(&d, "01234567890\n", 12));
	T_EQ_U(errno, E2BIG);
	dotqmail_free(&d);
	dotqmail_init(&d, 10, 0);
	T_OK(dotqmail_feed(&d, ten, 10));
	T_OK(!dotqmail_feed(&d, " ", 1));
	T_EQ_U(errno, E2BIG);
	/* sticky: later input and end keep failing */
	errno = 0;
	T_OK(!dotqmail_feed(&d, "\n", 1));
	T_EQ_U(errno, E2BIG);
	T_OK(!dotqmail_end(&d));
	T_EQ_U(errno, E2BIG);
	dotqmail_free(&d);
	/* many short lines under the line limit still hit the total limit */
	dotqmail_init(&d, 10, 16);
	T_OK(dotqmail_feed(&d, "a\nb\nc\nd\ne\nf\ng\nh\n", 16));
	T_EQ_U(d.n, 8);
	T_OK(!dotqmail_feed(&d, "i", 1));
	T_EQ_U(errno, EFBIG);
	dotqmail_free(&d);
	dotqmail_init(&d, 10, 16);
	T_OK(!dotqmail_parse(&d, "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n", 17));
	T_EQ_U(errno, EFBIG);
	dotqmail_free(&d);
	/* limits near SIZE_MAX never wrap */
	dotqmail_init(&d, SIZE_MAX, SIZE_MAX);
	T_OK(dotqmail_parse(&d, "a\nbb", 4));
	T_EQ_U(d.n, 2);
	dotqmail_free(&d);
	dotqmail_init(&d, SIZE_MAX - 1, SIZE_MAX);
	T_OK(dotqmail_feed(&d, "abc", 3));
	T_OK(dotqmail_end(&d));
	dotqmail_free(&d);
	/* 0 picks the defaults */
	dotqmail_init(&d, 0, 0);
	T_EQ_U(d.linemax, DOTQMAIL_LINEMAX);
	T_EQ_U(d.totalmax, DOTQMAIL_TOTALMAX);
	dotqmail_free(&d);
}

static void t_many_lines(void)
{
	dotqmail d;
	size_t i;
	dotqmail_init(&d, 0, 0);
	for (i = 0; i < 10000; ++i)
		T_OK(dotqmail_feed(&d, "&a@b\n", 5));
	T_OK(dotqmail_end(&d));
	T_EQ_U(d.n, 10000);
	T_EQ_U(d.v[9999].kind, DQ_FORWARD);
	T_EQ_U(d.v[9999].line, 10000);
	T_EQ_S(dotqmail_arg(&d, 9999), "a@b");
	dotqmail_free(&d);
	dotqmail_free(&d);
}

/* the lookup callback's record: every name asked, and a set of existing names */
typedef struct {
	sa asked;                /* names asked, each followed by a '\n' */
	const char *const *have; /* names that exist, 0-terminated */
	int fail;                /* return -1 for this name index (from 1), 0 never */
	int count;               /* calls so far */
} lookup;

/* exists - the test callback: record the name, answer from have */
static int exists(const char *name, void *ctx)
{
	lookup *l = ctx;
	size_t i;
	sa_cats(&l->asked, name);
	sa_catc(&l->asked, '\n');
	if (++l->count == l->fail) {
		errno = EIO;
		return -1;
	}
	for (i = 0; l->have && l->have[i]; ++i)
		if (!strcmp(l->have[i], name))
			return 1;
	return 0;
}

typedef struct {
	const char *dash, *ext; /* the arguments */
	const char *have[4];    /* existing names */
	int r;                  /* expected result */
	const char *name;       /* expected name (when r == 1) */
	const char *def;        /* expected DEFAULT, 0 for none */
	const char *asked;      /* expected names asked, in order */
} fcase;

static const fcase fcases[] = {
	{"-", "foo-bar", {0}, 0, 0, 0, ".qmail-foo-bar\n.qmail-foo-default\n.qmail-default\n"},
	{"-",
	 "foo-bar",
	 {".qmail-default"},
	 1,
	 ".qmail-default",
	 "foo-bar",
	 ".qmail-foo-bar\n.qmail-foo-default\n.qmail-default\n"},
	{"-",
	 "foo-bar",
	 {".qmail-foo-default", ".qmail-default"},
	 1,
	 ".qmail-foo-default",
	 "bar",
	 ".qmail-foo-bar\n.qmail-foo-default\n"},
	{"-",
	 "foo-bar",
	 {".qmail-foo-bar", ".qmail-default"},
	 1,
	 ".qmail-foo-bar",
	 0,
	 ".qmail-foo-bar\n"},
	{"-",
	 "Foo.Bar-X",
	 {".qmail-default"},
	 1,
	 ".qmail-default",
	 "Foo.Bar-X",
	 ".qmail-foo:bar-x\n.qmail-foo:bar-default\n.qmail-default\n"},
	{"-",
	 "Foo.Bar-X",
	 {".qmail-foo:bar-default"},
	 1,
	 ".qmail-foo:bar-default",
	 "X",
	 ".qmail-foo:bar-x\n.qmail-foo:bar-default\n"},
	{"-",
	 "a-b-c",
	 {0},
	 0,
	 0,
	 0,
	 ".qmail-a-b-c\n.qmail-a-b-default\n.qmail-a-default\n"
	 ".qmail-default\n"},
	{"-",
	 "a-",
	 {".qmail-a-default"},
	 1,
	 ".qmail-a-default",
	 "",
	 ".qmail-a-\n.qmail-a-default\n"},
	{"-",
	 "a--",
	 {0},
	 0,
	 0,
	 0,
	 ".qmail-a--\n.qmail-a--default\n.qmail-a-default\n"
	 ".qmail-default\n"},
	{"-", "", {0}, 0, 0, 0, ".qmail-\n.qmail-default\n"},
	{"-", "", {".qmail-default"}, 1, ".qmail-default", "", ".qmail-\n.qmail-default\n"},
	{"-", "-", {".qmail--default"}, 1, ".qmail--default", "", ".qmail--\n.qmail--default\n"},
	{"", "", {".qmail"}, 1, ".qmail", 0, ".qmail\n"},
	{"", "", {0}, 0, 0, 0, ".qmail\n"},
	/* a literal "default" extension is a default match with DEFAULT "default" */
	{"-",
	 "list-default",
	 {".qmail-list-default"},
	 1,
	 ".qmail-list-default",
	 "default",
	 ".qmail-list-default\n"},
	{"-", "default", {".qmail-default"}, 1, ".qmail-default", "default", ".qmail-default\n"},
	{"-", "xdefault", {".qmail-xdefault"}, 1, ".qmail-xdefault", 0, ".qmail-xdefault\n"},
	{"-/",
	 "sub",
	 {".qmail-/default"},
	 1,
	 ".qmail-/default",
	 "sub",
	 ".qmail-/sub\n.qmail-/default\n"},
};

static void t_find(void)
{
	size_t i;
	for (i = 0; i < sizeof fcases / sizeof fcases[0]; ++i) {
		const fcase *c = &fcases[i];
		lookup l = {SA_ZERO, c->have, 0, 0};
		sa name = SA_ZERO;
		size_t def = 12345;
		T_EQ_U(dotqmail_find(&name, &def, c->dash, c->ext, exists, &l), c->r);
		T_EQ_MEM(l.asked.s, l.asked.len, c->asked, strlen(c->asked));
		if (c->r == 1) {
			T_EQ_U(name.len, strlen(c->name) + 1);
			T_EQ_S(name.s, c->name);
		}
		if (c->def) {
			T_OK(def <= strlen(c->ext));
			if (def <= strlen(c->ext))
				T_EQ_S(c->ext + def, c->def);
		} else
			T_EQ_U(def, DOTQMAIL_NODEFAULT);
		sa_free(&l.asked);
		sa_free(&name);
	}
}

static void t_find_errors(void)
{
	sa name = SA_ZERO;
	size_t def;
	int k;
	/* an error from any lookup stops the search at once */
	for (k = 1; k <= 3; ++k) {
		lookup l = {SA_ZERO, 0, k, 0};
		errno = 0;
		T_EQ_U(dotqmail_find(&name, &def, "-", "foo-bar", exists, &l), -1);
		T_EQ_U(errno, EIO);
		T_EQ_U(l.count, k);
		sa_free(&l.asked);
	}
	sa_free(&name);
}

typedef struct {
	const char *sender, *dash, *ext; /* the arguments (local "joe-list", domain "ex.org") */
	const char *have[3];             /* existing names */
	const char *want;                /* NEWSENDER */
	const char *asked;               /* names asked */
} ncase;

static const ncase ncases[] = {
	{"a@b", "-", "list", {0}, "a@b", ".qmail-list-owner\n"},
	{"a@b",
	 "-",
	 "list",
	 {".qmail-list-owner"},
	 "joe-list-owner@ex.org",
	 ".qmail-list-owner\n.qmail-list-owner-default\n"},
	{"a@b",
	 "-",
	 "list",
	 {".qmail-list-owner", ".qmail-list-owner-default"},
	 "joe-list-owner-@ex.org-@[]",
	 ".qmail-list-owner\n.qmail-list-owner-default\n"},
	{"a@b", "-", "list", {".qmail-list-owner-default"}, "a@b", ".qmail-list-owner\n"},
	{"", "-", "list", {".qmail-list-owner"}, "", ""},
	{"#@[]", "-", "list", {".qmail-list-owner"}, "#@[]", ""},
	{"a@b",
	 "-",
	 "L.Ist",
	 {".qmail-l:ist-owner"},
	 "joe-list-owner@ex.org",
	 ".qmail-l:ist-owner\n.qmail-l:ist-owner-default\n"},
	{"a@b",
	 "",
	 "",
	 {".qmail-owner"},
	 "joe-list-owner@ex.org",
	 ".qmail-owner\n.qmail-owner-default\n"},
};

static void t_newsender(void)
{
	size_t i;
	for (i = 0; i < sizeof ncases / sizeof ncases[0]; ++i) {
		const ncase *c = &ncases[i];
		lookup l = {SA_ZERO, c->have, 0, 0};
		sa out = SA_ZERO;
		T_OK(dotqmail_newsender(&out, c->sender, "joe-list", "ex.org", c->dash, c->ext,
					exists, &l));
		T_EQ_MEM(out.s, out.len, c->want, strlen(c->want));
		T_EQ_MEM(l.asked.s, l.asked.len, c->asked, strlen(c->asked));
		sa_free(&l.asked);
		sa_free(&out);
	}
}

static void t_newsender_errors(void)
{
	static const char *const owner[] = {".qmail-x-owner", 0};
	int k;
	for (k = 1; k <= 2; ++k) {
		lookup l = {SA_ZERO, owner, k, 0};
		sa out = SA_ZERO;
		errno = 0;
		T_OK(!dotqmail_newsender(&out, "a@b", "u-x", "d", "-", "x", exists, &l));
		T_EQ_U(errno, EIO);
		T_EQ_U(l.count, k);
		sa_free(&l.asked);
		sa_free(&out);
	}
}

const t_case t_cases[] = {
	T_CASE(t_whole),
	T_CASE(t_bytewise),
	T_CASE(t_split),
	T_CASE(t_limits),
	T_CASE(t_many_lines),
	T_CASE(t_find),
	T_CASE(t_find_errors),
	T_CASE(t_newsender),
	T_CASE(t_newsender_errors),
	T_END,
};
