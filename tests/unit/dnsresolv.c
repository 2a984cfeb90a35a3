/* dnsresolv.c - tests for the resolver over real sockets on loopback: first against
   tests/dnsserver.py (scripted answers: truncation forcing TCP, wrong replies that
   must be ignored, silence, SERVFAIL, CNAME chains and loops, EDNS0, random ids and
   ports, several servers), then against Debian's dnsmasq (package dnsmasq-base)
   serving a small zone. Both run on ports the kernel picked, never port 53. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dns.h"
#include "dnsconf.h"
#include "harness.h"
#include "tm.h"

#define PYTHON  "/usr/bin/python3"
#define DNSMASQ "/usr/sbin/dnsmasq"

static struct {
	pid_t pid;      /* the fake server; 0 when not running */
	int in;         /* its standard input: closing it stops the server */
	uint16_t main;  /* its answering port (UDP and TCP) */
	uint16_t dead;  /* its port that never answers */
	uint16_t fail;  /* its port that answers SERVFAIL */
	pid_t dnsmasq;  /* dnsmasq; 0 when not running */
	uint16_t dport; /* dnsmasq's port */
	int v6;         /* whether ::1 is usable */
} srv;

/* lo - the loopback address of family 4 or 6 */
static ip_addr lo(int family)
{
	ip_addr ip = IP_ADDR_ZERO;
	if (family == 4)
		ip_scan_all("127.0.0.1", 9, &ip);
	else
		ip_scan_all("::1", 3, &ip);
	return ip;
}

/* conf - a configuration asking only 127.0.0.1:port, quickly */
static dns_conf conf(uint16_t port)
{
	dns_conf c;
	dns_conf_init(&c);
	c.ns[0] = lo(4);
	c.port[0] = port;
	c.n = 1;
	c.timeout_ms = 500;
	c.attempts = 1;
	return c;
}

/* add - one more server 127.0.0.1:port in c */
static void add(dns_conf *c, uint16_t port)
{
	c->ns[c->n] = lo(4);
	c->port[c->n++] = port;
}

/* free_port - a UDP and TCP port on 127.0.0.1 nobody uses right now */
static uint16_t free_port(void)
{
	for (int tries = 0; tries < 20; tries++) {
		struct sockaddr_in a;
		socklen_t len = sizeof a;
		int u = socket(AF_INET, SOCK_DGRAM, 0), t = socket(AF_INET, SOCK_STREAM, 0);
		uint16_t port = 0;
		memset(&a, 0, sizeof a);
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(u, (struct sockaddr *)&a, sizeof a) == 0 &&
		    getsockname(u, (struct sockaddr *)&a, &len) == 0 &&
		    bind(t, (struct sockaddr *)&a, sizeof a) == 0)
			port = ntohs(a.sin_port);
		close(u);
		close(t);
		if (port)
			return port;
	}
	return 0;
}

