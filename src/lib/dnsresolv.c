/*
 * dnsresolv.c - one DNS question asked over the network. Each try opens a new UDP
 * socket connected to one server (so the kernel picks a fresh random source port and
 * drops datagrams from other addresses; we check the sender again anyway), sends the
 * query with a fresh random id and waits up to the configured timeout for a datagram
 * that answers exactly this question; datagrams that do not (wrong id, name, type,
 * class or sender, or not a response) are ignored and the wait goes on. A matching
 * answer with the TC bit is asked again of the same server over TCP. The servers are
 * tried in order, attempts times round; NOERROR and NXDOMAIN answers end the search,
 * while SERVFAIL, REFUSED and the like, a malformed answer, silence or an ICMP error
 * move on to the next server. A server that answers FORMERR to our EDNS0 query is
 * asked again without the OPT record (and so are the servers after it).
 */
#include "dnsresolv.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alloc.h"
#include "fd.h"
#include "sock.h"
#include "tm.h"

typedef struct ask_s {
	const dns_conf *c;          /* the servers and timeouts */
	const unsigned char *qname; /* the question: name in wire form */
	uint16_t qtype;             /* and type */
	int edns;                   /* whether queries carry an OPT record */
	unsigned char *buf;         /* DNS_TCP_MAX + 1 bytes for an answer */
} ask;

/* dns_random - fill buf with n bytes from the kernel's random generator */
int dns_random(void *buf, size_t n)
{
	unsigned char *p = buf;
	while (n) {
		ssize_t r = getrandom(p, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			return 0;
		}
		p += r;
		n -= (size_t)r;
	}
	return 1;
}

/* same_sa - whether the sender of a datagram is ip:port */
static int same_sa(const struct sockaddr_storage *ss, socklen_t len, const ip_addr *ip,
		   uint16_t port)
{
	if (ip->family == 4 && ss->ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		return ntohs(s4->sin_port) == port && !memcmp(&s4->sin_addr, ip->a, 4);
	}
	if (ip->family == 6 && ss->ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		return ntohs(s6->sin6_port) == port && !memcmp(&s6->sin6_addr, ip->a, 16);
	}
	return 0;
}

/* matches - whether p[0..n) is a standard response to query id about our question */
static int matches(const ask *q, const unsigned char *p, size_t n, uint16_t id)
{
	unsigned char name[DNS_NAME_MAX];
	uint16_t rid, flags, type, class;
	if (!dns_reply_question(p, n, &rid, &flags, name, &type, &class))
		return 0;
	return rid == id && (flags & DNS_F_QR) && !(flags & 0x7800) && type == q->qtype &&
	       class == DNS_C_IN && dns_name_equal(name, q->qname);
}

/* wait_in - wait until fd is readable or the monotonic clock reaches deadline (ms);
   0 with ETIMEDOUT at the deadline */
static int wait_in(int fd, uint64_t deadline)
{
	for (;;) {
		struct pollfd p;
		uint64_t now = tm_mono_ms();
		int r;
		if (now >= deadline) {
			errno = ETIMEDOUT;
			return 0;
		}
		p.fd = fd;
		p.events = POLLIN;
		p.revents = 0;
		r = poll(&p, 1, deadline - now > 60000 ? 60000 : (int)(deadline - now));
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return 0;
	}
}

/* query - a query with a fresh random id at out; its length, 0 with errno */
static size_t query(const ask *q, unsigned char *out, uint16_t *id)
{
	if (!dns_random(id, sizeof *id))
		return 0;
	return dns_query_make(out, *id, q->qname, q->qtype, q->edns ? q->c->udpsize : 0);
}

/* udp_try - ask server s over UDP; 1 with r holding the answer, 2 when the answer was
   truncated, 0 with errno */
