/* users.c - tests for users/assign parsing, users/cdb writing and lookup, records */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cdb.h"
#include "harness.h"
#include "users.h"

typedef struct valid_s {
	const char *line; /* an assign line without its newline */
	char kind;        /* expected kind */
	const char *key;  /* expected key */
	const char *data; /* expected data, colons and all */
} valid;

static const valid valids[] = {
	{"=joe:joe:1000:100:/home/joe:::", '=', "joe", "joe:1000:100:/home/joe:::"},
	{"+joe-:joe:1000:100:/home/joe:-::", '+', "joe-", "joe:1000:100:/home/joe:-::"},
	{"+:alias:7790:2108:/var/qmail/alias:-::", '+', "", "alias:7790:2108:/var/qmail/alias:-::"},
	{"=:nobody:1:1:/:::", '=', "", "nobody:1:1:/:::"},
	{"=Joe.Smith:joe:0:0:/h:-:ext:", '=', "Joe.Smith", "joe:0:0:/h:-:ext:"},
	{"+ex.com-:vpopmail:89:89:/home/vpopmail/domains/ex.com:-::", '+', "ex.com-",
	 "vpopmail:89:89:/home/vpopmail/domains/ex.com:-::"},
	{"=x:u:4294967294:4294967294:/h:-/:a-b:", '=', "x", "u:4294967294:4294967294:/h:-/:a-b:"},
	{".", '.', "", ""},
};

typedef struct invalid_s {
	const char *line; /* a bad line */
	const char *why;  /* a word the complaint must contain */
} invalid;

static const invalid invalids[] = {
	{"", "empty"},
	{"joe:joe:1:1:/h:::", "neither"},
	{"-joe:joe:1:1:/h:::", "neither"},
	{"..", "dot"},
	{". ", "dot"},
	{"=joe", "no colon"},
	{"=joe:joe:1:1:/h::", "fewer"},
	{"=joe:joe:1:1:/h:", "fewer"},
	{"=joe:", "fewer"},
	{"=joe:joe:1:1:/h:::x", "after"},
	{"=joe:joe:1:1:/h::::", "after"},
	{"=joe::1:1:/h:::", "user"},
	{"=joe:joe::1:/h:::", "uid"},
	{"=joe:joe:x:1:/h:::", "uid"},
	{"=joe:joe:-1:1:/h:::", "uid"},
	{"=joe:joe:4294967295:1:/h:::", "uid"},
	{"=joe:joe:18446744073709551616:1:/h:::", "uid"},
	{"=joe:joe:1:1a:/h:::", "gid"},
	{"=joe:joe:1: 1:/h:::", "gid"},
	{"=joe:joe:1:1::::", "absolute"},
	{"=joe:joe:1:1:home:::", "absolute"},
	{"=joe:joe:1:1:/h:::\r", "carriage"},
	{"=jo\te:joe:1:1:/h:::", "control"},
	{"=joe:joe:1:1:/h\x7f:::", "control"},
};

#define NVALID   (sizeof valids / sizeof valids[0])
#define NINVALID (sizeof invalids / sizeof invalids[0])

static void t_assign_valid(void)
{
	size_t i;
	for (i = 0; i < NVALID; ++i) {
		users_line e;
		const char *why = 0;
		const valid *v = &valids[i];
		T_EQ_U(users_assign_parse(&e, v->line, strlen(v->line), &why), 1);
		T_EQ_U(e.kind, v->kind);
		T_EQ_MEM(e.key, e.keylen, v->key, strlen(v->key));
		T_EQ_MEM(e.data, e.datalen, v->data, strlen(v->data));
	}
}

/* every proper prefix of a valid line (a truncated file) is refused, except "" + "."
 * and the prefixes that happen to be valid lines themselves, which none are */
static void t_assign_truncated(void)
{
	size_t i, n;
	for (i = 0; i < NVALID; ++i) {
		const char *s = valids[i].line;
		size_t bad = 0, len = strlen(s);
		for (n = 0; n < len; ++n) {
			users_line e;
			const char *why = 0;
			if (!users_assign_parse(&e, s, n, &why) && why && *why)
				++bad;
		}
		T_EQ_U(bad, len);
	}
}

