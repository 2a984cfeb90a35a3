/* pop3.c - tests for the POP3 command reader and the message writer */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "harness.h"
#include "pop3.h"

#define S(x)   x, sizeof(x) - 1
#define DIGEST "c4c9334bac560ecc979e58001b3e22fb"

static const struct {
	const char *in;   /* one line */
	size_t inlen;     /* its length */
	int result;       /* what pop3_feed says at its end */
	pop3_verb verb;   /* the command (POP3_NONE when unknown) */
	size_t nargs;     /* arguments */
	const char *arg0; /* the first, or 0 */
	const char *arg1; /* the second, or 0 */
	uint64_t num0;    /* numeric arguments */
	uint64_t num1;
} lines[] = {
	{S("USER bob\r\n"), POP3_CMD, POP3_USER, 1, "bob", 0, 0, 0},
	{S("user bob\n"), POP3_CMD, POP3_USER, 1, "bob", 0, 0, 0},
	{S("UsEr Bob Smith\r\n"), POP3_CMD, POP3_USER, 1, "Bob Smith", 0, 0, 0},
	{S("USER \xc3\xa9t\xc3\xa9\r\n"), POP3_CMD, POP3_USER, 1, "\xc3\xa9t\xc3\xa9", 0, 0, 0},
	{S("PASS secret pass\r\n"), POP3_CMD, POP3_PASS, 1, "secret pass", 0, 0, 0},
	{S("PASS  x \r\n"), POP3_CMD, POP3_PASS, 1, " x ", 0, 0, 0},
	{S("pass \xff\xfe\t\r\n"), POP3_CMD, POP3_PASS, 1, "\xff\xfe\t", 0, 0, 0},
	{S("APOP bob " DIGEST "\r\n"), POP3_CMD, POP3_APOP, 2, "bob", DIGEST, 0, 0},
	{S("apop bob C4C9334BAC560ECC979E58001B3E22FB\n"), POP3_CMD, POP3_APOP, 2, "bob",
	 "C4C9334BAC560ECC979E58001B3E22FB", 0, 0},
	{S("APOP bob smith " DIGEST "\r\n"), POP3_CMD, POP3_APOP, 2, "bob smith", DIGEST, 0, 0},
	{S("QUIT\r\n"), POP3_CMD, POP3_QUIT, 0, 0, 0, 0, 0},
	{S("quit\n"), POP3_CMD, POP3_QUIT, 0, 0, 0, 0, 0},
	{S("QUIT   \r\n"), POP3_CMD, POP3_QUIT, 0, 0, 0, 0, 0},
	{S("STAT\r\n"), POP3_CMD, POP3_STAT, 0, 0, 0, 0, 0},
	{S("LIST\r\n"), POP3_CMD, POP3_LIST, 0, 0, 0, 0, 0},
	{S("LIST 1\r\n"), POP3_CMD, POP3_LIST, 1, "1", 0, 1, 0},
	{S("list  2 \r\n"), POP3_CMD, POP3_LIST, 1, "2", 0, 2, 0},
	{S("RETR 18446744073709551615\r\n"), POP3_CMD, POP3_RETR, 1, "18446744073709551615", 0,
	 UINT64_MAX, 0},
	{S("RETR 0\r\n"), POP3_CMD, POP3_RETR, 1, "0", 0, 0, 0},
	{S("RETR 007\r\n"), POP3_CMD, POP3_RETR, 1, "007", 0, 7, 0},
	{S("DELE 3\r\n"), POP3_CMD, POP3_DELE, 1, "3", 0, 3, 0},
	{S("NOOP\r\n"), POP3_CMD, POP3_NOOP, 0, 0, 0, 0, 0},
	{S("RSET\r\n"), POP3_CMD, POP3_RSET, 0, 0, 0, 0, 0},
	{S("TOP 1 0\r\n"), POP3_CMD, POP3_TOP, 2, "1", "0", 1, 0},
	{S("top 2 10\r\n"), POP3_CMD, POP3_TOP, 2, "2", "10", 2, 10},
	{S("TOP 1 18446744073709551615\r\n"), POP3_CMD, POP3_TOP, 2, "1", "18446744073709551615", 1,
	 UINT64_MAX},
	{S("UIDL\r\n"), POP3_CMD, POP3_UIDL, 0, 0, 0, 0, 0},
	{S("UIDL 9\r\n"), POP3_CMD, POP3_UIDL, 1, "9", 0, 9, 0},
	{S("LAST\r\n"), POP3_CMD, POP3_LAST, 0, 0, 0, 0, 0},
	{S("CAPA\r\n"), POP3_CMD, POP3_CAPA, 0, 0, 0, 0, 0},
	/* syntax errors: a known keyword, bad arguments or bytes */
	{S("USER\r\n"), POP3_SYNTAX, POP3_USER, 0, 0, 0, 0, 0},
	{S("USER \r\n"), POP3_SYNTAX, POP3_USER, 0, 0, 0, 0, 0},
	{S("USER bob\0evil\r\n"), POP3_SYNTAX, POP3_USER, 0, 0, 0, 0, 0},
	{S("PASS \0\r\n"), POP3_SYNTAX, POP3_PASS, 0, 0, 0, 0, 0},
	{S("PASS a\rb\r\n"), POP3_SYNTAX, POP3_PASS, 0, 0, 0, 0, 0},
	{S("PASS ab\r\r\n"), POP3_SYNTAX, POP3_PASS, 0, 0, 0, 0, 0},
	{S("QU\0IT\r\n"), POP3_SYNTAX, POP3_QUIT, 0, 0, 0, 0, 0},
	{S("QUIT\r\r\n"), POP3_SYNTAX, POP3_QUIT, 0, 0, 0, 0, 0},
	{S("QUIT now\r\n"), POP3_SYNTAX, POP3_QUIT, 0, 0, 0, 0, 0},
	{S("STAT 1\r\n"), POP3_SYNTAX, POP3_STAT, 0, 0, 0, 0, 0},
	{S("RETR\r\n"), POP3_SYNTAX, POP3_RETR, 0, 0, 0, 0, 0},
	{S("RETR \r\n"), POP3_SYNTAX, POP3_RETR, 0, 0, 0, 0, 0},
	{S("RETR x\r\n"), POP3_SYNTAX, POP3_RETR, 0, 0, 0, 0, 0},
	{S("RETR 1x\r\n"), POP3_SYNTAX, POP3_RETR, 0, 0, 0, 0, 0},
	{S("RETR 1 2\r\n"), POP3_SYNTAX, POP3_RETR, 0, 0, 0, 0, 0},
	{S("RETR -1\r\n"), POP3_SYNTAX, POP3_RETR, 0, 0, 0, 0, 0},
	{S("RETR +1\r\n"), POP3_SYNTAX, POP3_RETR, 0, 0, 0, 0, 0},
	{S("RETR 1\t\r\n"), POP3_SYNTAX, POP3_RETR, 0, 0, 0, 0, 0},
	{S("RETR 18446744073709551616\r\n"), POP3_SYNTAX, POP3_RETR, 0, 0, 0, 0, 0},
	{S("DELE 99999999999999999999999\r\n"), POP3_SYNTAX, POP3_DELE, 0, 0, 0, 0, 0},
	{S("TOP 1\r\n"), POP3_SYNTAX, POP3_TOP, 0, 0, 0, 0, 0},
	{S("TOP 1 2 3\r\n"), POP3_SYNTAX, POP3_TOP, 0, 0, 0, 0, 0},
	{S("LIST 1 2\r\n"), POP3_SYNTAX, POP3_LIST, 0, 0, 0, 0, 0},
	{S("UIDL a\r\n"), POP3_SYNTAX, POP3_UIDL, 0, 0, 0, 0, 0},
	{S("APOP\r\n"), POP3_SYNTAX, POP3_APOP, 0, 0, 0, 0, 0},
	{S("APOP bob\r\n"), POP3_SYNTAX, POP3_APOP, 0, 0, 0, 0, 0},
	{S("APOP " DIGEST "\r\n"), POP3_SYNTAX, POP3_APOP, 0, 0, 0, 0, 0},
	{S("APOP bob 123\r\n"), POP3_SYNTAX, POP3_APOP, 0, 0, 0, 0, 0},
	{S("APOP  " DIGEST "\r\n"), POP3_SYNTAX, POP3_APOP, 0, 0, 0, 0, 0},
	{S("APOP bob c4c9334bac560ecc979e58001b3e22fg\r\n"), POP3_SYNTAX, POP3_APOP, 0, 0, 0, 0, 0},
	{S("APOP bob " DIGEST "0\r\n"), POP3_SYNTAX, POP3_APOP, 0, 0, 0, 0, 0},
	{S("APOP bob " DIGEST " \r\n"), POP3_SYNTAX, POP3_APOP, 0, 0, 0, 0, 0},
	{S("XYZ\0\r\n"), POP3_SYNTAX, POP3_NONE, 0, 0, 0, 0, 0},
	/* unknown keywords */
	{S("\r\n"), POP3_UNKNOWN, POP3_NONE, 0, 0, 0, 0, 0},
	{S("\n"), POP3_UNKNOWN, POP3_NONE, 0, 0, 0, 0, 0},
	{S(" USER bob\r\n"), POP3_UNKNOWN, POP3_NONE, 0, 0, 0, 0, 0},
	{S("USERX bob\r\n"), POP3_UNKNOWN, POP3_NONE, 0, 0, 0, 0, 0},
	{S("USER\tbob\r\n"), POP3_UNKNOWN, POP3_NONE, 0, 0, 0, 0, 0},
	{S("US\r\n"), POP3_UNKNOWN, POP3_NONE, 0, 0, 0, 0, 0},
	{S("AUTH PLAIN\r\n"), POP3_UNKNOWN, POP3_NONE, 0, 0, 0, 0, 0},
	{S("STLS\r\n"), POP3_UNKNOWN, POP3_NONE, 0, 0, 0, 0, 0},
	{S("HELO x\r\n"), POP3_UNKNOWN, POP3_NONE, 0, 0, 0, 0, 0},
	{S("\xc3\x9cSER x\r\n"), POP3_UNKNOWN, POP3_NONE, 0, 0, 0, 0, 0},
};

