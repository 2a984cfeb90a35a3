/*
 * hdraddr.h - RFC 822 address lists in header fields: parse, rewrite, print again.
 * hdr_alist_parse is a pure function of its input: it finds every address in a
 * field's value (groups, angle addresses with display names, comments, quoted
 * strings, domain literals, source routes), rewrites each as qmail-inject does
 * (qmail-header(5)), and produces both the new field text and the addresses in
 * "internal form" (quotes and escapes removed: what goes into an envelope).
 * Every input is bounded: addresses by HDR_ADDR_MAX, comment nesting by HDR_NEST_MAX.
 */
#ifndef HDRADDR_H
#define HDRADDR_H

#include <stddef.h>

#include "hdr.h"
#include "sa.h"

#define HDR_ADDR_MAX 1000 /* longest address in internal form */
#define HDR_NEST_MAX 32   /* deepest nesting of comments */
#define HDR_FOLD     78   /* the rewritten text folds before this column */

typedef struct hdr_rw_s {
	const char *defhost;    /* host given to a bare box; 0 leaves it bare */
	const char *defdomain;  /* appended after a dot to a host without dots; 0: never */
	const char *plusdomain; /* replaces the final '+' of a host, after a dot; 0: never */
} hdr_rw;

typedef struct hdr_alist_s {
	sa text;      /* the new value: what follows "Name:", folded, without a final LF */
	sa addrs;     /* every address in internal form, each followed by a NUL */
	size_t count; /* number of addresses in addrs ("<>" counts, as an empty one) */
	int err;      /* HDR_OK, or why the parse failed */
} hdr_alist;
/* clang-format off */
#define HDR_ALIST_ZERO {SA_ZERO, SA_ZERO, 0, HDR_OK}
/* clang-format on */

int hdr_atomchar(unsigned char c);
int hdr_alist_parse(hdr_alist *r, const char *s, size_t n, const hdr_rw *rw, size_t col);
void hdr_alist_free(hdr_alist *r);
int hdr_host_rewrite(sa *out, const char *host, size_t n, const hdr_rw *rw);
int hdr_addr_rewrite(sa *out, const char *addr, size_t n, const hdr_rw *rw);
int hdr_local_render(sa *out, const char *local, size_t n);
int hdr_phrase_render(sa *out, const char *s, size_t n);
int hdr_comment_render(sa *out, const char *s, size_t n);

#endif
