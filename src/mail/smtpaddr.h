/*
 * smtpaddr.h - an envelope address written as an SMTP path (RFC 5321 4.1.2): the
 * local part as it is when it is a dot-string, else as a quoted string; the domain
 * as it is. An address without '@' is all local part; an empty address is "<>".
 * smtpaddr_domain is the allow-list a domain must pass before it is accepted into an
 * envelope (SPEC 0): a host name or an address literal, nothing a path cannot carry.
 */
#ifndef SMTPADDR_H
#define SMTPADDR_H

#include <stddef.h>

#include "sa.h"

int smtpaddr_path(sa *out, const char *addr, size_t n);
int smtpaddr_ok(const char *addr, size_t n);
int smtpaddr_domain(const char *d, size_t n);

#endif
