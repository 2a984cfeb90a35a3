/*
 * ctl.c - the administrator's requests (qmail-qctl(8), format in qctl.h). Only
 * qmail-send knows which messages are in a pass, waiting or being finished, so the
 * tool never edits a live queue: it leaves a request in ctl/ and pulls the trigger,
 * and this module carries the requests out, oldest first, then removes each one.
 *   hold     create hold/ID; a message with that marker is moved from its channel's
 *            wait heap to the held heap when it falls due, and a pass in progress
 *            stops after the deliveries already started. The marker is the only
 *            record of the hold, so a hold survives a restart.
 *   release  remove hold/ID; held entries go back to the wait heap with their due
 *            time (one that fell due meanwhile is tried at once).
 *   requeue  every waiting or held entry of the message is due now.
 *   remove   once no delivery of the message is running and todo/ID is gone (a
 *            corrupt todo/ID set aside by todo.c is removed through qmail-clean):
 *            bounce/ID, hold/ID, local/, remote/ and info/ are unlinked in that
 *            order, then qmail-clean removes mess/. Nothing is bounced. The request
 *            file goes last, so a crash part-way repeats the removal at the next
 *            start; bounce/ID goes first, so no crash can turn a removal into a
 *            bounce of the recipients that were dropped.
 * A remove that has to wait keeps its request file (and later requests for the same
 * message wait behind it); ctl/ is read again CTL_WAIT seconds later.
 * The markers in hold/ are counted at startup and the count follows this module's
 * own changes (only qmail-send touches hold/ while it runs), so that opening a pass,
 * once per delivery attempt, costs no stat while nothing is held.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "error.h"
#include "file.h"
#include "fmt.h"
#include "qctl.h"
#include "queue.h"
#include "send.h"

#define KEEP UINT64_MAX /* move: keep each item's due time */

static const char *const dirs[NCHAN] = {"local", "remote"};

/* ctl_init - count the hold markers; a hold/ that cannot be read counts as holding
 * some, so that ctl_held keeps looking */
void ctl_init(send *s)
{
	struct dirent *e;
	DIR *d = opendir("hold");
	s->holds = 0;
	if (!d) {
		if (errno != ENOENT)
			s->holds = 1;
		return;
	}
	while ((e = readdir(d)) != 0)
		if (e->d_name[0] != '.')
			++s->holds;
	closedir(d);
}

/* ctl_held - whether message id has a hold marker; doubt counts as not held, so a
 * broken hold/ directory delays no mail */
int ctl_held(const send *s, uint64_t id)
{
	char path[QUEUE_PATHMAX];
	struct stat st;
	if (!s->holds)
		return 0;
	queue_name(path, "hold", id, 0);
	return stat(path, &st) == 0;
}

/* move - take the items of message id out of *from; into *to with due time key (or
 * their own with KEEP), or dropped when to is 0 */
static void move(pq *from, pq *to, uint64_t id, uint64_t key)
{
	pq rest = PQ_ZERO, hit = PQ_ZERO;
	pq_item it;
	while (pq_top(from, &it)) {
		pq_pop(from);
		while (!pq_push(it.val == id ? &hit : &rest, it.key, it.val))
			log_nomem();
	}
	pq_free(from);
	*from = rest;
	while (to && pq_top(&hit, &it)) {
		pq_pop(&hit);
		while (!pq_push(to, key == KEEP ? it.key : key, it.val))
			log_nomem();
	}
	pq_free(&hit);
}

/* active - mark the jobs of message id held (when hold); whether any is running */
static int active(send *s, uint64_t id, int hold)
{
	size_t j;
	int any = 0;
	for (j = 0; j < s->njobs; ++j)
		if (s->jobs[j].used && s->jobs[j].id == id) {
			s->jobs[j].held = hold;
			any = 1;
		}
	return any;
}

/* gone - unlink path (ENOENT is fine); 0 logged on failure */
static int gone(const char *path)
{
	if (unlink(path) == 0 || errno == ENOENT)
		return 1;
	log_put("warning: unable to unlink ", path, ": ", error_str(errno), NULL);
	return 0;
}

/* exists - whether path exists (an error other than ENOENT counts as existing) */
static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 || errno != ENOENT;
}

