/*
 * policy.c - rcpthosts, morercpthosts.cdb, badmailfrom and recipients.cdb.
 *
 * Relaying is rcpthosts(3), shared with qmail-qmtpd. badmailfrom is read into the
 * same sorted list, so each look-up is a binary search.
 *
 * Recipient validation (qmail-recipients(5)): with control/recipients.cdb, a
 * recipient LOCAL@DOMAIN whose key "@DOMAIN" is present must also be found as
 * "LOCAL@DOMAIN", or as a prefix entry "PREFIX@DOMAIN" with data "*" where PREFIX is
 * LOCAL cut just after one of its '-' (a .qmail-PREFIXdefault file); "@DOMAIN" with
 * data "*" accepts every local part. Domains without an "@DOMAIN" key are not checked.
 */
#include "policy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "auto.h"
#include "control.h"
#include "str.h"

/* cdb_open - open and map control/NAME.cdb into *fd and *c; -1, 0 absent, 1 */
static int cdb_open(int *fd, cdb *c, const char *name)
{
	int e;
	*fd = open(name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (*fd == -1)
		return errno == ENOENT ? 0 : -1;
	if (cdb_init(c, *fd))
		return 1;
	e = errno;
	close(*fd);
	*fd = -1;
	errno = e;
	return -1;
}

/* policy_load - read the policy files (cwd QMAILHOME): 1, or 0 with errno and
 * p->failed naming the file */
int policy_load(policy *p)
{
	memset(p, 0, sizeof *p);
	p->rcpt_fd = -1;
	if (!rcpthosts_load(&p->rh, &p->failed))
		return 0;
	p->failed = "control/badmailfrom";
	if (ctlset_load(&p->bmf, p->failed) == -1)
		return 0;
	p->failed = "control/recipients.cdb";
	if (cdb_open(&p->rcpt_fd, &p->rcpt, p->failed) == -1)
		return 0;
	p->failed = 0;
	return 1;
}

/* policy_free - release the lists and close the cdbs */
void policy_free(policy *p)
{
	rcpthosts_free(&p->rh);
	ctlset_free(&p->bmf);
	if (p->rcpt_fd != -1) {
		cdb_free(&p->rcpt);
		close(p->rcpt_fd);
	}
	sa_free(&p->key);
	sa_free(&p->pkey);
	p->rcpt_fd = -1;
}

/* lower - p->key = s in lower case (no NUL added); 0 out of memory */
static int lower(policy *p, const char *s, size_t n)
{
	if (!sa_copyb(&p->key, s, n))
		return 0;
	case_lowerb(p->key.s, p->key.len);
	return 1;
}

/* policy_badmailfrom - whether sender, or "@" + its domain, is in badmailfrom */
int policy_badmailfrom(void *ctx, const char *sender)
{
	policy *p = ctx;
	size_t n = strlen(sender);
	size_t at = byte_rchr(sender, n, '@');
	if (!p->bmf.n || !n)
		return 0;
	if (!lower(p, sender, n))
		return -1;
	if (ctlset_has(&p->bmf, p->key.s, n))
		return 1;
	return at < n && ctlset_has(&p->bmf, p->key.s + at, n - at);
}

/* policy_rcpthosts - whether rcpt's domain is one we accept mail for */
int policy_rcpthosts(void *ctx, const char *rcpt)
{
	policy *p = ctx;
	return rcpthosts_check(&p->rh, rcpt);
}

/* find - look key up in recipients.cdb: -1 error, 0 absent, 1 found; *star is
 * whether its data is "*" (a prefix entry) */
static int find(policy *p, const char *key, size_t n, int *star)
{
	char c;
	int r = cdb_find(&p->rcpt, key, n);
	*star = 0;
	if (r != 1)
		return r;
	if (cdb_datalen(&p->rcpt) == 1) {
		if (!cdb_read(&p->rcpt, &c, 1, cdb_datapos(&p->rcpt)))
			return -1;
		*star = c == '*';
	}
	return 1;
}

/* policy_rcptknown - whether rcpt may exist: 1 yes (or not ours to check), 0 no */
int policy_rcptknown(void *ctx, const char *rcpt)
{
	policy *p = ctx;
	size_t n = strlen(rcpt);
	size_t at = byte_rchr(rcpt, n, '@');
	size_t i;
	int r, star;
	if (p->rcpt_fd == -1 || at == n)
		return 1;
	if (!lower(p, rcpt, n))
		return -1;
	r = find(p, p->key.s + at, n - at, &star); /* "@DOMAIN" */
	if (r != 1 || star)
		return r == 0 ? 1 : r;
	if (at == 0)
		return 0;                /* an empty local part is nobody */
	r = find(p, p->key.s, n, &star); /* "LOCAL@DOMAIN" */
	if (r)
		return r;
	for (i = at; i > 0; --i) {
		if (p->key.s[i - 1] != AUTO_BREAK)
			continue;
		/* "PREFIX@DOMAIN", PREFIX = LOCAL cut after this break character */
		if (!sa_copyb(&p->pkey, p->key.s, i) || !sa_catb(&p->pkey, p->key.s + at, n - at))
			return -1;
		r = find(p, p->pkey.s, p->pkey.len, &star);
		if (r == -1 || (r == 1 && star))
			return r;
	}
	return 0;
}
