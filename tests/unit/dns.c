/* dns.c - tests for the pure half of the DNS code: names between text and wire form,
   queries, the reply parser (tables of hand-built valid and malformed replies, each
   fed whole, cut at every length and with a byte too many, plus random mutations),
   CNAME following, MX and address extraction, MX ordering and resolv.conf parsing.
   Packets are written in a small notation: hex bytes, <a.b> for a name with its
   final 0, [a.b] for labels without it, \xHH inside a name for any byte. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "dnsconf.h"
#include "dnspacket.h"
#include "harness.h"
#include "scan.h"

#define PK_MAX 70000

/* pk - the packet that spec describes, at out (PK_MAX bytes); its length */
static size_t pk(const char *spec, unsigned char *out)
{
	size_t n = 0;
	while (*spec) {
		char c = *spec++;
		if (c == ' ' || c == '\n')
			continue;
		if (c == '<' || c == '[') {
			char close = c == '<' ? '>' : ']';
			size_t len = n++;
			while (*spec && *spec != close) {
				if (*spec == '.') {
					out[len] = (unsigned char)(n - len - 1);
					len = n++;
					spec++;
				} else if (*spec == '\\') {
					out[n++] = (unsigned char)(scan_xdigit(spec[2]) * 16 +
								   scan_xdigit(spec[3]));
					spec += 4;
				} else {
					out[n++] = (unsigned char)*spec++;
				}
			}
			spec++;
			out[len] = (unsigned char)(n - len - 1);
			if (n - len - 1 == 0) /* "<>" is the root: the single 0 byte */
				continue;
			if (close == '>')
				out[n++] = 0;
			continue;
		}
		out[n++] = (unsigned char)(scan_xdigit(c) * 16 + scan_xdigit(*spec++));
	}
	return n;
}

/* type_name - a short name for the record types the tests use */
static const char *type_name(unsigned t)
{
	switch (t) {
	case DNS_T_A:
		return "A";
	case DNS_T_AAAA:
		return "AAAA";
	case DNS_T_MX:
		return "MX";
	case DNS_T_CNAME:
		return "CNAME";
	case DNS_T_PTR:
		return "PTR";
	case DNS_T_NS:
		return "NS";
	case DNS_T_SOA:
		return "SOA";
	case DNS_T_OPT:
		return "OPT";
	case DNS_T_TXT:
		return "TXT";
	default:
		return "?";
	}
}

/* show - r as one line of text: "rc=0 q=name/type;an name MX 10 target;..." */
static void show(const dns_reply *r, sa *out)
{
	size_t i;
	out->len = 0;
	sa_cats(out, "rc=");
	sa_catu(out, r->rcode);
	if (r->qdcount) {
		sa_cats(out, " q=");
		dns_name_fmt(out, dns_reply_name(r, r->qname));
		sa_catc(out, '/');
		sa_catu(out, r->qtype);
	}
	for (i = 0; i < r->n; i++) {
		const dns_rr *rr = &r->rr[i];
		static const char *const sec[] = {"", "an", "ns", "ar"};
		sa_catc(out, ';');
		sa_cats(out, sec[rr->section]);
		sa_catc(out, ' ');
		dns_name_fmt(out, dns_reply_name(r, rr->name));
		sa_catc(out, ' ');
		sa_cats(out, type_name(rr->type));
		if (rr->class != DNS_C_IN) {
			sa_cats(out, " c");
			sa_catu(out, rr->class);
		} else if (rr->type == DNS_T_A || rr->type == DNS_T_AAAA) {
			char ip[IP_FMT];
			sa_catc(out, ' ');
			sa_catb(out, ip, ip_fmt(ip, &rr->ip));
		} else if (rr->type == DNS_T_MX || rr->type == DNS_T_CNAME ||
			   rr->type == DNS_T_PTR || rr->type == DNS_T_NS) {
			if (rr->type == DNS_T_MX) {
				sa_catc(out, ' ');
				sa_catu(out, rr->pref);
			}
			sa_catc(out, ' ');
			dns_name_fmt(out, dns_reply_name(r, rr->target));
		} else {
			sa_cats(out, " len=");
			sa_catu(out, rr->rdlen);
		}
	}
	sa_0(out);
}

#define HDR(an, ns, ar) "1234 8180 0001 " an " " ns " " ar " "
#define Q_MX            "<example.com> 000f 0001 "