static void t_assign_invalid(void)
{
	size_t i;
	for (i = 0; i < NINVALID; ++i) {
		users_line e;
		const char *why = 0;
		const invalid *v = &invalids[i];
		T_EQ_U(users_assign_parse(&e, v->line, strlen(v->line), &why), 0);
		T_OK(why && strstr(why, v->why));
		if (!(why && strstr(why, v->why)))
			printf("line %zu: %s -> %s\n", i, v->line, why ? why : "(none)");
	}
}

/* a NUL inside a line is a control character, never the end of the line */
static void t_assign_nul(void)
{
	users_line e;
	const char *why = 0;
	static const char s[] = "=joe:joe:1:1:/h\0x:::";
	T_EQ_U(users_assign_parse(&e, s, sizeof s - 1, &why), 0);
	T_OK(why && strstr(why, "control"));
}

/* build - write a users/cdb from assign lines; 1 on success */
static int build(const char *file, const char *const *lines)
{
	users_make u;
	users_line e;
	const char *why;
	int ok, fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 0;
	ok = users_make_start(&u, fd);
	for (; ok && *lines; ++lines)
		ok = users_assign_parse(&e, *lines, strlen(*lines), &why) && users_make_add(&u, &e);
	ok = ok ? users_make_finish(&u) : (users_make_free(&u), 0);
	close(fd);
	return ok;
}

static const char *const table[] = {
	"=joe:joe:1000:100:/home/joe:::",
	"+joe-:joe:1000:100:/home/joe:-::",
	"=joe:second:1:1:/x:::",
	"+Fred-List-:fred:1001:101:/home/fred:-:list-:",
	"+fred-:fred:1001:101:/home/fred:-::",
	"+ex.com_:vpop:89:89:/home/vpop/ex.com:-::",
	"=joe-special:spec:1002:102:/home/spec:-:sp:",
	"+:alias:7790:2108:/var/qmail/alias:-::",
	0,
};

typedef struct lookup_s {
	const char *local; /* looked up */
	const char *user;  /* expected user, 0 for no match */
	const char *home;  /* expected home */
	const char *dash;  /* expected dash */
	const char *ext;   /* expected ext */
	unsigned uid;      /* expected uid */
} lookup;

static const lookup lookups[] = {
	{"joe", "joe", "/home/joe", "", "", 1000},
	{"JOE", "joe", "/home/joe", "", "", 1000},
	{"joe-", "joe", "/home/joe", "-", "", 1000},
	{"joe-Foo", "joe", "/home/joe", "-", "Foo", 1000},
	{"joe-special", "spec", "/home/spec", "-", "sp", 1002},
	{"Joe-Special", "spec", "/home/spec", "-", "sp", 1002},
	{"joe-special-x", "joe", "/home/joe", "-", "special-x", 1000},
	{"fred-list-bar", "fred", "/home/fred", "-", "list-bar", 1001},
	{"FRED-LIST-Bar", "fred", "/home/fred", "-", "list-Bar", 1001},
	{"fred-other", "fred", "/home/fred", "-", "other", 1001},
	{"fred", "alias", "/var/qmail/alias", "-", "fred", 7790},
	{"ex.com_postmaster", "vpop", "/home/vpop/ex.com", "-", "postmaster", 89},
	{"Ex.Com_PostMaster", "vpop", "/home/vpop/ex.com", "-", "PostMaster", 89},
	{"ex.comx", "alias", "/var/qmail/alias", "-", "ex.comx", 7790},
	{"jo", "alias", "/var/qmail/alias", "-", "jo", 7790},
	{"x", "alias", "/var/qmail/alias", "-", "x", 7790},
};
#define NLOOKUPS (sizeof lookups / sizeof lookups[0])

