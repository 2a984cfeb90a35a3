/*
 * dnspacket.h - DNS messages as bytes (RFC 1035, RFC 6891), with no I/O: building a
 * query, and a strict, bounded parser that turns a reply into a list of records or
 * fails. Names in a parsed reply are kept uncompressed in wire form (dnsname.h).
 */
#ifndef DNSPACKET_H
#define DNSPACKET_H

#include <stddef.h>
#include <stdint.h>

#include "dnsname.h"
#include "ip.h"
#include "sa.h"

#define DNS_HEADER    12    /* the fixed header */
#define DNS_UDP_MAX   4096  /* the UDP payload size we advertise with EDNS0 */
#define DNS_TCP_MAX   65535 /* the largest message (TCP's two-byte length) */
#define DNS_JUMPS_MAX 128   /* compression pointers followed within one name */
#define DNS_QUERY_MAX (DNS_HEADER + DNS_NAME_MAX + 4 + 11) /* the largest query we build */

#define DNS_T_A     1
#define DNS_T_NS    2
#define DNS_T_CNAME 5
#define DNS_T_SOA   6
#define DNS_T_PTR   12
#define DNS_T_MX    15
#define DNS_T_TXT   16
#define DNS_T_AAAA  28
#define DNS_T_OPT   41
#define DNS_C_IN    1

#define DNS_F_QR 0x8000 /* header flags: a response */
#define DNS_F_AA 0x0400 /* authoritative answer */
#define DNS_F_TC 0x0200 /* truncated: ask again over TCP */
#define DNS_F_RD 0x0100 /* recursion desired */
#define DNS_F_RA 0x0080 /* recursion available */

#define DNS_R_NOERROR  0
#define DNS_R_FORMERR  1
#define DNS_R_SERVFAIL 2
#define DNS_R_NXDOMAIN 3
#define DNS_R_NOTIMP   4
#define DNS_R_REFUSED  5

#define DNS_S_ANSWER     1 /* dns_rr.section */
#define DNS_S_AUTHORITY  2
#define DNS_S_ADDITIONAL 3

typedef struct dns_rr_s {
	unsigned char section; /* DNS_S_ANSWER, DNS_S_AUTHORITY or DNS_S_ADDITIONAL */
	uint16_t type;         /* DNS_T_... */
	uint16_t class;        /* DNS_C_IN, or the UDP size for OPT */
	uint32_t ttl;          /* seconds; extended RCODE and flags for OPT */
	size_t name;           /* offset of the owner name (wire form) in dns_reply.data */
	size_t target;         /* CNAME, NS, PTR, MX: offset of the name in the rdata */
	uint16_t pref;         /* MX: the preference */
	ip_addr ip;            /* A, AAAA: the address */
	size_t rdata;          /* offset of a copy of the raw rdata in dns_reply.data */
	size_t rdlen;          /* its length */
} dns_rr;

typedef struct dns_reply_s {
	uint16_t id;     /* the header's query id */
	uint16_t flags;  /* the header's flags word (DNS_F_..., opcode, RCODE) */
	unsigned rcode;  /* RCODE, with the EDNS0 extended bits when there is an OPT */
	int edns;        /* 1 if the reply carried an OPT record */
	size_t qdcount;  /* questions: 0 or 1 */
	size_t qname;    /* offset of the question's name in data (when qdcount is 1) */
	uint16_t qtype;  /* the question's type */
	uint16_t qclass; /* the question's class */
	dns_rr *rr;      /* the records of all three sections, in packet order; owned */
	size_t n;        /* records in rr */
	size_t alloc;    /* records allocated */
	sa data;         /* uncompressed names and rdata copies the offsets point into */
} dns_reply;
/* clang-format off */
#define DNS_REPLY_ZERO {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, SA_ZERO}
/* clang-format on */

size_t dns_query_make(unsigned char *out, uint16_t id, const unsigned char *qname, uint16_t qtype,
		      uint16_t udpsize);

int dns_reply_question(const unsigned char *p, size_t n, uint16_t *id, uint16_t *flags,
		       unsigned char *qname, uint16_t *qtype, uint16_t *qclass);
int dns_reply_parse(dns_reply *r, const unsigned char *p, size_t n);
const unsigned char *dns_reply_name(const dns_reply *r, size_t off);
void dns_reply_free(dns_reply *r);

#endif