static const struct {
	const char *spec; /* the packet */
	const char *want; /* show's rendering of it */
} valid[] = {
	/* two MX records, compressed against the question */
	{HDR("0002", "0000", "0000") Q_MX "c00c 000f 0001 00000e10 0008 000a [mx1] c00c "
					  "c00c 000f 0001 00000e10 0008 0014 [mx2] c00c",
	 "rc=0 q=example.com/15;an example.com MX 10 mx1.example.com;"
	 "an example.com MX 20 mx2.example.com"},
	/* uncompressed target, upper case kept */
	{HDR("0001", "0000", "0000") Q_MX "<EXAMPLE.com> 000f 0001 00000000 000a 0000 <MX.Org>",
	 "rc=0 q=example.com/15;an EXAMPLE.com MX 0 MX.Org"},
	/* a null MX (RFC 7505) */
	{HDR("0001", "0000", "0000") Q_MX "c00c 000f 0001 00000e10 0003 0000 00",
	 "rc=0 q=example.com/15;an example.com MX 0 ."},
	/* A and AAAA */
	{"1234 8180 0001 0002 0000 0000 <h.example> 0001 0001 "
	 "c00c 0001 0001 0000003c 0004 c0000201 "
	 "c00c 001c 0001 0000003c 0010 20010db8000000000000000000000001",
	 "rc=0 q=h.example/1;an h.example A 192.0.2.1;an h.example AAAA 2001:db8::1"},
	/* a CNAME chain, then the address */
	{"1234 8180 0001 0002 0000 0000 <www.example> 0001 0001 "
	 "c00c 0005 0001 00000000 0006 [web] c010 "
	 "c029 0001 0001 00000000 0004 7f000001",
	 "rc=0 q=www.example/1;an www.example CNAME web.example;an web.example A 127.0.0.1"},
	/* NXDOMAIN with an SOA (kept as raw rdata) in the authority section */
	{"1234 8183 0001 0000 0001 0000 <nx.example> 000f 0001 "
	 "c00f 0006 0001 00000e10 0020 [ns] c00f [host] c00f 00000001 00000002 00000003 00000004 "
	 "00000005",
	 "rc=3 q=nx.example/15;ns example SOA len=32"},
	/* EDNS0 OPT in the additional section; extended RCODE bits */
	{HDR("0000", "0000", "0001") Q_MX "00 0029 1000 00000000 0000",
	 "rc=0 q=example.com/15;ar . OPT c4096"},
	{"1234 8181 0001 0000 0000 0001 " Q_MX "00 0029 1000 01000000 0000",
	 "rc=17 q=example.com/15;ar . OPT c4096"},
	{"1234 8180 0001 0000 0000 0001 " Q_MX "00 0029 1000 00008000 0004 000a0000",
	 "rc=0 q=example.com/15;ar . OPT c4096"},
	/* a header alone, and a question alone */
	{"1234 8180 0000 0000 0000 0000", "rc=0"},
	{HDR("0000", "0000", "0000") Q_MX, "rc=0 q=example.com/15"},
	/* bytes a host name may not hold come out escaped */
	{HDR("0001", "0000", "0000") Q_MX "c00c 000f 0001 00000e10 000f 000a [a b;c/d`e\\x0d] c00c",
	 "rc=0 q=example.com/15;an example.com MX 10 a\\032b\\059c\\047d\\096e\\013.example.com"},
	{HDR("0001", "0000", "0000") Q_MX "c00c 0005 0001 00000e10 0007 [x\\x2ey\\x00\\xff]00",
	 "rc=0 q=example.com/15;an example.com CNAME x\\046y\\000\\255"},
	/* other classes and types are kept raw, their rdata not interpreted */
	{HDR("0002", "0000", "0000") Q_MX "c00c 0001 0003 00000000 0005 0102030405 "
					  "c00c 0010 0001 00000000 0006 [hello]",
	 "rc=0 q=example.com/15;an example.com A c3;an example.com TXT len=6"},
	/* PTR and NS */
	{"1234 8180 0001 0001 0001 0000 <1.2.0.192.in-addr.arpa> 000c 0001 "
	 "c00c 000c 0001 00000000 000b <h.example> "
	 "c010 0002 0001 00000000 0002 c034",
	 "rc=0 q=1.2.0.192.in-addr.arpa/12;an 1.2.0.192.in-addr.arpa PTR h.example;"
	 "ns 0.192.in-addr.arpa NS h.example"},
	/* a label of 63 bytes */
	{HDR("0000", "0000",
	     "0000") "<123456789012345678901234567890123456789012345678901234567890123> 0001 0001",
	 "rc=0 q=123456789012345678901234567890123456789012345678901234567890123/1"},
};

static const struct {
	const char *spec; /* the packet */
	const char *why;  /* what is wrong with it; "+" first: only its last byte is */
} invalid[] = {
	{"1234 8180 0001 0000 0000", "short header"},
	{"1234 8180 0002 0000 0000 0000 " Q_MX Q_MX, "two questions"},
	{HDR("0001", "0000", "0000") Q_MX, "a record counted but missing"},
	{HDR("0000", "0001", "0000") Q_MX, "an authority record counted but missing"},
	{"1234 8180 0001 ffff ffff ffff " Q_MX "c00c 0001 0001 00000000 0004 7f000001",
	 "counts far beyond the packet"},
	{"1234 8180 0000 0000 0000 0000 00", "+a byte after the header"},
	{HDR("0000", "0000", "0000") Q_MX "00", "+a byte after the question"},
	{HDR("0001", "0000", "0000") Q_MX "c00c 0001 0001 00000000 0004 7f000001 00",
	 "+a byte after the records"},
	{HDR("0000", "0000", "0000") "<example> 00", "question without type and class"},
	{HDR("0000", "0000", "0000") "[example]", "name without its end"},
	{HDR("0001", "0000", "0000") Q_MX "c01f 0001 0001 00000000 0004 7f000001",
	 "forward pointer"},
	{HDR("0001", "0000", "0000") Q_MX "c01d 0001 0001 00000000 0004 7f000001",
	 "pointer to itself"},
	{HDR("0001", "0000", "0000") Q_MX "c0ff 0001 0001 00000000 0004 7f000001",
	 "pointer past the packet"},
	{HDR("0000", "0000", "0000") "01 61 c00c 0001 0001", "pointer back into its own name"},
	{HDR("0000", "0000", "0000") "c0", "pointer cut in half"},
	{HDR("0000", "0000", "0000") "40 61 00 0001 0001", "label type 0x40"},
	{HDR("0000", "0000", "0000") "80 61 00 0001 0001", "label type 0x80"},
	{HDR("0000", "0000",
	     "0000") "<1234567890123456789012345678901234567890123456789012345678901234> 0001 0001",
	 "label of 64 bytes"},
	{HDR("0001", "0000", "0000") Q_MX "c00c 0001 0001 00000000 0005 7f000001",
	 "rdata past the end"},
	{HDR("0001", "0000", "0000") Q_MX "c00c 0001 0001 00000000 0005 7f00000100",
	 "A of 5 bytes"},
	{HDR("0001", "0000", "0000") Q_MX "c00c 0001 0001 00000000 0003 7f0000", "A of 3 bytes"},
	{HDR("0001", "0000", "0000") Q_MX "c00c 001c 0001 00000000 000f "
					  "20010db800000000000000000000 01",
	 "AAAA of 15 bytes"},
	{HDR("0001", "0000", "0000") Q_MX "c00c 000f 0001 00000000 0002 000a", "MX without a name"},
	{HDR("0001", "0000", "0000") Q_MX "c00c 000f 0001 00000000 0005 000a c00c 00",
	 "MX rdata longer than its fields"},
	{HDR("0001", "0000", "0000") Q_MX "c00c 000f 0001 00000000 0004 000a [mx1] c00c",
	 "MX name running past its rdata"},
	{HDR("0001", "0000", "0000") Q_MX "c00c 0005 0001 00000000 0003 c00c 00",
	 "CNAME rdata longer than its name"},
	{HDR("0001", "0000", "0000") Q_MX "c00c 0005 0001 00000000 0000", "empty CNAME rdata"},
	{HDR("0001", "0000", "0000") Q_MX "c00c 000c 0001 00000000 0001 c0",
	 "PTR with half a pointer"},
	{HDR("0001", "0000", "0000") Q_MX "00 0029 1000 00000000 0000",
	 "OPT in the answer section"},
	{HDR("0000", "0000", "0001") Q_MX "c00c 0029 1000 00000000 0000", "OPT owned by a name"},
	{HDR("0000", "0000", "0002") Q_MX "00 0029 1000 00000000 0000 00 0029 1000 00000000 0000",
	 "two OPT records"},
	{HDR("0001", "0000", "0000") Q_MX "c00c 000f 0001 00000000 0006 000a 806d c00c",
	 "label length byte 0x80 inside rdata"},
};

