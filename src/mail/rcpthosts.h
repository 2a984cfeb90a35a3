/*
 * rcpthosts.h - whose mail a network server accepts: control/rcpthosts and
 * control/morercpthosts.cdb (SPEC sections 9 and 13). qmail-smtpd and qmail-qmtpd
 * share this; both run with cwd QMAILHOME. Also the sorted, lower-case list
 * (ctlset) that rcpthosts and badmailfrom are read into.
 */
#ifndef RCPTHOSTS_H
#define RCPTHOSTS_H

#include <stddef.h>

#include "cdb.h"
#include "sa.h"

typedef struct ctlset_s {
	sa text;        /* the items, lower case, each NUL-terminated */
	const char **v; /* the items sorted (pointers into text, which no longer grows) */
	size_t n;       /* items in v */
} ctlset;

int ctlset_load(ctlset *x, const char *name);
int ctlset_has(const ctlset *x, const char *s, size_t n);
void ctlset_free(ctlset *x);

typedef struct rcpthosts_s {
	int has_rh; /* control/rcpthosts exists: relaying is restricted */
	ctlset rh;  /* control/rcpthosts */
	int mrh_fd; /* control/morercpthosts.cdb, -1 if absent */
	cdb mrh;    /* its reader */
	sa key;     /* scratch: the domain in lower case */
} rcpthosts;

int rcpthosts_load(rcpthosts *r, const char **failed);
int rcpthosts_check(rcpthosts *r, const char *rcpt);
void rcpthosts_free(rcpthosts *r);

#endif
