/*
 * str.h - byte-range and C-string helpers, and ASCII case folding. Case folding maps
 * only 'A'..'Z' to 'a'..'z': it never depends on the locale, so mail protocol
 * keywords and domain names compare the same way everywhere. Byte-range functions
 * take an explicit length and never read past it; a length of 0 never dereferences.
 */
#ifndef STR_H
#define STR_H

#include <stddef.h>

size_t byte_chr(const char *s, size_t n, int c);
size_t byte_rchr(const char *s, size_t n, int c);
int byte_equal(const char *a, size_t n, const char *b);
int str_equal(const char *a, const char *b);
int str_start(const char *s, const char *prefix);
int case_lower(int c);
int case_diffb(const char *a, size_t n, const char *b);
int case_diffs(const char *a, const char *b);
int case_equalb(const char *a, size_t n, const char *b);
int case_equals(const char *a, const char *b);
void case_lowerb(char *s, size_t n);
int case_starts(const char *s, const char *prefix);

#endif
