/*
 * dns.c - fuzz the DNS reply parser (dnspacket.h) and the name functions
 * (dnsname.h). Input: a DNS message. Invariants: a parsed reply's offsets and names
 * are well formed and inside its data; A, AAAA and MX fields match the raw rdata;
 * written out again without compression, the reply parses to the same records;
 * parsing twice into one object gives the same result; dns_reply_question agrees
 * with the parse; formatted names hold only safe bytes. The input is also taken as
 * a host name: dns_name_wire, then dns_name_fmt, gives back the same text, and a
 * query made for it carries it as its question.
 */
#include <errno.h>

#include "dnsname.h"
#include "dnspacket.h"
#include "fuzz.h"
#include "sa.h"

/* name_ok - whether the wire name at data[off..len) is well formed and inside */
static int name_ok(const sa *data, size_t off)
{
	size_t i = off;
	for (;;) {
		size_t c;
		if (i >= data->len)
			return 0;
		c = (unsigned char)data->s[i];
		if (c > DNS_LABEL_MAX)
			return 0;
		if (c == 0)
			return i + 1 - off <= DNS_NAME_MAX;
		i += c + 1;
	}
}

/* safe_text - a formatted name holds letters, digits, '-', '_', '.', '\\' only */
static int safe_text(const sa *t)
{
	size_t i;
	for (i = 0; i < t->len; ++i) {
		unsigned char c = (unsigned char)t->s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.' || c == '\\'))
			return 0;
	}
	return 1;
}

/* has_name - whether rr's rdata holds a name the parser decompressed */
static int has_name(const dns_rr *rr)
{
	return rr->class == DNS_C_IN && rr->type != DNS_T_OPT &&
	       (rr->type == DNS_T_MX || rr->type == DNS_T_CNAME || rr->type == DNS_T_NS ||
		rr->type == DNS_T_PTR);
}

/* put16 - append a big-endian 16-bit number */
static void put16(sa *out, unsigned v)
{
	CHECK(sa_catc(out, (char)(v >> 8)) && sa_catc(out, (char)v));
}

/* put_name - append the wire name at r's data offset off */
static void put_name(sa *out, const dns_reply *r, size_t off)
{
	const unsigned char *w = dns_reply_name(r, off);
	CHECK(sa_catb(out, (const char *)w, dns_name_len(w)));
}

/* encode - r written as a message again, every name in full */
static void encode(sa *out, const dns_reply *r)
{
	size_t i, count[3] = {0, 0, 0};
	out->len = 0;
	for (i = 0; i < r->n; ++i)
		++count[r->rr[i].section - 1];
	put16(out, r->id);
	put16(out, r->flags);
	put16(out, (unsigned)r->qdcount);
	for (i = 0; i < 3; ++i)
		put16(out, (unsigned)count[i]);
	if (r->qdcount) {
		put_name(out, r, r->qname);
		put16(out, r->qtype);
		put16(out, r->qclass);
	}
	for (i = 0; i < r->n; ++i) {
		const dns_rr *rr = &r->rr[i];
		put_name(out, r, rr->name);
		put16(out, rr->type);
		put16(out, rr->class);
		put16(out, rr->ttl >> 16);
		put16(out, rr->ttl & 0xffff);
		if (has_name(rr)) {
			const unsigned char *t = dns_reply_name(r, rr->target);
			size_t tl = dns_name_len(t) + (rr->type == DNS_T_MX ? 2 : 0);
			put16(out, (unsigned)tl);
			if (rr->type == DNS_T_MX)
				put16(out, rr->pref);
			put_name(out, r, rr->target);
		} else {
			put16(out, (unsigned)rr->rdlen);
			CHECK(sa_catb(out, r->data.s + rr->rdata, rr->rdlen));
		}
	}
}

/* check_reply - the invariants of a successful parse of p[0..n) */
static void check_reply(const dns_reply *r, const unsigned char *p, size_t n)
{
	unsigned char qname[DNS_NAME_MAX];
	uint16_t id, flags, qtype, qclass;
	size_t i, opt = 0;
	sa text = SA_ZERO;
	CHECK(n >= DNS_HEADER && n <= DNS_TCP_MAX);
	CHECK(r->qdcount <= 1);
	CHECK(r->n * 11 + r->qdcount * 5 <= n - DNS_HEADER);
	CHECK(r->id == (p[0] << 8 | p[1]) && r->flags == (p[2] << 8 | p[3]));
	if (r->qdcount) {
		CHECK(name_ok(&r->data, r->qname));
		CHECK(dns_reply_question(p, n, &id, &flags, qname, &qtype, &qclass));
		CHECK(id == r->id && flags == r->flags && qtype == r->qtype && qclass == r->qclass);
		CHECK(fuzz_same(qname, dns_name_len(qname), dns_reply_name(r, r->qname),
				dns_name_len(dns_reply_name(r, r->qname))));
	}
	for (i = 0; i < r->n; ++i) {
		const dns_rr *rr = &r->rr[i];
		const unsigned char *rd = (const unsigned char *)r->data.s + rr->rdata;
		CHECK(rr->section >= DNS_S_ANSWER && rr->section <= DNS_S_ADDITIONAL);
		CHECK(i == 0 || rr->section >= r->rr[i - 1].section);
		CHECK(name_ok(&r->data, rr->name));
		CHECK(rr->rdata <= r->data.len && rr->rdlen <= r->data.len - rr->rdata);
		CHECK(rr->rdlen <= 65535);
		text.len = 0;
		CHECK(dns_name_fmt(&text, dns_reply_name(r, rr->name)));
		CHECK(safe_text(&text));
		CHECK(!dns_name_host(dns_reply_name(r, rr->name)) ||
		      !memchr(text.s, '\\', text.len));
		if (rr->type == DNS_T_OPT) {
			++opt;
			CHECK(rr->section == DNS_S_ADDITIONAL);
			CHECK(dns_reply_name(r, rr->name)[0] == 0);
			continue;
		}
		if (rr->class != DNS_C_IN)
			continue;
		if (rr->type == DNS_T_A)
			CHECK(rr->rdlen == 4 && rr->ip.family == 4 && !memcmp(rr->ip.a, rd, 4));
		if (rr->type == DNS_T_AAAA)
			CHECK(rr->rdlen == 16 && rr->ip.family == 6 && !memcmp(rr->ip.a, rd, 16));
		if (rr->type == DNS_T_MX)
			CHECK(rr->rdlen >= 3 && rr->pref == (rd[0] << 8 | rd[1]));
		if (has_name(rr)) {
			CHECK(name_ok(&r->data, rr->target));
			text.len = 0;
			CHECK(dns_name_fmt(&text, dns_reply_name(r, rr->target)));
			CHECK(safe_text(&text));
		}
	}
	CHECK(opt <= 1 && r->edns == (opt == 1));
	CHECK(r->rcode >> 4 == 0 || r->edns);
	CHECK((r->rcode & 15) == (r->flags & 15u));
	sa_free(&text);
}

