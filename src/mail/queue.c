/*
 * queue.c - queue file names: "todo/ID", "mess/SPLIT/ID" and the like.
 */
#include "queue.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auto.h"
#include "fmt.h"

/* queue_split - the split subdirectory of message id */
unsigned queue_split(uint64_t id)
{
	return (unsigned)(id % AUTO_SPLIT);
}

/* queue_name - write "dir/ID" (or "dir/SPLIT/ID" when split) and a NUL into s, which
 * has room for QUEUE_PATHMAX bytes; dir is one of our short fixed names. Returns the
 * length without the NUL. */
size_t queue_name(char *s, const char *dir, uint64_t id, int split)
{
	size_t n = strlen(dir);
	memcpy(s, dir, n);
	s[n++] = '/';
	if (split) {
		n += fmt_u64(s + n, queue_split(id));
		s[n++] = '/';
	}
	n += fmt_u64(s + n, id);
	s[n] = 0;
	return n;
}

/* queue_known - whether message id is in the queue (the current directory): its
 * info/SPLIT/ID or todo/ID exists. 1 yes, 0 no, -1 a stat error other than ENOENT
 * (errno set); path (QUEUE_PATHMAX bytes) holds the name looked at last. */
int queue_known(char *path, uint64_t id)
{
	struct stat st;
	queue_name(path, "info", id, 1);
	if (stat(path, &st) == 0)
		return 1;
	if (errno != ENOENT)
		return -1;
	queue_name(path, "todo", id, 0);
	if (stat(path, &st) == 0)
		return 1;
	return errno == ENOENT ? 0 : -1;
}

/* queue_trigger - wake qmail-send through lock/trigger (relative to the queue, the
 * current directory); errors do not matter: it also looks by time, and a full FIFO
 * already holds a wake-up. SIGPIPE is ignored meanwhile: qmail-send reopens the
 * FIFO now and then, and a write between its close and its open would otherwise
 * kill the caller, qmail-queue, after the message was queued (its caller would
 * then report a failure and the message could be sent again). */
void queue_trigger(void)
{
	struct sigaction ign, old;
	int fd = open("lock/trigger", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	if (sigaction(SIGPIPE, &ign, &old) == 0) {
		if (write(fd, "", 1) == -1) {
			/* nobody reads, or the FIFO is full: either way qmail-send will look */
		}
		sigaction(SIGPIPE, &old, 0);
	}
	close(fd);
}
