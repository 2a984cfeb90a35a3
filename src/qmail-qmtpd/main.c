/*
 * qmail-qmtpd - receive mail over QMTP (SPEC section 13) under tcpserver.
 *
 * The client sends packages, one after another on one connection: a netstring
 * holding the message (its first byte names the line convention: LF for LF lines,
 * CR for CRLF lines, which are converted to LF), a netstring holding the sender and
 * a netstring holding the recipients as netstrings. After each package the server
 * answers one netstring per recipient, in order: K accepted, Z temporary, D
 * permanent failure. The message is streamed to the queue as it arrives, so a
 * package cut off in the middle queues nothing (qq_fail).
 *
 * Limits: message netstring 2e8 bytes, sender and recipient list 1 MB each
 * (lengths are checked before any payload is read), address 999 bytes, 1000
 * recipients accepted per package, databytes, one hour per connection.
 *
 * DIAGNOSTICS: exit 0 when the client closes between packages; 100 on a netstring
 * syntax error; 111 on a length over its limit, a broken or timed-out connection,
 * out of memory or unreadable control files.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "auto.h"
#include "buf.h"
#include "control.h"
#include "die.h"
#include "env.h"
#include "fmt.h"
#include "ns.h"
#include "nsread.h"
#include "qq.h"
#include "rcpthosts.h"
#include "received.h"
#include "scan.h"
#include "sig.h"
#include "tm.h"

#define MSGMAX   200000000 /* longest message netstring */
#define LISTMAX  1048576   /* longest sender or recipient-list netstring */
#define ADDRMAX  1000      /* an address this long (or longer) is refused */
#define RCPTMAX  1000      /* recipients accepted per package */
#define LIFETIME 3600      /* seconds a connection may last */

#define T_HOST "Dsorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)"
#define T_RCPT "Dsorry, I can't handle that recipient (#5.1.3)"
#define T_SEND "Dunacceptable sender (#5.1.7)"
#define T_SIZE "Dsorry, that message size exceeds my databytes limit (#5.3.4)"
#define T_CONV "Dsorry, I don't understand that line convention (#5.6.1)"
#define T_MANY "Zsorry, too many recipients in this package (#4.5.3)"
#define T_CTL  "Zunable to read controls (#4.3.0)"
#define T_QQT  "Zqqt failure (#4.3.0)"

/* per-recipient status letters kept in st */
#define S_OK   'K' /* handed to the queue */
#define S_HOST 'h' /* T_HOST */
#define S_RCPT 'r' /* T_RCPT */
#define S_MANY 'm' /* T_MANY */
#define S_CTL  'c' /* T_CTL */

static struct {
	buf in, out;         /* the client */
	char inspace[8192];  /* storage for in */
	char outspace[1024]; /* storage for out */
	nsread rd;           /* netstrings from in under the deadline */
	rcpthosts rh;        /* control/rcpthosts, morercpthosts.cdb */
	uint64_t databytes;  /* 0 for no limit */
	const char *relay;   /* RELAYCLIENT, or 0 */
	received rcv;        /* for the Received line */
	qq q;                /* the current package's queue program */
	int started;         /* q is running */
	sa line;             /* scratch: the Received line, replies */
	sa addr;             /* the address being read, at most ADDRMAX + 1 bytes */
	size_t addrlen;      /* its declared length */
	sa sender;           /* the sender, NUL-terminated */
	sa st;               /* one status letter per recipient */
} g;

/* nomem - give up: the connection cannot go on */
static _Noreturn void nomem(void)
{
	if (g.started) {
		qq_fail(&g.q);
		qq_finish(&g.q);
	}
	die_x(111, "out of memory", NULL);
}

/* broken - the client went away, stalled or spoke garbage mid-package: queue nothing */
static _Noreturn void broken(int e)
{
	if (g.started) {
		qq_fail(&g.q);
		qq_finish(&g.q);
	}
	if (e == EPROTO)
		die_x(100, "protocol error: bad netstring", NULL);
	errno = e;
	die_sys(111, "connection failed", NULL);
}

