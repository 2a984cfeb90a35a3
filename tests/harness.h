/*
 * harness.h - the in-tree unit test harness. A test file defines its test functions
 * and a table:
 *     static void t_growth(void) { T_OK(sa_catb(&x, "ab", 2)); T_EQ_U(x.len, 2); }
 *     const t_case t_cases[] = { T_CASE(t_growth), T_END };
 * harness.c runs every case, prints each failing assertion with its file and line,
 * and ends with "N passed, N failed" counting assertions; exit 1 on any failure.
 * Each macro evaluates its arguments exactly once. t_path names a file in the private
 * directory t_tmpdir makes; t_script writes an executable one there (a fake program).
 * t_pieces drives an incremental reader (fn, with its state st) in pieces of step bytes.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <stddef.h>

typedef struct t_case_s {
	const char *name; /* the function's name */
	void (*fn)(void); /* the test */
} t_case;
/* clang-format off */
#define T_CASE(f) {#f, f}
#define T_END {0, 0}
/* clang-format on */

extern const t_case t_cases[];

int t_ok(int ok, const char *file, int line, const char *expr);
int t_eq_u(unsigned long long a, unsigned long long b, const char *file, int line,
	   const char *expr);
int t_eq_mem(const void *p, size_t n, const void *q, size_t m, const char *file, int line,
	     const char *expr);
int t_eq_s(const char *a, const char *b, const char *file, int line, const char *expr);
const char *t_tmpdir(void);
const char *t_path(const char *name);
const char *t_script(const char *name, const char *text);
int t_pieces(int (*fn)(void *st, const char *s, size_t n, size_t *used), void *st, const char *s,
	     size_t n, size_t step, size_t *used);

#define T_OK(e) t_ok((e) != 0, __FILE__, __LINE__, #e)
#define T_EQ_U(a, b) \
	t_eq_u((unsigned long long)(a), (unsigned long long)(b), __FILE__, __LINE__, #a " == " #b)
#define T_EQ_MEM(p, n, q, m) t_eq_mem((p), (n), (q), (m), __FILE__, __LINE__, #p " == " #q)
#define T_EQ_S(a, b)         t_eq_s((a), (b), __FILE__, __LINE__, #a " == " #b)

#endif
