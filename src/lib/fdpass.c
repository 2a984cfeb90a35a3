/*
 * fdpass.c - descriptors over a Unix-domain socket. The sender keeps its own copy of
 * the descriptor (it closes it when it wants to); the receiver gets a new one, with
 * close-on-exec set. A byte that arrives without a descriptor, or with more than one,
 * is a protocol error: whatever came with it is closed.
 */
#include "fdpass.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FDPASS_BYTE 'F' /* the data byte that carries a descriptor */

typedef union {
	struct cmsghdr h;
	char space[CMSG_SPACE(sizeof(int))];
} control; /* room for exactly one descriptor, aligned for a cmsghdr */

/* fdpass_send - send fd over sock without waiting; 1, or 0 with errno (EAGAIN when
 * the socket's buffer is full) */
int fdpass_send(int sock, int fd)
{
	char byte = FDPASS_BYTE;
	struct iovec iov = {&byte, 1};
	struct msghdr m;
	struct cmsghdr *c;
	control u;
	memset(&m, 0, sizeof m);
	memset(&u, 0, sizeof u);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.space;
	m.msg_controllen = sizeof u.space;
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	for (;;) {
		ssize_t w = sendmsg(sock, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w == 1)
			return 1;
		if (w == -1 && errno == EINTR)
			continue;
		if (w != -1)
			errno = EIO;
		return 0;
	}
}

/* dropall - close every descriptor a message brought */
static void dropall(struct msghdr *m)
{
	struct cmsghdr *c;
	for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int), i;
			for (i = 0; i < n; ++i) {
				int fd;
				memcpy(&fd, CMSG_DATA(c) + i * sizeof fd, sizeof fd);
				close(fd);
			}
		}
}

/* fdpass_recv - take one descriptor waiting on sock: 1 with it in *fd, 0 at end of
 * file, -1 with errno (EAGAIN when nothing waits, EPROTO for a byte without exactly
 * one descriptor) */
int fdpass_recv(int sock, int *fd)
{
	char byte;
	struct iovec iov = {&byte, 1};
	struct msghdr m;
	struct cmsghdr *c;
	control u;
	ssize_t r;
	for (;;) {
		memset(&m, 0, sizeof m);
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = u.space;
		m.msg_controllen = sizeof u.space;
		r = recvmsg(sock, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (r != -1 || errno != EINTR)
			break;
	}
	if (r <= 0)
		return (int)r;
	c = CMSG_FIRSTHDR(&m);
	if (byte != FDPASS_BYTE || (m.msg_flags & MSG_CTRUNC) || !c ||
	    c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int))) { /* no room for a second one */
		dropall(&m);
		errno = EPROTO;
		return -1;
	}
	memcpy(fd, CMSG_DATA(c), sizeof *fd);
	return 1;
}
