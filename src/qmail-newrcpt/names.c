/*
 * names.c - local parts from the .qmail files of one home directory.
 *
 * qmail-local, given a home, a dash and an extension E, reads .qmail<dash>E, else
 * (dash not empty) .qmail<dash>Pdefault for each prefix P of E that is empty or ends
 * in '-', longest first; in file names E is in lower case with '.' written as ':'.
 * A mailbox whose local part is L0 R reaches that home with E = BASE R (L0 and BASE
 * fixed by how it was found: "user-" and "" for a passwd user, the prefix and the
 * ext of a users/assign '+' line, "" and "" for the alias user). So:
 *   .qmail<dash>BASE R             accepts L0 R exactly
 *   .qmail<dash>P default, P<=BASE accepts every L0 R: the prefix L0
 *   .qmail<dash>BASE S default     accepts the prefix L0 S
 * Names qmail-local can never look up (upper case, '.') are skipped. Only directory
 * entries are examined; no file is opened or written.
 */
#include "names.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "auto.h"
#include "die.h"
#include "str.h"

#define DEFAULT "default"
#define DEFLEN  7

/* names_prefix - accept every local part beginning with a b; a prefix not ending in
 * the break character cannot be written as a record, so it widens to everything */
int names_prefix(rset *ns, const char *a, size_t alen, const char *b, size_t blen)
{
	char last = blen ? b[blen - 1] : alen ? a[alen - 1] : 0;
	if ((alen || blen) && last != AUTO_BREAK) {
		sa w = SA_ZERO;
		if (!sa_catb(&w, a, alen) || !sa_catb(&w, b, blen) || !sa_0(&w))
			return 0;
		warn_x("warning: prefix ", w.s, " does not end in the break character: ",
		       "every address in its domains is accepted", NULL);
		sa_free(&w);
		return rset_add(ns, "", 0, 1);
	}
	return rset_add2(ns, a, alen, b, blen, 1);
}

/* unsafe - map a file-name extension back to the address form (':' to '.') in s */
static void unsafe(char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; ++i)
		if (s[i] == ':')
			s[i] = '.';
}

/* usable - whether qmail-local could ever look up the extension x[0..n) */
static int usable(const char *x, size_t n)
{
	size_t i;
	for (i = 0; i < n; ++i)
		if (x[i] == '.' || (x[i] >= 'A' && x[i] <= 'Z'))
			return 0;
	return 1;
}

/* present - whether name in directory fd is a file qmail-local may read: 1, 0 */
static int present(int fd, const char *name)
{
	struct stat st;
	if (fstatat(fd, name, &st, 0) == 0)
		return S_ISREG(st.st_mode);
	/* a file qmail-local could not read now makes it defer, not bounce: count it */
	return errno != ENOENT && errno != ENOTDIR && errno != ELOOP;
}

/* entry - record what the file name x[0..n) (after ".qmail" dash) accepts */
static int entry(rset *ns, const char *l0, size_t l0len, const char *base, size_t blen, char *x,
		 size_t n)
{
	if (n >= DEFLEN && !memcmp(x + n - DEFLEN, DEFAULT, DEFLEN) &&
	    (n == DEFLEN || x[n - DEFLEN - 1] == '-')) {
		size_t p = n - DEFLEN; /* x[0..p) is the P of Pdefault */
		if (p <= blen && !memcmp(x, base, p))
			return names_prefix(ns, l0, l0len, "", 0);
		if (p > blen && !memcmp(x, base, blen)) {
			unsafe(x + blen, p - blen);
			return names_prefix(ns, l0, l0len, x + blen, p - blen);
		}
		return 1; /* for other extensions: fall through to the exact name */
	}
	if (n < blen || memcmp(x, base, blen) != 0 || l0len + (n - blen) == 0)
		return 1;
	unsafe(x + blen, n - blen);
	return rset_add2(ns, l0, l0len, x + blen, n - blen, 0);
}

/* names_home - add what the .qmail<dash>* files in dir accept (see above); 1 done
 * (a missing directory holds nothing), 0 error with errno set */
int names_home(rset *ns, const char *dir, const char *l0, size_t l0len, const char *dash,
	       const char *base)
{
	sa safe = SA_ZERO, name = SA_ZERO, pre = SA_ZERO;
	size_t blen = strlen(base), i;
	struct dirent *d;
	int ok = 0, e;
	DIR *dp;
	if (!sa_copys(&safe, base) || !sa_copys(&pre, ".qmail") || !sa_cats(&pre, dash))
		goto done;
	case_lowerb(safe.s, blen);
	for (i = 0; i < blen; ++i)
		if (safe.s[i] == '.')
			safe.s[i] = ':';
	dp = opendir(dir);
	if (!dp) {
		ok = errno == ENOENT || errno == ENOTDIR;
		goto done;
	}
	for (;;) {
		size_t n;
		errno = 0;
		d = readdir(dp);
		if (!d) {
			ok = errno == 0;
			break;
		}
		n = strlen(d->d_name);
		if (n < pre.len || memcmp(d->d_name, pre.s, pre.len) != 0 ||
		    !usable(d->d_name + pre.len, n - pre.len) || !present(dirfd(dp), d->d_name))
			continue;
		if (!sa_copyb(&name, d->d_name + pre.len, n - pre.len) ||
		    !entry(ns, l0, l0len, safe.s ? safe.s : "", blen, name.s ? name.s : "",
			   name.len))
			break;
	}
	e = errno;
	closedir(dp);
	errno = e;
done:
	e = errno;
	sa_free(&safe);
	sa_free(&name);
	sa_free(&pre);
	errno = e;
	return ok;
}
