/*
 * sock.c - TCP sockets. sock_connect never blocks longer than its timeout: the socket
 * is non-blocking while connecting, poll waits for writability against a monotonic
 * deadline (an interrupted poll resumes with what is left), and SO_ERROR gives the
 * outcome; the connected socket is made blocking again for the caller. Every failure
 * closes what was opened and keeps the errno of the step that failed.
 */
#include "sock.h"

#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* sock_addr - ip and port as a socket address for bind, connect or sendto; 0 with
 * EINVAL for an address of no family */
int sock_addr(const ip_addr *ip, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof *ss);
	if (ip->family == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, ip->a, 4);
		*len = sizeof *s4;
		return 1;
	}
	if (ip->family == 6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, ip->a, 16);
		*len = sizeof *s6;
		return 1;
	}
	errno = EINVAL;
	return 0;
}

/* from_sa - a socket address as ip and port (either may be 0); EAFNOSUPPORT if not IP */
static int from_sa(const struct sockaddr *sa, socklen_t len, ip_addr *ip, uint16_t *port)
{
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		if (ip)
			ip_set4(ip, (const unsigned char *)&s4->sin_addr);
		if (port)
			*port = ntohs(s4->sin_port);
		return 1;
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		if (ip)
			ip_set6(ip, (const unsigned char *)&s6->sin6_addr);
		if (port)
			*port = ntohs(s6->sin6_port);
		return 1;
	}
	errno = EAFNOSUPPORT;
	return 0;
}

/* fail_close - close fd keeping errno, for the failure paths; returns -1 */
static int fail_close(int fd)
{
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* wait_writable - poll fd for writability until ms milliseconds from now have passed;
   0 with ETIMEDOUT at the deadline */
static int wait_writable(int fd, unsigned ms)
{
	struct timespec now;
	long long end;
	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		return 0;
	end = (long long)now.tv_sec * 1000000000LL + now.tv_nsec + (long long)ms * 1000000LL;
	for (;;) {
		struct pollfd p;
		long long left;
		int r;
		if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
			return 0;
		left = end - ((long long)now.tv_sec * 1000000000LL + now.tv_nsec);
		if (left < 0)
			left = 0;
		left = (left + 999999) / 1000000; /* round up, so poll never wakes early */
		p.fd = fd;
		p.events = POLLOUT;
		p.revents = 0;
		r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r > 0)
			return 1;
		if (r == 0 && left == 0) {
			errno = ETIMEDOUT;
			return 0;
		}
		if (r == -1 && errno != EINTR)
			return 0;
	}
}

/* sock_connect - a TCP connection to to:port within timeout_ms milliseconds, from the
   local address from when that is not 0; the fd, or -1 with errno (ETIMEDOUT,
   ECONNREFUSED, EADDRNOTAVAIL, EINVAL for no address or mixed families, ...) */
int sock_connect(const ip_addr *to, uint16_t port, const ip_addr *from, unsigned timeout_ms)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, e, fl;
	socklen_t elen = sizeof e;
	if (from && from->family != to->family) {
		errno = EINVAL;
		return -1;
	}
	if (!sock_addr(to, port, &ss, &len))
		return -1;
	fd = socket(to->family == 4 ? AF_INET : AF_INET6,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (from) {
		struct sockaddr_storage ls;
		socklen_t llen;
		if (!sock_addr(from, 0, &ls, &llen) || bind(fd, (struct sockaddr *)&ls, llen) == -1)
			return fail_close(fd);
	}
	if (connect(fd, (struct sockaddr *)&ss, len) == -1) {
		/* EINTR: the connection goes on in the background, as for EINPROGRESS */
		if (errno != EINPROGRESS && errno != EINTR)
			return fail_close(fd);
		if (!wait_writable(fd, timeout_ms))
			return fail_close(fd);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) == -1)
			return fail_close(fd);
		if (e) {
			errno = e;
			return fail_close(fd);
		}
	}
	fl = fcntl(fd, F_GETFL);
	if (fl == -1 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1)
		return fail_close(fd);
	return fd;
}

/* sock_listen - a listening TCP socket on ip:*port; port 0 picks a free one and *port
   is set to the port bound. IPv6 sockets are IPv6-only; SO_REUSEADDR is on */
int sock_listen(const ip_addr *ip, uint16_t *port, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;
	int on = 1;
	if (!sock_addr(ip, *port, &ss, &len))
		return -1;
	fd = socket(ip->family == 4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == -1)
		return fail_close(fd);
	if (ip->family == 6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) == -1)
		return fail_close(fd);
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 || listen(fd, backlog) == -1)
		return fail_close(fd);
	if (!sock_local(fd, 0, port))
		return fail_close(fd);
	return fd;
}

/* sock_accept - the next connection on a listening socket, close-on-exec; the peer's
   address and port go to ip and port when they are not 0; -1 with errno on failure */
int sock_accept(int fd, ip_addr *ip, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int c;
	do {
		len = sizeof ss;
		c = accept(fd, (struct sockaddr *)&ss, &len);
	} while (c == -1 && errno == EINTR);
	if (c == -1)
		return -1;
	if (fcntl(c, F_SETFD, FD_CLOEXEC) == -1 || !from_sa((struct sockaddr *)&ss, len, ip, port))
		return fail_close(c);
	return c;
}

/* sock_local - the local address and port of socket fd (either pointer may be 0) */
int sock_local(int fd, ip_addr *ip, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	return from_sa((struct sockaddr *)&ss, len, ip, port);
}

/* sock_remote - the peer's address and port of connected socket fd */
int sock_remote(int fd, ip_addr *ip, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	return from_sa((struct sockaddr *)&ss, len, ip, port);
}

/* sock_ipme - replace me with the IPv4 and IPv6 addresses of this host's interfaces,
   each once, in the order getifaddrs gives them; me is unchanged on failure */
int sock_ipme(ip_list *me)
{
	struct ifaddrs *all, *i;
	ip_list l = IP_LIST_ZERO;
	if (getifaddrs(&all) == -1)
		return 0;
	for (i = all; i; i = i->ifa_next) {
		ip_addr ip;
		socklen_t len;
		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			len = sizeof(struct sockaddr_in);
		else if (i->ifa_addr->sa_family == AF_INET6)
			len = sizeof(struct sockaddr_in6);
		else
			continue;
		if (!from_sa(i->ifa_addr, len, &ip, 0))
			continue;
		if (ip_list_has(&l, &ip))
			continue;
		if (!ip_list_add(&l, &ip)) {
			int e = errno;
			freeifaddrs(all);
			ip_list_free(&l);
			errno = e;
			return 0;
		}
	}
	freeifaddrs(all);
	ip_list_free(me);
	*me = l;
	return 1;
}