/* t_valid - each valid reply parses to what the table says; every cut of it, and it
   with one byte more, fails with EPROTO and leaves no records */
static void t_valid(void)
{
	static unsigned char p[PK_MAX];
	dns_reply r = DNS_REPLY_ZERO;
	sa s = SA_ZERO;
	size_t i, k;
	for (i = 0; i < sizeof valid / sizeof valid[0]; i++) {
		size_t n = pk(valid[i].spec, p);
		int ok = dns_reply_parse(&r, p, n);
		if (!T_OK(ok))
			printf("    valid[%zu] refused\n", i);
		show(&r, &s);
		T_EQ_S(s.s, valid[i].want);
		T_EQ_U(r.id, 0x1234);
		for (k = 0; k < n; k++) {
			errno = 0;
			if (!T_OK(!dns_reply_parse(&r, p, k)) || !T_EQ_U(errno, EPROTO)) {
				printf("    valid[%zu] cut at %zu accepted\n", i, k);
				break;
			}
			T_EQ_U(r.n, 0);
		}
		p[n] = 0;
		T_OK(!dns_reply_parse(&r, p, n + 1));
		T_OK(dns_reply_parse(&r, p, n)); /* and the storage is reusable */
	}
	sa_free(&s);
	dns_reply_free(&r);
}

/* t_invalid - each malformed reply, and every cut of it, fails with EPROTO; except
   that a reply malformed only by a last byte too many is valid without it */
static void t_invalid(void)
{
	static unsigned char p[PK_MAX];
	dns_reply r = DNS_REPLY_ZERO;
	size_t i, k;
	for (i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
		size_t n = pk(invalid[i].spec, p);
		for (k = 0; k <= n; k++) {
			errno = 0;
			if (k == n - 1 && invalid[i].why[0] == '+') {
				T_OK(dns_reply_parse(&r, p, k));
				continue;
			}
			if (!T_OK(!dns_reply_parse(&r, p, k)) || !T_EQ_U(errno, EPROTO)) {
				printf("    accepted: %s (cut at %zu of %zu)\n", invalid[i].why, k,
				       n);
				break;
			}
			T_EQ_U(r.n, 0);
		}
	}
	dns_reply_free(&r);
}

/* long_name - labels of len bytes ('a'), count of them, then the root, at p */
static size_t long_name(unsigned char *p, size_t count, size_t len)
{
	size_t i, n = 0;
	for (i = 0; i < count; i++) {
		p[n++] = (unsigned char)len;
		memset(p + n, 'a', len);
		n += len;
	}
	p[n++] = 0;
	return n;
}

/* t_name_limits - a name of exactly 255 bytes parses, one of 256 does not, whether
   in-line or built from pointers */
static void t_name_limits(void)
{
	static unsigned char p[PK_MAX];
	dns_reply r = DNS_REPLY_ZERO;
	sa s = SA_ZERO;
	size_t n;
	n = pk(HDR("0000", "0000", "0000"), p);
	/* 3 labels of 63 + one of 61: 3*64 + 62 + 1 = 255 */
	n += long_name(p + n, 3, 63) - 1;
	n += long_name(p + n, 1, 61);
	p[n++] = 0, p[n++] = 1, p[n++] = 0, p[n++] = 1;
	T_OK(dns_reply_parse(&r, p, n));
	show(&r, &s);
	T_EQ_U(dns_name_len(dns_reply_name(&r, r.qname)), 255);
	T_EQ_U(s.len, 7 + 253 + 2 + 1); /* "rc=0 q=", the name, "/1", NUL */
	/* 256 */
	n = pk(HDR("0000", "0000", "0000"), p);
	n += long_name(p + n, 3, 63) - 1;
	n += long_name(p + n, 1, 62);
	p[n++] = 0, p[n++] = 1, p[n++] = 0, p[n++] = 1;
	T_OK(!dns_reply_parse(&r, p, n));
	T_EQ_U(errno, EPROTO);
	/* 127 one-byte labels = 255 bytes, made of a chain of pointers: the question is
	   "a", then each record's owner is one label and a pointer to the previous name */
	{
		size_t i, prev = 12, recs = 126;
		n = pk("1234 8180 0001 0000 0000 0000 <a> 0001 0001", p);
		p[7] = (unsigned char)recs;
		for (i = 0; i < recs; i++) {
			size_t here = n;
			p[n++] = 1, p[n++] = 'a';
			p[n++] = (unsigned char)(0xc0 | prev >> 8), p[n++] = (unsigned char)prev;
			n += pk("0010 0001 00000000 0000", p + n);
			prev = here;
		}
		T_OK(dns_reply_parse(&r, p, n));
		T_EQ_U(r.n, recs);
		T_EQ_U(dns_name_len(dns_reply_name(&r, r.rr[recs - 1].name)), 255);
		/* one more label is too long */
		p[7] = (unsigned char)(recs + 1);
		p[n++] = 1, p[n++] = 'a';
		p[n++] = (unsigned char)(0xc0 | prev >> 8), p[n++] = (unsigned char)prev;
		n += pk("0010 0001 00000000 0000", p + n);
		T_OK(!dns_reply_parse(&r, p, n));
	}
	sa_free(&s);
	dns_reply_free(&r);
}

