/*
 * pop3.c - the POP3 command reader and message writer (RFC 1939).
 *
 * The reader is a byte-at-a-time state machine, so it gives the same answer however
 * the input is split. A line ends at LF; a CR right before it is part of the line end,
 * any other CR and any NUL make the line a syntax error (never a truncated argument:
 * a user name with a NUL in it would otherwise forge the NUL-separated record that
 * qmail-popup hands to checkpassword). A line longer than POP3_LINEMAX is reported at
 * its end as POP3_LONG, so the client can be told and the session go on; if it runs
 * past POP3_SKIPMAX bytes without an end, the reader stops with the sticky POP3_FLOOD
 * and the caller hangs up (CVE-2005-1514 was a 2 GB command line in qmail-popup).
 *
 * pop3_read drives the reader from a buf: it reads until a line is whole and tells the
 * caller what it was, so qmail-popup and qmail-pop3d share one loop; pop3_err is the
 * reply each kind of bad line gets.
 *
 * The writer turns a stored message (LF or CRLF line ends) into CRLF lines, doubles a
 * leading dot when asked, ends a last line that has no LF, and stops after the header
 * and n body lines for TOP. Counting with stuff 0 gives the exact size that STAT and
 * LIST report: the octets of the message as sent, without the dot-stuffing.
 */
#include "pop3.h"

#include <errno.h>
#include <string.h>

#include "buf.h"
#include "scan.h"
#include "str.h"

typedef enum {
	ARGS_NONE,   /* no argument */
	ARGS_REST,   /* the rest of the line after one space, not empty (may hold spaces) */
	ARGS_APOP,   /* a name, a space, and a 32-digit hexadecimal digest */
	ARGS_OPTNUM, /* zero or one number */
	ARGS_NUM,    /* one number */
	ARGS_NUM2    /* two numbers */
} args_shape;

static const struct {
	const char *word; /* the keyword, upper case */
	pop3_verb verb;   /* what it is */
	args_shape args;  /* what must follow it */
} verbs[] = {
	{"USER", POP3_USER, ARGS_REST}, {"PASS", POP3_PASS, ARGS_REST},
	{"APOP", POP3_APOP, ARGS_APOP}, {"QUIT", POP3_QUIT, ARGS_NONE},
	{"STAT", POP3_STAT, ARGS_NONE}, {"LIST", POP3_LIST, ARGS_OPTNUM},
	{"RETR", POP3_RETR, ARGS_NUM},  {"DELE", POP3_DELE, ARGS_NUM},
	{"NOOP", POP3_NOOP, ARGS_NONE}, {"RSET", POP3_RSET, ARGS_NONE},
	{"TOP", POP3_TOP, ARGS_NUM2},   {"UIDL", POP3_UIDL, ARGS_OPTNUM},
	{"LAST", POP3_LAST, ARGS_NONE}, {"CAPA", POP3_CAPA, ARGS_NONE},
};

/* pop3_cmd_init - an empty reader */
void pop3_cmd_init(pop3_cmd *c)
{
	memset(c, 0, sizeof *c);
	c->result = POP3_MORE;
	c->verb = POP3_NONE;
}

/* newline - forget the line just reported, before reading the next */
static void newline(pop3_cmd *c)
{
	c->len = 0;
	c->total = 0;
	c->cr = 0;
	c->bad = 0;
	c->verb = POP3_NONE;
	c->nargs = 0;
	c->arg[0] = c->arg[1] = 0;
	c->arglen[0] = c->arglen[1] = 0;
	c->num[0] = c->num[1] = 0;
}

/* is_hex - s[0..n) are all hexadecimal digits */
static int is_hex(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; ++i)
		if (scan_xdigit(s[i]) < 0)
			return 0;
	return 1;
}

