/*
 * ids.c - account names to ids with getpwnam and getgrnam. Those functions report
 * "no such account" in several ways (a null result with errno 0, ENOENT, ESRCH, EBADF
 * or EPERM, depending on the C library and the name service); all of them become
 * ENOENT here, so callers can tell a missing account from a failed lookup.
 */
#include "ids.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>

#include "auto.h"

/* not_found - errno after a null lookup result: ENOENT for "no such account" */
static int not_found(int e)
{
	if (e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM)
		return ENOENT;
	return e;
}

/* ids_user - uid and primary gid of a user; 0 with errno ENOENT when there is none,
 * other errno values when the lookup failed (gid may be 0 when not wanted) */
int ids_user(const char *name, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;
	do {
		errno = 0;
		pw = getpwnam(name);
	} while (!pw && errno == EINTR);
	if (!pw) {
		errno = not_found(errno);
		return 0;
	}
	*uid = pw->pw_uid;
	if (gid)
		*gid = pw->pw_gid;
	return 1;
}

/* ids_group - gid of a group; 0 with errno ENOENT when there is none */
int ids_group(const char *name, gid_t *gid)
{
	struct group *gr;
	do {
		errno = 0;
		gr = getgrnam(name);
	} while (!gr && errno == EINTR);
	if (!gr) {
		errno = not_found(errno);
		return 0;
	}
	*gid = gr->gr_gid;
	return 1;
}

/* ids_get - the ids named by the IDS_ bits of want, into x (other fields untouched);
 * on failure 0 with errno (ENOENT: no such account) and *name the account's name */
int ids_get(ids *x, unsigned want, const char **name)
{
	const struct {
		unsigned bit;     /* IDS_ bit */
		const char *name; /* compiled-in account name */
		uid_t *uid;       /* where a user's uid goes; 0 for a group */
		gid_t *gid;       /* where a group's gid goes; 0 for a user */
	} accounts[] = {
		{IDS_ALIAS, auto_usera, &x->uida, 0},   {IDS_DAEMON, auto_userd, &x->uidd, 0},
		{IDS_LOG, auto_userl, &x->uidl, 0},     {IDS_OWNER, auto_usero, &x->uido, 0},
		{IDS_PASSWD, auto_userp, &x->uidp, 0},  {IDS_QUEUE, auto_userq, &x->uidq, 0},
		{IDS_REMOTE, auto_userr, &x->uidr, 0},  {IDS_SEND, auto_users, &x->uids, 0},
		{IDS_GROUPQ, auto_groupq, 0, &x->gidq}, {IDS_GROUPN, auto_groupn, 0, &x->gidn},
	};
	size_t i;
	for (i = 0; i < sizeof accounts / sizeof accounts[0]; ++i) {
		int ok;
		if (!(want & accounts[i].bit))
			continue;
		if (accounts[i].uid)
			ok = ids_user(accounts[i].name, accounts[i].uid, 0);
		else
			ok = ids_group(accounts[i].name, accounts[i].gid);
		if (!ok) {
			if (name)
				*name = accounts[i].name;
			return 0;
		}
	}
	return 1;
}
