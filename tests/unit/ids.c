/* ids.c - tests for looking up account ids by name */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>

#include "auto.h"
#include "harness.h"
#include "ids.h"

#define NOBODY_HERE "no-such-account-hinst"

static void t_user(void)
{
	uid_t uid = 77;
	gid_t gid = 77;
	T_OK(ids_user("root", &uid, &gid));
	T_EQ_U(uid, 0);
	T_EQ_U(gid, 0);
	uid = 77;
	T_OK(ids_user("root", &uid, 0));
	T_EQ_U(uid, 0);
	uid = 77;
	gid = 77;
	errno = 0;
	T_OK(!ids_user(NOBODY_HERE, &uid, &gid));
	T_EQ_U(errno, ENOENT);
	T_EQ_U(uid, 77);
	T_EQ_U(gid, 77);
	errno = 0;
	T_OK(!ids_user("", &uid, &gid));
	T_EQ_U(errno, ENOENT);
}

static void t_group(void)
{
	gid_t gid = 77;
	T_OK(ids_group("root", &gid));
	T_EQ_U(gid, 0);
	gid = 77;
	errno = 0;
	T_OK(!ids_group(NOBODY_HERE, &gid));
	T_EQ_U(errno, ENOENT);
	T_EQ_U(gid, 77);
}

/* fill - every field set to a value no lookup gives here */
static void fill(ids *x)
{
	x->uida = x->uidd = x->uidl = x->uido = x->uidp = 4242;
	x->uidq = x->uidr = x->uids = 4242;
	x->gidq = x->gidn = 4242;
}

static void t_get_none(void)
{
	ids x;
	const char *name = "untouched";
	fill(&x);
	T_OK(ids_get(&x, 0, &name));
	T_EQ_S(name, "untouched");
	T_EQ_U(x.uida, 4242);
	T_EQ_U(x.gidn, 4242);
}

static void t_get_owner(void)
{
	ids x;
	struct passwd *pw = getpwnam(auto_usero);
	const char *name = 0;
	fill(&x);
	if (pw) {
		uid_t want = pw->pw_uid;
		T_OK(ids_get(&x, IDS_OWNER, &name));
		T_EQ_U(x.uido, want);
		T_EQ_U(x.uida, 4242); /* not asked for: untouched */
		T_EQ_U(x.uidq, 4242);
		T_EQ_U(x.gidq, 4242);
	} else {
		T_OK(!ids_get(&x, IDS_OWNER, &name));
		T_EQ_S(name, auto_usero);
	}
}

static void t_get_all(void)
{
	static const struct {
		unsigned bit;     /* IDS_ bit */
		const char *name; /* its account */
		int group;        /* a group? */
	} order[] = {
		{IDS_ALIAS, auto_usera, 0},   {IDS_DAEMON, auto_userd, 0},
		{IDS_LOG, auto_userl, 0},     {IDS_OWNER, auto_usero, 0},
		{IDS_PASSWD, auto_userp, 0},  {IDS_QUEUE, auto_userq, 0},
		{IDS_REMOTE, auto_userr, 0},  {IDS_SEND, auto_users, 0},
		{IDS_GROUPQ, auto_groupq, 1}, {IDS_GROUPN, auto_groupn, 1},
	};
	const char *missing = 0;
	const char *name = 0;
	unsigned all = 0;
	size_t i;
	ids x;
	for (i = 0; i < sizeof order / sizeof order[0]; ++i) {
		int there = order[i].group ? getgrnam(order[i].name) != 0
					   : getpwnam(order[i].name) != 0;
		all |= order[i].bit;
		if (!there && !missing)
			missing = order[i].name;
	}
	T_EQ_U(all, IDS_ALL);
	fill(&x);
	errno = 0;
	if (missing) {
		T_OK(!ids_get(&x, IDS_ALL, &name));
		T_EQ_U(errno, ENOENT);
		T_EQ_S(name, missing);
	} else {
		T_OK(ids_get(&x, IDS_ALL, &name));
		T_EQ_U(x.uidq, getpwnam(auto_userq)->pw_uid);
		T_EQ_U(x.uids, getpwnam(auto_users)->pw_uid);
		T_EQ_U(x.uida, getpwnam(auto_usera)->pw_uid);
		T_EQ_U(x.gidq, getgrnam(auto_groupq)->gr_gid);
		T_EQ_U(x.gidn, getgrnam(auto_groupn)->gr_gid);
		T_OK(x.gidq != x.gidn);
	}
	/* a null name pointer is allowed */
	T_OK(ids_get(&x, IDS_ALL, 0) == !missing);
}

const t_case t_cases[] = {
	T_CASE(t_user),      T_CASE(t_group),   T_CASE(t_get_none),
	T_CASE(t_get_owner), T_CASE(t_get_all), T_END,
};
