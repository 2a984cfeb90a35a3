/* hier.c - tests for the install table, its walk and the no-symlink directory opener */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auto.h"
#include "harness.h"
#include "hier.h"
#include "sa.h"

#define MAXITEMS 400

typedef struct seen_s {
	hier_type type;    /* item type */
	char rel[160];     /* path under QMAILHOME */
	char path[400];    /* full path */
	char src[400];     /* source, "" when none */
	int has_src;       /* whether src was given */
	const char *user;  /* owner name */
	const char *group; /* group name */
	unsigned mode;     /* mode */
	size_t size;       /* size */
} seen;

static struct {
	seen items[MAXITEMS]; /* what the walk gave */
	size_t n;             /* how many */
	size_t stop_at;       /* collect returns 0 at this call (1-based); 0 never */
} w;

/* collect - remember every item */
static int collect(const hier_item *it, void *arg)
{
	seen *s;
	(void)arg;
	if (w.n >= MAXITEMS)
		return 0;
	s = &w.items[w.n++];
	s->type = it->type;
	snprintf(s->rel, sizeof s->rel, "%s", it->rel);
	snprintf(s->path, sizeof s->path, "%s", it->path);
	snprintf(s->src, sizeof s->src, "%s", it->src ? it->src : "");
	s->has_src = it->src != 0;
	s->user = it->user;
	s->group = it->group;
	s->mode = it->mode;
	s->size = it->size;
	if (w.stop_at && w.n == w.stop_at) {
		errno = EPERM;
		return 0;
	}
	return 1;
}

/* find - the item with this rel, or 0 */
static const seen *find(const char *rel)
{
	size_t i;
	for (i = 0; i < w.n; ++i)
		if (!strcmp(w.items[i].rel, rel))
			return &w.items[i];
	return 0;
}

/* index_of - position of rel in the walk, or MAXITEMS */
static size_t index_of(const char *rel)
{
	size_t i;
	for (i = 0; i < w.n; ++i)
		if (!strcmp(w.items[i].rel, rel))
			return i;
	return MAXITEMS;
}

