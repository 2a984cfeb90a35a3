/*
 * fd.c - descriptor manipulation. dup2 and fcntl are retried on EINTR. close is
 * never retried: on Linux the descriptor is released even when close reports EINTR,
 * and a retry could close a descriptor another part of the program just opened.
 */
#include "fd.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FD_SCANMAX 65536 /* fd_closefrom's loop looks no higher than this */

/* copy - dup2 retried on EINTR */
static int copy(int to, int from)
{
	while (dup2(from, to) < 0)
		if (errno != EINTR)
			return 0;
	return 1;
}

/* setflag - set (on) or clear the bit in the flags that fcntl get/set handle */
static int setflag(int fd, int get, int set, int bit, int on)
{
	int flags, want;
	while ((flags = fcntl(fd, get)) < 0)
		if (errno != EINTR)
			return 0;
	want = on ? flags | bit : flags & ~bit;
	if (want == flags)
		return 1;
	while (fcntl(fd, set, want) < 0)
		if (errno != EINTR)
			return 0;
	return 1;
}

/* fd_move - make to refer to what from did, and close from; nothing if they are equal */
int fd_move(int to, int from)
{
	if (to == from)
		return 1;
	if (!copy(to, from))
		return 0;
	close(from);
	return 1;
}

/* fd_copy - make to refer to what from does (to loses FD_CLOEXEC); from stays open */
int fd_copy(int to, int from)
{
	return copy(to, from);
}

/* fd_nonblock - set O_NONBLOCK on the open file description of fd */
int fd_nonblock(int fd)
{
	return setflag(fd, F_GETFL, F_SETFL, O_NONBLOCK, 1);
}

/* fd_block - clear O_NONBLOCK on the open file description of fd */
int fd_block(int fd)
{
	return setflag(fd, F_GETFL, F_SETFL, O_NONBLOCK, 0);
}

/* fd_cloexec - close fd on a successful execve */
int fd_cloexec(int fd)
{
	return setflag(fd, F_GETFD, F_SETFD, FD_CLOEXEC, 1);
}

/* fd_nocloexec - keep fd open across execve, for a descriptor handed to a child */
int fd_nocloexec(int fd)
{
	return setflag(fd, F_GETFD, F_SETFD, FD_CLOEXEC, 0);
}

/* fd_close - close fd once; EINTR counts as closed (Linux always releases fd) */
int fd_close(int fd)
{
	if (close(fd) == 0 || errno == EINTR)
		return 1;
	return 0;
}

/* fd_write_all - write all n bytes unbuffered, retrying short writes and EINTR;
 * 1 on success, 0 with errno set (a write that moves nothing is EIO) */
int fd_write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return 0;
		if (w == 0) {
			errno = EIO;
			return 0;
		}
		s += w;
		n -= (size_t)w;
	}
	return 1;
}

/* fd_pipe_high - a close-on-exec pipe whose two ends are both at least low, so that
 * moving descriptors onto 0..low-1 in a child can never land on one of them */
int fd_pipe_high(int p[2], int low)
{
	int q[2], i, e;
	if (pipe(q) == -1)
		return 0;
	for (i = 0; i < 2; ++i) {
		p[i] = fcntl(q[i], F_DUPFD_CLOEXEC, low);
		if (p[i] == -1) {
			e = errno;
			if (i)
				close(p[0]);
			close(q[0]);
			close(q[1]);
			errno = e;
			return 0;
		}
	}
	close(q[0]);
	close(q[1]);
	return 1;
}

/* fd_closefrom - close every descriptor from low up, for code that goes on without an
 * exec (close-on-exec flags then protect nothing): close_range where the kernel has
 * it, else each number below the descriptor limit; 1, or 0 with errno (bad low) */
int fd_closefrom(int low)
{
	struct rlimit rl;
	long fd, top = FD_SCANMAX;
	if (low < 0) {
		errno = EINVAL;
		return 0;
	}
#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)low, ~0u, 0u) == 0)
		return 1;
#endif
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)top)
		top = (long)rl.rlim_cur;
	for (fd = low; fd < top; ++fd)
		close((int)fd);
	return 1;
}
