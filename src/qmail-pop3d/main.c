/*
 * qmail-pop3d - serve a Maildir over POP3 (RFC 1939; SPEC sections 1 and 17). A
 * checkpassword program runs it as the authenticated user, with the home directory as
 * the current directory and the client on fds 0 and 1:
 *     qmail-popup HOST checkpassword qmail-pop3d Maildir
 * It refuses to run as root. It moves new mail to cur/ (maildir.c), answers the PASS
 * or APOP that qmail-popup read with "+OK", and serves STAT, LIST, UIDL, TOP, RETR,
 * DELE, RSET, NOOP, LAST, CAPA and QUIT on the messages of cur/, oldest first. Sizes
 * are exact: the octets of the message as sent, with CR LF line ends. Messages marked
 * by DELE are removed at QUIT, and only then; a session that ends any other way
 * removes nothing. RETR and TOP send CR LF lines with leading dots doubled; if a
 * message cannot be read to its end the connection is dropped, never ended with the
 * final dot, so a client cannot take a truncated message for a whole one.
 *
 * Limits: a command line is at most POP3_LINEMAX bytes; each read or write of the
 * connection at most TIMEOUT seconds.
 *
 * DIAGNOSTICS
 *   0    the session ended (QUIT, end of input, or a network error or timeout after
 *        the session began: qmail-popup must not answer again, the reason is on stderr)
 *   1    run as root (qmail-popup answers "authorization failed")
 *   111  usage, or the Maildir could not be opened or read (qmail-popup answers
 *        "temporary failure"), or out of memory before the session began
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>

#include "buf.h"
#include "die.h"
#include "fmt.h"
#include "pop3.h"
#include "pop3d.h"
#include "sa.h"
#include "sig.h"

#define TIMEOUT 1200 /* seconds allowed per read or write of the connection, as qmail */

static struct {
	box box;             /* the messages */
	size_t last;         /* highest message number retrieved (LAST), 0 for none */
	int session;         /* "+OK" was sent: from now on every exit is 0 */
	buf in;              /* the client's commands, fd 0 */
	buf out;             /* our replies and messages, fd 1 */
	char inspace[1024];  /* in's storage */
	char outspace[8192]; /* out's storage */
	pop3_cmd cmd;        /* the command reader */
	sa line;             /* scratch: one reply line */
	sa conv;             /* scratch: converted message bytes */
} st;

/* die_nomem - out of memory: the client is told if the session has begun */
static _Noreturn void die_nomem(void)
{
	if (st.session) {
		buf_puts(&st.out, "-ERR out of memory\r\n");
		buf_flush(&st.out);
		die_x(0, "out of memory", NULL);
	}
	die_x(111, "out of memory", NULL);
}

/* die_net - the connection failed: say why on stderr and end the session */
static _Noreturn void die_net(const char *what)
{
	if (errno == ETIMEDOUT) {
		char n[FMT_U64];
		n[fmt_u64(n, TIMEOUT)] = 0;
		die_x(0, "timeout: the connection was idle for ", n, " seconds", NULL);
	}
	die_sys(0, "unable to ", what, " the network", NULL);
}

/* put - bytes for the client, sent when the buffer fills or at the next flush */
static void put(const char *s, size_t n)
{
	if (!buf_put(&st.out, s, n))
		die_net("write to");
}

/* flush - send what is buffered */
static void flush(void)
{
	if (!buf_flush(&st.out))
		die_net("write to");
}

/* reply - one reply line, sent at once */
static void reply(const char *s)
{
	if (!buf_puts(&st.out, s) || !buf_putflush(&st.out, "\r\n", 2))
		die_net("write to");
}

/* line_start - begin a reply line in st.line */
static void line_start(const char *s)
{
	st.line.len = 0;
	if (!sa_cats(&st.line, s))
		die_nomem();
}

/* line_num - append " N" to st.line */
static void line_num(uint64_t u)
{
	if (!sa_catc(&st.line, ' ') || !sa_catu(&st.line, u))
		die_nomem();
}

/* line_end - CR LF after st.line, into the output buffer */
static void line_end(void)
{
	if (!sa_cats(&st.line, "\r\n"))
		die_nomem();
	put(st.line.s, st.line.len);
}

/* pick - *i = the index of message number k; 0 (and -ERR sent) if there is none */
static int pick(uint64_t k, size_t *i)
{
	if (k == 0 || k > st.box.n || st.box.m[k - 1].deleted) {
		reply("-ERR no such message");
		return 0;
	}
	*i = (size_t)(k - 1);
	return 1;
}

/* maildrop - "+OK count octets" over the messages not deleted */
static void maildrop(void)
{
	uint64_t count = 0, octets = 0;
	size_t i;
	for (i = 0; i < st.box.n; ++i)
		if (!st.box.m[i].deleted) {
			++count;
			if (__builtin_add_overflow(octets, box_size(&st.box, i), &octets))
				octets = UINT64_MAX;
		}
	line_start("+OK");
	line_num(count);
	line_num(octets);
	line_end();
	flush();
}

/* listing - one line "N size" (LIST) or "N uid" (UIDL) for message i */
static void listing(size_t i, int uidl)
{
	if ((st.line.len && !sa_catc(&st.line, ' ')) || !sa_catu(&st.line, (uint64_t)i + 1))
		die_nomem();
	if (uidl) {
		if (!sa_catc(&st.line, ' ') || !box_uidl(&st.box, i, &st.line))
			die_nomem();
	} else {
		line_num(box_size(&st.box, i));
	}
	line_end();
}

