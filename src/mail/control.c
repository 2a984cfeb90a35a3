/*
 * control.c - control files. A single-line file gives its first line with trailing
 * spaces and tabs removed; a list file gives one item per line, each followed by a
 * NUL, skipping blank lines and lines that start with '#'; an integer file gives its
 * leading decimal number. control/me is read once by control_init and is the default
 * for the files that SPEC says default to "me".
 */
#include "control.h"

#include <errno.h>
#include <string.h>

#include "file.h"
#include "scan.h"

static struct {
	sa me;      /* first line of control/me */
	int has_me; /* whether control/me exists */
} ctl;

/* trim - length of s[0..n) without trailing spaces, tabs and CRs */
static size_t trim(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		--n;
	return n;
}

/* control_readline - the first line of control/NAME into out */
int control_readline(sa *out, const char *name)
{
	const char *nl;
	int r = file_read(name, out, CONTROL_MAX);
	if (r != 1)
		return r;
	nl = out->len ? memchr(out->s, '\n', out->len) : 0;
	if (nl)
		out->len = (size_t)(nl - out->s);
	out->len = trim(out->s, out->len);
	return 1;
}

/* control_init - read control/me; -1 on a read error, else 1 (me may be absent) */
int control_init(void)
{
	int r = control_readline(&ctl.me, "control/me");
	if (r == -1)
		return -1;
	ctl.has_me = r;
	return 1;
}

/* control_me - control/me, or 0 when it does not exist */
const sa *control_me(void)
{
	return ctl.has_me ? &ctl.me : 0;
}

/* control_rldef - control/NAME; else me when use_me and me exists; else def.
 * Returns -1 on a read error or when there is no value at all (def is 0). */
int control_rldef(sa *out, const char *name, int use_me, const char *def)
{
	int r = control_readline(out, name);
	if (r != 0)
		return r;
	if (use_me && ctl.has_me)
		return sa_copy(out, &ctl.me) ? 1 : -1;
	if (!def) {
		errno = ENOENT;
		return -1;
	}
	return sa_copys(out, def) ? 1 : -1;
}

/* control_readint - the leading decimal number of control/NAME */
int control_readint(uint64_t *u, const char *name)
{
	sa line = SA_ZERO;
	int r = control_readline(&line, name);
	if (r == 1 && !scan_u64(line.s, line.len, u))
		r = -1;
	sa_free(&line);
	return r;
}

/* control_readlist - control/NAME as NUL-terminated items, one per useful line */
int control_readlist(sa *out, const char *name)
{
	sa raw = SA_ZERO;
	size_t i = 0;
	int r = file_read(name, &raw, CONTROL_MAX);
	out->len = 0;
	while (r == 1 && i < raw.len) {
		const char *nl = memchr(raw.s + i, '\n', raw.len - i);
		size_t end = nl ? (size_t)(nl - raw.s) : raw.len;
		size_t n = trim(raw.s + i, end - i);
		if (memchr(raw.s + i, 0, n)) {
			errno = EINVAL; /* a NUL would split the item in two */
			r = -1;
		} else if (n && raw.s[i] != '#' && (!sa_catb(out, raw.s + i, n) || !sa_0(out)))
			r = -1;
		i = end + 1;
	}
	sa_free(&raw);
	return r;
}
