/*
 * rewrite.c - fuzz qmail-send's recipient rewriting (rewrite.h, on cmap.h). Input:
 * lines: envnoathost, then locals, percenthack and virtualdomains, each list ended
 * by a line "--", then recipients, one a line. Invariants: a model of SPEC section
 * 11 (envnoathost for a bare box, percenthack from the last '%', locals, the
 * virtualdomains keys in their order, later control lines winning, case ignored)
 * gives the same address and channel; rewrite_unvirtual finds a prefix in every
 * address rewritten by virtualdomains, and rewriting the rest again gives the same
 * address back; rewrite_verp makes "pre-box=dom@host" out of "pre-@host-@[]" as a
 * model does, and leaves every other sender alone.
 */
#include "rewrite.h"
#include "fuzz.h"
#include "sa.h"

#define MAXITEMS 256 /* control lines per list the model keeps */

typedef struct list_s {
	const char *s[MAXITEMS]; /* the lines, in the input */
	size_t n[MAXITEMS];      /* their lengths */
	size_t count;            /* how many */
	sa items;                /* the same as NUL-terminated items, for cmap */
} list;

static list tab[3]; /* locals, percenthack, virtualdomains */

/* eq - a and b are the same ignoring ASCII case */
static int eq(const char *a, const char *b, size_t n)
{
	size_t i;
	for (i = 0; i < n; ++i) {
		char x = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] + 32) : a[i];
		char y = b[i] >= 'A' && b[i] <= 'Z' ? (char)(b[i] + 32) : b[i];
		if (x != y)
			return 0;
	}
	return 1;
}

/* get - the model of a lookup: the last line keyed k[0..n) (the key runs to the
 * first colon when colon is set); its value, or 0 */
static const char *get(const list *l, int colon, const char *k, size_t n, size_t *vlen)
{
	size_t i = l->count;
	while (i-- > 0) {
		const char *c = colon ? memchr(l->s[i], ':', l->n[i]) : 0;
		size_t kl = colon ? (c ? (size_t)(c - l->s[i]) : (size_t)-1) : l->n[i];
		if (kl != n || !eq(l->s[i], k, n))
			continue;
		*vlen = colon ? l->n[i] - kl - 1 : 0;
		return colon ? c + 1 : l->s[i];
	}
	return 0;
}

/* lastat - offset of the last '@' in s[0..n), or n */
static size_t lastat(const char *s, size_t n)
{
	size_t i = n;
	while (i-- > 0)
		if (s[i] == '@')
			return i;
	return n;
}

/* model - SPEC section 11 for addr[0..n) into out; the channel, and in *virt
 * whether virtualdomains rewrote it */
static int model(const char *env, size_t envn, const char *addr, size_t n, sa *out, int *virt)
{
	size_t at, i, vl;
	const char *p = 0;
	*virt = 0;
	CHECK(sa_copyb(out, addr, n));
	if (!memchr(addr, '@', n))
		CHECK(sa_catc(out, '@') && sa_catb(out, env, envn));
	for (;;) {
		size_t pc;
		at = lastat(out->s, out->len);
		if (at == out->len || !get(&tab[1], 0, out->s + at + 1, out->len - at - 1, &vl))
			break;
		for (pc = at; pc > 0 && out->s[pc - 1] != '%'; --pc)
			;
		if (!pc)
			break;
		out->s[pc - 1] = '@';
		out->len = at;
	}
	at = lastat(out->s, out->len);
	if (at < out->len && get(&tab[0], 0, out->s + at + 1, out->len - at - 1, &vl))
		return REWRITE_LOCAL;
	p = get(&tab[2], 1, out->s, out->len, &vl);
	for (i = at + 1; !p && at < out->len && i < out->len; ++i)
		if (i == at + 1 || out->s[i] == '.')
			p = get(&tab[2], 1, out->s + i, out->len - i, &vl);
	if (!p && at < out->len)
		p = get(&tab[2], 1, "", 0, &vl);
	if (!p || !vl)
		return REWRITE_REMOTE;
	{
		sa t = SA_ZERO;
		CHECK(sa_catb(&t, p, vl) && sa_catc(&t, '-') && sa_cat(&t, out) &&
		      sa_copy(out, &t));
		sa_free(&t);
	}
	*virt = 1;
	return REWRITE_LOCAL;
}

/* verp - the model of rewrite_verp */
static void verp(const char *s, size_t sn, const char *r, size_t rn, sa *out)
{
	size_t at, rat;
	out->len = 0;
	if (sn < 4 || memcmp(s + sn - 4, "-@[]", 4) || (at = lastat(s, sn - 4)) == sn - 4) {
		CHECK(sa_catb(out, s, sn));
		return;
	}
	rat = lastat(r, rn);
	CHECK(sa_catb(out, s, at) && sa_catb(out, r, rat));
	if (rat < rn)
		CHECK(sa_catc(out, '=') && sa_catb(out, r + rat + 1, rn - rat - 1));
	CHECK(sa_catc(out, '@') && sa_catb(out, s + at + 1, sn - 4 - at - 1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size, *env, *prev = 0;
	size_t envn, t = 0, k, prevn = 0;
	rewrite rw = REWRITE_ZERO;
	sa out = SA_ZERO, want = SA_ZERO, again = SA_ZERO, e = SA_ZERO;
	if (memchr(s, 0, size))
		return 0; /* control files reach cmap as NUL-terminated lines */
	env = s;
	s = memchr(s, '\n', size);
	envn = s ? (size_t)(s - env) : size;
	s = s ? s + 1 : end;
	for (k = 0; k < 3; ++k) {
		tab[k].count = 0;
		tab[k].items.len = 0;
	}
	while (s < end && t < 3) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		if (n == 2 && !memcmp(s, "--", 2)) {
			++t;
		} else if (tab[t].count < MAXITEMS) {
			tab[t].s[tab[t].count] = s;
			tab[t].n[tab[t].count++] = n;
			CHECK(sa_catb(&tab[t].items, s, n) && sa_catc(&tab[t].items, 0));
		}
		s = nl ? nl + 1 : end;
	}
	CHECK(sa_copyb(&e, env, envn) && sa_0(&e));
	CHECK(rewrite_init(&rw, e.s, &tab[0].items, &tab[1].items, &tab[2].items));
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s), u;
		int ch, mch, virt;
		CHECK(rewrite_rcpt(&rw, s, n, &out, &ch));
		mch = model(env, envn, s, n, &want, &virt);
		CHECK(ch == mch && fuzz_same(out.s, out.len, want.s, want.len));
		u = rewrite_unvirtual(&rw, out.s, out.len);
		if (ch == REWRITE_LOCAL)
			CHECK(virt == (u > 0));
		if (ch == REWRITE_LOCAL && u) {
			CHECK(u < out.len && out.s[u - 1] == '-');
			CHECK(rewrite_rcpt(&rw, out.s + u, out.len - u, &again, &ch));
			CHECK(ch == REWRITE_LOCAL && fuzz_same(again.s, again.len, out.s, out.len));
		}
		if (prev) {
			CHECK(rewrite_verp(&again, prev, prevn, s, n));
			verp(prev, prevn, s, n, &want);
			CHECK(fuzz_same(again.s, again.len, want.s, want.len));
		}
		prev = s;
		prevn = n;
		s = nl ? nl + 1 : end;
	}
	rewrite_free(&rw);
	sa_free(&out);
	sa_free(&want);
	sa_free(&again);
	sa_free(&e);
	return 0;
}
