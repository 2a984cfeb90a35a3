/*
 * cache.c - a connection kept between runs (beyond qmail; qmail-rspawn(8)). When
 * qmail-rspawn runs us, $QMAILREMOTECACHE names a descriptor (3): a Unix-domain
 * socket to qmail-rspawn. An SMTP connection that an earlier run to the same domain
 * left may wait there; after a transaction the server accepted, the connection goes
 * back the same way instead of QUIT, and qmail-rspawn keeps it open for a few
 * seconds. Run by hand, without the variable, neither happens.
 */
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "env.h"
#include "fdpass.h"
#include "remote.h"
#include "scan.h"

#define CHANNEL_MAX 1000 /* the highest descriptor $QMAILREMOTECACHE may name */

/* channel - the descriptor $QMAILREMOTECACHE names, or -1 */
static int channel(void)
{
	const char *s = env_get("QMAILREMOTECACHE");
	uint64_t u;
	if (!s || !scan_u64_all(s, strlen(s), &u) || u < 3 || u > CHANNEL_MAX)
		return -1;
	return (int)u;
}

/* cache_take - the connection waiting for this run, or -1 if there is none. One the
 * server has said anything on, or closed, is not taken: a session that is out of
 * step would pair our commands with the wrong replies. */
int cache_take(void)
{
	int ch = channel(), fd = -1;
	struct pollfd pf;
	if (ch == -1 || fdpass_recv(ch, &fd) != 1)
		return -1;
	pf.fd = fd;
	pf.events = POLLIN;
	pf.revents = 0;
	if (poll(&pf, 1, 0) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* cache_give - hand the connection back to qmail-rspawn instead of closing it; the
 * run then has none (and says no QUIT). Without a channel, with bytes from the server
 * still unread, or if the handing fails, nothing changes. */
void cache_give(remote *r)
{
	int ch = channel();
	size_t unread;
	(void)buf_peek(&r->in, &unread);
	if (ch == -1 || r->fd == -1 || unread || !fdpass_send(ch, r->fd))
		return;
	close(r->fd);
	r->fd = -1;
}