/* hold - create the marker (counted when it is new); 0 to try again later */
static int hold(send *s, uint64_t id)
{
	char path[QUEUE_PATHMAX];
	int fd;
	queue_name(path, "hold", id, 0);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd != -1)
		++s->holds;
	else if (errno == EEXIST)
		fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd == -1 || close(fd) == -1 || !file_syncdir("hold")) {
		log_put("warning: unable to create ", path, ": ", error_str(errno), NULL);
		return 0;
	}
	active(s, id, 1);
	return 1;
}

/* unmark - unlink message id's hold marker and count it gone: 1 removed, 0 there
 * was none, -1 failed (logged) */
static int unmark(send *s, uint64_t id)
{
	char path[QUEUE_PATHMAX];
	queue_name(path, "hold", id, 0);
	if (unlink(path) == 0) {
		if (s->holds)
			--s->holds;
		return 1;
	}
	return gone(path) ? 0 : -1;
}

/* unhold - the marker gone, whether there was one; 0 logged on failure */
static int unhold(send *s, uint64_t id)
{
	return unmark(s, id) != -1;
}

/* ctl_ended - message id is finished: a hold marker it still has (a hold that came
 * while its last deliveries ran) must not hold a later message with the same number */
void ctl_ended(send *s, uint64_t id)
{
	if (s->holds && unmark(s, id) == 1)
		file_syncdir("hold");
}

/* release - remove the marker, put held entries back on schedule */
static int release(send *s, uint64_t id)
{
	int c;
	if (!unhold(s, id))
		return 0;
	file_syncdir("hold");
	for (c = 0; c < NCHAN; ++c)
		move(&s->ch[c].held, &s->ch[c].wait, id, KEEP);
	active(s, id, 0);
	return 1;
}

/* requeue - everything of message id that waits is due now */
static void requeue(send *s, uint64_t id, uint64_t now)
{
	int c;
	for (c = 0; c < NCHAN; ++c) {
		move(&s->ch[c].wait, &s->ch[c].wait, id, now);
		move(&s->ch[c].held, &s->ch[c].held, id, now);
	}
	move(&s->done, &s->done, id, now);
}

/* remove - drop message id (the order in the header comment); 1 done, 0 wait */
static int remove_msg(send *s, uint64_t id)
{
	char path[QUEUE_PATHMAX], num[FMT_U64];
	int c, r;
	queue_name(path, "todo", id, 0);
	if (clean_pending(s, id))
		return 0; /* preprocessed, not yet scheduled */
	if (exists(path)) {
		if (!idset_has(&s->todo_bad, id))
			return 0; /* preprocessing comes first */
		if (clean_req(s, "todo", id) != '+') {
			log_put("warning: qmail-clean unable to clean up ", path, NULL);
			return 0;
		}
		idset_del(&s->todo_bad, id);
	}
	if (active(s, id, 1))
		return 0;
	for (c = 0; c < NCHAN; ++c) {
		move(&s->ch[c].wait, 0, id, 0);
		move(&s->ch[c].held, 0, id, 0);
	}
	move(&s->done, 0, id, 0);
	log_put("remove msg ", log_u(num, id), NULL);
	queue_name(path, "bounce", id, 0);
	if (!gone(path))
		return 0;
	file_syncdir("bounce");
	if (!unhold(s, id))
		return 0;
	for (c = 0; c < NCHAN; ++c) {
		queue_name(path, dirs[c], id, 1);
		if (!gone(path))
			return 0;
		*strrchr(path, '/') = 0;
		file_syncdir(path);
	}
	log_put("end msg ", log_u(num, id), NULL);
	queue_name(path, "info", id, 1);
	if (!gone(path))
		return 0;
	*strrchr(path, '/') = 0;
	file_syncdir(path);
	r = clean_req(s, "foop", id);
	if (r && r != '+') {
		queue_name(path, "mess", id, 1);
		log_put("warning: qmail-clean unable to clean up ", path, NULL);
	}
	return 1;
}

/* known - whether message id is in the queue (info/ or todo/); doubt counts as yes */
static int known(uint64_t id)
{
	char path[QUEUE_PATHMAX];
	return queue_known(path, id) != 0;
}

/* older - whether a request made at usec (microseconds since the epoch, from its
 * name) is older than message id's mess file: it was meant for an earlier message
 * with the same number (an inode number, which spare files make come back soon) */
static int older(uint64_t id, uint64_t usec)
{
	char path[QUEUE_PATHMAX];
	struct stat st;
	queue_name(path, "mess", id, 1);
	if (stat(path, &st) != 0 || st.st_mtim.tv_sec < 0)
		return 0;
	return (uint64_t)st.st_mtim.tv_sec > usec / 1000000 ||
	       ((uint64_t)st.st_mtim.tv_sec == usec / 1000000 &&
		(uint64_t)st.st_mtim.tv_nsec / 1000 > usec % 1000000);
}

