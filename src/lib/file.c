/*
 * file.c - reading small files whole, fsync of a directory, and starting a file's
 * writeback early. Control files and similar inputs are read through file_read,
 * which refuses files larger than the caller's limit instead of growing without
 * bound. (Many descriptors are synced at once by syncq.c.)
 */
#define _GNU_SOURCE /* sync_file_range */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

/* file_read - read path into out (replacing it); -1 error, 0 absent, 1 read.
 * A file larger than max bytes is an error (EFBIG). */
int file_read(const char *path, sa *out, size_t max)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	out->len = 0;
	if (max == (size_t)-1)
		--max;
	if (fd == -1)
		return errno == ENOENT ? 0 : -1;
	for (;;) {
		ssize_t r;
		size_t room;
		if (!sa_readyplus(out, 4096))
			break;
		room = out->a - out->len;
		if (room > max + 1 - out->len)
			room = max + 1 - out->len;
		r = read(fd, out->s + out->len, room);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (r == 0) {
			close(fd);
			return 1;
		}
		out->len += (size_t)r;
		if (out->len > max) {
			errno = EFBIG;
			break;
		}
	}
	{
		int e = errno;
		close(fd);
		errno = e;
	}
	return -1;
}

/* file_syncdir - fsync a directory, so that links, renames and unlinks in it are
 * on disk before we acknowledge anything that depends on them */
int file_syncdir(const char *dir)
{
	int r, e;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return 0;
	r = fsync(fd);
	e = errno;
	close(fd);
	errno = e;
	return r == 0;
}

/* file_startsync - start writing fd's data to disk without waiting for it, so that
 * the fsync that must follow finds the data written or on its way while the caller
 * did other work. It makes nothing durable (no metadata, no flush), and a write
 * error it meets is still reported by that fsync. 1, or 0 with errno (ESPIPE for a
 * pipe); where the system cannot start writeback alone, 1 and nothing done. */
int file_startsync(int fd)
{
#ifdef SYNC_FILE_RANGE_WRITE
	while (sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE) == -1)
		if (errno != EINTR)
			return 0;
#else
	(void)fd;
#endif
	return 1;
}
