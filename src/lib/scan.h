/*
 * scan.h - number scanning with overflow detection. Each scan_ function reads digits
 * from the n bytes at s and returns how many bytes it used: 0 when there is no digit
 * (errno EINVAL) or when the value does not fit (errno ERANGE; *u is left alone).
 * scan_xdigit is the value of one hexadecimal digit, for parsers of their own.
 */
#ifndef SCAN_H
#define SCAN_H

#include <stddef.h>
#include <stdint.h>

size_t scan_u64(const char *s, size_t n, uint64_t *u);
size_t scan_u64o(const char *s, size_t n, uint64_t *u);
size_t scan_x(const char *s, size_t n, uint64_t *u);
int scan_u64_all(const char *s, size_t n, uint64_t *u);
int scan_xdigit(char c);

#endif
