/*
 * spawn.c - fuzz the spawn protocol readers (spawn.h) and qmail-rspawn's report of a
 * qmail-remote run (rreport.h). Input: a mode byte (low bits: commands, reports or
 * qmail-remote's output; the rest: the cut or the exit status), then the bytes.
 * For the readers, a reference model of the records (slot byte, NUL-terminated
 * fields with their limits; a report's text kept up to SPAWN_REPORTMAX and the rest
 * counted) gives
 * the same records; feeding all at once, a byte at a time and in pieces agree, and
 * after a violation nothing more is read; each command written again with
 * spawn_cmd_put, and each report not cut with spawn_rep_put, gives back exactly its
 * bytes; spawn_path_ok agrees with a model of a queue path. For rreport: the letter
 * is K, Z or D as the exit status and the records demand (a lone message report is
 * the answer as it is), and the report sent with spawn_rep_put reads back with its
 * letter and its text (NUL bytes as '_', cut at SPAWN_REPORTMAX); rreport_rcpt for a
 * later recipient obeys the same exit status rules. Mode 3: recipient lists (beyond
 * qmail): every command read has 1..SPAWN_RCPTMAX non-empty recipients within
 * SPAWN_ADDRMAX, spawn_cmd_putlist gives back exactly its bytes, a violation is
 * sticky, and all cuts read the same commands.
 */
#include <sys/wait.h>

#include "fuzz.h"
#include "rreport.h"
#include "sa.h"
#include "spawn.h"

#define MAXREC 4096 /* records remembered */

typedef struct rec_s {
	size_t start;  /* offset of the record */
	size_t end;    /* offset after it */
	unsigned slot; /* the slot byte */
	char status;   /* reports: the status letter */
	size_t f[3];   /* offsets of the fields (a report has one) */
	size_t len[3]; /* their lengths, without the NUL */
} rec;

typedef struct run_s {
	rec r[MAXREC];          /* complete records */
	size_t n;               /* how many */
	int bad;                /* a protocol violation ended the stream */
	size_t dropped[MAXREC]; /* reports: text bytes not kept */
} run;

static run model; /* static: too large for the stack */

/* ref - the records of s[0..n): commands when cmd, else reports */
static void ref(run *m, const char *s, size_t n, int cmd)
{
	size_t i = 0;
	m->n = 0;
	m->bad = 0;
	while (i < n) {
		rec *r = &m->r[m->n];
		size_t k, fields = cmd ? 3 : 1;
		memset(r, 0, sizeof *r);
		r->start = i;
		r->slot = (unsigned char)s[i++];
		if (!cmd) {
			if (i == n)
				return;
			r->status = s[i++];
		}
		for (k = 0; k < fields; ++k) {
			size_t max = !cmd ? SIZE_MAX : k == 0 ? SPAWN_PATHMAX : SPAWN_ADDRMAX;
			const char *nul = memchr(s + i, 0, n - i);
			size_t len = nul ? (size_t)(nul - (s + i)) : n - i;
			if (len > max) {
				m->bad = 1;
				return;
			}
			if (!nul)
				return;
			r->f[k] = i;
			r->len[k] = len;
			i += len + 1;
		}
		r->end = i;
		if (!cmd) {
			m->dropped[m->n] =
				r->len[0] > SPAWN_REPORTMAX ? r->len[0] - SPAWN_REPORTMAX : 0;
			if (r->len[0] > SPAWN_REPORTMAX)
				r->len[0] = SPAWN_REPORTMAX;
		}
		++m->n;
	}
}

/* cmds - spawn_cmd_feed over s in pieces cut by c; checks each record against the
 * model as it completes */
static void cmds(const char *s, size_t n, fuzz_cut *c)
{
	spawn_cmd sc;
	size_t off = 0, k = 0;
	memset(&sc, 0, sizeof sc);
	while (off < n) {
		size_t piece = c ? fuzz_cut_next(c, n - off) : n - off, used;
		while (piece) {
			int r = spawn_cmd_feed(&sc, s + off, piece, &used);
			CHECK(used <= piece);
			off += used;
			piece -= used;
			if (r < 0) {
				CHECK(model.bad && k == model.n);
				CHECK(spawn_cmd_feed(&sc,
						     "\1"
						     "1\0a\0b\0",
						     7, &used) == -1);
				spawn_cmd_free(&sc);
				return;
			}
			if (r == 0) {
				CHECK(piece == 0);
				continue;
			}
			CHECK(k < model.n && off == model.r[k].end && sc.slot == model.r[k].slot);
			CHECK(sc.path.len == model.r[k].len[0] + 1 && !sc.path.s[sc.path.len - 1]);
			CHECK(!memcmp(sc.path.s, s + model.r[k].f[0], model.r[k].len[0]));
			CHECK(sc.sender.len == model.r[k].len[1] + 1);
			CHECK(!memcmp(sc.sender.s, s + model.r[k].f[1], sc.sender.len));
			CHECK(sc.rcpt.len == model.r[k].len[2] + 1);
			CHECK(!memcmp(sc.rcpt.s, s + model.r[k].f[2], sc.rcpt.len));
			++k;
		}
	}
	CHECK(k == model.n && !model.bad);
	spawn_cmd_free(&sc);
}

