/*
 * sched.c - when each message is next tried. Each channel keeps a min-heap of
 * (due time, id) for the messages waiting for their next pass, so finding the next
 * due message costs O(log n) however long the queue is. The heaps live only in
 * memory: at startup they are rebuilt from the channel files' mtimes, and at
 * shutdown each waiting channel file gets its due time as atime and mtime, which is
 * how a restart resumes the schedule.
 */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "auto.h"
#include "error.h"
#include "fmt.h"
#include "queue.h"
#include "scan.h"
#include "send.h"

static const char *const dirs[NCHAN] = {"local", "remote"};

/* sched_push - try message id on channel c at time when */
void sched_push(send *s, int c, uint64_t id, uint64_t when)
{
	while (!pq_push(&s->ch[c].wait, when, id))
		log_nomem();
}

/* rescan_one - schedule one message found in info/ */
static void rescan_one(send *s, uint64_t id, uint64_t now)
{
	char path[QUEUE_PATHMAX];
	struct stat st;
	int c, any = 0;
	queue_name(path, "todo", id, 0);
	if (stat(path, &st) == 0)
		return; /* todo/ID still exists: preprocessing will redo this message */
	for (c = 0; c < NCHAN; ++c) {
		queue_name(path, dirs[c], id, 1);
		if (stat(path, &st) == 0) {
			sched_push(s, c, id, st.st_mtime > 0 ? (uint64_t)st.st_mtime : 0);
			any = 1;
		} else if (errno != ENOENT) {
			log_put("warning: unable to stat ", path, ": ", error_str(errno), NULL);
			sched_push(s, c, id, now);
			any = 1;
		}
	}
	if (!any)
		finish_add(s, id, now);
}

/* sched_rescan - at startup, schedule every message in info/ at its channel files'
 * mtimes; a message with no channel file left is finished */
void sched_rescan(send *s, uint64_t now)
{
	unsigned split;
	for (split = 0; split < AUTO_SPLIT; ++split) {
		char dir[QUEUE_PATHMAX];
		struct dirent *e;
		DIR *d;
		memcpy(dir, "info/", 5);
		dir[5 + fmt_u64(dir + 5, split)] = 0;
		d = opendir(dir);
		if (!d) {
			log_put("warning: unable to open ", dir, ": ", error_str(errno), NULL);
			continue;
		}
		while ((e = readdir(d)) != 0) {
			uint64_t id;
			if (scan_u64_all(e->d_name, strlen(e->d_name), &id))
				rescan_one(s, id, now);
		}
		closedir(d);
	}
}

/* sched_alarm - SIGALRM: everything waiting is due now, and todo/ is scanned */
void sched_alarm(send *s, uint64_t now)
{
	int c;
	for (c = 0; c < NCHAN; ++c) {
		pq_clamp(&s->ch[c].wait, now);
		pq_clamp(&s->ch[c].held, now);
	}
	pq_clamp(&s->done, now);
	s->todo_trig = s->ctl_trig = 1;
}

/* sched_shutdown - record each waiting (or held) message's due time in its channel
 * file */
void sched_shutdown(send *s)
{
	int c, h;
	size_t i;
	for (c = 0; c < NCHAN; ++c)
		for (h = 0; h < 2; ++h) {
			const pq *q = h ? &s->ch[c].held : &s->ch[c].wait;
			for (i = 0; i < q->n; ++i) {
				const pq_item *it = &q->v[i];
				char path[QUEUE_PATHMAX];
				struct timeval tv[2];
				queue_name(path, dirs[c], it->val, 1);
				tv[0].tv_sec = tv[1].tv_sec = (time_t)it->key;
				tv[0].tv_usec = tv[1].tv_usec = 0;
				if (utimes(path, tv) == -1 && errno != ENOENT)
					log_put("warning: unable to utime ", path, ": ",
						error_str(errno), NULL);
			}
		}
}

/* sched_wake - the earliest time at which the main loop has something to do */
uint64_t sched_wake(send *s, uint64_t now)
{
	uint64_t wake = now + 3600;
	pq_item it;
	int c;
	unsigned k;
	if (!s->exitasap) {
		if ((s->todo.n && !syncq_busy(&s->sq)) || (s->todo_trig && !todo_busy(s)) ||
		    s->ctl_trig || s->clean_step != CLEAN_IDLE)
			return now;
		if (s->ctl_next < wake)
			wake = s->ctl_next;
		if (s->todo_next < wake)
			wake = s->todo_next;
		if (s->clean_next < wake)
			wake = s->clean_next;
		if (pq_top(&s->done, &it) && it.key < wake)
			wake = it.key;
	}
	for (c = 0; c < NCHAN; ++c) {
		chan *ch = &s->ch[c];
		for (k = 0; k < ch->conc; ++k)
			if (ch->slots[k].waiting && ch->slots[k].retry < wake)
				wake = ch->slots[k].retry;
		if (s->exitasap || !ch->alive || ch->p.open || ch->used >= ch->conc || ch->out.len)
			continue;
		if (pq_top(&ch->wait, &it) && it.key < wake)
			wake = it.key;
	}
	return wake;
}
