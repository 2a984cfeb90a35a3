/*
 * maildir.c - the Maildir as qmail-pop3d sees it, relative to the current directory.
 *
 * At start: files in tmp/ untouched for 36 hours are removed (left by a delivery that
 * died); every message in new/ moves to cur/ with the info ":2," appended (the Maildir
 * way of saying "seen by a reader"); then cur/ is listed, regular files only, oldest
 * modification time first (ties by name, so the numbering is stable).
 *
 * A move is link then unlink, never rename: rename would silently replace a file of
 * the same name in cur/. A crash between the two leaves the message under both names;
 * the next scan finds the cur/ name taken by the same inode and just unlinks the new/
 * name. new/ and cur/ are fsynced after moves and after the deletions of QUIT.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "buf.h"
#include "die.h"
#include "file.h"
#include "pop3.h"
#include "pop3d.h"
#include "size.h"

#define TMP_AGE   (36 * 60 * 60) /* seconds before an untouched tmp/ file is garbage */
#define UIDL_MAX  70             /* bytes of a unique-id listing (RFC 1939) */
#define INFO      ":2,"          /* appended to a name moved from new/ to cur/ */
#define NAME_MAX_ 255            /* longest file name we make */

/* path - "dir/name" as a C string in p */
static int path(sa *p, const char *dir, const char *name)
{
	p->len = 0;
	return sa_cats(p, dir) && sa_catc(p, '/') && sa_cats(p, name) && sa_0(p);
}

/* each - call fn for every name in dir not starting with a dot; 1, or 0 with errno */
static int each(const char *dir, int (*fn)(const char *name, void *arg), void *arg)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int e;
	if (!d)
		return 0;
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (de->d_name[0] == '.')
			continue;
		if (!fn(de->d_name, arg))
			goto fail;
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

/* clean_one - remove tmp/name if neither read nor written for TMP_AGE seconds */
static int clean_one(const char *name, void *arg)
{
	sa *p = arg;
	struct stat st;
	time_t now = time(0);
	if (!path(p, "tmp", name))
		return 0;
	if (lstat(p->s, &st) == -1 || !S_ISREG(st.st_mode))
		return 1;
	if (now - st.st_atime > TMP_AGE && now - st.st_mtime > TMP_AGE)
		unlink(p->s); /* best effort: someone else may be cleaning too */
	return 1;
}

typedef struct move_s {
	sa from;   /* new/NAME */
	sa to;     /* cur/NAME:2, */
	int moved; /* something moved: new/ and cur/ need an fsync */
} move;

/* same_file - a and b name the same inode */
static int same_file(const char *a, const char *b)
{
	struct stat x, y;
	return lstat(a, &x) == 0 && lstat(b, &y) == 0 && x.st_dev == y.st_dev &&
	       x.st_ino == y.st_ino;
}

/* move_one - new/name to cur/name:2, (cur/name when the name has its info already) */
static int move_one(const char *name, void *arg)
{
	move *m = arg;
	size_t n = strlen(name);
	if (!path(&m->from, "new", name) || !path(&m->to, "cur", name))
		return 0;
	if (!strchr(name, ':') && n + sizeof INFO - 1 <= NAME_MAX_) {
		m->to.len--; /* drop the NUL */
		if (!sa_cats(&m->to, INFO) || !sa_0(&m->to))
			return 0;
	}
	if (link(m->from.s, m->to.s) == -1) {
		if (errno == ENOENT)
			return 1; /* another reader took it */
		if (errno != EEXIST || !same_file(m->from.s, m->to.s)) {
			warn_sys("unable to move ", m->from.s, " to ", m->to.s, NULL);
			return 1; /* it stays in new/ and is served another time */
		}
	}
	if (unlink(m->from.s) == -1 && errno != ENOENT)
		warn_sys("unable to remove ", m->from.s, NULL);
	m->moved = 1;
	return 1;
}

/* list_one - add cur/name to the box if it is a regular file */
static int list_one(const char *name, void *arg)
{
	box *b = arg;
	sa p = SA_ZERO;
	struct stat st;
	size_t need;
	msg *x;
	int r;
	if (!path(&p, "cur", name))
		return 0;
	r = lstat(p.s, &st);
	sa_free(&p);
	if (r == -1)
		return errno == ENOENT; /* removed since readdir */
	if (!S_ISREG(st.st_mode))
		return 1;
	if (b->n == b->a) {
		if (!size_mul(&need, b->a ? b->a : 16, 2) || !size_mul(&need, need, sizeof *b->m))
			return 0;
		if (!alloc_resize((void **)&b->m, need))
			return 0;
		b->a = need / sizeof *b->m;
	}
	x = &b->m[b->n];
	x->name = b->names.len;
	x->file = 0;
	x->size = (uint64_t)st.st_size;
	x->sized = 0;
	x->deleted = 0;
	x->mtime = st.st_mtime;
	if (!sa_cats(&b->names, name) || !sa_0(&b->names))
		return 0;
	++b->n;
	return 1;
}

