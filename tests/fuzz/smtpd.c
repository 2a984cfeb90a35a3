/*
 * smtpd.c - fuzz qmail-smtpd's SMTP session (session.c, commands.c, data.c, addr.c,
 * received.c; compiled in here, as the unit test does) with a whole client byte
 * stream. Input: an options byte (limits, relaying, queue failures), a cut byte,
 * then what the client sends. The queue and the policy lookups are fakes.
 * Invariants:
 *   - every reply is well formed: CRLF lines of a code 2xx-5xx, '-' on all lines but
 *     the last, one code per reply, no NUL or lone CR or LF, and an RFC 3463 code
 *     of the same class on every reply but the greeting, HELO/EHLO and 354;
 *   - the queue is used in order: qput only while a message is open, at most one
 *     message per DATA (each 354 opens one, each ends in exactly one qfinish or
 *     qabort), and each qfinish gets a sender and 1..rcptmax recipients within the
 *     address limit, each with a domain (if it has an '@') that passes the
 *     allow-list smtpaddr_domain, so qmail-remote can relay it as a valid path;
 *   - the stored message is the Received line (two lines of allowed bytes) and then
 *     the body as a reference model un-dot-stuffs it from the client's bytes (CRLF
 *     lines, a leading dot dropped, the end at CRLF "." CRLF, a bare CR or LF
 *     refused); the session leaves DATA exactly where the model's body ends; an
 *     accepted message is within databytes and below the hop limit;
 *   - the replies and the queue calls are the same whether the stream arrives all at
 *     once, a byte at a time or in pieces; nothing is said after the session closes;
 *     the command line kept never passes linemax + 1 bytes.
 */
#include "../../src/qmail-smtpd/addr.c"
#include "../../src/qmail-smtpd/commands.c"
#include "../../src/qmail-smtpd/data.c"
#include "../../src/qmail-smtpd/session.c"
#include <strings.h>

#include "fuzz.h"
#include "smtpaddr.h"

#define O_RELAY   0x01 /* RELAYCLIENT is set */
#define O_DB      0x02 /* databytes 64 */
#define O_RCPT2   0x04 /* two recipients at most */
#define O_HOP2    0x08 /* two hops make a loop */
#define O_QFAIL   0x10 /* every other qstart fails */
#define O_QRES    0x60 /* which report qfinish gives: "", D, Z, "" */
#define O_LIPHOST 0x80 /* control/localiphost is set */
#define NOW       1000000000

#define GREETING "mx.example.org"
#define MAXSEG   4096 /* DATA bodies remembered */

typedef struct fake_s {
	int opts;          /* O_ bits */
	int open;          /* a message is being queued */
	unsigned long qs;  /* qstart calls */
	sa msg;            /* the message being queued */
	sa log;            /* every queue call, for comparing runs */
	sa stored;         /* the messages queued, back to back */
	size_t soff[4096]; /* where each begins in stored */
	size_t slen[4096]; /* its length */
	size_t nstored;    /* how many */
	unsigned long fin; /* qfinish calls that queued */
} fake;

typedef struct seg_s {
	size_t start; /* offset of the first body byte */
	size_t end;   /* offset just after the body (where commands resume) */
	int state;    /* the session state after it */
} seg;

static fake fk;
static seg segs[MAXSEG];
static size_t nsegs;

/* has - whether s contains t */
static int has(const char *s, const char *t)
{
	return strstr(s, t) != 0;
}

/* f_bmf, f_hosts, f_known - the policy: words in the address decide */
static int f_bmf(void *ctx, const char *sender)
{
	(void)ctx;
	return has(sender, "tmpfail") ? -1 : has(sender, "bad");
}
static int f_hosts(void *ctx, const char *rcpt)
{
	(void)ctx;
	return has(rcpt, "tmphost") ? -1 : !has(rcpt, "@ext");
}
static int f_known(void *ctx, const char *rcpt)
{
	(void)ctx;
	return has(rcpt, "tmpknown") ? -1 : !has(rcpt, "unknown");
}

