/*
 * qmail-qmqpc - a qmail-queue look-alike that hands each message to a QMQP server
 * (SPEC section 13) instead of a local queue: the message on fd 0, the envelope on
 * fd 1 (F sender NUL, T recipient NUL ..., NUL), no output. The servers are the
 * lines of control/qmqpservers, tried in order: each is an IPv4 or IPv6 address,
 * optionally with a port ("1.2.3.4:628", "[2001:db8::1]:628"; default 628). A
 * server that refuses or does not answer the connection within 10 s is skipped; once
 * connected, every read and write has 60 s.
 *
 * The message is sent as it is read when fd 0 is a regular file (its size gives the
 * netstring length); otherwise it is read into memory first, at most 2e8 bytes (the
 * largest packet qmail-qmqpd accepts). No Received line is added.
 *
 * DIAGNOSTICS: exit codes of qmail-queue: 0 accepted (K); 31 refused (D) or message
 * over 2e8 bytes; 71 temporary refusal (Z); 72 connection timed out; 73 connection
 * refused; 74 communication failed after connecting; 11 an address of 1000 bytes or
 * more; 51 out of memory; 54 unable to read the message or envelope; 55 unable to
 * read control/qmqpservers or no server in it; 91 envelope format error.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auto.h"
#include "buf.h"
#include "control.h"
#include "fmt.h"
#include "ip.h"
#include "ns.h"
#include "nsread.h"
#include "sa.h"
#include "scan.h"
#include "sig.h"
#include "size.h"
#include "sock.h"
#include "str.h"
#include "tm.h"

#define MSGMAX    200000000 /* largest message read into memory */
#define ENVMAX    16777216  /* largest envelope */
#define ADDRMAX   1000      /* an address this long is refused (exit 11) */
#define PORT      628       /* QMQP */
#define T_CONNECT 10000     /* milliseconds to connect */
#define T_IO      60000     /* milliseconds per read or write */

static struct {
	sa env;              /* the envelope as read from fd 1 */
	sa tail;             /* the sender and recipient netstrings */
	sa msg;              /* the message, when fd 0 is not a regular file */
	int stream;          /* the message is read from fd 0 while sending */
	size_t mlen;         /* message bytes */
	sa servers;          /* control/qmqpservers, NUL-separated */
	buf out;             /* to the server */
	char outspace[8192]; /* storage for out */
	buf in;              /* from the server */
	char inspace[1024];  /* storage for in */
} g;

/* readall - read fd to its end into x, at most max bytes: 1, 0 too long, -1 error */
static int readall(int fd, sa *x, size_t max)
{
	char space[8192];
	for (;;) {
		ssize_t r = read(fd, space, sizeof space);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0)
			return 1;
		if ((size_t)r > max - x->len)
			return 0;
		if (!sa_catb(x, space, (size_t)r))
			_exit(51);
	}
}

/* envelope - read and check the envelope, and build its netstrings into g.tail */
static void envelope(void)
{
	size_t i = 0, k;
	int r = readall(1, &g.env, ENVMAX);
	if (r == -1)
		_exit(54);
	if (r == 0 || g.env.len < 2 || g.env.s[0] != 'F')
		_exit(91);
	for (;;) {
		if (i == g.env.len)
			_exit(91); /* no final NUL */
		if (i > 0 && g.env.s[i] == 0) {
			if (i + 1 != g.env.len)
				_exit(91);
			return;
		}
		if (g.env.s[i] != (i == 0 ? 'F' : 'T'))
			_exit(91);
		for (k = i + 1; k < g.env.len && g.env.s[k]; ++k)
			;
		if (k == g.env.len)
			_exit(91);
		if (k - i - 1 >= ADDRMAX)
			_exit(11);
		if (!ns_catb(&g.tail, g.env.s + i + 1, k - i - 1))
			_exit(51);
		i = k + 1;
	}
}

/* message - find the message's length: from fstat, or by reading it into memory */
static void message(void)
{
	struct stat st;
	off_t at;
	int r;
	if (fstat(0, &st) == 0 && S_ISREG(st.st_mode) && (at = lseek(0, 0, SEEK_CUR)) != -1) {
		if (st.st_size - at > MSGMAX)
			_exit(31);
		g.stream = 1;
		g.mlen = (size_t)(st.st_size > at ? st.st_size - at : 0);
		return;
	}
	r = readall(0, &g.msg, MSGMAX);
	if (r == -1)
		_exit(54);
	if (r == 0)
		_exit(31);
	g.mlen = g.msg.len;
}

