/*
 * pop3.c - fuzz the POP3 command reader and message writer (pop3.h) that
 * qmail-popup and qmail-pop3d use. Input: a mode byte (low bit: commands or a
 * message; the rest: the cut and the TOP count), then the bytes.
 * Commands: a reference model of RFC 1939 lines (LF ends a line, a CR just before
 * it is part of the end, any other CR or a NUL is a syntax error, a line over
 * POP3_LINEMAX is too long; keywords in any case with their argument shapes) gives
 * the same results, verbs and arguments, fed whole, a byte at a time or in pieces;
 * an argument never holds a NUL, CR or LF (a user name must not forge the record
 * checkpassword gets).
 * Messages: the wire form is CRLF lines with a leading dot doubled, header and TOP's
 * n body lines at most; un-stuffed it is what a model makes of the message; counting
 * without writing gives its size; any cut gives the same bytes.
 */
#include "pop3.h"
#include "fuzz.h"
#include "sa.h"

typedef struct shape_s {
	const char *word; /* keyword */
	int verb;         /* POP3_... */
	int args;         /* 0 none, 1 rest, 2 apop, 3 optional number, 4 number, 5 two */
} shape;

static const shape shapes[] = {
	{"user", POP3_USER, 1}, {"pass", POP3_PASS, 1}, {"apop", POP3_APOP, 2},
	{"quit", POP3_QUIT, 0}, {"stat", POP3_STAT, 0}, {"list", POP3_LIST, 3},
	{"retr", POP3_RETR, 4}, {"dele", POP3_DELE, 4}, {"noop", POP3_NOOP, 0},
	{"rset", POP3_RSET, 0}, {"top", POP3_TOP, 5},   {"uidl", POP3_UIDL, 3},
	{"last", POP3_LAST, 0}, {"capa", POP3_CAPA, 0},
};

typedef struct res_s {
	int result;       /* POP3_... */
	int bad;          /* the line holds a NUL or a bare CR */
	int verb;         /* for POP3_CMD and POP3_SYNTAX (unless bad) */
	size_t nargs;     /* arguments */
	const char *a[2]; /* arguments */
	size_t al[2];     /* their lengths */
	uint64_t num[2];  /* numbers */
} res;

