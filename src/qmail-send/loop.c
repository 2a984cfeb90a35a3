/*
 * loop.c - the main loop: do whatever is due, then poll the spawners' pipes, the
 * trigger FIFO, qmail-clean's answers, the end of a todo batch's fsyncs and the
 * signal self-pipe until the next thing is due. poll has no
 * descriptor-number limit (select's FD_SETSIZE), and every wait is bounded by the
 * next due time, so nothing sleeps past its schedule.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include "send.h"
#include "sig.h"
#include "tm.h"

#define WAIT_MAX 3600 /* never sleep longer than this, whatever is scheduled */

/* signals - act on the signals the self-pipe has collected */
static void signals(send *s, uint64_t now)
{
	char b[64];
	ssize_t r, i;
	while ((r = read(sig_pipe_fd(), b, sizeof b)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return;
		for (i = 0; i < r; ++i) {
			if (b[i] == SIGTERM && !s->exitasap) {
				s->exitasap = 1;
				deliver_status(s);
			}
			if (b[i] == SIGALRM)
				sched_alarm(s, now);
			if (b[i] == SIGHUP)
				send_reread(s);
		}
	}
}

/* work - everything that is due now */
static void work(send *s, uint64_t now)
{
	if (!s->exitasap) {
		if (s->ctl_trig || now >= s->ctl_next)
			ctl_scan(s, now);
		if ((s->todo_trig || now >= s->todo_next) && !s->todo.n && !todo_busy(s))
			todo_scan(s, now);
		todo_step(s, now);
		clean_step(s, now);
		finish_step(s, now);
	}
	deliver_retry(s, now);
	deliver_start(s, now);
}

/* loop_run - run until told to exit and every delivery has reported; then record
 * the schedule in the channel files' times */
void loop_run(send *s)
{
	for (;;) {
		struct pollfd pf[2 * NCHAN + 4];
		int ir[NCHAN], iw[NCHAN], itrig = -1, iclean = -1, isync = -1, n = 0, c, r, timeout;
		uint64_t now = tm_now(), wake;
		if (s->exitasap)
			deliver_stop(s, now);
		if (s->exitasap && deliver_canexit(s))
			break;
		work(s, now);
		wake = sched_wake(s, now);
		timeout = wake <= now
				  ? 0
				  : (int)((wake - now > WAIT_MAX ? WAIT_MAX : wake - now) * 1000);
		pf[n].fd = sig_pipe_fd();
		pf[n++].events = POLLIN;
		for (c = 0; c < NCHAN; ++c) {
			ir[c] = iw[c] = -1;
			if (!s->ch[c].alive)
				continue;
			ir[c] = n;
			pf[n].fd = s->ch[c].rfd;
			pf[n++].events = POLLIN;
			if (s->ch[c].out.len) {
				iw[c] = n;
				pf[n].fd = s->ch[c].wfd;
				pf[n++].events = POLLOUT;
			}
		}
		if (s->trigfd >= 0 && !s->exitasap && !s->todo_trig) {
			itrig = n;
			pf[n].fd = s->trigfd;
			pf[n++].events = POLLIN;
		}
		if (s->cleann) {
			iclean = n;
			pf[n].fd = 6;
			pf[n++].events = POLLIN;
		}
		if (syncq_busy(&s->sq)) {
			isync = n;
			pf[n].fd = syncq_fd(&s->sq);
			pf[n++].events = POLLIN;
		}
		r = poll(pf, (nfds_t)n, timeout);
		if (r < 0 && errno != EINTR) {
			log_put("warning: trouble in poll", NULL);
			sleep(1);
			continue;
		}
		now = tm_now();
		if (r > 0 && pf[0].revents)
			signals(s, now);
		for (c = 0; c < NCHAN && r > 0; ++c) {
			if (iw[c] >= 0 && pf[iw[c]].revents)
				deliver_flush(s, c);
			if (ir[c] >= 0 && pf[ir[c]].revents)
				deliver_reports(s, c, now);
		}
		if (r > 0 && itrig >= 0 && pf[itrig].revents)
			s->todo_trig = s->ctl_trig = 1;
		if (r > 0 && iclean >= 0 && pf[iclean].revents)
			clean_answers(s, 0);
		if (r > 0 && isync >= 0 && pf[isync].revents)
			todo_synced(s);
	}
	todo_end(s);
	clean_answers(s, 1);
	sched_shutdown(s);
	log_put("status: exiting", NULL);
}
