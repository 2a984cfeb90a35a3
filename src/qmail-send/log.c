/*
 * log.c - qmail-send's log: one line per event, written at once to fd 0 (SPEC
 * section 16). Nothing is buffered across events, so a crash loses no line. Text
 * that comes from outside (addresses, reports) goes through log_safe, which keeps
 * every line one line and free of control characters.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fmt.h"
#include "send.h"

#define LOG_MAX 1024 /* longest line log_put writes; longer ones are cut */

/* writev_all - write the two pieces completely, retrying EINTR and short writes;
 * a log that cannot be written is dropped (there is nowhere else to complain) */
static void writev_all(const char *a, size_t an, const char *b, size_t bn)
{
	struct iovec v[2];
	int i = 0;
	v[0].iov_base = (void *)a;
	v[0].iov_len = an;
	v[1].iov_base = (void *)b;
	v[1].iov_len = bn;
	while (i < 2) {
		ssize_t w = writev(0, v + i, 2 - i);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		while (i < 2 && (size_t)w >= v[i].iov_len)
			w -= (ssize_t)v[i++].iov_len;
		if (i < 2) {
			v[i].iov_base = (char *)v[i].iov_base + w;
			v[i].iov_len -= (size_t)w;
		}
	}
}

/* log_put - log the strings (a NULL-terminated list) joined, as one line */
void log_put(const char *s, ...)
{
	char line[LOG_MAX];
	size_t n = 0;
	va_list ap;
	int e = errno;
	va_start(ap, s);
	for (; s; s = va_arg(ap, const char *)) {
		size_t k = strlen(s);
		if (k > sizeof line - n)
			k = sizeof line - n;
		memcpy(line + n, s, k);
		n += k;
	}
	va_end(ap);
	writev_all(line, n, "\n", 1);
	errno = e;
}

/* log_safe - append s[0..n) to line made log-safe: newline becomes '/', and space,
 * other control characters, '%' and bytes above 126 become '_' */
void log_safe(sa *line, const char *s, size_t n)
{
	size_t i, start = line->len;
	if (!sa_catb(line, s, n))
		return;
	for (i = start; i < line->len; ++i) {
		unsigned char c = (unsigned char)line->s[i];
		if (c == '\n')
			line->s[i] = '/';
		else if (c <= ' ' || c > 126 || c == '%')
			line->s[i] = '_';
	}
}

/* log_end - write line and a newline as one log line, then empty line */
void log_end(sa *line)
{
	int e = errno;
	writev_all(line->s ? line->s : "", line->len, "\n", 1);
	line->len = 0;
	errno = e;
}

/* log_nomem - complain about memory and give the system a moment; the caller
 * then tries again, as a queue manager cannot simply give up */
void log_nomem(void)
{
	log_put("alert: out of memory, sleeping...", NULL);
	sleep(10);
}

/* log_u - u in decimal as a C string in b, which has FMT_U64 bytes; returns b */
char *log_u(char *b, uint64_t u)
{
	b[fmt_u64(b, u)] = 0;
	return b;
}