static int udp_try(const ask *q, size_t s, dns_reply *r)
{
	unsigned char out[DNS_QUERY_MAX];
	struct sockaddr_storage ss;
	socklen_t len;
	uint16_t id;
	size_t qlen = query(q, out, &id);
	uint64_t deadline;
	int fd, e;
	if (!qlen || !sock_addr(&q->c->ns[s], q->c->port[s], &ss, &len))
		return 0;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return 0;
	if (connect(fd, (struct sockaddr *)&ss, len) == -1)
		goto fail;
	while (send(fd, out, qlen, 0) == -1)
		if (errno != EINTR)
			goto fail;
	deadline = tm_mono_ms() + q->c->timeout_ms;
	for (;;) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof from;
		ssize_t got;
		if (!wait_in(fd, deadline))
			goto fail;
		got = recvfrom(fd, q->buf, DNS_TCP_MAX + 1, 0, (struct sockaddr *)&from, &flen);
		if (got < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (got < 0)
			goto fail;
		if (!same_sa(&from, flen, &q->c->ns[s], q->c->port[s]) ||
		    !matches(q, q->buf, (size_t)got, id))
			continue;
		close(fd);
		if (q->buf[2] & (DNS_F_TC >> 8))
			return 2;
		return dns_reply_parse(r, q->buf, (size_t)got);
	}
fail:
	e = errno;
	close(fd);
	errno = e;
	return 0;
}

/* read_all - read exactly n bytes from fd by deadline; EPROTO if the peer closes */
static int read_all(int fd, unsigned char *p, size_t n, uint64_t deadline)
{
	while (n) {
		ssize_t got;
		if (!wait_in(fd, deadline))
			return 0;
		got = read(fd, p, n);
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got < 0)
			return 0;
		if (got == 0) {
			errno = EPROTO;
			return 0;
		}
		p += got;
		n -= (size_t)got;
	}
	return 1;
}

/* tcp_try - ask server s over TCP (RFC 7766: a two-byte length before each message);
   1 with r holding the answer, 0 with errno */
static int tcp_try(const ask *q, size_t s, dns_reply *r)
{
	unsigned char out[2 + DNS_QUERY_MAX];
	uint64_t deadline = tm_mono_ms() + q->c->timeout_ms;
	uint16_t id;
	size_t qlen = query(q, out + 2, &id), n;
	int fd, e;
	if (!qlen)
		return 0;
	out[0] = (unsigned char)(qlen >> 8);
	out[1] = (unsigned char)qlen;
	fd = sock_connect(&q->c->ns[s], q->c->port[s], 0, q->c->timeout_ms);
	if (fd == -1)
		return 0;
	if (!fd_nonblock(fd) || !fd_write_all(fd, (const char *)out, qlen + 2) ||
	    !read_all(fd, q->buf, 2, deadline))
		goto fail;
	n = (size_t)q->buf[0] << 8 | q->buf[1];
	if (!read_all(fd, q->buf, n, deadline))
		goto fail;
	close(fd);
	if (!matches(q, q->buf, n, id)) {
		errno = EPROTO;
		return 0;
	}
	return dns_reply_parse(r, q->buf, n);
fail:
	e = errno;
	close(fd);
	errno = e;
	return 0;
}

/* try - ask server s, over UDP and if need be TCP; 1 with r holding a NOERROR or
   NXDOMAIN answer, 0 with errno (EAGAIN for an answer with another RCODE) */
static int try(ask *q, size_t s, dns_reply *r)
{
	for (;;) {
		int got = udp_try(q, s, r);
		if (got == 2)
			got = tcp_try(q, s, r);
		if (!got)
			return 0;
		if (r->rcode == DNS_R_NOERROR || r->rcode == DNS_R_NXDOMAIN)
			return 1;
		if (r->rcode != DNS_R_FORMERR || !q->edns)
			break;
		q->edns = 0;
	}
	errno = EAGAIN;
	return 0;
}

/* dns_transact - ask c's servers the question (qname in wire form, qtype, class IN);
   1 with r holding an answer whose rcode is DNS_R_NOERROR or DNS_R_NXDOMAIN; 0 with
   errno from the last server tried: ETIMEDOUT (no answer), EAGAIN (SERVFAIL, REFUSED
   or another RCODE), EPROTO (malformed answer), ECONNREFUSED, ENOMEM ... */
int dns_transact(const dns_conf *c, dns_reply *r, const unsigned char *qname, uint16_t qtype)
{
	ask q;
	unsigned a;
	size_t s;
	int e = EINVAL;
	q.c = c;
	q.qname = qname;
	q.qtype = qtype;
	q.edns = c->udpsize != 0;
	q.buf = alloc(DNS_TCP_MAX + 1);
	if (!q.buf)
		return 0;
	for (a = 0; a < c->attempts; a++) {
		for (s = 0; s < c->n && s < DNS_NS_MAX; s++) {
			if (try(&q, s, r)) {
				alloc_free(q.buf);
				return 1;
			}
			e = errno;
			if (e == ENOMEM)
				goto done;
		}
	}
done:
	alloc_free(q.buf);
	errno = e;
	return 0;
}