/* t_jumps - DNS_JUMPS_MAX pointers to pointers are followed, one more is refused */
static void t_jumps(void)
{
	static unsigned char p[PK_MAX];
	dns_reply r = DNS_REPLY_ZERO;
	size_t chain, i, n;
	for (chain = DNS_JUMPS_MAX - 1; chain <= DNS_JUMPS_MAX; chain++) {
		/* the question is "a"; then a TXT record whose rdata is a chain of pointers,
		   each to the one before, the first to the question; then an A record owned
		   by a pointer to the last */
		n = pk("1234 8180 0001 0002 0000 0000 <a> 0001 0001 c00c 0010 0001 00000000", p);
		p[n++] = (unsigned char)(chain * 2 >> 8), p[n++] = (unsigned char)(chain * 2);
		for (i = 0; i < chain; i++) {
			size_t to = i ? n - 2 : 12;
			p[n] = (unsigned char)(0xc0 | to >> 8), p[n + 1] = (unsigned char)to;
			n += 2;
		}
		p[n] = (unsigned char)(0xc0 | (n - 2) >> 8), p[n + 1] = (unsigned char)(n - 2);
		n += 2;
		n += pk("0001 0001 00000000 0004 7f000001", p + n);
		if (chain < DNS_JUMPS_MAX)
			T_OK(dns_reply_parse(&r, p, n));
		else
			T_OK(!dns_reply_parse(&r, p, n));
	}
	dns_reply_free(&r);
}

/* t_many - a TCP-sized reply of thousands of records parses; a count one too high
   is refused, and so is a message longer than TCP can carry */
static void t_many(void)
{
	static unsigned char p[PK_MAX];
	dns_reply r = DNS_REPLY_ZERO;
	size_t i, n = pk(HDR("0000", "0000", "0000") Q_MX, p), count = 0;
	while (n + 16 <= DNS_TCP_MAX) {
		n += pk("c00c 0001 0001 00000000 0004 c0000200", p + n);
		p[n - 1] = (unsigned char)count;
		count++;
	}
	p[6] = (unsigned char)(count >> 8), p[7] = (unsigned char)count;
	T_OK(dns_reply_parse(&r, p, n));
	T_EQ_U(r.n, count);
	T_OK(count > 4000);
	for (i = 0; i < r.n; i++)
		if (!T_EQ_U(r.rr[i].ip.a[3], i & 255))
			break;
	p[6] = (unsigned char)((count + 1) >> 8), p[7] = (unsigned char)(count + 1);
	T_OK(!dns_reply_parse(&r, p, n));
	T_OK(!dns_reply_parse(&r, p, DNS_TCP_MAX + 1));
	dns_reply_free(&r);
}

/* t_mutate - random byte changes to valid replies never make the parser misbehave
   (the sanitizers watch), and whatever parses renders to text */
static void t_mutate(void)
{
	static unsigned char p[PK_MAX], m[PK_MAX];
	dns_reply r = DNS_REPLY_ZERO;
	sa s = SA_ZERO;
	unsigned long seed = 12345, parsed = 0, runs = 0;
	size_t i, k;
	for (i = 0; i < sizeof valid / sizeof valid[0]; i++) {
		size_t n = pk(valid[i].spec, p);
		for (k = 0; k < 3000; k++) {
			size_t j, flips = 1 + k % 4;
			memcpy(m, p, n);
			for (j = 0; j < flips; j++) {
				seed = seed * 6364136223846793005UL + 1442695040888963407UL;
				m[(seed >> 33) % n] = (unsigned char)(seed >> 17);
			}
			runs++;
			if (dns_reply_parse(&r, m, n)) {
				parsed++;
				show(&r, &s);
			}
		}
	}
	T_OK(runs > 0);
	T_OK(parsed > 0 && parsed < runs);
	sa_free(&s);
	dns_reply_free(&r);
}

static const struct {
	const char *in;   /* a name as text */
	const char *wire; /* its wire form in pk notation; 0 if it must be refused */
} names[] = {
	{"example.com", "<example.com>"},
	{"example.com.", "<example.com>"},
	{"a", "<a>"},
	{"A-b_c.D9", "<A-b_c.D9>"},
	{"123456789012345678901234567890123456789012345678901234567890123.x",
	 "<123456789012345678901234567890123456789012345678901234567890123.x>"},
	{"", 0},
	{".", 0},
	{"..", 0},
	{"a..b", 0},
	{".a", 0},
	{"a..", 0},
	{"a b", 0},
	{"a;b", 0},
	{"a/b", 0},
	{"a`b", 0},
	{"a\rb", 0},
	{"a\\.b", 0},
	{"a*.b", 0},
	{"1234567890123456789012345678901234567890123456789012345678901234.x", 0},
};

