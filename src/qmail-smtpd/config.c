/*
 * config.c - what qmail-smtpd reads before its greeting: the tcpserver environment
 * (TCPREMOTEIP, TCPREMOTEHOST, TCPREMOTEINFO, TCPLOCALHOST, TCPLOCALIP, RELAYCLIENT,
 * DATABYTES, GREETDELAY), the control files (cwd QMAILHOME) and this host's
 * addresses. Any failure is reported on fd 2 and answered with a 421 reply.
 */
#include <errno.h>
#include <string.h>

#include "control.h"
#include "die.h"
#include "env.h"
#include "scan.h"
#include "smtpd.h"
#include "sock.h"

/* env_or - the value of name, or def when it is unset */
static const char *env_or(const char *name, const char *def)
{
	const char *v = env_get(name);
	return v ? v : def;
}

/* env_number - a decimal environment variable: 1 set, 0 unset, -1 not a number */
static int env_number(const char *name, uint64_t *u)
{
	const char *v = env_get(name);
	if (!v)
		return 0;
	return scan_u64_all(v, strlen(v), u) ? 1 : -1;
}

/* number - control/NAME as a number, def when absent; 0 on a bad file */
static int number(uint64_t *u, const char *name, uint64_t def)
{
	int r = control_readint(u, name);
	if (r == 0)
		*u = def;
	if (r == -1)
		warn_sys("unable to read ", name, NULL);
	return r != -1;
}

/* controls - the control files and DATABYTES, GREETDELAY; 0 on failure */
static int controls(config *c)
{
	uint64_t u;
	int r;
	if (control_init() == -1) {
		warn_sys("unable to read control/me", NULL);
		return 0;
	}
	if (control_rldef(&c->greeting, "control/smtpgreeting", 1, 0) == -1 ||
	    !sa_0(&c->greeting)) {
		warn_sys("unable to read control/smtpgreeting (nor control/me)", NULL);
		return 0;
	}
	r = control_rldef(&c->liphost, "control/localiphost", 1, 0);
	if (r == -1 && errno != ENOENT) {
		warn_sys("unable to read control/localiphost", NULL);
		return 0;
	}
	if (r == 1 && !sa_0(&c->liphost))
		return 0;
	c->info.liphost = r == 1 ? c->liphost.s : 0;
	if (!number(&u, "control/timeoutsmtpd", SMTPD_TIMEOUT))
		return 0;
	c->timeout = u == 0 ? 1 : u > 86400 * 7 ? 86400 * 7 : (unsigned)u;
	if (!number(&c->session, "control/timeoutsmtpdsession", SMTPD_SESSION) ||
	    !number(&c->minrate, "control/smtpdminrate", SMTPD_MINRATE) ||
	    !number(&c->greetdelay, "control/smtpdgreetdelay", SMTPD_GREETDELAY) ||
	    !number(&c->lim.databytes, "control/databytes", 0))
		return 0;
	if (env_number("DATABYTES", &c->lim.databytes) == -1 ||
	    env_number("GREETDELAY", &c->greetdelay) == -1) {
		warn_x("DATABYTES or GREETDELAY is not a number", NULL);
		return 0;
	}
	if (!policy_load(&c->pol)) {
		warn_sys("unable to read ", c->pol.failed, NULL);
		return 0;
	}
	return 1;
}

/* config_load - everything the session needs: 1, or 0 with c->why set */
int config_load(config *c)
{
	const char *local;
	memset(c, 0, sizeof *c);
	c->lim.linemax = SMTP_LINEMAX;
	c->lim.addrmax = SMTP_ADDRMAX;
	c->lim.rcptmax = SMTP_RCPTMAX;
	c->lim.hopmax = SMTP_HOPMAX;
	c->why = R_CONTROLS;
	if (!controls(c))
		return 0;
	local = env_get("TCPLOCALHOST");
	if (!local)
		local = env_or("TCPLOCALIP", "unknown");
	c->info.greeting = c->greeting.s;
	c->info.localhost = local;
	c->info.remotehost = env_or("TCPREMOTEHOST", "unknown");
	c->info.remoteip = env_or("TCPREMOTEIP", "unknown");
	c->info.remoteinfo = env_get("TCPREMOTEINFO");
	c->info.relayclient = env_get("RELAYCLIENT");
	c->why = 0;
	return 1;
}