/* f_qstart, f_qput, f_qabort, f_qfinish, f_now - the queue, checked */
static int f_qstart(void *ctx)
{
	fake *f = ctx;
	CHECK(!f->open);
	++f->qs;
	if (f->opts & O_QFAIL && f->qs % 2 == 0) {
		CHECK(sa_catc(&f->log, 's'));
		return 0;
	}
	f->open = 1;
	f->msg.len = 0;
	CHECK(sa_catc(&f->log, 'S'));
	return 1;
}
static void f_qput(void *ctx, const char *s, size_t n)
{
	fake *f = ctx;
	CHECK(f->open);
	CHECK(sa_catb(&f->msg, s, n));
}
static void f_qabort(void *ctx)
{
	fake *f = ctx;
	CHECK(f->open);
	f->open = 0;
	/* how much of a refused message went out first depends on the pieces: not logged */
	CHECK(sa_catc(&f->log, 'A'));
}
/* domain_ok - whether address a[0..n) has no '@' or an allow-listed domain */
static int domain_ok(const char *a, size_t n)
{
	size_t at = byte_rchr(a, n, '@');
	return at == n || smtpaddr_domain(a + at + 1, n - at - 1);
}

static const char *f_qfinish(void *ctx, const char *from, const sa *rcpts, unsigned long *qp)
{
	static const char *const res[4] = {"", "DSorry, no way. (#5.7.1)", "Z4.3.0 Try later", ""};
	fake *f = ctx;
	size_t i, n = 0, start = 0, max = SMTP_ADDRMAX;
	CHECK(f->open);
	f->open = 0;
	CHECK(strlen(from) <= max && domain_ok(from, strlen(from)));
	for (i = 0; i < rcpts->len; ++i) {
		if (rcpts->s[i])
			continue;
		CHECK(i - start <= max && i > start && domain_ok(rcpts->s + start, i - start));
		start = i + 1;
		++n;
	}
	CHECK(start == rcpts->len && n >= 1 && n <= (f->opts & O_RCPT2 ? 2u : SMTP_RCPTMAX));
	CHECK(sa_catc(&f->log, 'F') && sa_cats(&f->log, from) && sa_catc(&f->log, 0));
	CHECK(sa_cat(&f->log, rcpts) && sa_cat(&f->log, &f->msg) && sa_catc(&f->log, 0));
	*qp = 4242;
	if (*res[f->opts >> 5 & 3])
		return res[f->opts >> 5 & 3];
	++f->fin;
	CHECK(f->nstored < sizeof f->soff / sizeof f->soff[0]);
	f->soff[f->nstored] = f->stored.len;
	f->slen[f->nstored++] = f->msg.len;
	CHECK(sa_cat(&f->stored, &f->msg));
	return "";
}
static time_t f_now(void *ctx)
{
	(void)ctx;
	return NOW;
}

/* f_ipme - this host's addresses: 127.0.0.1 and 192.0.2.25 */
static const ip_list *f_ipme(void *ctx)
{
	static ip_list me = IP_LIST_ZERO;
	(void)ctx;
	if (!me.len) {
		ip_addr a;
		CHECK(ip_scan_all("127.0.0.1", 9, &a) && ip_list_add(&me, &a));
		CHECK(ip_scan_all("192.0.2.25", 10, &a) && ip_list_add(&me, &a));
	}
	return &me;
}

/* enhanced - whether t starts with an RFC 3463 code "c.s.d " of class c */
static int enhanced(const char *t, size_t n, char c)
{
	size_t i = 2, part, k;
	if (n < 6 || t[0] != c || t[1] != '.')
		return 0;
	for (part = 0; part < 2; ++part) {
		for (k = 0; i < n && k < 4 && t[i] >= '0' && t[i] <= '9'; ++k)
			++i;
		if (k < 1 || k > 3 || i >= n || t[i] != (part ? ' ' : '.'))
			return 0;
		++i;
	}
	return 1;
}

/* replies - the session's output is well formed; the number of replies of code
 * code (0: all) */