/* one - carry out the request at path (ctl/NAME, made at usec); 1 when it is done
 * with (or refused), 0 to wait */
static int one(send *s, const char *path, uint64_t usec, idset *waiting, uint64_t now)
{
	char line[QCTL_MAX + 1], num[FMT_U64];
	ssize_t n;
	uint64_t id;
	int verb, fd, ok = 1;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		if (errno != ENOENT)
			log_put("warning: unable to open ", path, ": ", error_str(errno),
				"; removed", NULL);
		return 1; /* a symbolic link, or gone: nothing to wait for */
	}
	do
		n = read(fd, line, sizeof line);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0 || !qctl_parse(line, (size_t)n, &verb, &id)) {
		log_put("warning: malformed request ", path, "; removed", NULL);
		return 1;
	}
	log_u(num, id);
	if (idset_has(waiting, id))
		return 0;
	if (!known(id)) {
		log_put("warning: ", qctl_word(verb), " request for msg ", num, ": no such message",
			NULL);
		return 1;
	}
	if (older(id, usec)) {
		log_put("warning: ", qctl_word(verb), " request for msg ", num,
			": made before this message was queued; removed", NULL);
		return 1;
	}
	if (verb == QCTL_HOLD)
		ok = hold(s, id);
	else if (verb == QCTL_RELEASE)
		ok = release(s, id);
	else if (verb == QCTL_REQUEUE)
		requeue(s, id, now);
	else if (verb == QCTL_REMOVE) {
		ok = remove_msg(s, id);
		if (ok)
			return 1; /* remove_msg logged "remove msg" and "end msg" */
	}
	if (!ok) {
		while (!idset_add(waiting, id) && errno != ENOSPC)
			log_nomem();
		return 0;
	}
	log_put(qctl_word(verb), " msg ", num, NULL);
	return 1;
}

/* unchanged - whether ctl/ is as it was at the last reading, so that the trigger,
 * which every injected message pulls, costs one stat and not a directory reading.
 * Only an mtime at least two seconds older than the reading counts: a request made
 * within the same clock tick as the reading would leave the mtime as it was. */
static int unchanged(send *s, uint64_t now)
{
	struct stat st;
	if (stat("ctl", &st) != 0) {
		s->ctl_mtime.tv_sec = s->ctl_mtime.tv_nsec = 0;
		return 0;
	}
	if (s->ctl_mtime.tv_sec && st.st_mtim.tv_sec == s->ctl_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == s->ctl_mtime.tv_nsec)
		return 1;
	s->ctl_mtime.tv_sec = s->ctl_mtime.tv_nsec = 0;
	if (st.st_mtim.tv_sec > 0 && (uint64_t)st.st_mtim.tv_sec + 2 <= now)
		s->ctl_mtime = st.st_mtim;
	return 0;
}

/* ctl_scan - carry out the requests in ctl/, oldest first */
void ctl_scan(send *s, uint64_t now)
{
	idset waiting = {0, 0, 0};
	pq order = PQ_ZERO;
	pq_item it;
	struct dirent *e;
	int wait = 0;
	DIR *d;
	s->ctl_trig = 0;
	if (now < s->ctl_next && unchanged(s, now))
		return;
	s->ctl_next = now + TODO_EVERY;
	d = opendir("ctl");
	if (!d) {
		/* no ctl/ (a queue made before it existed): there can be no request */
		if (errno != ENOENT)
			log_put("warning: unable to open ctl: ", error_str(errno), NULL);
		return;
	}
	while ((e = readdir(d)) != 0) {
		uint64_t usec, pid;
		if (qctl_scan_name(e->d_name, &usec, &pid))
			while (!pq_push(&order, usec, pid))
				log_nomem();
	}
	closedir(d);
	while (pq_top(&order, &it) && !s->exitasap) {
		char path[QCTL_NAME + 8];
		pq_pop(&order);
		memcpy(path, "ctl/", 4);
		qctl_name(path + 4, it.key, it.val);
		if (!one(s, path, it.key, &waiting, now)) {
			wait = 1;
			continue;
		}
		gone(path);
	}
	pq_free(&order);
	alloc_free(waiting.v);
	if (wait)
		s->ctl_next = now + CTL_WAIT;
}
