/*
 * qmail-qcheck - report, and with -r repair, inconsistencies in the queue.
 * usage: qmail-qcheck [-r]
 *
 * Reads every directory of QMAILHOME/queue (SPEC section 3) and prints one line per
 * problem, "queue/PATH: what" (and "; fixed: how" when repaired):
 *   a missing directory, e.g. ctl/ or hold/ of an older install (left alone),
 *   a name that is not a message number (left alone), a file that is not a regular
 *   file (left alone), a message file whose inode is not its name (left alone);
 *   a file in the wrong split directory (moved to the right one);
 *   a wrong owner or mode (set right: mess, todo, intd qmailq 0644; info, local,
 *   remote, bounce, hold, ctl qmails 0600);
 *   info, local, remote, bounce or hold files of a message without mess/ (removed);
 *   todo/ID without mess/ (todo and intd removed);
 *   intd/ID without todo/ID once the message was preprocessed, or older than a day
 *   (qmail-queue gives up after 24 hours) (removed);
 *   local or remote parts without info/ (an info file with an empty sender is made,
 *   so the recipients are still delivered and failures go to the postmaster);
 *   a preprocessed message with neither a local nor a remote part nor a bounce (its
 *   info and mess files are removed: no recipient is left);
 *   bounce/ID without info/ (removed); hold/ID of a message not in the queue
 *   (removed); a temporary ctl/tmp.PID request (removed);
 *   mess/ID alone, unread for 36 hours (an injection that died; removed).
 * A message that still has a pending recipient never loses its mess file.
 *
 * Repairs are made only while qmail-send is not running: qmail-qcheck takes the
 * lock qmail-send holds (lock/sendmutex) and keeps it, so qmail-send cannot start
 * during the repair. Checking alone works while qmail-send runs, but then shows a
 * snapshot: a message in transit between two states may be reported.
 * Runs as root.
 *
 * DIAGNOSTICS: 0 no problem (or every problem fixed); 1 problems found and not all
 * fixed; 2 -r refused because qmail-send is running; 100 usage; 111 system error.
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
#include "auto.h"
#include "die.h"
#include "fmt.h"
#include "ids.h"
#include "lock.h"
#include "queue.h"
#include "scan.h"
#include "size.h"
#include "tm.h"

#define STALE_INTD 86400  /* intd/ID older than this: qmail-queue has given up */
#define STALE_MESS 129600 /* mess/ID alone and unread this long: an injection died */

enum { MESS, INFO, LOCAL, REMOTE, BOUNCE, HOLD, TODO, INTD, NSET };

static const char *const names[NSET] = {"mess",   "info", "local", "remote",
					"bounce", "hold", "todo",  "intd"};
static const int split[NSET] = {1, 1, 1, 1, 0, 0, 0, 0};

typedef struct set_s {
	uint64_t *v; /* message numbers found, sorted after the scan */
	size_t n;    /* used */
	size_t a;    /* allocated */
} set;

static struct {
	set s[NSET];         /* what each directory holds */
	int repair;          /* -r */
	ids x;               /* the queue accounts */
	uint64_t now;        /* time of the start */
	unsigned long found; /* problems */
	unsigned long fixed; /* problems repaired */
} g;

/* die_nomem - the one out-of-memory exit */
static _Noreturn void die_nomem(void)
{
	die_x(111, "out of memory", NULL);
}

/* add - put id into set k */
static void add(int k, uint64_t id)
{
	set *x = &g.s[k];
	if (x->n == x->a) {
		size_t want, bytes;
		void *p = x->v;
		if (!size_mul(&want, x->a ? x->a : 32, 2) ||
		    !size_mul(&bytes, want, sizeof *x->v) || !alloc_resize(&p, bytes))
			die_nomem();
		x->v = p;
		x->a = want;
	}
	x->v[x->n++] = id;
}

/* cmp - qsort and bsearch order of ids */
static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* has - whether set k holds id */
static int has(int k, uint64_t id)
{
	return g.s[k].n && bsearch(&id, g.s[k].v, g.s[k].n, sizeof id, cmp) != 0;
}

/* report - one problem; how is the repair (0: none possible), done whether made.
 * The path is shown with each byte that is not printable ASCII as '?': a stray
 * name must not send control codes to the terminal. */
static void report(const char *path, const char *what, const char *how, int done)
{
	char shown[QUEUE_PATHMAX + 300];
	size_t i;
	for (i = 0; path[i] && i < sizeof shown - 1; ++i) {
		unsigned char c = (unsigned char)path[i];
		shown[i] = c < 0x20 || c > 0x7e ? '?' : (char)c;
	}
	shown[i] = 0;
	++g.found;
	if (done)
		++g.fixed;
	msg_put(1, "queue/", shown, ": ", what, done ? "; fixed: " : "", done ? how : "",
		!done && how && g.repair ? "; NOT fixed" : "", !how ? " (left alone)" : "", NULL);
}

/* rm - remove path when repairing; whether it is gone */
static int rm(const char *path)
{
	if (!g.repair)
		return 0;
	if (unlink(path) == 0 || errno == ENOENT)
		return 1;
	warn_sys("unable to unlink queue/", path, NULL);
	return 0;
}