static void t_cdb_lookup(void)
{
	cdb c;
	size_t i;
	int fd;
	T_OK(build(t_path("users.cdb"), table));
	fd = open(t_path("users.cdb"), O_RDONLY);
	T_OK(fd >= 0);
	T_OK(cdb_init(&c, fd));
	for (i = 0; i < NLOOKUPS; ++i) {
		const lookup *l = &lookups[i];
		users_pw pw = USERS_PW_ZERO;
		int r = users_cdb_find(&c, l->local, strlen(l->local), &pw);
		T_EQ_U(r, 1);
		if (r != 1) {
			printf("lookup %s failed\n", l->local);
			continue;
		}
		T_EQ_S(pw.user.s, l->user);
		T_EQ_S(pw.home.s, l->home);
		T_EQ_S(pw.dash.s, l->dash);
		T_EQ_S(pw.ext.s, l->ext);
		T_EQ_U(pw.uid, l->uid);
		users_pw_free(&pw);
	}
	cdb_free(&c);
	close(fd);
}

/* the raw layout: what vpopmail and other readers of users/cdb expect */
static void t_cdb_layout(void)
{
	static const char *const lines[] = {
		"=Ab:u:1:2:/h:-:e:", "+Cd-:v:3:4:/i:-::", "+ZZ:w:5:6:/j:::", "+:x:7:8:/k:-::", 0};
	char buf[64];
	cdb c;
	int fd;
	T_OK(build(t_path("layout.cdb"), lines));
	fd = open(t_path("layout.cdb"), O_RDONLY);
	T_OK(cdb_init(&c, fd));
	static const char d1[] = "u\0"
				 "1\0"
				 "2\0"
				 "/h\0"
				 "-\0"
				 "e";
	static const char d2[] = "v\0"
				 "3\0"
				 "4\0"
				 "/i\0"
				 "-\0";
	T_EQ_U(cdb_find(&c, "!ab\0", 4), 1);
	T_EQ_U(cdb_datalen(&c), sizeof d1 - 1);
	T_OK(cdb_read(&c, buf, sizeof d1 - 1, cdb_datapos(&c)));
	T_EQ_MEM(buf, sizeof d1 - 1, d1, sizeof d1 - 1);
	T_EQ_U(cdb_find(&c, "!ab", 3), 0);
	T_EQ_U(cdb_find(&c, "!cd-", 4), 1);
	T_EQ_U(cdb_datalen(&c), sizeof d2 - 1);
	T_OK(cdb_read(&c, buf, sizeof d2 - 1, cdb_datapos(&c)));
	T_EQ_MEM(buf, sizeof d2 - 1, d2, sizeof d2 - 1);
	T_EQ_U(cdb_find(&c, "!zz", 3), 1);
	T_EQ_U(cdb_find(&c, "!", 1), 1);
	T_EQ_U(cdb_find(&c, "", 0), 1);
	T_EQ_U(cdb_datalen(&c), 2); /* '-' and 'z', each once; nothing for "+:" */
	T_OK(cdb_read(&c, buf, 2, cdb_datapos(&c)));
	T_EQ_MEM(buf, 2, "-z", 2);
	cdb_free(&c);
	close(fd);
}

/* first '=' of duplicates wins; '=' beats '+'; the empty wildcard set means only "!" */
static void t_cdb_precedence(void)
{
	static const char *const lines[] = {
		"+a:p:1:1:/p:::", "=ab:e:2:2:/e:::", "=ab:f:3:3:/f:::", "+ab:q:4:4:/q:::", 0};
	static const char *const nowild[] = {"=a:e:2:2:/e:::", 0};
	users_pw pw = USERS_PW_ZERO;
	cdb c;
	int fd;
	T_OK(build(t_path("prec.cdb"), lines));
	fd = open(t_path("prec.cdb"), O_RDONLY);
	T_OK(cdb_init(&c, fd));
	T_EQ_U(users_cdb_find(&c, "ab", 2, &pw), 1);
	T_EQ_S(pw.user.s, "e");
	T_EQ_U(users_cdb_find(&c, "abc", 3, &pw), 1);
	T_EQ_S(pw.user.s, "q"); /* longer prefix first */
	T_EQ_S(pw.ext.s, "c");
	T_EQ_U(users_cdb_find(&c, "ac", 2, &pw), 1);
	T_EQ_S(pw.user.s, "p");
	T_EQ_U(users_cdb_find(&c, "b", 1, &pw), 0);
	cdb_free(&c);
	close(fd);
	T_OK(build(t_path("nowild.cdb"), nowild));
	fd = open(t_path("nowild.cdb"), O_RDONLY);
	T_OK(cdb_init(&c, fd));
	T_EQ_U(users_cdb_find(&c, "A", 1, &pw), 1);
	T_EQ_U(users_cdb_find(&c, "ab", 2, &pw), 0);
	cdb_free(&c);
	close(fd);
	users_pw_free(&pw);
}

