/*
 * forward.c - forwarding: every forward address of the .qmail file goes out in one
 * qmail-queue run at the end, with the envelope sender NEWSENDER and the message
 * prefixed by our Delivered-To line (which is what stops a forwarding loop).
 */
#include "buf.h"
#include "local.h"
#include "qq.h"

/* forward_send - queue the message for the n addresses in rcpt; the qp on success,
 * exits with the queue's report (D permanent, Z temporary) on failure */
unsigned long forward_send(local *l, char *const *rcpt, size_t n)
{
	char space[8192];
	buf in;
	qq q;
	size_t i;
	ssize_t r;
	const char *text;
	message_rewind();
	if (!sa_0(&l->newsender))
		quit_nomem();
	if (!qq_start(&q))
		quit_sys(EXIT_TEMP, "4.3.0", "Unable to forward message: unable to start qq",
			 (char *)0);
	qq_put(&q, l->dtline.s, l->dtline.len);
	buf_init(&in, 0, space, sizeof space);
	while ((r = buf_feed(&in)) > 0) {
		const char *s;
		size_t k;
		s = buf_peek(&in, &k);
		qq_put(&q, s, k);
		buf_skip(&in, k);
	}
	if (r < 0)
		qq_fail(&q); /* nothing is queued */
	qq_from(&q, l->newsender.s);
	for (i = 0; i < n; ++i)
		qq_to(&q, rcpt[i]);
	text = qq_finish(&q);
	if (r < 0)
		quit_sys(EXIT_TEMP, "4.3.0", "Unable to read message", (char *)0);
	if (*text)
		quit(*text == 'D' ? EXIT_PERM : EXIT_TEMP, "Unable to forward message: ", text + 1,
		     (char *)0);
	return qq_qp(&q);
}
