/*
 * tcp-env - describe the TCP connection on stdin in the environment, then run a
 * server (for inetd and the like; tcpserver does this itself).
 *
 *	tcp-env [-rR] [-t timeout] prog [arg...]
 *
 * From the socket on fd 0 (IPv4 or IPv6; an IPv4 peer of a dual-stack socket is
 * shown as IPv4) it sets PROTO=TCP, TCPLOCALIP, TCPLOCALPORT, TCPREMOTEIP and
 * TCPREMOTEPORT; TCPLOCALHOST and TCPREMOTEHOST from the reverse DNS (PTR) names of
 * the two addresses, not confirmed by a forward lookup and unset unless they are
 * plain host names; TCPREMOTEINFO from the peer's IDENT (RFC 1413) server with -r
 * (the default), within timeout seconds (default 30), unset when there is none or
 * with -R. The values an attacker controls (host names, IDENT) are reduced to
 * printable ASCII. If PROTO is already TCP the environment came from a program that
 * knows the connection (tcpserver), and prog runs with it unchanged.
 *
 * DIAGNOSTICS: exit 100 for a usage error; 111 when fd 0 is not a TCP socket or
 * prog cannot be run; otherwise prog's own.
 */
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "die.h"
#include "env.h"
#include "fmt.h"
#include "ip.h"
#include "scan.h"
#include "sock.h"
#include "str.h"
#include "tm.h"

#define EXIT_USAGE 100
#define EXIT_TEMP  111
#define IDENT_PORT 113
#define IDENT_MAX  512 /* longest user id kept (RFC 1413 allows 512 octets) */

typedef struct {
	ip_addr ip;    /* address, unmapped */
	uint16_t port; /* port */
} end;

/* usage - a malformed command line */
static _Noreturn void usage(void)
{
	die_x(EXIT_USAGE, "usage: tcp-env [-rR] [-t timeout] program [arg ...]", (char *)0);
}

/* set - setenv, or a fatal error */
static void set(const char *name, const char *value)
{
	if (setenv(name, value, 1) == -1)
		die_sys(EXIT_TEMP, "unable to set ", name, (char *)0);
}

/* set_end - NAMEIP and NAMEPORT for one end of the connection */
static void set_end(const char *ipname, const char *portname, const end *e)
{
	char ip[IP_FMT], port[FMT_U64];
	ip[ip_fmt(ip, &e->ip)] = 0;
	port[fmt_u64(port, e->port)] = 0;
	set(ipname, ip);
	set(portname, port);
}

/* hostname - whether s is a plain host name: letters, digits, '-', '.', '_' */
static int hostname(const char *s)
{
	size_t n = strlen(s), i;
	if (!n || n > 255)
		return 0;
	for (i = 0; i < n; ++i)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '.' || s[i] == '_'))
			return 0;
	return 1;
}

/* set_host - name the PTR name of the address sa, or unset it */
static void set_host(const char *name, const struct sockaddr_storage *ss, socklen_t len)
{
	char host[NI_MAXHOST];
	if (getnameinfo((const struct sockaddr *)ss, len, host, sizeof host, 0, 0, NI_NAMEREQD) ==
		    0 &&
	    hostname(host))
		set(name, host);
	else if (unsetenv(name) == -1)
		die_sys(EXIT_TEMP, "unable to unset ", name, (char *)0);
}

/* trim - s[0..*n) without the blanks at either end */
static const char *trim(const char *s, size_t *n)
{
	while (*n && (*s == ' ' || *s == '\t')) {
		++s;
		--*n;
	}
	while (*n && (s[*n - 1] == ' ' || s[*n - 1] == '\t'))
		--*n;
	return s;
}

/* number - whether the trimmed s[0..n) is the decimal number want */
static int number(const char *s, size_t n, uint64_t want)
{
	uint64_t u;
	s = trim(s, &n);
	return scan_u64_all(s, n, &u) && u == want;
}

/* ident_line - one reply line from fd within deadline (monotonic ms); its length,
 * 0 if none came */
static size_t ident_line(int fd, char *line, size_t max, uint64_t deadline)
{
	size_t n = 0;
	while (n < max) {
		struct pollfd p = {fd, POLLIN, 0};
		uint64_t now = tm_mono_ms();
		ssize_t r;
		if (now >= deadline || poll(&p, 1, (int)(deadline - now)) <= 0)
			return 0;
		r = read(fd, line + n, max - n);
		if (r <= 0)
			return 0;
		n += (size_t)r;
		if (memchr(line, '\n', n))
			return byte_chr(line, n, '\n');
	}
	return 0;
}

