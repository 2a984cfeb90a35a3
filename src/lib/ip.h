/*
 * ip.h - IPv4 and IPv6 addresses as values: strict text parsing (RFC 4291 forms),
 * canonical formatting (RFC 5952), comparison, SMTP address literals (RFC 5321:
 * "[1.2.3.4]", "[IPv6:2001:db8::1]"), and growable lists of addresses. No sockets
 * here; sock.h converts to and from the kernel's socket addresses.
 */
#ifndef IP_H
#define IP_H

#include <stddef.h>

typedef struct ip_addr_s {
	unsigned char family; /* 4 or 6; 0 means "no address" (IP_ADDR_ZERO) */
	unsigned char a[16];  /* network byte order; IPv4 uses a[0..3], a[4..15] are 0 */
} ip_addr;
/* clang-format off */
#define IP_ADDR_ZERO {0, {0}}
/* clang-format on */

#define IP_FMT         40 /* enough for any address from ip_fmt, plus one */
#define IP_FMT_LITERAL 47 /* enough for any literal from ip_fmt_literal, plus one */

void ip_set4(ip_addr *ip, const unsigned char b[4]);
void ip_set6(ip_addr *ip, const unsigned char b[16]);

size_t ip4_scan(const char *s, size_t n, ip_addr *ip);
size_t ip6_scan(const char *s, size_t n, ip_addr *ip);
size_t ip_scan(const char *s, size_t n, ip_addr *ip);
int ip_scan_all(const char *s, size_t n, ip_addr *ip);
size_t ip_scan_literal(const char *s, size_t n, ip_addr *ip);

size_t ip_fmt(char *s, const ip_addr *ip);
size_t ip_fmt_literal(char *s, const ip_addr *ip);

int ip_cmp(const ip_addr *x, const ip_addr *y);
int ip_is_mapped(const ip_addr *ip);
void ip_unmap(ip_addr *ip);
int ip_is_unspecified(const ip_addr *ip);
int ip_is_loopback(const ip_addr *ip);

typedef struct ip_list_s {
	ip_addr *a;   /* the addresses; 0 until the first add; owned by this object */
	size_t len;   /* addresses in use */
	size_t alloc; /* addresses allocated */
} ip_list;
/* clang-format off */
#define IP_LIST_ZERO {0, 0, 0}
/* clang-format on */

int ip_list_add(ip_list *l, const ip_addr *ip);
int ip_list_has(const ip_list *l, const ip_addr *ip);
void ip_list_free(ip_list *l);
int ip_is_local(const ip_list *me, const ip_addr *ip);

#endif