/* owner - check owner and mode of path (lstat'ed as st) */
static void owner(const char *path, const struct stat *st, uid_t uid, mode_t mode)
{
	if (st->st_uid != uid) {
		int ok = g.repair && lchown(path, uid, (gid_t)-1) == 0;
		if (g.repair && !ok)
			warn_sys("unable to chown queue/", path, NULL);
		report(path, "wrong owner", "owner set", ok);
	}
	if ((st->st_mode & 07777) != mode) {
		int ok = g.repair && chmod(path, mode) == 0;
		if (g.repair && !ok)
			warn_sys("unable to chmod queue/", path, NULL);
		report(path, "wrong mode", "mode set", ok);
	}
}

/* entry - one directory entry of set k, found in dir (split number sp or -1) */
static void entry(int k, const char *dir, int sp, const char *name)
{
	char path[QUEUE_PATHMAX + 300], right[QUEUE_PATHMAX];
	struct stat st;
	uint64_t id;
	size_t n = strlen(dir);
	int moved = 0;
	if (strlen(name) > 255)
		return;
	memcpy(path, dir, n);
	path[n] = '/';
	memcpy(path + n + 1, name, strlen(name) + 1);
	if (!scan_u64_all(name, strlen(name), &id) || (name[0] == '0' && name[1])) {
		report(path, "not a message number", 0, 0);
		return;
	}
	if (lstat(path, &st) == -1) {
		if (errno != ENOENT)
			warn_sys("unable to stat queue/", path, NULL);
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		report(path, "not a regular file", 0, 0);
		return;
	}
	if (k == MESS && (uint64_t)st.st_ino != id) {
		report(path, "its inode number is not its name", 0, 0);
		return;
	}
	if (k == MESS || k == TODO || k == INTD)
		owner(path, &st, g.x.uidq, 0644);
	else
		owner(path, &st, g.x.uids, 0600);
	if (sp >= 0 && (unsigned)sp != queue_split(id)) {
		queue_name(right, names[k], id, 1);
		if (g.repair && lstat(right, &st) == -1 && errno == ENOENT)
			moved = rename(path, right) == 0;
		report(path, "in the wrong split directory", "moved to the right one", moved);
		if (!moved) {
			add(k, id); /* it exists: never judge the message as if it did not */
			return;
		}
	}
	add(k, id);
}

/* scan - read directory dir into set k */
static void scan(int k, const char *dir, int sp)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	if (!d && errno == ENOENT) {
		report(dir, "missing (make setup creates it)", 0, 0);
		return;
	}
	if (!d)
		die_sys(111, "unable to open queue/", dir, NULL);
	while ((e = readdir(d)) != 0)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			entry(k, dir, sp, e->d_name);
	closedir(d);
}

/* scan_ctl - requests may wait; a temporary request file left over is stale */
static void scan_ctl(void)
{
	char path[300];
	struct dirent *e;
	struct stat st;
	DIR *d = opendir("ctl");
	if (!d && errno == ENOENT) {
		report("ctl", "missing (make setup creates it)", 0, 0);
		return;
	}
	if (!d)
		die_sys(111, "unable to open queue/ctl", NULL);
	while ((e = readdir(d)) != 0) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || strlen(e->d_name) > 250)
			continue;
		memcpy(path, "ctl/", 4);
		memcpy(path + 4, e->d_name, strlen(e->d_name) + 1);
		if (lstat(path, &st) == -1)
			continue;
		if (!strncmp(e->d_name, "tmp.", 4) && S_ISREG(st.st_mode))
			report(path, "unfinished request", "removed", rm(path));
		else if (S_ISREG(st.st_mode))
			owner(path, &st, g.x.uids, 0600);
		else
			report(path, "not a regular file", 0, 0);
	}
	closedir(d);
}

/* age - seconds since path's mtime (atime when use_atime); 0 when it is gone */
static uint64_t age(const char *path, int use_atime)
{
	struct stat st;
	uint64_t t;
	if (stat(path, &st) == -1)
		return 0;
	t = (uint64_t)(use_atime ? st.st_atime : st.st_mtime);
	return g.now > t ? g.now - t : 0;
}

/* orphan - a file of set k for a message whose mess file is missing */
static void orphan(int k, uint64_t id)
{
	char path[QUEUE_PATHMAX];
	queue_name(path, names[k], id, split[k]);
	if (k == TODO) {
		char intd[QUEUE_PATHMAX];
		queue_name(intd, "intd", id, 0);
		report(path, "no mess file", "todo and intd removed", rm(path) && rm(intd));
		return;
	}
	report(path, "no mess file", "removed", rm(path));
}