/* t_name_wire - text names to wire form, and their refusals */
static void t_name_wire(void)
{
	unsigned char w[DNS_NAME_MAX], want[PK_MAX];
	size_t i, len;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		errno = 0;
		if (names[i].wire) {
			size_t n = pk(names[i].wire, want);
			T_OK(dns_name_wire(w, &len, names[i].in, strlen(names[i].in)));
			T_EQ_MEM(w, len, want, n);
			T_EQ_U(dns_name_len(w), n);
		} else {
			if (!T_OK(!dns_name_wire(w, &len, names[i].in, strlen(names[i].in))))
				printf("    accepted \"%s\"\n", names[i].in);
			T_EQ_U(errno, EINVAL);
		}
	}
	/* 253 characters (wire 255) pass, 254 do not */
	{
		char t[300];
		size_t k;
		memset(t, 'a', sizeof t);
		for (k = 63; k < 253; k += 64)
			t[k] = '.';
		T_OK(dns_name_wire(w, &len, t, 253));
		T_EQ_U(len, 255);
		T_OK(!dns_name_wire(w, &len, t, 254));
		t[253] = '.';
		T_OK(dns_name_wire(w, &len, t, 254)); /* a final dot does not count */
	}
}

/* t_name_misc - comparing, formatting, the host name check and reverse names */
static void t_name_misc(void)
{
	unsigned char a[PK_MAX], b[PK_MAX], w[DNS_NAME_MAX];
	size_t len;
	sa s = SA_ZERO;
	ip_addr ip = IP_ADDR_ZERO;
	pk("<Mail.Example.COM>", a);
	pk("<mail.example.com>", b);
	T_OK(dns_name_equal(a, b));
	pk("<mail.example.co>", b);
	T_OK(!dns_name_equal(a, b));
	pk("<mail.example.com.x>", b);
	T_OK(!dns_name_equal(a, b));
	pk("<mail\\x2eexample.com>", b);
	T_OK(!dns_name_equal(a, b));
	pk("<>", b);
	T_OK(dns_name_equal(b, b));
	T_OK(!dns_name_equal(a, b));
	T_OK(dns_name_fmt(&s, b) && sa_0(&s));
	T_EQ_S(s.s, ".");
	s.len = 0;
	pk("<a\\x5cb.c\\x22d\\x27\\x0a\\x7f>", b);
	T_OK(dns_name_fmt(&s, b) && sa_0(&s));
	T_EQ_S(s.s, "a\\092b.c\\034d\\039\\010\\127");
	T_OK(dns_name_host(a));
	T_OK(!dns_name_host(b));
	pk("<>", b);
	T_OK(!dns_name_host(b));
	pk("<a.b\\x20c>", b);
	T_OK(!dns_name_host(b));
	pk("<a-1.b_2>", b);
	T_OK(dns_name_host(b));
	/* reverse names */
	T_OK(ip_scan_all("192.0.2.10", 10, &ip));
	T_OK(dns_name_ptr(w, &len, &ip));
	len = pk("<10.2.0.192.in-addr.arpa>", b);
	T_EQ_MEM(w, dns_name_len(w), b, len);
	T_OK(ip_scan_all("0.0.0.255", 9, &ip));
	T_OK(dns_name_ptr(w, &len, &ip));
	T_EQ_MEM(w, len, b, pk("<255.0.0.0.in-addr.arpa>", b));
	T_OK(ip_scan_all("2001:db8::567:89ab", 18, &ip));
	T_OK(dns_name_ptr(w, &len, &ip));
	T_EQ_MEM(w, len, b,
		 pk("<b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa>",
		    b));
	ip.family = 0;
	T_OK(!dns_name_ptr(w, &len, &ip));
	sa_free(&s);
}

/* t_query - the exact bytes of queries with and without EDNS0, and that the parser
   reads them back */
static void t_query(void)
{
	unsigned char q[DNS_QUERY_MAX], want[PK_MAX], w[DNS_NAME_MAX], name[DNS_NAME_MAX];
	size_t len, n;
	uint16_t id, flags, type, class;
	dns_reply r = DNS_REPLY_ZERO;
	T_OK(dns_name_wire(w, &len, "example.com", 11));
	n = dns_query_make(q, 0xabcd, w, DNS_T_MX, 4096);
	T_EQ_MEM(q, n, want,
		 pk("abcd 0100 0001 0000 0000 0001 <example.com> 000f 0001 00 0029 1000 00000000 "
		    "0000",
		    want));
	T_OK(dns_reply_parse(&r, q, n));
	T_EQ_U(r.edns, 1);
	T_EQ_U(r.n, 1);
	T_OK(dns_reply_question(q, n, &id, &flags, name, &type, &class));
	T_EQ_U(id, 0xabcd);
	T_EQ_U(flags, DNS_F_RD);
	T_EQ_U(type, DNS_T_MX);
	T_EQ_U(class, DNS_C_IN);
	T_OK(dns_name_equal(name, w));
	n = dns_query_make(q, 7, w, DNS_T_AAAA, 0);
	T_EQ_MEM(q, n, want, pk("0007 0100 0001 0000 0000 0000 <example.com> 001c 0001", want));
	/* the question of a reply whose records are cut off is still readable */
	n = pk(valid[0].spec, want);
	T_OK(dns_reply_question(want, n - 5, &id, &flags, name, &type, &class));
	T_EQ_U(flags, 0x8180);
	T_OK(!dns_reply_question(want, 16, &id, &flags, name, &type, &class));
	n = pk("1234 8180 0000 0000 0000 0000", want);
	T_OK(!dns_reply_question(want, n, &id, &flags, name, &type, &class));
	/* the longest name gives the longest query */
	{
		char t[253];
		size_t k;
		memset(t, 'a', sizeof t);
		for (k = 63; k < 253; k += 64)
			t[k] = '.';
		T_OK(dns_name_wire(w, &len, t, 253));
		T_EQ_U(dns_query_make(q, 1, w, DNS_T_A, 4096), DNS_QUERY_MAX);
	}
	dns_reply_free(&r);
}

