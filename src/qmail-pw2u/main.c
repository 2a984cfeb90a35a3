/*
 * qmail-pw2u - turn a V7 passwd file (stdin) into users/assign lines (stdout), so
 * that qmail-newu can build users/cdb and deliveries need no passwd lookups (SPEC
 * section 7). Optional files in QMAILHOME/users shape the output: include (only
 * these accounts), exclude (not these), mailnames (user:name:name...: addresses other
 * than the account name), subusers (sub:user:pre: extra addresses sharing a user's
 * home), append (copied verbatim before the final dot). The alias account's catch-all
 * line names QMAILHOME/alias as its home, the home qmail-getpw gives the alias user
 * (SPEC section 11), whatever its passwd line says.
 *
 * DIAGNOSTICS
 *   0    the lines were written
 *   100  usage; a malformed passwd or users/ line (named); no alias account; a missing
 *        home directory with -h
 *   111  a system error (reading, writing, out of memory)
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auto.h"
#include "buf.h"
#include "die.h"
#include "error.h"
#include "file.h"
#include "fmt.h"
#include "sa.h"
#include "scan.h"
#include "str.h"

#define FILEMAX  (64 * 1024 * 1024) /* largest users/ file read */
#define LINEMAX  65536              /* longest passwd line, newline included */
#define NAMESMAX 1000               /* most names on a users/mailnames line */

/* home directory checks */
enum { HOME_SKIP, HOME_DIE, HOME_NONE };

static struct {
	int upper;        /* -u: accept names with upper-case letters */
	int home;         /* HOME_SKIP (-o), HOME_DIE (-h), HOME_NONE (-H) */
	int ext;          /* 0 after -C: no '+' lines for extensions */
	char brk;         /* the break character after an address (-c) */
	const char *dash; /* "-", or "-/" after -/ */
	int alias;        /* the alias account was seen */
	int include;      /* users/include exists */
	sa incl;          /* users/include: names, each NUL-terminated */
	sa excl;          /* users/exclude: likewise */
	sa names;         /* users/mailnames lines, NUL for newline */
	sa subs;          /* users/subusers lines, likewise */
	sa app;           /* users/append */
	sa scratch;       /* a users/mailnames line being split */
	sa seen;          /* accepted users: "name uid gid home" NUL-separated, 4 each */
	buf out;          /* stdout */
} st;

/* die_nomem - out of memory */
static _Noreturn void die_nomem(void)
{
	die_x(111, "out of memory", NULL);
}

/* die_write - stdout failed */
static _Noreturn void die_write(void)
{
	die_sys(111, "unable to write output", NULL);
}

/* die_line - line n of what is malformed */
static _Noreturn void die_line(const char *what, size_t n, const char *why)
{
	char s[FMT_U64];
	s[fmt_u64(s, n)] = 0;
	die_x(100, what, " line ", s, ": ", why, NULL);
}

/* usage - exit 100 with the synopsis */
static _Noreturn void usage(void)
{
	die_x(100, "usage: qmail-pw2u [-/ohHuUC] [-c break]", NULL);
}

/* readfile - users/NAME into x, ending in a newline; unless raw, newlines are made
 * NULs; 0 if it does not exist */
static int readfile(const char *name, sa *x, int raw)
{
	sa path = SA_ZERO;
	size_t i;
	int r;
	if (!sa_copys(&path, auto_qmail) || !sa_cats(&path, "/users/") || !sa_cats(&path, name) ||
	    !sa_0(&path))
		die_nomem();
	r = file_read(path.s, x, FILEMAX);
	if (r < 0)
		die_sys(111, "unable to read ", path.s, NULL);
	sa_free(&path);
	if (r == 0)
		return 0;
	if (x->len && x->s[x->len - 1] != '\n' && !sa_catc(x, '\n'))
		die_nomem();
	for (i = 0; !raw && i < x->len; ++i)
		if (x->s[i] == '\n')
			x->s[i] = 0;
		else if (!x->s[i])
			die_x(100, "NUL byte in users/", name, NULL);
	return 1;
}

/* next - the NUL-terminated line at *pos of x, advancing *pos; 0 at the end */
static const char *next(const sa *x, size_t *pos)
{
	const char *s;
	if (*pos >= x->len)
		return 0;
	s = x->s + *pos;
	*pos += strlen(s) + 1;
	return s;
}

/* listed - whether name is a line of x */
static int listed(const sa *x, const char *name)
{
	size_t pos = 0;
	const char *s;
	while ((s = next(x, &pos)))
		if (str_equal(s, name))
			return 1;
	return 0;
}

