/*
 * dnsconf.c - the resolver's configuration. From resolv.conf(5) only "nameserver"
 * (IPv4 or IPv6, at most DNS_NS_MAX; an address with a zone such as fe80::1%eth0 is
 * skipped) and the "options" timeout:N (seconds, 1..30) and attempts:N (1..5) are
 * used; "search" and "domain" are ignored, because every name asked is absolute.
 * With no usable nameserver line the server is 127.0.0.1, as in the C library.
 *
 * $QMAIL_DNS_SERVER replaces the servers, for tests: "127.0.0.1:5353", "[::1]:5353",
 * "::1" (port 53), several separated by commas or spaces. It is honoured only when the
 * real and effective user and group ids agree (and, on Linux, the kernel does not flag
 * the process AT_SECURE), so a set-id program can never be pointed elsewhere by its
 * caller.
 */
#include "dnsconf.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/auxv.h>
#endif

#include "dnspacket.h"
#include "env.h"
#include "file.h"
#include "sa.h"
#include "scan.h"

/* dns_conf_init - no servers yet, default timeout and attempts, EDNS0 at DNS_UDP_MAX */
void dns_conf_init(dns_conf *c)
{
	memset(c, 0, sizeof *c);
	c->timeout_ms = DNS_TIMEOUT_MS;
	c->attempts = DNS_ATTEMPTS;
	c->udpsize = DNS_UDP_MAX;
}

/* add - one more server, unless there are DNS_NS_MAX already */
static void add(dns_conf *c, const ip_addr *ip, uint16_t port)
{
	if (c->n >= DNS_NS_MAX)
		return;
	c->ns[c->n] = *ip;
	c->port[c->n] = port;
	c->n++;
}

/* option - apply one word of an options line ("timeout:3"); others are ignored */
static void option(dns_conf *c, const char *s, size_t n)
{
	uint64_t u;
	if (n > 8 && !memcmp(s, "timeout:", 8) && scan_u64_all(s + 8, n - 8, &u))
		c->timeout_ms = (unsigned)(u < 1 ? 1 : u > 30 ? 30 : u) * 1000;
	if (n > 9 && !memcmp(s, "attempts:", 9) && scan_u64_all(s + 9, n - 9, &u))
		c->attempts = (unsigned)(u < 1 ? 1 : u > 5 ? 5 : u);
}

/* is_space - a separator between the words of a resolv.conf line */
static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* line - apply one resolv.conf line s[0..n) */
static void line(dns_conf *c, const char *s, size_t n)
{
	size_t i = 0, w[16], wl[16], k = 0;
	while (k < 16) {
		while (i < n && is_space(s[i]))
			i++;
		if (i == n)
			break;
		w[k] = i;
		while (i < n && !is_space(s[i]))
			i++;
		wl[k] = i - w[k];
		k++;
	}
	if (!k || s[w[0]] == '#' || s[w[0]] == ';')
		return;
	if (wl[0] == 10 && !memcmp(s + w[0], "nameserver", 10) && k >= 2) {
		ip_addr ip;
		if (ip_scan_all(s + w[1], wl[1], &ip))
			add(c, &ip, DNS_PORT);
	} else if (wl[0] == 7 && !memcmp(s + w[0], "options", 7)) {
		size_t j;
		for (j = 1; j < k; j++)
			option(c, s + w[j], wl[j]);
	}
}

/* dns_conf_parse - c from the text of a resolv.conf, s[0..n): defaults, then each
   line; 127.0.0.1 port 53 if no nameserver line was usable. Unknown lines and
   malformed values are ignored, as the C library does; returns 1 */
int dns_conf_parse(dns_conf *c, const char *s, size_t n)
{
	size_t i = 0;
	dns_conf_init(c);
	while (i < n) {
		size_t end = i;
		while (end < n && s[end] != '\n')
			end++;
		line(c, s + i, end - i);
		i = end + 1;
	}
	if (!c->n) {
		ip_addr lo = IP_ADDR_ZERO;
		ip4_scan("127.0.0.1", 9, &lo);
		add(c, &lo, DNS_PORT);
	}
	return 1;
}

/* server - one "ip", "ip4:port" or "[ip6]:port" of s[0..n) */
static int server(ip_addr *ip, uint16_t *port, const char *s, size_t n)
{
	size_t k;
	uint64_t u = DNS_PORT;
	if (n && s[0] == '[') {
		k = ip6_scan(s + 1, n - 1, ip);
		if (!k || k + 1 >= n || s[k + 1] != ']')
			goto fail;
		k += 2;
	} else {
		k = ip_scan(s, n, ip);
		if (!k || (k < n && ip->family != 4))
			goto fail;
	}
	if (k < n && (s[k] != ':' || !scan_u64_all(s + k + 1, n - k - 1, &u) || !u || u > 65535))
		goto fail;
	*port = (uint16_t)u;
	return 1;
fail:
	errno = EINVAL;
	return 0;
}

/* dns_conf_servers - replace c's servers by the list s ("127.0.0.1:5353,[::1]:53");
   0 with EINVAL, c unchanged, if any entry is malformed or there is none */
int dns_conf_servers(dns_conf *c, const char *s)
{
	dns_conf t = *c;
	size_t i = 0, n = strlen(s);
	t.n = 0;
	while (i < n) {
		size_t end = i;
		ip_addr ip;
		uint16_t port;
		if (s[i] == ',' || s[i] == ' ') {
			i++;
			continue;
		}
		while (end < n && s[end] != ',' && s[end] != ' ')
			end++;
		if (!server(&ip, &port, s + i, end - i))
			return 0;
		add(&t, &ip, port);
		i = end;
	}
	if (!t.n) {
		errno = EINVAL;
		return 0;
	}
	*c = t;
	return 1;
}

/* set_id - whether this process runs with privileges its invoker does not have */
static int set_id(void)
{
#ifdef __linux__
	if (getauxval(AT_SECURE))
		return 1;
#endif
	return getuid() != geteuid() || getgid() != getegid();
}

/* dns_conf_load - c from /etc/resolv.conf (absent: the defaults), then the servers of
   $QMAIL_DNS_SERVER when this process is not set-id; 0 with errno if resolv.conf
   cannot be read or is too big, or EINVAL if $QMAIL_DNS_SERVER is malformed */
int dns_conf_load(dns_conf *c)
{
	sa f = SA_ZERO;
	const char *e;
	int r = file_read(DNS_RESOLV_CONF, &f, DNS_RESOLV_LIMIT);
	if (r == -1) {
		sa_free(&f);
		return 0;
	}
	dns_conf_parse(c, f.s, f.len);
	sa_free(&f);
	e = env_get(DNS_SERVER_ENV);
	if (e && !set_id() && !dns_conf_servers(c, e))
		return 0;
	return 1;
}