/* parse - parse a pk-notation reply into r */
static int parse(dns_reply *r, const char *spec)
{
	static unsigned char p[PK_MAX];
	return dns_reply_parse(r, p, pk(spec, p));
}

/* t_follow - CNAME chains inside one reply: followed, bounded, loops caught */
static void t_follow(void)
{
	dns_reply r = DNS_REPLY_ZERO;
	unsigned char name[DNS_NAME_MAX], want[PK_MAX];
	size_t hops = 0;
	ip_list l = IP_LIST_ZERO;
	T_OK(parse(&r, valid[4].spec));
	pk("<WWW.example>", name);
	T_EQ_U(dns_reply_follow(&r, name, DNS_T_A, &hops), 1);
	T_EQ_U(hops, 1);
	T_OK(dns_name_equal(name, (pk("<web.example>", want), want)));
	T_EQ_U(dns_reply_ip(&r, name, DNS_T_A, &l), DNS_OK);
	T_EQ_U(l.len, 1);
	T_EQ_U(dns_reply_ip(&r, name, DNS_T_AAAA, &l), DNS_NODATA);
	/* the chain's end without the type asked */
	pk("<www.example>", name);
	hops = 0;
	T_EQ_U(dns_reply_follow(&r, name, DNS_T_MX, &hops), 0);
	T_EQ_U(hops, 1);
	T_OK(dns_name_equal(name, want));
	/* type 0 follows to the end; a CNAME asked for is found, not followed */
	pk("<www.example>", name);
	hops = 0;
	T_EQ_U(dns_reply_follow(&r, name, 0, &hops), 0);
	T_OK(dns_name_equal(name, want));
	pk("<www.example>", name);
	hops = 0;
	T_EQ_U(dns_reply_follow(&r, name, DNS_T_CNAME, &hops), 1);
	T_EQ_U(hops, 0);
	/* a name not in the reply */
	pk("<other.example>", name);
	T_EQ_U(dns_reply_follow(&r, name, DNS_T_A, &hops), 0);
	/* a loop a -> b -> a */
	T_OK(parse(&r, "1234 8180 0001 0002 0000 0000 <a.x> 0001 0001 "
		       "c00c 0005 0001 00000000 0004 [b] c00e "
		       "c021 0005 0001 00000000 0002 c00c"));
	pk("<a.x>", name);
	hops = 0;
	errno = 0;
	T_EQ_U(dns_reply_follow(&r, name, DNS_T_A, &hops), -1);
	T_EQ_U(errno, ELOOP);
	T_EQ_U(hops, DNS_CNAME_MAX);
	/* hops already used up count */
	T_OK(parse(&r, valid[4].spec));
	pk("<www.example>", name);
	hops = DNS_CNAME_MAX;
	T_EQ_U(dns_reply_follow(&r, name, DNS_T_A, &hops), -1);
	hops = DNS_CNAME_MAX - 1;
	pk("<www.example>", name);
	T_EQ_U(dns_reply_follow(&r, name, DNS_T_A, &hops), 1);
	/* records outside the answer section do not count */
	T_OK(parse(&r, "1234 8180 0001 0000 0000 0001 <h.x> 0001 0001 "
		       "c00c 0001 0001 00000000 0004 7f000001"));
	pk("<h.x>", name);
	hops = 0;
	T_EQ_U(dns_reply_follow(&r, name, DNS_T_A, &hops), 0);
	T_EQ_U(dns_reply_ip(&r, name, DNS_T_A, &l), DNS_NODATA);
	ip_list_free(&l);
	dns_reply_free(&r);
}

static const struct {
	const char *target; /* an MX target in pk notation (labels, then 00 or a pointer) */
	const char *text;   /* what dns_reply_mx gives; 0 if the record must be dropped */
} targets[] = {
	{"[mx-1.a_b] 00", "mx-1.a_b"},
	{"[MX] c00c", "MX.example.com"},
	{"00", "."},
	{"[mx 1] 00", 0},
	{"[mx\\x0d1] 00", 0},
	{"[mx\\x0a1] 00", 0},
	{"[mx;1] 00", 0},
	{"[mx/1] 00", 0},
	{"[mx`1] 00", 0},
	{"[mx\\x2e1] 00", 0},
	{"[mx\\x001] 00", 0},
	{"[mx\\xff] 00", 0},
	{"[mx|x] 00", 0},
	{"[mx$x] 00", 0},
	{"[mx'x] 00", 0},
	{"[mx\\x22x] 00", 0},
	{"[mx<x>] 00", 0},
};

/* t_reply_mx - MX targets that are not host names are dropped; all dropped is
   DNS_BADNAME, none present DNS_NODATA */
