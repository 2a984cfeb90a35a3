/*
 * dotqmail.c - .qmail parsing, file lookup order and the forwarding sender.
 * The parser keeps each line's bytes in one string, strips trailing blanks only
 * within the line (never before its start), and classifies the line by its first
 * and last byte once the newline (or the end of input) is seen. A NUL byte in a
 * line is an error: every argument is later used as a C string, and silently
 * cutting a path or command at a NUL would deliver somewhere the user never wrote.
 */
#include "dotqmail.h"

#include <errno.h>
#include <string.h>

#include "alloc.h"
#include "size.h"
#include "str.h"

/* dotqmail_init - an empty parser with the given limits (0 picks the defaults) */
void dotqmail_init(dotqmail *d, size_t linemax, size_t totalmax)
{
	memset(d, 0, sizeof *d);
	d->linemax = linemax ? linemax : DOTQMAIL_LINEMAX;
	d->totalmax = totalmax ? totalmax : DOTQMAIL_TOTALMAX;
}

/* fail - record the first error and report failure */
static int fail(dotqmail *d, int e)
{
	if (!d->err)
		d->err = e;
	errno = d->err;
	return 0;
}

/* grow - make room in text for n more bytes within the total limit */
static int grow(dotqmail *d, size_t n)
{
	size_t need;
	if (!size_add(&need, d->text.len, n) || need > d->totalmax)
		return fail(d, EFBIG);
	if (!sa_readyplus(&d->text, n))
		return fail(d, errno);
	return 1;
}

/* classify - the kind of a stripped line s of n bytes, and where its argument starts */
static int classify(const char *s, size_t n, size_t line, size_t *skip)
{
	*skip = 0;
	if (!n)
		return line == 1 ? DQ_BLANKFIRST : DQ_EMPTY;
	switch (s[0]) {
	case '#':
		return DQ_COMMENT;
	case '|':
		*skip = 1;
		return DQ_PROGRAM;
	case '/':
	case '.':
		return s[n - 1] == '/' ? DQ_MAILDIR : DQ_MBOX;
	case '&':
		*skip = 1;
		return DQ_FORWARD;
	case '+':
		return n == 5 && !memcmp(s, "+list", 5) ? DQ_LIST : DQ_PLUS;
	default:
		return DQ_FORWARD;
	}
}

/* finish - strip and classify the current line, terminate it, record it */
static int finish(dotqmail *d)
{
	dotqmail_insn *in;
	size_t n, skip;
	if (d->n == d->a) {
		size_t a, bytes;
		void *p = d->v;
		if (!size_add(&a, d->a, d->a / 2 + 16) || !size_mul(&bytes, a, sizeof *d->v))
			return fail(d, EOVERFLOW);
		if (!alloc_resize(&p, bytes))
			return fail(d, errno);
		d->v = p;
		d->a = a;
	}
	n = d->text.len - d->start;
	while (n && (d->text.s[d->start + n - 1] == ' ' || d->text.s[d->start + n - 1] == '\t'))
		--n;
	d->text.len = d->start + n;
	if (!grow(d, 1))
		return 0;
	d->text.s[d->text.len++] = 0;
	in = d->v + d->n;
	in->line = d->n + 1;
	in->kind = classify(d->text.s + d->start, n, in->line, &skip);
	in->off = d->start + skip;
	in->len = n - skip;
	d->n++;
	d->start = d->text.len;
	d->partial = 0;
	return 1;
}

/* dotqmail_feed - parse n more bytes; 0 with errno on failure (then sticky):
 * E2BIG line too long, EFBIG file too large, EINVAL a NUL byte, ENOMEM */
int dotqmail_feed(dotqmail *d, const char *s, size_t n)
{
	if (d->err)
		return fail(d, d->err);
	while (n) {
		size_t k = byte_chr(s, n, '\n');
		size_t used = d->text.len - d->start;
		if (k > d->linemax || used > d->linemax - k)
			return fail(d, E2BIG);
		if (memchr(s, 0, k))
			return fail(d, EINVAL);
		if (k) {
			if (!grow(d, k))
				return 0;
			memcpy(d->text.s + d->text.len, s, k);
			d->text.len += k;
			d->partial = 1;
		}
		if (k == n)
			break;
		if (!finish(d))
			return 0;
		s += k + 1;
		n -= k + 1;
	}
	return 1;
}

/* dotqmail_end - the input is complete: a last line without a newline counts */
int dotqmail_end(dotqmail *d)
{
	if (d->err)
		return fail(d, d->err);
	if (d->partial)
		return finish(d);
	return 1;
}

