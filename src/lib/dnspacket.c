/*
 * dnspacket.c - DNS messages as bytes. The reply parser trusts nothing: the header's
 * counts must fit the packet before anything is allocated, every read is checked
 * against the packet's end, every name is decompressed under the limits of RFC 1035
 * (labels of at most 63 bytes, names of at most 255) and every rdata must be used up
 * exactly by its fields. A compression pointer must lead strictly backwards, to a name
 * that lies wholly before the pointer, so each jump shrinks the readable part of the
 * packet and no loop is possible; DNS_JUMPS_MAX bounds the work besides. Bytes left
 * after the last record are an error too. Any failure is EPROTO and leaves no records.
 */
#include "dnspacket.h"

#include <errno.h>
#include <string.h>

#include "alloc.h"
#include "size.h"

/* bad - fail with EPROTO: the bytes are not a well-formed DNS message */
static int bad(void)
{
	errno = EPROTO;
	return 0;
}

/* get16 - the big-endian 16-bit number at p */
static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* put16 - store u big-endian at p; returns p + 2 */
static unsigned char *put16(unsigned char *p, unsigned u)
{
	p[0] = (unsigned char)(u >> 8);
	p[1] = (unsigned char)u;
	return p + 2;
}

/* dns_query_make - a recursive query for qname (well-formed wire form) of type qtype,
   class IN, with id, at out (DNS_QUERY_MAX bytes); with an EDNS0 OPT record offering
   udpsize when udpsize is not 0. Returns the length */
size_t dns_query_make(unsigned char *out, uint16_t id, const unsigned char *qname, uint16_t qtype,
		      uint16_t udpsize)
{
	size_t qn = dns_name_len(qname);
	unsigned char *p = out;
	p = put16(p, id);
	p = put16(p, DNS_F_RD);
	p = put16(p, 1);
	p = put16(p, 0);
	p = put16(p, 0);
	p = put16(p, udpsize ? 1 : 0);
	memcpy(p, qname, qn);
	p += qn;
	p = put16(p, qtype);
	p = put16(p, DNS_C_IN);
	if (udpsize) {
		*p++ = 0; /* the root name */
		p = put16(p, DNS_T_OPT);
		p = put16(p, udpsize);
		p = put16(p, 0); /* extended RCODE 0, version 0 */
		p = put16(p, 0); /* no DO bit */
		p = put16(p, 0); /* no options */
	}
	return (size_t)(p - out);
}

/* name_get - decompress the name at p[*pos] into out (DNS_NAME_MAX bytes) and move
   *pos past its in-line part, which must end by limit; a pointer must lead to an
   offset before itself, and what it leads to must end before it too */
static int name_get(const unsigned char *p, size_t *pos, size_t limit, unsigned char *out)
{
	size_t i = *pos, end = limit, len = 0, jumps = 0;
	int jumped = 0;
	for (;;) {
		size_t c;
		if (i >= end)
			return bad();
		c = p[i];
		if (c >= 0xc0) {
			size_t to;
			if (end - i < 2 || ++jumps > DNS_JUMPS_MAX)
				return bad();
			to = (c & 0x3f) << 8 | p[i + 1];
			if (to >= i)
				return bad();
			if (!jumped)
				*pos = i + 2;
			jumped = 1;
			end = i;
			i = to;
			continue;
		}
		if (c > DNS_LABEL_MAX) /* 0x40 and 0x80: extended and reserved label types */
			return bad();
		if (len + c + 1 > DNS_NAME_MAX || end - i - 1 < c)
			return bad();
		out[len++] = (unsigned char)c;
		memcpy(out + len, p + i + 1, c);
		len += c;
		i += c + 1;
		if (!c) {
			if (!jumped)
				*pos = i;
			return 1;
		}
	}
}

/* dns_reply_question - the id, flags and only question of the message p[0..n), read
   without looking at the records (to match a reply to its query, even a truncated
   one); qname gets DNS_NAME_MAX bytes. 0 with EPROTO unless there is one question */
int dns_reply_question(const unsigned char *p, size_t n, uint16_t *id, uint16_t *flags,
		       unsigned char *qname, uint16_t *qtype, uint16_t *qclass)
{
	size_t pos = DNS_HEADER;
	if (n < DNS_HEADER || get16(p + 4) != 1)
		return bad();
	if (!name_get(p, &pos, n, qname) || n - pos < 4)
		return bad();
	*id = get16(p);
	*flags = get16(p + 2);
	*qtype = get16(p + pos);
	*qclass = get16(p + pos + 2);
	return 1;
}

