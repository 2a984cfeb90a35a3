/*
 * harness.c - runs the t_cases table of one unit-test binary. Output: a line per
 * failed assertion, "ok NAME" or "FAIL NAME" per case, then "N passed, N failed"
 * (assertions). A private temporary directory is made on demand and removed at exit.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct {
	unsigned long passed; /* assertions that held */
	unsigned long failed; /* assertions that did not */
	char tmp[64];         /* t_tmpdir's directory, "" until made */
	char path[8][256];    /* t_path's results, used in turn */
	unsigned int next;    /* the path slot to use next */
} h;

/* t_ok - record one assertion */
int t_ok(int ok, const char *file, int line, const char *expr)
{
	if (ok) {
		h.passed++;
		return 1;
	}
	h.failed++;
	printf("  %s:%d: assertion failed: %s\n", file, line, expr);
	return 0;
}

/* t_eq_u - record a == b, printing both on failure */
int t_eq_u(unsigned long long a, unsigned long long b, const char *file, int line, const char *expr)
{
	if (!t_ok(a == b, file, line, expr)) {
		printf("    got %llu, expected %llu\n", a, b);
		return 0;
	}
	return 1;
}

/* show - print up to 80 bytes of p, escaping what is not printable */
static void show(const char *label, const unsigned char *p, size_t n)
{
	size_t i;
	printf("    %s (%zu bytes): \"", label, n);
	for (i = 0; i < n && i < 80; ++i)
		if (p[i] >= 32 && p[i] < 127 && p[i] != '"' && p[i] != '\\')
			putchar(p[i]);
		else
			printf("\\x%02x", p[i]);
	printf("%s\"\n", n > 80 ? "..." : "");
}

/* t_eq_mem - record that two byte ranges are equal */
int t_eq_mem(const void *p, size_t n, const void *q, size_t m, const char *file, int line,
	     const char *expr)
{
	int ok = n == m && (n == 0 || (p && q && memcmp(p, q, n) == 0));
	if (!t_ok(ok, file, line, expr)) {
		show("got", p ? p : (const void *)"", p ? n : 0);
		show("expected", q ? q : (const void *)"", q ? m : 0);
		return 0;
	}
	return 1;
}

/* t_eq_s - record that two C strings are equal (0 counts as different) */
int t_eq_s(const char *a, const char *b, const char *file, int line, const char *expr)
{
	if (!a || !b)
		return t_ok(0, file, line, expr);
	return t_eq_mem(a, strlen(a), b, strlen(b), file, line, expr);
}

/* t_tmpdir - a fresh directory for this test binary, removed when it exits */
const char *t_tmpdir(void)
{
	if (!h.tmp[0]) {
		snprintf(h.tmp, sizeof h.tmp, "/tmp/qtest.XXXXXX");
		if (!mkdtemp(h.tmp)) {
			perror("mkdtemp");
			exit(2);
		}
	}
	return h.tmp;
}

/* t_path - name inside t_tmpdir(); the last 8 results stay valid (used in turn) */
const char *t_path(const char *name)
{
	char *p = h.path[h.next++ % 8];
	int n = snprintf(p, sizeof h.path[0], "%s/%s", t_tmpdir(), name);
	if (n < 0 || (size_t)n >= sizeof h.path[0]) {
		fprintf(stderr, "t_path: name too long: %s\n", name);
		exit(2);
	}
	return p;
}

/* t_script - an executable file name in t_tmpdir() holding text: its t_path, or 0
 * (a failed assertion) if it could not be written */
const char *t_script(const char *name, const char *text)
{
	const char *p = t_path(name);
	FILE *f = fopen(p, "w");
	int ok;
	if (!t_ok(f != 0, __FILE__, __LINE__, "fopen of a script"))
		return 0;
	ok = fputs(text, f) >= 0;
	ok &= fclose(f) == 0;
	ok &= chmod(p, 0755) == 0;
	return t_ok(ok, __FILE__, __LINE__, "writing a script") ? p : 0;
}

/* cleanup - remove t_tmpdir's directory */
static void cleanup(void)
{
	char cmd[128];
	if (h.tmp[0]) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", h.tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "warning: could not remove %s\n", h.tmp);
	}
}

int main(void)
{
	const t_case *c;
	atexit(cleanup);
	setvbuf(stdout, 0, _IOLBF, 0);
	for (c = t_cases; c->fn; ++c) {
		unsigned long before = h.failed;
		c->fn();
		printf("%s %s\n", h.failed == before ? "ok" : "FAIL", c->name);
	}
	printf("%lu passed, %lu failed\n", h.passed, h.failed);
	return h.failed ? 1 : 0;
}

/* t_pieces - push s[0..n) into the reader fn (state st) in pieces of step bytes until
 * it completes or fails (fn returns nonzero); that result, or 0 when all was used
 * without an end, or -2 when fn returned 0 without using all of a piece (0 must mean
 * "all used"). *used gets the bytes consumed in all. */
int t_pieces(int (*fn)(void *st, const char *s, size_t n, size_t *used), void *st, const char *s,
	     size_t n, size_t step, size_t *used)
{
	size_t i = 0;
	*used = 0;
	while (i < n) {
		size_t k = n - i < step ? n - i : step;
		size_t u;
		int x = fn(st, s + i, k, &u);
		i += u;
		*used = i;
		if (x != 0)
			return x;
		if (u != k)
			return -2;
	}
	return 0;
}