static unsigned long replies(const sa *out, unsigned code)
{
	size_t i = 0;
	unsigned long count = 0;
	while (i < out->len) {
		size_t first = i, lines = 0;
		unsigned c = 0;
		int ehlo = 0;
		for (;;) {
			size_t e = i;
			unsigned lc;
			while (e < out->len && out->s[e] != '\r' && out->s[e] != '\n' && out->s[e])
				++e;
			CHECK(e + 1 < out->len && out->s[e] == '\r' && out->s[e + 1] == '\n');
			CHECK(e - i >= 3 && out->s[i] >= '2' && out->s[i] <= '5');
			CHECK(out->s[i + 1] >= '0' && out->s[i + 1] <= '9');
			CHECK(out->s[i + 2] >= '0' && out->s[i + 2] <= '9');
			lc = (unsigned)(out->s[i] - '0') * 100 +
			     (unsigned)(out->s[i + 1] - '0') * 10 + (unsigned)(out->s[i + 2] - '0');
			CHECK(!lines || lc == c);
			c = lc;
			CHECK(e == i + 3 || out->s[i + 3] == ' ' || out->s[i + 3] == '-');
			if (!lines && e - i == 4 + strlen(GREETING) &&
			    !memcmp(out->s + i + 4, GREETING, strlen(GREETING)))
				ehlo = 1; /* the HELO or EHLO reply */
			++lines;
			if (e == i + 3 || out->s[i + 3] == ' ') {
				if (c != 220 && c != 354 && !ehlo)
					CHECK(e > i + 4 &&
					      enhanced(out->s + i + 4, e - i - 4, out->s[first]));
				i = e + 2;
				break;
			}
			i = e + 2;
			CHECK(i < out->len); /* a reply does not stop after a '-' line */
		}
		count += !code || c == code;
	}
	return count;
}

/* body - the reference model of a DATA body at s[0..n) (the 354 stands for the CRLF
 * before it): the stored bytes into out; the bytes the session reads, through the
 * one that decides, and in *how DATA_END, DATA_BARELF, DATA_BARECR, or DATA_MORE
 * when the input ends first */
static size_t body(const char *s, size_t n, sa *out, int *how)
{
	size_t i = 0;
	out->len = 0;
	for (;;) {
		size_t start = i;
		while (i < n && s[i] != '\r' && s[i] != '\n')
			++i;
		if (i == n || (s[i] == '\r' && i + 1 == n)) {
			*how = DATA_MORE;
			return n;
		}
		if (s[i] == '\n') {
			*how = DATA_BARELF;
			return i + 1;
		}
		if (s[i + 1] != '\n') {
			*how = DATA_BARECR;
			return i + 2;
		}
		if (i - start == 1 && s[start] == '.') {
			*how = DATA_END;
			return i + 2;
		}
		if (i > start && s[start] == '.')
			++start;
		CHECK(sa_catb(out, s + start, i - start) && sa_catc(out, '\n'));
		i += 2;
	}
}

/* hops - Received and Delivered-To lines (any case, any tail) in the header */
static unsigned long hops_model(const char *m, size_t n)
{
	size_t i = 0;
	unsigned long h = 0;
	while (i < n) {
		const char *nl = memchr(m + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - m) : n;
		if (e == i)
			break;
		if ((e - i >= 8 && !strncasecmp(m + i, "received", 8)) ||
		    (e - i >= 9 && !strncasecmp(m + i, "delivered", 9)))
			++h;
		i = e + 1;
	}
	return h;
}

/* session - run one session over s[0..n) fed in pieces cut by c (all at once
 * without c; one byte at a time also records the DATA bodies); out gets the replies */
