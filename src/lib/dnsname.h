/*
 * dnsname.h - domain names in DNS wire form: length-prefixed labels of 1..63 bytes
 * ending in a 0 byte, at most DNS_NAME_MAX bytes, never compressed. Conversion from
 * host names as text, comparison, safe formatting and reverse-lookup names.
 */
#ifndef DNSNAME_H
#define DNSNAME_H

#include <stddef.h>

#include "ip.h"
#include "sa.h"

#define DNS_NAME_MAX  255 /* a name in wire form, with its length bytes and final 0 */
#define DNS_LABEL_MAX 63  /* one label */
#define DNS_HOST_MAX  253 /* a name as text, without a final dot */

int dns_name_wire(unsigned char *out, size_t *len, const char *s, size_t n);
size_t dns_name_len(const unsigned char *w);
int dns_name_equal(const unsigned char *a, const unsigned char *b);
int dns_name_fmt(sa *out, const unsigned char *w);
int dns_name_host(const unsigned char *w);
int dns_name_ptr(unsigned char *out, size_t *len, const ip_addr *ip);

#endif