/* line_ok - c holds what the table row i expects */
static void line_ok(const pop3_cmd *c, size_t i)
{
	const char *a;
	size_t n;
	T_EQ_U(c->verb, lines[i].verb);
	T_EQ_U(c->nargs, lines[i].nargs);
	a = pop3_arg(c, 0, &n);
	if (lines[i].arg0)
		T_OK(a && n == strlen(lines[i].arg0) && !memcmp(a, lines[i].arg0, n));
	else
		T_OK(!a && n == 0);
	a = pop3_arg(c, 1, &n);
	if (lines[i].arg1)
		T_OK(a && n == strlen(lines[i].arg1) && !memcmp(a, lines[i].arg1, n));
	else
		T_OK(!a && n == 0);
	T_OK(!pop3_arg(c, 2, &n));
	if (lines[i].result == POP3_CMD) {
		T_EQ_U(c->num[0], lines[i].num0);
		T_EQ_U(c->num[1], lines[i].num1);
	}
}

static void t_whole(void)
{
	pop3_cmd c;
	size_t i, used;
	for (i = 0; i < sizeof lines / sizeof lines[0]; ++i) {
		pop3_cmd_init(&c);
		T_EQ_U(pop3_feed(&c, lines[i].in, lines[i].inlen, &used), lines[i].result);
		T_EQ_U(used, lines[i].inlen);
		line_ok(&c, i);
	}
}

