/*
 * rewrite.c - recipient rewriting and VERP senders. An address's domain is what
 * follows its last '@' (a box may contain '@' when it was quoted).
 */
#include "rewrite.h"

#include <string.h>

#include "auto.h"
#include "str.h"

/* map_init - a cmap from an optional list */
static int map_init(cmap *m, const sa *list, int colon)
{
	return cmap_init(m, list ? list->s : "", list ? list->len : 0, colon);
}

/* rewrite_init - set up the tables from control-file lists (NUL-terminated items,
 * any of which may be 0 for an absent file); 0 with errno, rw left empty */
int rewrite_init(rewrite *rw, const char *envnoathost, const sa *locals, const sa *percenthack,
		 const sa *vdoms)
{
	rewrite z = REWRITE_ZERO;
	*rw = z;
	rw->brk = AUTO_BREAK;
	if (!sa_copys(&rw->envnoathost, envnoathost) || !map_init(&rw->locals, locals, 0) ||
	    !map_init(&rw->percenthack, percenthack, 0) || !map_init(&rw->vdoms, vdoms, 1)) {
		rewrite_free(rw);
		return 0;
	}
	return 1;
}

/* rewrite_setlocals - replace the locals table; on failure the old one stays */
int rewrite_setlocals(rewrite *rw, const sa *locals)
{
	cmap m;
	if (!map_init(&m, locals, 0))
		return 0;
	cmap_free(&rw->locals);
	rw->locals = m;
	return 1;
}

/* rewrite_setvdoms - replace the virtualdomains table; on failure the old one stays */
int rewrite_setvdoms(rewrite *rw, const sa *vdoms)
{
	cmap m;
	if (!map_init(&m, vdoms, 1))
		return 0;
	cmap_free(&rw->vdoms);
	rw->vdoms = m;
	return 1;
}

/* vd_lookup - the virtualdomains prepend for addr (keys in SPEC order), or 0 */
static const char *vd_lookup(const rewrite *rw, const char *addr, size_t n, size_t *plen)
{
	size_t at = byte_rchr(addr, n, '@'), i;
	const char *p = cmap_get(&rw->vdoms, addr, n, plen);
	if (p || at == n)
		return p;
	for (i = at + 1; i < n; ++i)
		if ((i == at + 1 || addr[i] == '.') &&
		    (p = cmap_get(&rw->vdoms, addr + i, n - i, plen)) != 0)
			return p;
	return cmap_get(&rw->vdoms, "", 0, plen);
}

/* percent - apply percenthack to out in place */
static void percent(const rewrite *rw, sa *out)
{
	for (;;) {
		size_t at = byte_rchr(out->s, out->len, '@'), pc;
		if (at == out->len ||
		    !cmap_get(&rw->percenthack, out->s + at + 1, out->len - at - 1, 0))
			return;
		pc = byte_rchr(out->s, at, '%');
		if (pc == at)
			return;
		out->s[pc] = '@';
		out->len = at;
	}
}

/* rewrite_rcpt - rewrite the n-byte recipient addr into out (replacing it, no NUL
 * added) and set *channel to REWRITE_LOCAL or REWRITE_REMOTE; 0 with errno when
 * memory runs out */
int rewrite_rcpt(const rewrite *rw, const char *addr, size_t n, sa *out, int *channel)
{
	size_t at, plen;
	const char *p;
	*channel = REWRITE_REMOTE;
	if (!sa_copyb(out, addr, n))
		return 0;
	if (byte_chr(out->s, out->len, '@') == out->len &&
	    (!sa_catc(out, '@') || !sa_cat(out, &rw->envnoathost)))
		return 0;
	percent(rw, out);
	at = byte_rchr(out->s, out->len, '@');
	if (at < out->len && cmap_get(&rw->locals, out->s + at + 1, out->len - at - 1, 0)) {
		*channel = REWRITE_LOCAL;
		return 1;
	}
	p = vd_lookup(rw, out->s, out->len, &plen);
	if (!p || !plen)
		return 1;
	{
		sa tmp = SA_ZERO;
		int ok = sa_copyb(&tmp, p, plen) && sa_catc(&tmp, rw->brk) && sa_cat(&tmp, out) &&
			 sa_copy(out, &tmp);
		sa_free(&tmp);
		if (!ok)
			return 0;
	}
	*channel = REWRITE_LOCAL;
	return 1;
}

/* rewrite_unvirtual - how many leading bytes of a rewritten local address are a
 * virtualdomains prefix ("prepend" and the break), so bounces can show the address
 * the sender wrote; 0 when there is none. Exact inverse: a cut counts only when
 * rewriting the rest again would give the same prepend. */
size_t rewrite_unvirtual(const rewrite *rw, const char *addr, size_t n)
{
	size_t at = byte_rchr(addr, n, '@'), i, plen;
	for (i = 0; i < at; ++i) {
		const char *p;
		if (addr[i] != rw->brk)
			continue;
		p = vd_lookup(rw, addr + i + 1, n - i - 1, &plen);
		if (p && plen == i && !memcmp(p, addr, i) &&
		    !(at < n && cmap_get(&rw->locals, addr + at + 1, n - at - 1, 0)))
			return i + 1;
	}
	return 0;
}

/* rewrite_verp - the envelope sender for one recipient: a sender "pre-@host-@[]"
 * becomes "pre-box=dom@host" for recipient "box@dom" (SPEC section 12); any other
 * sender is copied. out is replaced, no NUL added; 0 with errno on no memory. */
int rewrite_verp(sa *out, const char *sender, size_t slen, const char *rcpt, size_t rlen)
{
	size_t at, rat;
	if (slen < 4 || memcmp(sender + slen - 4, "-@[]", 4) != 0)
		return sa_copyb(out, sender, slen);
	at = byte_rchr(sender, slen - 4, '@');
	if (at == slen - 4)
		return sa_copyb(out, sender, slen);
	rat = byte_rchr(rcpt, rlen, '@');
	if (!sa_copyb(out, sender, at) || !sa_catb(out, rcpt, rat))
		return 0;
	if (rat < rlen && (!sa_catc(out, '=') || !sa_catb(out, rcpt + rat + 1, rlen - rat - 1)))
		return 0;
	return sa_catc(out, '@') && sa_catb(out, sender + at + 1, slen - 4 - at - 1);
}

/* rewrite_free - release the tables */
void rewrite_free(rewrite *rw)
{
	sa_free(&rw->envnoathost);
	cmap_free(&rw->locals);
	cmap_free(&rw->percenthack);
	cmap_free(&rw->vdoms);
}
