/*
 * priv.c - dropping root. The order matters: supplementary groups and the group can
 * only be changed while still root, so setuid comes last. Each step is checked, and
 * then the result is verified from the outside (ids, group list, and that setuid(0)
 * and setgid(0) now fail), because a partial drop that reports success is the one
 * outcome a caller cannot detect by itself.
 */
#include "priv.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <unistd.h>

#include "alloc.h"

/* member - g is one of the n groups at list */
static int member(gid_t g, const gid_t *list, size_t n)
{
	size_t i;
	for (i = 0; i < n; ++i)
		if (list[i] == g)
			return 1;
	return 0;
}

/* groups_are - the process's supplementary groups are exactly the n at want */
static int groups_are(const gid_t *want, size_t n)
{
	gid_t *got;
	int have, i, ok = 1;
	have = getgroups(0, 0);
	if (have < 0)
		return 0;
	if ((size_t)have != n)
		return 0;
	got = alloc_array((size_t)have + 1, sizeof *got);
	if (!got)
		return 0;
	if (getgroups(have, got) != have)
		ok = 0;
	for (i = 0; ok && i < have; ++i)
		if (!member(got[i], want, n))
			ok = 0;
	alloc_free(got);
	return ok;
}

/* priv_drop - become uid:gid with exactly the given supplementary groups (just gid
   when ngroups is 0), for good; 1, or 0 with errno. uid 0 is refused (EPERM): no
   caller means to "drop" to root, and a 0 from a failed lookup must not pass */
int priv_drop(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups)
{
	/* up to _POSIX_NGROUPS_MAX groups fit everywhere; glibc reads /proc to say more */
	long max = ngroups > _POSIX_NGROUPS_MAX ? sysconf(_SC_NGROUPS_MAX) : _POSIX_NGROUPS_MAX;
	if (uid == 0) {
		errno = EPERM;
		return 0;
	}
	if (uid == (uid_t)-1 || gid == (gid_t)-1 || (ngroups && !groups) ||
	    (max > 0 && ngroups > (size_t)max)) {
		errno = EINVAL;
		return 0;
	}
	if (!ngroups) {
		groups = &gid;
		ngroups = 1;
	}
	if (setgroups(ngroups, groups) == -1 || setgid(gid) == -1 || setuid(uid) == -1)
		return 0;
	if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid ||
	    !groups_are(groups, ngroups))
		goto undone;
	/* the saved ids must have changed too: there is no way back */
	if (setuid(0) != -1 || seteuid(0) != -1)
		goto undone;
	if (gid != 0 && (setgid(0) != -1 || setegid(0) != -1))
		goto undone;
	return 1;
undone:
	errno = EPERM;
	return 0;
}

/* priv_groups - all groups of user (gid, its primary group, included) from the group
   database, at most max of them; 1 with *n set, or 0 with errno (ERANGE: more than
   max). Call it before dropping root: it reads /etc/group or NSS */
int priv_groups(const char *user, gid_t gid, gid_t *groups, size_t max, size_t *n)
{
	int lim = max > INT_MAX ? INT_MAX : (int)max;
	int cnt = lim;
	if (!max) {
		errno = ERANGE;
		return 0;
	}
	errno = 0;
	if (getgrouplist(user, gid, groups, &cnt) == -1) {
		if (cnt > lim || !errno)
			errno = cnt > lim ? ERANGE : ENOMEM;
		return 0;
	}
	if (cnt < 1 || cnt > lim) { /* getgrouplist broke its own contract */
		errno = EINVAL;
		return 0;
	}
	*n = (size_t)cnt;
	return 1;
}
