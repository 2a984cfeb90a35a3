/*
 * qctl.c - queue control requests: their file names and their one line of content
 * (qctl.h). The reader is strict: one known verb, one space, a decimal id without
 * leading zeros that fits 64 bits, one newline, nothing else.
 */
#include "qctl.h"

#include <errno.h>
#include <string.h>

#include "fmt.h"
#include "scan.h"

static const char *const words[] = {0, "hold", "release", "requeue", "remove"};

/* qctl_verb - the verb named by s, or 0 */
int qctl_verb(const char *s)
{
	int v;
	for (v = QCTL_HOLD; v <= QCTL_REMOVE; ++v)
		if (!strcmp(s, words[v]))
			return v;
	return 0;
}

/* qctl_word - the name of a verb ("?" for none) */
const char *qctl_word(int verb)
{
	return verb >= QCTL_HOLD && verb <= QCTL_REMOVE ? words[verb] : "?";
}

/* qctl_format - "VERB ID\n" into s (QCTL_MAX bytes, no NUL); its length */
size_t qctl_format(char *s, int verb, uint64_t id)
{
	const char *w = qctl_word(verb);
	size_t n = strlen(w);
	memcpy(s, w, n);
	s[n++] = ' ';
	n += fmt_u64(s + n, id);
	s[n++] = '\n';
	return n;
}

/* num - s[0..n) is a canonical decimal number (no sign, no leading zero) */
static int num(const char *s, size_t n, uint64_t *u)
{
	if (!n || (s[0] == '0' && n > 1))
		return 0;
	return scan_u64_all(s, n, u);
}

/* qctl_parse - read one request line; 1 good, 0 malformed (errno EINVAL) */
int qctl_parse(const char *s, size_t n, int *verb, uint64_t *id)
{
	const char *sp = memchr(s, ' ', n);
	char w[8];
	size_t k;
	if (!sp || n < 4 || s[n - 1] != '\n')
		goto bad;
	k = (size_t)(sp - s);
	if (k == 0 || k >= sizeof w || memchr(s, 0, k))
		goto bad;
	memcpy(w, s, k);
	w[k] = 0;
	*verb = qctl_verb(w);
	if (!*verb || !num(sp + 1, n - k - 2, id))
		goto bad;
	return 1;
bad:
	errno = EINVAL;
	return 0;
}

/* qctl_name - "USEC.PID" and a NUL into s (QCTL_NAME bytes); its length */
size_t qctl_name(char *s, uint64_t usec, uint64_t pid)
{
	size_t n = fmt_u64(s, usec);
	s[n++] = '.';
	n += fmt_u64(s + n, pid);
	s[n] = 0;
	return n;
}

/* qctl_scan_name - split a request name; 0 for any other name (temporary files) */
int qctl_scan_name(const char *s, uint64_t *usec, uint64_t *pid)
{
	const char *dot = strchr(s, '.');
	if (!dot)
		return 0;
	return num(s, (size_t)(dot - s), usec) && num(dot + 1, strlen(dot + 1), pid);
}