/* put - strings to stdout */
static void put(const char *s)
{
	if (!buf_puts(&st.out, s))
		die_write();
}

/* putline - "KIND NAME BRK:user:uid:gid:home:dash:ext:" and a newline */
static void putline(char kind, const char *name, const char *brk, const char *user, const char *uid,
		    const char *gid, const char *home, const char *dash, const char *ext)
{
	char k[2] = {kind, 0};
	put(k);
	put(name);
	put(brk);
	put(":");
	put(user);
	put(":");
	put(uid);
	put(":");
	put(gid);
	put(":");
	put(home);
	put(":");
	put(dash);
	put(":");
	put(ext);
	put(":\n");
}

/* address - the '=' line for name and, with extensions, its '+' line */
static void address(const char *name, const char *user, const char *uid, const char *gid,
		    const char *home, const char *dash, const char *ext)
{
	char brk[2] = {st.brk, 0};
	sa e = SA_ZERO;
	putline('=', name, "", user, uid, gid, home, dash, ext);
	if (!st.ext)
		return;
	if (!sa_copys(&e, ext) || (*ext && !sa_cats(&e, "-")) || !sa_0(&e))
		die_nomem();
	putline('+', name, brk, user, uid, gid, home, st.dash, e.s);
	sa_free(&e);
}

/* home_ok - whether home belongs to uid, by the -o/-h/-H rule */
static int home_ok(const char *user, const char *home, uint64_t uid)
{
	struct stat s;
	if (st.home == HOME_NONE)
		return 1;
	if (stat(home, &s) != 0) {
		if (error_temp(errno))
			die_sys(111, "unable to stat ", home, NULL);
		if (st.home == HOME_DIE)
			die_sys(100, "home directory of ", user, " is missing: ", home, NULL);
		return 0;
	}
	return (uint64_t)s.st_uid == uid;
}

/* has_upper - whether s has an upper-case ASCII letter */
static int has_upper(const char *s)
{
	for (; *s; ++s)
		if (*s >= 'A' && *s <= 'Z')
			return 1;
	return 0;
}

/* bad_text - whether s has a control character (which users/assign cannot hold) */
static int bad_text(const char *s)
{
	for (; *s; ++s)
		if ((unsigned char)*s < 32 || *s == 127)
			return 1;
	return 0;
}

/* split - cut the line s at its colons into at most max fields at f; the number of
 * fields, or max + 1 when there are more (s is then partly cut) */
static size_t split(char *s, char **f, size_t max)
{
	size_t k = 0;
	f[k++] = s;
	for (; *s; ++s)
		if (*s == ':') {
			if (k == max)
				return max + 1;
			*s = 0;
			f[k++] = s + 1;
		}
	return k;
}

/* user - one passwd entry: fields f[0..7) */
static void user(char **f, size_t line)
{
	uint64_t uid, gid;
	size_t pos = 0;
	const char *s;
	int named = 0;
	if (!scan_u64_all(f[2], strlen(f[2]), &uid) || uid >= UINT32_MAX)
		die_line("passwd", line, "uid is not a valid number");
	if (!scan_u64_all(f[3], strlen(f[3]), &gid) || gid >= UINT32_MAX)
		die_line("passwd", line, "gid is not a valid number");
	if (uid == 0 || bad_text(f[0]) || bad_text(f[5]) || f[5][0] != '/' || !*f[0])
		return;
	if (str_equal(f[0], auto_usera)) {
		/* the catch-all goes to QMAILHOME/alias whatever passwd says, as with
		 * qmail-getpw: users/cdb must not send mail elsewhere than it would */
		sa home = SA_ZERO;
		if (!sa_cats(&home, auto_qmail) || !sa_cats(&home, "/alias") || !sa_0(&home))
			die_nomem();
		st.alias = 1;
		putline('+', "", "", f[0], f[2], f[3], home.s, st.dash, "");
		sa_free(&home);
	}
	if (st.include && !listed(&st.incl, f[0]))
		return;
	if (listed(&st.excl, f[0]) || (!st.upper && has_upper(f[0])))
		return;
	if (!home_ok(f[0], f[5], uid))
		return;
	if (!sa_cats(&st.seen, f[0]) || !sa_0(&st.seen) || !sa_cats(&st.seen, f[2]) ||
	    !sa_0(&st.seen) || !sa_cats(&st.seen, f[3]) || !sa_0(&st.seen) ||
	    !sa_cats(&st.seen, f[5]) || !sa_0(&st.seen))
		die_nomem();
	while ((s = next(&st.names, &pos))) {
		char *g[NAMESMAX + 1];
		size_t k, i;
		if (!sa_copys(&st.scratch, s) || !sa_0(&st.scratch))
			die_nomem();
		k = split(st.scratch.s, g, NAMESMAX + 1);
		if (!str_equal(g[0], f[0]))
			continue;
		if (k > NAMESMAX + 1)
			die_x(100, "users/mailnames: too many names for ", f[0], NULL);
		for (i = 1; i < k; ++i)
			if (*g[i]) {
				address(g[i], f[0], f[2], f[3], f[5], "", "");
				named = 1;
			}
	}
	if (!named)
		address(f[0], f[0], f[2], f[3], f[5], "", "");
}

