/*
 * bounce.c - fuzz the bounce/ID reader and the report-text scanners (bounce.h). The
 * first input byte chooses a mode and a read size.
 *   0  the rest is a bounce/ID file: bounce_para_get reads it to the end, within its
 *      bounds (address, text, the note on a cut text), every text line ending in LF
 *   1  the rest is NUL-separated address, text, address, text...: written with
 *      bounce_para and read back, each paragraph gives its address (LF as '_') and
 *      its text (empty lines as "/", each line ending in LF)
 *   2  the rest is a report text: bounce_code agrees with a model of "(#c.s.d)";
 *      bounce_status is always 5.s.d; bounce_diag finds a reply exactly when
 *      bounce_reply does, starts with its code and holds only printable bytes and LF
 */
#include "bounce.h"
#include "buf.h"
#include "fuzz.h"
#include "fuzzio.h"
#include "sa.h"

#define TRUNC "[the rest of this report was cut]\n"

/* file - read a bounce/ID file to its end */
static void file(const char *s, size_t n, unsigned m)
{
	static char space[4096];
	buf b;
	fuzz_src x;
	sa addr = SA_ZERO, text = SA_ZERO;
	size_t paras = 0;
	int r;
	fuzz_reader(&b, space, sizeof space, &x, s, n, (m >> 2 & 31) * 37 + 1, m & 128);
	while ((r = bounce_para_get(&b, &addr, &text)) == 1) {
		size_t i;
		++paras;
		CHECK(paras <= n);
		CHECK(addr.len <= BOUNCE_ADDRMAX);
		CHECK(text.len <= BOUNCE_TEXTMAX + 1 + sizeof TRUNC);
		CHECK(text.len == 0 || text.s[text.len - 1] == '\n');
		for (i = 0; i + 1 < text.len; ++i)
			CHECK(text.s[i] != '\n' || text.s[i + 1] != '\n'); /* no empty line */
		CHECK(text.len == 0 || text.s[0] != '\n');
	}
	CHECK(r == 0);
	sa_free(&addr);
	sa_free(&text);
}

/* expect - what the reader gives for a text written by bounce_para */
static void expect(sa *out, const char *t, size_t n)
{
	size_t i = 0;
	out->len = 0;
	if (n > BOUNCE_TEXTMAX)
		n = BOUNCE_TEXTMAX;
	while (i < n) {
		const char *nl = memchr(t + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - t) : n;
		if (e == i)
			CHECK(sa_catc(out, '/'));
		else
			CHECK(sa_catb(out, t + i, e - i));
		CHECK(sa_catc(out, '\n'));
		i = e + 1;
	}
}

/* roundtrip - paragraphs written and read back */
static void roundtrip(const char *s, size_t n, unsigned m)
{
	static char space[4096];
	sa file = SA_ZERO, addr = SA_ZERO, text = SA_ZERO, want = SA_ZERO, a = SA_ZERO;
	const char *p = s, *end = s + n;
	buf b;
	fuzz_src x;
	size_t count = 0, k;
	while (p < end) {
		const char *na = memchr(p, 0, (size_t)(end - p));
		const char *t = na ? na + 1 : end;
		const char *nt = t < end ? memchr(t, 0, (size_t)(end - t)) : 0;
		const char *te = nt ? nt : end;
		CHECK(sa_copyb(&a, p, na ? (size_t)(na - p) : (size_t)(end - p)) && sa_0(&a));
		CHECK(bounce_para(&file, a.s, t, (size_t)(te - t)));
		++count;
		p = nt ? nt + 1 : end;
	}
	fuzz_reader(&b, space, sizeof space, &x, file.s, file.len, (m >> 2 & 31) * 37 + 1, m & 128);
	p = s;
	for (k = 0; k < count; ++k) {
		const char *na = memchr(p, 0, (size_t)(end - p));
		const char *t = na ? na + 1 : end;
		const char *nt = t < end ? memchr(t, 0, (size_t)(end - t)) : 0;
		const char *te = nt ? nt : end;
		size_t al = na ? (size_t)(na - p) : (size_t)(end - p), i;
		CHECK(bounce_para_get(&b, &addr, &text) == 1);
		if (al > BOUNCE_ADDRMAX)
			al = BOUNCE_ADDRMAX;
		CHECK(addr.len == al);
		for (i = 0; i < al; ++i)
			CHECK(addr.s[i] == (p[i] == '\n' ? '_' : p[i]));
		expect(&want, t, (size_t)(te - t));
		if (want.len <= BOUNCE_TEXTMAX)
			CHECK(fuzz_same(text.s, text.len, want.s, want.len));
		p = nt ? nt + 1 : end;
	}
	CHECK(bounce_para_get(&b, &addr, &text) == 0);
	sa_free(&file);
	sa_free(&addr);
	sa_free(&text);
	sa_free(&want);
	sa_free(&a);
}

