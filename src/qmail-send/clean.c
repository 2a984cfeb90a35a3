/*
 * clean.c - qmail-send's side of qmail-clean, which removes the files qmail-send
 * may not (todo/, intd/ and mess/ belong to qmailq): requests, one or a batch at a
 * time, each answered by one byte. The main loop does not wait for the answers to
 * its removals (todo entries of preprocessed messages, files of finished ones):
 * the requests are sent and each answer is read when the loop sees it arrive
 * (clean_answers), so qmail-clean's work, its sync of todo/ included, overlaps
 * with ours; what an answer allows (scheduling a preprocessed message) happens
 * only then. At most CLEAN_PENDMAX are outstanding, and a request that needs its
 * answer at once first reads every outstanding one (qmail-clean answers in order).
 *
 * Also the sweep for stale files, run at startup and every CLEAN_EVERY seconds,
 * one directory per call so deliveries go on meanwhile:
 *   mess/SPLIT/ID not read for STALE_AGE, with neither info nor todo: a qmail-queue
 *     died before linking todo/ID; qmail-clean removes it (and intd/ID)
 *   bounce/ID without info/SPLIT/ID: left over from a message already removed
 * STALE_AGE exceeds qmail-queue's own 24 hour limit, so a slow injection is never
 * mistaken for a dead one.
 */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auto.h"
#include "fmt.h"
#include "queue.h"
#include "scan.h"
#include "send.h"
#include "tm.h"

/* lost - qmail-clean is gone; nothing can be removed any more, so stop */
static void lost(send *s)
{
	if (!s->cleanlost)
		log_put("alert: oh no! lost qmail-clean connection! dying...", NULL);
	s->cleanlost = 1;
	s->exitasap = 1;
}

/* transfer - write all len bytes of b to qmail-clean (fd 5) when out, else read
 * len bytes from it (fd 6) into b; 0 when the connection is lost */
static int transfer(send *s, int out, char *b, size_t len)
{
	size_t off = 0;
	ssize_t r;
	while (off < len) {
		r = out ? write(5, b + off, len - off) : read(6, b + off, len - off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			lost(s);
			return 0;
		}
		off += (size_t)r;
	}
	return 1;
}

/* answered - the oldest outstanding request got answer r */
static void answered(send *s, char r, uint64_t now)
{
	char path[QUEUE_PATHMAX];
	cleanreq q = s->cleanpend[s->cleanfirst];
	s->cleanfirst = (s->cleanfirst + 1) % CLEAN_PENDMAX;
	--s->cleann;
	if (q.todo) {
		--s->cleantodo;
		todo_cleaned(s, q.id, q.mask, r, now);
	} else if (r != '+') {
		queue_name(path, "mess", q.id, 1);
		log_put("warning: qmail-clean unable to clean up ", path, NULL);
	}
}

/* clean_answers - read the answers to outstanding requests: all of them, or (all
 * 0, when the main loop saw them arrive) those that are there */
void clean_answers(send *s, int all)
{
	char r[CLEAN_PENDMAX];
	size_t i, n;
	while (s->cleann && !s->cleanlost) {
		ssize_t got = read(6, r, s->cleann);
		uint64_t now = tm_now();
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			lost(s);
			return;
		}
		n = (size_t)got;
		for (i = 0; i < n; ++i)
			answered(s, r[i], now);
		if (!all)
			return;
	}
}

/* post - send the n requests dir/ID (one write) without waiting for the answers;
 * 0 when the connection is lost */
static int post(send *s, int todo, const uint64_t *id, const unsigned *mask, size_t n)
{
	char req[CLEAN_BATCH * QUEUE_PATHMAX];
	size_t len = 0, i;
	if (n > CLEAN_BATCH)
		return 0;
	while (s->cleann + n > CLEAN_PENDMAX && !s->cleanlost) {
		char r;
		if (!transfer(s, 0, &r, 1))
			return 0;
		answered(s, r, tm_now());
	}
	if (s->cleanlost)
		return 0;
	for (i = 0; i < n; ++i)
		len += queue_name(req + len, todo ? "todo" : "foop", id[i], 0) + 1;
	if (!transfer(s, 1, req, len))
		return 0;
	for (i = 0; i < n; ++i) {
		cleanreq *q = &s->cleanpend[(s->cleanfirst + s->cleann++) % CLEAN_PENDMAX];
		q->id = id[i];
		q->todo = todo;
		q->mask = mask ? mask[i] : 0;
	}
	if (todo)
		s->cleantodo += n;
	return 1;
}

/* clean_finished - ask qmail-clean to remove the files of finished message id
 * (mess/SPLIT/ID, intd/ID); the answer is read later */
