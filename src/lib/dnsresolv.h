/*
 * dnsresolv.h - one question asked of the recursive servers of a dns_conf: over UDP
 * with a fresh random id and a fresh kernel-chosen source port for every try, retried
 * across servers and attempts, then over TCP when the UDP answer was truncated. Only a
 * reply that matches the question (server address and port, id, name, type, class) is
 * accepted; anything else that arrives is ignored.
 */
#ifndef DNSRESOLV_H
#define DNSRESOLV_H

#include <stddef.h>
#include <stdint.h>

#include "dnsconf.h"
#include "dnspacket.h"

int dns_transact(const dns_conf *c, dns_reply *r, const unsigned char *qname, uint16_t qtype);
int dns_random(void *buf, size_t n);

#endif
