/* rewrite.c - tables of recipient rewrites, virtual prefixes and VERP senders */
#include <string.h>

#include "harness.h"
#include "rewrite.h"

#define L REWRITE_LOCAL
#define R REWRITE_REMOTE

/* list - an sa holding len bytes of NUL-terminated items */
static sa list(const char *s, size_t len)
{
	sa x = SA_ZERO;
	T_OK(sa_copyb(&x, s, len));
	return x;
}
#define LIST(s) list(s, sizeof s - 1)

/* setup - the tables most tests use */
static void setup(rewrite *rw)
{
	sa locals = LIST("example.com\0Localhost\0mail.example.com\0");
	sa ph = LIST("relay.example.net\0");
	sa vd = LIST("virt.example.org:joe-foo\0"
		     "lists.example.org:\0"
		     ".example.org:org\0"
		     ".b.example.org:dotb\0"
		     "special@virt.example.org:alice\0"
		     "example.com:never\0"
		     "# comment-like:x\0");
	T_OK(rewrite_init(rw, "example.com", &locals, &ph, &vd));
	sa_free(&locals);
	sa_free(&ph);
	sa_free(&vd);
}

static const struct {
	const char *in, *out;
	int channel;
} rcpts[] = {
	{"joe", "joe@example.com", L},
	{"", "@example.com", L},
	{"joe@EXAMPLE.com", "joe@EXAMPLE.com", L},
	{"joe@localhost", "joe@localhost", L},
	{"joe@remote.net", "joe@remote.net", R},
	{"joe@", "joe@", R},
	{"u%h.net@relay.example.net", "u@h.net", R},
	{"u%v%w@relay.example.net", "u%v@w", R},
	{"a%b%relay.example.net@relay.example.net", "a@b", R},
	{"u%mail.example.com@RELAY.example.net", "u@mail.example.com", L},
	{"u%virt.example.org@relay.example.net", "joe-foo-u@virt.example.org", L},
	{"100%@relay.example.net", "100@", R},
	{"u%h@remote.net", "u%h@remote.net", R},
	{"info@virt.example.org", "joe-foo-info@virt.example.org", L},
	{"Info@VIRT.example.org", "joe-foo-Info@VIRT.example.org", L},
	{"special@virt.example.org", "alice-special@virt.example.org", L},
	{"SPECIAL@virt.example.org", "alice-SPECIAL@virt.example.org", L},
	{"x@lists.example.org", "x@lists.example.org", R},
	{"x@a.lists.example.org", "org-x@a.lists.example.org", L},
	{"x@a.b.example.org", "dotb-x@a.b.example.org", L},
	{"x@b.example.org", "org-x@b.example.org", L},
	{"x@example.org", "x@example.org", R},
	{"x@example.com", "x@example.com", L},
	{"a@b@virt.example.org", "joe-foo-a@b@virt.example.org", L},
	{"x@virt.example.org.", "x@virt.example.org.", R},
};

static void t_rcpt(void)
{
	rewrite rw;
	sa out = SA_ZERO;
	size_t i;
	setup(&rw);
	for (i = 0; i < sizeof rcpts / sizeof rcpts[0]; ++i) {
		int ch = -1;
		T_OK(rewrite_rcpt(&rw, rcpts[i].in, strlen(rcpts[i].in), &out, &ch));
		T_EQ_MEM(out.s, out.len, rcpts[i].out, strlen(rcpts[i].out));
		T_EQ_U(ch, rcpts[i].channel);
	}
	rewrite_free(&rw);
	sa_free(&out);
}

static void t_catchall(void)
{
	sa vd = LIST(":catch\0keep.example:\0");
	sa locals = LIST("here.example\0");
	rewrite rw;
	sa out = SA_ZERO;
	int ch;
	T_OK(rewrite_init(&rw, "here.example", &locals, 0, &vd));
	T_OK(rewrite_rcpt(&rw, "x@any.net", 9, &out, &ch));
	T_EQ_MEM(out.s, out.len, "catch-x@any.net", 15);
	T_EQ_U(ch, L);
	T_OK(rewrite_rcpt(&rw, "x@keep.example", 14, &out, &ch));
	T_EQ_MEM(out.s, out.len, "x@keep.example", 14);
	T_EQ_U(ch, R);
	T_OK(rewrite_rcpt(&rw, "x", 1, &out, &ch));
	T_EQ_MEM(out.s, out.len, "x@here.example", 14);
	T_EQ_U(ch, L);
	T_EQ_U(rewrite_unvirtual(&rw, "catch-x@any.net", 15), 6);
	T_EQ_U(rewrite_unvirtual(&rw, "x@here.example", 14), 0);
	/* no tables at all: everything with a domain is remote */
	rewrite_free(&rw);
	T_OK(rewrite_init(&rw, "envnoathost", 0, 0, 0));
	T_OK(rewrite_rcpt(&rw, "x", 1, &out, &ch));
	T_EQ_MEM(out.s, out.len, "x@envnoathost", 13);
	T_EQ_U(ch, R);
	rewrite_free(&rw);
	sa_free(&vd);
	sa_free(&locals);
	sa_free(&out);
}