/* numbers - the space-separated numbers in line[i..len) into c; want min..max of them */
static int numbers(pop3_cmd *c, size_t i, size_t min, size_t max)
{
	size_t start;
	for (;;) {
		while (i < c->len && c->line[i] == ' ')
			++i;
		if (i == c->len)
			break;
		if (c->nargs == max)
			return 0;
		start = i;
		while (i < c->len && c->line[i] != ' ')
			++i;
		if (!scan_u64_all(c->line + start, i - start, &c->num[c->nargs]))
			return 0; /* not all digits, or beyond UINT64_MAX */
		c->arg[c->nargs] = start;
		c->arglen[c->nargs] = i - start;
		++c->nargs;
	}
	return c->nargs >= min;
}

/* arguments - check what follows the keyword (which ends at k) against shape */
static int arguments(pop3_cmd *c, size_t k, args_shape shape)
{
	size_t sp;
	switch (shape) {
	case ARGS_NONE:
		return numbers(c, k, 0, 0); /* nothing but trailing spaces */
	case ARGS_REST:
		if (k + 1 >= c->len)
			return 0; /* no space, or nothing after it */
		c->arg[0] = k + 1;
		c->arglen[0] = c->len - k - 1;
		c->nargs = 1;
		return 1;
	case ARGS_APOP:
		if (k + 1 >= c->len)
			return 0;
		sp = byte_rchr(c->line + k + 1, c->len - k - 1, ' ') + k + 1;
		if (sp == c->len || sp == k + 1)
			return 0; /* one word only, or an empty name */
		if (c->len - sp - 1 != 32 || !is_hex(c->line + sp + 1, 32))
			return 0;
		c->arg[0] = k + 1;
		c->arglen[0] = sp - k - 1;
		c->arg[1] = sp + 1;
		c->arglen[1] = 32;
		c->nargs = 2;
		return 1;
	case ARGS_OPTNUM:
		return numbers(c, k, 0, 1);
	case ARGS_NUM:
		return numbers(c, k, 1, 1);
	case ARGS_NUM2:
		return numbers(c, k, 2, 2);
	}
	return 0;
}

/* parse - a whole line: its keyword, then its arguments; the pop3_feed result */
static int parse(pop3_cmd *c)
{
	size_t k = byte_chr(c->line, c->len, ' ');
	size_t i;
	for (i = 0; i < sizeof verbs / sizeof verbs[0]; ++i)
		if (strlen(verbs[i].word) == k && case_equalb(c->line, k, verbs[i].word))
			break;
	if (i == sizeof verbs / sizeof verbs[0])
		return c->bad ? POP3_SYNTAX : POP3_UNKNOWN;
	c->verb = verbs[i].verb;
	if (c->bad || !arguments(c, k, verbs[i].args)) {
		c->nargs = 0;
		return POP3_SYNTAX;
	}
	return POP3_CMD;
}

/*
 * pop3_feed - read bytes of s[0..n) into the current line, stopping after its LF:
 * *used is how many were taken. Returns POP3_MORE when all n were taken and the line
 * goes on, else what the line was (see pop3.h); the next call starts a new line.
 */
int pop3_feed(pop3_cmd *c, const char *s, size_t n, size_t *used)
{
	size_t i;
	*used = 0;
	if (c->result == POP3_FLOOD)
		return POP3_FLOOD;
	if (c->result != POP3_MORE)
		newline(c);
	c->result = POP3_MORE;
	for (i = 0; i < n; ++i) {
		char ch = s[i];
		++c->total; /* never wraps: a line stops at POP3_SKIPMAX */
		if (ch == '\n') {
			*used = i + 1;
			if (c->total > POP3_LINEMAX)
				c->result = POP3_LONG;
			else
				c->result = parse(c);
			return c->result;
		}
		if (c->cr) {
			c->bad = 1; /* the CR before this byte was not part of a line end */
			c->cr = 0;
		}
		if (ch == '\r')
			c->cr = 1;
		else if (ch == 0)
			c->bad = 1;
		else if (c->len < sizeof c->line)
			c->line[c->len++] = ch;
		if (c->total >= POP3_SKIPMAX) {
			*used = i + 1;
			c->result = POP3_FLOOD;
			return POP3_FLOOD;
		}
	}
	*used = n;
	return POP3_MORE;
}

