/* sock.c - tests for TCP connect with timeout, listen, accept, socket addresses and
   this host's addresses. Only loopback addresses are ever connected to; 192.0.2.1
   (TEST-NET-1) is only used for a bind that must fail locally. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "ip.h"
#include "sock.h"

/* addr - a parsed address, for brevity */
static ip_addr addr(const char *s)
{
	ip_addr ip = IP_ADDR_ZERO;
	if (!ip_scan_all(s, strlen(s), &ip))
		printf("  bad test address %s\n", s);
	return ip;
}

/* next_fd - the descriptor number the next open would get (to catch leaks) */
static int next_fd(void)
{
	int fd = dup(0);
	if (fd >= 0)
		close(fd);
	return fd;
}

/* ms_since - milliseconds elapsed since t */
static long ms_since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000L + (now.tv_nsec - t->tv_nsec) / 1000000L;
}

/* round_trip - listen on loop, connect to it (from from, if not 0) and check every
   address both ends report, the descriptor flags, and one byte each way */
static void round_trip(const char *loop, const char *from, const char *seen_from)
{
	ip_addr l = addr(loop), f, ip = IP_ADDR_ZERO, ip2 = IP_ADDR_ZERO;
	uint16_t port = 0, p = 0, p2 = 1;
	int ls, c, a;
	char ch = 0;
	if (from)
		f = addr(from);
	ls = sock_listen(&l, &port, 5);
	if (!T_OK(ls >= 0)) {
		printf("  listen on %s: %s\n", loop, strerror(errno));
		return;
	}
	T_OK(port != 0);
	T_OK(sock_local(ls, &ip, &p));
	T_EQ_U(ip_cmp(&ip, &l), 0);
	T_EQ_U(p, port);
	c = sock_connect(&l, port, from ? &f : 0, 5000);
	if (!T_OK(c >= 0)) {
		printf("  connect to %s: %s\n", loop, strerror(errno));
		close(ls);
		return;
	}
	T_EQ_U(fcntl(c, F_GETFL) & O_NONBLOCK, 0);
	T_EQ_U(fcntl(c, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	T_OK(sock_remote(c, &ip, &p));
	T_EQ_U(ip_cmp(&ip, &l), 0);
	T_EQ_U(p, port);
	a = sock_accept(ls, &ip, &p);
	T_OK(a >= 0);
	T_EQ_U(fcntl(a, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	/* what the server sees is what the client is bound to */
	T_OK(sock_local(c, &ip2, &p2));
	T_EQ_U(ip_cmp(&ip, &ip2), 0);
	T_EQ_U(p, p2);
	if (seen_from) {
		ip_addr want = addr(seen_from);
		T_EQ_U(ip_cmp(&ip, &want), 0);
	}
	T_OK(sock_remote(a, &ip2, &p2));
	T_EQ_U(ip_cmp(&ip2, &ip), 0);
	T_OK(sock_local(a, &ip2, &p2));
	T_EQ_U(ip_cmp(&ip2, &l), 0);
	T_EQ_U(p2, port);
	T_EQ_U(write(c, "x", 1), 1);
	T_EQ_U(read(a, &ch, 1), 1);
	T_EQ_U(ch, 'x');
	T_EQ_U(write(a, "y", 1), 1);
	T_EQ_U(read(c, &ch, 1), 1);
	T_EQ_U(ch, 'y');
	close(a);
	close(c);
	close(ls);
}

static void t_connect4(void)
{
	round_trip("127.0.0.1", 0, "127.0.0.1");
}

/* IPv6 is enabled on the build and CI machines, so ::1 must work */
static void t_connect6(void)
{
	FILE *f = fopen("/proc/sys/net/ipv6/conf/lo/disable_ipv6", "r");
	if (f) {
		int c = fgetc(f);
		fclose(f);
		if (!T_OK(c == '0'))
			printf("  IPv6 is disabled on lo: the ::1 tests cannot pass here\n");
	}
	round_trip("::1", 0, "::1");
}

static void t_bind(void)
{
	ip_addr to = addr("127.0.0.1"), from6 = addr("::1"), far = addr("192.0.2.1");
	int before = next_fd();
	round_trip("127.0.0.1", "127.0.0.2", "127.0.0.2");
	round_trip("::1", "::1", "::1");
	errno = 0;
	T_EQ_U(sock_connect(&to, 25, &from6, 1000), -1);
	T_EQ_U(errno, EINVAL);
	errno = 0;
	T_EQ_U(sock_connect(&to, 25, &far, 1000), -1); /* not ours: bind fails, no traffic */
	T_EQ_U(errno, EADDRNOTAVAIL);
	T_EQ_U(next_fd(), before);
}

static void t_refused(void)
{
	const char *loops[] = {"127.0.0.1", "::1"};
	int i;
	for (i = 0; i < 2; ++i) {
		ip_addr l = addr(loops[i]);
		uint16_t port = 0;
		int ls = sock_listen(&l, &port, 1);
		int before;
		T_OK(ls >= 0);
		close(ls);
		before = next_fd();
		errno = 0;
		T_EQ_U(sock_connect(&l, port, 0, 5000), -1);
		T_EQ_U(errno, ECONNREFUSED);
		T_EQ_U(next_fd(), before);
	}
}

/* a listener with backlog 0 that never accepts: once its queue holds a connection, the
   kernel drops further SYNs, so a connect can only end by our timeout */
static void t_timeout(void)
{
	ip_addr l = addr("127.0.0.1");
	uint16_t port = 0;
	int ls = sock_listen(&l, &port, 0);
	int fds[16];
	int n = 0, before, fd = -1, e = 0;
	long took = 0;
	T_OK(ls >= 0);
	while (n < 16) {
		struct timespec t0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		before = next_fd();
		errno = 0;
		fd = sock_connect(&l, port, 0, 300);
		took = ms_since(&t0);
		if (fd == -1) {
			e = errno;
			T_EQ_U(next_fd(), before);
			break;
		}
		fds[n++] = fd;
	}
	T_EQ_U(fd, -1);
	T_EQ_U(e, ETIMEDOUT);
	T_OK(n >= 1 && n <= 4);
	T_OK(took >= 290 && took < 3000);
	if (took < 290 || took >= 3000)
		printf("  timeout took %ld ms\n", took);
	/* a zero timeout does not wait at all */
	{
		struct timespec t0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		errno = 0;
		T_EQ_U(sock_connect(&l, port, 0, 0), -1);
		T_EQ_U(errno, ETIMEDOUT);
		T_OK(ms_since(&t0) < 200);
	}
	while (n > 0)
		close(fds[--n]);
	close(ls);
}

static void t_invalid(void)
{
	ip_addr none = IP_ADDR_ZERO, l = addr("127.0.0.1");
	uint16_t port = 0;
	int before = next_fd();
	errno = 0;
	T_EQ_U(sock_connect(&none, 25, 0, 1000), -1);
	T_EQ_U(errno, EINVAL);
	errno = 0;
	T_EQ_U(sock_connect(&none, 25, &none, 1000), -1);
	T_EQ_U(errno, EINVAL);
	errno = 0;
	T_EQ_U(sock_listen(&none, &port, 1), -1);
	T_EQ_U(errno, EINVAL);
	errno = 0;
	T_OK(!sock_local(-1, 0, 0));
	T_EQ_U(errno, EBADF);
	errno = 0;
	T_OK(!sock_remote(before, 0, 0));
	T_EQ_U(errno, EBADF);
	/* a listening socket has no peer */
	{
		int ls = sock_listen(&l, &port, 1);
		errno = 0;
		T_OK(!sock_remote(ls, 0, 0));
		T_EQ_U(errno, ENOTCONN);
		close(ls);
	}
	T_EQ_U(next_fd(), before);
}

static void t_addr(void)
{
	ip_addr v4 = addr("192.0.2.1"), v6 = addr("2001:db8::1"), none = IP_ADDR_ZERO;
	struct sockaddr_storage ss;
	socklen_t len = 0;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;
	T_OK(sock_addr(&v4, 25, &ss, &len));
	T_EQ_U(len, sizeof(struct sockaddr_in));
	T_EQ_U(s4->sin_family, AF_INET);
	T_EQ_U(ntohs(s4->sin_port), 25);
	T_EQ_MEM(&s4->sin_addr, 4, "\300\0\2\1", 4);
	T_OK(sock_addr(&v6, 65535, &ss, &len));
	T_EQ_U(len, sizeof(struct sockaddr_in6));
	T_EQ_U(s6->sin6_family, AF_INET6);
	T_EQ_U(ntohs(s6->sin6_port), 65535);
	T_EQ_MEM(&s6->sin6_addr, 16, "\40\1\15\270\0\0\0\0\0\0\0\0\0\0\0\1", 16);
	T_EQ_U(s6->sin6_flowinfo, 0);
	T_EQ_U(s6->sin6_scope_id, 0);
	len = 7;
	errno = 0;
	T_OK(!sock_addr(&none, 25, &ss, &len));
	T_EQ_U(errno, EINVAL);
	T_EQ_U(len, 7);
}

static void t_ipme(void)
{
	ip_list me = IP_LIST_ZERO;
	ip_addr ip;
	size_t i, j;
	int dup = 0;
	T_OK(sock_ipme(&me));
	T_OK(me.len >= 2);
	ip = addr("127.0.0.1");
	T_OK(ip_list_has(&me, &ip));
	ip = addr("::1");
	T_OK(ip_list_has(&me, &ip));
	for (i = 0; i < me.len; ++i) {
		T_OK(me.a[i].family == 4 || me.a[i].family == 6);
		T_OK(ip_is_local(&me, &me.a[i]));
		for (j = i + 1; j < me.len; ++j)
			dup |= ip_cmp(&me.a[i], &me.a[j]) == 0;
	}
	T_OK(!dup);
	ip = addr("0.0.0.0");
	T_OK(ip_is_local(&me, &ip));
	ip = addr("::");
	T_OK(ip_is_local(&me, &ip));
	ip = addr("::ffff:127.0.0.1");
	T_OK(ip_is_local(&me, &ip));
	ip = addr("192.0.2.1");
	T_OK(!ip_is_local(&me, &ip));
	ip = addr("2001:db8::1");
	T_OK(!ip_is_local(&me, &ip));
	/* a second call replaces the list rather than appending */
	i = me.len;
	T_OK(sock_ipme(&me));
	T_EQ_U(me.len, i);
	ip_list_free(&me);
}

const t_case t_cases[] = {
	T_CASE(t_connect4), T_CASE(t_connect6), T_CASE(t_bind),
	T_CASE(t_refused),  T_CASE(t_timeout),  T_CASE(t_invalid),
	T_CASE(t_ipme),     T_CASE(t_addr),     T_END,
};
