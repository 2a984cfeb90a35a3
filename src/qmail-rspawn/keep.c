/*
 * keep.c - the connections qmail-rspawn keeps between qmail-remote runs (keep.h).
 * A small array, searched from end to end: it holds at most KEEP_MAX entries, and
 * each search is one delivery's worth of work beside a fork and an exec.
 */
#include <sys/socket.h>
#include <unistd.h>

#include "keep.h"
#include "sa.h"
#include "str.h"
#include "tm.h"

typedef struct kept_s {
	int fd;         /* the connection */
	uint64_t until; /* when it is closed unused (tm_mono_ms) */
	unsigned uses;  /* deliveries it has carried */
	sa domain;      /* the domain it was opened for, NUL-terminated */
} kept;

static struct {
	kept k[KEEP_MAX]; /* entries 0..n-1 are in use */
	size_t n;
} kp;

/* cut - take entry i out of the array; the last entry takes its place, and the two
 * swap their domain storage so that each stays owned once */
static void cut(size_t i)
{
	kept t = kp.k[i];
	--kp.n;
	kp.k[i] = kp.k[kp.n];
	kp.k[kp.n] = t;
}

/* quit - say QUIT on fd, never waiting for it (as qmail-remote does), and close it */
static void quit(int fd)
{
	(void)send(fd, "QUIT\r\n", 6, MSG_DONTWAIT | MSG_NOSIGNAL);
	close(fd);
}

/* drop - close entry i, with QUIT first if q, and take it out */
static void drop(size_t i, int q)
{
	if (q)
		quit(kp.k[i].fd);
	else
		close(kp.k[i].fd);
	cut(i);
}

/* keep_put - keep fd, a connection to domain that has carried uses deliveries; with
 * no room, the entry closest to its end makes way. One used up, or one that cannot
 * be recorded, is closed with QUIT. */
void keep_put(const char *domain, int fd, unsigned uses)
{
	size_t i, old = 0;
	kept *k;
	if (uses >= KEEP_USES) {
		quit(fd);
		return;
	}
	if (kp.n == KEEP_MAX) {
		for (i = 1; i < kp.n; ++i)
			if (kp.k[i].until < kp.k[old].until)
				old = i;
		drop(old, 1);
	}
	k = &kp.k[kp.n];
	if (!sa_copys(&k->domain, domain) || !sa_0(&k->domain)) {
		quit(fd);
		return;
	}
	k->fd = fd;
	k->until = tm_mono_ms() + KEEP_IDLE_MS;
	k->uses = uses;
	++kp.n;
}

/* keep_take - a connection kept for domain (taken out of the array; the caller owns
 * it) and in *uses the deliveries it has carried, or -1 if there is none */
int keep_take(const char *domain, unsigned *uses)
{
	size_t i = kp.n;
	while (i-- > 0)
		if (case_equals(kp.k[i].domain.s, domain)) {
			int fd = kp.k[i].fd;
			*uses = kp.k[i].uses;
			cut(i);
			return fd;
		}
	return -1;
}

/* keep_poll - fill pf with one entry per kept connection (readable means the server
 * spoke or closed); how many */
size_t keep_poll(struct pollfd *pf)
{
	size_t i;
	for (i = 0; i < kp.n; ++i) {
		pf[i].fd = kp.k[i].fd;
		pf[i].events = POLLIN;
		pf[i].revents = 0;
	}
	return i;
}

/* keep_events - drop each kept connection with an event in pf (as keep_poll filled
 * it, n entries): a server that says anything unasked is ending the session */
void keep_events(const struct pollfd *pf, size_t n)
{
	size_t i = n;
	while (i-- > 0) /* from the end: drop moves only entries already looked at */
		if (pf[i].revents && i < kp.n && kp.k[i].fd == pf[i].fd)
			drop(i, 0);
}

/* keep_timeout - milliseconds until the next kept connection ends, or -1 for none */
int keep_timeout(void)
{
	uint64_t now = tm_mono_ms(), first = UINT64_MAX;
	size_t i;
	if (!kp.n)
		return -1;
	for (i = 0; i < kp.n; ++i)
		if (kp.k[i].until < first)
			first = kp.k[i].until;
	return first <= now ? 0 : first - now > KEEP_IDLE_MS ? KEEP_IDLE_MS : (int)(first - now);
}

/* keep_expire - QUIT and close the connections whose time is up, or all of them */
void keep_expire(int all)
{
	uint64_t now = tm_mono_ms();
	size_t i = kp.n;
	while (i-- > 0)
		if (all || kp.k[i].until <= now)
			drop(i, 1);
}
