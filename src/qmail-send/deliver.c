/*
 * deliver.c - the two delivery channels. For each channel one message at a time is
 * "in pass": its channel file (local/SPLIT/ID or remote/SPLIT/ID) is read record by
 * record, and each T record becomes a delivery in a free slot, sent to the spawner as
 * a command. Reports come back in any order. K marks the recipient done, D first adds
 * a paragraph to bounce/ID and then marks it done, Z leaves it for the next pass.
 * Marking overwrites the record's T with D in place (no fsync: a lost mark costs a
 * second delivery, never a lost one). When a message's pass has ended and its last
 * delivery reported, the job is over: with nothing left the channel file is removed,
 * else the message waits for its next retry time.
 * Commands are written non-blocking, one pending command per channel; poll says
 * when the rest may be written.
 * Beyond qmail, a remote delivery carries up to SPAWN_RCPTMAX recipients: while the
 * pass reads on, "forming" slots gather T records, each those whose domain (after the
 * last '@', any case) and VERP-expanded sender are those of its first; a full slot or
 * the end of the file sends the command. A record that fits no forming slot takes a
 * free slot; with none free, every forming slot is sent and the record is read again
 * later (the pass seeks back to it). Each recipient keeps its delivery number, its
 * log lines, its report (the spawner sends one per recipient, in order) and its mark;
 * a crash before a report leaves the T, so the worst case is a second delivery,
 * never a lost one.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "bounce.h"
#include "error.h"
#include "fd.h"
#include "file.h"
#include "fmt.h"
#include "queue.h"
#include "retry.h"
#include "send.h"
#include "str.h"

#define INFO_MAX 65536 /* largest info file read */
#define REC_MAX  65536 /* longest channel record kept whole (the spawn limit is lower) */

static const char *const dirs[NCHAN] = {"local", "remote"};

/* deliver_status - "status: local L/LMAX remote R/RMAX", and " exitasap" */
void deliver_status(const send *s)
{
	char a[FMT_U64], b[FMT_U64], c[FMT_U64], d[FMT_U64];
	log_put("status: local ", log_u(a, s->ch[CHAN_LOCAL].used), "/",
		log_u(b, s->ch[CHAN_LOCAL].conc), " remote ", log_u(c, s->ch[CHAN_REMOTE].used),
		"/", log_u(d, s->ch[CHAN_REMOTE].conc), s->exitasap ? " exitasap" : "", NULL);
}

/* deliver_init - read each spawner's limit, size the channels; 0 if a spawner is
 * silent. ch[c].conc holds the control file's value on entry. */
int deliver_init(send *s)
{
	int c;
	for (c = 0; c < NCHAN; ++c) {
		chan *ch = &s->ch[c];
		unsigned char limit;
		ssize_t r;
		unsigned k, nslots;
		ch->name = dirs[c];
		ch->wfd = c == CHAN_LOCAL ? 1 : 3;
		ch->rfd = c == CHAN_LOCAL ? 2 : 4;
		ch->skip = c == CHAN_LOCAL ? RETRY_LOCAL : RETRY_REMOTE;
		ch->p.fd = -1;
		do
			r = read(ch->rfd, &limit, 1);
		while (r < 0 && errno == EINTR);
		if (r != 1)
			return 0;
		if (ch->conc > limit)
			ch->conc = limit;
		nslots = ch->conc ? ch->conc : 1;
		ch->max = c == CHAN_LOCAL ? 1 : SPAWN_RCPTMAX;
		ch->slots = alloc_array(nslots, sizeof *ch->slots);
		if (!ch->slots)
			return 0;
		memset(ch->slots, 0, nslots * sizeof *ch->slots);
		for (k = 0; k < nslots; ++k) {
			ch->slots[k].t = alloc_array(ch->max, sizeof *ch->slots[k].t);
			if (!ch->slots[k].t)
				return 0;
			memset(ch->slots[k].t, 0, ch->max * sizeof *ch->slots[k].t);
		}
		fd_nonblock(ch->wfd);
		fd_nonblock(ch->rfd);
		ch->alive = 1;
	}
	s->njobs = (size_t)s->ch[0].conc + s->ch[1].conc + NCHAN;
	s->jobs = alloc_array(s->njobs, sizeof *s->jobs);
	if (!s->jobs)
		return 0;
	memset(s->jobs, 0, s->njobs * sizeof *s->jobs);
	return 1;
}

