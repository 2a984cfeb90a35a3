/*
 * instpackage - create the installed tree (hier.c) under DESTDIR + QMAILHOME.
 * usage: instpackage [-m] BUILDDIR [DESTDIR]     (run from the top of the source tree)
 * -m: the mini-qmail tree (hier_mini) instead of the full one.
 *
 * Makes every directory, queue file and named pipe, and copies programs from
 * BUILDDIR/bin, documents and man pages from the source tree. Sets modes, not owners
 * (instchown does that), and leaves setuid and setgid bits off files until instchown
 * has given them their owner. Idempotent: an existing directory, queue file or pipe
 * is kept as it is, so live queue contents, tcpto and control files survive; only
 * copied files are replaced, each atomically.
 *
 * DIAGNOSTICS: 0 done; 100 usage; 111 any failure (named on stderr).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "die.h"
#include "fd.h"
#include "fmt.h"
#include "hier.h"
#include "sa.h"

#define SUFFIX ".inst-new" /* temporary name: "." + name + SUFFIX, in the same directory */

static struct {
	int rootfd; /* DESTDIR + QMAILHOME */
	sa tmp;     /* the current temporary name */
	char buf[65536];
} g = {-1, SA_ZERO, {0}};

/* die_nomem - the one out-of-memory exit */
static _Noreturn void die_nomem(void)
{
	die_x(111, "out of memory", NULL);
}

/* file_mode - the mode instpackage gives a file: setuid and setgid wait for instchown,
 * so a root-owned copy is never setuid; directories keep setgid (alias) */
static unsigned file_mode(unsigned mode)
{
	return mode & ~(unsigned)(S_ISUID | S_ISGID);
}

/* tmp_open - create the temporary file for name in pfd, removing a stale one first */
static int tmp_open(int pfd, const char *name, const char *path)
{
	int fd;
	if (!sa_copys(&g.tmp, ".") || !sa_cats(&g.tmp, name) || !sa_cats(&g.tmp, SUFFIX) ||
	    !sa_0(&g.tmp))
		die_nomem();
	if (unlinkat(pfd, g.tmp.s, 0) < 0 && errno != ENOENT)
		die_sys(111, "unable to remove stale ", path, SUFFIX, NULL);
	fd = openat(pfd, g.tmp.s, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		die_sys(111, "unable to create temporary file for ", path, NULL);
	return fd;
}

/* tmp_finish - fsync, set the mode and close the temporary file */
static void tmp_finish(int fd, unsigned mode, const char *path)
{
	if (fsync(fd) < 0)
		die_sys(111, "unable to fsync temporary file for ", path, NULL);
	if (fchmod(fd, file_mode(mode)) < 0)
		die_sys(111, "unable to set mode of temporary file for ", path, NULL);
	if (close(fd) < 0)
		die_sys(111, "unable to write temporary file for ", path, NULL);
}

/* sync_dir - make a new name in pfd durable */
static void sync_dir(int pfd, const char *path)
{
	if (fsync(pfd) < 0 && errno != EINVAL)
		die_sys(111, "unable to fsync the directory of ", path, NULL);
}

/* set_mode - open an existing entry without following a link, check its type and that
 * it has one link (a planted hard link would turn the chmod onto another file), chmod */
static void set_mode(int pfd, const char *name, const hier_item *it, unsigned mode)
{
	struct stat st;
	int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	int fd;
	if (it->type == HIER_DIR)
		flags |= O_DIRECTORY;
	fd = openat(pfd, name, flags);
	if (fd < 0 && errno == ELOOP)
		die_x(111, it->path, " is a symbolic link; refusing to follow it", NULL);
	if (fd < 0)
		die_sys(111, "unable to open ", it->path, NULL);
	if (fstat(fd, &st) < 0)
		die_sys(111, "unable to stat ", it->path, NULL);
	if ((it->type == HIER_DIR && !S_ISDIR(st.st_mode)) ||
	    (it->type == HIER_FIFO && !S_ISFIFO(st.st_mode)) ||
	    ((it->type == HIER_ZERO || it->type == HIER_FILE) && !S_ISREG(st.st_mode)))
		die_x(111, it->path, " exists and is of the wrong type", NULL);
	if (!S_ISDIR(st.st_mode) && st.st_nlink != 1) {
		char n[FMT_U64];
		n[fmt_u64(n, st.st_nlink)] = 0;
		die_x(111, "refusing to change ", it->path, ": it has ", n, " links", NULL);
	}
	if (fchmod(fd, mode) < 0)
		die_sys(111, "unable to set mode of ", it->path, NULL);
	close(fd);
}

/* make_dir - a directory, made if missing; its mode set either way */
static void make_dir(int pfd, const char *name, const hier_item *it)
{
	if (mkdirat(pfd, name, 0700) < 0 && errno != EEXIST)
		die_sys(111, "unable to create ", it->path, NULL);
	set_mode(pfd, name, it, it->mode);
}

/* make_zero - a file of zero bytes, made only when missing: created under a temporary
 * name and linked into place, so an existing file (live tcpto) is never overwritten */
static void make_zero(int pfd, const char *name, const hier_item *it)
{
	struct stat st;
	size_t left = it->size;
	int fd;
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		set_mode(pfd, name, it, file_mode(it->mode));
		return;
	}
	if (errno != ENOENT)
		die_sys(111, "unable to stat ", it->path, NULL);
	fd = tmp_open(pfd, name, it->path);
	memset(g.buf, 0, sizeof g.buf);
	while (left) {
		size_t n = left < sizeof g.buf ? left : sizeof g.buf;
		if (!fd_write_all(fd, g.buf, n))
			die_sys(111, "unable to write temporary file for ", it->path, NULL);
		left -= n;
	}
	tmp_finish(fd, it->mode, it->path);
	if (linkat(pfd, g.tmp.s, pfd, name, 0) < 0 && errno != EEXIST)
		die_sys(111, "unable to link ", it->path, NULL);
	if (unlinkat(pfd, g.tmp.s, 0) < 0)
		die_sys(111, "unable to remove temporary file for ", it->path, NULL);
	sync_dir(pfd, it->path);
	set_mode(pfd, name, it, file_mode(it->mode));
}

