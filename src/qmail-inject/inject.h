/*
 * inject.h - the state qmail-inject's modules share: what the options, environment
 * and control files asked for, and what reading the header found.
 */
#ifndef INJECT_H
#define INJECT_H

#include "buf.h"
#include "hdr.h"
#include "hdraddr.h"
#include "qq.h"
#include "sa.h"

typedef struct inject_s {
	char mode;           /* recipients from: 'a' args, 'h' header, 'A' either, 'H' both */
	int print;           /* -n: print the message instead of queueing it */
	const char *fsender; /* -f's argument, or 0 */
	int flag_comment;    /* QMAILINJECT c: From as "addr (Full Name)" */
	int flag_skiprp;     /* QMAILINJECT s: ignore an incoming Return-Path */
	int flag_delfrom;    /* QMAILINJECT f: delete incoming From (and Resent-From) */
	int flag_delmsgid;   /* QMAILINJECT i: delete incoming Message-ID (and Resent-) */
	int flag_verprcpt;   /* QMAILINJECT r: per-recipient VERP sender */
	int flag_verpmsg;    /* QMAILINJECT m: per-message VERP sender */
	sa defdomain;        /* control/defaultdomain or $QMAILDEFAULTDOMAIN, NUL-ended */
	sa defhost;          /* control/defaulthost or $QMAILDEFAULTHOST, NUL-ended */
	sa idhost;           /* control/idhost or $QMAILIDHOST, NUL-ended */
	sa plusdomain;       /* control/plusdomain or $QMAILPLUSDOMAIN, NUL-ended */
	hdr_rw rw;           /* the rewriting rules made of the four above */
	const char *user;    /* From user */
	const char *host;    /* From host, or 0 for defaulthost */
	const char *name;    /* personal name, or 0 */
	const char *suser;   /* envelope sender user, or 0 for user */
	const char *shost;   /* envelope sender host, or 0 for host */
	const char *mftfile; /* $QMAILMFTFILE, or 0 */
	buf in;              /* standard input */
	char inspace[8192];  /* storage for in */
	buf so;              /* standard output, for -n */
	char sospace[8192];  /* storage for so */
	qq q;                /* the queue, without -n */
	sa head;             /* the header as read, and the first body line if any */
	hdr h;               /* its fields */
	sa out;              /* the header to write, rewritten and completed */
	sa hrcpt;            /* recipients from the header, each NUL-terminated */
	sa tocc;             /* To and Cc addresses, for Mail-Followup-To */
	int seen[HDR_NIDS];  /* which known fields the output header has */
	int has_rp;          /* an incoming Return-Path gave the sender */
	sa rp;               /* that sender */
	sa sender;           /* the envelope sender */
	sa arcpt;            /* recipients from the arguments, each NUL-terminated */
	hdr_alist al;        /* scratch for address lists */
} inject;

void fix_header(inject *s);
void fix_complete(inject *s);
void fix_args(inject *s, char **argv);

_Noreturn void die_nomem(void);

#endif
