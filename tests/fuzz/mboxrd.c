/*
 * mboxrd.c - fuzz the mboxrd writer (mboxrd.h) that qmail-local and maildir2mbox
 * share. Input: a cut byte, then a message; its first line also serves as a sender.
 * Invariants: the output is a model's quoting (one more '>' on every line that is
 * zero or more '>' and then "From ", then one blank line, two newlines when the
 * message did not end with one); the same for any cut; removing one '>' from every
 * line of one or more '>' and "From " gives the message back, so no line of the
 * message can start a new one; the From_ line has three fields, the sender with no
 * blank or line end and MAILER-DAEMON for a bounce.
 */
#include "mboxrd.h"
#include "buf.h"
#include "fuzz.h"
#include "sa.h"

/* wr - a buf_op appending to the sa in ctx */
static ssize_t wr(int fd, void *p, size_t n, void *ctx)
{
	(void)fd;
	CHECK(sa_catb(ctx, p, n));
	return (ssize_t)n;
}

/* fromish - s[0..n) is zero or more '>' and then "From " */
static int fromish(const char *s, size_t n, size_t min)
{
	size_t i = 0;
	while (i < n && s[i] == '>')
		++i;
	return i >= min && n - i >= 5 && !memcmp(s + i, "From ", 5);
}

/* quote - the writer over s in pieces cut by c into out */
static void quote(const char *s, size_t n, fuzz_cut *c, sa *out)
{
	char space[37];
	buf b;
	mboxrd q;
	out->len = 0;
	buf_init(&b, -1, space, sizeof space);
	buf_setop(&b, wr, out);
	mboxrd_init(&q, &b);
	while (n) {
		size_t k = c ? fuzz_cut_next(c, n) : n;
		CHECK(mboxrd_put(&q, s, k));
		s += k;
		n -= k;
	}
	CHECK(mboxrd_end(&q) && buf_flush(&b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char cb = fuzz_take(&data, &size);
	const char *s = (const char *)data;
	sa out = SA_ZERO, other = SA_ZERO, want = SA_ZERO, line = SA_ZERO;
	fuzz_cut cut;
	size_t i = 0, end;
	while (i < size) {
		const char *nl = memchr(s + i, '\n', size - i);
		size_t e = nl ? (size_t)(nl - s) + 1 : size;
		if (fromish(s + i, e - i, 0))
			CHECK(sa_catc(&want, '>'));
		CHECK(sa_catb(&want, s + i, e - i));
		i = e;
	}
	CHECK(sa_cats(&want, size == 0 || s[size - 1] == '\n' ? "\n" : "\n\n"));
	quote(s, size, 0, &out);
	CHECK(fuzz_same(out.s, out.len, want.s, want.len));
	fuzz_cut_init(&cut, 0);
	quote(s, size, &cut, &other);
	CHECK(fuzz_same(out.s, out.len, other.s, other.len));
	fuzz_cut_init(&cut, cb);
	quote(s, size, &cut, &other);
	CHECK(fuzz_same(out.s, out.len, other.s, other.len));

	/* unquoted, it is the message and its blank line */
	other.len = 0;
	end = out.len - (size == 0 || s[size - 1] == '\n' ? 1 : 2);
	for (i = 0; i < end;) {
		const char *nl = memchr(out.s + i, '\n', end - i);
		size_t e = nl ? (size_t)(nl - out.s) + 1 : end;
		size_t skip = fromish(out.s + i, e - i, 1);
		CHECK(sa_catb(&other, out.s + i + skip, e - i - skip));
		i = e;
	}
	CHECK(fuzz_same(other.s, other.len, s, size));

	/* the From_ line, with the first line of the input as the sender */
	{
		size_t k = 0, f;
		while (k < size && k < 200 && s[k] != 0)
			++k;
		CHECK(sa_copyb(&want, s, k) && sa_0(&want));
		CHECK(mboxrd_fromline(&line, want.s, 1000000000));
		CHECK(line.len > 6 && !memcmp(line.s, "From ", 5) && line.s[line.len - 1] == '\n');
		CHECK(memchr(line.s, '\n', line.len) == line.s + line.len - 1);
		for (f = 5; f < line.len && line.s[f] != ' '; ++f) {
			char ch = line.s[f];
			CHECK(ch != '\t' && ch != '\r' && ch != '\n');
		}
		if (k == 0)
			CHECK(f == 5 + 13 && !memcmp(line.s + 5, "MAILER-DAEMON", 13));
		else
			CHECK(f == 5 + k);
		/* the date: "Www Mmm DD HH:MM:SS YYYY" */
		CHECK(line.len == f + 1 + 24 + 1);
	}
	sa_free(&out);
	sa_free(&other);
	sa_free(&want);
	sa_free(&line);
	return 0;
}