/* raw - write a cdb of (key, data) pairs given as lengths and bytes */
static int raw(const char *file, const char *k1, size_t n1, const char *d1, size_t m1,
	       const char *k2, size_t n2, const char *d2, size_t m2)
{
	cdbmake m;
	int ok, fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ok = fd >= 0 && cdbmake_start(&m, fd) && cdbmake_add(&m, k1, n1, d1, m1) &&
	     (!k2 || cdbmake_add(&m, k2, n2, d2, m2)) && cdbmake_finish(&m);
	if (fd >= 0)
		close(fd);
	return ok;
}

/* find - users_cdb_find on a file; returns its result, errno kept */
static int find(const char *file, const char *local)
{
	users_pw pw = USERS_PW_ZERO;
	cdb c;
	int r, e, fd = open(file, O_RDONLY);
	if (fd < 0 || !cdb_init(&c, fd))
		return -2;
	r = users_cdb_find(&c, local, strlen(local), &pw);
	e = errno;
	cdb_free(&c);
	close(fd);
	users_pw_free(&pw);
	errno = e;
	return r;
}

/* a users/cdb that qmail-newu would not write is an error, never a guess */
static void t_cdb_malformed(void)
{
	static const char good[] = "u\0"
				   "1\0"
				   "1\0"
				   "/h\0"
				   "\0";
	static const char few[] = "u\0"
				  "1\0"
				  "1\0"
				  "/h";
	static const char baduid[] = "u\0"
				     "x\0"
				     "1\0"
				     "/h\0"
				     "-\0";
	char big[300];
	memset(big, '-', sizeof big);
	/* no wildcard record */
	T_OK(raw(t_path("m1"), "!x\0", 3, good, sizeof good - 1, 0, 0, 0, 0));
	T_EQ_U(find(t_path("m1"), "x"), 1);
	errno = 0;
	T_EQ_U(find(t_path("m1"), "y"), -1);
	T_EQ_U(errno, EPROTO);
	/* too few fields */
	T_OK(raw(t_path("m2"), "!x\0", 3, few, sizeof few - 1, "", 0, "", 0));
	errno = 0;
	T_EQ_U(find(t_path("m2"), "x"), -1);
	T_EQ_U(errno, EPROTO);
	/* a wildcard set longer than any set of bytes */
	T_OK(raw(t_path("m3"), "!x\0", 3, good, sizeof good - 1, "", 0, big, sizeof big));
	errno = 0;
	T_EQ_U(find(t_path("m3"), "y"), -1);
	T_EQ_U(errno, EPROTO);
	/* a bad uid in a prefix record */
	T_OK(raw(t_path("m4"), "!", 1, baduid, sizeof baduid - 1, "", 0, "", 0));
	errno = 0;
	T_EQ_U(find(t_path("m4"), "y"), -1);
	T_EQ_U(errno, EPROTO);
	/* not a cdb at all */
	T_OK(raw(t_path("m5"), "", 0, "", 0, 0, 0, 0, 0));
	T_OK(truncate(t_path("m5"), 100) == 0);
	T_EQ_U(find(t_path("m5"), "y"), -2);
}

