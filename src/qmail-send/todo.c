/*
 * todo.c - preprocessing: todo/ID, written by qmail-queue, becomes info/SPLIT/ID
 * (the sender), local/SPLIT/ID and remote/SPLIT/ID (the rewritten recipients).
 * Entries are taken in batches of up to TODO_BATCH, so that the disk flushes of a
 * whole batch are shared (group commit), and the main loop never waits for a
 * flush or for qmail-clean: it goes on delivering while a batch is synced (one
 * batch at a time) and while qmail-clean removes its todo entries.
 *
 * Crash safety. The step order for a batch is:
 *   1. for each entry: read todo/ID through once, checking every record (a corrupt
 *      entry is logged and set aside for the postmaster, never half-processed);
 *      unlink info, local and remote left by an earlier attempt; create info (its
 *      mtime is the message's birth), then local and remote, each O_EXCL; write
 *      them (no fsync yet; the files stay open);
 *   2. fsync every file of the batch and every directory holding one, all at once
 *      (syncq.h); the main loop learns when all are done;
 *   3. an entry whose files or directories all synced is complete; one with any
 *      failure has its files removed and stays in todo/ for a later scan (new
 *      data, never a second fsync of the same data);
 *   4. only then ask qmail-clean to remove todo/ID of the complete entries, in one
 *      batch (it syncs todo/ once for the batch before answering);
 *   5. only after its '+' for an entry (read by clean.c when it arrives), schedule
 *      that message's deliveries.
 * Invariant: while todo/ID exists, nothing was delivered and everything after it
 * may be redone; once todo/ID is gone, info/local/remote are on disk. Each file and
 * directory is synced by its own fsync; the batch only shares the waiting. At
 * startup sched_rescan skips messages whose todo/ID still exists, as this module
 * will redo them. todo/ is listed again only when no entry of the last listing is
 * on its way (todo_busy), so no message is preprocessed twice at once.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "envcheck.h"
#include "error.h"
#include "fmt.h"
#include "queue.h"
#include "scan.h"
#include "send.h"

#define TODO_ADDRMAX ENVCHECK_MAX     /* longest record accepted in todo/ID */
#define TODO_DIRS    (3 * TODO_BATCH) /* distinct directories a batch may touch */

typedef struct outf_s {
	int fd;                   /* open file, or -1 */
	int made;                 /* the file was created (and must go on failure) */
	char path[QUEUE_PATHMAX]; /* info/SPLIT/ID, local/SPLIT/ID or remote/SPLIT/ID */
	buf b;                    /* buffered writes */
	char space[4096];         /* storage for b */
} outf;

typedef struct entry_s {
	uint64_t id;                 /* message id */
	unsigned mask;               /* channels that got recipients */
	int ok;                      /* everything written and synced so far */
	int fd[3];                   /* local, remote, info (open, unsynced), or -1 */
	int dir[3];                  /* index of each file's directory in the batch */
	char path[3][QUEUE_PATHMAX]; /* their names */
} entry;

typedef struct batch_s {
	entry e[TODO_BATCH];                 /* the entries written */
	size_t n;                            /* entries in use */
	char dir[TODO_DIRS][QUEUE_PATHMAX];  /* the directories they touch */
	int dirfd[TODO_DIRS];                /* open directories, or -1 */
	size_t ndir;                         /* directories in use */
	int fd[TODO_BATCH * 3 + TODO_DIRS];  /* being synced: the files, then the dirs */
	int err[TODO_BATCH * 3 + TODO_DIRS]; /* their fsyncs' results */
	size_t nfd;                          /* how many */
} batch;

typedef struct envinfo_s {
	uint64_t uid;  /* 'u' record: the injecting user */
	uint64_t qp;   /* 'p' record: qmail-queue's pid */
	uint64_t size; /* bytes of mess/SPLIT/ID */
} envinfo;