/* ident - ask the peer's IDENT server who owns the connection; TCPREMOTEINFO */
static void ident(const end *local, const end *remote, unsigned seconds)
{
	char q[2 * FMT_U64 + 8], line[IDENT_MAX + 200];
	const char *f;
	size_t n, len, i, c1, c2, c3;
	uint64_t deadline = tm_mono_ms() + (uint64_t)seconds * 1000;
	int fd = sock_connect(&remote->ip, IDENT_PORT, &local->ip, seconds * 1000);
	if (unsetenv("TCPREMOTEINFO") == -1)
		die_sys(EXIT_TEMP, "unable to unset TCPREMOTEINFO", (char *)0);
	if (fd == -1)
		return;
	n = fmt_u64(q, remote->port);
	memcpy(q + n, " , ", 3);
	n += 3;
	n += fmt_u64(q + n, local->port);
	memcpy(q + n, "\r\n", 2);
	n += 2;
	if (write(fd, q, n) != (ssize_t)n || !(n = ident_line(fd, line, sizeof line, deadline))) {
		close(fd);
		return;
	}
	close(fd);
	if (line[n - 1] == '\r')
		--n;
	/* "RPORT , LPORT : USERID : OPSYS : id", where the id may hold colons */
	c1 = byte_chr(line, n, ':');
	c2 = c1 < n ? c1 + 1 + byte_chr(line + c1 + 1, n - c1 - 1, ':') : n;
	c3 = c2 < n ? c2 + 1 + byte_chr(line + c2 + 1, n - c2 - 1, ':') : n;
	if (c3 >= n)
		return;
	i = byte_chr(line, c1, ',');
	if (i == c1 || !number(line, i, remote->port) ||
	    !number(line + i + 1, c1 - i - 1, local->port))
		return;
	len = c2 - c1 - 1;
	f = trim(line + c1 + 1, &len);
	if (len != 6 || !case_equalb(f, 6, "USERID"))
		return;
	len = n - c3 - 1;
	f = trim(line + c3 + 1, &len);
	if (!len)
		return;
	if (len > IDENT_MAX)
		len = IDENT_MAX;
	memmove(line, f, len);
	for (i = 0; i < len; ++i)
		if ((unsigned char)line[i] < 32 || (unsigned char)line[i] > 126)
			line[i] = '?';
	line[len] = 0;
	set("TCPREMOTEINFO", line);
}

/* describe - the environment for the connection on fd 0 */
static void describe(int doident, unsigned seconds)
{
	struct sockaddr_storage lss, rss;
	socklen_t llen = sizeof lss, rlen = sizeof rss;
	end local, remote;
	if (getsockname(0, (struct sockaddr *)&lss, &llen) == -1 ||
	    getpeername(0, (struct sockaddr *)&rss, &rlen) == -1 ||
	    !sock_local(0, &local.ip, &local.port) || !sock_remote(0, &remote.ip, &remote.port))
		die_sys(EXIT_TEMP, "unable to get the addresses of the connection on fd 0",
			(char *)0);
	ip_unmap(&local.ip);
	ip_unmap(&remote.ip);
	set("PROTO", "TCP");
	set_end("TCPLOCALIP", "TCPLOCALPORT", &local);
	set_end("TCPREMOTEIP", "TCPREMOTEPORT", &remote);
	set_host("TCPLOCALHOST", &lss, llen);
	set_host("TCPREMOTEHOST", &rss, rlen);
	if (doident)
		ident(&local, &remote, seconds);
	else if (unsetenv("TCPREMOTEINFO") == -1)
		die_sys(EXIT_TEMP, "unable to unset TCPREMOTEINFO", (char *)0);
}

int main(int argc, char **argv)
{
	const char *proto = env_get("PROTO");
	uint64_t secs = 30;
	int doident = 1, opt;
	die_init(argv[0]);
	opterr = 0;
	while ((opt = getopt(argc, argv, "+rRt:")) != -1)
		switch (opt) {
		case 'r':
		case 'R':
			doident = opt == 'r';
			break;
		case 't':
			if (!scan_u64_all(optarg, strlen(optarg), &secs) || !secs || secs > 3600)
				usage();
			break;
		default:
			usage();
		}
	argv += optind;
	if (!*argv)
		usage();
	if (!proto || !str_equal(proto, "TCP"))
		describe(doident, (unsigned)secs);
	execvp(argv[0], argv);
	die_sys(EXIT_TEMP, "unable to run ", argv[0], (char *)0);
}
