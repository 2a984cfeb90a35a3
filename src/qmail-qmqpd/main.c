/*
 * qmail-qmqpd - receive one message over QMQP (SPEC section 13) under tcpserver.
 *
 * The client sends one netstring holding a netstring of the message (LF lines), a
 * netstring of the sender and one netstring per recipient; the server answers one
 * netstring (K accepted, Z temporary, D permanent failure) and closes. There is no
 * relay check and no size limit beyond the netstring's: a hub runs this only for
 * its own clients (tcpserver -x rules). The message is streamed to the queue as it
 * arrives; a connection cut off in the middle queues nothing.
 *
 * Limits: the whole packet 2e8 bytes (checked as its length arrives), address 999
 * bytes, envelope 16 MB, one hour per connection.
 *
 * DIAGNOSTICS: exit 0 after answering; 100 on a netstring syntax error; 111 on a
 * length over its limit, a broken or timed-out connection, or out of memory.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "auto.h"
#include "buf.h"
#include "die.h"
#include "env.h"
#include "fmt.h"
#include "ns.h"
#include "nsread.h"
#include "qq.h"
#include "received.h"
#include "sig.h"
#include "tm.h"

#define PACKMAX  200000000 /* longest packet netstring */
#define ADDRMAX  1000      /* an address this long (or longer) is refused */
#define ENVMAX   16777216  /* bytes of addresses in one envelope */
#define LIFETIME 3600      /* seconds a connection may last */

#define T_ADDR "Dsorry, I can't accept addresses like that (#5.1.3)"
#define T_ENV  "Dsorry, that envelope is too large (#5.5.3)"
#define T_QQT  "Zqqt failure (#4.3.0)"

static struct {
	buf in, out;         /* the client */
	char inspace[8192];  /* storage for in */
	char outspace[1024]; /* storage for out */
	nsread rd;           /* netstrings from in under the deadline */
	received rcv;        /* for the Received line */
	qq q;                /* the queue program */
	int started;         /* q is running */
	sa line;             /* scratch: the Received line, the reply */
	sa addr;             /* the address being read, at most ADDRMAX + 1 bytes */
	size_t addrlen;      /* its declared length */
	size_t items;        /* inner netstrings completed: message, sender, recipients */
	uint64_t envbytes;   /* bytes of addresses so far */
	const char *bad;     /* the D text that refuses the message, or 0 */
} g;

/* stop - queue nothing and exit */
static _Noreturn void stop(int code, int e, const char *what)
{
	if (g.started) {
		qq_fail(&g.q);
		qq_finish(&g.q);
	}
	errno = e;
	if (code == 100 || !e)
		die_x(code, what, NULL);
	die_sys(code, what, NULL);
}

/* item - an inner netstring is complete: the message, the sender or a recipient */
static void item(void)
{
	size_t i = g.items++;
	if (i == 0)
		return;
	g.envbytes += g.addrlen + 2;
	if (g.addrlen >= ADDRMAX || memchr(g.addr.s, 0, g.addr.len))
		g.bad = T_ADDR;
	else if (g.envbytes > ENVMAX)
		g.bad = T_ENV;
	if (g.bad || !g.started)
		return;
	if (!sa_0(&g.addr))
		stop(111, 0, "out of memory");
	if (i == 1)
		qq_from(&g.q, g.addr.s);
	else
		qq_to(&g.q, g.addr.s);
}

/* piece - payload bytes of the current inner netstring */
static void piece(const char *s, size_t n)
{
	size_t room;
	if (g.items == 0) {
		if (g.started)
			qq_put(&g.q, s, n);
		return;
	}
	room = ADDRMAX + 1 - g.addr.len;
	if (!sa_catb(&g.addr, s, n < room ? n : room))
		stop(111, 0, "out of memory");
}

/* packet - read the packet, streaming the message to the queue */
static void packet(void)
{
	ns outer, inner;
	const char *s;
	size_t n, used;
	int pending = 0;
	ns_init(&outer, PACKMAX);
	ns_init(&inner, PACKMAX);
	if (nsread_next(&g.rd, &outer, &s, &n) != NS_LEN)
		stop(errno == EPROTO ? 100 : 111, errno, "unable to read packet");
	g.started = qq_start(&g.q);
	if (g.started) {
		if (!received_line(&g.line, &g.rcv, tm_now()))
			stop(111, 0, "out of memory");
		qq_put(&g.q, g.line.s, g.line.len);
	}
	for (;;) {
		int ev = nsread_next(&g.rd, &outer, &s, &n);
		if (ev == NS_END)
			break;
		if (ev == NS_ERROR)
			stop(errno == EPROTO ? 100 : 111, errno, "unable to read packet");
		while (n) {
			const char *t = s;
			ev = ns_feed(&inner, s, n, &used);
			s += used;
			n -= used;
			if (ev == NS_ERROR)
				stop(errno == EPROTO ? 100 : 111, errno, "bad netstring in packet");
			pending = ev != NS_END;
			if (ev == NS_LEN) {
				g.addr.len = 0;
				g.addrlen = inner.len;
			} else if (ev == NS_DATA)
				piece(t, used);
			else if (ev == NS_END)
				item();
		}
	}
	if (pending || g.items < 2)
		stop(100, 0, "protocol error: incomplete packet");
}

/* answer - finish the queue program and send the one reply */
static void answer(void)
{
	char num[FMT_U64];
	const char *result = T_QQT;
	if (g.started) {
		if (g.bad)
			qq_fail(&g.q);
		result = qq_finish(&g.q);
		g.started = 0;
	}
	if (g.bad)
		result = g.bad;
	g.line.len = 0;
	if (!*result) {
		if (!sa_cats(&g.line, "Kok ") ||
		    !sa_catb(&g.line, num, fmt_u64(num, (uint64_t)tm_now())) ||
		    !sa_cats(&g.line, " qp ") || !sa_catb(&g.line, num, fmt_u64(num, qq_qp(&g.q))))
			stop(111, 0, "out of memory");
		if (!sa_copy(&g.addr, &g.line))
			stop(111, 0, "out of memory");
	} else if (!sa_copys(&g.addr, result))
		stop(111, 0, "out of memory");
	g.line.len = 0;
	if (!ns_catb(&g.line, g.addr.s, g.addr.len))
		stop(111, 0, "out of memory");
	buf_settimeout(&g.out, nsread_left(&g.rd));
	if (!buf_putsa(&g.out, &g.line) || !buf_flush(&g.out))
		die_sys(111, "unable to write reply", NULL);
}

int main(void)
{
	die_init("qmail-qmqpd");
	sig_ignore(SIGPIPE); /* a queue program that dies early must not kill us */
	if (chdir(auto_qmail) == -1)
		die_sys(111, "unable to switch to ", auto_qmail, NULL);
	received_env(&g.rcv, "QMQP");
	buf_init(&g.in, 0, g.inspace, sizeof g.inspace);
	buf_init(&g.out, 1, g.outspace, sizeof g.outspace);
	nsread_init(&g.rd, &g.in, tm_mono_ms() + (uint64_t)LIFETIME * 1000);
	packet();
	answer();
	return 0;
}
