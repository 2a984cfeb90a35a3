/*
 * getpw.c - the account lookup of qmail-getpw (SPEC section 7), a function of its own
 * so that qmail-lspawn can run it in a child (as qmailp:nofiles) without an exec.
 * Candidates are LOCAL itself and each part of it before a conf-break character,
 * longest first; a candidate shorter than 32 bytes is lower-cased and accepted if the
 * account exists, is not uid 0, and its home directory exists and belongs to it.
 * Without a match the mail goes to the alias user with ext = LOCAL. Output: six
 * NUL-terminated fields on fd 1. Failures exit with a qlx.h code (die_x, die_sys).
 */
#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auto.h"
#include "buf.h"
#include "die.h"
#include "error.h"
#include "fmt.h"
#include "getpw.h"
#include "qlx.h"
#include "sa.h"
#include "str.h"

#define NAMEMAX 32 /* candidates must be shorter than this */

/* lookup - getpwnam, telling a missing account (0) from a failed lookup (exit) */
static struct passwd *lookup(const char *name)
{
	struct passwd *pw;
	errno = 0;
	pw = getpwnam(name);
	if (pw)
		return pw;
	if (errno == ENOMEM)
		die_x(QLX_NOMEM, "out of memory", NULL);
	if (error_temp(errno))
		die_sys(QLX_SYS, "unable to look up user ", name, NULL);
	return 0; /* 0, ENOENT, ESRCH, EBADF, EPERM: no such user */
}

/* candidate - the account for local[0..n) lower-cased, if it may receive mail */
static struct passwd *candidate(const char *local, size_t n)
{
	char name[NAMEMAX];
	struct passwd *pw;
	struct stat st;
	if (n == 0 || n >= NAMEMAX)
		return 0;
	memcpy(name, local, n);
	name[n] = 0;
	case_lowerb(name, n);
	pw = lookup(name);
	if (!pw || pw->pw_uid == 0)
		return 0;
	if (stat(pw->pw_dir, &st) != 0) {
		if (error_temp(errno))
			die_sys(QLX_NFS, "unable to stat home directory of ", name, NULL);
		return 0;
	}
	return st.st_uid == pw->pw_uid ? pw : 0;
}

/* field - one NUL-terminated output field */
static void field(buf *b, const char *s)
{
	if (!buf_puts(b, s) || !buf_put(b, "", 1))
		die_sys(QLX_SYS, "unable to write output", NULL);
}

/* print - the six fields; home is pw's home unless given */
static void print(const struct passwd *pw, const char *home, const char *dash, const char *ext)
{
	char space[1024], n[FMT_U64];
	buf b;
	buf_init(&b, 1, space, sizeof space);
	field(&b, pw->pw_name);
	n[fmt_u64(n, pw->pw_uid)] = 0;
	field(&b, n);
	n[fmt_u64(n, pw->pw_gid)] = 0;
	field(&b, n);
	field(&b, home ? home : pw->pw_dir);
	field(&b, dash);
	field(&b, ext);
	if (!buf_flush(&b))
		die_sys(QLX_SYS, "unable to write output", NULL);
}

/* getpw_run - print the fields for local: LOCAL, then its parts before each break
 * character, then the alias; exits on failure */
void getpw_run(const char *local)
{
	sa home = SA_ZERO;
	size_t n = strlen(local), i;
	struct passwd *pw = candidate(local, n);
	if (pw) {
		print(pw, 0, "", "");
		return;
	}
	for (i = n; i > 0; --i)
		if (local[i - 1] == AUTO_BREAK && (pw = candidate(local, i - 1))) {
			print(pw, 0, "-", local + i);
			return;
		}
	pw = lookup(auto_usera);
	if (!pw)
		die_x(QLX_NOALIAS, "no alias user ", auto_usera, NULL);
	/* the alias home is QMAILHOME/alias as installed, whatever passwd says, so
	 * that every installation (and a private test install) has its own aliases */
	if (!sa_cats(&home, auto_qmail) || !sa_cats(&home, "/alias") || !sa_0(&home))
		die_x(QLX_NOMEM, "out of memory", NULL);
	print(pw, home.s, "-", local);
}