/* lost - a spawner went away: its deliveries are abandoned (they stay T and are
 * retried after a restart) and qmail-send winds down */
static void lost(send *s, chan *ch)
{
	if (ch->alive)
		log_put("alert: oh no! lost spawn connection! dying...", NULL);
	ch->alive = 0;
	s->exitasap = 1;
}

/* deliver_flush - write what is pending of the current command */
void deliver_flush(send *s, int c)
{
	chan *ch = &s->ch[c];
	while (ch->outpos < ch->out.len) {
		ssize_t w = write(ch->wfd, ch->out.s + ch->outpos, ch->out.len - ch->outpos);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (w <= 0) {
			lost(s, ch);
			break;
		}
		ch->outpos += (size_t)w;
	}
	ch->out.len = ch->outpos = 0;
}

/* path_of - dir/SPLIT/ID of a job's channel file into p */
static void path_of(char *p, const job *jb)
{
	queue_name(p, dirs[jb->chan], jb->id, 1);
}

/* channel_done - channel c of message id has no file any more; the message is
 * finished once the other channel has none either */
static void channel_done(send *s, int c, uint64_t id, uint64_t now)
{
	char path[QUEUE_PATHMAX];
	struct stat st;
	queue_name(path, dirs[1 - c], id, 1);
	if (stat(path, &st) == -1) {
		if (errno != ENOENT)
			log_put("warning: unable to stat ", path, ": ", error_str(errno), NULL);
		finish_add(s, id, errno == ENOENT ? now : now + RETRY_TROUBLE);
	}
}

/* job_end - a job has no pass and no delivery left: reschedule or remove */
static void job_end(send *s, size_t j, uint64_t now)
{
	job *jb = &s->jobs[j];
	char path[QUEUE_PATHMAX];
	jb->used = 0;
	if (jb->interrupted)
		sched_push(s, jb->chan, jb->id, jb->due);
	else if (jb->left)
		sched_push(s, jb->chan, jb->id, retry_next(jb->birth, now, s->ch[jb->chan].skip));
	else {
		path_of(path, jb);
		if (!spare_give(&s->spare, path)) {
			log_put("warning: unable to unlink ", path, ": ", error_str(errno), NULL);
			sched_push(s, jb->chan, jb->id, now + RETRY_TROUBLE);
		} else
			channel_done(s, jb->chan, jb->id, now);
	}
}

static void launch(send *s, int c, unsigned k);

/* pass_close - stop reading the channel file; interrupted leaves records unread, and
 * slots still forming are given up (their records stay T for the next pass) */
static void pass_close(send *s, chan *ch, int interrupted, uint64_t now)
{
	job *jb = &s->jobs[ch->p.job];
	unsigned k;
	for (k = 0; k < ch->conc && ch->forming; ++k) {
		if (!ch->slots[k].forming)
			continue;
		if (interrupted) {
			--ch->forming;
			ch->slots[k].busy = ch->slots[k].forming = 0;
			--ch->used;
			--jb->refs;
		} else
			launch(s, (int)(ch - s->ch), k);
	}
	close(ch->p.fd);
	ch->p.fd = -1;
	ch->p.open = 0;
	jb->passing = 0;
	if (interrupted)
		jb->interrupted = 1;
	if (!jb->refs)
		job_end(s, ch->p.job, now);
}

/* read_info - the sender from info/SPLIT/ID into jb->sender ("F" sender NUL kept
 * whole); 1 good, 0 corrupt, -1 unreadable */
static int read_info(job *jb, const char *path)
{
	const sa *x = &jb->sender;
	int r = file_read(path, &jb->sender, INFO_MAX);
	if (r != 1)
		return r == 0 ? (errno = ENOENT, -1) : -1;
	if (x->len < 2 || x->s[0] != 'F' || memchr(x->s, 0, x->len) != x->s + x->len - 1)
		return 0;
	return 1;
}

