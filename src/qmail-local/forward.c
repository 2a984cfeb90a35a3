/*
 * forward.c - forwarding: every forward address of the .qmail file goes out in one
 * qmail-queue run at the end, with the envelope sender NEWSENDER and the message
 * prefixed by our Delivered-To line (which is what stops a forwarding loop).
 */
#include "local.h"
#include "requeue.h"

/* forward_send - queue the message for the n addresses in rcpt; the qp on success,
 * exits with the queue's report (D permanent, Z temporary) on failure */
unsigned long forward_send(local *l, char *const *rcpt, size_t n)
{
	static qq q;
	const char *text;
	int rerr;
	message_rewind();
	if (!sa_0(&l->newsender))
		quit_nomem();
	if (!qq_start(&q))
		quit_sys(EXIT_TEMP, "4.3.0", "Unable to forward message: unable to start qq",
			 (char *)0);
	text = requeue(&q, 0, l->dtline.s, l->dtline.len, l->newsender.s, rcpt, n, &rerr);
	if (rerr)
		quit_sys(EXIT_TEMP, "4.3.0", "Unable to read message", (char *)0);
	if (*text)
		quit(*text == 'D' ? EXIT_PERM : EXIT_TEMP, "Unable to forward message: ", text + 1,
		     (char *)0);
	return qq_qp(&q);
}