static void t_reply_mx(void)
{
	dns_reply r = DNS_REPLY_ZERO;
	dns_mxlist l = DNS_MXLIST_ZERO;
	unsigned char name[DNS_NAME_MAX];
	char spec[300];
	size_t i;
	pk("<example.com>", name);
	for (i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		unsigned char t[PK_MAX];
		size_t tl = pk(targets[i].target, t);
		snprintf(spec, sizeof spec,
			 HDR("0002", "0000", "0000") Q_MX
			 "c00c 000f 0001 00000000 %04zx 0005 %s c00c 000f 0001 00000000 0006 0009 "
			 "[ok] 00",
			 tl + 2, targets[i].target);
		if (!T_OK(parse(&r, spec)))
			continue;
		T_EQ_U(dns_reply_mx(&r, name, &l), DNS_OK);
		if (targets[i].text) {
			T_EQ_U(l.len, 2);
			T_EQ_U(l.mx[0].pref, 5);
			T_EQ_S(l.mx[0].name, targets[i].text);
		} else {
			T_EQ_U(l.len, 1);
			T_EQ_S(l.mx[0].name, "ok");
			/* alone, its record leaves nothing */
			snprintf(spec, sizeof spec,
				 HDR("0001", "0000", "0000") Q_MX
				 "c00c 000f 0001 00000000 %04zx 0005 %s",
				 tl + 2, targets[i].target);
			T_OK(parse(&r, spec));
			errno = 0;
			T_EQ_U(dns_reply_mx(&r, name, &l), DNS_BADNAME);
			T_EQ_U(errno, EINVAL);
			T_EQ_U(l.len, 0);
		}
	}
	/* MX of another owner, of another class, or outside the answer: none */
	T_OK(parse(&r,
		   HDR("0001", "0000", "0001") Q_MX "[x] c00c 000f 0001 00000000 0005 0001 [a] 00 "
						    "c00c 000f 0001 00000000 0005 0001 [a] 00"));
	T_EQ_U(dns_reply_mx(&r, name, &l), DNS_NODATA);
	T_OK(parse(&r,
		   HDR("0001", "0000", "0000") Q_MX "c00c 000f 0003 00000000 0005 0001 [a] 00"));
	T_EQ_U(dns_reply_mx(&r, name, &l), DNS_NODATA);
	/* many records grow the list */
	{
		static char big[PK_MAX];
		size_t n = (size_t)snprintf(big, sizeof big, "1234 8180 0001 0064 0000 0000 " Q_MX);
		for (i = 0; i < 100; i++)
			n += (size_t)snprintf(big + n, sizeof big - n,
					      "c00c 000f 0001 00000000 0006 %04zx [m] c00c ", i);
		T_OK(parse(&r, big));
		T_EQ_U(dns_reply_mx(&r, name, &l), DNS_OK);
		T_EQ_U(l.len, 100);
		T_EQ_U(l.mx[99].pref, 99);
		T_EQ_S(l.mx[99].name, "m.example.com");
	}
	dns_mxlist_free(&l);
	dns_reply_free(&r);
}

/* seq - a test random source: the numbers of an array in turn */
static uint32_t seq(void *arg)
{
	const uint32_t **p = arg;
	return *(*p)++;
}

/* t_mx_sort - preference first; equal preferences in the order of their random keys,
   so each order can come out */
static void t_mx_sort(void)
{
	dns_mxhost mx[5];
	static const uint16_t pref[5] = {20, 10, 20, 5, 10};
	static const char *const host[5] = {"c", "b1", "d", "a", "b2"};
	static const uint32_t r1[5] = {1, 2, 3, 4, 5}, r2[5] = {9, 8, 7, 6, 5};
	const uint32_t *p;
	size_t i;
	for (i = 0; i < 5; i++) {
		mx[i].pref = pref[i];
		strcpy(mx[i].name, host[i]);
	}
	p = r1;
	dns_mx_sort(mx, 5, seq, &p);
	T_EQ_S(mx[0].name, "a");
	T_EQ_S(mx[1].name, "b1");
	T_EQ_S(mx[2].name, "b2");
	T_EQ_S(mx[3].name, "c");
	T_EQ_S(mx[4].name, "d");
	T_EQ_U(p - r1, 5);
	/* keys now reversed: within each preference the order flips */
	p = r2;
	dns_mx_sort(mx, 5, seq, &p);
	T_EQ_S(mx[0].name, "a");
	T_EQ_S(mx[1].name, "b2");
	T_EQ_S(mx[2].name, "b1");
	T_EQ_S(mx[3].name, "d");
	T_EQ_S(mx[4].name, "c");
	for (i = 1; i < 5; i++)
		T_OK(mx[i - 1].pref <= mx[i].pref);
	/* nothing and one are fine */
	p = r1;
	dns_mx_sort(mx, 0, seq, &p);
	T_EQ_U(p - r1, 0);
	dns_mx_sort(mx, 1, seq, &p);
	T_EQ_S(mx[0].name, "a");
}

/* t_mx_sort_random - with a real random source, every order of three equal
   preferences turns up and the lower preference always comes first */
static uint32_t lcg(void *arg)
{
	unsigned long *s = arg;
	*s = *s * 6364136223846793005UL + 1442695040888963407UL;
	return (uint32_t)(*s >> 32);
}

static void t_mx_sort_random(void)
{
	dns_mxhost mx[4];
	unsigned long s = 1;
	int seen[6] = {0}, first_ok = 1;
	size_t i, k;
	for (k = 0; k < 600; k++) {
		for (i = 0; i < 4; i++) {
			mx[i].pref = i == 3 ? 1 : 7;
			mx[i].name[0] = (char)('x' + i);
			mx[i].name[1] = 0;
		}
		dns_mx_sort(mx, 4, lcg, &s);
		if (mx[0].name[0] != '{')
			first_ok = 0;
		seen[(mx[1].name[0] - 'x') * 2 + (mx[2].name[0] < mx[3].name[0])]++;
	}
	T_OK(first_ok);
	for (i = 0; i < 6; i++)
		T_OK(seen[i] > 50);
}

