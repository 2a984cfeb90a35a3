/*
 * instcheck - verify the installed tree (hier.c) under DESTDIR + QMAILHOME.
 * usage: instcheck [-m] [DESTDIR]     (run from the top of the source tree; -m: the
 * mini-qmail tree)
 *
 * Looks at every entry without following symbolic links and prints one line on
 * stdout per problem, naming the path and what is wrong: missing, wrong type, owner,
 * group, mode, size (tcpto), or for documents and man pages contents that differ
 * from the source tree.
 *
 * DIAGNOSTICS: 0 everything is right; 100 usage; 111 any problem, or a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "die.h"
#include "error.h"
#include "fmt.h"
#include "hier.h"
#include "ids.h"
#include "sa.h"

static struct {
	int rootfd;    /* DESTDIR + QMAILHOME */
	uint64_t bad;  /* problems found */
	char a[65536]; /* contents compared: installed */
	char b[65536]; /*   and source */
} g = {-1, 0, {0}, {0}};

/* problem - print "instcheck: PATH: what" and count it */
static void problem(const hier_item *it, const char *what, const char *more)
{
	msg_put(1, die_prog(), ": ", it->path, ": ", what, more, NULL);
	g.bad++;
}

/* fmt_mode - a mode as "0755" */
static const char *fmt_mode(char *s, unsigned mode)
{
	s[0] = '0';
	s[1 + fmt_u64o(s + 1, mode)] = 0;
	return s;
}

/* type_name - what kind of file a mode says */
static const char *type_name(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISREG(m))
		return "a regular file";
	if (S_ISFIFO(m))
		return "a named pipe";
	if (S_ISLNK(m))
		return "a symbolic link";
	return "a special file";
}

/* want_type - the type an item should have */
static const char *want_type(const hier_item *it)
{
	switch (it->type) {
	case HIER_DIR:
		return "a directory";
	case HIER_FIFO:
		return "a named pipe";
	default:
		return "a regular file";
	}
}

/* user_name - the name of a uid, or its number */
static const char *user_name(char *s, uid_t uid)
{
	struct passwd *pw = getpwuid(uid);
	if (pw && strlen(pw->pw_name) < FMT_U64 * 2)
		return strcpy(s, pw->pw_name);
	s[fmt_u64(s, uid)] = 0;
	return s;
}

/* group_name - the name of a gid, or its number */
static const char *group_name(char *s, gid_t gid)
{
	struct group *gr = getgrgid(gid);
	if (gr && strlen(gr->gr_name) < FMT_U64 * 2)
		return strcpy(s, gr->gr_name);
	s[fmt_u64(s, gid)] = 0;
	return s;
}

/* read_full - fill up to n bytes; the count read (short only at the end), or -1 */
static ssize_t read_full(int fd, char *s, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, s + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* same_contents - compare the installed file (fd) with its source */
static void same_contents(const hier_item *it, int pfd, const char *name)
{
	int a = openat(pfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	int b = open(it->src, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (a < 0 || b < 0) {
		problem(it, "cannot compare with ", it->src);
	} else {
		for (;;) {
			ssize_t ra = read_full(a, g.a, sizeof g.a);
			ssize_t rb = read_full(b, g.b, sizeof g.b);
			if (ra < 0 || rb < 0) {
				problem(it, "cannot compare with ", it->src);
				break;
			}
			if (ra != rb || memcmp(g.a, g.b, (size_t)ra) != 0) {
				problem(it, "contents differ from ", it->src);
				break;
			}
			if (ra == 0)
				break;
		}
	}
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
}

/* check - one item: present, right type, owner, group, mode, size and contents */
static int check(const hier_item *it, void *arg)
{
	char have[FMT_U64 * 2];
	char want[FMT_U64 * 2];
	const char *name;
	struct stat st;
	uid_t uid;
	gid_t gid;
	int pfd;
	(void)arg;
	if (!ids_user(it->user, &uid, 0)) {
		if (errno == ENOENT)
			die_x(111, "no user ", it->user, " (owner of ", it->path, ")", NULL);
		die_sys(111, "unable to look up user ", it->user, NULL);
	}
	if (!ids_group(it->group, &gid)) {
		if (errno == ENOENT)
			die_x(111, "no group ", it->group, " (group of ", it->path, ")", NULL);
		die_sys(111, "unable to look up group ", it->group, NULL);
	}
	pfd = hier_dirfd(g.rootfd, it->rel, &name);
	if (pfd < 0) {
		problem(it, errno == ENOENT ? "missing" : "cannot check: ",
			errno == ENOENT ? "" : error_str(errno));
		return 1;
	}
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		problem(it, errno == ENOENT ? "missing" : "cannot check: ",
			errno == ENOENT ? "" : error_str(errno));
		close(pfd);
		return 1;
	}
	if ((it->type == HIER_DIR && !S_ISDIR(st.st_mode)) ||
	    (it->type == HIER_FIFO && !S_ISFIFO(st.st_mode)) ||
	    ((it->type == HIER_ZERO || it->type == HIER_FILE) && !S_ISREG(st.st_mode))) {
		msg_put(1, die_prog(), ": ", it->path, ": wrong type: ", type_name(st.st_mode),
			" should be ", want_type(it), NULL);
		g.bad++;
		close(pfd);
		return 1;
	}
	if (st.st_uid != uid) {
		msg_put(1, die_prog(), ": ", it->path, ": owner ", user_name(have, st.st_uid),
			" should be ", it->user, NULL);
		g.bad++;
	}
	if (st.st_gid != gid) {
		msg_put(1, die_prog(), ": ", it->path, ": group ", group_name(have, st.st_gid),
			" should be ", it->group, NULL);
		g.bad++;
	}
	if ((st.st_mode & 07777) != it->mode) {
		msg_put(1, die_prog(), ": ", it->path, ": mode ",
			fmt_mode(have, st.st_mode & 07777), " should be ", fmt_mode(want, it->mode),
			NULL);
		g.bad++;
	}
	if (it->type == HIER_ZERO && it->size && (uint64_t)st.st_size != it->size) {
		have[fmt_u64(have, (uint64_t)st.st_size)] = 0;
		want[fmt_u64(want, it->size)] = 0;
		msg_put(1, die_prog(), ": ", it->path, ": size ", have, " should be ", want, NULL);
		g.bad++;
	}
	if (it->type == HIER_FILE && it->src)
		same_contents(it, pfd, name);
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
		die_x(100, "usage: instcheck [-m] [DESTDIR]", NULL);
	where.destdir = argc > 1 ? argv[1] : "";
	if (!hier_root(&root, where.destdir))
		die_x(111, "out of memory", NULL);
	g.rootfd = open(root.s, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (g.rootfd < 0)
		die_sys(111, "unable to open ", root.s, NULL);
	if (!hier_walk(table, &where, check, 0))
		die_sys(111, "unable to list the man pages in man/", NULL);
	if (g.bad) {
		char n[FMT_U64];
		n[fmt_u64(n, g.bad)] = 0;
		die_x(111, n, g.bad == 1 ? " problem in " : " problems in ", root.s, NULL);
	}
	sa_free(&root);
	return 0;
}