/* rdata_get - decode the rdata p[pos..pos+len) of rr (class IN); names go to r->data */
static int rdata_get(dns_reply *r, dns_rr *rr, const unsigned char *p, size_t pos, size_t len)
{
	unsigned char name[DNS_NAME_MAX];
	size_t end = pos + len;
	switch (rr->type) {
	case DNS_T_A:
		if (len != 4)
			return bad();
		ip_set4(&rr->ip, p + pos);
		return 1;
	case DNS_T_AAAA:
		if (len != 16)
			return bad();
		ip_set6(&rr->ip, p + pos);
		return 1;
	case DNS_T_MX:
		if (len < 3)
			return bad();
		rr->pref = get16(p + pos);
		pos += 2;
		/* fall through */
	case DNS_T_CNAME:
	case DNS_T_NS:
	case DNS_T_PTR:
		if (!name_get(p, &pos, end, name) || pos != end)
			return bad();
		rr->target = r->data.len;
		return sa_catb(&r->data, (const char *)name, dns_name_len(name));
	default:
		return 1;
	}
}

/* rr_get - read the record at p[*pos] into rr and move *pos past it */
static int rr_get(dns_reply *r, dns_rr *rr, const unsigned char *p, size_t n, size_t *pos)
{
	unsigned char name[DNS_NAME_MAX];
	size_t len;
	if (!name_get(p, pos, n, name) || n - *pos < 10)
		return bad();
	rr->name = r->data.len;
	if (!sa_catb(&r->data, (const char *)name, dns_name_len(name)))
		return 0;
	rr->type = get16(p + *pos);
	rr->class = get16(p + *pos + 2);
	rr->ttl = (uint32_t)get16(p + *pos + 4) << 16 | get16(p + *pos + 6);
	len = get16(p + *pos + 8);
	*pos += 10;
	if (n - *pos < len)
		return bad();
	rr->rdata = r->data.len;
	rr->rdlen = len;
	if (!sa_catb(&r->data, (const char *)p + *pos, len))
		return 0;
	if (rr->type == DNS_T_OPT) {
		if (rr->section != DNS_S_ADDITIONAL || name[0] || r->edns)
			return bad();
		r->edns = 1;
		r->rcode |= (rr->ttl >> 24) << 4;
	} else if (rr->class == DNS_C_IN && !rdata_get(r, rr, p, *pos, len)) {
		return 0;
	}
	*pos += len;
	return 1;
}

/* dns_reply_parse - parse the whole message p[0..n) into r (emptied first, its storage
   reused); 1 on success, 0 with EPROTO for anything malformed, truncated, with bytes
   left over or with more than one question, or ENOMEM */
int dns_reply_parse(dns_reply *r, const unsigned char *p, size_t n)
{
	unsigned char name[DNS_NAME_MAX];
	size_t count[3], total, need, pos = DNS_HEADER, i;
	r->n = 0;
	r->data.len = 0;
	r->edns = 0;
	r->qdcount = 0;
	if (n < DNS_HEADER || n > DNS_TCP_MAX)
		return bad();
	r->id = get16(p);
	r->flags = get16(p + 2);
	r->rcode = r->flags & 15;
	r->qdcount = get16(p + 4);
	count[0] = get16(p + 6);
	count[1] = get16(p + 8);
	count[2] = get16(p + 10);
	total = count[0] + count[1] + count[2];
	/* a question takes 5 bytes at least, a record 11: the counts must fit (each count
	   is below 65536, so the sum cannot wrap) */
	if (r->qdcount > 1 || total * 11 + r->qdcount * 5 > n - DNS_HEADER) {
		bad();
		goto fail;
	}
	if (total > r->alloc) {
		void *a = r->rr;
		if (!size_mul(&need, total, sizeof *r->rr) || !alloc_resize(&a, need))
			goto fail;
		r->rr = a;
		r->alloc = total;
	}
	if (r->qdcount) {
		if (!name_get(p, &pos, n, name) || n - pos < 4) {
			bad();
			goto fail;
		}
		r->qname = r->data.len;
		if (!sa_catb(&r->data, (const char *)name, dns_name_len(name)))
			goto fail;
		r->qtype = get16(p + pos);
		r->qclass = get16(p + pos + 2);
		pos += 4;
	}
	for (i = 0; i < total; i++) {
		dns_rr *rr = &r->rr[i];
		memset(rr, 0, sizeof *rr);
		rr->section = i < count[0]              ? DNS_S_ANSWER
			      : i < count[0] + count[1] ? DNS_S_AUTHORITY
							: DNS_S_ADDITIONAL;
		if (!rr_get(r, rr, p, n, &pos))
			goto fail;
	}
	if (pos != n) {
		bad();
		goto fail;
	}
	r->n = total;
	return 1;
fail:
	r->n = 0;
	r->data.len = 0;
	r->edns = 0;
	r->qdcount = 0;
	return 0;
}

/* dns_reply_name - the wire name at offset off of r's data (an rr's name or target) */
const unsigned char *dns_reply_name(const dns_reply *r, size_t off)
{
	return (const unsigned char *)r->data.s + off;
}

/* dns_reply_free - release r's storage and make it DNS_REPLY_ZERO */
void dns_reply_free(dns_reply *r)
{
	alloc_free(r->rr);
	sa_free(&r->data);
	memset(r, 0, sizeof *r);
}