static void t_bytewise(void)
{
	pop3_cmd c;
	size_t i, j, used;
	for (i = 0; i < sizeof lines / sizeof lines[0]; ++i) {
		int more = 1;
		pop3_cmd_init(&c);
		for (j = 0; j + 1 < lines[i].inlen; ++j) {
			if (pop3_feed(&c, lines[i].in + j, 1, &used) != POP3_MORE || used != 1)
				more = 0;
		}
		T_OK(more);
		T_EQ_U(pop3_feed(&c, lines[i].in + j, 1, &used), lines[i].result);
		T_EQ_U(used, 1);
		line_ok(&c, i);
	}
}

/* all_lines - every table line back to back, fed in pieces of k bytes: each result */
static void all_lines(size_t k)
{
	sa in = SA_ZERO;
	pop3_cmd c;
	size_t i, off = 0, row = 0, used, n;
	int r, good = 1;
	for (i = 0; i < sizeof lines / sizeof lines[0]; ++i)
		T_OK(sa_catb(&in, lines[i].in, lines[i].inlen));
	pop3_cmd_init(&c);
	while (off < in.len) {
		n = in.len - off < k ? in.len - off : k;
		r = pop3_feed(&c, in.s + off, n, &used);
		off += used;
		if (r == POP3_MORE) {
			good &= used == n;
			continue;
		}
		good &= row < sizeof lines / sizeof lines[0] && r == lines[row].result &&
			c.verb == lines[row].verb;
		++row;
	}
	T_OK(good);
	T_EQ_U(row, sizeof lines / sizeof lines[0]);
	sa_free(&in);
}

