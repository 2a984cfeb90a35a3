/*
 * message.c - the message on fd 0. When fd 0 is a regular file (as qmail-rspawn
 * gives it) the message is read once before connecting, to learn its size for SIZE=
 * (RFC 1870), whether it needs 8BITMIME, and whether it ends with a line feed (SMTP
 * cannot carry a partial final line, so such a message fails before any connection);
 * then it is read again while sending. From a pipe it is only read while sending.
 */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "remote.h"
#include "smtpdata.h"

#define CHUNK 8192 /* bytes read from fd 0 at a time */

/* get - read up to CHUNK bytes from fd 0: the count, 0 at the end, -1 on error */
static ssize_t get(char *p)
{
	for (;;) {
		ssize_t n = read(0, p, CHUNK);
		if (n >= 0 || errno != EINTR)
			return n;
	}
}

/* message_measure - learn the message's size and 8-bit content when fd 0 can be
 * read twice; a message without a final line feed fails here */
void message_measure(remote *r)
{
	char in[CHUNK];
	struct stat st;
	smtpdata d = SMTPDATA_ZERO;
	ssize_t n;
	if (fstat(0, &st) == -1 || !S_ISREG(st.st_mode))
		return;
	r->start = lseek(0, 0, SEEK_CUR);
	if (r->start == -1)
		return;
	while ((n = get(in)) > 0) {
		r->cmd.len = 0;
		if (!smtpdata_put(&d, &r->cmd, in, (size_t)n))
			nomem(r);
	}
	if (n < 0)
		finish(r, 'Z', 0, "Unable to read the message. (#4.3.0)\n", (char *)0);
	if (!smtpdata_end(&d, &r->cmd))
		finish(r, 'D', 0,
		       "The message does not end with a line feed, "
		       "and SMTP cannot send a partial final line. (#5.6.2)\n",
		       (char *)0);
	if (lseek(0, r->start, SEEK_SET) == -1)
		finish(r, 'Z', 0, "Unable to rewind the message. (#4.3.0)\n", (char *)0);
	r->sized = 1;
	r->size = d.size;
	r->eightbit = d.eightbit;
}

/* message_send - the message, encoded for DATA, and the final dot: 1, or one of
 * MESSAGE_NET, MESSAGE_READ or MESSAGE_PARTIAL (then no final dot was sent) */
int message_send(remote *r)
{
	char in[CHUNK];
	smtpdata d = SMTPDATA_ZERO;
	ssize_t n;
	if (r->sized && lseek(0, r->start, SEEK_SET) == -1)
		return MESSAGE_READ;
	while ((n = get(in)) > 0) {
		r->cmd.len = 0;
		if (!smtpdata_put(&d, &r->cmd, in, (size_t)n))
			nomem(r);
		if (!buf_putsa(&r->out, &r->cmd))
			return MESSAGE_NET;
	}
	if (n < 0)
		return MESSAGE_READ;
	r->cmd.len = 0;
	if (!smtpdata_end(&d, &r->cmd))
		return MESSAGE_PARTIAL;
	if (!buf_putsa(&r->out, &r->cmd) || !buf_flush(&r->out))
		return MESSAGE_NET;
	return 1;
}
