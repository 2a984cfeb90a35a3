/*
 * finish.c - the end of a message. Permanent failures are collected in bounce/ID as
 * they happen (bounce.h paragraphs); when neither local/SPLIT/ID nor remote/SPLIT/ID
 * is left the message is finished, in this order:
 *   1. if bounce/ID exists: queue one bounce to the sender (a double bounce to
 *      doublebounceto@doublebouncehost when the sender was empty; nothing when the
 *      sender was "#@[]", the sender of double bounces), then remove bounce/ID;
 *   2. log "end msg ID", remove info/SPLIT/ID;
 *   3. ask qmail-clean to remove mess/SPLIT/ID (its answer is read later).
 * A crash between 1 and 2 can send the bounce twice; between 2 and 3 it leaves a
 * mess file, which the periodic sweep removes. Step 1 is retried every INJECT_WAIT
 * seconds until qmail-queue takes the bounce.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bounce.h"
#include "error.h"
#include "file.h"
#include "fmt.h"
#include "qq.h"
#include "queue.h"
#include "rewrite.h"
#include "send.h"
#include "tm.h"

#define FINISH_BATCH 4     /* messages finished per turn of the main loop */
#define INFO_MAX     65536 /* largest info file read */

/* finish_para - append the failure of rcpt (delivered on channel c) to bounce/ID;
 * the file is synced, and cut back to its old size if anything fails, so a retry
 * never leaves a paragraph twice. Local addresses lose their virtual-domain prefix. */
int finish_para(send *s, uint64_t id, int c, const char *rcpt, const char *text, size_t tlen)
{
	char path[QUEUE_PATHMAX];
	size_t rlen = strlen(rcpt), cut = 0, off = 0;
	struct stat st;
	int fd, ok;
	if (c == CHAN_LOCAL)
		cut = rewrite_unvirtual(&s->rw, rcpt, rlen);
	s->para.len = 0;
	if (!bounce_para(&s->para, rcpt + cut, text, tlen))
		return 0;
	queue_name(path, "bounce", id, 0);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1)
		return 0;
	if (fstat(fd, &st) == -1) {
		close(fd);
		return 0;
	}
	ok = 1;
	while (ok && off < s->para.len) {
		ssize_t w = write(fd, s->para.s + off, s->para.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		ok = w > 0;
		if (ok)
			off += (size_t)w;
	}
	ok = ok && fsync(fd) == 0 && (st.st_size || file_syncdir("bounce"));
	if (!ok) {
		int e = errno;
		if (ftruncate(fd, st.st_size) == -1) {
			/* nothing better to do: the paragraph may appear twice */
		}
		errno = e;
	}
	if (close(fd) == -1)
		ok = 0;
	return ok;
}

/* finish_add - message id has no channel file left: finish it at time when */
void finish_add(send *s, uint64_t id, uint64_t when)
{
	while (!pq_push(&s->done, when, id))
		log_nomem();
}

/* put_qq - a bounce_put that feeds qmail-queue */
static int put_qq(void *ctx, const char *s, size_t n)
{
	qq *q = ctx;
	qq_put(q, s, n);
	return !q->failed;
}

/* target - where the bounce of a message from sender goes, into rcpt (a C string);
 * 0 when it is discarded (a bounce of a double bounce) */
static int target(send *s, const char *sender, size_t slen, sa *rcpt, int *dbl)
{
	*dbl = slen == 0;
	if (slen == 4 && !memcmp(sender, "#@[]", 4))
		return 0;
	if (*dbl)
		while (!sa_copy(rcpt, &s->dbto) || !sa_catc(rcpt, '@') ||
		       !sa_cat(rcpt, &s->dbhost) || !sa_0(rcpt))
			log_nomem();
	else {
		/* a VERP sender "pre-@host-@[]" gets its bounce at "pre-@host" */
		size_t n = slen;
		if (slen > 4 && !memcmp(sender + slen - 4, "-@[]", 4) &&
		    memchr(sender, '@', slen - 4))
			n = slen - 4;
		while (!sa_copyb(rcpt, sender, n) || !sa_0(rcpt))
			log_nomem();
	}
	return 1;
}

/* inject - queue the bounce of message id from the paragraphs in the open file
 * bfd; 1 when queued or deliberately dropped */
