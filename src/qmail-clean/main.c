/*
 * qmail-clean - remove queue files for qmail-send, which may not (SPEC sections 3, 5).
 * Runs as qmailq in QMAILHOME/queue. Reads requests on fd 0, each ending in a NUL:
 *	foop/ID		remove intd/ID, then mess/SPLIT/ID (a message is finished)
 *	todo/ID		remove todo/ID, then intd/ID (a message was preprocessed)
 * and answers each with one byte on fd 1: '+' done (a file already gone counts as
 * removed), '!' an unlink failed, 'x' the request is malformed. After removing
 * todo/ID it syncs the todo directory before answering '+': a todo entry that came
 * back after a crash would make qmail-send deliver the message twice; intd/ID, the
 * same inode, goes after that sync. "Remove" means: cut the file to its first block
 * and keep it in queue/qpool/SPLIT for qmail-queue to take (spare.c), or unlink it.
 * Requests that are already waiting when one has been read are carried out together
 * (up to BATCH), with one sync of todo/ for all of them before their answers, which
 * go out in order; one request alone is answered as soon as it is done. At startup
 * and every 30 requests it removes pid/ files whose atime is older than 36 hours,
 * left by a qmail-queue that died (qmail-queue gives up after 24 hours).
 * DIAGNOSTICS: exit 0 when fd 0 ends; 111 when QMAILHOME/queue is unreachable or a
 * reply cannot be written; 112 when memory runs out.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auto.h"
#include "buf.h"
#include "die.h"
#include "fd.h"
#include "file.h"
#include "queue.h"
#include "scan.h"
#include "spare.h"
#include "str.h"
#include "tm.h"

#define REQMAX     100         /* longest request, its NUL included */
#define REQMIN     7           /* shortest: "foop/" + a digit + NUL */
#define REAP_EVERY 30          /* requests between two sweeps of pid/ */
#define REAP_AGE   (36 * 3600) /* a pid/ file this old belongs to a dead qmail-queue */
#define BATCH      64          /* requests carried out before answering */

static struct {
	buf in;               /* requests from qmail-send */
	char space[256];      /* storage for in */
	sa req;               /* the current request */
	unsigned long reqs;   /* requests since the last sweep */
	spare sp[AUTO_SPLIT]; /* queue/qpool/0, 1, ... */
} cl;

/* reap - remove pid/ files not accessed for REAP_AGE seconds; errors are ignored,
 * the next sweep tries again */
static void reap(void)
{
	DIR *d = opendir("pid");
	struct dirent *e;
	time_t now = tm_now();
	char path[300];
	if (!d)
		return;
	while ((e = readdir(d)) != 0) {
		struct stat st;
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.' || n > sizeof path - 5)
			continue;
		memcpy(path, "pid/", 4);
		memcpy(path + 4, e->d_name, n + 1);
		if (stat(path, &st) == 0 && st.st_atime < now - REAP_AGE)
			unlink(path);
	}
	closedir(d);
}

/* gone - retire path, a file of message id, into queue/qpool/SPLIT (the message's
 * split), or unlink it; a file that is already gone counts as removed */
static int gone(const char *path, uint64_t id)
{
	return spare_give(&cl.sp[queue_split(id)], path);
}

/* serve - carry out one request of len bytes (its NUL not counted); the reply.
 * For a todo request, *id is set, and intd/ID is left for answer() (see there). */
static char serve(const char *r, size_t len, uint64_t *id)
{
	char path[QUEUE_PATHMAX];
	if (len + 1 < REQMIN || len + 1 > REQMAX || memchr(r, 0, len))
		return 'x';
	if (!str_start(r, "foop/") && !str_start(r, "todo/"))
		return 'x';
	if (!scan_u64_all(r + 5, len - 5, id))
		return 'x';
	if (str_start(r, "todo/")) {
		queue_name(path, "todo", *id, 0);
		return unlink(path) == 0 || errno == ENOENT ? '+' : '!';
	}
	queue_name(path, "intd", *id, 0);
	if (!gone(path, *id))
		return '!';
	queue_name(path, "mess", *id, 1);
	return gone(path, *id) ? '+' : '!';
}

/* waiting - another request is already buffered or readable on fd 0 */
static int waiting(void)
{
	struct pollfd p;
	size_t n;
	buf_peek(&cl.in, &n);
	if (n)
		return 1;
	p.fd = 0;
	p.events = POLLIN;
	return poll(&p, 1, 0) > 0;
}

/* answer - sync todo/ if a todo removal needs it, then send the n replies; a
 * failed sync turns every todo '+' of the batch into '!'. Then the intd files of
 * the todo requests answered '+' go: intd/ID and todo/ID are one inode, which may
 * go to queue/qpool (and be written over) only once no crash can bring todo/ID
 * back, that is after the sync. */
static void answer(char *reply, const uint64_t *todo, size_t n)
{
	char path[QUEUE_PATHMAX];
	size_t i;
	int sync = 0;
	for (i = 0; i < n; ++i)
		if (todo[i] && reply[i] == '+')
			sync = 1;
	if (sync && !file_syncdir("todo"))
		for (i = 0; i < n; ++i)
			if (todo[i] && reply[i] == '+')
				reply[i] = '!';
	if (n && !fd_write_all(1, reply, n))
		die_sys(111, "unable to write to qmail-send", NULL);
	for (i = 0; i < n; ++i)
		if (todo[i] && reply[i] == '+') {
			queue_name(path, "intd", todo[i], 0);
			gone(path, todo[i]); /* a leftover intd/ID goes with its message (foop) */
		}
}

/* run - answer requests until qmail-send closes fd 0 */
static void run(void)
{
	for (;;) {
		char reply[BATCH];
		uint64_t todo[BATCH]; /* the ID of a todo request, else 0 */
		size_t n = 0;
		int r = 1;
		do {
			unsigned int flags;
			uint64_t id = 0;
			cl.req.len = 0;
			r = buf_getline(&cl.in, &cl.req, REQMAX + 1, 0, &flags);
			if (r == -1 && errno == ENOMEM)
				die_x(112, "out of memory", NULL);
			if (r <= 0 || (flags & BUF_PARTIAL)) {
				r = 0;
				break;
			}
			if (flags & BUF_OVERLONG)
				reply[n] = 'x';
			else
				reply[n] = serve(cl.req.s, cl.req.len - 1, &id);
			todo[n] = reply[n] != 'x' && str_start(cl.req.s, "todo/") ? id : 0;
			++n;
		} while (n < BATCH && waiting());
		answer(reply, todo, n);
		if (!r)
			return;
		cl.reqs += n;
		if (cl.reqs >= REAP_EVERY) {
			cl.reqs = 0;
			reap();
		}
	}
}

int main(int argc, char **argv)
{
	unsigned k;
	(void)argc;
	die_init(argv[0]);
	if (chdir(auto_qmail) == -1 || chdir("queue") == -1)
		die_sys(111, "unable to switch to ", auto_qmail, "/queue", NULL);
	buf_init(&cl.in, 0, cl.space, sizeof cl.space);
	for (k = 0; k < AUTO_SPLIT; ++k)
		spare_part(&cl.sp[k], "qpool", k, (unsigned)getpid());
	reap();
	run();
	return 0;
}
