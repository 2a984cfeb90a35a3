/*
 * ns.c - netstring parsing and formatting. ns_feed is the one parser; ns_get (collect
 * into a string) and ns_parse (a whole buffer, no copy) are built on it, so every
 * caller sees the same syntax. Each ns_feed call consumes bytes of one kind only
 * (length, payload, or the comma), which lets it report payload without copying: the
 * bytes it consumed are the payload piece.
 */
#include "ns.h"

#include <errno.h>

#include "fmt.h"
#include "size.h"

enum {
	S_FIRST,  /* expecting the first digit of the length */
	S_ZERO,   /* the length began with 0: only ':' may follow */
	S_DIGITS, /* inside the length */
	S_DATA,   /* inside the payload */
	S_COMMA,  /* expecting the final comma */
	S_ERROR   /* stopped; err says why */
};

/* ns_init - a parser for netstrings whose payload is at most limit bytes */
void ns_init(ns *p, size_t limit)
{
	p->limit = limit;
	p->len = 0;
	p->left = 0;
	p->state = S_FIRST;
	p->err = 0;
}

/* stop - enter the error state with errno e */
static int stop(ns *p, int e)
{
	p->state = S_ERROR;
	p->err = e;
	errno = e;
	return NS_ERROR;
}

/* length - consume length bytes up to the colon; NS_LEN, NS_MORE or NS_ERROR */
static int length(ns *p, const char *s, size_t n, size_t *used)
{
	size_t i;
	for (i = 0; i < n; ++i) {
		unsigned char c = (unsigned char)s[i];
		*used = i;
		if (c == ':' && p->state != S_FIRST) {
			*used = i + 1;
			p->left = p->len;
			p->state = p->len ? S_DATA : S_COMMA;
			return NS_LEN;
		}
		if (c < '0' || c > '9' || p->state == S_ZERO)
			return stop(p, EPROTO);
		if (p->state == S_FIRST) {
			p->len = 0;
			p->state = c == '0' ? S_ZERO : S_DIGITS;
		}
		if (__builtin_mul_overflow(p->len, 10, &p->len) ||
		    __builtin_add_overflow(p->len, (size_t)(c - '0'), &p->len) || p->len > p->limit)
			return stop(p, EMSGSIZE);
	}
	*used = n;
	return NS_MORE;
}

/* ns_feed - push n bytes; returns an event (ns.h) and how many bytes it consumed */
int ns_feed(ns *p, const char *s, size_t n, size_t *used)
{
	*used = 0;
	if (p->state == S_ERROR) {
		errno = p->err;
		return NS_ERROR;
	}
	if (n == 0)
		return NS_MORE;
	switch (p->state) {
	case S_DATA:
		*used = n < p->left ? n : p->left;
		p->left -= *used;
		if (p->left == 0)
			p->state = S_COMMA;
		return NS_DATA;
	case S_COMMA:
		if (s[0] != ',')
			return stop(p, EPROTO);
		*used = 1;
		p->state = S_FIRST;
		return NS_END;
	default:
		return length(p, s, n, used);
	}
}

/* ns_get - push n bytes, collecting the payload in out: 1 complete, 0 need more, -1 error */
int ns_get(ns *p, sa *out, const char *s, size_t n, size_t *used)
{
	size_t off = 0, u;
	for (;;) {
		int r = ns_feed(p, s + off, n - off, &u);
		off += u;
		*used = off;
		switch (r) {
		case NS_LEN:
			/* the length is within the limit: only now is memory asked for */
			out->len = 0;
			if (!sa_ready(out, p->len))
				return stop(p, errno);
			break;
		case NS_DATA:
			if (!sa_catb(out, s + off - u, u))
				return stop(p, errno);
			break;
		case NS_END:
			return 1;
		case NS_MORE:
			return 0;
		default:
			return -1;
		}
	}
}

/* ns_parse - the netstring at the start of s (no copy): 1, 0 if s ends first, -1 error */
int ns_parse(const char *s, size_t n, size_t limit, const char **data, size_t *dlen, size_t *used)
{
	ns p;
	size_t off = 0, u, start = 0;
	ns_init(&p, limit);
	for (;;) {
		int r = ns_feed(&p, s + off, n - off, &u);
		off += u;
		switch (r) {
		case NS_LEN:
			start = off;
			break;
		case NS_DATA:
			break;
		case NS_END:
			*data = s + start;
			*dlen = p.len;
			*used = off;
			return 1;
		case NS_MORE:
			return 0;
		default:
			return -1;
		}
	}
}

/* ns_catb - append n bytes to out as a netstring; out is unchanged on failure */
int ns_catb(sa *out, const char *s, size_t n)
{
	char num[FMT_U64];
	size_t k = fmt_u64(num, n), total;
	if (!size_add(&total, k, n) || !size_add(&total, total, 2) || !sa_readyplus(out, total))
		return 0;
	sa_catb(out, num, k);
	sa_catc(out, ':');
	sa_catb(out, s, n);
	sa_catc(out, ',');
	return 1;
}
