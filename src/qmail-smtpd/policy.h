/*
 * policy.h - the lookups behind RCPT: control/rcpthosts and morercpthosts.cdb (whose
 * mail we accept), control/badmailfrom (whose mail we refuse), and
 * control/recipients.cdb (which local and virtual recipients exist, qmail-recipients(5)).
 * policy_load reads the files once; the lookups then only read the open cdbs. Each
 * lookup has the smtp_ops callback signature: ctx is the policy.
 */
#ifndef POLICY_H
#define POLICY_H

#include <stddef.h>

#include "cdb.h"
#include "rcpthosts.h"
#include "sa.h"

typedef struct policy_s {
	rcpthosts rh;       /* control/rcpthosts and morercpthosts.cdb */
	ctlset bmf;         /* control/badmailfrom */
	int rcpt_fd;        /* control/recipients.cdb, -1 if absent: no validation */
	cdb rcpt;           /* its reader */
	sa key;             /* scratch: a lookup key */
	sa pkey;            /* scratch: a prefix key */
	const char *failed; /* after policy_load fails: the file */
} policy;

int policy_load(policy *p);
void policy_free(policy *p);
int policy_badmailfrom(void *p, const char *sender);
int policy_rcpthosts(void *p, const char *rcpt);
int policy_rcptknown(void *p, const char *rcpt);

#endif
