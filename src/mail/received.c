/*
 * received.c - the Received line of qmail-smtpd, qmail-qmtpd and qmail-qmqpd.
 *
 * The HELO part appears only when a HELO argument is given and differs (in ASCII
 * case) from REMOTEHOST; INFO@ only when TCPREMOTEINFO is set. Every string from the
 * peer or the environment goes through an allow-list, [A-Za-z0-9.@%+/=:-] and the
 * brackets of address literals: any other byte becomes '?', so a header line can
 * never be split, extended or given a comment by what a client chose to say.
 */
#include "received.h"

#include <string.h>

#include "env.h"
#include "str.h"
#include "tm.h"

/* received_safe - append s with every byte outside the allow-list as '?' */
int received_safe(sa *out, const char *s)
{
	size_t n = strlen(s);
	size_t i;
	if (!sa_readyplus(out, n))
		return 0;
	for (i = 0; i < n; ++i) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      (c && strchr(".@%+/=:-[]", c))))
			c = '?';
		out->s[out->len++] = c;
	}
	return 1;
}

/* received_line - the line above into out (replaced), dated t */
int received_line(sa *out, const received *r, time_t t)
{
	out->len = 0;
	if (!sa_cats(out, "Received: from ") || !received_safe(out, r->remotehost))
		return 0;
	if (r->helo && !case_equals(r->helo, r->remotehost) &&
	    (!sa_cats(out, " (HELO ") || !received_safe(out, r->helo) || !sa_catc(out, ')')))
		return 0;
	if (!sa_cats(out, " ("))
		return 0;
	if (r->remoteinfo && (!received_safe(out, r->remoteinfo) || !sa_catc(out, '@')))
		return 0;
	return received_safe(out, r->remoteip) && sa_cats(out, ")\n  by ") &&
	       received_safe(out, r->localhost) && sa_cats(out, " with ") &&
	       sa_cats(out, r->proto) && sa_cats(out, "; ") && date_utc822(out, t) &&
	       sa_catc(out, '\n');
}

/* env_or - the environment variable name, or def when it is not set */
static const char *env_or(const char *name, const char *def)
{
	const char *v = env_get(name);
	return v ? v : def;
}

/* received_env - fill r from tcpserver's environment, for a protocol without HELO */
void received_env(received *r, const char *proto)
{
	r->proto = proto;
	r->remotehost = env_or("TCPREMOTEHOST", "unknown");
	r->helo = 0;
	r->remoteinfo = env_get("TCPREMOTEINFO");
	r->remoteip = env_or("TCPREMOTEIP", "unknown");
	r->localhost = env_or("TCPLOCALHOST", env_or("TCPLOCALIP", "unknown"));
}
