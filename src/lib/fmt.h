/*
 * fmt.h - number formatting. Each fmt_ function writes into s (when s is not 0) and
 * returns the number of bytes it wrote (or would write). No NUL is written.
 */
#ifndef FMT_H
#define FMT_H

#include <stddef.h>
#include <stdint.h>

#define FMT_U64  21 /* enough for any uint64_t in decimal, plus one */
#define FMT_U64O 23 /* enough for any uint64_t in octal, plus one */

size_t fmt_u64(char *s, uint64_t u);
size_t fmt_u64o(char *s, uint64_t u);
size_t fmt_u64pad(char *s, uint64_t u, size_t width);
size_t fmt_x(char *s, uint64_t u);

#endif