/* list - LIST or UIDL: of one message, or of all that are not deleted */
static void list(const pop3_cmd *c, int uidl)
{
	size_t i;
	if (c->nargs) {
		if (!pick(c->num[0], &i))
			return;
		line_start("+OK");
		listing(i, uidl);
		flush();
		return;
	}
	put("+OK\r\n", 5);
	for (i = 0; i < st.box.n; ++i)
		if (!st.box.m[i].deleted) {
			line_start("");
			listing(i, uidl);
		}
	put(".\r\n", 3);
	flush();
}

/* transmit - message i: its header and lines body lines, or all of it (RETR) */
static void transmit(size_t i, uint64_t lines, int retr)
{
	char space[8192];
	buf in;
	pop3_msg m;
	const char *s;
	size_t n, used;
	ssize_t r;
	int fd;
	if (retr)
		box_size(&st.box, i); /* for the octet count in the reply */
	fd = box_open(&st.box, i);
	if (fd == -1) {
		warn_sys("unable to open message ", st.box.m[i].file, NULL);
		reply("-ERR unable to read that message");
		return;
	}
	if (retr && st.box.m[i].sized) {
		line_start("+OK");
		line_num(st.box.m[i].size);
		if (!sa_cats(&st.line, " octets"))
			die_nomem();
		line_end();
	} else {
		put("+OK\r\n", 5);
	}
	buf_init(&in, fd, space, sizeof space);
	pop3_msg_init(&m, lines, 1);
	while (!m.done && (r = buf_feed(&in)) != 0) {
		if (r < 0) /* a client must never see a truncated message end with a dot */
			die_sys(0, "unable to read message ", st.box.m[i].file, NULL);
		s = buf_peek(&in, &n);
		st.conv.len = 0;
		if (!pop3_msg_put(&m, s, n, &st.conv, &used))
			die_nomem();
		buf_skip(&in, used);
		put(st.conv.s, st.conv.len);
	}
	close(fd);
	st.conv.len = 0;
	if (!pop3_msg_end(&m, &st.conv) || !sa_cats(&st.conv, ".\r\n"))
		die_nomem();
	put(st.conv.s, st.conv.len);
	flush();
}

/* quit - remove the messages marked by DELE (the UPDATE state), say so, and end */
static _Noreturn void quit(void)
{
	size_t failed;
	if (box_expunge(&st.box, &failed))
		reply("+OK bye");
	else
		reply("-ERR some deleted messages were not removed");
	_exit(0);
}

/* command - act on one well-formed command of the transaction state */
static void command(const pop3_cmd *c)
{
	size_t i;
	switch (c->verb) {
	case POP3_STAT:
		maildrop();
		return;
	case POP3_LIST:
		list(c, 0);
		return;
	case POP3_UIDL:
		list(c, 1);
		return;
	case POP3_RETR:
		if (!pick(c->num[0], &i))
			return;
		transmit(i, UINT64_MAX, 1);
		if (i + 1 > st.last)
			st.last = i + 1;
		return;
	case POP3_TOP:
		if (pick(c->num[0], &i))
			transmit(i, c->num[1], 0);
		return;
	case POP3_DELE:
		if (!pick(c->num[0], &i))
			return;
		st.box.m[i].deleted = 1;
		reply("+OK");
		return;
	case POP3_RSET:
		for (i = 0; i < st.box.n; ++i)
			st.box.m[i].deleted = 0;
		st.last = 0;
		reply("+OK");
		return;
	case POP3_LAST:
		line_start("+OK");
		line_num(st.last);
		line_end();
		flush();
		return;
	case POP3_NOOP:
		reply("+OK");
		return;
	case POP3_CAPA:
		reply("+OK capability list follows\r\nTOP\r\nUIDL\r\n.");
		return;
	case POP3_QUIT:
		quit();
	default:
		reply("-ERR already authenticated"); /* USER, PASS, APOP */
		return;
	}
}

/* run - read and answer commands until QUIT or the end of input */
static void run(void)
{
	int r;
	for (;;) {
		r = pop3_read(&st.cmd, &st.in);
		if (r < 0)
			die_net("read from");
		if (r == 0)
			_exit(0); /* no QUIT: nothing is removed */
		if (r == POP3_CMD) {
			command(&st.cmd);
			continue;
		}
		reply(pop3_err(r));
		if (r == POP3_FLOOD)
			die_x(0, "a command line would not end", NULL);
	}
}

int main(int argc, char **argv)
{
	die_init("qmail-pop3d");
	if (getuid() == 0 || geteuid() == 0)
		die_x(1, "refusing to serve root", NULL);
	if (argc != 2 || !argv[1][0])
		die_x(111, "usage: qmail-pop3d maildir", NULL);
	sig_ignore(SIGPIPE); /* a write to a closed connection fails with EPIPE instead */
	if (chdir(argv[1]) == -1)
		die_sys(111, "unable to open maildir ", argv[1], NULL);
	if (!box_scan(&st.box)) {
		if (errno == ENOMEM)
			die_nomem();
		die_sys(111, "unable to read maildir ", argv[1], NULL);
	}
	buf_init(&st.in, 0, st.inspace, sizeof st.inspace);
	buf_init(&st.out, 1, st.outspace, sizeof st.outspace);
	buf_settimeout(&st.in, TIMEOUT * 1000);
	buf_settimeout(&st.out, TIMEOUT * 1000);
	pop3_cmd_init(&st.cmd);
	st.session = 1;
	reply("+OK");
	run();
	return 0;
}
