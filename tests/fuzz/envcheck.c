/*
 * envcheck.c - fuzz the check qmail-send applies to a queued envelope (todo/ID)
 * before preprocessing it (src/mail/envcheck.c). Input: a cut byte, then the
 * envelope. Invariants: the verdict, the reason and the numbers are the same fed
 * whole, a byte at a time and in pieces, and equal those of a reference model that
 * splits the bytes at NULs and applies the rules record by record; a good envelope
 * stays good with one more short recipient appended (and counts it), and turns into
 * "truncated record" when its last byte (its final NUL) is cut off.
 */
#include "envcheck.h"

#include "fuzz.h"

typedef struct verdict_s {
	int ok;          /* the envelope is good */
	const char *why; /* the problem, or 0 */
	uint64_t uid;    /* numbers and count when good */
	uint64_t qp;
	uint64_t nrcpt;
} verdict;

/* model - the rules, record by record */
static verdict model(const uint8_t *s, size_t n)
{
	verdict v = {0, 0, 0, 0, 0};
	int sender = 0;
	size_t i = 0;
	while (i < n) {
		const uint8_t *nul = memchr(s + i, 0, n - i);
		size_t k;
		if (!nul) {
			v.why = "truncated record";
			return v;
		}
		k = (size_t)(nul - (s + i));
		if (k > ENVCHECK_MAX)
			v.why = "overlong record";
		else if (k && (s[i] == 'u' || s[i] == 'p')) {
			if (!fuzz_dec64(s + i + 1, k - 1, s[i] == 'u' ? &v.uid : &v.qp))
				v.why = "bad number";
		} else if (k && s[i] == 'F') {
			if (sender++)
				v.why = "second sender";
		} else if (k && s[i] == 'T') {
			if (!sender)
				v.why = "recipient before sender";
			++v.nrcpt;
		} else
			v.why = "unknown record type";
		if (v.why)
			return v;
		i += k + 1;
	}
	if (!sender)
		v.why = "no sender";
	v.ok = !v.why;
	return v;
}

/* fed - the checker's verdict, fed as the cut says (0: whole; 1 byte at a time) */
static verdict fed(const uint8_t *s, size_t n, int how, unsigned char cb)
{
	envcheck e;
	verdict v = {0, 0, 0, 0, 0};
	size_t off = 0;
	fuzz_cut c;
	envcheck_init(&e);
	if (how == 0) {
		v.ok = envcheck_bytes(&e, (const char *)s, n);
	} else {
		fuzz_cut_init(&c, how == 1 ? 0 : cb);
		while (off < n) {
			size_t k = fuzz_cut_next(&c, n - off);
			envcheck_feed(&e, (const char *)s + off, k);
			off += k;
		}
		v.ok = envcheck_end(&e);
	}
	v.why = e.why;
	CHECK(v.ok == (e.why == 0));
	if (v.ok) {
		v.uid = e.uid;
		v.qp = e.qp;
		v.nrcpt = e.nrcpt;
	}
	return v;
}

/* same - whether two verdicts agree in everything */
static int same(const verdict *a, const verdict *b)
{
	if (a->ok != b->ok)
		return 0;
	if (!a->ok)
		return a->why && b->why && !strcmp(a->why, b->why);
	return a->uid == b->uid && a->qp == b->qp && a->nrcpt == b->nrcpt;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char cb = fuzz_take(&data, &size);
	verdict m = model(data, size);
	verdict w = fed(data, size, 0, cb);
	verdict b = fed(data, size, 1, cb);
	verdict p = fed(data, size, 2, cb);
	CHECK(same(&m, &w));
	CHECK(same(&w, &b));
	CHECK(same(&w, &p));
	if (w.ok && size < 1 << 16) {
		uint8_t *more = malloc(size + 4);
		envcheck e;
		CHECK(more);
		memcpy(more, data, size);
		memcpy(more + size, "Tx", 3);
		CHECK(envcheck_bytes(&e, (const char *)more, size + 3));
		CHECK(e.nrcpt == w.nrcpt + 1);
		CHECK(!envcheck_bytes(&e, (const char *)data, size - 1));
		CHECK(!strcmp(e.why, "truncated record"));
		free(more);
	}
	return 0;
}
