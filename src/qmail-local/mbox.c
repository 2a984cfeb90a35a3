/*
 * mbox.c - appending to an mbox file. The file is opened without following a
 * symbolic link and must then be a regular file owned by the recipient with a single
 * link, so delivery never writes through a name someone else controls. It is locked
 * with flock (30 seconds at most), the end offset is remembered, and the message is
 * written as: From_ line, Return-Path, Delivered-To, the body with mboxrd quoting
 * (">" added to every line that is zero or more ">" then "From ", mboxrd.c), a
 * blank line.
 * Only after fsync succeeds is the delivery done; on any error the file is cut back
 * to the remembered offset, so a reader never sees half a message for long.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fd.h"
#include "local.h"
#include "lock.h"
#include "mboxrd.h"

#define LOCK_MS 30000 /* how long to wait for the mailbox lock */

/* write_message - From_ line, header lines and the quoted message; 0 on error, with
 * *rerr set when it was reading the message that failed */
static int write_message(local *l, buf *out, int *rerr)
{
	char space[8192];
	buf in;
	mboxrd q;
	if (!buf_putsa(out, &l->ufline) || !buf_putsa(out, &l->rpline) ||
	    !buf_putsa(out, &l->dtline))
		return 0;
	mboxrd_init(&q, out);
	message_rewind();
	buf_init(&in, 0, space, sizeof space);
	for (;;) {
		const char *s;
		size_t n;
		ssize_t r = buf_feed(&in);
		if (r < 0) {
			*rerr = 1;
			return 0;
		}
		if (r == 0)
			break;
		s = buf_peek(&in, &n);
		if (!mboxrd_put(&q, s, n))
			return 0;
		buf_skip(&in, n);
	}
	return mboxrd_end(&q) && buf_flush(out);
}

/* open_mbox - open path for appending and check what it is; exits on failure */
static int open_mbox(const char *path)
{
	struct stat st;
	int fd =
		open(path,
		     O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
		     0600);
	if (fd == -1) {
		int e = errno;
		if (e == ELOOP)
			quit(EXIT_TEMP, "Mailbox ", path, " is a symbolic link. (#4.7.0)",
			     (char *)0);
		if (e == ENXIO || e == EISDIR)
			quit(EXIT_TEMP, "Mailbox ", path, " is not a regular file. (#4.7.0)",
			     (char *)0);
		/* SPEC 0: a mailbox the recipient does not own is refused as such, whether
		 * or not its mode lets the recipient write it */
		if ((e == EACCES || e == EPERM) && lstat(path, &st) == 0 && st.st_uid != geteuid())
			quit(EXIT_TEMP, "Mailbox ", path,
			     " is not owned by the recipient. (#4.7.0)", (char *)0);
		errno = e;
		quit_sys(EXIT_TEMP, "4.2.1", "Unable to open mailbox ", path, (char *)0);
	}
	if (fstat(fd, &st) == -1)
		quit_sys(EXIT_TEMP, "4.3.0", "Unable to stat mailbox ", path, (char *)0);
	if (!S_ISREG(st.st_mode))
		quit(EXIT_TEMP, "Mailbox ", path, " is not a regular file. (#4.7.0)", (char *)0);
	if (st.st_uid != geteuid())
		quit(EXIT_TEMP, "Mailbox ", path, " is not owned by the recipient. (#4.7.0)",
		     (char *)0);
	if (st.st_nlink != 1)
		quit(EXIT_TEMP, "Mailbox ", path, " has more than one link. (#4.7.0)", (char *)0);
	if (!fd_block(fd))
		quit_sys(EXIT_TEMP, "4.3.0", "Unable to set up mailbox ", path, (char *)0);
	return fd;
}

/* mbox_deliver - append the message to the mbox at path; exits on failure */
void mbox_deliver(local *l, const char *path)
{
	char space[8192];
	buf out;
	off_t end;
	int rerr = 0, e;
	int fd = open_mbox(path);
	if (!lock_ex_timeout(fd, LOCK_MS)) {
		if (errno == ETIMEDOUT)
			quit(EXIT_TEMP, "Timeout while locking mailbox ", path, ". (#4.2.0)",
			     (char *)0);
		quit_sys(EXIT_TEMP, "4.2.0", "Unable to lock mailbox ", path, (char *)0);
	}
	end = lseek(fd, 0, SEEK_END);
	if (end == -1)
		quit_sys(EXIT_TEMP, "4.3.0", "Unable to seek in mailbox ", path, (char *)0);
	buf_init(&out, fd, space, sizeof space);
	if (write_message(l, &out, &rerr) && fsync(fd) == 0) {
		if (close(fd) == 0)
			return;
		/* the lock is gone with the descriptor: the offset may no longer be ours */
		quit_sys(EXIT_TEMP, "4.3.0", "Unable to close mailbox ", path, (char *)0);
	}
	e = errno;
	if (ftruncate(fd, end) == -1) {
		/* nothing better to do: the temporary failure below says what went wrong */
	}
	errno = e;
	if (rerr)
		quit_sys(EXIT_TEMP, "4.3.0", "Unable to read message", (char *)0);
	quit_sys(EXIT_TEMP, "4.3.0", "Unable to write mailbox ", path, (char *)0);
}