/* touch - create dir/name with some bytes */
static int touch(const char *dir, const char *name)
{
	char p[512];
	FILE *f;
	snprintf(p, sizeof p, "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f)
		return 0;
	fputs(".Dd x\n", f);
	return fclose(f) == 0;
}

/* mansrc - a source tree with a man directory of good and bad page names */
static const char *mansrc(void)
{
	static char top[256];
	char man[300];
	char longname[220];
	snprintf(top, sizeof top, "%s/src", t_tmpdir());
	snprintf(man, sizeof man, "%s/man", top);
	if (mkdir(top, 0755) == 0 && mkdir(man, 0755) == 0) {
		memset(longname, 'l', 205);
		memcpy(longname + 205, ".8", 3);
		touch(man, "b.8");
		touch(man, "a.5");
		touch(man, "x-y_z+1.3");
		touch(man, ".hidden.8");
		touch(man, "junk.txt");
		touch(man, "y.10");
		touch(man, "z.0");
		touch(man, "tilde~.8");
		touch(man, ".8");
		touch(man, "-dash.8");
		touch(man, longname);
	}
	return top;
}

/* walk - run hier_walk over table into w */
static int walk(const hier_entry *table, const char *destdir, const char *srcdir,
		const char *builddir)
{
	hier_where where;
	where.destdir = destdir;
	where.srcdir = srcdir;
	where.builddir = builddir;
	w.n = 0;
	return hier_walk(table, &where, collect, 0);
}

static void t_root(void)
{
	sa r = SA_ZERO;
	char want[300];
	T_OK(hier_root(&r, 0));
	T_EQ_S(r.s, auto_qmail);
	T_EQ_U(r.len, strlen(auto_qmail) + 1);
	T_OK(hier_root(&r, "/stage"));
	snprintf(want, sizeof want, "/stage%s", auto_qmail);
	T_EQ_S(r.s, want);
	T_OK(hier_root(&r, ""));
	T_EQ_S(r.s, auto_qmail);
	sa_free(&r);
}

static void t_table_order(void)
{
	size_t i;
	size_t j;
	T_OK(walk(hier, 0, mansrc(), 0));
	T_OK(w.n > 100);
	T_EQ_S(w.items[0].rel, "");
	T_EQ_S(w.items[0].path, auto_qmail);
	T_EQ_U(w.items[0].type, HIER_DIR);
	for (i = 0; i < w.n; ++i) {
		const seen *s = &w.items[i];
		char parent[160];
		char *slash;
		char want[400];
		T_OK(s->type == HIER_DIR || s->type == HIER_ZERO || s->type == HIER_FIFO ||
		     s->type == HIER_FILE);
		T_OK(s->group == auto_groupq);
		T_OK(s->rel[0] != '/');
		T_OK(!strstr(s->rel, ".."));
		T_OK(!strstr(s->rel, "//"));
		if (i)
			snprintf(want, sizeof want, "%s/%s", auto_qmail, s->rel);
		else
			snprintf(want, sizeof want, "%s", auto_qmail);
		T_EQ_S(s->path, want);
		/* the parent came earlier, as a directory */
		snprintf(parent, sizeof parent, "%s", s->rel);
		slash = strrchr(parent, '/');
		if (slash)
			*slash = 0;
		else
			parent[0] = 0;
		if (i) {
			size_t p = index_of(parent);
			T_OK(p < i);
			if (p < i)
				T_EQ_U(w.items[p].type, HIER_DIR);
		}
		/* no duplicates */
		for (j = 0; j < i; ++j)
			if (!strcmp(w.items[j].rel, s->rel))
				T_OK(0);
	}
}

static void t_table_spec(void)
{
	const seen *s;
	size_t i;
	size_t queue = 0;
	T_OK(walk(hier, 0, mansrc(), 0));
	s = find("");
	T_OK(s && s->user == auto_usero && s->mode == 0755);
	s = find("alias");
	T_OK(s && s->user == auto_usera && s->mode == 02755 && s->type == HIER_DIR);
	s = find("queue");
	T_OK(s && s->user == auto_userq && s->mode == 0750);
	s = find("queue/pid");
	T_OK(s && s->user == auto_userq && s->mode == 0700);
	s = find("queue/intd");
	T_OK(s && s->user == auto_userq && s->mode == 0700);
	s = find("queue/todo");
	T_OK(s && s->user == auto_userq && s->mode == 0750);
	s = find("queue/mess/0");
	T_OK(s && s->user == auto_userq && s->mode == 0750 && s->type == HIER_DIR);
	s = find("queue/mess/22");
	T_OK(s && s->user == auto_userq && s->mode == 0750);
	T_OK(!find("queue/mess/23"));
	T_OK(find("queue/info/22") && find("queue/local/22") && find("queue/remote/22"));
	s = find("queue/remote/7");
	T_OK(s && s->user == auto_users && s->mode == 0700);
	s = find("queue/bounce");
	T_OK(s && s->user == auto_users && s->mode == 0700);
	s = find("queue/lock");
	T_OK(s && s->user == auto_userq && s->mode == 0750);
	s = find("queue/lock/tcpto");
	T_OK(s && s->type == HIER_ZERO && s->user == auto_userr && s->mode == 0644);
	T_OK(s && s->size == 1024);
	s = find("queue/lock/sendmutex");
	T_OK(s && s->type == HIER_ZERO && s->user == auto_users && s->mode == 0600);
	T_OK(s && s->size == 0);
	s = find("queue/lock/trigger");
	T_OK(s && s->type == HIER_FIFO && s->user == auto_users && s->mode == 0622);
	for (i = 0; i < w.n; ++i)
		if (!strncmp(w.items[i].rel, "queue", 5))
			++queue;
	/* queue; pid intd todo; splits; bounce lock; ctl hold; qpool (split); sspare;
	 * lock files */
	T_EQ_U(queue, 1 + 3 + 4 * (AUTO_SPLIT + 1) + 2 + 2 + (AUTO_SPLIT + 1) + 1 + 3);
	s = find("queue/ctl");
	T_OK(s && s->type == HIER_DIR && s->user == auto_users && s->mode == 0700);
	s = find("queue/hold");
	T_OK(s && s->type == HIER_DIR && s->user == auto_users && s->mode == 0700);
	s = find("queue/qpool"); /* qmail-queue and qmail-clean */
	T_OK(s && s->type == HIER_DIR && s->user == auto_userq && s->mode == 0700);
	s = find("queue/qpool/0");
	T_OK(s && s->type == HIER_DIR && s->user == auto_userq && s->mode == 0700);
	s = find("queue/sspare"); /* qmail-send */
	T_OK(s && s->type == HIER_DIR && s->user == auto_users && s->mode == 0700);
	T_OK(find("control") && find("users") && find("bin") && find("boot") && find("doc"));
	T_OK(find("man/man1") && find("man/man3") && find("man/man5") && find("man/man7"));
	T_OK(find("man/man8") && find("man/cat8"));
	s = find("doc/INSTALL");
	T_OK(s && s->type == HIER_FILE && s->mode == 0644 && s->user == auto_usero);
}

static void t_man_pages(void)
{
	const char *top = mansrc();
	const seen *s;
	char want[400];
	size_t i;
	size_t pages = 0;
	T_OK(walk(hier, 0, top, 0));
	s = find("man/man8/b.8");
	snprintf(want, sizeof want, "%s/man/b.8", top);
	T_OK(s && s->type == HIER_FILE && s->mode == 0644 && s->user == auto_usero);
	T_EQ_S(s ? s->src : 0, want);
	T_OK(find("man/man5/a.5"));
	T_OK(find("man/man3/x-y_z+1.3"));
	T_OK(!find("man/man8/.hidden.8"));
	T_OK(!find("man/man8/tilde~.8"));
	T_OK(!find("man/man8/-dash.8"));
	T_OK(!find("man/man8/.8"));
	T_OK(!find("man/man0/z.0"));
	for (i = 0; i < w.n; ++i)
		if (!strncmp(w.items[i].rel, "man/man", 7) && strlen(w.items[i].rel) > 8)
			++pages;
	T_EQ_U(pages, 3);
	/* sorted by name, after the man directories */
	T_OK(index_of("man/man5/a.5") < index_of("man/man8/b.8"));
	T_OK(index_of("man/man8/b.8") < index_of("man/man3/x-y_z+1.3"));
	T_OK(index_of("man/man8") < index_of("man/man5/a.5"));
}

static void t_destdir(void)
{
	char want[400];
	T_OK(walk(hier, "/stage", mansrc(), 0));
	snprintf(want, sizeof want, "/stage%s", auto_qmail);
	T_EQ_S(w.items[0].path, want);
	snprintf(want, sizeof want, "/stage%s/queue/lock/trigger", auto_qmail);
	T_EQ_S(find("queue/lock/trigger") ? find("queue/lock/trigger")->path : 0, want);
}

/* clang-format off */
static const hier_entry custom[] = {
	{HIER_DIR,   "",        auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_PROG,  "bin/foo", auto_userq, auto_groupq, 04711, 0, 0},
	{HIER_DOC,   "doc/FAQ", auto_usero, auto_groupq, 0644, 0, 0},
	{HIER_SPLIT, "q",       auto_users, auto_groupq, 0700, 0, 0},
	{HIER_ZERO,  "z",       auto_userr, auto_groupq, 0644, 7, 0},
	{HIER_DIR,   0,         0,          0,           0, 0, 0},
};
static const hier_entry bad[] = {
	{HIER_DIR,  "",  auto_usero, auto_groupq, 0755, 0, 0},
	{HIER_FILE, "f", auto_usero, auto_groupq, 0644, 0, 0},
	{HIER_DIR,  0,   0,          0,           0, 0, 0},
};
static const hier_entry manonly[] = {
	{HIER_MAN, "man", auto_usero, auto_groupq, 0644, 0, 0},
	{HIER_DIR, 0,     0,          0,           0, 0, 0},
};
/* clang-format on */

static void t_custom(void)
{
	const seen *s;
	T_OK(walk(custom, 0, "/top", "/build"));
	T_EQ_U(w.n, 1 + 1 + 1 + 1 + AUTO_SPLIT + 1);
	s = find("bin/foo");
	T_OK(s && s->type == HIER_FILE && s->mode == 04711 && s->user == auto_userq);
	T_EQ_S(s ? s->src : 0, "/build/bin/foo");
	s = find("doc/FAQ");
	T_EQ_S(s ? s->src : 0, "/top/FAQ");
	s = find("q");
	T_OK(s && s->type == HIER_DIR && !s->has_src);
	s = find("q/0");
	T_OK(s && s->type == HIER_DIR && s->mode == 0700 && s->user == auto_users);
	T_OK(find("q/22") != 0 || AUTO_SPLIT <= 22);
	s = find("z");
	T_OK(s && s->type == HIER_ZERO && s->size == 7 && !s->has_src);
	/* no build directory: programs have no source, documents still do */
	T_OK(walk(custom, 0, "/top", 0));
	s = find("bin/foo");
	T_OK(s && s->type == HIER_FILE && !s->has_src);
	s = find("doc/FAQ");
	T_OK(s && s->has_src);
	/* default source tree is "." */
	T_OK(walk(custom, 0, 0, 0));
	T_EQ_S(find("doc/FAQ") ? find("doc/FAQ")->src : 0, "./FAQ");
}

/* t_mini - the mini-qmail table: qmail-queue is a copy of qmail-qmqpc, no queue, no
 * daemons, no accounts but root and the queue group, man pages from man/ */
static void t_mini(void)
{
	static const char *const absent[] = {
		"queue",           "queue/lock/trigger", "alias",
		"bin/qmail-send",  "bin/qmail-start",    "bin/qmail-smtpd",
		"bin/qmail-qmqpd", "bin/qmail-remote",   "users"};
	const seen *s;
	size_t i;
	T_OK(walk(hier_mini, 0, "/top", "/build"));
	s = find("bin/qmail-queue");
	T_OK(s && s->type == HIER_FILE && s->mode == 0755 && s->user == auto_usero);
	T_EQ_S(s ? s->src : 0, "/build/bin/qmail-qmqpc");
	s = find("bin/sendmail");
	T_EQ_S(s ? s->src : 0, "/build/bin/sendmail");
	T_OK(find("bin/qmail-inject") && find("bin/qmail-qmqpc") && find("control"));
	s = find("man/man8/qmail-inject.8");
	T_EQ_S(s ? s->src : 0, "/top/man/qmail-inject.8");
	s = find("doc/INSTALL");
	T_EQ_S(s ? s->src : 0, "/top/INSTALL");
	for (i = 0; i < sizeof absent / sizeof absent[0]; ++i)
		if (!T_OK(find(absent[i]) == 0))
			T_EQ_S(absent[i], "");
	for (i = 0; i < w.n; ++i) {
		T_OK(w.items[i].user == auto_usero);
		T_OK(!(w.items[i].mode & 06000));
	}
}

static void t_stop_and_errors(void)
{
	char nosrc[300];
	w.stop_at = 3;
	errno = 0;
	T_OK(!walk(hier, 0, mansrc(), 0));
	T_EQ_U(errno, EPERM);
	T_EQ_U(w.n, 3);
	w.stop_at = 0;
	/* no man directory: the walk fails (a MAN entry needs one) */
	snprintf(nosrc, sizeof nosrc, "%s/nosuch", t_tmpdir());
	errno = 0;
	T_OK(!walk(manonly, 0, nosrc, 0));
	T_EQ_U(errno, ENOENT);
	T_OK(walk(custom, 0, nosrc, 0));
	/* HIER_FILE is for items, never in a table */
	errno = 0;
	T_OK(!walk(bad, 0, nosrc, 0));
	T_EQ_U(errno, EINVAL);
	T_EQ_U(w.n, 1);
}

static void t_dirfd(void)
{
	char root[300];
	char p[400];
	const char *base = 0;
	struct stat st;
	int rootfd;
	int fd;
	size_t i;
	static const char *const invalid[] = {
		"/a", "a//b", "a/../b", "a/", "..", "a/.", ".", "a/b/c/", "./a", 0,
	};
	snprintf(root, sizeof root, "%s/dirfd", t_tmpdir());
	T_OK(mkdir(root, 0755) == 0);
	snprintf(p, sizeof p, "%s/a", root);
	T_OK(mkdir(p, 0755) == 0);
	snprintf(p, sizeof p, "%s/a/b", root);
	T_OK(mkdir(p, 0755) == 0);
	snprintf(p, sizeof p, "%s/a/b/c", root);
	T_OK(mkdir(p, 0755) == 0);
	snprintf(p, sizeof p, "%s/link", root);
	T_OK(symlink("a", p) == 0);
	T_OK(touch(root, "f"));
	rootfd = open(root, O_RDONLY | O_DIRECTORY);
	T_OK(rootfd >= 0);

	fd = hier_dirfd(rootfd, "a/b/c", &base);
	T_OK(fd >= 0);
	T_EQ_S(base, "c");
	T_OK(fd >= 0 && fstatat(fd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode));
	if (fd >= 0)
		close(fd);

	fd = hier_dirfd(rootfd, "", &base);
	T_OK(fd >= 0);
	T_EQ_S(base, ".");
	T_OK(fd >= 0 && fstatat(fd, base, &st, 0) == 0 && S_ISDIR(st.st_mode));
	if (fd >= 0)
		close(fd);

	fd = hier_dirfd(rootfd, "link", &base);
	T_OK(fd >= 0);
	T_EQ_S(base, "link");
	if (fd >= 0)
		close(fd);

	/* a symbolic link on the way is refused */
	errno = 0;
	T_OK(hier_dirfd(rootfd, "link/b", &base) < 0);
	T_OK(errno == ELOOP || errno == ENOTDIR);
	errno = 0;
	T_OK(hier_dirfd(rootfd, "link/b/c", &base) < 0);
	T_OK(errno == ELOOP || errno == ENOTDIR);
	errno = 0;
	T_OK(hier_dirfd(rootfd, "f/x", &base) < 0);
	T_EQ_U(errno, ENOTDIR);
	errno = 0;
	T_OK(hier_dirfd(rootfd, "nope/x", &base) < 0);
	T_EQ_U(errno, ENOENT);
	for (i = 0; invalid[i]; ++i) {
		errno = 0;
		T_OK(hier_dirfd(rootfd, invalid[i], &base) < 0);
		T_EQ_U(errno, EINVAL);
	}
	/* a component longer than a file name */
	memset(p, 'x', 300);
	p[300] = '/';
	p[301] = 'y';
	p[302] = 0;
	errno = 0;
	T_OK(hier_dirfd(rootfd, p, &base) < 0);
	T_EQ_U(errno, EINVAL);
	errno = 0;
	T_OK(hier_dirfd(-1, "a", &base) < 0);
	T_EQ_U(errno, EBADF);
	close(rootfd);
}

const t_case t_cases[] = {
	T_CASE(t_root),       T_CASE(t_table_order),
	T_CASE(t_table_spec), T_CASE(t_man_pages),
	T_CASE(t_destdir),    T_CASE(t_custom),
	T_CASE(t_mini),       T_CASE(t_stop_and_errors),
	T_CASE(t_dirfd),      T_END,
};
