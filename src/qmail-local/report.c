/*
 * report.c - qmail-local's delivery report. Everything qmail-local says goes to fd 1,
 * which qmail-lspawn turns into the delivery report (and so into a bounce or a log
 * line). Each line is built in a fixed buffer, so a report can be made even when
 * memory has run out, and is written with one write(2); an over-long line is cut.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "local.h"

#define LINE_MAX_ 1024

typedef struct {
	char s[LINE_MAX_]; /* the line */
	size_t len;        /* bytes used */
} line;

/* cat - append a C string, cutting it at the end of the buffer (one byte is kept
 * for the newline) */
static void cat(line *l, const char *s)
{
	size_t n = strlen(s);
	if (n > LINE_MAX_ - 1 - l->len)
		n = LINE_MAX_ - 1 - l->len;
	memcpy(l->s + l->len, s, n);
	l->len += n;
}

/* vcat - append a NULL-terminated list of strings */
static void vcat(line *l, const char *s, va_list ap)
{
	for (; s; s = va_arg(ap, const char *))
		cat(l, s);
}

/* put - add the newline and write the line to fd 1 */
static void put(line *l)
{
	size_t off = 0;
	l->s[l->len++] = '\n';
	while (off < l->len) {
		ssize_t w = write(1, l->s + off, l->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

/* report - one line of the report; errno is kept */
void report(const char *s, ...)
{
	int e = errno;
	line l;
	va_list ap;
	l.len = 0;
	va_start(ap, s);
	vcat(&l, s, ap);
	va_end(ap);
	put(&l);
	errno = e;
}

/* quit - a last report line, then exit with code */
void quit(int code, const char *s, ...)
{
	line l;
	va_list ap;
	l.len = 0;
	va_start(ap, s);
	vcat(&l, s, ap);
	va_end(ap);
	put(&l);
	_exit(code);
}

/* quit_sys - "strings: errno text (#status)", then exit with code */
void quit_sys(int code, const char *status, const char *s, ...)
{
	int e = errno;
	line l;
	va_list ap;
	l.len = 0;
	va_start(ap, s);
	vcat(&l, s, ap);
	va_end(ap);
	cat(&l, ": ");
	cat(&l, error_str(e));
	cat(&l, " (#");
	cat(&l, status);
	cat(&l, ")");
	put(&l);
	_exit(code);
}

/* quit_nomem - the one out-of-memory exit */
void quit_nomem(void)
{
	quit(EXIT_TEMP, "Out of memory. (#4.3.0)", (char *)0);
}