/* fake_start - run tests/dnsserver.py and read its ports; 1 on success */
static int fake_start(void)
{
	int out[2], in[2];
	char line[100];
	size_t n = 0;
	unsigned a, b, c;
	const char *top = getenv("TOP");
	char script[4096];
	if (srv.pid)
		return 1;
	snprintf(script, sizeof script, "%s/tests/dnsserver.py", top ? top : ".");
	if (pipe(out) || pipe(in))
		return 0;
	srv.pid = fork();
	if (srv.pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(PYTHON, "python3", script, (char *)0);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	srv.in = in[1];
	while (n < sizeof line - 1) {
		struct pollfd p = {out[0], POLLIN, 0};
		ssize_t r;
		if (poll(&p, 1, 10000) != 1 || (r = read(out[0], line + n, 1)) != 1)
			break;
		if (line[n++] == '\n')
			break;
	}
	line[n] = 0;
	close(out[0]);
	if (sscanf(line, "%u %u %u", &a, &b, &c) != 3) {
		printf("  %s did not start: \"%s\"\n", script, line);
		return 0;
	}
	srv.main = (uint16_t)a;
	srv.dead = (uint16_t)b;
	srv.fail = (uint16_t)c;
	return 1;
}

/* stop - end child pid and reap it */
static void stop(pid_t pid)
{
	int st;
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
}

/* addr_is - whether ip is the address text s */
static int addr_is(const ip_addr *ip, const char *s)
{
	char buf[IP_FMT];
	buf[ip_fmt(buf, ip)] = 0;
	if (strcmp(buf, s)) {
		printf("    address %s, expected %s\n", buf, s);
		return 0;
	}
	return 1;
}

/* t_fake_mx - two MX records, sorted by preference */
static void t_fake_mx(void)
{
	dns_conf c;
	dns_mxlist l = DNS_MXLIST_ZERO;
	if (!T_OK(fake_start()))
		return;
	c = conf(srv.main);
	T_EQ_U(dns_mx(&c, "mx2.test", &l), DNS_OK);
	if (T_EQ_U(l.len, 2)) {
		T_EQ_U(l.mx[0].pref, 10);
		T_EQ_S(l.mx[0].name, "a.mx2.test");
		T_EQ_U(l.mx[1].pref, 20);
		T_EQ_S(l.mx[1].name, "b.mx2.test");
	}
	T_EQ_U(dns_mx(&c, "MX2.test.", &l), DNS_OK); /* case and a final dot */
	T_EQ_U(l.len, 2);
	T_EQ_U(dns_mx(&c, "badmx.test", &l), DNS_BADNAME);
	T_EQ_U(l.len, 0);
	dns_mxlist_free(&l);
}

/* t_fake_tcp - a truncated UDP answer is asked again over TCP */
static void t_fake_tcp(void)
{
	dns_conf c = conf(srv.main);
	ip_list l = IP_LIST_ZERO;
	if (!srv.pid)
		return;
	T_EQ_U(dns_ip4(&c, "big.test", &l), DNS_OK);
	if (T_EQ_U(l.len, 300)) {
		T_OK(addr_is(&l.a[0], "10.3.0.0"));
		T_OK(addr_is(&l.a[299], "10.3.1.43"));
	}
	ip_list_free(&l);
}

/* t_fake_noise - replies with the wrong id, name, type, class or sender, without the
   QR bit, or malformed, are all ignored; the right one that follows is taken */
static void t_fake_noise(void)
{
	dns_conf c = conf(srv.main);
	ip_list l = IP_LIST_ZERO;
	if (!srv.pid)
		return;
	T_EQ_U(dns_ip4(&c, "noise.test", &l), DNS_OK);
	if (T_EQ_U(l.len, 1))
		T_OK(addr_is(&l.a[0], "192.0.2.7"));
	ip_list_free(&l);
}

/* t_fake_status - each kind of answer gives its own status and errno */
static void t_fake_status(void)
{
	dns_conf c = conf(srv.main);
	ip_list l = IP_LIST_ZERO;
	dns_mxlist mx = DNS_MXLIST_ZERO;
	uint64_t t0;
	if (!srv.pid)
		return;
	t0 = tm_mono_ms();
	errno = 0;
	T_EQ_U(dns_ip4(&c, "silent.test", &l), DNS_TEMP);
	T_EQ_U(errno, ETIMEDOUT);
	T_OK(tm_mono_ms() - t0 >= 500);
	T_OK(tm_mono_ms() - t0 < 3000);
	errno = 0;
	T_EQ_U(dns_ip4(&c, "servfail.test", &l), DNS_TEMP);
	T_EQ_U(errno, EAGAIN);
	T_EQ_U(dns_ip4(&c, "nx.test", &l), DNS_NXDOMAIN);
	T_EQ_U(dns_mx(&c, "nx.test", &mx), DNS_NXDOMAIN);
	T_EQ_U(dns_ip(&c, "nx.test", &l), DNS_NXDOMAIN);
	T_EQ_U(dns_ip4(&c, "nodata.test", &l), DNS_NODATA);
	T_EQ_U(dns_mx(&c, "nodata.test", &mx), DNS_NODATA);
	T_EQ_U(dns_ip(&c, "nodata.test", &l), DNS_NODATA);
	T_EQ_U(l.len, 0);
	errno = 0;
	T_EQ_U(dns_ip4(&c, "malformed.test", &l), DNS_TEMP);
	T_EQ_U(errno, EPROTO);
	ip_list_free(&l);
	dns_mxlist_free(&mx);
}

/* t_fake_cname - a chain the server did not follow is asked again; a loop spread
   over several answers ends with ELOOP */
static void t_fake_cname(void)
{
	dns_conf c = conf(srv.main);
	ip_list l = IP_LIST_ZERO;
	dns_mxlist mx = DNS_MXLIST_ZERO;
	sa s = SA_ZERO;
	if (!srv.pid)
		return;
	T_EQ_U(dns_ip4(&c, "chain.test", &l), DNS_OK);
	if (T_EQ_U(l.len, 1))
		T_OK(addr_is(&l.a[0], "192.0.2.9"));
	T_EQ_U(dns_ip(&c, "chain.test", &l), DNS_OK);
	T_EQ_U(l.len, 1);
	T_EQ_U(dns_mx(&c, "chain.test", &mx), DNS_NODATA);
	T_EQ_U(dns_cname(&c, "chain.test", &s), DNS_OK);
	T_EQ_MEM(s.s, s.len, "target.test", 11);
	T_EQ_U(dns_cname(&c, "nodata.test", &s), DNS_OK);
	T_EQ_MEM(s.s, s.len, "nodata.test", 11);
	T_EQ_U(dns_cname(&c, "nx.test", &s), DNS_NXDOMAIN);
	errno = 0;
	T_EQ_U(dns_ip4(&c, "loopa.test", &l), DNS_TEMP);
	T_EQ_U(errno, ELOOP);
	errno = 0;
	T_EQ_U(dns_cname(&c, "loopb.test", &s), DNS_TEMP);
	T_EQ_U(errno, ELOOP);
	ip_list_free(&l);
	dns_mxlist_free(&mx);
	sa_free(&s);
}

/* t_fake_edns - queries offer 4096 bytes in an OPT record, none when udpsize is 0,
   and a server that answers FORMERR to EDNS0 is asked again without it */
static void t_fake_edns(void)
{
	dns_conf c = conf(srv.main);
	ip_list l = IP_LIST_ZERO;
	if (!srv.pid)
		return;
	T_EQ_U(dns_ip4(&c, "edns.test", &l), DNS_OK);
	if (T_EQ_U(l.len, 1))
		T_OK(addr_is(&l.a[0], "10.2.16.0"));
	T_EQ_U(dns_ip4(&c, "formerr.test", &l), DNS_OK);
	if (T_EQ_U(l.len, 1))
		T_OK(addr_is(&l.a[0], "192.0.2.10"));
	c.udpsize = 0;
	T_EQ_U(dns_ip4(&c, "edns.test", &l), DNS_OK);
	if (T_EQ_U(l.len, 1))
		T_OK(addr_is(&l.a[0], "10.2.0.0"));
	ip_list_free(&l);
}

/* t_fake_random - query ids and source ports differ from one query to the next */
static void t_fake_random(void)
{
	dns_conf c = conf(srv.main);
	ip_list l = IP_LIST_ZERO;
	ip_addr seen[2][4];
	int i, k, differ[2] = {0, 0};
	if (!srv.pid)
		return;
	for (i = 0; i < 4; i++) {
		T_EQ_U(dns_ip4(&c, "id.test", &l), DNS_OK);
		seen[0][i] = l.len ? l.a[0] : lo(4);
		T_EQ_U(dns_ip4(&c, "port.test", &l), DNS_OK);
		seen[1][i] = l.len ? l.a[0] : lo(4);
	}
	for (k = 0; k < 2; k++)
		for (i = 1; i < 4; i++)
			if (ip_cmp(&seen[k][i], &seen[k][0]))
				differ[k] = 1;
	T_OK(differ[0]);
	T_OK(differ[1]);
	ip_list_free(&l);
}

/* t_fake_servers - silent, failing and absent servers are passed over in order;
   attempts go round the list again */
static void t_fake_servers(void)
{
	dns_conf c;
	dns_mxlist mx = DNS_MXLIST_ZERO;
	uint16_t closed = free_port();
	uint64_t t0;
	if (!srv.pid)
		return;
	c = conf(srv.dead);
	c.timeout_ms = 300;
	add(&c, srv.main);
	t0 = tm_mono_ms();
	T_EQ_U(dns_mx(&c, "mx2.test", &mx), DNS_OK);
	T_OK(tm_mono_ms() - t0 >= 300);
	c = conf(srv.fail);
	add(&c, srv.main);
	T_EQ_U(dns_mx(&c, "mx2.test", &mx), DNS_OK);
	T_EQ_U(mx.len, 2);
	c = conf(closed);
	add(&c, srv.main);
	T_EQ_U(dns_mx(&c, "mx2.test", &mx), DNS_OK);
	c = conf(srv.fail);
	errno = 0;
	T_EQ_U(dns_mx(&c, "mx2.test", &mx), DNS_TEMP);
	T_EQ_U(errno, EAGAIN);
	c = conf(closed);
	errno = 0;
	T_EQ_U(dns_mx(&c, "mx2.test", &mx), DNS_TEMP);
	T_EQ_U(errno, ECONNREFUSED);
	c = conf(srv.dead);
	c.timeout_ms = 200;
	c.attempts = 3;
	t0 = tm_mono_ms();
	errno = 0;
	T_EQ_U(dns_mx(&c, "mx2.test", &mx), DNS_TEMP);
	T_EQ_U(errno, ETIMEDOUT);
	T_OK(tm_mono_ms() - t0 >= 600);
	T_OK(tm_mono_ms() - t0 < 3000);
	dns_mxlist_free(&mx);
}

/* t_fake_ptr - an address's name */
static void t_fake_ptr(void)
{
	dns_conf c = conf(srv.main);
	sa s = SA_ZERO;
	ip_addr ip = IP_ADDR_ZERO;
	if (!srv.pid)
		return;
	ip_scan_all("192.0.2.7", 9, &ip);
	T_EQ_U(dns_ptr(&c, &ip, &s), DNS_OK);
	T_EQ_MEM(s.s, s.len, "host.test", 9);
	ip_scan_all("192.0.2.8", 9, &ip);
	T_EQ_U(dns_ptr(&c, &ip, &s), DNS_NXDOMAIN);
	sa_free(&s);
}

/* t_env - $QMAIL_DNS_SERVER replaces the servers, unless the process is set-id */
static void t_env(void)
{
	dns_conf c;
	dns_mxlist mx = DNS_MXLIST_ZERO;
	char v[64];
	if (!srv.pid)
		return;
	snprintf(v, sizeof v, "127.0.0.1:%u", srv.main);
	setenv(DNS_SERVER_ENV, v, 1);
	T_OK(dns_conf_load(&c));
	T_EQ_U(c.n, 1);
	T_EQ_U(c.port[0], srv.main);
	c.timeout_ms = 500;
	T_EQ_U(dns_mx(&c, "mx2.test", &mx), DNS_OK);
	setenv(DNS_SERVER_ENV, "127.0.0.1:0", 1);
	errno = 0;
	T_OK(!dns_conf_load(&c));
	T_EQ_U(errno, EINVAL);
	setenv(DNS_SERVER_ENV, v, 1);
	if (getuid() == 0) {
		/* a child whose real uid differs from its effective uid (0) */
		int st = -1;
		pid_t pid = fork();
		if (pid == 0) {
			if (setreuid(65534, 0) || dns_conf_load(&c) != 1)
				_exit(2);
			_exit(c.n == 1 && c.port[0] == srv.main ? 1 : 0);
		}
		waitpid(pid, &st, 0);
		T_OK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	unsetenv(DNS_SERVER_ENV);
	T_OK(dns_conf_load(&c));
	T_OK(c.n >= 1);
	dns_mxlist_free(&mx);
}

/* t_fake_stop - the fake server goes away */
static void t_fake_stop(void)
{
	if (!srv.pid)
		return;
	close(srv.in);
	stop(srv.pid);
	srv.pid = 0;
}

/* dnsmasq_start - run dnsmasq in the foreground on a free port, serving the zone
   "test": two MX for two.test, A and AAAA without MX for plain.test, a CNAME */
static int dnsmasq_start(void)
{
	int tries;
	srv.v6 = 0;
	{
		int fd = socket(AF_INET6, SOCK_DGRAM, 0);
		struct sockaddr_in6 a;
		memset(&a, 0, sizeof a);
		a.sin6_family = AF_INET6;
		a.sin6_addr = in6addr_loopback;
		srv.v6 = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
		if (fd >= 0)
			close(fd);
	}
	if (access(DNSMASQ, X_OK)) {
		printf("  %s is missing: install Debian's dnsmasq-base\n", DNSMASQ);
		return 0;
	}
	for (tries = 0; tries < 5; tries++) {
		char port[32];
		dns_conf c;
		ip_list l = IP_LIST_ZERO;
		int i, st;
		srv.dport = free_port();
		snprintf(port, sizeof port, "--port=%u", srv.dport);
		srv.dnsmasq = fork();
		if (srv.dnsmasq == 0) {
			int null = open("/dev/null", O_RDWR);
			dup2(null, 1);
			dup2(null, 2);
			execl(DNSMASQ, "dnsmasq", "--keep-in-foreground", "--no-resolv",
			      "--no-hosts", "--conf-file=/dev/null", "--pid-file=", port,
			      "--bind-interfaces",
			      srv.v6 ? "--listen-address=127.0.0.1,::1"
				     : "--listen-address=127.0.0.1",
			      "--local=/test/", "--mx-host=two.test,mx1.two.test,10",
			      "--mx-host=two.test,mx2.two.test,20",
			      "--host-record=mx1.two.test,192.0.2.11",
			      "--host-record=mx2.two.test,192.0.2.12,2001:db8::12",
			      "--host-record=plain.test,192.0.2.20,2001:db8::20",
			      "--cname=alias.test,plain.test", "--log-facility=-", (char *)0);
			_exit(127);
		}
		c = conf(srv.dport);
		c.timeout_ms = 200;
		for (i = 0; i < 50; i++) {
			if (dns_ip4(&c, "plain.test", &l) == DNS_OK) {
				ip_list_free(&l);
				return 1;
			}
			if (waitpid(srv.dnsmasq, &st, WNOHANG) == srv.dnsmasq)
				break;
			poll(0, 0, 100); /* not up yet: wait a little */
		}
		ip_list_free(&l);
		stop(srv.dnsmasq);
		srv.dnsmasq = 0;
	}
	printf("  dnsmasq did not start\n");
	return 0;
}

/* t_dnsmasq - lookups against a real DNS server */
static void t_dnsmasq(void)
{
	dns_conf c;
	dns_mxlist mx = DNS_MXLIST_ZERO;
	ip_list l = IP_LIST_ZERO;
	sa s = SA_ZERO;
	ip_addr ip = IP_ADDR_ZERO;
	int i;
	if (!T_OK(dnsmasq_start()))
		return;
	c = conf(srv.dport);
	c.timeout_ms = 2000;
	T_EQ_U(dns_mx(&c, "two.test", &mx), DNS_OK);
	if (T_EQ_U(mx.len, 2)) {
		T_EQ_U(mx.mx[0].pref, 10);
		T_EQ_S(mx.mx[0].name, "mx1.two.test");
		T_EQ_U(mx.mx[1].pref, 20);
		T_EQ_S(mx.mx[1].name, "mx2.two.test");
	}
	T_EQ_U(dns_ip(&c, "mx2.two.test", &l), DNS_OK);
	if (T_EQ_U(l.len, 2)) {
		T_OK(addr_is(&l.a[0], "192.0.2.12"));
		T_OK(addr_is(&l.a[1], "2001:db8::12"));
	}
	T_EQ_U(dns_ip(&c, "mx1.two.test", &l), DNS_OK);
	T_EQ_U(l.len, 1);
	T_EQ_U(dns_ip6(&c, "mx1.two.test", &l), DNS_NODATA);
	/* no MX: "no data", and the addresses are there */
	T_EQ_U(dns_mx(&c, "plain.test", &mx), DNS_NODATA);
	T_EQ_U(mx.len, 0);
	T_EQ_U(dns_ip(&c, "plain.test", &l), DNS_OK);
	if (T_EQ_U(l.len, 2)) {
		T_OK(addr_is(&l.a[0], "192.0.2.20"));
		T_OK(addr_is(&l.a[1], "2001:db8::20"));
	}
	/* a CNAME, followed */
	T_EQ_U(dns_ip(&c, "alias.test", &l), DNS_OK);
	T_EQ_U(l.len, 2);
	T_EQ_U(dns_cname(&c, "alias.test", &s), DNS_OK);
	T_EQ_MEM(s.s, s.len, "plain.test", 10);
	/* NXDOMAIN */
	T_EQ_U(dns_mx(&c, "nothere.test", &mx), DNS_NXDOMAIN);
	T_EQ_U(dns_ip(&c, "nothere.test", &l), DNS_NXDOMAIN);
	T_EQ_U(dns_ip4(&c, "nothere.two.test", &l), DNS_NXDOMAIN);
	/* PTR from the host records */
	ip_scan_all("192.0.2.20", 10, &ip);
	T_EQ_U(dns_ptr(&c, &ip, &s), DNS_OK);
	T_EQ_MEM(s.s, s.len, "plain.test", 10);
	ip_scan_all("2001:db8::12", 12, &ip);
	T_EQ_U(dns_ptr(&c, &ip, &s), DNS_OK);
	T_EQ_MEM(s.s, s.len, "mx2.two.test", 12);
	/* over IPv6, and with the server given as $QMAIL_DNS_SERVER would give it */
	if (srv.v6) {
		char v[64];
		snprintf(v, sizeof v, "[::1]:%u", srv.dport);
		T_OK(dns_conf_servers(&c, v));
		T_EQ_U(c.ns[0].family, 6);
		T_EQ_U(dns_mx(&c, "two.test", &mx), DNS_OK);
		T_EQ_U(mx.len, 2);
	}
	/* many lookups in a row: no descriptor leaks */
	{
		int before = dup(0), after;
		close(before);
		for (i = 0; i < 50; i++)
			dns_ip(&c, "plain.test", &l);
		after = dup(0);
		close(after);
		T_EQ_U(after, before);
	}
	stop(srv.dnsmasq);
	srv.dnsmasq = 0;
	dns_mxlist_free(&mx);
	ip_list_free(&l);
	sa_free(&s);
}

const t_case t_cases[] = {
	T_CASE(t_fake_mx),
	T_CASE(t_fake_tcp),
	T_CASE(t_fake_noise),
	T_CASE(t_fake_status),
	T_CASE(t_fake_cname),
	T_CASE(t_fake_edns),
	T_CASE(t_fake_random),
	T_CASE(t_fake_servers),
	T_CASE(t_fake_ptr),
	T_CASE(t_env),
	T_CASE(t_fake_stop),
	T_CASE(t_dnsmasq),
	T_END,
};