/* pass_open - start the pass of message id on channel ch */
static void pass_open(send *s, int c, uint64_t id, uint64_t due, uint64_t now)
{
	chan *ch = &s->ch[c];
	char info[QUEUE_PATHMAX], path[QUEUE_PATHMAX];
	struct stat st;
	size_t j;
	job *jb;
	int r;
	for (j = 0; s->jobs[j].used; ++j) /* a free entry exists: see send.h */
		;
	jb = &s->jobs[j];
	jb->id = id;
	jb->chan = c;
	jb->due = due;
	jb->refs = 0;
	jb->left = jb->interrupted = jb->passing = jb->held = 0;
	queue_name(info, "info", id, 1);
	queue_name(path, dirs[c], id, 1);
	if (stat(info, &st) == -1) {
		log_put("warning: unable to stat ", info, ": ", error_str(errno), NULL);
		sched_push(s, c, id, now + RETRY_TROUBLE);
		return;
	}
	jb->birth = st.st_mtime > 0 ? (uint64_t)st.st_mtime : 0;
	jb->dying = retry_dying(jb->birth, now, s->lifetime);
	r = read_info(jb, info);
	if (r != 1) {
		if (r == 0)
			log_put("warning: corrupt ", info, NULL);
		else
			log_put("warning: trouble reading ", info, ": ", error_str(errno), NULL);
		sched_push(s, c, id,
			   r == 0 ? retry_next(jb->birth, now, ch->skip) : now + RETRY_TROUBLE);
		return;
	}
	ch->p.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ch->p.fd == -1) {
		if (errno == ENOENT) {
			channel_done(s, c, id, now);
			return;
		}
		log_put("warning: unable to open ", path, ": ", error_str(errno), NULL);
		sched_push(s, c, id, now + RETRY_TROUBLE);
		return;
	}
	jb->used = 1;
	jb->passing = 1;
	ch->p.open = 1;
	ch->p.job = j;
	ch->p.off = 0;
	buf_init(&ch->p.in, ch->p.fd, ch->p.space, sizeof ch->p.space);
}

/* mark - overwrite the recipient's T with D */
static void mark(job *jb, uint64_t off)
{
	char path[QUEUE_PATHMAX];
	int fd, ok;
	path_of(path, jb);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	ok = fd != -1 && pwrite(fd, "D", 1, (off_t)off) == 1;
	if (fd != -1 && close(fd) == -1)
		ok = 0;
	if (!ok) {
		log_put("warning: trouble marking ", path, ": ", error_str(errno),
			"; message will be delivered twice!", NULL);
		jb->left = 1;
	}
}

/* slot_free - a delivery is over */
static void slot_free(send *s, chan *ch, slot *sl, uint64_t now)
{
	job *jb = &s->jobs[sl->job];
	sl->busy = sl->waiting = sl->forming = 0;
	--ch->used;
	--jb->refs;
	deliver_status(s);
	if (!jb->refs && !jb->passing)
		job_end(s, sl->job, now);
}

/* domain_at - the offset of a recipient's domain (after its last '@'), or n when it
 * has none */
static size_t domain_at(const char *r, size_t n)
{
	size_t at = byte_rchr(r, n, '@');
	return at == n ? n : at + 1;
}

/* fits - the recipient may join the forming slot sl: room, same sender, same domain
 * (the slot's domain is its first recipient's, found when the slot was taken) */
static int fits(const chan *ch, const slot *sl, const char *rcpt, size_t rlen, const sa *sender)
{
	size_t d;
	if (sl->n >= ch->max || !sl->domlen || sender->len != sl->sender.len ||
	    memcmp(sender->s, sl->sender.s, sender->len))
		return 0;
	d = domain_at(rcpt, rlen);
	return d < rlen && rlen - d == sl->domlen &&
	       case_diffb(sl->rcpt.s + sl->dom, sl->domlen, rcpt + d) == 0;
}

/* fitting - the forming slot the recipient may join, or ch->conc for none; looks at
 * the forming slots only (usually one or two of the channel's conc) */
static unsigned fitting(const chan *ch, const char *rcpt, size_t rlen, const sa *sender)
{
	unsigned k, seen = 0;
	for (k = 0; k < ch->conc && seen < ch->forming; ++k) {
		if (!ch->slots[k].forming)
			continue;
		if (fits(ch, &ch->slots[k], rcpt, rlen, sender))
			return k;
		++seen;
	}
	return ch->conc;
}