/* older - qsort order: modification time, then name */
static int older(const void *a, const void *b)
{
	const msg *x = a, *y = b;
	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	return strcmp(x->file, y->file);
}

/* box_scan - clean tmp/, move new/ to cur/, list cur/; 1, or 0 with errno */
int box_scan(box *b)
{
	move m = {SA_ZERO, SA_ZERO, 0};
	sa p = SA_ZERO;
	size_t i;
	int ok;
	each("tmp", clean_one, &p); /* garbage collection only: failure changes nothing */
	sa_free(&p);
	ok = each("new", move_one, &m);
	sa_free(&m.from);
	sa_free(&m.to);
	if (!ok)
		return 0;
	if (m.moved && (!file_syncdir("cur") || !file_syncdir("new")))
		warn_sys("unable to sync the maildir", NULL);
	b->n = 0;
	b->names.len = 0;
	if (!each("cur", list_one, b))
		return 0;
	for (i = 0; i < b->n; ++i)
		b->m[i].file = b->names.s + b->m[i].name;
	if (b->n)
		qsort(b->m, b->n, sizeof *b->m, older);
	return 1;
}

/* box_open - open message i for reading: a descriptor, or -1 with errno */
int box_open(const box *b, size_t i)
{
	sa p = SA_ZERO;
	struct stat st;
	int fd, e;
	if (!path(&p, "cur", b->m[i].file))
		return -1;
	fd = open(p.s, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	e = errno;
	sa_free(&p);
	if (fd == -1) {
		errno = e;
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL; /* replaced by something that is not a message */
		return -1;
	}
	return fd;
}

/* box_size - the octets message i takes on the wire (CR LF lines, no dot-stuffing),
 * counted once and remembered; the file size if the message cannot be read now */
uint64_t box_size(box *b, size_t i)
{
	char space[8192];
	buf in;
	pop3_msg m;
	const char *s;
	size_t n, used;
	ssize_t r;
	int fd;
	if (b->m[i].sized)
		return b->m[i].size;
	fd = box_open(b, i);
	if (fd == -1)
		return b->m[i].size;
	buf_init(&in, fd, space, sizeof space);
	pop3_msg_init(&m, UINT64_MAX, 0);
	while ((r = buf_feed(&in)) > 0) {
		s = buf_peek(&in, &n);
		pop3_msg_put(&m, s, n, 0, &used); /* counting only: cannot fail */
		buf_skip(&in, n);
	}
	close(fd);
	if (r < 0)
		return b->m[i].size;
	pop3_msg_end(&m, 0);
	b->m[i].size = m.octets;
	b->m[i].sized = 1;
	return m.octets;
}

/* box_uidl - message i's unique id: its name before the info, in the bytes RFC 1939
 * allows (0x21..0x7e, others become '?'), at most UIDL_MAX of them */
int box_uidl(const box *b, size_t i, sa *out)
{
	const char *s = b->m[i].file;
	size_t k;
	for (k = 0; s[k] && s[k] != ':' && k < UIDL_MAX; ++k)
		if (!sa_catc(out, s[k] > ' ' && s[k] <= '~' ? s[k] : '?'))
			return 0;
	return 1;
}

/* box_expunge - remove every deleted message; *failed counts those that remain.
 * 1 when all are gone and cur/ is synced, else 0 */
int box_expunge(const box *b, size_t *failed)
{
	sa p = SA_ZERO;
	size_t i, gone = 0;
	*failed = 0;
	for (i = 0; i < b->n; ++i) {
		if (!b->m[i].deleted)
			continue;
		if (!path(&p, "cur", b->m[i].file)) {
			warn_sys("unable to remove a message", NULL);
			++*failed;
			continue;
		}
		if (unlink(p.s) == -1 && errno != ENOENT) {
			warn_sys("unable to remove ", p.s, NULL);
			++*failed;
			continue;
		}
		++gone;
	}
	sa_free(&p);
	if (gone && !file_syncdir("cur")) {
		warn_sys("unable to sync cur", NULL);
		return 0;
	}
	return *failed == 0;
}
