/* priv.c - tests for dropping root and for a user's group list. These need root (the
   test machines and CI run them as root); each drop happens in a child process that
   reports what it saw as bits of its exit code, one bit per check. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "priv.h"

#define NOBODY 65534

enum {
	C_RET = 1,     /* priv_drop returned 1 */
	C_UID = 2,     /* real and effective uid are the target */
	C_GID = 4,     /* real and effective gid are the target */
	C_GROUPS = 8,  /* supplementary groups are exactly the ones asked for */
	C_SETUID = 16, /* setuid(0) and seteuid(0) fail with EPERM */
	C_SETGID = 32, /* setgid(0) fails with EPERM */
	C_FILE = 64,   /* a root-only directory is now out of reach */
	C_AGAIN = 128, /* a second priv_drop (no longer root) fails with EPERM */
};

static char secret[128]; /* a file in the root-only t_tmpdir */

/* is_root - these tests need root; say so clearly when it is missing */
static int is_root(void)
{
	if (geteuid() == 0)
		return 1;
	printf("  priv tests must run as root (they drop to uid %d)\n", NOBODY);
	T_OK(!"running as root");
	return 0;
}

/* drop_child - in a child: drop to NOBODY with the given groups and check the result;
   returns the bits of the checks that failed (0: all held), or 255 on a crash */
