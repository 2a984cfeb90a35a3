/*
 * rewrite.h - envelope recipient rewriting (SPEC section 11) and per-recipient VERP
 * senders (section 12). Pure: the tables come from the caller (control files read
 * by qmail-send, or by qmail-newrcpt), nothing here reads files or keeps globals.
 *   1. no '@'                              append "@envnoathost"
 *   2. domain in percenthack, '%' in box   "u%h@d" -> "u@h", repeatedly
 *   3. domain in locals                    local channel, address unchanged
 *   4. virtualdomains "key:prepend"        keys: address, domain, each ".suffix"
 *                                          longest first, then ""; the first key
 *                                          found decides: empty prepend -> remote,
 *                                          else "prepend-address" on the local channel
 *   5. anything else                       remote channel
 * All lookups fold ASCII case; the address itself keeps its case.
 */
#ifndef REWRITE_H
#define REWRITE_H

#include <stddef.h>

#include "cmap.h"
#include "sa.h"

#define REWRITE_REMOTE 0 /* deliver with qmail-rspawn */
#define REWRITE_LOCAL  1 /* deliver with qmail-lspawn */

typedef struct rewrite_s {
	sa envnoathost;   /* domain for addresses without '@' */
	cmap locals;      /* domains delivered locally */
	cmap percenthack; /* domains where "u%h@d" means "u@h" */
	cmap vdoms;       /* virtualdomains: key -> prepend */
	char brk;         /* the user-extension delimiter (conf-break) */
} rewrite;
/* clang-format off */
#define REWRITE_ZERO {SA_ZERO, CMAP_ZERO, CMAP_ZERO, CMAP_ZERO, '-'}
/* clang-format on */

int rewrite_init(rewrite *rw, const char *envnoathost, const sa *locals, const sa *percenthack,
		 const sa *vdoms);
int rewrite_setlocals(rewrite *rw, const sa *locals);
int rewrite_setvdoms(rewrite *rw, const sa *vdoms);
int rewrite_rcpt(const rewrite *rw, const char *addr, size_t n, sa *out, int *channel);
size_t rewrite_unvirtual(const rewrite *rw, const char *addr, size_t n);
int rewrite_verp(sa *out, const char *sender, size_t slen, const char *rcpt, size_t rlen);
void rewrite_free(rewrite *rw);

#endif