/* launch - send forming slot k's command and log its deliveries */
static void launch(send *s, int c, unsigned k)
{
	chan *ch = &s->ch[c];
	slot *sl = &ch->slots[k];
	job *jb = &s->jobs[sl->job];
	char path[QUEUE_PATHMAX], num[FMT_U64];
	size_t n, i;
	int ok;
	--ch->forming;
	sl->forming = 0;
	n = fmt_u64(path, queue_split(jb->id));
	path[n++] = '/';
	n += fmt_u64(path + n, jb->id);
	path[n] = 0;
	for (;;) {
		if (c == CHAN_LOCAL)
			ok = spawn_cmd_put(&ch->out, k, path, sl->sender.s, sl->rcpt.s);
		else
			ok = spawn_cmd_putlist(&ch->out, k, path, sl->sender.s, sl->rcpt.s, sl->n);
		if (ok)
			break;
		ch->out.len = 0;
		log_nomem();
	}
	for (i = 0; i < sl->n; ++i) {
		const char *r = sl->rcpt.s + sl->t[i].at;
		sl->t[i].num = ++s->delnum;
		s->line.len = 0;
		sa_cats(&s->line, "starting delivery ");
		sa_catu(&s->line, sl->t[i].num);
		sa_cats(&s->line, ": msg ");
		sa_cats(&s->line, log_u(num, jb->id));
		sa_cats(&s->line, c == CHAN_LOCAL ? " to local " : " to remote ");
		log_safe(&s->line, r, strlen(r));
		log_end(&s->line);
	}
	deliver_status(s);
	deliver_flush(s, c);
}

/* add - give recipient rcpt (the record at off) of the pass's message a delivery;
 * s->tmp2 holds the envelope sender for it. Without a fitting forming slot a new one
 * is taken, and when none is free the pass goes back to read the record again. */
static void add(send *s, int c, const char *rcpt, size_t rlen, uint64_t off)
{
	chan *ch = &s->ch[c];
	unsigned k = fitting(ch, rcpt, rlen, &s->tmp2);
	dest *t;
	slot *sl;
	if (k == ch->conc) {
		if (ch->used >= ch->conc) {
			for (k = 0; k < ch->conc && ch->forming; ++k)
				if (ch->slots[k].forming)
					launch(s, c, k);
			if (lseek(ch->p.fd, (off_t)off, SEEK_SET) == -1) {
				/* cannot happen on a regular file; the record waits for the next
				 * pass */
				s->jobs[ch->p.job].left = 1;
				return;
			}
			buf_init(&ch->p.in, ch->p.fd, ch->p.space, sizeof ch->p.space);
			ch->p.off = off;
			return;
		}
		for (k = 0; ch->slots[k].busy; ++k) /* used < conc: a free slot exists */
			;
		sl = &ch->slots[k];
		sl->busy = sl->forming = 1;
		sl->job = ch->p.job;
		sl->n = sl->got = sl->open = 0;
		sl->waiting = 0;
		sl->rcpt.len = 0;
		sl->dom = domain_at(rcpt, rlen); /* the first recipient starts at 0 */
		sl->domlen = rlen - sl->dom;
		while (!sa_copyb(&sl->sender, s->tmp2.s, s->tmp2.len))
			log_nomem();
		++s->jobs[ch->p.job].refs;
		++ch->used;
		++ch->forming;
	}
	sl = &ch->slots[k];
	t = &sl->t[sl->n++];
	t->off = off;
	t->at = sl->rcpt.len;
	t->state = DEST_OPEN;
	++sl->open;
	while (!sa_catb(&sl->rcpt, rcpt, rlen) || !sa_0(&sl->rcpt))
		log_nomem();
	if (sl->n == ch->max)
		launch(s, c, k);
}

/* too_long - a recipient (or its VERP sender) too long for the spawn protocol fails
 * permanently; so does an empty remote recipient, which a recipient list cannot
 * carry (qmail-rspawn would refuse it for having no '@' anyway) */
static void too_long(send *s, chan *ch, const char *rcpt, size_t rlen, uint64_t off)
{
	static const char toolong[] = "Sorry, this address is too long to deliver. (#5.1.3)\n";
	static const char empty[] = "The recipient address has no @ and domain. (#5.1.3)\n";
	const char *text = rlen ? toolong : empty;
	size_t n = rlen ? sizeof toolong - 1 : sizeof empty - 1;
	job *jb = &s->jobs[ch->p.job];
	char path[QUEUE_PATHMAX];
	path_of(path, jb);
	log_put(rlen ? "warning: overlong recipient in " : "warning: empty recipient in ", path,
		NULL);
	while (!sa_copyb(&s->tmp2, rcpt, rlen) || !sa_0(&s->tmp2))
		log_nomem();
	if (finish_para(s, jb->id, jb->chan, s->tmp2.s, text, n))
		mark(jb, off);
	else
		jb->left = 1;
}

