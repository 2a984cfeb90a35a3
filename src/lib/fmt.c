/*
 * fmt.c - decimal, octal and hexadecimal formatting of unsigned 64-bit numbers.
 */
#include "fmt.h"

/* fmt_base - u in the given base (2..16), digits most significant first */
static size_t fmt_base(char *s, uint64_t u, unsigned base)
{
	size_t len = 1;
	uint64_t q = u;
	while (q >= base) {
		q /= base;
		++len;
	}
	if (s) {
		size_t i = len;
		do {
			s[--i] = "0123456789abcdef"[u % base];
			u /= base;
		} while (i);
	}
	return len;
}

/* fmt_u64 - u in decimal */
size_t fmt_u64(char *s, uint64_t u)
{
	return fmt_base(s, u, 10);
}

/* fmt_u64o - u in octal, without a leading 0 */
size_t fmt_u64o(char *s, uint64_t u)
{
	return fmt_base(s, u, 8);
}

/* fmt_x - u in lower-case hexadecimal */
size_t fmt_x(char *s, uint64_t u)
{
	return fmt_base(s, u, 16);
}

/* fmt_u64pad - u in decimal, zero-padded on the left to at least width digits */
size_t fmt_u64pad(char *s, uint64_t u, size_t width)
{
	size_t len = fmt_u64(0, u);
	size_t pad = len < width ? width - len : 0;
	if (s) {
		size_t i;
		for (i = 0; i < pad; ++i)
			s[i] = '0';
		fmt_u64(s + pad, u);
	}
	return pad + len;
}