/* dotqmail_parse - parse a whole file held in memory */
int dotqmail_parse(dotqmail *d, const char *s, size_t n)
{
	return dotqmail_feed(d, s, n) && dotqmail_end(d);
}

/* dotqmail_arg - instruction i's argument as a C string */
const char *dotqmail_arg(const dotqmail *d, size_t i)
{
	return d->text.s + d->v[i].off;
}

/* dotqmail_free - release the parser's storage */
void dotqmail_free(dotqmail *d)
{
	sa_free(&d->text);
	alloc_free(d->v);
	d->v = 0;
	d->n = d->a = 0;
}

/* safe_ext - ext as it appears in file names: ASCII lower case, '.' as ':' */
static int safe_ext(sa *out, const char *ext)
{
	size_t i;
	if (!sa_copys(out, ext))
		return 0;
	case_lowerb(out->s, out->len);
	for (i = 0; i < out->len; ++i)
		if (out->s[i] == '.')
			out->s[i] = ':';
	return 1;
}

/* try - ask fn about ".qmail" dash ext[0..n] tail; name keeps the NUL-terminated name */
static int try(sa *name, const char *dash, const char *ext, size_t n, const char *tail,
	       dotqmail_exists fn, void *ctx)
{
	if (!sa_copys(name, ".qmail") || !sa_cats(name, dash) || !sa_catb(name, ext, n) ||
	    !sa_cats(name, tail) || !sa_0(name))
		return -1;
	return fn(name->s, ctx);
}

/* cut - 1 if a -default name may be formed from the first i bytes of s */
static int cut(const char *s, size_t i)
{
	return i == 0 || s[i - 1] == '-';
}

/* dotqmail_find - the .qmail file for dash and ext: 1 found (name holds it, its len
 * counting the NUL; *defpos is where DEFAULT starts in ext, or DOTQMAIL_NODEFAULT),
 * 0 none exists, -1 error. Tries ext itself, then, unless dash is empty, each prefix
 * ending after a '-' (longest first, down to the empty one) followed by "default". */
int dotqmail_find(sa *name, size_t *defpos, const char *dash, const char *ext, dotqmail_exists fn,
		  void *ctx)
{
	sa safe = SA_ZERO;
	size_t i;
	int r;
	*defpos = DOTQMAIL_NODEFAULT;
	if (!safe_ext(&safe, ext))
		return -1;
	r = try(name, dash, safe.s, safe.len, "", fn, ctx);
	if (r == 1 && *dash && safe.len >= 7 && !memcmp(safe.s + safe.len - 7, "default", 7) &&
	    cut(safe.s, safe.len - 7))
		*defpos = safe.len - 7;
	for (i = safe.len + 1; r == 0 && *dash && i-- > 0;)
		if (cut(safe.s, i)) {
			r = try(name, dash, safe.s, i, "default", fn, ctx);
			if (r == 1)
				*defpos = i;
		}
	sa_free(&safe);
	return r;
}

/* dotqmail_newsender - the envelope sender for forwards: sender itself, or
 * local-owner@domain when .qmail<dash><ext>-owner exists, or the VERP form
 * local-owner-@domain-@[] when -owner-default exists too; bounces (empty sender)
 * and "#@[]" are never rewritten. 1 done, 0 error (callback or memory). */
int dotqmail_newsender(sa *out, const char *sender, const char *local, const char *domain,
		       const char *dash, const char *ext, dotqmail_exists fn, void *ctx)
{
	sa safe = SA_ZERO, name = SA_ZERO;
	int r, ok = 0;
	if (!sa_copys(out, sender))
		return 0;
	if (!*sender || str_equal(sender, "#@[]"))
		return 1;
	if (!safe_ext(&safe, ext))
		return 0;
	r = try(&name, dash, safe.s, safe.len, "-owner", fn, ctx);
	if (r == 1) {
		int v = try(&name, dash, safe.s, safe.len, "-owner-default", fn, ctx);
		if (v)
			r = v == 1 ? 2 : -1;
	}
	if (r == 0)
		ok = 1;
	else if (r == 1)
		ok = sa_copys(out, local) && sa_cats(out, "-owner@") && sa_cats(out, domain);
	else if (r == 2)
		ok = sa_copys(out, local) && sa_cats(out, "-owner-@") && sa_cats(out, domain) &&
		     sa_cats(out, "-@[]");
	sa_free(&safe);
	sa_free(&name);
	return ok;
}