/* server - parse one qmqpservers line: 1, or 0 if it is not an address */
static int server(const char *s, ip_addr *ip, uint16_t *port)
{
	size_t n = strlen(s), k = n;
	uint64_t u;
	*port = PORT;
	if (s[0] == '[') {
		k = byte_chr(s, n, ']');
		if (k == n || !ip_scan_all(s + 1, k - 1, ip) || ip->family != 6)
			return 0;
		++k;
	} else if (!ip_scan_all(s, n, ip)) {
		for (k = n; k > 0 && s[k - 1] != ':'; --k)
			;
		if (k == 0 || !ip_scan_all(s, --k, ip) || ip->family != 4)
			return 0;
	}
	if (k == n)
		return 1;
	if (s[k] != ':' || k + 1 == n || !scan_u64_all(s + k + 1, n - k - 1, &u) || u == 0 ||
	    u > 65535)
		return 0;
	*port = (uint16_t)u;
	return 1;
}

/* fail - the connection broke after it was made */
static _Noreturn void fail(void)
{
	_exit(74);
}

/* copy - send the message from fd 0 as it is read */
static void copy(void)
{
	char space[8192];
	size_t left = g.mlen;
	while (left) {
		ssize_t r = read(0, space, left < sizeof space ? left : sizeof space);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			_exit(54); /* the connection closes mid-packet: nothing is queued */
		if (!buf_put(&g.out, space, (size_t)r))
			fail();
		left -= (size_t)r;
	}
}

/* talk - send the packet on fd and return the exit code the answer means */
static int talk(int fd)
{
	char num[FMT_U64];
	size_t total, k = fmt_u64(num, g.mlen);
	ns p;
	nsread rd;
	const char *s;
	size_t n;
	char first = 0;
	int ev;
	if (!size_add(&total, k, g.mlen) || !size_add(&total, total, 2) ||
	    !size_add(&total, total, g.tail.len))
		_exit(31);
	buf_init(&g.out, fd, g.outspace, sizeof g.outspace);
	buf_settimeout(&g.out, T_IO);
	if (!buf_put(&g.out, num, fmt_u64(num, total)) || !buf_put(&g.out, ":", 1) ||
	    !buf_put(&g.out, num, fmt_u64(num, g.mlen)) || !buf_put(&g.out, ":", 1))
		fail();
	if (g.stream)
		copy();
	else if (!buf_put(&g.out, g.msg.s, g.msg.len))
		fail();
	if (!buf_put(&g.out, ",", 1) || !buf_putsa(&g.out, &g.tail) || !buf_put(&g.out, ",", 1) ||
	    !buf_flush(&g.out))
		fail();
	buf_init(&g.in, fd, g.inspace, sizeof g.inspace);
	nsread_init(&rd, &g.in, tm_mono_ms() + T_IO);
	ns_init(&p, sizeof g.inspace);
	while ((ev = nsread_next(&rd, &p, &s, &n)) != NS_END) {
		if (ev == NS_ERROR)
			fail();
		if (ev == NS_DATA && !first)
			first = s[0];
	}
	switch (first) {
	case 'K':
		return 0;
	case 'D':
		return 31;
	case 'Z':
		return 71;
	default:
		fail();
	}
}

int main(void)
{
	size_t i;
	int code = 55, r;
	sig_ignore(SIGPIPE);
	message(); /* first, as qmail-queue does: a writer may send it before the envelope */
	envelope();
	if (chdir(auto_qmail) == -1)
		_exit(55);
	r = control_readlist(&g.servers, "control/qmqpservers");
	if (r != 1)
		_exit(55);
	for (i = 0; i < g.servers.len; i += strlen(g.servers.s + i) + 1) {
		ip_addr ip;
		uint16_t port;
		int fd;
		if (!server(g.servers.s + i, &ip, &port))
			continue;
		fd = sock_connect(&ip, port, 0, T_CONNECT);
		if (fd == -1) {
			code = errno == ETIMEDOUT ? 72 : 73;
			continue;
		}
		_exit(talk(fd));
	}
	_exit(code);
}