static const struct {
	const char *text; /* a resolv.conf */
	const char *ns;   /* the servers it gives, "ip port" joined by ',' */
	unsigned timeout; /* ms */
	unsigned attempts;
} confs[] = {
	{"", "127.0.0.1 53", 5000, 2},
	{"nameserver 192.0.2.1\n", "192.0.2.1 53", 5000, 2},
	{"nameserver 192.0.2.1\nnameserver 2001:db8::53\n", "192.0.2.1 53,2001:db8::53 53", 5000,
	 2},
	{"# comment\n; comment\n  nameserver\t192.0.2.2  \r\nsearch example.com\n", "192.0.2.2 53",
	 5000, 2},
	{"#nameserver 192.0.2.1\n", "127.0.0.1 53", 5000, 2},
	{"nameserver fe80::1%eth0\nnameserver 192.0.2.3", "192.0.2.3 53", 5000, 2},
	{"nameserver bogus\nnameserver 1.2.3\nnameserver", "127.0.0.1 53", 5000, 2},
	{"nameservers 192.0.2.1\n", "127.0.0.1 53", 5000, 2},
	{"options timeout:3 attempts:4\n", "127.0.0.1 53", 3000, 4},
	{"options rotate timeout:0 attempts:0 ndots:2\n", "127.0.0.1 53", 1000, 1},
	{"options timeout:99 attempts:99\n", "127.0.0.1 53", 30000, 5},
	{"options timeout:x attempts:-1 timeout: attempts:99999999999999999999999\n",
	 "127.0.0.1 53", 5000, 2},
	{"options timeout:2\noptions attempts:3\n", "127.0.0.1 53", 2000, 3},
	{"nameserver 10.0.0.1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nnameserver 10.0.0.4\n"
	 "nameserver 10.0.0.5\nnameserver 10.0.0.6\nnameserver 10.0.0.7\nnameserver 10.0.0.8\n"
	 "nameserver 10.0.0.9\n",
	 "10.0.0.1 53,10.0.0.2 53,10.0.0.3 53,10.0.0.4 53,10.0.0.5 53,10.0.0.6 53,10.0.0.7 53,"
	 "10.0.0.8 53",
	 5000, 2},
};

/* servers - c's servers as "ip port,ip port" */
static void servers(const dns_conf *c, sa *out)
{
	size_t i;
	out->len = 0;
	for (i = 0; i < c->n; i++) {
		char ip[IP_FMT];
		if (i)
			sa_catc(out, ',');
		sa_catb(out, ip, ip_fmt(ip, &c->ns[i]));
		sa_catc(out, ' ');
		sa_catu(out, c->port[i]);
	}
	sa_0(out);
}

/* t_conf - resolv.conf texts, and server lists as $QMAIL_DNS_SERVER gives them */
static void t_conf(void)
{
	dns_conf c;
	sa s = SA_ZERO;
	size_t i;
	static const struct {
		const char *in;  /* a server list */
		const char *out; /* the servers; 0 if refused */
	} lists[] = {
		{"127.0.0.1:5353", "127.0.0.1 5353"},
		{"127.0.0.1", "127.0.0.1 53"},
		{"::1", "::1 53"},
		{"[::1]:5353", "::1 5353"},
		{"[2001:db8::1]", "2001:db8::1 53"},
		{"127.0.0.1:1, [::1]:65535 ,10.0.0.1", "127.0.0.1 1,::1 65535,10.0.0.1 53"},
		{"", 0},
		{" , ", 0},
		{"127.0.0.1:", 0},
		{"127.0.0.1:0", 0},
		{"127.0.0.1:65536", 0},
		{"127.0.0.1:53x", 0},
		{"::1:53", "::1:53 53"},
		{"[::1]5353", 0},
		{"[::1", 0},
		{"[127.0.0.1]:53", 0},
		{"localhost", 0},
		{"127.0.0.1;53", 0},
	};
	for (i = 0; i < sizeof confs / sizeof confs[0]; i++) {
		T_OK(dns_conf_parse(&c, confs[i].text, strlen(confs[i].text)));
		servers(&c, &s);
		T_EQ_S(s.s, confs[i].ns);
		T_EQ_U(c.timeout_ms, confs[i].timeout);
		T_EQ_U(c.attempts, confs[i].attempts);
		T_EQ_U(c.udpsize, DNS_UDP_MAX);
	}
	for (i = 0; i < sizeof lists / sizeof lists[0]; i++) {
		dns_conf_parse(&c, "nameserver 192.0.2.9", 20);
		errno = 0;
		if (lists[i].out) {
			T_OK(dns_conf_servers(&c, lists[i].in));
			servers(&c, &s);
			T_EQ_S(s.s, lists[i].out);
		} else {
			if (!T_OK(!dns_conf_servers(&c, lists[i].in)))
				printf("    accepted \"%s\"\n", lists[i].in);
			T_EQ_U(errno, EINVAL);
			servers(&c, &s);
			T_EQ_S(s.s, "192.0.2.9 53");
		}
	}
	sa_free(&s);
}

/* t_badname - names that cannot be asked about are refused before any query (the
   servers named here do not exist, so a query would time out) */
static void t_badname(void)
{
	dns_conf c;
	dns_mxlist l = DNS_MXLIST_ZERO;
	ip_list ips = IP_LIST_ZERO;
	sa s = SA_ZERO;
	ip_addr none = IP_ADDR_ZERO;
	dns_conf_init(&c);
	T_EQ_U(dns_mx(&c, "a b.example", &l), DNS_BADNAME);
	T_EQ_U(dns_mx(&c, "", &l), DNS_BADNAME);
	T_EQ_U(dns_ip(&c, "x;y", &ips), DNS_BADNAME);
	T_EQ_U(dns_ip4(&c, "..", &ips), DNS_BADNAME);
	T_EQ_U(dns_ip6(&c, "a/b", &ips), DNS_BADNAME);
	T_EQ_U(dns_cname(&c, "a`b", &s), DNS_BADNAME);
	T_EQ_U(dns_ptr(&c, &none, &s), DNS_BADNAME);
	/* no servers at all: a temporary failure, EINVAL */
	errno = 0;
	T_EQ_U(dns_mx(&c, "example.com", &l), DNS_TEMP);
	T_EQ_U(errno, EINVAL);
	dns_mxlist_free(&l);
	ip_list_free(&ips);
	sa_free(&s);
}

const t_case t_cases[] = {
	T_CASE(t_valid),          T_CASE(t_invalid), T_CASE(t_name_limits), T_CASE(t_jumps),
	T_CASE(t_many),           T_CASE(t_mutate),  T_CASE(t_name_wire),   T_CASE(t_name_misc),
	T_CASE(t_query),          T_CASE(t_follow),  T_CASE(t_reply_mx),    T_CASE(t_mx_sort),
	T_CASE(t_mx_sort_random), T_CASE(t_conf),    T_CASE(t_badname),     T_END,
};