/* pass_next - read the next record of the pass; start a delivery for a T */
static void pass_next(send *s, int c, uint64_t now)
{
	chan *ch = &s->ch[c];
	job *jb = &s->jobs[ch->p.job];
	char path[QUEUE_PATHMAX];
	uint64_t len, off = ch->p.off;
	unsigned flags;
	int r;
	if (jb->held) {
		pass_close(s, ch, 1, now); /* held or being removed: no new delivery */
		return;
	}
	r = rec_get(&ch->p.in, &s->tmp, REC_MAX, &len, &flags);
	ch->p.off += len;
	if (r != 1) {
		if (r == -1) {
			path_of(path, jb);
			log_put("warning: trouble reading ", path, ": ", error_str(errno), NULL);
			jb->left = 1;
		}
		pass_close(s, ch, 0, now);
		return;
	}
	if (flags & REC_CUT) {
		path_of(path, jb);
		log_put("warning: truncated record in ", path, NULL);
		return;
	}
	if (s->tmp.len && s->tmp.s[0] == 'D')
		return;
	if (!s->tmp.len || s->tmp.s[0] != 'T') {
		path_of(path, jb);
		log_put("warning: unknown record type in ", path, NULL);
		return;
	}
	while (!rewrite_verp(&s->tmp2, jb->sender.s + 1, jb->sender.len - 2, s->tmp.s + 1,
			     s->tmp.len - 1) ||
	       !sa_0(&s->tmp2))
		log_nomem();
	if (flags & REC_LONG || s->tmp.len - 1 > SPAWN_ADDRMAX || s->tmp2.len - 1 > SPAWN_ADDRMAX ||
	    (c == CHAN_REMOTE && s->tmp.len == 1))
		too_long(s, ch, s->tmp.s + 1, s->tmp.len - 1, off);
	else
		add(s, c, s->tmp.s + 1, s->tmp.len - 1, off);
}

/* deliver_start - open passes for messages that are due and start deliveries
 * while each channel has free slots and no command waiting to be written */
void deliver_start(send *s, uint64_t now)
{
	int c;
	if (s->exitasap)
		return;
	for (c = 0; c < NCHAN; ++c) {
		chan *ch = &s->ch[c];
		while (ch->alive && !s->exitasap && !ch->out.len &&
		       (ch->used < ch->conc || ch->forming)) {
			pq_item it;
			if (ch->p.open) {
				pass_next(s, c, now);
				continue;
			}
			if (!pq_top(&ch->wait, &it) || it.key > now)
				break;
			pq_pop(&ch->wait);
			if (ctl_held(s, it.val)) {
				while (!pq_push(&ch->held, it.key, it.val))
					log_nomem();
				continue;
			}
			pass_open(s, c, it.val, it.key, now);
		}
	}
}

/* dest_over - one recipient of a slot is finished; the slot is free after all */
static void dest_over(send *s, chan *ch, slot *sl, dest *t, uint64_t now)
{
	t->state = DEST_DONE;
	if (!--sl->open && sl->got == sl->n)
		slot_free(s, ch, sl, now);
}

/* failed - record a permanent failure: bounce paragraph first, then the mark; if
 * the paragraph cannot be written the recipient waits and tries again later */
static void failed(send *s, chan *ch, slot *sl, dest *t, const char *text, size_t n, uint64_t now)
{
	job *jb = &s->jobs[sl->job];
	char num[FMT_U64];
	if (finish_para(s, jb->id, jb->chan, sl->rcpt.s + t->at, text, n)) {
		mark(jb, t->off);
		dest_over(s, ch, sl, t, now);
		return;
	}
	if (t->state != DEST_WAIT) {
		while (!sa_copyb(&t->text, text, n))
			log_nomem();
		t->state = DEST_WAIT;
	}
	t->retry = now + BOUNCE_WAIT;
	if (!sl->waiting || t->retry < sl->retry)
		sl->retry = t->retry;
	sl->waiting = 1;
	log_put("alert: unable to append to bounce/", log_u(num, jb->id),
		"; will try again in 10 seconds", NULL);
}