/* make_info - an info file with an empty sender for a message that lost its own */
static int make_info(uint64_t id)
{
	char path[QUEUE_PATHMAX], mess[QUEUE_PATHMAX];
	struct stat st;
	int fd, ok;
	if (!g.repair)
		return 0;
	queue_name(path, "info", id, 1);
	queue_name(mess, "mess", id, 1);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1)
		return 0;
	ok = write(fd, "F", 2) == 2 && fchown(fd, g.x.uids, g.x.gidq) == 0 && fsync(fd) == 0;
	if (close(fd) == -1)
		ok = 0;
	if (ok && stat(mess, &st) == 0) {
		struct timespec t[2];
		t[0] = st.st_mtim;
		t[1] = st.st_mtim;
		utimensat(AT_FDCWD, path, t, 0);
	}
	if (!ok)
		unlink(path);
	return ok;
}

/* message - the cross checks of one message number */
static void message(uint64_t id)
{
	char path[QUEUE_PATHMAX], p2[QUEUE_PATHMAX];
	int k, m = has(MESS, id), t = has(TODO, id), i = has(INFO, id);
	int l = has(LOCAL, id), r = has(REMOTE, id), b = has(BOUNCE, id);
	if (!m) {
		for (k = INFO; k < INTD; ++k)
			if (has(k, id))
				orphan(k, id);
	}
	if (has(INTD, id) && !t) {
		queue_name(path, "intd", id, 0);
		if (!m || i || age(path, 0) > STALE_INTD)
			report(path, "left over from an injection", "removed", rm(path));
	}
	if (!m)
		return;
	if (!i && !t && (l || r)) {
		queue_name(path, l ? "local" : "remote", id, 1);
		report(path, "no info file: the sender is lost", "info made with an empty sender",
		       make_info(id));
	}
	if (i && !t && !l && !r && !b) {
		queue_name(path, "info", id, 1);
		queue_name(p2, "mess", id, 1);
		report(path, "neither a local nor a remote part: no recipient is left",
		       "info and mess removed", rm(path) && rm(p2));
	}
	if (b && !i && !t) {
		queue_name(path, "bounce", id, 0);
		report(path, "no info file", "removed", rm(path));
	}
	if (has(HOLD, id) && !i && !t) {
		queue_name(path, "hold", id, 0);
		report(path, "no such message", "removed", rm(path));
	}
	if (!i && !t && !l && !r && !has(INTD, id)) {
		queue_name(path, "mess", id, 1);
		if (age(path, 1) > STALE_MESS)
			report(path, "an injection that never finished", "removed", rm(path));
	}
}

/* run - scan everything, sort, then check each message number once */
static void run(void)
{
	char dir[QUEUE_PATHMAX];
	int k;
	size_t j;
	unsigned sp;
	for (k = 0; k < NSET; ++k)
		if (split[k])
			for (sp = 0; sp < AUTO_SPLIT; ++sp) {
				queue_name(dir, names[k], sp, 0);
				scan(k, dir, (int)sp);
			}
		else
			scan(k, names[k], -1);
	scan_ctl();
	for (k = 0; k < NSET; ++k)
		if (g.s[k].n)
			qsort(g.s[k].v, g.s[k].n, sizeof *g.s[k].v, cmp);
	for (k = 0; k < NSET; ++k)
		for (j = 0; j < g.s[k].n; ++j) {
			uint64_t id = g.s[k].v[j];
			int seen = 0, e;
			if (j && g.s[k].v[j - 1] == id)
				continue;
			for (e = 0; e < k && !seen; ++e)
				seen = has(e, id);
			if (!seen)
				message(id);
		}
}

/* summary - the last line */
static void summary(void)
{
	char a[FMT_U64], b[FMT_U64];
	a[fmt_u64(a, g.found)] = 0;
	b[fmt_u64(b, g.fixed)] = 0;
	if (!g.found)
		msg_put(1, "no problems found", NULL);
	else if (g.repair)
		msg_put(1, a, " problems found, ", b, " fixed", NULL);
	else
		msg_put(1, a, " problems found", NULL);
}

int main(int argc, char **argv)
{
	const char *name;
	int fd;
	die_init(argv[0]);
	if (argc == 2 && !strcmp(argv[1], "-r"))
		g.repair = 1;
	else if (argc != 1)
		die_x(100, "usage: qmail-qcheck [-r]", NULL);
	if (geteuid() != 0)
		die_x(111, "must be run by root", NULL);
	if (!ids_get(&g.x, IDS_QUEUE | IDS_SEND | IDS_GROUPQ, &name))
		die_sys(111, "unable to look up ", name, NULL);
	if (chdir(auto_qmail) == -1 || chdir("queue") == -1)
		die_sys(111, "unable to switch to ", auto_qmail, "/queue", NULL);
	fd = open("lock/sendmutex", O_RDWR | O_CLOEXEC);
	if (fd == -1)
		die_sys(111, "unable to open queue/lock/sendmutex", NULL);
	if (!lock_exnb(fd)) {
		if (errno != EWOULDBLOCK && errno != EAGAIN)
			die_sys(111, "unable to lock queue/lock/sendmutex", NULL);
		if (g.repair)
			die_x(2, "qmail-send is running; stop it before repairing the queue", NULL);
	}
	g.now = (uint64_t)tm_now();
	run();
	summary();
	close(fd);
	return g.found == g.fixed ? 0 : 1;
}
