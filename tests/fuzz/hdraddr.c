/*
 * hdraddr.c - fuzz the header address-list parser (hdraddr.h), the address parser
 * qmail-inject rewrites every sender and recipient field with. Input: a byte that
 * picks the rewriting rules and the starting column, then a field value. The
 * invariants are alist.h's: the printed list is well folded, and parsing it again
 * gives the same text and addresses.
 */
#include "hdraddr.h"
#include "alist.h"
#include "fuzz.h"

static const hdr_rw rules[4] = {
	{0, 0, 0},
	{"host.example.org", "example.org", "plus.example.net"},
	{"localhost", 0, 0},
	{"h", "d", "p"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char b = fuzz_take(&data, &size);
	const hdr_rw *rw = b & 4 ? &rules[b & 3] : 0;
	alist_check((const char *)data, size, rw, (size_t)(b >> 3) * 3);
	return 0;
}
