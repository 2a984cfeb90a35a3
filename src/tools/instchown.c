/*
 * instchown - give every entry of the installed tree (hier.c) its owner, group and
 * mode. usage: instchown [-m] [DESTDIR]     (run as root, after instpackage; -m: the
 * mini-qmail tree)
 *
 * Owners and groups are names, looked up now; a missing account stops everything
 * before any change. Each entry is reached without following a symbolic link at any
 * step (hier_dirfd, O_NOFOLLOW) and changed through its open descriptor, and a file
 * with more than one link is refused, so a queue user who plants a link in a
 * directory it owns cannot turn root's chown onto another file.
 *
 * DIAGNOSTICS: 0 done; 100 usage; 111 any failure (named on stderr).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "die.h"
#include "fmt.h"
#include "hier.h"
#include "ids.h"
#include "sa.h"

static struct {
	int rootfd; /* DESTDIR + QMAILHOME */
} g = {-1};

/* lookup - the uid and gid for an item's names, or a fatal error naming the account */
static void lookup(const hier_item *it, uid_t *uid, gid_t *gid)
{
	if (!ids_user(it->user, uid, 0)) {
		if (errno == ENOENT)
			die_x(111, "no user ", it->user, " (owner of ", it->path,
			      "): run make setup, or see INSTALL", NULL);
		die_sys(111, "unable to look up user ", it->user, NULL);
	}
	if (!ids_group(it->group, gid)) {
		if (errno == ENOENT)
			die_x(111, "no group ", it->group, " (group of ", it->path,
			      "): run make setup, or see INSTALL", NULL);
		die_sys(111, "unable to look up group ", it->group, NULL);
	}
}

/* check_names - pass one: every owner and group exists, before anything changes */
static int check_names(const hier_item *it, void *arg)
{
	uid_t uid;
	gid_t gid;
	(void)arg;
	lookup(it, &uid, &gid);
	return 1;
}

/* type_ok - whether st is what the item should be */
static int type_ok(const hier_item *it, const struct stat *st)
{
	switch (it->type) {
	case HIER_DIR:
		return S_ISDIR(st->st_mode);
	case HIER_FIFO:
		return S_ISFIFO(st->st_mode);
	case HIER_ZERO:
	case HIER_FILE:
		return S_ISREG(st->st_mode);
	default:
		return 0;
	}
}

/* set_owner - pass two: open without following links, check, chown, then chmod
 * (chown clears setuid, so the mode comes last) */
static int set_owner(const hier_item *it, void *arg)
{
	const char *name;
	struct stat st;
	uid_t uid;
	gid_t gid;
	int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	int pfd;
	int fd;
	(void)arg;
	lookup(it, &uid, &gid);
	pfd = hier_dirfd(g.rootfd, it->rel, &name);
	if (pfd < 0)
		die_sys(111, "unable to open the directory of ", it->path,
			errno == ELOOP || errno == ENOTDIR ? " (a symbolic link?)" : "", NULL);
	if (it->type == HIER_DIR)
		flags |= O_DIRECTORY;
	fd = openat(pfd, name, flags);
	if (fd < 0 && errno == ELOOP)
		die_x(111, it->path, " is a symbolic link; refusing to follow it", NULL);
	if (fd < 0 && errno == ENOENT)
		die_x(111, it->path, " is missing (run instpackage first)", NULL);
	if (fd < 0)
		die_sys(111, "unable to open ", it->path, NULL);
	if (fstat(fd, &st) < 0)
		die_sys(111, "unable to stat ", it->path, NULL);
	if (!type_ok(it, &st))
		die_x(111, it->path, " is of the wrong type (run instpackage, or see instcheck)",
		      NULL);
	if (!S_ISDIR(st.st_mode) && st.st_nlink != 1) {
		char n[FMT_U64];
		n[fmt_u64(n, st.st_nlink)] = 0;
		die_x(111, "refusing to change ", it->path, ": it has ", n, " links", NULL);
	}
	if (fchown(fd, uid, gid) < 0)
		die_sys(111, "unable to change the owner of ", it->path, NULL);
	if (fchmod(fd, it->mode) < 0)
		die_sys(111, "unable to set the mode of ", it->path, NULL);
	close(fd);
	close(pfd);
	return 1;
}

int main(int argc, char **argv)
{
	hier_where where = {0, ".", 0};
	const hier_entry *table = hier;
	sa root = SA_ZERO;
	die_init(argv[0]);
	if (argc > 1 && !strcmp(argv[1], "-m")) { /* the mini-qmail tree */
		table = hier_mini;
		--argc;
		++argv;
	}
	if (argc > 2)
		die_x(100, "usage: instchown [-m] [DESTDIR]", NULL);
	where.destdir = argc > 1 ? argv[1] : "";
	if (!hier_root(&root, where.destdir))
		die_x(111, "out of memory", NULL);
	g.rootfd = open(root.s, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (g.rootfd < 0)
		die_sys(111, "unable to open ", root.s, " (run instpackage first)", NULL);
	if (!hier_walk(table, &where, check_names, 0) || !hier_walk(table, &where, set_owner, 0))
		die_sys(111, "unable to list the man pages in man/", NULL);
	sa_free(&root);
	return 0;
}