/* reps - spawn_rep_feed over s in pieces cut by c, checked as cmds */
static void reps(const char *s, size_t n, fuzz_cut *c)
{
	spawn_rep sr;
	size_t off = 0, k = 0;
	memset(&sr, 0, sizeof sr);
	while (off < n) {
		size_t piece = c ? fuzz_cut_next(c, n - off) : n - off, used;
		while (piece) {
			int r = spawn_rep_feed(&sr, s + off, piece, &used);
			CHECK(r >= 0 && used <= piece);
			off += used;
			piece -= used;
			if (r == 0) {
				CHECK(piece == 0);
				continue;
			}
			CHECK(k < model.n && off == model.r[k].end && sr.slot == model.r[k].slot);
			CHECK(sr.status == model.r[k].status && sr.dropped == model.dropped[k]);
			CHECK(sr.text.len == model.r[k].len[0] + 1 && !sr.text.s[sr.text.len - 1]);
			CHECK(!memcmp(sr.text.s, s + model.r[k].f[0], model.r[k].len[0]));
			++k;
		}
	}
	CHECK(k == model.n);
	spawn_rep_free(&sr);
}

/* lists - spawn_cmd_feed reading recipient lists over s in pieces cut by c; the
 * number of commands read into *k, and 1 if a violation ended the stream */
static int lists(const char *s, size_t n, fuzz_cut *c, size_t *k)
{
	spawn_cmd sc;
	sa out = SA_ZERO;
	size_t off = 0, start = 0;
	int bad = 0;
	memset(&sc, 0, sizeof sc);
	sc.list = 1;
	*k = 0;
	while (off < n && !bad) {
		size_t piece = c ? fuzz_cut_next(c, n - off) : n - off, used;
		while (piece) {
			const char *r;
			size_t i;
			int x = spawn_cmd_feed(&sc, s + off, piece, &used);
			CHECK(used <= piece);
			off += used;
			piece -= used;
			if (x < 0) {
				CHECK(spawn_cmd_feed(&sc,
						     "\1"
						     "1\0a\0b\0\0",
						     8, &used) == -1);
				bad = 1;
				break;
			}
			if (x == 0) {
				CHECK(piece == 0);
				continue;
			}
			CHECK(sc.nrcpt >= 1 && sc.nrcpt <= SPAWN_RCPTMAX);
			CHECK(sc.path.len <= SPAWN_PATHMAX + 1 &&
			      sc.sender.len <= SPAWN_ADDRMAX + 1);
			for (i = 0, r = sc.rcpt.s; i < sc.nrcpt; ++i) {
				size_t len = strlen(r);
				CHECK(len >= 1 && len <= SPAWN_ADDRMAX);
				r += len + 1;
			}
			CHECK(r == sc.rcpt.s + sc.rcpt.len);
			out.len = 0;
			CHECK(spawn_cmd_putlist(&out, sc.slot, sc.path.s, sc.sender.s, sc.rcpt.s,
						sc.nrcpt));
			CHECK(fuzz_same(out.s, out.len, s + start, off - start));
			start = off;
			++*k;
		}
	}
	spawn_cmd_free(&sc);
	sa_free(&out);
	return bad;
}

/* path_ok - a queue path: 1..SPAWN_PATHMAX digits and single inner slashes */
static int path_ok(const char *p, size_t n)
{
	size_t i;
	if (n == 0 || n > SPAWN_PATHMAX || p[0] == '/' || p[n - 1] == '/')
		return 0;
	for (i = 0; i < n; ++i) {
		if (p[i] == '/' ? p[i + 1] == '/' : p[i] < '0' || p[i] > '9')
			return 0;
	}
	return 1;
}

/* report - rreport_rcpt for the first recipient on out[0..n) and the exit status
 * from m, then the report through the spawn protocol */