static void t_stream(void)
{
	all_lines(1);
	all_lines(2);
	all_lines(7);
	all_lines(512);
	all_lines(100000);
}

/* feed_all - feed s whole and then byte by byte; both give want */
static void feed_all(const char *s, size_t n, int want, const char *what)
{
	pop3_cmd c;
	size_t used, i;
	int r = POP3_MORE;
	pop3_cmd_init(&c);
	T_EQ_U(pop3_feed(&c, s, n, &used), want);
	T_EQ_U(used, n);
	pop3_cmd_init(&c);
	for (i = 0; i < n && r == POP3_MORE; ++i)
		r = pop3_feed(&c, s + i, 1, &used);
	if (r != want || i != n)
		T_OK(!what);
}

/* line - "PASS " padded with x to total bytes, ended by end ("\r\n" or "\n") */
static char *line(size_t total, const char *end)
{
	char *s = malloc(total);
	size_t e = strlen(end);
	memset(s, 'x', total);
	memcpy(s, "PASS ", 5);
	memcpy(s + total - e, end, e);
	return s;
}

static void t_limits(void)
{
	char *s;
	s = line(POP3_LINEMAX, "\r\n");
	feed_all(s, POP3_LINEMAX, POP3_CMD, "512 bytes with CR LF");
	free(s);
	s = line(POP3_LINEMAX, "\n");
	feed_all(s, POP3_LINEMAX, POP3_CMD, "512 bytes with LF");
	free(s);
	s = line(POP3_LINEMAX + 1, "\r\n");
	feed_all(s, POP3_LINEMAX + 1, POP3_LONG, "513 bytes with CR LF");
	free(s);
	s = line(POP3_LINEMAX + 1, "\n");
	feed_all(s, POP3_LINEMAX + 1, POP3_LONG, "513 bytes with LF");
	free(s);
	s = line(POP3_SKIPMAX, "\n");
	feed_all(s, POP3_SKIPMAX, POP3_LONG, "longest line still skipped");
	free(s);
	s = line(POP3_SKIPMAX + 1, "\n");
	feed_all(s, POP3_SKIPMAX, POP3_FLOOD, "a flood, seen at its limit");
	free(s);
}

static void t_long_then_more(void)
{
	pop3_cmd c;
	char *s = line(10000, "\r\n");
	size_t used;
	pop3_cmd_init(&c);
	T_EQ_U(pop3_feed(&c, s, 10000, &used), POP3_LONG);
	T_EQ_U(used, 10000);
	T_EQ_U(c.verb, POP3_NONE);
	T_EQ_U(pop3_feed(&c, S("QUIT\r\n"), &used), POP3_CMD);
	T_EQ_U(c.verb, POP3_QUIT);
	T_EQ_U(used, 6);
	free(s);
}

