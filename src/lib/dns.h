/*
 * dns.h - the DNS lookups a mail transfer agent needs: the MX hosts of a domain, the
 * addresses (A and AAAA) of a host, the canonical name of a name and the name of an
 * address (PTR), each asked of the servers of a dns_conf (dnsconf.h), following CNAME
 * chains to a bounded depth. Results distinguish a name that does not exist (a
 * permanent answer) from a temporary failure and from a name with no such records.
 * The dns_reply_ functions do the decoding half on a parsed reply, without I/O.
 */
#ifndef DNS_H
#define DNS_H

#include <stddef.h>
#include <stdint.h>

#include "dnsconf.h"
#include "dnspacket.h"
#include "ip.h"
#include "sa.h"

#define DNS_OK        1  /* found at least one record */
#define DNS_NODATA    0  /* the name exists but has no record of the type asked */
#define DNS_TEMP      -1 /* temporary failure (timeout, SERVFAIL, network, memory): errno */
#define DNS_NXDOMAIN  -2 /* the name does not exist: permanent */
#define DNS_BADNAME   -3 /* not a valid host name, or every MX names an invalid host */
#define DNS_CNAME_MAX 16 /* CNAME links followed for one lookup */

typedef struct dns_mxhost_s {
	uint16_t pref;               /* preference: lower is tried first */
	uint32_t key;                /* random; orders equal preferences (dns_mx_sort) */
	char name[DNS_HOST_MAX + 1]; /* the host, NUL-terminated; "." for a null MX */
} dns_mxhost;

typedef struct dns_mxlist_s {
	dns_mxhost *mx; /* the hosts; owned by this object */
	size_t len;     /* hosts in use */
	size_t alloc;   /* hosts allocated */
} dns_mxlist;
/* clang-format off */
#define DNS_MXLIST_ZERO {0, 0, 0}
/* clang-format on */

int dns_mx(const dns_conf *c, const char *name, dns_mxlist *out);
int dns_ip(const dns_conf *c, const char *name, ip_list *out);
int dns_ip4(const dns_conf *c, const char *name, ip_list *out);
int dns_ip6(const dns_conf *c, const char *name, ip_list *out);
int dns_cname(const dns_conf *c, const char *name, sa *out);
int dns_ptr(const dns_conf *c, const ip_addr *ip, sa *out);

void dns_mx_sort(dns_mxhost *mx, size_t n, uint32_t (*rnd)(void *), void *arg);
void dns_mxlist_free(dns_mxlist *l);

int dns_reply_follow(const dns_reply *r, unsigned char *name, uint16_t type, size_t *hops);
int dns_reply_mx(const dns_reply *r, const unsigned char *name, dns_mxlist *out);
int dns_reply_ip(const dns_reply *r, const unsigned char *name, uint16_t type, ip_list *out);

#endif
