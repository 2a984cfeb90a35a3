/*
 * getpw.c - the account lookup of qmail-getpw (SPEC section 7), a function of its own
 * so that qmail-lspawn's lookup process (lookup.c, as qmailp:nofiles) runs it for
 * every delivery without a fork or an exec.
 * Candidates are LOCAL itself and each part of it before a conf-break character,
 * longest first; a candidate shorter than 32 bytes is lower-cased and accepted if the
 * account exists, is not uid 0, and its home directory exists and belongs to it.
 * Without a match the mail goes to the alias user with ext = LOCAL. Result: six
 * NUL-terminated fields; a failure is a qlx.h code with the reason as text.
 */
#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auto.h"
#include "error.h"
#include "fmt.h"
#include "getpw.h"
#include "qlx.h"
#include "str.h"

#define NAMEMAX 32 /* candidates must be shorter than this */

/* why - out becomes the reason for code: s1 s2, and the error of errno if sys */
static int why(sa *out, int code, const char *s1, const char *s2, int sys)
{
	const char *e = sys ? error_str(errno) : 0;
	out->len = 0;
	if (code == QLX_NOMEM || !sa_cats(out, s1) || !sa_cats(out, s2) ||
	    (e && (!sa_cats(out, ": ") || !sa_cats(out, e))) || !sa_0(out)) {
		out->len = 0;
		if (!sa_cats(out, "out of memory") || !sa_0(out))
			out->len = 0;
		return QLX_NOMEM;
	}
	return code;
}

/* lookup - getpwnam, telling a missing account (*pw 0) from a failed lookup (a
 * code) */
static int lookup(const char *name, struct passwd **pw, sa *out)
{
	errno = 0;
	*pw = getpwnam(name);
	if (*pw)
		return 0;
	if (errno == ENOMEM)
		return why(out, QLX_NOMEM, "", "", 0);
	if (error_temp(errno))
		return why(out, QLX_SYS, "unable to look up user ", name, 1);
	return 0; /* 0, ENOENT, ESRCH, EBADF, EPERM: no such user */
}

/* candidate - the account for local[0..n) lower-cased into *pw, if it may receive
 * mail (else *pw 0); 0 or a code */
static int candidate(const char *local, size_t n, struct passwd **pw, sa *out)
{
	char name[NAMEMAX];
	struct stat st;
	int code;
	*pw = 0;
	if (n == 0 || n >= NAMEMAX)
		return 0;
	memcpy(name, local, n);
	name[n] = 0;
	case_lowerb(name, n);
	code = lookup(name, pw, out);
	if (code || !*pw)
		return code;
	if ((*pw)->pw_uid == 0) {
		*pw = 0;
		return 0;
	}
	if (stat((*pw)->pw_dir, &st) != 0) {
		*pw = 0;
		if (error_temp(errno))
			return why(out, QLX_NFS, "unable to stat home directory of ", name, 1);
		return 0;
	}
	if (st.st_uid != (*pw)->pw_uid)
		*pw = 0;
	return 0;
}

/* fields - the six fields into out; home is pw's home unless given */
static int fields(sa *out, const struct passwd *pw, const char *home, const char *dash,
		  const char *ext)
{
	out->len = 0;
	if (!sa_cats(out, pw->pw_name) || !sa_catc(out, 0) || !sa_catu(out, pw->pw_uid) ||
	    !sa_catc(out, 0) || !sa_catu(out, pw->pw_gid) || !sa_catc(out, 0) ||
	    !sa_cats(out, home ? home : pw->pw_dir) || !sa_catc(out, 0) || !sa_cats(out, dash) ||
	    !sa_catc(out, 0) || !sa_cats(out, ext) || !sa_catc(out, 0))
		return why(out, QLX_NOMEM, "", "", 0);
	return 0;
}

/* getpw_find - the six fields for local into out: LOCAL, then its parts before each
 * break character, then the alias; 0, or a qlx.h code with the reason in out (a C
 * string) */
int getpw_find(const char *local, sa *out)
{
	sa home = SA_ZERO;
	size_t n = strlen(local), i;
	struct passwd *pw;
	int code = candidate(local, n, &pw, out);
	if (code || pw)
		return code ? code : fields(out, pw, 0, "", "");
	for (i = n; i > 0; --i)
		if (local[i - 1] == AUTO_BREAK) {
			code = candidate(local, i - 1, &pw, out);
			if (code || pw)
				return code ? code : fields(out, pw, 0, "-", local + i);
		}
	code = lookup(auto_usera, &pw, out);
	if (code)
		return code;
	if (!pw)
		return why(out, QLX_NOALIAS, "no alias user ", auto_usera, 0);
	/* the alias home is QMAILHOME/alias as installed, whatever passwd says, so
	 * that every installation (and a private test install) has its own aliases */
	if (!sa_cats(&home, auto_qmail) || !sa_cats(&home, "/alias") || !sa_0(&home))
		code = why(out, QLX_NOMEM, "", "", 0);
	else
		code = fields(out, pw, home.s, "-", local);
	sa_free(&home);
	return code;
}