/* lower - ASCII lower case */
static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* number - s[0..n) is a decimal number that fits 64 bits */
static int number(const char *s, size_t n, uint64_t *v)
{
	size_t i;
	*v = 0;
	if (!n)
		return 0;
	for (i = 0; i < n; ++i) {
		if (s[i] < '0' || s[i] > '9' || *v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return 0;
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return 1;
}

/* words - the space-separated words of s[0..n) as numbers; min..max of them */
static int words(res *r, const char *s, size_t n, size_t min, size_t max)
{
	size_t i = 0;
	for (;;) {
		size_t st;
		while (i < n && s[i] == ' ')
			++i;
		if (i == n)
			return r->nargs >= min;
		if (r->nargs == max)
			return 0;
		st = i;
		while (i < n && s[i] != ' ')
			++i;
		if (!number(s + st, i - st, &r->num[r->nargs]))
			return 0;
		r->a[r->nargs] = s + st;
		r->al[r->nargs++] = i - st;
	}
}

/* line - the model of one line s[0..n) (its LF not included; total counts it) */
static void line(res *r, const char *s, size_t n)
{
	size_t k = 0, i, j;
	int bad = 0;
	memset(r, 0, sizeof *r);
	if (n + 1 > POP3_LINEMAX) {
		r->result = POP3_LONG;
		return;
	}
	if (n && s[n - 1] == '\r')
		--n;
	for (i = 0; i < n; ++i)
		bad |= s[i] == 0 || s[i] == '\r';
	r->bad = bad;
	while (k < n && s[k] != ' ')
		++k;
	for (i = 0; i < sizeof shapes / sizeof shapes[0]; ++i) {
		if (strlen(shapes[i].word) != k)
			continue;
		for (j = 0; j < k && lower(s[j]) == shapes[i].word[j]; ++j)
			;
		if (j == k)
			break;
	}
	if (i == sizeof shapes / sizeof shapes[0]) {
		r->result = bad ? POP3_SYNTAX : POP3_UNKNOWN;
		return;
	}
	r->verb = shapes[i].verb;
	r->result = POP3_SYNTAX;
	if (bad)
		return;
	switch (shapes[i].args) {
	case 0:
		if (!words(r, s + k, n - k, 0, 0))
			return;
		break;
	case 1:
		if (k + 1 >= n)
			return;
		r->a[0] = s + k + 1;
		r->al[0] = n - k - 1;
		r->nargs = 1;
		break;
	case 2: {
		size_t sp = n;
		while (sp > k + 1 && s[sp - 1] != ' ')
			--sp;
		/* name: between the keyword's space and the last space; digest after it */
		if (k + 1 >= n || sp <= k + 2 || n - sp != 32)
			return;
		for (j = sp; j < n; ++j)
			if (!((s[j] >= '0' && s[j] <= '9') ||
			      (lower(s[j]) >= 'a' && lower(s[j]) <= 'f')))
				return;
		r->a[0] = s + k + 1;
		r->al[0] = sp - 1 - (k + 1);
		r->a[1] = s + sp;
		r->al[1] = 32;
		r->nargs = 2;
		break;
	}
	default:
		if (!words(r, s + k, n - k, shapes[i].args == 3 ? 0 : shapes[i].args - 3,
			   shapes[i].args == 5 ? 2 : 1)) {
			r->nargs = 0;
			return;
		}
		break;
	}
	r->result = POP3_CMD;
}

/* same - the reader's last result equals the model's */
static void same(const pop3_cmd *c, int result, const res *m)
{
	size_t i, len;
	CHECK(result == m->result);
	if ((result != POP3_CMD && result != POP3_SYNTAX) || m->bad)
		return;
	CHECK((int)c->verb == m->verb);
	if (result != POP3_CMD)
		return;
	CHECK(c->nargs == m->nargs);
	for (i = 0; i < m->nargs; ++i) {
		const char *a = pop3_arg(c, i, &len);
		CHECK(fuzz_same(a, len, m->a[i], m->al[i]));
		CHECK(!memchr(a, 0, len) && !memchr(a, '\r', len) && !memchr(a, '\n', len));
		CHECK(c->num[i] == m->num[i]);
	}
	CHECK(pop3_arg(c, m->nargs, &len) == 0 && len == 0);
}

/* commands - the reader over s in pieces cut by c, against the model */
static void commands(const char *s, size_t n, fuzz_cut *cut)
{
	static pop3_cmd c;
	size_t off = 0, start = 0, used;
	pop3_cmd_init(&c);
	while (off < n) {
		size_t piece = cut ? fuzz_cut_next(cut, n - off) : n - off;
		while (piece) {
			int r = pop3_feed(&c, s + off, piece, &used);
			res m;
			CHECK(used <= piece);
			off += used;
			piece -= used;
			if (r == POP3_MORE) {
				CHECK(piece == 0);
				continue;
			}
			CHECK(r != POP3_FLOOD); /* inputs are shorter than POP3_SKIPMAX */
			CHECK(off > start && s[off - 1] == '\n');
			line(&m, s + start, off - 1 - start);
			same(&c, r, &m);
			start = off;
		}
	}
}

/* wire - the writer over s in pieces cut by c, into out (counted only when out is
 * 0); returns the octets */
static uint64_t wire(const char *s, size_t n, uint64_t lines, int stuff, sa *out, fuzz_cut *c)
{
	pop3_msg m;
	size_t used;
	pop3_msg_init(&m, lines, stuff);
	while (n && !m.done) {
		size_t k = c ? fuzz_cut_next(c, n) : n;
		CHECK(pop3_msg_put(&m, s, k, out, &used));
		CHECK(used <= k && (used == k || m.done));
		s += used;
		n -= used;
	}
	CHECK(pop3_msg_end(&m, out));
	return m.octets;
}

/* message - the writer, against a model of the wire form */
static void message(const char *s, size_t n, uint64_t lines, fuzz_cut *c)
{
	sa out = SA_ZERO, other = SA_ZERO, want = SA_ZERO;
	size_t i = 0;
	uint64_t body = 0;
	int inbody = 0;
	/* the model: lines end at LF (a CR before it goes with it); a last line without
	   LF is ended; after the empty line, at most lines body lines */
	while (i < n) {
		size_t e = i;
		while (e < n && s[e] != '\n')
			++e;
		if (inbody && body >= lines)
			break;
		{
			size_t end = e < n && e > i && s[e - 1] == '\r' ? e - 1 : e;
			CHECK(sa_catb(&want, s + i, end - i) && sa_catb(&want, "\r\n", 2));
			if (inbody)
				++body;
			else if (end == i)
				inbody = 1;
		}
		i = e + 1;
	}
	CHECK(wire(s, n, lines, 1, &out, 0) == out.len);
	CHECK(wire(s, n, lines, 1, &other, c) == other.len);
	CHECK(fuzz_same(out.s, out.len, other.s, other.len));
	/* un-stuffed, the wire form is the model's */
	other.len = 0;
	for (i = 0; i < out.len; ++i) {
		if (out.s[i] == '.' && (i == 0 || out.s[i - 1] == '\n')) {
			CHECK(i + 1 < out.len && out.s[i + 1] == '.');
			++i;
		}
		CHECK(sa_catc(&other, out.s[i]));
		if (out.s[i] == '\n')
			CHECK(i > 0 && out.s[i - 1] == '\r');
	}
	CHECK(fuzz_same(other.s, other.len, want.s, want.len));
	CHECK(wire(s, n, lines, 0, 0, 0) == want.len);
	sa_free(&out);
	sa_free(&other);
	sa_free(&want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char mode = fuzz_take(&data, &size);
	const char *s = (const char *)data;
	fuzz_cut cut;
	if (mode & 1) {
		commands(s, size, 0);
		fuzz_cut_init(&cut, 0);
		commands(s, size, &cut);
		fuzz_cut_init(&cut, mode >> 1);
		commands(s, size, &cut);
	} else {
		uint64_t lines = mode & 2 ? (uint64_t)(mode >> 2 & 7) : UINT64_MAX;
		fuzz_cut_init(&cut, (unsigned char)(mode >> 5 | mode << 3));
		message(s, size, lines, &cut);
	}
	return 0;
}
