/*
 * requeue.h - sending a message that is being delivered on to new recipients: a
 * prefix (a Delivered-To line, which is what stops a forwarding loop), then all of
 * the message from a descriptor, in one qmail-queue run. qmail-local's forwards,
 * forward and condredirect use it.
 *
 *	qq q;
 *	int rerr;
 *	if (!qq_start(&q)) ...     the queue program could not be started
 *	text = requeue(&q, 0, dtline, len, sender, rcpt, n, &rerr);
 *	if (!*text) ...            queued; qq_qp(&q) is the qp
 *	else ...                   a "D..." or "Z..." report; rerr is 1 when reading
 *	                           fd failed (errno), and nothing was queued
 */
#ifndef REQUEUE_H
#define REQUEUE_H

#include <stddef.h>

#include "qq.h"

const char *requeue(qq *q, int fd, const char *head, size_t hlen, const char *sender,
		    char *const *rcpt, size_t n, int *rerr);

#endif
