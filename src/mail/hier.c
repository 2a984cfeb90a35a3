/*
 * hier.c - the installed hierarchy (SPEC section 2) and its walk. The table is data:
 * one line per directory, queue file, program and document; the group of everything
 * is auto_groupq. Man pages are not listed: the walk installs every man/NAME.N page
 * it finds in the source tree, so a new page needs no edit here.
 *
 * A program is added with one line, before the man pages, e.g.
 *     {HIER_PROG, "bin/qmail-queue", auto_userq, auto_groupq, 04711, 0, 0},
 * (modes per SPEC: qmail-queue 04711 qmailq; qmail-lspawn, qmail-start, qmail-newu,
 * qmail-newmrh, qmail-newrcpt 0700; qmail-getpw, -local, -remote, -rspawn, -clean, -send, splogger,
 * qmail-pw2u, qmail-popup 0711; every other program 0755; all owned by auto_usero
 * except qmail-queue).
 */
#include "hier.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "auto.h"
#include "sa.h"
#include "size.h"

/* clang-format off */
const hier_entry hier[] = {
	{HIER_DIR,   "",                     auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,   "control",              auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,   "users",                auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,   "bin",                  auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,   "boot",                 auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,   "doc",                  auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,   "man",                  auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,   "man/man1",             auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,   "man/man3",             auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,   "man/man5",             auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,   "man/man7",             auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,   "man/man8",             auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,   "man/cat1",             auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,   "man/cat3",             auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,   "man/cat5",             auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,   "man/cat7",             auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,   "man/cat8",             auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,   "alias",                auto_usera, auto_groupq, 02755, 0, 0},
	{HIER_DIR,   "alias/Maildir",        auto_usera, auto_groupq, 0700, 0, 0},
	{HIER_DIR,   "alias/Maildir/tmp",    auto_usera, auto_groupq, 0700, 0, 0},
	{HIER_DIR,   "alias/Maildir/new",    auto_usera, auto_groupq, 0700, 0, 0},
	{HIER_DIR,   "alias/Maildir/cur",    auto_usera, auto_groupq, 0700, 0, 0},
	{HIER_ZERO,  "alias/.qmail-postmaster",    auto_usero, auto_groupq, 0644, 0, 0},
	{HIER_ZERO,  "alias/.qmail-mailer-daemon", auto_usero, auto_groupq, 0644, 0, 0},
	{HIER_ZERO,  "alias/.qmail-root",          auto_usero, auto_groupq, 0644, 0, 0},
	{HIER_DIR,   "queue",                auto_userq, auto_groupq, 0750, 0, 0},
	{HIER_DIR,   "queue/pid",            auto_userq, auto_groupq, 0700, 0, 0},
	{HIER_DIR,   "queue/intd",           auto_userq, auto_groupq, 0700, 0, 0},
	{HIER_DIR,   "queue/todo",           auto_userq, auto_groupq, 0750, 0, 0},
	{HIER_SPLIT, "queue/mess",           auto_userq, auto_groupq, 0750, 0, 0},
	{HIER_SPLIT, "queue/info",           auto_users, auto_groupq, 0700, 0, 0},
	{HIER_SPLIT, "queue/local",          auto_users, auto_groupq, 0700, 0, 0},
	{HIER_SPLIT, "queue/remote",         auto_users, auto_groupq, 0700, 0, 0},
	{HIER_DIR,   "queue/bounce",         auto_users, auto_groupq, 0700, 0, 0},
	{HIER_DIR,   "queue/ctl",            auto_users, auto_groupq, 0700, 0, 0},
	{HIER_DIR,   "queue/hold",           auto_users, auto_groupq, 0700, 0, 0},
	{HIER_SPLIT, "queue/qpool",          auto_userq, auto_groupq, 0700, 0, 0},
	{HIER_DIR,   "queue/sspare",         auto_users, auto_groupq, 0700, 0, 0},
	{HIER_DIR,   "queue/lock",           auto_userq, auto_groupq, 0750, 0, 0},
	{HIER_ZERO,  "queue/lock/tcpto",     auto_userr, auto_groupq, 0644, 1024, 0},
	{HIER_ZERO,  "queue/lock/sendmutex", auto_users, auto_groupq, 0600, 0, 0},
	{HIER_FIFO,  "queue/lock/trigger",   auto_users, auto_groupq, 0622, 0, 0},
	{HIER_PROG,  "bin/qmail-queue",      auto_userq, auto_groupq, 04711, 0, 0},
	{HIER_PROG,  "bin/qmail-local",      auto_usero, auto_groupq, 0711, 0, 0},
	{HIER_PROG,  "bin/qmail-inject",     auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/sendmail",         auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/qmail-start",      auto_usero, auto_groupq, 0700, 0, 0},
	{HIER_PROG,  "bin/qmail-lspawn",     auto_usero, auto_groupq, 0700, 0, 0},
	{HIER_PROG,  "bin/qmail-send",       auto_usero, auto_groupq, 0711, 0, 0},
	{HIER_PROG,  "bin/qmail-clean",      auto_usero, auto_groupq, 0711, 0, 0},
	{HIER_PROG,  "bin/qmail-newu",       auto_usero, auto_groupq, 0700, 0, 0},
	{HIER_PROG,  "bin/qmail-getpw",      auto_usero, auto_groupq, 0711, 0, 0},
	{HIER_PROG,  "bin/qmail-pw2u",       auto_usero, auto_groupq, 0711, 0, 0},
	{HIER_PROG,  "bin/qmail-qread",      auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/qmail-qstat",      auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/qmail-qctl",       auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/qmail-qcheck",     auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/maildirwatch",     auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/qmail-showctl",    auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/qmail-popup",      auto_usero, auto_groupq, 0711, 0, 0},
	{HIER_PROG,  "bin/qmail-pop3d",      auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/qmail-remote",     auto_usero, auto_groupq, 0711, 0, 0},
	{HIER_PROG,  "bin/qmail-rspawn",     auto_usero, auto_groupq, 0711, 0, 0},
	{HIER_PROG,  "bin/qmail-tcpto",      auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/qmail-tcpok",      auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/bouncesaying",     auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/condredirect",     auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/datemail",         auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/except",           auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/forward",          auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/maildir2mbox",     auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/maildirmake",      auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/mailsubj",         auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/predate",          auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/preline",          auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/qbiff",            auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/qreceipt",         auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/splogger",         auto_usero, auto_groupq, 0711, 0, 0},
	{HIER_PROG,  "bin/tcp-env",          auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/qmail-smtpd",      auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/qmail-qmtpd",      auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/qmail-qmqpd",      auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/qmail-qmqpc",      auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/qmail-newmrh",     auto_usero, auto_groupq, 0700, 0, 0},
	{HIER_PROG,  "bin/qmail-newrcpt",    auto_usero, auto_groupq, 0700, 0, 0},
	{HIER_PROG,  "bin/qmailctl",         auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DOC,   "doc/INSTALL",          auto_usero, auto_groupq, 0644, 0, 0},
	{HIER_DOC,   "doc/README",           auto_usero, auto_groupq, 0644, 0, 0},
	{HIER_MAN,   "man",                  auto_usero, auto_groupq, 0644, 0, 0},
	{HIER_DIR,   0,                      0,          0,           0,    0, 0},
};
/*
 * mini-qmail (SPEC section 13): no queue, no daemons, no accounts of its own. Every
 * injector runs bin/qmail-queue, which here is a copy of qmail-qmqpc, so all mail goes
 * to the QMQP servers in control/qmqpservers. The control files (me, defaulthost,
 * defaultdomain, plusdomain, idhost, qmqpservers) are the administrator's to write.
 */
const hier_entry hier_mini[] = {
	{HIER_DIR,  "",                   auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,  "control",            auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,  "bin",                auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,  "doc",                auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,  "man",                auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,  "man/man1",           auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,  "man/man5",           auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,  "man/man7",           auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DIR,  "man/man8",           auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG, "bin/qmail-queue",    auto_usero, auto_groupq, 0755, 0, "qmail-qmqpc"},
	{HIER_PROG, "bin/qmail-qmqpc",    auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG, "bin/qmail-inject",   auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG, "bin/sendmail",       auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG, "bin/predate",        auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG, "bin/datemail",       auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG, "bin/mailsubj",       auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG, "bin/qmail-showctl",  auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_DOC,  "doc/INSTALL",        auto_usero, auto_groupq, 0644, 0, 0},
	{HIER_DOC,  "doc/README",         auto_usero, auto_groupq, 0644, 0, 0},
	{HIER_DOC,  "man/man1/datemail.1",      auto_usero, auto_groupq, 0644, 0, "man/datemail.1"},
	{HIER_DOC,  "man/man1/mailsubj.1",      auto_usero, auto_groupq, 0644, 0, "man/mailsubj.1"},
	{HIER_DOC,  "man/man1/predate.1",       auto_usero, auto_groupq, 0644, 0, "man/predate.1"},
	{HIER_DOC,  "man/man5/addresses.5",     auto_usero, auto_groupq, 0644, 0, "man/addresses.5"},
	{HIER_DOC,  "man/man5/qmail-control.5", auto_usero, auto_groupq, 0644, 0, "man/qmail-control.5"},
	{HIER_DOC,  "man/man5/qmail-header.5",  auto_usero, auto_groupq, 0644, 0, "man/qmail-header.5"},
	{HIER_DOC,  "man/man7/qmail.7",         auto_usero, auto_groupq, 0644, 0, "man/qmail.7"},
	{HIER_DOC,  "man/man8/qmail-inject.8",  auto_usero, auto_groupq, 0644, 0, "man/qmail-inject.8"},
	{HIER_DOC,  "man/man8/qmail-qmqpc.8",   auto_usero, auto_groupq, 0644, 0, "man/qmail-qmqpc.8"},
	{HIER_DOC,  "man/man8/qmail-showctl.8", auto_usero, auto_groupq, 0644, 0, "man/qmail-showctl.8"},
	{HIER_DOC,  "man/man8/sendmail.8",      auto_usero, auto_groupq, 0644, 0, "man/sendmail.8"},
	{HIER_DIR,  0,                    0,          0,           0,    0, 0},
};
/* clang-format on */

#define HIER_NAME 255 /* longest file name component we open (NAME_MAX on Linux) */

typedef struct walk_s {
	const hier_where *where; /* the trees */
	hier_fn fn;              /* called once per item */
	void *arg;               /* fn's argument */
	sa root;                 /* DESTDIR + QMAILHOME, a C string */
	sa rel;                  /* the item's path under QMAILHOME */
	sa path;                 /* the item's full path */
	sa src;                  /* the item's source file */
} walk;

/* hier_root - root = DESTDIR + QMAILHOME as a C string: where the tree is installed */
int hier_root(sa *root, const char *destdir)
{
	return sa_copys(root, destdir ? destdir : "") && sa_cats(root, auto_qmail) && sa_0(root);
}

/* last_part - the file name at the end of a path */
static const char *last_part(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* emit - give fn one item: w->rel is the path under QMAILHOME, src the source or 0 */
static int emit(walk *w, const hier_entry *e, hier_type type, const char *src)
{
	hier_item item;
	if (!sa_0(&w->rel) || !sa_copys(&w->path, w->root.s))
		return 0;
	if (w->rel.s[0] && (!sa_catc(&w->path, '/') || !sa_cats(&w->path, w->rel.s)))
		return 0;
	if (!sa_0(&w->path))
		return 0;
	item.type = type;
	item.rel = w->rel.s;
	item.path = w->path.s;
	item.src = src;
	item.user = e->user;
	item.group = e->group;
	item.mode = e->mode;
	item.size = e->size;
	return w->fn(&item, w->arg);
}

/* emit_copy - an item copied from dir/name (dir 0: no source known) */
static int emit_copy(walk *w, const hier_entry *e, const char *dir, const char *name)
{
	if (!dir)
		return emit(w, e, HIER_FILE, 0);
	if (!sa_copys(&w->src, dir) || !sa_catc(&w->src, '/') || !sa_cats(&w->src, name) ||
	    !sa_0(&w->src))
		return 0;
	return emit(w, e, HIER_FILE, w->src.s);
}

/* walk_split - a directory, then its numbered subdirectories */
static int walk_split(walk *w, const hier_entry *e)
{
	unsigned i;
	if (!sa_copys(&w->rel, e->path) || !emit(w, e, HIER_DIR, 0))
		return 0;
	for (i = 0; i < AUTO_SPLIT; ++i)
		if (!sa_copys(&w->rel, e->path) || !sa_catc(&w->rel, '/') || !sa_catu(&w->rel, i) ||
		    !emit(w, e, HIER_DIR, 0))
			return 0;
	return 1;
}

/* man_name - whether a file name is an installable page: NAME.N, N in 1..9 */
static int man_name(const char *s)
{
	size_t n = strlen(s);
	size_t i;
	if (n < 3 || n > 200 || s[n - 2] != '.' || s[n - 1] < '1' || s[n - 1] > '9')
		return 0;
	if (!(s[0] >= 'a' && s[0] <= 'z') && !(s[0] >= 'A' && s[0] <= 'Z') &&
	    !(s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (i = 1; i < n; ++i)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-",
			    s[i]))
			return 0;
	return 1;
}

/* man_cmp - qsort order of page names, so every walk visits pages in the same order */
static int man_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* man_list - read the page names of dir into names (NUL-separated); *count of them */
static int man_list(const char *dir, sa *names, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int e;
	*count = 0;
	if (!d)
		return 0;
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (!man_name(de->d_name))
			continue;
		if (!sa_cats(names, de->d_name) || !sa_0(names))
			goto fail;
		++*count;
	}
	if (errno)
		goto fail;
	closedir(d);
	return 1;
fail:
	e = errno;
	closedir(d);
	errno = e;
	return 0;
}

/* walk_man - every page of srcdir/man, sorted, into path/manN/ */
static int walk_man(walk *w, const hier_entry *e, const char *srcdir)
{
	sa dir = SA_ZERO;
	sa names = SA_ZERO;
	const char **list = 0;
	size_t count;
	size_t i;
	size_t off;
	int ok = 0;
	int err;
	if (!sa_copys(&dir, srcdir) || !sa_cats(&dir, "/man") || !sa_0(&dir))
		goto done;
	if (!man_list(dir.s, &names, &count))
		goto done;
	if (count) {
		list = alloc_array(count, sizeof *list);
		if (!list)
			goto done;
	}
	for (i = 0, off = 0; i < count; ++i) {
		list[i] = names.s + off;
		off += strlen(list[i]) + 1;
	}
	if (count)
		qsort(list, count, sizeof *list, man_cmp);
	for (i = 0; i < count; ++i) {
		size_t n = strlen(list[i]);
		if (!sa_copys(&w->rel, e->path) || !sa_cats(&w->rel, "/man") ||
		    !sa_catc(&w->rel, list[i][n - 1]) || !sa_catc(&w->rel, '/') ||
		    !sa_cats(&w->rel, list[i]))
			goto done;
		if (!emit_copy(w, e, dir.s, list[i]))
			goto done;
	}
	ok = 1;
done:
	err = errno;
	alloc_free(list);
	sa_free(&names);
	sa_free(&dir);
	errno = err;
	return ok;
}

/* walk_entry - the items of one table entry */
static int walk_entry(walk *w, const hier_entry *e)
{
	const char *srcdir = w->where->srcdir ? w->where->srcdir : ".";
	sa bin = SA_ZERO;
	int ok;
	int err;
	switch (e->type) {
	case HIER_DIR:
	case HIER_ZERO:
	case HIER_FIFO:
		return sa_copys(&w->rel, e->path) && emit(w, e, e->type, 0);
	case HIER_SPLIT:
		return walk_split(w, e);
	case HIER_DOC:
		return sa_copys(&w->rel, e->path) &&
		       emit_copy(w, e, srcdir, e->from ? e->from : last_part(e->path));
	case HIER_PROG:
		if (!sa_copys(&w->rel, e->path))
			return 0;
		if (!w->where->builddir)
			return emit_copy(w, e, 0, 0);
		ok = sa_copys(&bin, w->where->builddir) && sa_cats(&bin, "/bin") && sa_0(&bin) &&
		     emit_copy(w, e, bin.s, e->from ? e->from : last_part(e->path));
		err = errno;
		sa_free(&bin);
		errno = err;
		return ok;
	case HIER_MAN:
		return walk_man(w, e, srcdir);
	case HIER_FILE:
		break;
	}
	errno = EINVAL;
	return 0;
}

/* hier_walk - call fn for every item of table, parents before children; 1 when every
 * call returned 1, else 0 (errno from fn, or from reading the man directory) */
int hier_walk(const hier_entry *table, const hier_where *where, hier_fn fn, void *arg)
{
	walk w = {where, fn, arg, SA_ZERO, SA_ZERO, SA_ZERO, SA_ZERO};
	const hier_entry *e;
	int ok = hier_root(&w.root, where->destdir);
	int err;
	for (e = table; ok && e->path; ++e)
		ok = walk_entry(&w, e);
	err = errno;
	sa_free(&w.root);
	sa_free(&w.rel);
	sa_free(&w.path);
	sa_free(&w.src);
	errno = err;
	return ok;
}

/* hier_dirfd - open the directory holding rel under rootfd, refusing a symbolic link
 * at every step (ELOOP/ENOTDIR), so a queue user cannot redirect root's chown or chmod;
 * *base is rel's last component ("." for rel ""). A descriptor, or -1 with errno. */
int hier_dirfd(int rootfd, const char *rel, const char **base)
{
	char name[HIER_NAME + 1];
	const char *p = rel;
	const char *slash;
	int fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (!*rel) {
		*base = ".";
		return fd;
	}
	while ((slash = strchr(p, '/'))) {
		size_t n = (size_t)(slash - p);
		int next;
		int e;
		if (n == 0 || n > HIER_NAME || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			goto invalid;
		memcpy(name, p, n);
		name[n] = 0;
		do
			next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		while (next < 0 && errno == EINTR);
		e = errno;
		close(fd);
		if (next < 0) {
			errno = e;
			return -1;
		}
		fd = next;
		p = slash + 1;
	}
	if (!*p || !strcmp(p, ".") || !strcmp(p, ".."))
		goto invalid;
	*base = p;
	return fd;
invalid:
	close(fd);
	errno = EINVAL;
	return -1;
}