/* digits - 1..max decimal digits at s[*i] not followed by another digit */
static int digits(const char *s, size_t n, size_t *i, size_t max, unsigned *v)
{
	size_t k = 0;
	*v = 0;
	while (*i + k < n && s[*i + k] >= '0' && s[*i + k] <= '9')
		*v = *v * 10 + (unsigned)(s[*i + k++] - '0');
	*i += k;
	return k >= 1 && k <= max;
}

/* code_model - the last "(#c.s.d)" with c 2, 4 or 5 and s, d of 1 to 3 digits */
static int code_model(const char *s, size_t n, bounce_st *st)
{
	size_t i;
	int found = 0;
	for (i = 0; i + 1 < n; ++i) {
		size_t j = i + 2;
		unsigned c, a, d;
		if (s[i] != '(' || s[i + 1] != '#')
			continue;
		if (!digits(s, n, &j, 1, &c) || (c != 2 && c != 4 && c != 5) || j >= n ||
		    s[j++] != '.')
			continue;
		if (!digits(s, n, &j, 3, &a) || j >= n || s[j++] != '.')
			continue;
		if (!digits(s, n, &j, 3, &d) || j >= n || s[j] != ')')
			continue;
		st->cls = c;
		st->sub = a;
		st->det = d;
		found = 1;
	}
	return found;
}

/* text - the report-text scanners */
static void text(const char *s, size_t n)
{
	bounce_st st = {0, 0, 0}, ms = {0, 0, 0};
	char status[BOUNCE_STATUSLEN];
	unsigned code = 0;
	sa diag = SA_ZERO;
	size_t k, i;
	int r, got = bounce_code(s, n, &st);
	CHECK(got == code_model(s, n, &ms));
	if (got)
		CHECK(st.cls == ms.cls && st.sub == ms.sub && st.det == ms.det);
	k = bounce_status(status, s, n);
	CHECK(k >= 5 && k < BOUNCE_STATUSLEN && status[k] == 0 && strlen(status) == k);
	CHECK(status[0] == '5' && status[1] == '.');
	r = bounce_reply(s, n, &code, &st);
	CHECK(r == 0 || code <= 999);
	CHECK(st.cls == 0 || st.cls == 2 || st.cls == 4 || st.cls == 5);
	CHECK(st.sub <= 999 && st.det <= 999);
	CHECK(bounce_diag(&diag, s, n) == r);
	if (r) {
		CHECK(diag.len >= 3 && diag.len <= BOUNCE_DIAGMAX);
		CHECK((unsigned)((diag.s[0] - '0') * 100 + (diag.s[1] - '0') * 10 +
				 (diag.s[2] - '0')) == code);
		for (i = 0; i < diag.len; ++i)
			CHECK(diag.s[i] == '\n' || (diag.s[i] >= 0x20 && diag.s[i] < 0x7f));
	} else {
		CHECK(diag.len == 0);
	}
	sa_free(&diag);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned m = fuzz_take(&data, &size);
	const char *s = (const char *)data;
	switch (m & 3) {
	case 0:
		file(s, size, m);
		break;
	case 1:
		roundtrip(s, size, m);
		break;
	default:
		text(s, size);
		break;
	}
	return 0;
}
