/*
 * keep.h - qmail-rspawn's kept connections (beyond qmail): SMTP connections that a
 * qmail-remote run handed back after a delivery the server accepted, kept open for
 * KEEP_IDLE_MS for the next run to the same domain, and used for at most KEEP_USES
 * deliveries. Idle ones are polled: one the server closes, or says anything on, is
 * dropped; one that times out gets QUIT.
 */
#ifndef KEEP_H
#define KEEP_H

#include <poll.h>
#include <stddef.h>

#define KEEP_MAX     64   /* connections kept at once; the longest idle goes first */
#define KEEP_IDLE_MS 2000 /* how long one is kept unused */
#define KEEP_USES    100  /* deliveries over one connection, at most */

void keep_put(const char *domain, int fd, unsigned uses);
int keep_take(const char *domain, unsigned *uses);
size_t keep_poll(struct pollfd *pf);
void keep_events(const struct pollfd *pf, size_t n);
int keep_timeout(void);
void keep_expire(int all);

#endif