/* same_reply - r and s hold the same records (s parsed from r written again) */
static void same_reply(const dns_reply *r, const dns_reply *s)
{
	size_t i;
	CHECK(r->id == s->id && r->flags == s->flags && r->rcode == s->rcode);
	CHECK(r->edns == s->edns && r->qdcount == s->qdcount && r->n == s->n);
	if (r->qdcount)
		CHECK(dns_name_equal(dns_reply_name(r, r->qname), dns_reply_name(s, s->qname)) &&
		      r->qtype == s->qtype && r->qclass == s->qclass);
	for (i = 0; i < r->n; ++i) {
		const dns_rr *a = &r->rr[i], *b = &s->rr[i];
		const unsigned char *na = dns_reply_name(r, a->name),
				    *nb = dns_reply_name(s, b->name);
		CHECK(fuzz_same(na, dns_name_len(na), nb, dns_name_len(nb)));
		CHECK(a->section == b->section && a->type == b->type && a->class == b->class);
		CHECK(a->ttl == b->ttl && a->pref == b->pref);
		CHECK(ip_cmp(&a->ip, &b->ip) == 0);
		if (has_name(a)) {
			const unsigned char *ta = dns_reply_name(r, a->target);
			const unsigned char *tb = dns_reply_name(s, b->target);
			CHECK(fuzz_same(ta, dns_name_len(ta), tb, dns_name_len(tb)));
		} else {
			CHECK(fuzz_same(r->data.s + a->rdata, a->rdlen, s->data.s + b->rdata,
					b->rdlen));
		}
	}
}

/* host_name - the input as a host name: wire form and back, and as a query */
static void host_name(const char *s, size_t n)
{
	unsigned char w[DNS_NAME_MAX], q[DNS_QUERY_MAX], qn[DNS_NAME_MAX];
	size_t len, k, ql;
	sa text = SA_ZERO;
	uint16_t id, flags, qtype, qclass;
	if (!dns_name_wire(w, &len, s, n)) {
		CHECK(errno == EINVAL);
		return;
	}
	CHECK(len <= DNS_NAME_MAX && len == dns_name_len(w) && dns_name_host(w));
	CHECK(dns_name_fmt(&text, w));
	k = n && s[n - 1] == '.' ? n - 1 : n;
	CHECK(fuzz_same(text.s, text.len, s, k));
	ql = dns_query_make(q, 0x1234, w, DNS_T_MX, 1232);
	CHECK(ql <= DNS_QUERY_MAX);
	CHECK(dns_reply_question(q, ql, &id, &flags, qn, &qtype, &qclass));
	CHECK(id == 0x1234 && qtype == DNS_T_MX && qclass == DNS_C_IN && dns_name_equal(qn, w));
	sa_free(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dns_reply r = DNS_REPLY_ZERO, again = DNS_REPLY_ZERO;
	sa enc = SA_ZERO;
	int ok;
	host_name((const char *)data, size);
	errno = 0;
	ok = dns_reply_parse(&r, data, size);
	if (!ok) {
		CHECK(errno == EPROTO || errno == ENOMEM);
		CHECK(r.n == 0 && r.qdcount == 0 && r.edns == 0);
		dns_reply_free(&r);
		return 0;
	}
	check_reply(&r, data, size);
	encode(&enc, &r);
	if (enc.len <= DNS_TCP_MAX) {
		/* parse something else into again first: its storage is reused */
		CHECK(dns_reply_parse(&again, (const unsigned char *)enc.s, enc.len));
		check_reply(&again, (const unsigned char *)enc.s, enc.len);
		same_reply(&r, &again);
		CHECK(dns_reply_parse(&again, data, size));
		same_reply(&r, &again);
		CHECK(fuzz_same(again.data.s, again.data.len, r.data.s, r.data.len));
	}
	dns_reply_free(&r);
	dns_reply_free(&again);
	sa_free(&enc);
	return 0;
}
