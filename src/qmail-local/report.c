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
#include "fd.h"
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

/* put - add the newline and write the line to fd 1; a failed write is not reported:
 * there is nowhere left to say so */
static void put(line *l)
{
	l->s[l->len++] = '\n';
	(void)fd_write_all(1, l->s, l->len);
}

/* say - write one report line made of the strings s, ap; with status set, followed by
 * ": errno text (#status)"; errno is kept */
static void say(const char *status, const char *s, va_list ap)
{
	int e = errno;
	line l;
	l.len = 0;
	vcat(&l, s, ap);
	if (status) {
		cat(&l, ": ");
		cat(&l, error_str(e));
		cat(&l, " (#");
		cat(&l, status);
		cat(&l, ")");
	}
	put(&l);
	errno = e;
}

/* report - one line of the report; errno is kept */
void report(const char *s, ...)
{
	va_list ap;
	va_start(ap, s);
	say(0, s, ap);
	va_end(ap);
}

/* quit - a last report line, then exit with code */
void quit(int code, const char *s, ...)
{
	va_list ap;
	va_start(ap, s);
	say(0, s, ap);
	va_end(ap);
	_exit(code);
}

/* quit_sys - "strings: errno text (#status)", then exit with code */
void quit_sys(int code, const char *status, const char *s, ...)
{
	va_list ap;
	va_start(ap, s);
	say(status, s, ap);
	va_end(ap);
	_exit(code);
}

/* quit_nomem - the one out-of-memory exit */
void quit_nomem(void)
{
	quit(EXIT_TEMP, "Out of memory. (#4.3.0)", (char *)0);
}
