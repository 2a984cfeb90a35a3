/*
 * envelope.c - fuzz qmail-send's reader of queue files (rec.c, compiled in here):
 * the NUL-terminated records of todo/ID envelopes and of the local/ and remote/
 * channel files. Input: a byte for the kept length and the read size, then a file.
 * Invariants: a reference model (records end at NUL; each keeps at most max bytes,
 * flagged REC_LONG beyond; a last record without its NUL is flagged REC_CUT) gives
 * the same records, kept bytes and lengths, however the reads are cut and even when
 * reads fail with EINTR; the lengths add up to the file, so each record's offset
 * (how a recipient is marked done in place) is exact; the kept record is followed
 * by a NUL; the u and p records' numbers scan as a model of 64-bit decimals does.
 * (The rules qmail-send checks the records against are fuzzed in envcheck.c.)
 */
#include "../../src/qmail-send/rec.c"

#include "fuzz.h"
#include "fuzzio.h"
#include "scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char b = fuzz_take(&data, &size);
	static const size_t maxes[4] = {1024, 0, 1, 7};
	size_t max = maxes[b & 3], off = 0;
	const char *s = (const char *)data;
	fuzz_src x;
	char space[64];
	sa rec = SA_ZERO;
	buf in;
	fuzz_reader(&in, space, (size_t)(b >> 4 & 3) * 16 + 8, &x, s, size,
		    (size_t)(b >> 2 & 31) * 3 + 1, b & 128);
	for (;;) {
		uint64_t len;
		unsigned flags = 99;
		const char *nul;
		size_t k, keep;
		int r = rec_get(&in, &rec, max, &len, &flags);
		if (off == size) {
			CHECK(r == 0);
			break;
		}
		CHECK(r == 1);
		nul = memchr(s + off, 0, size - off);
		k = nul ? (size_t)(nul - (s + off)) : size - off;
		keep = k < max ? k : max;
		CHECK(len == k + (nul ? 1 : 0));
		CHECK(flags == ((k > max ? REC_LONG : 0u) | (nul ? 0u : REC_CUT)));
		CHECK(fuzz_same(rec.s, rec.len, s + off, keep) && rec.s[rec.len] == 0);
		/* the numbers of an envelope's u and p records read as decimal, 64 bits */
		if (!flags && rec.len && (rec.s[0] == 'u' || rec.s[0] == 'p')) {
			uint64_t v;
			CHECK(scan_u64_all(rec.s + 1, rec.len - 1, &v) ==
			      fuzz_dec64(rec.s + 1, rec.len - 1, 0));
		}
		off += (size_t)len;
	}
	sa_free(&rec);
	return 0;
}