/* report - one report from the spawner of ch: for the next recipient of its slot */
static void report(send *s, chan *ch, uint64_t now)
{
	static const char giveup[] = BOUNCE_TOOLONG "\n";
	spawn_rep *rp = &ch->rep;
	slot *sl;
	dest *t;
	job *jb;
	char status = rp->status;
	const char *kind;
	const char *text = rp->text.s;
	size_t n = rp->text.len - 1;
	if (rp->slot >= ch->conc || !ch->slots[rp->slot].busy || ch->slots[rp->slot].forming ||
	    ch->slots[rp->slot].got >= ch->slots[rp->slot].n) {
		log_put("warning: delivery report out of range", NULL);
		return;
	}
	sl = &ch->slots[rp->slot];
	t = &sl->t[sl->got++];
	jb = &s->jobs[sl->job];
	if (status == 'Z' && jb->dying) {
		while (!sa_copyb(&s->tmp, text, n) ||
		       (n && text[n - 1] != '\n' && !sa_catc(&s->tmp, '\n')) ||
		       !sa_cats(&s->tmp, giveup))
			log_nomem();
		status = 'D';
		text = s->tmp.s;
		n = s->tmp.len;
	}
	kind = status == 'K' ? ": success: " : status == 'Z' ? ": deferral: " : ": failure: ";
	s->line.len = 0;
	sa_cats(&s->line, "delivery ");
	sa_catu(&s->line, t->num);
	if (status != 'K' && status != 'Z' && status != 'D') {
		sa_cats(&s->line, ": report mangled, will defer");
		status = 'Z';
	} else {
		sa_cats(&s->line, kind);
		log_safe(&s->line, text, n);
	}
	log_end(&s->line);
	if (status == 'D') {
		failed(s, ch, sl, t, text, n, now);
		return;
	}
	if (status == 'K')
		mark(jb, t->off);
	else
		jb->left = 1;
	dest_over(s, ch, sl, t, now);
}

/* deliver_reports - read what the spawner of channel c has sent */
void deliver_reports(send *s, int c, uint64_t now)
{
	chan *ch = &s->ch[c];
	char b[4096];
	size_t i = 0;
	ssize_t r;
	if (!ch->alive)
		return;
	r = read(ch->rfd, b, sizeof b);
	if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (r <= 0) {
		lost(s, ch);
		return;
	}
	while (i < (size_t)r) {
		size_t used;
		int x = spawn_rep_feed(&ch->rep, b + i, (size_t)r - i, &used);
		i += used;
		if (x == -1) {
			log_put("alert: oh no! mangled report from the ", ch->name, " spawner",
				NULL);
			lost(s, ch);
			return;
		}
		if (x == 1)
			report(s, ch, now);
	}
}

/* deliver_retry - try again to record failures whose paragraph could not be written */
void deliver_retry(send *s, uint64_t now)
{
	int c;
	unsigned k;
	size_t i;
	for (c = 0; c < NCHAN; ++c)
		for (k = 0; k < s->ch[c].conc; ++k) {
			slot *sl = &s->ch[c].slots[k];
			if (!sl->waiting || sl->retry > now)
				continue;
			sl->waiting = 0; /* failed sets it again for each that still waits */
			for (i = 0; i < sl->got && sl->busy; ++i) {
				dest *t = &sl->t[i];
				if (t->state == DEST_WAIT && t->retry <= now)
					failed(s, &s->ch[c], sl, t, t->text.s, t->text.len, now);
				else if (t->state == DEST_WAIT &&
					 (!sl->waiting || t->retry < sl->retry)) {
					sl->waiting = 1;
					sl->retry = t->retry;
				}
			}
		}
}

/* deliver_stop - exiting: end the passes; messages with unread records are due again
 * at their old time, so a restart goes on where this run stopped */
void deliver_stop(send *s, uint64_t now)
{
	int c;
	for (c = 0; c < NCHAN; ++c)
		if (s->ch[c].p.open)
			pass_close(s, &s->ch[c], 1, now);
}

/* deliver_canexit - no delivery is outstanding on a channel that is still alive */
int deliver_canexit(const send *s)
{
	int c;
	for (c = 0; c < NCHAN; ++c)
		if (s->ch[c].alive && s->ch[c].used)
			return 0;
	return 1;
}
