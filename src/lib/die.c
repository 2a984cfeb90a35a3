/*
 * die.c - fatal and warning messages. Each message is assembled in a fixed buffer
 * (so it works when memory is exhausted) and written with one write(2) to fd 2;
 * an over-long message is cut, never overflowed.
 */
#include "die.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

#define MSG_MAX 1024

static const char *prog = "qmail"; /* the program's name, from argv[0] */

typedef struct {
	char s[MSG_MAX]; /* the message */
	size_t len;      /* bytes used */
} line;

/* die_init - remember the program's name (argv[0] without directories) */
void die_init(const char *argv0)
{
	const char *slash;
	if (!argv0 || !*argv0)
		return;
	slash = strrchr(argv0, '/');
	prog = slash && slash[1] ? slash + 1 : argv0;
}

/* die_prog - the program's name as set by die_init */
const char *die_prog(void)
{
	return prog;
}

/* line_cat - append a C string, cutting it at the end of the buffer */
static void line_cat(line *l, const char *s)
{
	size_t n = strlen(s);
	if (n > MSG_MAX - 1 - l->len)
		n = MSG_MAX - 1 - l->len;
	memcpy(l->s + l->len, s, n);
	l->len += n;
}

/* line_write - add the newline and write the whole message at once */
static void line_write(int fd, line *l)
{
	size_t off = 0;
	l->s[l->len++] = '\n';
	while (off < l->len) {
		ssize_t w = write(fd, l->s + off, l->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

/* vsay - "prog: KIND: " + the strings, + ": errno text" when e >= 0 */
static void vsay(int fd, const char *kind, int e, const char *s, va_list ap)
{
	line l;
	l.len = 0;
	if (kind) {
		line_cat(&l, prog);
		line_cat(&l, ": ");
		line_cat(&l, kind);
		line_cat(&l, ": ");
	}
	for (; s; s = va_arg(ap, const char *))
		line_cat(&l, s);
	if (e >= 0) {
		line_cat(&l, ": ");
		line_cat(&l, error_str(e));
	}
	line_write(fd, &l);
}

/* die_x - print "prog: fatal: ..." and exit with code */
void die_x(int code, const char *s, ...)
{
	va_list ap;
	va_start(ap, s);
	vsay(2, "fatal", -1, s, ap);
	va_end(ap);
	_exit(code);
}

/* die_sys - like die_x, adding the text of errno */
void die_sys(int code, const char *s, ...)
{
	int e = errno;
	va_list ap;
	va_start(ap, s);
	vsay(2, "fatal", e, s, ap);
	va_end(ap);
	_exit(code);
}

/* warn_x - print "prog: warning: ..." */
void warn_x(const char *s, ...)
{
	int e = errno;
	va_list ap;
	va_start(ap, s);
	vsay(2, "warning", -1, s, ap);
	va_end(ap);
	errno = e;
}

/* warn_sys - like warn_x, adding the text of errno */
void warn_sys(const char *s, ...)
{
	int e = errno;
	va_list ap;
	va_start(ap, s);
	vsay(2, "warning", e, s, ap);
	va_end(ap);
	errno = e;
}

/* msg_put - write the strings and a newline to fd as one line, without a prefix */
void msg_put(int fd, const char *s, ...)
{
	int e = errno;
	va_list ap;
	va_start(ap, s);
	vsay(fd, 0, -1, s, ap);
	va_end(ap);
	errno = e;
}
