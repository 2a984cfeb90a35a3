/*
 * spawn.c - reader and writer of the spawn protocol. The feed functions consume
 * bytes from s[0..n), set *used, and return 1 when a record is complete (the next
 * feed starts a new record), 0 when more bytes are needed, -1 on a protocol
 * violation (a field over its limit, a NUL inside a path); -1 is sticky.
 * A command reader with list set reads recipient lists (beyond qmail, for the remote
 * channel only): recipients up to an empty one, at least 1 and at most SPAWN_RCPTMAX;
 * qmail-lspawn's reader keeps the one-recipient form.
 */
#include "spawn.h"

#include <errno.h>
#include <string.h>

/* field_feed - append bytes up to and including a NUL to x, whose field starts at
 * offset base, at most max bytes before the NUL; returns 1 complete, 0 more needed,
 * -1 too long or no memory */
static int field_feed(sa *x, size_t base, size_t max, const char *s, size_t n, size_t *used)
{
	const char *nul = memchr(s, 0, n);
	size_t take = nul ? (size_t)(nul - s) + 1 : n;
	size_t body = nul ? take - 1 : take;
	*used = take;
	if (body > max - (x->len - base) || !sa_catb(x, s, take)) {
		errno = EPROTO;
		return -1;
	}
	return nul ? 1 : 0;
}

/* rcpt_done - a recipient field of a command ended; 1 the command is complete, 0
 * more recipients may follow, -1 an empty first one or too many */
static int rcpt_done(spawn_cmd *c)
{
	if (!c->list) {
		c->nrcpt = 1;
		return 1;
	}
	if (c->rcpt.len - c->at == 1) { /* the empty recipient ends the list */
		--c->rcpt.len;
		return c->nrcpt ? 1 : (errno = EPROTO, -1);
	}
	if (c->nrcpt == SPAWN_RCPTMAX) {
		errno = EPROTO;
		return -1;
	}
	++c->nrcpt;
	c->at = c->rcpt.len;
	return 0;
}

/* spawn_cmd_feed - read a command (qmail-lspawn and qmail-rspawn) */
int spawn_cmd_feed(spawn_cmd *c, const char *s, size_t n, size_t *used)
{
	size_t i = 0;
	*used = 0;
	if (c->field < 0)
		return -1;
	if (c->field == 0 && n) {
		c->slot = (unsigned char)s[0];
		c->path.len = c->sender.len = c->rcpt.len = 0;
		c->nrcpt = c->at = 0;
		c->field = 1;
		i = 1;
	}
	while (i < n && c->field > 0) {
		sa *x = c->field == 1 ? &c->path : c->field == 2 ? &c->sender : &c->rcpt;
		size_t max = c->field == 1 ? SPAWN_PATHMAX : SPAWN_ADDRMAX;
		size_t k;
		int r = field_feed(x, c->field == 3 ? c->at : 0, max, s + i, n - i, &k);
		i += k;
		if (r == 1 && c->field == 3) {
			int d = rcpt_done(c);
			r = d == 1 ? 2 : d;
		}
		if (r < 0) {
			c->field = -1;
			*used = i;
			return -1;
		}
		if (r == 1)
			++c->field;
		if (r == 2) {
			c->field = 0;
			*used = i;
			return 1;
		}
	}
	*used = i;
	return 0;
}

/* spawn_cmd_put - append one command to out */
int spawn_cmd_put(sa *out, unsigned slot, const char *path, const char *sender, const char *rcpt)
{
	if (slot > 255) {
		errno = EINVAL;
		return 0;
	}
	return sa_catc(out, (char)slot) && sa_cats(out, path) && sa_0(out) &&
	       sa_cats(out, sender) && sa_0(out) && sa_cats(out, rcpt) && sa_0(out);
}

/* spawn_cmd_putlist - append one list command to out: the n recipients in rcpts are
 * each NUL-terminated, as spawn_cmd's reader keeps them; 1..SPAWN_RCPTMAX of them */
int spawn_cmd_putlist(sa *out, unsigned slot, const char *path, const char *sender,
		      const char *rcpts, size_t n)
{
	size_t i;
	if (slot > 255 || !n || n > SPAWN_RCPTMAX) {
		errno = EINVAL;
		return 0;
	}
	if (!sa_catc(out, (char)slot) || !sa_cats(out, path) || !sa_0(out) ||
	    !sa_cats(out, sender) || !sa_0(out))
		return 0;
	for (i = 0; i < n; ++i) {
		size_t k = strlen(rcpts);
		if (!k) {
			errno = EINVAL;
			return 0;
		}
		if (!sa_catb(out, rcpts, k + 1))
			return 0;
		rcpts += k + 1;
	}
	return sa_0(out);
}

/* spawn_path_ok - a message path is digits with inner slashes, 1..SPAWN_PATHMAX
 * bytes: nothing that could leave queue/mess */
int spawn_path_ok(const char *path)
{
	size_t i, n = strlen(path);
	if (n == 0 || n > SPAWN_PATHMAX || path[0] == '/' || path[n - 1] == '/')
		return 0;
	for (i = 0; i < n; ++i) {
		if (path[i] == '/' && path[i + 1] == '/')
			return 0;
		if (path[i] != '/' && (path[i] < '0' || path[i] > '9'))
			return 0;
	}
	return 1;
}

/* spawn_cmd_free - release a command reader's storage */
void spawn_cmd_free(spawn_cmd *c)
{
	sa_free(&c->path);
	sa_free(&c->sender);
	sa_free(&c->rcpt);
}

/* spawn_rep_feed - read a report (qmail-send); text past SPAWN_REPORTMAX is
 * consumed and counted in dropped, so a chatty child cannot grow our memory */
int spawn_rep_feed(spawn_rep *r, const char *s, size_t n, size_t *used)
{
	size_t i = 0;
	*used = 0;
	if (r->field < 0)
		return -1;
	if (r->field == 0 && i < n) {
		r->slot = (unsigned char)s[i++];
		r->text.len = 0;
		r->dropped = 0;
		r->field = 1;
	}
	if (r->field == 1 && i < n) {
		r->status = s[i++];
		r->field = 2;
	}
	if (r->field == 2 && i < n) {
		const char *nul = memchr(s + i, 0, n - i);
		size_t body = nul ? (size_t)(nul - (s + i)) : n - i;
		size_t keep = SPAWN_REPORTMAX - r->text.len;
		if (keep > body)
			keep = body;
		if (!sa_catb(&r->text, s + i, keep)) {
			r->field = -1;
			*used = i;
			return -1;
		}
		r->dropped += body - keep;
		i += body;
		if (nul) {
			++i;
			if (!sa_0(&r->text)) {
				r->field = -1;
				*used = i;
				return -1;
			}
			r->field = 0;
			*used = i;
			return 1;
		}
	}
	*used = i;
	return 0;
}

/* spawn_rep_put - append one report to out; NULs in text are sent as '_' so the
 * record cannot end early */
int spawn_rep_put(sa *out, unsigned slot, char status, const char *text, size_t len)
{
	size_t i, start;
	if (slot > 255) {
		errno = EINVAL;
		return 0;
	}
	if (!sa_catc(out, (char)slot) || !sa_catc(out, status))
		return 0;
	start = out->len;
	if (!sa_catb(out, text, len))
		return 0;
	for (i = start; i < out->len; ++i)
		if (!out->s[i])
			out->s[i] = '_';
	return sa_0(out);
}

/* spawn_rep_free - release a report reader's storage */
void spawn_rep_free(spawn_rep *r)
{
	sa_free(&r->text);
}
