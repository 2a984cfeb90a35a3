/*
 * getline.c - fuzz the bounded line reader buf_getline (buf.h) over short reads,
 * reads interrupted by EINTR and small buffers. Input: a byte for the terminator and
 * the line limit, a byte for the read size and buffer size, then the stream.
 * Invariants: a reference model (split at the terminator; each line keeps at most
 * max bytes, flagged overlong beyond; a last line without its terminator flagged
 * partial) gives the same lines and flags; the line is appended to what the string
 * held; the reader ends with 0 exactly when the input is used up.
 */
#include "buf.h"
#include "fuzz.h"
#include "fuzzio.h"
#include "sa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char terms[4] = {'\n', '\0', ':', 'a'};
	unsigned char a = fuzz_take(&data, &size), b = fuzz_take(&data, &size);
	char term = terms[a & 3];
	size_t max = a >> 2 == 63 ? SIZE_MAX : (size_t)(a >> 2);
	static char space[512];
	const char *s = (const char *)data;
	size_t bufsize = (size_t)(b & 7) * 64 + 1, pos = 0, lines = 0;
	buf in;
	fuzz_src x;
	sa line = SA_ZERO;
	fuzz_reader(&in, space, bufsize, &x, s, size, (size_t)(b >> 3 & 15) * 5 + 1, b & 128);
	for (;;) {
		unsigned int fl = 99;
		const char *e;
		size_t len, keep, prefix = lines & 1; /* odd lines: append to "X" */
		int r;
		line.len = 0;
		if (prefix)
			CHECK(sa_catc(&line, 'X'));
		r = buf_getline(&in, &line, max, term, &fl);
		if (pos == size) {
			CHECK(r == 0 && line.len == prefix);
			break;
		}
		CHECK(r == 1);
		e = memchr(s + pos, term, size - pos);
		len = e ? (size_t)(e - (s + pos)) + 1 : size - pos;
		keep = len < max ? len : max;
		CHECK(line.len == prefix + keep);
		CHECK(!prefix || line.s[0] == 'X');
		CHECK(keep == 0 || !memcmp(line.s + prefix, s + pos, keep));
		CHECK(fl == ((len > max ? BUF_OVERLONG : 0) | (e ? 0 : BUF_PARTIAL)));
		pos += len;
		++lines;
	}
	sa_free(&line);
	return 0;
}
