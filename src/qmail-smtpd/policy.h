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
#include "sa.h"

typedef struct strset_s {
	sa text;        /* the items, lower case, each NUL-terminated */
	const char **v; /* the items sorted (pointers into text, which no longer grows) */
	size_t n;       /* items in v */
} strset;

typedef struct policy_s {
	int has_rh;         /* control/rcpthosts exists: relaying is restricted */
	strset rh;          /* control/rcpthosts */
	strset bmf;         /* control/badmailfrom */
	int mrh_fd;         /* control/morercpthosts.cdb, -1 if absent */
	cdb mrh;            /* its reader */
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
