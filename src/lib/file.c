/*
 * file.c - reading small files whole, fsync of a directory, and fsync of many
 * descriptors at once. Control files and similar inputs are read through file_read,
 * which refuses files larger than the caller's limit instead of growing without bound.
 *
 * file_syncall issues its fsyncs concurrently through POSIX asynchronous I/O
 * (aio_fsync, which the C library runs on its own helper threads): a disk flush
 * costs milliseconds, and flushes that are in flight together are merged by the
 * kernel, so N concurrent fsyncs take about as long as two, where N in a row take N
 * times one. Each descriptor still gets its own complete fsync; only the waiting is
 * shared.
 */
#include "file.h"

#include <aio.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"

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

/* syncall_serial - fsync each descriptor in turn; the fallback of file_syncall */
static void syncall_serial(const int *fd, size_t n, int *err)
{
	size_t i;
	for (i = 0; i < n; ++i)
		err[i] = fsync(fd[i]) == 0 ? 0 : errno;
}

/* syncall_wait - wait until every request in cb has finished; records results */
static void syncall_wait(struct aiocb *cb, const struct aiocb **wait, size_t n, int *err)
{
	for (;;) {
		size_t i, k = 0;
		for (i = 0; i < n; ++i) {
			int e;
			if (cb[i].aio_fildes == -1)
				continue; /* done, or never queued */
			e = aio_error(&cb[i]);
			if (e == EINPROGRESS) {
				wait[k++] = &cb[i];
				continue;
			}
			if (aio_return(&cb[i]) == 0 && e == 0)
				err[i] = 0;
			else
				err[i] = e ? e : EIO;
			cb[i].aio_fildes = -1;
		}
		if (!k)
			return;
		/* EINTR and EAGAIN only mean: look again */
		aio_suspend(wait, (int)k, 0);
	}
}

/* file_syncall - fsync the n descriptors fd[0..n-1] concurrently and wait for all
 * of them; err[i] becomes 0 or the errno of fd[i]'s fsync. 1 when every fsync
 * succeeded, 0 with errno of the first failure. Without memory or helper threads
 * it falls back to fsyncs in turn. */
int file_syncall(const int *fd, size_t n, int *err)
{
	struct aiocb *cb = 0;
	const struct aiocb **wait = 0;
	size_t i;
	if (n > 1) {
		cb = alloc_array(n, sizeof *cb);
		if (cb)
			wait = alloc_array(n, sizeof *wait);
	}
	if (!wait) {
		alloc_free(cb);
		syncall_serial(fd, n, err);
	} else {
		for (i = 0; i < n; ++i) {
			memset(&cb[i], 0, sizeof cb[i]);
			cb[i].aio_fildes = fd[i];
			cb[i].aio_sigevent.sigev_notify = SIGEV_NONE;
			err[i] = 0;
			if (aio_fsync(O_SYNC, &cb[i]) == -1) {
				err[i] = fsync(fd[i]) == 0 ? 0 : errno;
				cb[i].aio_fildes = -1;
			}
		}
		syncall_wait(cb, wait, n, err);
		alloc_free(cb);
		alloc_free(wait);
	}
	for (i = 0; i < n; ++i)
		if (err[i]) {
			errno = err[i];
			return 0;
		}
	return 1;
}