static int inject(send *s, uint64_t id, const char *bounce, int bfd)
{
	char path[QUEUE_PATHMAX], num[FMT_U64];
	bounce_info bi = BOUNCE_INFO_ZERO;
	struct stat st;
	sa rcpt = SA_ZERO;
	const char *text;
	int mess, ok;
	qq q;
	queue_name(path, "info", id, 1);
	if (file_read(path, &s->info, INFO_MAX) != 1 || s->info.len < 2 || s->info.s[0] != 'F' ||
	    memchr(s->info.s, 0, s->info.len) != s->info.s + s->info.len - 1 ||
	    stat(path, &st) == -1) {
		log_put("warning: unable to read the sender from ", path, NULL);
		return 0;
	}
	bi.born = st.st_mtime;
	bi.sender = s->info.s + 1;
	if (!target(s, bi.sender, s->info.len - 2, &rcpt, &bi.dbl)) {
		log_put("triple bounce: discarding ", bounce, NULL);
		return 1;
	}
	queue_name(path, "mess", id, 1);
	mess = open(path, O_RDONLY | O_CLOEXEC);
	if (mess == -1 || fstat(mess, &st) == -1) {
		log_put("warning: unable to open ", path, ": ", error_str(errno), NULL);
		if (mess != -1)
			close(mess);
		sa_free(&rcpt);
		return 0;
	}
	bi.from = s->bouncefrom.s;
	bi.host = s->bouncehost.s;
	bi.mta = s->me.s;
	bi.to = rcpt.s;
	bi.id = id;
	bi.now = tm_now();
	bi.size = (uint64_t)st.st_size;
	bi.maxbytes = s->maxbytes;
	if (!qq_start(&q)) {
		log_put("warning: unable to start qmail-queue: ", error_str(errno), NULL);
		close(mess);
		sa_free(&rcpt);
		return 0;
	}
	ok = bounce_write(&bi, bfd, mess, put_qq, &q);
	close(mess);
	if (!ok)
		qq_fail(&q);
	qq_from(&q, bi.dbl ? "#@[]" : "");
	qq_to(&q, bi.to);
	text = qq_finish(&q);
	sa_free(&rcpt);
	if (*text || !ok) {
		s->line.len = 0;
		sa_cats(&s->line, "warning: trouble injecting bounce message, will try later: ");
		if (*text)
			log_safe(&s->line, text + 1, strlen(text + 1));
		else
			sa_cats(&s->line, error_str(errno));
		log_end(&s->line);
		return 0;
	}
	log_put("bounce msg ", log_u(num, id), " qp ", log_u(path, qq_qp(&q)), NULL);
	return 1;
}

/* finish_msg - finish message id (the steps in the header comment); 0 to retry */
static int finish_msg(send *s, uint64_t id)
{
	static const char *const dirs[NCHAN] = {"local", "remote"};
	char path[QUEUE_PATHMAX], bounce[QUEUE_PATHMAX], num[FMT_U64];
	struct stat st;
	int c, r, bfd;
	for (c = 0; c < NCHAN; ++c) {
		queue_name(path, dirs[c], id, 1);
		if (stat(path, &st) == 0)
			return 1; /* a channel job is still under way; it comes back here */
	}
	queue_name(bounce, "bounce", id, 0);
	bfd = open(bounce, O_RDONLY | O_CLOEXEC);
	if (bfd == -1 && errno != ENOENT) {
		log_put("warning: unable to open ", bounce, ": ", error_str(errno), NULL);
		return 0;
	}
	if (bfd != -1) {
		/* an empty file is a paragraph that was cut back after a failed write */
		r = fstat(bfd, &st) == 0 && st.st_size == 0 ? 1 : inject(s, id, bounce, bfd);
		close(bfd);
		if (!r)
			return 0;
		if (unlink(bounce) == -1 && errno != ENOENT)
			log_put("warning: unable to unlink ", bounce, ": ", error_str(errno), NULL);
		else
			file_syncdir("bounce");
	}
	log_put("end msg ", log_u(num, id), NULL);
	ctl_ended(s, id);
	queue_name(path, "info", id, 1);
	if (!spare_give(&s->spare, path)) {
		log_put("warning: unable to unlink ", path, ": ", error_str(errno), NULL);
		return 0;
	}
	clean_finished(s, id);
	return 1;
}

/* finish_step - finish a few of the messages that are due */
void finish_step(send *s, uint64_t now)
{
	int k;
	for (k = 0; k < FINISH_BATCH && !s->exitasap; ++k) {
		pq_item it;
		if (!pq_top(&s->done, &it) || it.key > now)
			return;
		pq_pop(&s->done);
		if (!finish_msg(s, it.val))
			finish_add(s, it.val, now + INJECT_WAIT);
	}
}
