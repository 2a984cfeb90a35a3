/*
 * qq.h - the common way to hand a message to the queue (SPEC section 4). Every
 * program that queues mail (qmail-inject, qmail-smtpd, qmail-local forwards,
 * qmail-send bounces, forward, ...) goes through here, so QMAILQUEUE, the fd 6
 * custom rejection text and the exit code meanings live in one place.
 *
 *	qq q;
 *	if (!qq_start(&q)) ...          451 qqt failure
 *	qq_put(&q, header, n); ...      message bytes (errors are remembered)
 *	qq_from(&q, sender); qq_to(&q, rcpt); ...
 *	text = qq_finish(&q);           "" queued, else "D..." or "Z..." report
 */
#ifndef QQ_H
#define QQ_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "sa.h"

typedef struct qq_s {
	pid_t pid;         /* the qmail-queue child; its pid is the "qp" */
	int envfd;         /* write end of the child's fd 1 (envelope) */
	int custfd;        /* read end of the child's fd 6 (custom rejection text) */
	int failed;        /* a write failed or memory ran out; sticky */
	buf out;           /* buffered writes to the child's fd 0 (message) */
	char space[16384]; /* storage for out */
	sa env;            /* the envelope, written after the message */
	char custom[256];  /* a filter's custom rejection text, NUL-terminated */
} qq;

int qq_start(qq *q);
int qq_start_at(qq *q, const char *home);
void qq_put(qq *q, const char *s, size_t n);
void qq_puts(qq *q, const char *s);
void qq_from(qq *q, const char *sender);
void qq_to(qq *q, const char *rcpt);
void qq_fail(qq *q);
const char *qq_finish(qq *q);
unsigned long qq_qp(const qq *q);
const char *qq_exittext(int status);

#endif