typedef struct rec_s {
	const char *s; /* record bytes */
	size_t n;      /* length */
	int term;      /* terminated form (qmail-getpw) */
	int ok;        /* expected result */
} rec;

#define R(lit, term, ok)                      \
	{                                     \
		lit, sizeof lit - 1, term, ok \
	}
static const rec recs[] = {
	R("u\0"
	  "1\0"
	  "2\0"
	  "/h\0"
	  "-\0"
	  "ext",
	  0, 1),
	R("u\0"
	  "1\0"
	  "2\0"
	  "/h\0"
	  "-\0"
	  "ext\0",
	  1, 1),
	R("u\0"
	  "1\0"
	  "2\0"
	  "/h\0"
	  "-\0"
	  "ext",
	  1, 0),
	R("u\0"
	  "1\0"
	  "2\0"
	  "/h\0"
	  "-\0"
	  "ext\0",
	  0, 0),
	R("u\0"
	  "1\0"
	  "2\0"
	  "/h\0"
	  "\0",
	  1, 0),
	R("u\0"
	  "1\0"
	  "2\0"
	  "/h\0"
	  "\0"
	  "\0",
	  1, 1),
	R("u\0"
	  "1\0"
	  "2\0"
	  "/h\0"
	  "-\0"
	  "e\0x\0",
	  1, 0),
	R("\0"
	  "1\0"
	  "2\0"
	  "/h\0"
	  "-\0"
	  "\0",
	  1, 0),
	R("u\0"
	  "\0"
	  "2\0"
	  "/h\0"
	  "-\0"
	  "\0",
	  1, 0),
	R("u\0"
	  "1\0"
	  "2x\0"
	  "/h\0"
	  "-\0"
	  "\0",
	  1, 0),
	R("u\0"
	  "1\0"
	  "2\0"
	  "\0"
	  "-\0"
	  "\0",
	  1, 0),
	R("u\0"
	  "4294967295\0"
	  "2\0"
	  "/h\0"
	  "-\0"
	  "\0",
	  1, 0),
	R("u\0"
	  "4294967294\0"
	  "4294967294\0"
	  "/h\0"
	  "-\0"
	  "\0",
	  1, 1),
	R("", 1, 0),
	R("", 0, 0),
};
#define NRECS (sizeof recs / sizeof recs[0])

static void t_pw_parse(void)
{
	size_t i;
	users_pw pw = USERS_PW_ZERO;
	for (i = 0; i < NRECS; ++i) {
		errno = 0;
		T_EQ_U(users_pw_parse(&pw, recs[i].s, recs[i].n, recs[i].term), recs[i].ok);
		if (!recs[i].ok)
			T_EQ_U(errno, EPROTO);
	}
	T_EQ_U(users_pw_parse(&pw, recs[0].s, recs[0].n, 0), 1);
	T_EQ_S(pw.user.s, "u");
	T_EQ_U(pw.uid, 1);
	T_EQ_U(pw.gid, 2);
	T_EQ_S(pw.home.s, "/h");
	T_EQ_S(pw.dash.s, "-");
	T_EQ_S(pw.ext.s, "ext");
	users_pw_free(&pw);
}

static void t_make_refuses_dot(void)
{
	users_make u;
	users_line e = {'.', "", 0, "", 0};
	int fd = open(t_path("dot.cdb"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	T_OK(users_make_start(&u, fd));
	errno = 0;
	T_EQ_U(users_make_add(&u, &e), 0);
	T_EQ_U(errno, EINVAL);
	users_make_free(&u);
	close(fd);
}

const t_case t_cases[] = {
	T_CASE(t_assign_valid),
	T_CASE(t_assign_truncated),
	T_CASE(t_assign_invalid),
	T_CASE(t_assign_nul),
	T_CASE(t_cdb_lookup),
	T_CASE(t_cdb_layout),
	T_CASE(t_cdb_precedence),
	T_CASE(t_cdb_malformed),
	T_CASE(t_pw_parse),
	T_CASE(t_make_refuses_dot),
	T_END,
};