/* pop3_arg - argument i of the last command (borrowed, not NUL-terminated), or 0 */
const char *pop3_arg(const pop3_cmd *c, size_t i, size_t *len)
{
	if (i >= c->nargs) {
		*len = 0;
		return 0;
	}
	*len = c->arglen[i];
	return c->line + c->arg[i];
}

/*
 * pop3_read - feed c from in until a line is whole: its pop3_feed result (never
 * POP3_MORE), 0 at end of input, -1 if a read failed (errno set; ETIMEDOUT when the
 * peer was idle). The line's bytes are consumed from in before the caller acts on it.
 */
int pop3_read(pop3_cmd *c, buf *in)
{
	const char *s;
	size_t n, used;
	ssize_t r;
	int res;
	for (;;) {
		r = buf_feed(in);
		if (r <= 0)
			return r < 0 ? -1 : 0;
		s = buf_peek(in, &n);
		res = pop3_feed(c, s, n, &used);
		buf_skip(in, used);
		if (res != POP3_MORE)
			return res;
	}
}

/* pop3_err - the -ERR reply for a pop3_read result other than POP3_CMD */
const char *pop3_err(int result)
{
	switch (result) {
	case POP3_SYNTAX:
		return "-ERR syntax error";
	case POP3_UNKNOWN:
		return "-ERR unknown command";
	default:
		return "-ERR line too long"; /* POP3_LONG, POP3_FLOOD */
	}
}

/* pop3_msg_init - a writer for one message: lines body lines (TOP), dot-stuffed or not */
void pop3_msg_init(pop3_msg *m, uint64_t lines, int stuff)
{
	memset(m, 0, sizeof *m);
	m->lines = lines;
	m->stuff = stuff;
	m->bol = 1;
}

/* emit - n bytes of output: counted, and appended to out unless out is 0 */
static int emit(pop3_msg *m, sa *out, const char *s, size_t n)
{
	if (out && !sa_catb(out, s, n))
		return 0;
	m->octets += n; /* a uint64_t of bytes that passed through memory cannot wrap */
	return 1;
}

/* endline - write the CR LF of a line and note whether the header ended there */
static int endline(pop3_msg *m, sa *out)
{
	if (!emit(m, out, "\r\n", 2))
		return 0;
	if (m->body)
		++m->bodylines;
	else if (m->linelen == 0)
		m->body = 1;
	m->linelen = 0;
	m->bol = 1;
	return 1;
}

/*
 * pop3_msg_put - convert s[0..n) and append it to out (or only count it, out 0).
 * *used is the bytes taken: n, or fewer once the TOP limit is reached (m->done).
 * 1, or 0 with errno when out cannot grow.
 */
int pop3_msg_put(pop3_msg *m, const char *s, size_t n, sa *out, size_t *used)
{
	size_t i;
	*used = 0;
	for (i = 0; i < n && !m->done; ++i) {
		char ch = s[i];
		if (m->bol && m->body && m->bodylines >= m->lines) {
			m->done = 1;
			break;
		}
		if (m->cr) {
			m->cr = 0;
			if (ch == '\n') {
				if (!endline(m, out))
					return 0;
				continue;
			}
			if (!emit(m, out, "\r", 1)) /* a bare CR is content, passed on as is */
				return 0;
			++m->linelen;
		}
		if (ch == '\r') {
			m->cr = 1;
			m->bol = 0;
		} else if (ch == '\n') {
			if (!endline(m, out))
				return 0;
		} else {
			if (m->bol && ch == '.' && m->stuff && !emit(m, out, ".", 1))
				return 0;
			if (!emit(m, out, &ch, 1))
				return 0;
			++m->linelen;
			m->bol = 0;
		}
	}
	*used = i;
	return 1;
}

/* pop3_msg_end - finish: a held CR, and CR LF after a last line without LF; 1, or 0 */
int pop3_msg_end(pop3_msg *m, sa *out)
{
	if (m->done)
		return 1;
	if (m->cr) {
		m->cr = 0;
		if (!emit(m, out, "\r", 1))
			return 0;
		++m->linelen;
	}
	if (!m->bol && !endline(m, out))
		return 0;
	m->done = 1;
	return 1;
}