static void report(const char *out, size_t n, unsigned char m)
{
	static const int codes[8] = {0, 0, 0, 0, 111, 100, 1, 255};
	int wstat = m & 0x20 ? (m & 0x1f) % 31 + 1 : (codes[m >> 2 & 7] & 0xff) << 8;
	sa text = SA_ZERO, wire = SA_ZERO;
	spawn_rep r;
	rreport it;
	const char *nul;
	char st = 0, k0 = 0;
	size_t used, i, k;
	for (i = 3; i > 0; --i) { /* the third, the second, then the first recipient */
		CHECK(rreport_rcpt(&text, &st, out, n, wstat, i - 1));
		CHECK(st == 'K' || st == 'Z' || st == 'D');
		if (WIFSIGNALED(wstat) || WEXITSTATUS(wstat) == 111)
			CHECK(st == 'Z');
		else if (WEXITSTATUS(wstat))
			CHECK(st == 'D');
		else if (n == 0)
			CHECK(st == 'Z');
	}
	rreport_start(&it, out, n, wstat);
	for (i = 0; i < 3; ++i) { /* one reading for all gives what each alone gives */
		sa each = SA_ZERO;
		char s1 = 0;
		CHECK(rreport_next(&it, &each, &s1) && rreport_rcpt(&wire, &k0, out, n, wstat, i));
		CHECK(s1 == k0 && fuzz_same(each.s, each.len, wire.s, wire.len));
		sa_free(&each);
	}
	wire.len = 0;
	CHECK(rreport_rcpt(&wire, &k0, out, n, wstat, 0) && k0 == st);
	CHECK(fuzz_same(wire.s, wire.len, text.s, text.len));
	wire.len = 0;
	/* one whole message report and nothing more: it is the answer */
	nul = n ? memchr(out, 0, n) : 0;
	if (!WIFSIGNALED(wstat) && !WEXITSTATUS(wstat) && n >= 2 && nul == out + n - 1 &&
	    (out[0] == 'K' || out[0] == 'Z' || out[0] == 'D')) {
		CHECK(st == out[0]);
		CHECK(fuzz_same(text.s, text.len, out + 1, n - 2));
	}
	CHECK(spawn_rep_put(&wire, 7, st, text.s, text.len));
	memset(&r, 0, sizeof r);
	CHECK(spawn_rep_feed(&r, wire.s, wire.len, &used) == 1 && used == wire.len);
	CHECK(r.slot == 7 && r.status == st);
	k = text.len < SPAWN_REPORTMAX ? text.len : SPAWN_REPORTMAX;
	CHECK(r.text.len == k + 1 && r.dropped == text.len - k);
	for (i = 0; i < k; ++i)
		CHECK(r.text.s[i] == (text.s[i] ? text.s[i] : '_'));
	spawn_rep_free(&r);
	sa_free(&text);
	sa_free(&wire);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char mode = fuzz_take(&data, &size);
	int cmd = mode & 1;
	const char *s = (const char *)data;
	fuzz_cut cut;
	sa out = SA_ZERO;
	size_t k;
	if ((mode & 3) == 2) {
		report((const char *)data, size, mode);
		return 0;
	}
	if ((mode & 3) == 3) {
		size_t k1, k2, k3;
		int b1 = lists(s, size, 0, &k1);
		int b2 = lists(s, size, (fuzz_cut_init(&cut, 0), &cut), &k2);
		int b3 = lists(s, size, (fuzz_cut_init(&cut, mode >> 2), &cut), &k3);
		CHECK(b1 == b2 && b2 == b3 && k1 == k2 && k2 == k3);
		return 0;
	}
	if (size >= 3 * MAXREC)
		return 0; /* more records than the model keeps */
	ref(&model, s, size, cmd);
	if (cmd) {
		cmds(s, size, 0);
		cmds(s, size, (fuzz_cut_init(&cut, 0), &cut));
		cmds(s, size, (fuzz_cut_init(&cut, mode >> 1), &cut));
	} else {
		reps(s, size, 0);
		reps(s, size, (fuzz_cut_init(&cut, 0), &cut));
		reps(s, size, (fuzz_cut_init(&cut, mode >> 1), &cut));
	}
	for (k = 0; k < model.n; ++k) {
		const rec *r = &model.r[k];
		out.len = 0;
		if (cmd) {
			CHECK(spawn_cmd_put(&out, r->slot, s + r->f[0], s + r->f[1], s + r->f[2]));
			CHECK(spawn_path_ok(s + r->f[0]) == path_ok(s + r->f[0], r->len[0]));
		} else {
			if (model.dropped[k])
				continue;
			CHECK(spawn_rep_put(&out, r->slot, r->status, s + r->f[0], r->len[0]));
		}
		CHECK(fuzz_same(out.s, out.len, s + r->start, r->end - r->start));
	}
	sa_free(&out);
	return 0;
}