static void t_flood_sticky(void)
{
	pop3_cmd c;
	char *s = line(POP3_SKIPMAX + 100, "\r\n");
	size_t used;
	pop3_cmd_init(&c);
	T_EQ_U(pop3_feed(&c, s, POP3_SKIPMAX + 100, &used), POP3_FLOOD);
	T_EQ_U(used, POP3_SKIPMAX);
	T_EQ_U(pop3_feed(&c, s, 100, &used), POP3_FLOOD);
	T_EQ_U(used, 0);
	T_EQ_U(pop3_feed(&c, S("QUIT\r\n"), &used), POP3_FLOOD);
	T_EQ_U(used, 0);
	free(s);
}

static void t_several(void)
{
	static const char in[] = "USER a\r\nPASS b c\r\nSTAT\r\nQUIT\r\nNOO";
	pop3_cmd c;
	size_t off = 0, used;
	const char *a;
	size_t n;
	pop3_cmd_init(&c);
	T_EQ_U(pop3_feed(&c, in, sizeof in - 1, &used), POP3_CMD);
	T_EQ_U(c.verb, POP3_USER);
	off += used;
	T_EQ_U(off, 8);
	T_EQ_U(pop3_feed(&c, in + off, sizeof in - 1 - off, &used), POP3_CMD);
	T_EQ_U(c.verb, POP3_PASS);
	a = pop3_arg(&c, 0, &n);
	T_EQ_MEM(a, n, "b c", 3);
	off += used;
	T_EQ_U(pop3_feed(&c, in + off, sizeof in - 1 - off, &used), POP3_CMD);
	T_EQ_U(c.verb, POP3_STAT);
	off += used;
	T_EQ_U(pop3_feed(&c, in + off, sizeof in - 1 - off, &used), POP3_CMD);
	T_EQ_U(c.verb, POP3_QUIT);
	off += used;
	T_EQ_U(pop3_feed(&c, in + off, sizeof in - 1 - off, &used), POP3_MORE);
	T_EQ_U(used, 3);
	T_EQ_U(pop3_feed(&c, S("P\r\n"), &used), POP3_CMD);
	T_EQ_U(c.verb, POP3_NOOP);
	T_EQ_U(pop3_feed(&c, "", 0, &used), POP3_MORE);
	T_EQ_U(used, 0);
}

