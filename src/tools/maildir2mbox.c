/*
 * maildir2mbox - move the messages of a Maildir to the end of an mbox.
 *
 *	MAILDIR=dir MAIL=mbox MAILTMP=tmpfile maildir2mbox
 *
 * Locks MAIL (flock, as qmail-local does, 30 seconds at most), writes a new mbox to
 * MAILTMP: the old contents of MAIL, then every message of MAILDIR/new and
 * MAILDIR/cur, oldest first, each with a From_ line (the address of its Return-Path
 * field and the time it was delivered) and mboxrd quoting (mboxrd.c). MAILTMP must
 * be on the same file system as MAIL.
 *
 * The order of the steps is what makes a crash harmless: MAILTMP is fsynced, renamed
 * over MAIL, and MAIL's directory fsynced, and only then are the messages unlinked.
 * A crash before the rename leaves MAIL and the Maildir as they were; one after it
 * at worst leaves some messages in both places, never in neither.
 *
 * DIAGNOSTICS: exit 0 when every message was moved (or there were none); 111 on any
 * failure, with a message saying what failed; MAIL is then unchanged, or already
 * complete with some messages still to be removed from the Maildir.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "buf.h"
#include "die.h"
#include "env.h"
#include "file.h"
#include "lock.h"
#include "mboxrd.h"
#include "sa.h"
#include "size.h"
#include "str.h"

#define EXIT_TEMP  111
#define LOCK_MS    30000 /* how long to wait for the mbox lock */
#define HEADER_MAX 65536 /* header bytes looked at for Return-Path */
#define LINE_MAX_  1000  /* bytes of one header line kept */

typedef struct {
	size_t name; /* offset of "new/NAME" or "cur/NAME" in names */
	time_t when; /* modification time: when it was delivered */
} message;

static struct {
	const char *maildir; /* $MAILDIR */
	const char *mail;    /* $MAIL */
	const char *tmp;     /* $MAILTMP */
	int dirfd;           /* the Maildir */
	sa names;            /* NUL-terminated message names */
	message *list;       /* the messages */
	size_t n;            /* messages in list */
	size_t alloc;        /* slots allocated in list */
} g;

/* nomem - out of memory is a temporary failure */
static _Noreturn void nomem(void)
{
	die_x(EXIT_TEMP, "out of memory", (char *)0);
}

/* need - an environment variable that must be set */
static const char *need(const char *name)
{
	const char *v = env_get(name);
	if (!v || !*v)
		die_x(EXIT_TEMP, name, " not set", (char *)0);
	return v;
}

/* add - remember sub/name, delivered at when */
static void add(const char *sub, const char *name, time_t when)
{
	if (g.n == g.alloc) {
		size_t a, bytes;
		if (!size_add(&a, g.alloc, g.alloc / 2 + 16) ||
		    !size_mul(&bytes, a, sizeof *g.list))
			nomem();
		if (!alloc_resize((void **)&g.list, bytes))
			nomem();
		g.alloc = a;
	}
	g.list[g.n].name = g.names.len;
	g.list[g.n].when = when;
	if (!sa_cats(&g.names, sub) || !sa_catc(&g.names, '/') || !sa_cats(&g.names, name) ||
	    !sa_0(&g.names))
		nomem();
	++g.n;
}

/* scan - the regular files of MAILDIR/sub whose names do not start with a dot */
static void scan(const char *sub)
{
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int fd = openat(g.dirfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 || !(dir = fdopendir(fd)))
		die_sys(EXIT_TEMP, "unable to open ", g.maildir, "/", sub, (char *)0);
	for (;;) {
		errno = 0;
		d = readdir(dir);
		if (!d)
			break;
		if (d->d_name[0] == '.')
			continue;
		if (fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			if (errno == ENOENT)
				continue; /* read and removed meanwhile by someone else */
			die_sys(EXIT_TEMP, "unable to stat ", g.maildir, "/", sub, "/", d->d_name,
				(char *)0);
		}
		if (S_ISREG(st.st_mode))
			add(sub, d->d_name, st.st_mtime);
	}
	if (errno)
		die_sys(EXIT_TEMP, "unable to read ", g.maildir, "/", sub, (char *)0);
	closedir(dir);
}

/* older - qsort order: delivery time, then name */
static int older(const void *a, const void *b)
{
	const message *x = a, *y = b;
	if (x->when != y->when)
		return x->when < y->when ? -1 : 1;
	return strcmp(g.names.s + x->name, g.names.s + y->name);
}

/* return_path - the address of the first Return-Path field of the header on fd,
 * "" when there is none or it is <>; the file is left at offset 0 */
static void return_path(int fd, const char *name, sa *out)
{
	char space[4096];
	buf in;
	sa line = SA_ZERO;
	size_t seen = 0;
	unsigned flags;
	int r;
	out->len = 0;
	buf_init(&in, fd, space, sizeof space);
	while (seen < HEADER_MAX) {
		line.len = 0;
		r = buf_getline(&in, &line, LINE_MAX_, '\n', &flags);
		if (r < 0)
			die_sys(EXIT_TEMP, "unable to read ", g.maildir, "/", name, (char *)0);
		if (r == 0 || line.len <= 1 || line.s[0] == '\n')
			break;
		seen += line.len;
		if (line.len > 12 && case_equalb(line.s, 12, "return-path:")) {
			size_t lt = byte_chr(line.s, line.len, '<');
			size_t gt = byte_rchr(line.s, line.len, '>');
			if (lt < gt && gt < line.len &&
			    !sa_copyb(out, line.s + lt + 1, gt - lt - 1))
				nomem();
			break;
		}
	}
	sa_free(&line);
	if (lseek(fd, 0, SEEK_SET) != 0)
		die_sys(EXIT_TEMP, "unable to rewind ", g.maildir, "/", name, (char *)0);
}