/* next - the next event of p, or the end of the connection */
static int next(ns *p, const char **s, size_t *n)
{
	int ev = nsread_next(&g.rd, p, s, n);
	if (ev == NS_ERROR)
		broken(errno);
	return ev;
}

/* put - message bytes to the queue, counting them against databytes */
static void put(const char *s, size_t n, uint64_t *bytes)
{
	*bytes += n;
	if (g.started)
		qq_put(&g.q, s, n);
}

/* message - read the message netstring into the queue; returns 0 or the D text */
static const char *message(void)
{
	ns p;
	const char *s;
	size_t n, i, k;
	uint64_t bytes = 0;
	int conv = 0, cr = 0, ev;
	ns_init(&p, MSGMAX);
	if (nsread_next(&g.rd, &p, &s, &n) != NS_LEN) {
		if (g.rd.eof)
			_exit(0); /* a clean end between packages */
		broken(errno);
	}
	g.started = qq_start(&g.q);
	if (g.started) {
		if (!received_line(&g.line, &g.rcv, tm_now()))
			nomem();
		qq_put(&g.q, g.line.s, g.line.len);
	}
	while ((ev = next(&p, &s, &n)) == NS_DATA) {
		i = 0;
		if (!conv) {
			conv = s[0] == '\n' ? 1 : s[0] == '\r' ? 2 : 3;
			i = 1;
		}
		if (conv == 1) {
			put(s + i, n - i, &bytes);
			continue;
		}
		if (conv == 3)
			continue;
		/* CRLF lines: CR LF becomes LF, any other CR stays */
		for (k = i; i < n; ++i) {
			if (cr) {
				cr = 0;
				if (s[i] != '\n')
					put("\r", 1, &bytes);
			}
			if (s[i] == '\r') {
				put(s + k, i - k, &bytes);
				k = i + 1;
				cr = 1;
			}
		}
		put(s + k, i - k, &bytes);
	}
	if (cr)
		put("\r", 1, &bytes);
	if (conv == 0 || conv == 3)
		return T_CONV;
	if (g.databytes && bytes > g.databytes)
		return T_SIZE;
	return 0;
}

/* address - collect an address's payload pieces into g.addr, at most ADDRMAX + 1 */
static void address(const char *s, size_t n)
{
	size_t room = ADDRMAX + 1 - g.addr.len;
	if (!sa_catb(&g.addr, s, n < room ? n : room))
		nomem();
}

/* bad_address - whether g.addr is too long or holds a NUL */
static int bad_address(size_t extra)
{
	return g.addrlen >= ADDRMAX || extra >= ADDRMAX - g.addrlen ||
	       memchr(g.addr.s, 0, g.addr.len) != 0;
}

/* sender - read the sender netstring; returns 0 or the D text */
static const char *sender(void)
{
	ns p;
	const char *s;
	size_t n;
	int ev;
	ns_init(&p, LISTMAX);
	g.addr.len = 0;
	if (next(&p, &s, &n) != NS_LEN)
		broken(EPROTO);
	g.addrlen = p.len;
	while ((ev = next(&p, &s, &n)) == NS_DATA)
		address(s, n);
	if (bad_address(0))
		return T_SEND;
	if (!sa_copyb(&g.sender, g.addr.s, g.addr.len) || !sa_0(&g.sender))
		nomem();
	if (g.started)
		qq_from(&g.q, g.sender.s);
	return 0;
}

/* recipient - decide on the complete recipient in g.addr */
static void recipient(size_t *accepted)
{
	char st = S_OK;
	int r;
	if (bad_address(g.relay ? strlen(g.relay) : 0))
		st = S_RCPT;
	else if ((g.relay && !sa_cats(&g.addr, g.relay)) || !sa_0(&g.addr))
		nomem();
	else if (!g.relay && (r = rcpthosts_check(&g.rh, g.addr.s)) != 1)
		st = r == 0 ? S_HOST : S_CTL;
	else if (*accepted >= RCPTMAX)
		st = S_MANY;
	if (st == S_OK) {
		++*accepted;
		if (g.started)
			qq_to(&g.q, g.addr.s);
	}
	if (!sa_catc(&g.st, st))
		nomem();
}

