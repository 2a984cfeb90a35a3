/*
 * str.c - byte-range and C-string helpers, and locale-independent ASCII case folding.
 * Bytes are compared as unsigned char throughout, so bytes >= 0x80 order after ASCII
 * and are never folded.
 */
#include "str.h"

#include <string.h>

/* byte_chr - index of the first c in s[0..n), or n; c is taken as an unsigned char */
size_t byte_chr(const char *s, size_t n, int c)
{
	const char *p;
	if (n == 0)
		return 0;
	p = memchr(s, (unsigned char)c, n);
	return p ? (size_t)(p - s) : n;
}

/* byte_rchr - index of the last c in s[0..n), or n if there is none */
size_t byte_rchr(const char *s, size_t n, int c)
{
	size_t i = n;
	while (i > 0)
		if ((unsigned char)s[--i] == (unsigned char)c)
			return i;
	return n;
}

/* byte_equal - whether the n bytes at a and b are the same */
int byte_equal(const char *a, size_t n, const char *b)
{
	return n == 0 || memcmp(a, b, n) == 0;
}

/* str_equal - whether two C strings are the same */
int str_equal(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* str_start - whether C string s begins with prefix (every s begins with "") */
int str_start(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return 0;
	return 1;
}

/* case_lower - c with 'A'..'Z' mapped to 'a'..'z'; every other value unchanged */
int case_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* case_diffb - compare n bytes ignoring ASCII case: <0, 0 or >0, as memcmp does */
int case_diffb(const char *a, size_t n, const char *b)
{
	size_t i;
	for (i = 0; i < n; ++i) {
		int x = case_lower((unsigned char)a[i]);
		int y = case_lower((unsigned char)b[i]);
		if (x != y)
			return x - y;
	}
	return 0;
}

/* case_diffs - compare two C strings ignoring ASCII case: <0, 0 or >0 */
int case_diffs(const char *a, const char *b)
{
	for (;; ++a, ++b) {
		int x = case_lower((unsigned char)*a);
		int y = case_lower((unsigned char)*b);
		if (x != y || x == 0)
			return x - y;
	}
}

/* case_equalb - whether n bytes at a and b are the same ignoring ASCII case */
int case_equalb(const char *a, size_t n, const char *b)
{
	return case_diffb(a, n, b) == 0;
}

/* case_equals - whether two C strings are the same ignoring ASCII case */
int case_equals(const char *a, const char *b)
{
	return case_diffs(a, b) == 0;
}

/* case_lowerb - fold n bytes to ASCII lower case in place */
void case_lowerb(char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; ++i)
		s[i] = (char)case_lower((unsigned char)s[i]);
}

/* case_starts - whether C string s begins with prefix, ignoring ASCII case */
int case_starts(const char *s, const char *prefix)
{
	for (; *prefix; ++s, ++prefix)
		if (case_lower((unsigned char)*s) != case_lower((unsigned char)*prefix))
			return 0;
	return 1;
}