static const struct {
	const char *in;  /* the stored message */
	size_t inlen;    /* its length */
	uint64_t lines;  /* TOP's line count, or UINT64_MAX */
	int stuff;       /* dot-stuffing */
	const char *out; /* what goes on the wire (before the final dot) */
	size_t outlen;   /* its length */
} msgs[] = {
	{S("a\nb\n"), UINT64_MAX, 1, S("a\r\nb\r\n")},
	{S("a\r\nb\r\n"), UINT64_MAX, 1, S("a\r\nb\r\n")},
	{S(".\n"), UINT64_MAX, 1, S("..\r\n")},
	{S("..x\n"), UINT64_MAX, 1, S("...x\r\n")},
	{S("a\n.\nb"), UINT64_MAX, 1, S("a\r\n..\r\nb\r\n")},
	{S("a\r\n.\r\n"), UINT64_MAX, 1, S("a\r\n..\r\n")},
	{S(""), UINT64_MAX, 1, S("")},
	{S("abc"), UINT64_MAX, 1, S("abc\r\n")},
	{S("."), UINT64_MAX, 1, S("..\r\n")},
	{S("a\rb\n"), UINT64_MAX, 1, S("a\rb\r\n")},
	{S("a\r"), UINT64_MAX, 1, S("a\r\r\n")},
	{S("\r"), UINT64_MAX, 1, S("\r\r\n")},
	{S("\r.\n"), UINT64_MAX, 1, S("\r.\r\n")},
	{S("a\r\r\n"), UINT64_MAX, 1, S("a\r\r\n")},
	{S("x.\n.y\n"), UINT64_MAX, 1, S("x.\r\n..y\r\n")},
	{S("\n\n"), UINT64_MAX, 1, S("\r\n\r\n")},
	{S("a\0b\n"), UINT64_MAX, 1, S("a\0b\r\n")},
	{S(".\n"), UINT64_MAX, 0, S(".\r\n")},
	{S("a\n.\nb"), UINT64_MAX, 0, S("a\r\n.\r\nb\r\n")},
	/* TOP */
	{S("H: 1\n\nb1\nb2\nb3\n"), 0, 1, S("H: 1\r\n\r\n")},
	{S("H: 1\n\nb1\nb2\nb3\n"), 2, 1, S("H: 1\r\n\r\nb1\r\nb2\r\n")},
	{S("H: 1\n\nb1\nb2\nb3\n"), 3, 1, S("H: 1\r\n\r\nb1\r\nb2\r\nb3\r\n")},
	{S("H: 1\n\nb1\nb2\nb3\n"), 5, 1, S("H: 1\r\n\r\nb1\r\nb2\r\nb3\r\n")},
	{S("H: 1\nH: 2\n"), 0, 1, S("H: 1\r\nH: 2\r\n")},
	{S("H: 1\r\n\r\n.b1\r\nb2"), 1, 1, S("H: 1\r\n\r\n..b1\r\n")},
	{S("H\n\nb1\nb2"), 1, 1, S("H\r\n\r\nb1\r\n")},
	{S("H\n\nb1\nb2"), 2, 1, S("H\r\n\r\nb1\r\nb2\r\n")},
	{S("H\n\nb1\nb2"), 0, 1, S("H\r\n\r\n")},
	{S("\nbody\n"), 0, 1, S("\r\n")},
	{S("H\n\n\n\nx\n"), 2, 1, S("H\r\n\r\n\r\n\r\n")},
	{S("H\n\r\n\rx\r\n"), 1, 1, S("H\r\n\r\n\rx\r\n")},
	{S("H\n\r\n"), 0, 1, S("H\r\n\r\n")},
	{S("H\n\r"), 0, 1, S("H\r\n\r\r\n")},
	{S("H\n\n.\n"), 1, 1, S("H\r\n\r\n..\r\n")},
	{S("H\n\nx\n"), UINT64_MAX - 1, 1, S("H\r\n\r\nx\r\n")},
};

/* msg_whole - row i converted in one piece: the output, its count, and used */
static void msg_whole(size_t i)
{
	pop3_msg m;
	sa out = SA_ZERO;
	size_t used;
	pop3_msg_init(&m, msgs[i].lines, msgs[i].stuff);
	T_OK(pop3_msg_put(&m, msgs[i].in, msgs[i].inlen, &out, &used));
	T_OK(used <= msgs[i].inlen);
	T_OK(used == msgs[i].inlen || m.done);
	T_OK(pop3_msg_end(&m, &out));
	T_EQ_MEM(out.s, out.len, msgs[i].out, msgs[i].outlen);
	T_EQ_U(m.octets, msgs[i].outlen);
	sa_free(&out);
}

/* msg_bytes - row i converted a byte at a time, and counted without output */
static void msg_bytes(size_t i)
{
	pop3_msg m, count;
	sa out = SA_ZERO;
	size_t j, used, u2;
	int good = 1;
	pop3_msg_init(&m, msgs[i].lines, msgs[i].stuff);
	pop3_msg_init(&count, msgs[i].lines, msgs[i].stuff);
	for (j = 0; j < msgs[i].inlen; ++j) {
		good &= pop3_msg_put(&m, msgs[i].in + j, 1, &out, &used);
		good &= pop3_msg_put(&count, msgs[i].in + j, 1, 0, &u2);
		good &= used == u2 && (used == 1 || m.done);
	}
	T_OK(good);
	T_OK(pop3_msg_end(&m, &out));
	T_OK(pop3_msg_end(&count, 0));
	T_EQ_MEM(out.s, out.len, msgs[i].out, msgs[i].outlen);
	T_EQ_U(count.octets, msgs[i].outlen);
	sa_free(&out);
}