/* recipients - read the recipient list; returns how many were accepted */
static size_t recipients(void)
{
	ns outer, inner;
	const char *s, *t;
	size_t n, m, used, accepted = 0;
	int pending = 0;
	ns_init(&outer, LISTMAX);
	ns_init(&inner, LISTMAX);
	g.st.len = 0;
	if (next(&outer, &s, &n) != NS_LEN)
		broken(EPROTO);
	while (next(&outer, &s, &n) == NS_DATA) {
		while (n) {
			int ev = ns_feed(&inner, s, n, &used);
			t = s;
			m = used;
			s += used;
			n -= used;
			if (ev == NS_ERROR)
				broken(errno);
			pending = ev != NS_END;
			if (ev == NS_LEN) {
				g.addr.len = 0;
				g.addrlen = inner.len;
			} else if (ev == NS_DATA)
				address(t, m);
			else if (ev == NS_END)
				recipient(&accepted);
		}
	}
	if (pending)
		broken(EPROTO);
	return accepted;
}

/* reply - one response netstring to the client's buffer */
static void reply(const char *text)
{
	g.line.len = 0;
	if (!ns_catb(&g.line, text, strlen(text)))
		nomem();
	buf_settimeout(&g.out, nsread_left(&g.rd));
	if (!buf_putsa(&g.out, &g.line))
		broken(errno);
}

/* package - read one package, queue it, answer for each recipient */
static void package(void)
{
	const char *bad, *result = "", *t;
	char num[FMT_U64];
	size_t accepted, i;
	bad = message();
	t = sender();
	if (!bad)
		bad = t;
	accepted = recipients();
	if (g.started) {
		if (bad || !accepted)
			qq_fail(&g.q);
		result = qq_finish(&g.q);
		g.started = 0;
	} else
		result = T_QQT;
	if (!bad && accepted && !*result) {
		if (!sa_copys(&g.sender, "Kok ") ||
		    !sa_catb(&g.sender, num, fmt_u64(num, (uint64_t)tm_now())) ||
		    !sa_cats(&g.sender, " qp ") ||
		    !sa_catb(&g.sender, num, fmt_u64(num, qq_qp(&g.q))) || !sa_0(&g.sender))
			nomem();
		result = g.sender.s;
	}
	for (i = 0; i < g.st.len; ++i) {
		switch (g.st.s[i]) {
		case S_HOST:
			t = T_HOST;
			break;
		case S_RCPT:
			t = T_RCPT;
			break;
		case S_MANY:
			t = T_MANY;
			break;
		case S_CTL:
			t = T_CTL;
			break;
		default:
			t = bad ? bad : result;
		}
		reply(t);
	}
	if (!buf_flush(&g.out))
		broken(errno);
}

/* setup - controls and environment (cwd QMAILHOME) */
static void setup(void)
{
	const char *failed, *v;
	int r;
	if (control_init() == -1)
		die_sys(111, "unable to read control/me", NULL);
	if (!rcpthosts_load(&g.rh, &failed))
		die_sys(111, "unable to read ", failed, NULL);
	r = control_readint(&g.databytes, "control/databytes");
	if (r == -1)
		die_sys(111, "unable to read control/databytes", NULL);
	if (r == 0)
		g.databytes = 0;
	v = env_get("DATABYTES");
	if (v && !scan_u64_all(v, strlen(v), &g.databytes))
		die_x(111, "DATABYTES is not a number", NULL);
	g.relay = env_get("RELAYCLIENT");
	received_env(&g.rcv, "QMTP");
}

int main(void)
{
	die_init("qmail-qmtpd");
	sig_ignore(SIGPIPE); /* a queue program that dies early must not kill us */
	if (chdir(auto_qmail) == -1)
		die_sys(111, "unable to switch to ", auto_qmail, NULL);
	setup();
	buf_init(&g.in, 0, g.inspace, sizeof g.inspace);
	buf_init(&g.out, 1, g.outspace, sizeof g.outspace);
	nsread_init(&g.rd, &g.in, tm_mono_ms() + (uint64_t)LIFETIME * 1000);
	for (;;)
		package();
}
