/*
 * scan.c - unsigned number scanning; a value that would not fit in 64 bits is an
 * error, never a silently wrapped number.
 */
#include "scan.h"

#include <errno.h>

/* scan_xdigit - the value of the hexadecimal digit c (either case), or -1 */
int scan_xdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* digit - the value of c in base (at most 16), or -1 */
static int digit(char c, unsigned base)
{
	int d = scan_xdigit(c);
	return d >= 0 && (unsigned)d < base ? d : -1;
}

/* scan_base - the common loop: digits of base, checked against overflow */
static size_t scan_base(const char *s, size_t n, uint64_t *u, unsigned base)
{
	uint64_t v = 0;
	size_t i;
	int d;
	for (i = 0; i < n && (d = digit(s[i], base)) >= 0; ++i) {
		if (__builtin_mul_overflow(v, base, &v) ||
		    __builtin_add_overflow(v, (uint64_t)d, &v)) {
			errno = ERANGE;
			return 0;
		}
	}
	if (i == 0) {
		errno = EINVAL;
		return 0;
	}
	*u = v;
	return i;
}

/* scan_u64 - decimal */
size_t scan_u64(const char *s, size_t n, uint64_t *u)
{
	return scan_base(s, n, u, 10);
}

/* scan_u64o - octal (a leading 0 is just a digit) */
size_t scan_u64o(const char *s, size_t n, uint64_t *u)
{
	return scan_base(s, n, u, 8);
}

/* scan_x - hexadecimal, either case, no 0x prefix */
size_t scan_x(const char *s, size_t n, uint64_t *u)
{
	return scan_base(s, n, u, 16);
}

/* scan_u64_all - decimal that must use all n bytes; 1 on success, 0 otherwise */
int scan_u64_all(const char *s, size_t n, uint64_t *u)
{
	uint64_t v;
	size_t used;
	if (n == 0) {
		errno = EINVAL;
		return 0;
	}
	used = scan_u64(s, n, &v);
	if (used == 0)
		return 0;
	if (used != n) {
		errno = EINVAL;
		return 0;
	}
	*u = v;
	return 1;
}