static void t_msg(void)
{
	size_t i;
	for (i = 0; i < sizeof msgs / sizeof msgs[0]; ++i) {
		msg_whole(i);
		msg_bytes(i);
	}
}

static void t_msg_done(void)
{
	pop3_msg m;
	sa out = SA_ZERO;
	size_t used;
	pop3_msg_init(&m, 1, 1);
	T_OK(pop3_msg_put(&m, S("H\n\nb1\nb2\nb3\n"), &out, &used));
	T_EQ_U(used, 6);
	T_OK(m.done);
	T_OK(pop3_msg_put(&m, S("more\n"), &out, &used));
	T_EQ_U(used, 0);
	T_OK(pop3_msg_end(&m, &out));
	T_EQ_MEM(out.s, out.len, "H\r\n\r\nb1\r\n", 9);
	T_EQ_U(m.bodylines, 1);
	sa_free(&out);
}

/* t_msg_size - the count without stuffing is the RETR output less the doubled dots */
static void t_msg_size(void)
{
	static const char in[] = "From: a\n\n.x\n..\nplain\r\n.\r\nend";
	pop3_msg m, c;
	sa out = SA_ZERO;
	size_t used;
	pop3_msg_init(&m, UINT64_MAX, 1);
	pop3_msg_init(&c, UINT64_MAX, 0);
	T_OK(pop3_msg_put(&m, in, sizeof in - 1, &out, &used));
	T_OK(pop3_msg_end(&m, &out));
	T_OK(pop3_msg_put(&c, in, sizeof in - 1, 0, &used));
	T_OK(pop3_msg_end(&c, 0));
	T_EQ_U(m.octets, out.len);
	T_EQ_U(c.octets + 3, m.octets);
	T_EQ_U(c.octets, sizeof in - 1 + 6);
	sa_free(&out);
}

/* feeder - the input behind a test buf: handed out in pieces of at most step bytes */
typedef struct feeder_s {
	const char *s; /* the bytes */
	size_t len;    /* how many */
	size_t pos;    /* handed out so far */
	size_t step;   /* the most one read returns */
	int err;       /* errno for a failed read at the end instead of end of input, or 0 */
	size_t reads;  /* reads made */
} feeder;

/* feed_op - a buf_op handing out the feeder's bytes */
static ssize_t feed_op(int fd, void *p, size_t n, void *ctx)
{
	feeder *f = ctx;
	size_t k = f->len - f->pos;
	(void)fd;
	++f->reads;
	if (!k && f->err) {
		errno = f->err;
		return -1;
	}
	if (k > f->step)
		k = f->step;
	if (k > n)
		k = n;
	memcpy(p, f->s + f->pos, k);
	f->pos += k;
	return (ssize_t)k;
}

/* read_all - pop3_read over s in pieces of step bytes: each result into res, then the end */
static size_t read_all(const char *s, size_t len, size_t step, int err, int *res, size_t max)
{
	char space[64];
	feeder f = {s, len, 0, step, err, 0};
	buf in;
	pop3_cmd c;
	size_t n = 0;
	buf_init(&in, -1, space, sizeof space);
	buf_setop(&in, feed_op, &f);
	pop3_cmd_init(&c);
	while (n < max) {
		res[n] = pop3_read(&c, &in);
		if (res[n] == POP3_CMD && c.verb == POP3_QUIT)
			res[n] = 100; /* mark QUIT, to see the order kept */
		if (res[n++] <= 0 || res[n - 1] == POP3_FLOOD)
			break;
	}
	return n;
}