/* passwd - every line of stdin */
static void passwd(void)
{
	char space[4096];
	buf in;
	sa line = SA_ZERO;
	size_t n = 0, k;
	unsigned int flags;
	char *f[7];
	int r;
	buf_init(&in, 0, space, sizeof space);
	for (;;) {
		line.len = 0;
		r = buf_getline(&in, &line, LINEMAX, '\n', &flags);
		if (r < 0)
			die_sys(111, "unable to read stdin", NULL);
		if (r == 0)
			break;
		++n;
		if (flags & BUF_OVERLONG)
			die_line("passwd", n, "line too long");
		if (!(flags & BUF_PARTIAL))
			--line.len;
		if (line.len && (line.s[0] == '+' || line.s[0] == '-'))
			continue; /* NIS compatibility entries name no account */
		if (byte_chr(line.s, line.len, 0) != line.len)
			die_line("passwd", n, "NUL byte");
		if (!sa_0(&line))
			die_nomem();
		k = split(line.s, f, 7);
		if (k != 7)
			die_line("passwd", n, k > 7 ? "more than 7 fields" : "fewer than 7 fields");
		user(f, n);
	}
	sa_free(&line);
}

/* seen - the four fields (name, uid, gid, home) of an accepted user, or 0 */
static const char *const *seen(const char *name)
{
	static const char *u[4];
	size_t at = 0, i;
	while (at < st.seen.len) {
		for (i = 0; i < 4; ++i) {
			u[i] = st.seen.s + at;
			at += strlen(u[i]) + 1;
		}
		if (str_equal(u[0], name))
			return u;
	}
	return 0;
}

/* subusers - the lines of users/subusers: "sub:user:pre:" */
static void subusers(void)
{
	size_t pos = 0, n = 0;
	char *s, *f[4];
	const char *const *u;
	while ((s = (char *)next(&st.subs, &pos))) {
		++n;
		if (!*s)
			continue;
		if (split(s, f, 4) != 4 || *f[3])
			die_line("users/subusers", n, "not sub:user:pre:");
		if (!*f[0] || !*f[1])
			die_line("users/subusers", n, "empty sub or user");
		u = seen(f[1]);
		if (!u) {
			warn_x("users/subusers: no such user (or skipped): ", f[1], NULL);
			continue;
		}
		address(f[0], u[0], u[1], u[2], u[3], st.dash, f[2]);
	}
}

/* options - parse the command line into st */
static void options(int argc, char **argv)
{
	int c;
	opterr = 0;
	while ((c = getopt(argc, argv, "/ohHuUCc:")) != -1) {
		switch (c) {
		case '/':
			st.dash = "-/";
			break;
		case 'o':
			st.home = HOME_SKIP;
			break;
		case 'h':
			st.home = HOME_DIE;
			break;
		case 'H':
			st.home = HOME_NONE;
			break;
		case 'u':
			st.upper = 1;
			break;
		case 'U':
			st.upper = 0;
			break;
		case 'C':
			st.ext = 0;
			break;
		case 'c':
			if (!optarg[0] || optarg[1] || optarg[0] == ':' || optarg[0] == '\n')
				usage();
			st.brk = optarg[0];
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
}

int main(int argc, char **argv)
{
	char space[4096];
	die_init("qmail-pw2u");
	st.ext = 1;
	st.brk = AUTO_BREAK;
	st.dash = "-";
	options(argc, argv);
	buf_init(&st.out, 1, space, sizeof space);
	st.include = readfile("include", &st.incl, 0);
	readfile("exclude", &st.excl, 0);
	readfile("mailnames", &st.names, 0);
	readfile("subusers", &st.subs, 0);
	readfile("append", &st.app, 1);
	passwd();
	if (!st.alias)
		die_x(100, "no alias account ", auto_usera, " in the passwd input", NULL);
	subusers();
	if (!buf_put(&st.out, st.app.s ? st.app.s : "", st.app.len))
		die_write();
	put(".\n");
	if (!buf_flush(&st.out))
		die_write();
	return 0;
}