void clean_finished(send *s, uint64_t id)
{
	post(s, 0, &id, 0, 1);
}

/* clean_todo - ask qmail-clean to remove the todo entries of n preprocessed
 * messages; each answer goes to todo_cleaned with the message's channel mask. 0
 * when the connection is lost (nothing was asked) */
int clean_todo(send *s, const uint64_t *id, const unsigned *mask, size_t n)
{
	return post(s, 1, id, mask, n);
}

/* clean_pending - whether a request for message id awaits its answer */
int clean_pending(const send *s, uint64_t id)
{
	size_t i;
	for (i = 0; i < s->cleann; ++i)
		if (s->cleanpend[(s->cleanfirst + i) % CLEAN_PENDMAX].id == id)
			return 1;
	return 0;
}

/* clean_reqs - ask qmail-clean to remove dir/ID for the n ids ("todo" or "foop"),
 * all requests in one write, then read its n answers into reply: '+' done, '!' an
 * unlink failed, 'x' refused. qmail-clean answers in order and may sync todo/ once
 * for all the requests it finds waiting. 0 when the connection is lost. n is at most
 * CLEAN_BATCH, so the requests fit in the pipe and neither side blocks the other. */
int clean_reqs(send *s, const char *dir, const uint64_t *id, size_t n, char *reply)
{
	char req[CLEAN_BATCH * QUEUE_PATHMAX];
	size_t len = 0, i;
	clean_answers(s, 1);
	if (s->cleanlost || n > CLEAN_BATCH)
		return 0;
	for (i = 0; i < n; ++i)
		len += queue_name(req + len, dir, id[i], 0) + 1;
	return transfer(s, 1, req, len) && transfer(s, 0, reply, n);
}

/* clean_req - one request of clean_reqs; its answer, or 0 when the connection is
 * lost */
int clean_req(send *s, const char *dir, uint64_t id)
{
	char c;
	return clean_reqs(s, dir, &id, 1, &c) ? c : 0;
}

/* exists - whether path exists; an error other than ENOENT counts as existing,
 * so doubt never removes anything */
static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 || errno != ENOENT;
}

/* sweep_mess - remove stale messages in mess/SPLIT */
static void sweep_mess(send *s, unsigned split, uint64_t now)
{
	char dir[QUEUE_PATHMAX], path[QUEUE_PATHMAX], num[FMT_U64];
	struct dirent *e;
	DIR *d;
	memcpy(dir, "mess/", 5);
	dir[5 + fmt_u64(dir + 5, split)] = 0;
	d = opendir(dir);
	if (!d) {
		log_put("warning: unable to open ", dir, NULL);
		return;
	}
	while ((e = readdir(d)) != 0) {
		uint64_t id;
		struct stat st;
		if (!scan_u64_all(e->d_name, strlen(e->d_name), &id))
			continue;
		queue_name(path, "mess", id, 1);
		if (stat(path, &st) == -1 || (uint64_t)st.st_atime + STALE_AGE >= now)
			continue;
		if (queue_known(path, id) != 0) /* doubt never removes anything */
			continue;
		if (clean_req(s, "foop", id) != '+') {
			log_put("warning: qmail-clean unable to clean up mess/", log_u(num, split),
				"/", e->d_name, NULL);
			if (s->exitasap)
				break;
		}
	}
	closedir(d);
}

/* sweep_bounce - remove bounce/ID files whose message is gone */
static void sweep_bounce(void)
{
	char path[QUEUE_PATHMAX];
	struct dirent *e;
	DIR *d = opendir("bounce");
	if (!d) {
		log_put("warning: unable to open bounce", NULL);
		return;
	}
	while ((e = readdir(d)) != 0) {
		uint64_t id;
		if (!scan_u64_all(e->d_name, strlen(e->d_name), &id))
			continue;
		queue_name(path, "info", id, 1);
		if (exists(path))
			continue;
		queue_name(path, "bounce", id, 0);
		if (unlink(path) == -1 && errno != ENOENT)
			log_put("warning: unable to unlink ", path, NULL);
	}
	closedir(d);
}

/* clean_step - start a sweep when one is due, or do its next directory */
void clean_step(send *s, uint64_t now)
{
	if (s->clean_step == CLEAN_IDLE) {
		if (now < s->clean_next)
			return;
		s->clean_step = 0;
	}
	if (s->clean_step < AUTO_SPLIT) {
		sweep_mess(s, s->clean_step++, now);
		return;
	}
	sweep_bounce();
	s->clean_step = CLEAN_IDLE;
	s->clean_next = now + CLEAN_EVERY;
}