/* trigger_open - (re)open lock/trigger; opening anew clears the end-of-file
 * condition a writer leaves behind, so poll reports only new pulls. A pull that
 * was still unread goes with the old descriptor (the loop does not poll the
 * trigger while a todo scan is pending, which a busy batch delays), and it may
 * have been for a request in ctl/: ctl/ is looked at too. */
static void trigger_open(send *s)
{
	if (s->trigfd >= 0)
		close(s->trigfd);
	s->trigfd = open("lock/trigger", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	s->ctl_trig = 1;
}

/* todo_scan - reopen the trigger, then list todo/ into the backlog */
void todo_scan(send *s, uint64_t now)
{
	DIR *d;
	struct dirent *e;
	s->todo_trig = 0;
	s->todo_next = now + TODO_EVERY;
	trigger_open(s);
	d = opendir("todo");
	if (!d) {
		log_put("warning: unable to open todo: ", error_str(errno), NULL);
		return;
	}
	while ((e = readdir(d)) != 0) {
		uint64_t id;
		if (!scan_u64_all(e->d_name, strlen(e->d_name), &id))
			continue;
		while (!pq_push(&s->todo, id, id))
			log_nomem();
	}
	closedir(d);
}

/* aside - log a corrupt todo entry and leave it alone from now on */
static void aside(send *s, uint64_t id, const char *todo, const char *why)
{
	log_put("warning: ", why, " in ", todo, "; leaving it for the postmaster", NULL);
	idset_add(&s->todo_bad, id);
}

/* check - pass 1: the whole of todo/ID through envcheck (every record well formed,
 * exactly one sender before any recipient); 1 good, 0 corrupt (with *why), -1 on a
 * read error */
static int check(int fd, envinfo *v, const char **why)
{
	envcheck e;
	buf b;
	char space[4096];
	buf_init(&b, fd, space, sizeof space);
	envcheck_init(&e);
	for (;;) {
		size_t n;
		const char *p;
		ssize_t r = buf_feed(&b);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		p = buf_peek(&b, &n);
		envcheck_feed(&e, p, n);
		buf_skip(&b, n);
		if (e.why)
			break;
	}
	if (!envcheck_end(&e)) {
		*why = e.why;
		return 0;
	}
	v->uid = e.uid;
	v->qp = e.qp;
	return 1;
}

/* out_create - create dir/SPLIT/ID for writing, taking a spare file from sspare/
 * when there is one (todo/ID exists meanwhile, so nothing reads it before it is
 * written and synced); 0 with errno */
static int out_create(send *s, outf *o, const char *dir, uint64_t id)
{
	queue_name(o->path, dir, id, 1);
	o->fd = spare_take(&s->spare, o->path, 0600);
	if (o->fd == -1)
		o->fd = open(o->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (o->fd == -1)
		return 0;
	o->made = 1;
	buf_init(&o->b, o->fd, o->space, sizeof o->space);
	return 1;
}

/* out_flush - write out o's buffer and end the file there (a spare's earlier bytes
 * go); the file stays open for the batch's fsync */
static int out_flush(outf *o)
{
	if (buf_flush(&o->b) && spare_cut(o->fd))
		return 1;
	log_put("warning: trouble writing to ", o->path, ": ", error_str(errno), NULL);
	return 0;
}

/* put - write one record (letter, bytes, NUL) to o */
static int put(outf *o, char letter, const char *s, size_t n)
{
	return buf_put(&o->b, &letter, 1) && buf_put(&o->b, s, n) && buf_put(&o->b, "", 1);
}

/* log_info - "info msg ID: bytes SIZE from <SENDER> qp PID uid UID" */
static void log_info(send *s, uint64_t id, const envinfo *v, const char *sender, size_t n)
{
	sa *l = &s->line;
	l->len = 0;
	sa_cats(l, "info msg ");
	sa_catu(l, id);
	sa_cats(l, ": bytes ");
	sa_catu(l, v->size);
	sa_cats(l, " from <");
	log_safe(l, sender, n);
	sa_cats(l, "> qp ");
	sa_catu(l, v->qp);
	sa_cats(l, " uid ");
	sa_catu(l, v->uid);
	log_end(l);
}

/* copy - pass 2: write info, local and remote; 1 when all are written (not yet
 * synced), with *mask the channels that got recipients */
static int copy(send *s, uint64_t id, int fd, const envinfo *v, outf o[3], unsigned *mask)
{
	static const char *const dirs[] = {"local", "remote"};
	char num[FMT_U64];
	buf b;
	char space[4096];
	int i;
	buf_init(&b, fd, space, sizeof space);
	if (!out_create(s, &o[2], "info", id)) {
		log_put("warning: unable to create ", o[2].path, ": ", error_str(errno), NULL);
		return 0;
	}
	log_put("new msg ", log_u(num, id), NULL);
	for (;;) {
		uint64_t len;
		unsigned flags;
		int ch, r = rec_get(&b, &s->tmp, TODO_ADDRMAX, &len, &flags);
		if (r == 0)
			break;
		if (r == -1) {
			log_put("warning: trouble reading todo/", num, ": ", error_str(errno),
				NULL);
			return 0;
		}
		if (s->tmp.s[0] == 'F') {
			if (!put(&o[2], 'F', s->tmp.s + 1, s->tmp.len - 1))
				goto wfail;
			log_info(s, id, v, s->tmp.s + 1, s->tmp.len - 1);
		}
		if (s->tmp.s[0] != 'T')
			continue;
		while (!rewrite_rcpt(&s->rw, s->tmp.s + 1, s->tmp.len - 1, &s->tmp2, &ch))
			log_nomem();
		ch = ch == REWRITE_LOCAL ? CHAN_LOCAL : CHAN_REMOTE;
		if (o[ch].fd == -1 && !out_create(s, &o[ch], dirs[ch], id)) {
			log_put("warning: unable to create ", o[ch].path, ": ", error_str(errno),
				NULL);
			return 0;
		}
		*mask |= 1u << ch;
		if (!put(&o[ch], 'T', s->tmp2.s, s->tmp2.len)) {
			log_put("warning: trouble writing to ", o[ch].path, ": ", error_str(errno),
				NULL);
			return 0;
		}
	}
	for (i = 0; i < 3; ++i)
		if (o[i].fd != -1 && !out_flush(&o[i]))
			return 0;
	return 1;
wfail:
	log_put("warning: trouble writing to ", o[2].path, ": ", error_str(errno), NULL);
	return 0;
}

/* queued - todo/ID is gone: hand the message to the schedules */
static void queued(send *s, uint64_t id, unsigned mask, uint64_t now)
{
	int c;
	for (c = 0; c < NCHAN; ++c)
		if (mask & (1u << c))
			sched_push(s, c, id, now);
	if (!mask)
		finish_add(s, id, now);
}

/* unclean - qmail-clean failed to remove todo/ID earlier: ask again */
static void unclean(send *s, uint64_t id, uint64_t now)
{
	static const char *const dirs[] = {"local", "remote"};
	char path[QUEUE_PATHMAX], num[FMT_U64];
	unsigned mask = 0;
	int c;
	struct stat st;
	if (clean_req(s, "todo", id) != '+') {
		log_put("warning: qmail-clean unable to clean up todo/", log_u(num, id), NULL);
		return;
	}
	idset_del(&s->todo_unclean, id);
	for (c = 0; c < NCHAN; ++c) {
		queue_name(path, dirs[c], id, 1);
		if (stat(path, &st) == 0)
			mask |= 1u << c;
	}
	queued(s, id, mask, now);
}

/* stale - unlink path left by an earlier attempt; 0 (logged) if it is still there */
static int stale(const char *dir, uint64_t id)
{
	char path[QUEUE_PATHMAX];
	queue_name(path, dir, id, 1);
	if (unlink(path) == -1 && errno != ENOENT) {
		log_put("warning: unable to unlink ", path, ": ", error_str(errno), NULL);
		return 0;
	}
	return 1;
}

/* dir_of - the index of path's directory in the batch, opened on first use; -1 if
 * it cannot be opened (logged; a later entry tries again) */
static int dir_of(batch *b, const char *path)
{
	char dir[QUEUE_PATHMAX];
	size_t i;
	memcpy(dir, path, sizeof dir);
	*strrchr(dir, '/') = 0;
	for (i = 0; i < b->ndir; ++i)
		if (!strcmp(b->dir[i], dir))
			return (int)i;
	if (b->ndir == TODO_DIRS)
		return -1; /* cannot happen: each entry adds at most three */
	b->dirfd[b->ndir] = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->dirfd[b->ndir] == -1) {
		log_put("warning: unable to open ", dir, ": ", error_str(errno), NULL);
		return -1;
	}
	memcpy(b->dir[b->ndir], dir, sizeof dir);
	return (int)b->ndir++;
}

/* prepare - step 1 for todo/ID: 1 when its files are written into the batch's next
 * entry; 0 when the entry was set aside or must wait for a later scan */
static int prepare(send *s, batch *b, uint64_t id)
{
	char todo[QUEUE_PATHMAX], mess[QUEUE_PATHMAX];
	const char *why = "";
	envinfo v = {0, 0, 0};
	outf o[3];
	entry *e = &b->e[b->n];
	struct stat st;
	int fd, r, i;
	queue_name(todo, "todo", id, 0);
	queue_name(mess, "mess", id, 1);
	fd = open(todo, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		if (errno != ENOENT)
			log_put("warning: unable to open ", todo, ": ", error_str(errno), NULL);
		return 0;
	}
	if (stat(mess, &st) == -1) {
		if (errno == ENOENT)
			aside(s, id, todo, "no message file");
		else
			log_put("warning: unable to stat ", mess, ": ", error_str(errno), NULL);
		close(fd);
		return 0;
	}
	v.size = (uint64_t)st.st_size;
	r = check(fd, &v, &why);
	if (r == 0)
		aside(s, id, todo, why);
	if (r == -1)
		log_put("warning: trouble reading ", todo, ": ", error_str(errno), NULL);
	if (r != 1 || !stale("info", id) || !stale("local", id) || !stale("remote", id)) {
		close(fd);
		return 0;
	}
	if (lseek(fd, 0, SEEK_SET) == -1) {
		log_put("warning: trouble reading ", todo, ": ", error_str(errno), NULL);
		close(fd);
		return 0;
	}
	for (i = 0; i < 3; ++i) {
		o[i].fd = -1;
		o[i].made = 0;
		o[i].path[0] = 0;
	}
	e->id = id;
	e->mask = 0;
	e->ok = 1;
	r = copy(s, id, fd, &v, o, &e->mask);
	close(fd);
	for (i = 0; i < 3; ++i) {
		e->fd[i] = o[i].fd;
		e->dir[i] = -1;
		memcpy(e->path[i], o[i].path, sizeof e->path[i]);
		if (r && o[i].fd != -1 && (e->dir[i] = dir_of(b, o[i].path)) == -1)
			r = 0;
	}
	if (!r) {
		for (i = 0; i < 3; ++i) {
			if (o[i].fd != -1)
				close(o[i].fd);
			if (o[i].made)
				unlink(o[i].path);
		}
		return 0;
	}
	++b->n;
	return 1;
}

/* synced - step 3: an entry with any failure loses its files and keeps todo/ID */
static void synced(batch *b)
{
	size_t n, k, first = b->nfd - b->ndir;
	int i;
	for (n = 0, k = 0; k < b->n; ++k) {
		entry *e = &b->e[k];
		for (i = 0; i < 3; ++i) {
			if (e->fd[i] == -1)
				continue;
			if (b->err[n] || b->err[first + (size_t)e->dir[i]]) {
				int bad = b->err[n] ? b->err[n] : b->err[first + (size_t)e->dir[i]];
				log_put("warning: trouble fsyncing ", e->path[i], ": ",
					error_str(bad), NULL);
				e->ok = 0;
			}
			++n;
			if (close(e->fd[i]) == -1 && e->ok) {
				log_put("warning: trouble writing to ", e->path[i], ": ",
					error_str(errno), NULL);
				e->ok = 0;
			}
			e->fd[i] = -1;
		}
		if (!e->ok)
			for (i = 0; i < 3; ++i)
				if (e->path[i][0] && e->dir[i] != -1)
					unlink(e->path[i]);
	}
}

/* collected - the batch's fsyncs are done: step 3, then step 4 for its complete
 * entries; the batch is free again */
static void collected(send *s)
{
	batch *b = s->batch;
	uint64_t id[TODO_BATCH];
	unsigned mask[TODO_BATCH];
	size_t k, n = 0;
	synced(b);
	for (k = 0; k < b->ndir; ++k)
		close(b->dirfd[k]);
	for (k = 0; k < b->n; ++k)
		if (b->e[k].ok) {
			id[n] = b->e[k].id;
			mask[n++] = b->e[k].mask;
		}
	b->n = b->ndir = b->nfd = 0;
	if (n && !clean_todo(s, id, mask, n))
		for (k = 0; k < n; ++k)
			idset_add(&s->todo_unclean, id[k]);
}

/* todo_cleaned - step 5, for one answer of qmail-clean: todo/ID of message id is
 * gone ('+'), so it is scheduled; else qmail-clean is asked again later */
void todo_cleaned(send *s, uint64_t id, unsigned mask, char r, uint64_t now)
{
	char num[FMT_U64];
	if (r != '+') {
		log_put("warning: qmail-clean unable to clean up todo/", log_u(num, id), NULL);
		idset_add(&s->todo_unclean, id);
		return;
	}
	queued(s, id, mask, now);
}

/* todo_synced - the sync queue's descriptor was readable: finish the batch if its
 * fsyncs are done */
void todo_synced(send *s)
{
	if (syncq_done(&s->sq))
		collected(s);
}

/* todo_end - at exit: wait for a batch still being synced and finish it */
void todo_end(send *s)
{
	if (syncq_wait(&s->sq))
		collected(s);
}

/* todo_busy - whether entries listed by the last scan are still on their way (being
 * synced, or their todo/ID removal unanswered): a new scan would list them again */
int todo_busy(const send *s)
{
	return syncq_busy(&s->sq) || s->cleantodo;
}

/* todo_init - the batch and its sync queue; 0 with errno */
int todo_init(send *s)
{
	s->batch = alloc(sizeof *s->batch);
	if (!s->batch)
		return 0;
	s->batch->n = s->batch->ndir = s->batch->nfd = 0;
	return syncq_init(&s->sq);
}

/* todo_step - preprocess a batch of the backlog and start its fsyncs (steps 1 and
 * 2); the main loop calls todo_synced when they are done. One batch at a time. */
void todo_step(send *s, uint64_t now)
{
	batch *b = s->batch;
	size_t k;
	int i;
	if (syncq_busy(&s->sq))
		return;
	b->n = b->ndir = b->nfd = 0;
	while (b->n < TODO_BATCH && !s->exitasap) {
		pq_item it;
		if (!pq_top(&s->todo, &it))
			break;
		pq_pop(&s->todo);
		if (idset_has(&s->todo_bad, it.val))
			continue;
		if (idset_has(&s->todo_unclean, it.val))
			unclean(s, it.val, now);
		else
			prepare(s, b, it.val);
	}
	if (!b->n) {
		for (k = 0; k < b->ndir; ++k)
			close(b->dirfd[k]);
		b->ndir = 0;
		return;
	}
	for (k = 0; k < b->n; ++k)
		for (i = 0; i < 3; ++i)
			if (b->e[k].fd[i] != -1)
				b->fd[b->nfd++] = b->e[k].fd[i];
	for (k = 0; k < b->ndir; ++k)
		b->fd[b->nfd++] = b->dirfd[k];
	syncq_start(&s->sq, b->fd, b->nfd, b->err);
}