static void session(const char *s, size_t n, int opts, fuzz_cut *c, sa *out, int bytewise)
{
	smtp_limits lim = {SMTP_LINEMAX, SMTP_ADDRMAX, opts & O_RCPT2 ? 2 : SMTP_RCPTMAX,
			   opts & O_DB ? 64 : 0, opts & O_HOP2 ? 2 : SMTP_HOPMAX};
	smtp_info info = {GREETING,
			  "mx.example.org",
			  "client.example.net",
			  "192.0.2.1",
			  0,
			  opts & O_RELAY ? "" : 0,
			  opts & O_LIPHOST ? "lip.example" : 0};
	smtp_ops ops = {&fk,    f_bmf,    f_hosts,   f_known, f_qstart,
			f_qput, f_qabort, f_qfinish, f_now,   f_ipme};
	smtp ss;
	size_t off = 0, closed = 0;
	int alive = 1;
	fk.opts = opts;
	fk.open = 0;
	fk.qs = fk.fin = 0;
	fk.log.len = fk.stored.len = 0;
	fk.nstored = 0;
	nsegs = bytewise ? 0 : nsegs;
	CHECK(smtp_init(&ss, &lim, &info, &ops));
	smtp_greet(&ss);
	while (off < n && alive) {
		size_t k = bytewise ? 1 : c ? fuzz_cut_next(c, n - off) : n - off;
		int before = ss.state;
		alive = smtp_feed(&ss, s + off, k);
		CHECK(ss.line.len <= lim.linemax + 1); /* a long line is counted, not kept */
		if (bytewise && before != ss.state) {
			if (ss.state == SMTP_DATA) {
				CHECK(nsegs < MAXSEG);
				segs[nsegs].start = off + 1;
				segs[nsegs].end = 0;
			} else if (before == SMTP_DATA) {
				segs[nsegs].end = off + 1;
				segs[nsegs++].state = ss.state;
			}
		}
		off += k;
	}
	if (bytewise && ss.state == SMTP_DATA && alive) {
		segs[nsegs].end = n;
		segs[nsegs++].state = SMTP_DATA;
	}
	if (!alive) {
		/* closed: more input changes nothing */
		closed = ss.out.len;
		CHECK(smtp_feed(&ss, "NOOP\r\n", 6) == 0 && ss.out.len == closed);
	}
	smtp_eof(&ss);
	CHECK(ss.state == SMTP_CLOSED && !fk.open);
	CHECK(sa_copy(out, &ss.out));
	smtp_free(&ss);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int opts = fuzz_take(&data, &size);
	unsigned char cb = fuzz_take(&data, &size);
	const char *s = (const char *)data;
	sa out = SA_ZERO, other = SA_ZERO, log = SA_ZERO, want = SA_ZERO;
	fuzz_cut cut;
	size_t k, msg = 0;
	unsigned long fin;

	session(s, size, opts, 0, &out, 1);
	CHECK(sa_copy(&log, &fk.log));
	fin = fk.fin;
	/* every 354 opens exactly one message; each accepted one gets its 250 */
	replies(&out, 0);
	CHECK(replies(&out, 354) == fk.qs - (opts & O_QFAIL ? fk.qs / 2 : 0));
	CHECK(replies(&out, 354) == nsegs);
	CHECK(fin <= replies(&out, 250));

	/* the stored messages are the model's bodies behind a Received line */
	for (k = 0; k < nsegs; ++k) {
		const seg *g = &segs[k];
		const char *m;
		size_t ml, i, nl = 0;
		int how;
		size_t used = body(s + g->start, g->end - g->start, &want, &how);
		CHECK(g->start + used == g->end);
		CHECK(g->state == (how == DATA_END    ? SMTP_CMD
				   : how == DATA_MORE ? SMTP_DATA
						      : SMTP_CLOSED));
		if (how != DATA_END)
			continue;
		if ((opts & O_DB && want.len > 64) ||
		    hops_model(want.s, want.len) >= (opts & O_HOP2 ? 2u : SMTP_HOPMAX))
			continue; /* refused: never stored */
		if (opts & O_QRES && (opts & O_QRES) != O_QRES)
			continue; /* the fake queue refused it */
		CHECK(msg < fk.nstored);
		m = fk.stored.s + fk.soff[msg];
		ml = fk.slen[msg++];
		CHECK(ml >= 15 && !memcmp(m, "Received: from ", 15));
		for (i = 0; i < ml && nl < 2; ++i) {
			char ch = m[i];
			if (ch == '\n') {
				++nl;
				continue;
			}
			CHECK((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			      (ch >= '0' && ch <= '9') || (ch && strchr(".@%+/=:-[]?() ;,", ch)));
		}
		CHECK(nl == 2);
		CHECK(fuzz_same(m + i, ml - i, want.s, want.len));
	}
	CHECK(msg == fk.nstored);

	session(s, size, opts, 0, &other, 0);
	CHECK(fuzz_same(out.s, out.len, other.s, other.len));
	CHECK(fuzz_same(log.s, log.len, fk.log.s, fk.log.len));
	fuzz_cut_init(&cut, cb);
	session(s, size, opts, &cut, &other, 0);
	CHECK(fuzz_same(out.s, out.len, other.s, other.len));
	CHECK(fuzz_same(log.s, log.len, fk.log.s, fk.log.len));
	sa_free(&out);
	sa_free(&other);
	sa_free(&log);
	sa_free(&want);
	return 0;
}