static void t_hup(void)
{
	rewrite rw;
	sa out = SA_ZERO, loc = LIST("remote.net\0"), vd = LIST("new.example:n\0");
	int ch;
	setup(&rw);
	T_OK(rewrite_setlocals(&rw, &loc));
	T_OK(rewrite_setvdoms(&rw, &vd));
	T_OK(rewrite_rcpt(&rw, "joe@remote.net", 14, &out, &ch));
	T_EQ_U(ch, L);
	T_OK(rewrite_rcpt(&rw, "joe@example.com", 15, &out, &ch));
	T_EQ_U(ch, R);
	T_OK(rewrite_rcpt(&rw, "info@virt.example.org", 21, &out, &ch));
	T_EQ_U(ch, R);
	T_OK(rewrite_rcpt(&rw, "a@new.example", 13, &out, &ch));
	T_EQ_MEM(out.s, out.len, "n-a@new.example", 15);
	T_OK(rewrite_rcpt(&rw, "joe", 3, &out, &ch)); /* envnoathost is kept */
	T_EQ_MEM(out.s, out.len, "joe@example.com", 15);
	rewrite_free(&rw);
	sa_free(&out);
	sa_free(&loc);
	sa_free(&vd);
}

static const struct {
	const char *addr;
	size_t cut;
} unvirt[] = {
	{"joe-foo-info@virt.example.org", 8},
	{"joe-foo-a-b@virt.example.org", 8},
	{"alice-special@virt.example.org", 6},
	{"alice-other@virt.example.org", 0},
	{"joe-info@virt.example.org", 0},
	{"dotb-x@a.b.example.org", 5},
	{"org-x@b.example.org", 4},
	{"joe@example.com", 0},
	{"never-x@example.com", 0},
	{"x@remote.net", 0},
	{"joe-foo-@virt.example.org", 8},
	{"-x@virt.example.org", 0},
	{"", 0},
};

static void t_unvirtual(void)
{
	rewrite rw;
	size_t i;
	setup(&rw);
	for (i = 0; i < sizeof unvirt / sizeof unvirt[0]; ++i)
		T_EQ_U(rewrite_unvirtual(&rw, unvirt[i].addr, strlen(unvirt[i].addr)),
		       unvirt[i].cut);
	/* round trip: rewriting then unvirtualising gives back the address */
	for (i = 0; i < sizeof rcpts / sizeof rcpts[0]; ++i) {
		sa out = SA_ZERO;
		int ch;
		size_t cut;
		if (!strchr(rcpts[i].in, '@') || strchr(rcpts[i].in, '%'))
			continue;
		T_OK(rewrite_rcpt(&rw, rcpts[i].in, strlen(rcpts[i].in), &out, &ch));
		cut = rewrite_unvirtual(&rw, out.s, out.len);
		T_EQ_MEM(out.s + cut, out.len - cut, rcpts[i].in, strlen(rcpts[i].in));
		sa_free(&out);
	}
	rewrite_free(&rw);
}

static const struct {
	const char *sender, *rcpt, *out;
} verps[] = {
	{"list-@example.org-@[]", "joe@x.com", "list-joe=x.com@example.org"},
	{"list-@example.org-@[]", "joe", "list-joe@example.org"},
	{"list-@example.org-@[]", "", "list-@example.org"},
	{"@h-@[]", "u@d", "u=d@h"},
	{"a@b@c-@[]", "u@d", "a@bu=d@c"},
	{"p-@h-@[]", "u@v@w", "p-u@v=w@h"},
	{"p-@-@[]", "u@d", "p-u=d@"},
	{"a@b", "u@d", "a@b"},
	{"", "u@d", ""},
	{"#@[]", "u@d", "#@[]"},
	{"-@[]", "u@d", "-@[]"},
	{"x-@[]", "u@d", "x-@[]"},
	{"x@[]", "u@d", "x@[]"},
	{"p-@h-@[]x", "u@d", "p-@h-@[]x"},
};

static void t_verp(void)
{
	sa out = SA_ZERO;
	size_t i;
	for (i = 0; i < sizeof verps / sizeof verps[0]; ++i) {
		T_OK(rewrite_verp(&out, verps[i].sender, strlen(verps[i].sender), verps[i].rcpt,
				  strlen(verps[i].rcpt)));
		T_EQ_MEM(out.s, out.len, verps[i].out, strlen(verps[i].out));
	}
	sa_free(&out);
}

const t_case t_cases[] = {T_CASE(t_rcpt),      T_CASE(t_catchall), T_CASE(t_hup),
			  T_CASE(t_unvirtual), T_CASE(t_verp),     T_END};