static void t_read(void)
{
	static const char in[] = "NOOP\r\nUSER\r\nFOO bar\r\nQUIT\n";
	static const int want[] = {POP3_CMD, POP3_SYNTAX, POP3_UNKNOWN, 100, 0};
	size_t step, n;
	int res[8];
	for (step = 1; step <= sizeof in; ++step) {
		n = read_all(in, sizeof in - 1, step, 0, res, 8);
		T_EQ_MEM(res, n * sizeof res[0], want, sizeof want);
	}
	/* an unended last line is not reported: end of input */
	n = read_all(S("NOOP\r\nQUI"), 1, 0, res, 8);
	T_EQ_U(n, 2);
	T_EQ_U(res[0], POP3_CMD);
	T_EQ_U(res[1], 0);
	/* a failed read: -1 with errno kept */
	errno = 0;
	n = read_all(S("NOOP\r\nQUI"), 4, ETIMEDOUT, res, 8);
	T_EQ_U(n, 2);
	T_OK(res[1] == -1);
	T_EQ_U(errno, ETIMEDOUT);
	n = read_all("", 0, 1, EIO, res, 8);
	T_EQ_U(n, 1);
	T_OK(res[0] == -1);
	n = read_all("", 0, 1, 0, res, 8);
	T_EQ_U(n, 1);
	T_EQ_U(res[0], 0);
}

/* t_read_pipelined - a command's bytes are gone from the buf, the next ones stay */
static void t_read_pipelined(void)
{
	static const char in[] = "NOOP\r\nSTAT\r\nQU";
	char space[64];
	feeder f = {in, sizeof in - 1, 0, sizeof in, 0, 0};
	buf b;
	pop3_cmd c;
	const char *rest;
	size_t n;
	buf_init(&b, -1, space, sizeof space);
	buf_setop(&b, feed_op, &f);
	pop3_cmd_init(&c);
	T_EQ_U(pop3_read(&c, &b), POP3_CMD);
	T_EQ_U(c.verb, POP3_NOOP);
	rest = buf_peek(&b, &n);
	T_EQ_MEM(rest, n, "STAT\r\nQU", 8);
	T_EQ_U(pop3_read(&c, &b), POP3_CMD);
	T_EQ_U(c.verb, POP3_STAT);
	T_EQ_U(f.reads, 1);
	rest = buf_peek(&b, &n);
	T_EQ_MEM(rest, n, "QU", 2);
	T_EQ_U(pop3_read(&c, &b), 0);
}

/* t_read_long - a long line is reported at its end, a flood once POP3_SKIPMAX went by */
static void t_read_long(void)
{
	sa in = SA_ZERO;
	size_t n;
	int res[4];
	while (in.len < POP3_LINEMAX)
		if (!sa_catc(&in, 'A'))
			break;
	T_OK(sa_cats(&in, "\r\nNOOP\r\n"));
	n = read_all(in.s, in.len, 7, 0, res, 4);
	T_EQ_U(n, 3);
	T_EQ_U(res[0], POP3_LONG);
	T_EQ_U(res[1], POP3_CMD);
	T_EQ_U(res[2], 0);
	in.len = 0;
	while (in.len < POP3_SKIPMAX + 10)
		if (!sa_catc(&in, 'B'))
			break;
	T_EQ_U(in.len, POP3_SKIPMAX + 10);
	n = read_all(in.s, in.len, 1000, 0, res, 4);
	T_EQ_U(n, 1);
	T_EQ_U(res[0], POP3_FLOOD);
	sa_free(&in);
}

static void t_err(void)
{
	T_EQ_S(pop3_err(POP3_SYNTAX), "-ERR syntax error");
	T_EQ_S(pop3_err(POP3_UNKNOWN), "-ERR unknown command");
	T_EQ_S(pop3_err(POP3_LONG), "-ERR line too long");
	T_EQ_S(pop3_err(POP3_FLOOD), "-ERR line too long");
}

const t_case t_cases[] = {
	T_CASE(t_whole),
	T_CASE(t_bytewise),
	T_CASE(t_stream),
	T_CASE(t_limits),
	T_CASE(t_long_then_more),
	T_CASE(t_flood_sticky),
	T_CASE(t_several),
	T_CASE(t_msg),
	T_CASE(t_msg_done),
	T_CASE(t_msg_size),
	T_CASE(t_read),
	T_CASE(t_read_pipelined),
	T_CASE(t_read_long),
	T_CASE(t_err),
	T_END,
};
