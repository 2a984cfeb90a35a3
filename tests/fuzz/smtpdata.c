/*
 * smtpdata.c - fuzz qmail-remote's DATA encoder (smtpdata.h). Input: a cut byte, then
 * a message. Invariants: the output holds no lone CR or LF, every line ends in CRLF,
 * no line but the last is "." and the last is; any chunking gives the same bytes;
 * removing the final ".\r\n" and un-dot-stuffing (a leading '.' off every line)
 * gives the input with each CRLF, lone CR and lone LF as one CRLF, which a reference
 * model makes, and the model stuffed is exactly the output; SIZE counts the bytes
 * before stuffing and the 8-bit flag is right; an input that does not end with a
 * line feed is refused at the end, with nothing appended.
 */
#include <errno.h>

#include "fuzz.h"
#include "sa.h"
#include "smtpdata.h"

/* encode - the encoder over s in pieces cut by c (all at once without c) */
static int encode(smtpdata *d, sa *out, const char *s, size_t n, fuzz_cut *c)
{
	out->len = 0;
	memset(d, 0, sizeof *d);
	while (n) {
		size_t k = c ? fuzz_cut_next(c, n) : n;
		CHECK(smtpdata_put(d, out, s, k));
		s += k;
		n -= k;
	}
	return smtpdata_end(d, out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char cb = fuzz_take(&data, &size);
	const char *s = (const char *)data;
	sa out = SA_ZERO, other = SA_ZERO, want = SA_ZERO, plain = SA_ZERO, wire = SA_ZERO;
	smtpdata d, e;
	fuzz_cut cut;
	size_t i, eight = 0, sent;
	int ok, ended;
	/* the model: every line end (CRLF, CR or LF) becomes CRLF */
	for (i = 0; i < size; ++i) {
		if (s[i] == '\r' || s[i] == '\n') {
			CHECK(sa_catb(&want, "\r\n", 2));
			if (s[i] == '\r' && i + 1 < size && s[i + 1] == '\n')
				++i;
			continue;
		}
		eight |= (unsigned char)s[i] > 127;
		CHECK(sa_catc(&want, s[i]));
	}
	ended = size == 0 || s[size - 1] == '\n';
	/* a final CR has not gone out yet: it may be the start of a CRLF */
	sent = want.len - (size && s[size - 1] == '\r' ? 2 : 0);
	for (i = 0; i < sent; ++i) {
		if ((i == 0 || want.s[i - 1] == '\n') && want.s[i] == '.')
			CHECK(sa_catc(&wire, '.'));
		CHECK(sa_catc(&wire, want.s[i]));
	}
	if (ended)
		CHECK(sa_catb(&wire, ".\r\n", 3));

	errno = 0;
	ok = encode(&d, &out, s, size, 0);
	CHECK(ok == ended && (ok || errno == EPROTO));
	CHECK(fuzz_same(out.s, out.len, wire.s, wire.len));
	CHECK(d.size == sent && d.eightbit == (int)eight);
	fuzz_cut_init(&cut, 0);
	CHECK(encode(&e, &other, s, size, &cut) == ok);
	CHECK(fuzz_same(out.s, out.len, other.s, other.len));
	CHECK(e.size == d.size && e.eightbit == d.eightbit);
	fuzz_cut_init(&cut, cb);
	CHECK(encode(&e, &other, s, size, &cut) == ok);
	CHECK(fuzz_same(out.s, out.len, other.s, other.len));
	CHECK(e.size == d.size && e.eightbit == d.eightbit);
	if (!ok)
		goto done;

	/* well formed: CRLF lines only, "." last and nowhere else */
	CHECK(out.len >= 3 && !memcmp(out.s + out.len - 3, ".\r\n", 3));
	for (i = 0; i < out.len; ++i) {
		if (out.s[i] == '\r')
			CHECK(i + 1 < out.len && out.s[i + 1] == '\n');
		if (out.s[i] == '\n')
			CHECK(i > 0 && out.s[i - 1] == '\r');
		if ((i == 0 || out.s[i - 1] == '\n') && i + 3 < out.len)
			CHECK(memcmp(out.s + i, ".\r\n", 3) != 0);
	}
	/* un-stuffed, without its last line, it is the model's text */
	for (i = 0; i < out.len - 3; ++i) {
		if ((i == 0 || out.s[i - 1] == '\n') && out.s[i] == '.')
			continue;
		CHECK(sa_catc(&plain, out.s[i]));
	}
	CHECK(fuzz_same(plain.s, plain.len, want.s, want.len));
done:
	sa_free(&out);
	sa_free(&other);
	sa_free(&want);
	sa_free(&plain);
	sa_free(&wire);
	return 0;
}
