/*
 * addr.h - the arguments of MAIL and RCPT: "FROM:<path> params" and "TO:<path> params".
 * Pure functions of their input: no I/O, no global state. The address is returned
 * unquoted (quotes removed, backslash escapes resolved, a source route dropped), so
 * the relay check and the envelope see what qmail-send will see. The domain, after
 * the last '@', must pass the allow-list smtpaddr_domain, so that nothing accepted
 * here makes an invalid path when qmail-remote relays it.
 */
#ifndef ADDR_H
#define ADDR_H

#include <stddef.h>
#include <stdint.h>

#include "ip.h"
#include "sa.h"

/* addr_parse results */
#define ADDR_OK     0 /* an address (possibly empty) and the offset of its parameters */
#define ADDR_SYNTAX 1 /* not a path: 555 */
#define ADDR_LONG   2 /* longer than the limit */
#define ADDR_NOMEM  3 /* out of memory */
#define ADDR_DOMAIN 4 /* the domain is not a host name or an address literal: 553 */

int addr_parse(const char *s, size_t n, const char *kw, size_t max, sa *out, size_t *params);
int addr_isliteral(const char *addr, size_t n);
int addr_localip(sa *addr, const char *liphost, const ip_list *me);
int addr_mailparams(const char *s, size_t n, uint64_t *size);
int addr_noparams(const char *s, size_t n);
size_t addr_domain(const char *addr, size_t n);

#endif