/* make_fifo - a named pipe, made if missing */
static void make_fifo(int pfd, const char *name, const hier_item *it)
{
	if (mkfifoat(pfd, name, 0600) < 0 && errno != EEXIST)
		die_sys(111, "unable to create ", it->path, NULL);
	set_mode(pfd, name, it, file_mode(it->mode));
}

/* copy_file - src copied to a temporary name, fsynced, renamed over the old copy and
 * the directory fsynced: a crash leaves the old file or the new one, never a part */
static void copy_file(int pfd, const char *name, const hier_item *it)
{
	struct stat st;
	int in;
	int out;
	if (!it->src)
		die_x(111, "no source for ", it->path, NULL);
	in = open(it->src, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (in < 0)
		die_sys(111, "unable to open ", it->src, NULL);
	if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode))
		die_x(111, it->src, " is not a regular file", NULL);
	out = tmp_open(pfd, name, it->path);
	for (;;) {
		ssize_t r = read(in, g.buf, sizeof g.buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die_sys(111, "unable to read ", it->src, NULL);
		if (r == 0)
			break;
		if (!fd_write_all(out, g.buf, (size_t)r))
			die_sys(111, "unable to write temporary file for ", it->path, NULL);
	}
	close(in);
	tmp_finish(out, it->mode, it->path);
	if (renameat(pfd, g.tmp.s, pfd, name) < 0)
		die_sys(111, "unable to rename temporary file to ", it->path, NULL);
	sync_dir(pfd, it->path);
}

/* install - one item of the hierarchy */
static int install(const hier_item *it, void *arg)
{
	const char *name;
	int pfd = hier_dirfd(g.rootfd, it->rel, &name);
	(void)arg;
	if (pfd < 0)
		die_sys(111, "unable to open the directory of ", it->path, NULL);
	switch (it->type) {
	case HIER_DIR:
		make_dir(pfd, name, it);
		break;
	case HIER_ZERO:
		make_zero(pfd, name, it);
		break;
	case HIER_FIFO:
		make_fifo(pfd, name, it);
		break;
	case HIER_FILE:
		copy_file(pfd, name, it);
		break;
	default:
		die_x(111, "unexpected item type for ", it->path, NULL);
	}
	close(pfd);
	return 1;
}

/* make_root - DESTDIR + QMAILHOME and any missing parents (0755, like mkdir -p) */
static void make_root(char *root)
{
	char *p;
	for (p = root + 1;; ++p) {
		if (*p != '/' && *p)
			continue;
		char c = *p;
		*p = 0;
		if (mkdir(root, 0700) == 0) {
			if (c && chmod(root, 0755) < 0)
				die_sys(111, "unable to set mode of ", root, NULL);
		} else if (errno != EEXIST) {
			die_sys(111, "unable to create ", root, NULL);
		}
		*p = c;
		if (!c)
			break;
	}
}

int main(int argc, char **argv)
{
	hier_where where = {0, ".", 0};
	const hier_entry *table = hier;
	sa root = SA_ZERO;
	die_init(argv[0]);
	if (argc > 1 && !strcmp(argv[1], "-m")) {
		table = hier_mini;
		--argc;
		++argv;
	}
	if (argc < 2 || argc > 3 || !argv[1][0])
		die_x(100, "usage: instpackage [-m] BUILDDIR [DESTDIR]", NULL);
	where.builddir = argv[1];
	where.destdir = argc > 2 ? argv[2] : "";
	umask(077);
	if (!hier_root(&root, where.destdir))
		die_nomem();
	make_root(root.s);
	g.rootfd = open(root.s, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (g.rootfd < 0)
		die_sys(111, "unable to open ", root.s, NULL);
	if (!hier_walk(table, &where, install, 0))
		die_sys(111, "unable to list the man pages in man/", NULL);
	sa_free(&root);
	return 0;
}