static int drop_child(const gid_t *groups, size_t n)
{
	pid_t pid;
	int st;
	fflush(stdout);
	pid = fork();
	if (pid == -1)
		return 255;
	if (pid == 0) {
		int bad = 0, fd;
		gid_t got[64];
		int k, i;
		size_t j;
		if (!priv_drop(NOBODY, NOBODY, groups, n))
			_exit(C_RET);
		if (getuid() != NOBODY || geteuid() != NOBODY)
			bad |= C_UID;
		if (getgid() != NOBODY || getegid() != NOBODY)
			bad |= C_GID;
		k = getgroups(64, got);
		if (n == 0) {
			if (k != 1 || got[0] != NOBODY) /* just the group */
				bad |= C_GROUPS;
		} else {
			if (k < 0 || (size_t)k != n)
				bad |= C_GROUPS;
			for (j = 0; j < n && k > 0; ++j) {
				for (i = 0; i < k && got[i] != groups[j]; ++i)
					;
				if (i == k)
					bad |= C_GROUPS;
			}
		}
		errno = 0;
		if (setuid(0) != -1 || errno != EPERM || seteuid(0) != -1)
			bad |= C_SETUID;
		errno = 0;
		if (setgid(0) != -1 || errno != EPERM)
			bad |= C_SETGID;
		errno = 0;
		fd = open(secret, O_RDONLY);
		if (fd != -1 || errno != EACCES)
			bad |= C_FILE;
		errno = 0;
		if (priv_drop(NOBODY - 1, NOBODY - 1, 0, 0) || errno != EPERM)
			bad |= C_AGAIN;
		_exit(bad);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return 255;
	return WEXITSTATUS(st);
}

/* check_bits - one assertion per check, so a failure names what went wrong */
static void check_bits(int bits)
{
	if (bits == 255) {
		T_OK(!"child exited normally");
		return;
	}
	T_EQ_U(bits & C_RET, 0);
	T_EQ_U(bits & C_UID, 0);
	T_EQ_U(bits & C_GID, 0);
	T_EQ_U(bits & C_GROUPS, 0);
	T_EQ_U(bits & C_SETUID, 0);
	T_EQ_U(bits & C_SETGID, 0);
	T_EQ_U(bits & C_FILE, 0);
	T_EQ_U(bits & C_AGAIN, 0);
}

/* make_secret - a file the dropped child must not be able to open */
static int make_secret(void)
{
	int fd;
	snprintf(secret, sizeof secret, "%s/secret", t_tmpdir());
	fd = open(secret, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1)
		return 0;
	close(fd);
	return 1;
}

static void t_drop_nogroups(void)
{
	if (!is_root())
		return;
	T_OK(make_secret());
	T_OK(access(secret, R_OK) == 0); /* root can, before the drop */
	check_bits(drop_child(0, 0));
}

static void t_drop_groups(void)
{
	static const gid_t g[] = {NOBODY, 100, 12345};
	if (!is_root())
		return;
	T_OK(make_secret());
	check_bits(drop_child(g, 3));
	check_bits(drop_child(g + 1, 1)); /* the group need not be among the groups */
}

/* refusals happen before anything changes, so these run in the test process and
   check it is still root afterwards */
static void t_refuse(void)
{
	static const gid_t g[] = {NOBODY};
	int ngroups;
	if (!is_root())
		return;
	ngroups = getgroups(0, 0);
	errno = 0;
	T_OK(!priv_drop(0, 0, 0, 0));
	T_EQ_U(errno, EPERM);
	errno = 0;
	T_OK(!priv_drop(0, NOBODY, g, 1));
	T_EQ_U(errno, EPERM);
	errno = 0;
	T_OK(!priv_drop((uid_t)-1, NOBODY, 0, 0));
	T_EQ_U(errno, EINVAL);
	errno = 0;
	T_OK(!priv_drop(NOBODY, (gid_t)-1, 0, 0));
	T_EQ_U(errno, EINVAL);
	errno = 0;
	T_OK(!priv_drop(NOBODY, NOBODY, 0, 3));
	T_EQ_U(errno, EINVAL);
	errno = 0;
	T_OK(!priv_drop(NOBODY, NOBODY, g, SIZE_MAX));
	T_EQ_U(errno, EINVAL);
	T_EQ_U(getuid(), 0);
	T_EQ_U(geteuid(), 0);
	T_EQ_U(getegid(), 0);
	T_EQ_U(getgroups(0, 0), ngroups);
}

/* in_list - g is among the n groups at l */
static int in_list(gid_t g, const gid_t *l, size_t n)
{
	size_t i;
	for (i = 0; i < n; ++i)
		if (l[i] == g)
			return 1;
	return 0;
}

/* t_groups - priv_groups agrees with a walk of the group database */
static void t_groups(void)
{
	gid_t g[256];
	size_t n = 0, want = 1, i;
	struct group *gr;
	int all = 1;
	T_OK(priv_groups("root", 0, g, 256, &n));
	T_OK(n >= 1);
	T_OK(in_list(0, g, n));
	setgrent();
	while ((gr = getgrent()) != 0) {
		char **m;
		if (gr->gr_gid == 0)
			continue;
		for (m = gr->gr_mem; *m; ++m)
			if (strcmp(*m, "root") == 0)
				break;
		if (*m) {
			++want;
			all &= in_list(gr->gr_gid, g, n);
		}
	}
	endgrent();
	T_OK(all);
	T_EQ_U(n, want);
	/* the group given is always in, even for a user the database does not know */
	T_OK(priv_groups("no-such-user-hnet", 4242, g, 256, &n));
	T_EQ_U(n, 1);
	T_EQ_U(g[0], 4242);
	T_OK(priv_groups("nobody", NOBODY, g, 256, &n));
	T_OK(in_list(NOBODY, g, n));
	/* the bound holds */
	errno = 0;
	T_OK(!priv_groups("root", 0, g, 0, &n));
	T_EQ_U(errno, ERANGE);
	errno = 0;
	T_OK(!priv_groups("no-such-user-hnet", 4242, 0, 0, &n));
	T_EQ_U(errno, ERANGE);
	T_OK(priv_groups("root", 0, g, 256, &n));
	if (n >= 2) {
		size_t m = 0;
		errno = 0;
		T_OK(!priv_groups("root", 0, g, n - 1, &m));
		T_EQ_U(errno, ERANGE);
		T_EQ_U(m, 0);
	}
	T_OK(priv_groups("root", 0, g, SIZE_MAX, &n));
	for (i = 0; i < n; ++i)
		T_OK(g[i] != (gid_t)-1);
}

const t_case t_cases[] = {
	T_CASE(t_drop_nogroups), T_CASE(t_drop_groups), T_CASE(t_refuse), T_CASE(t_groups), T_END,
};
