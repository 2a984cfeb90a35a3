/*
 * alist.h - the invariants of one address-list parse (hdraddr.h), shared by the
 * hdraddr and header targets: the printed value has no CR, no NUL and folds only as
 * LF plus two spaces; each address fits HDR_ADDR_MAX; parsing the printed value again
 * (same rules, same column) gives the same text and the same addresses, and without
 * any rewriting still the same addresses; a parse into a used object gives what a
 * parse into a fresh one gives.
 */
#ifndef ALIST_H
#define ALIST_H

#include "fuzz.h"
#include "hdraddr.h"

/* alist_check - parse s[0..n) with rw at column col and check the invariants */
static inline void alist_check(const char *s, size_t n, const hdr_rw *rw, size_t col)
{
	hdr_alist r = HDR_ALIST_ZERO, again = HDR_ALIST_ZERO;
	size_t i, count = 0, start = 0;
	int ok = hdr_alist_parse(&r, s, n, rw, col);
	CHECK(ok == (r.err == HDR_OK));
	if (!ok) {
		CHECK(r.err == HDR_ESYNTAX || r.err == HDR_ELONG || r.err == HDR_ENEST);
		/* the used object, parsed again, fails the same way */
		CHECK(!hdr_alist_parse(&r, s, n, rw, col));
		hdr_alist_free(&r);
		return;
	}
	for (i = 0; i < r.text.len; ++i) {
		CHECK(r.text.s[i] != '\r' && r.text.s[i] != 0);
		if (r.text.s[i] == '\n')
			CHECK(r.text.len - i > 3 && r.text.s[i + 1] == ' ' &&
			      r.text.s[i + 2] == ' ');
	}
	for (i = 0; i < r.addrs.len; ++i) {
		if (r.addrs.s[i])
			continue;
		CHECK(i - start <= HDR_ADDR_MAX);
		++count;
		start = i + 1;
	}
	CHECK(start == r.addrs.len && count == r.count);

	CHECK(hdr_alist_parse(&again, r.text.s, r.text.len, rw, col));
	CHECK(fuzz_same(again.text.s, again.text.len, r.text.s, r.text.len));
	CHECK(fuzz_same(again.addrs.s, again.addrs.len, r.addrs.s, r.addrs.len));
	CHECK(again.count == r.count);
	CHECK(hdr_alist_parse(&again, r.text.s, r.text.len, 0, col));
	CHECK(fuzz_same(again.addrs.s, again.addrs.len, r.addrs.s, r.addrs.len));
	CHECK(hdr_alist_parse(&again, s, n, rw, col));
	CHECK(fuzz_same(again.text.s, again.text.len, r.text.s, r.text.len));
	CHECK(fuzz_same(again.addrs.s, again.addrs.len, r.addrs.s, r.addrs.len));
	hdr_alist_free(&r);
	hdr_alist_free(&again);
}

#endif
