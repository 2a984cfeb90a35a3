/*
 * conn.c - the connection, for SMTP and QMTP alike. Each address in order, skipping
 * those the timeout table marks (tcpto.h); a connect that times out is counted there,
 * any other outcome (even a refusal, which is an answer) clears the address. The table
 * is locked only around its reads and writes, never across a connect; if it cannot be
 * used, every address is tried.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "error.h"
#include "lock.h"
#include "remote.h"
#include "sock.h"
#include "tcpto.h"
#include "tm.h"

#define TCPTO_LOCK_MS 5000 /* longest wait for the timeout table's lock */

/* table - open, lock and load the timeout table; the descriptor, or -1 (no table) */
static int table(tcpto *t)
{
	int fd = open(TCPTO_FILE, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1)
		return -1;
	if (!lock_ex_timeout(fd, TCPTO_LOCK_MS) || !tcpto_load(fd, t)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* skip - whether the timeout table says not to try ip now */
static int skip(const ip_addr *ip)
{
	tcpto t;
	int busy;
	int fd = table(&t);
	if (fd == -1)
		return 0;
	busy = tcpto_busy(&t, ip, (uint64_t)tm_now(), (unsigned long)getpid());
	close(fd);
	return busy;
}

/* note - record in the timeout table how a connect to ip went */
static void note(const ip_addr *ip, int timedout)
{
	tcpto t;
	size_t i;
	int fd = table(&t);
	if (fd == -1)
		return;
	i = timedout ? tcpto_fail(&t, ip, (uint64_t)tm_now()) : tcpto_ok(&t, ip);
	if (i != TCPTO_NONE)
		(void)tcpto_store(fd, &t, i);
	close(fd);
}

/* attach - make fd, connected to ip, the run's connection */
static void attach(remote *r, int fd, const ip_addr *ip)
{
	r->fd = fd;
	r->ip[ip_fmt(r->ip, ip)] = 0;
	buf_init(&r->in, fd, r->inspace, sizeof r->inspace);
	buf_init(&r->out, fd, r->outspace, sizeof r->outspace);
	buf_settimeout(&r->out, r->tremote);
}

/* conn_open - connect to the first address that answers, or end the run */
void conn_open(remote *r)
{
	size_t i;
	int e = 0;
	for (i = 0; i < r->nt; ++i) {
		int fd;
		if (skip(&r->t[i].ip)) {
			if (!e)
				e = ETIMEDOUT;
			continue;
		}
		fd = sock_connect(&r->t[i].ip, (uint16_t)r->port, 0, r->tconnect);
		e = fd == -1 ? errno : 0;
		note(&r->t[i].ip, e == ETIMEDOUT);
		if (fd != -1) {
			attach(r, fd, &r->t[i].ip);
			return;
		}
	}
	finish(r, 'Z', 0, "Unable to establish ", r->qmtp ? "a QMTP" : "an SMTP", " connection to ",
	       r->host, " (", e ? error_str(e) : "no address to try", "). (#4.4.1)\n", (char *)0);
}

/* conn_reuse - make fd, a connection an earlier run opened (cache.c), the run's
 * connection; 0 if it is no connected socket */
int conn_reuse(remote *r, int fd)
{
	ip_addr ip;
	uint16_t port;
	if (!sock_remote(fd, &ip, &port))
		return 0;
	ip_unmap(&ip);
	attach(r, fd, &ip);
	return 1;
}

/* conn_lost - the connection failed; errno says how */
void conn_lost(remote *r)
{
	const char *dup = r->sentdot ? " Possible duplicate!" : "";
	r->cmdstate = 0;
	if (errno == ETIMEDOUT)
		finish(r, 'Z', 0, "Connection to ", r->ip, " timed out.", dup, " (#4.4.2)\n",
		       (char *)0);
	finish(r, 'Z', 0, "Connection to ", r->ip, " died (", error_str(errno), ").", dup,
	       " (#4.4.2)\n", (char *)0);
}