/* copy_message - From_ line and the quoted message from MAILDIR/name to out */
static void copy_message(buf *out, const message *m)
{
	const char *name = g.names.s + m->name;
	char space[8192];
	sa sender = SA_ZERO, line = SA_ZERO;
	mboxrd q;
	buf in;
	ssize_t r;
	int fd = openat(g.dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		die_sys(EXIT_TEMP, "unable to open ", g.maildir, "/", name, (char *)0);
	return_path(fd, name, &sender);
	if (!sa_0(&sender) || !mboxrd_fromline(&line, sender.s, m->when))
		nomem();
	if (!buf_putsa(out, &line))
		die_sys(EXIT_TEMP, "unable to write ", g.tmp, (char *)0);
	mboxrd_init(&q, out);
	buf_init(&in, fd, space, sizeof space);
	while ((r = buf_feed(&in)) > 0) {
		const char *s;
		size_t n;
		s = buf_peek(&in, &n);
		if (!mboxrd_put(&q, s, n))
			die_sys(EXIT_TEMP, "unable to write ", g.tmp, (char *)0);
		buf_skip(&in, n);
	}
	if (r < 0)
		die_sys(EXIT_TEMP, "unable to read ", g.maildir, "/", name, (char *)0);
	if (!mboxrd_end(&q))
		die_sys(EXIT_TEMP, "unable to write ", g.tmp, (char *)0);
	close(fd);
	sa_free(&sender);
	sa_free(&line);
}

/* write_tmp - the new mbox in MAILTMP: the old one from mailfd, then the messages */
static void write_tmp(int mailfd)
{
	static char space[65536];
	char ispace[65536];
	struct stat st;
	buf out, in;
	size_t i, n;
	ssize_t r;
	char last = '\n';
	int fd = open(g.tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1)
		die_sys(EXIT_TEMP, "unable to create ", g.tmp, (char *)0);
	if (fstat(mailfd, &st) == -1)
		die_sys(EXIT_TEMP, "unable to stat ", g.mail, (char *)0);
	if (fchmod(fd, st.st_mode & 07777) == -1)
		die_sys(EXIT_TEMP, "unable to set the mode of ", g.tmp, (char *)0);
	buf_init(&out, fd, space, sizeof space);
	buf_init(&in, mailfd, ispace, sizeof ispace);
	while ((r = buf_feed(&in)) > 0) {
		const char *s = buf_peek(&in, &n);
		if (!buf_put(&out, s, n))
			die_sys(EXIT_TEMP, "unable to write ", g.tmp, (char *)0);
		last = s[n - 1];
		buf_skip(&in, n);
	}
	if (r < 0)
		die_sys(EXIT_TEMP, "unable to read ", g.mail, (char *)0);
	/* a damaged old mbox must not swallow the first From_ line into its last line */
	if (last != '\n' && !buf_put(&out, "\n", 1))
		die_sys(EXIT_TEMP, "unable to write ", g.tmp, (char *)0);
	for (i = 0; i < g.n; ++i)
		copy_message(&out, &g.list[i]);
	if (!buf_flush(&out) || fsync(fd) == -1 || close(fd) == -1)
		die_sys(EXIT_TEMP, "unable to write ", g.tmp, (char *)0);
}

/* sync_parent - fsync the directory holding path, so its rename is on disk */
static void sync_parent(const char *path)
{
	sa dir = SA_ZERO;
	size_t slash = byte_rchr(path, strlen(path), '/');
	if (slash == strlen(path) ? !sa_copys(&dir, ".") : !sa_copyb(&dir, path, slash ? slash : 1))
		nomem();
	if (!sa_0(&dir))
		nomem();
	if (!file_syncdir(dir.s))
		die_sys(EXIT_TEMP, "unable to sync ", dir.s, (char *)0);
	sa_free(&dir);
}

int main(int argc, char **argv)
{
	size_t i;
	int mailfd;
	(void)argc;
	die_init(argv[0]);
	g.maildir = need("MAILDIR");
	g.mail = need("MAIL");
	g.tmp = need("MAILTMP");
	umask(077);
	g.dirfd = open(g.maildir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (g.dirfd == -1)
		die_sys(EXIT_TEMP, "unable to open ", g.maildir, (char *)0);
	mailfd = open(g.mail, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (mailfd == -1)
		die_sys(EXIT_TEMP, "unable to open ", g.mail, (char *)0);
	if (!lock_ex_timeout(mailfd, LOCK_MS))
		die_sys(EXIT_TEMP, "unable to lock ", g.mail, (char *)0);
	scan("new");
	scan("cur");
	if (!g.n)
		return 0;
	qsort(g.list, g.n, sizeof *g.list, older);
	write_tmp(mailfd);
	if (rename(g.tmp, g.mail) == -1)
		die_sys(EXIT_TEMP, "unable to rename ", g.tmp, " to ", g.mail, (char *)0);
	sync_parent(g.mail);
	for (i = 0; i < g.n; ++i)
		if (unlinkat(g.dirfd, g.names.s + g.list[i].name, 0) == -1 && errno != ENOENT)
			die_sys(EXIT_TEMP, "unable to remove ", g.maildir, "/",
				g.names.s + g.list[i].name, (char *)0);
	return 0;
}
