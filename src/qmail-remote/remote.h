/*
 * remote.h - the state of qmail-remote and its modules:
 *   main.c     arguments, control files, the reports on fd 1 and the one exit
 *   addrs.c    which protocol and where to connect: qmtproutes, smtproutes, address
 *              literals, MX and A/AAAA records
 *   conn.c     the connection, with the timeout table
 *   cache.c    a connection kept open between runs, through qmail-rspawn
 *   smtp.c     the SMTP dialogue
 *   qmtp.c     the QMTP package and its replies
 *   message.c  the message from fd 0: measured before, encoded while sending
 */
#ifndef REMOTE_H
#define REMOTE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "ip.h"
#include "sa.h"
#include "smtpreply.h"
#include "smtproute.h"

typedef struct target_s {
	ip_addr ip;    /* where to connect */
	unsigned pref; /* MX preference (0 for routes, literals and A records) */
} target;

typedef struct remote_s {
	const char *host;     /* the recipient domain (argv[1]) */
	const char *sender;   /* the envelope sender (argv[2]) */
	char **rcpt;          /* the recipients (argv[3..]) */
	size_t nrcpt;         /* how many */
	sa helo;              /* control/helohost, else control/me */
	sa routes;            /* control/smtproutes, as items */
	sa qroutes;           /* control/qmtproutes, as items */
	int qmtp;             /* a qmtproutes item matched: deliver by QMTP */
	int routed;           /* route holds the matching item of one of the two files */
	smtproute route;      /* that item */
	unsigned tconnect;    /* milliseconds allowed for a connect */
	unsigned tremote;     /* milliseconds allowed for each reply and each write */
	unsigned port;        /* 25 (SMTP) or 209 (QMTP) unless a route says otherwise */
	target *t;            /* the addresses to try, in order; owned */
	size_t nt;            /* addresses in use */
	size_t at;            /* addresses allocated */
	char ip[IP_FMT];      /* the address connected to, as text */
	int fd;               /* the connection, -1 when there is none */
	int cmdstate;         /* the server awaits a command: QUIT may be sent */
	int sentdot;          /* the final dot went out: losing the line now may duplicate */
	buf in;               /* replies */
	buf out;              /* commands and the message */
	char inspace[4096];   /* in's storage */
	char outspace[16384]; /* out's storage */
	smtpreply reply;      /* the last reply */
	sa report;            /* what goes to fd 1 at the end */
	sa cmd;               /* scratch: one command */
	int sized;            /* the message was measured: size and eightbit are known */
	off_t start;          /* where the message starts on fd 0, when sized */
	uint64_t size;        /* its size in SMTP form (RFC 1870) */
	int eightbit;         /* it has bytes above 127 */
} remote;

_Noreturn void finish(remote *r, char status, int said, const char *s, ...)
	__attribute__((sentinel));
_Noreturn void nomem(remote *r);
void rcpt_report(remote *r, char c);

void addrs_route(remote *r);
void addrs_find(remote *r);

void conn_open(remote *r);
int conn_reuse(remote *r, int fd);
_Noreturn void conn_lost(remote *r);

int cache_take(void);
void cache_give(remote *r);

void smtp_deliver(remote *r);
_Noreturn void qmtp_deliver(remote *r);

/* message_send results besides 1 */
#define MESSAGE_NET     0  /* the connection failed */
#define MESSAGE_READ    -1 /* fd 0 could not be read */
#define MESSAGE_PARTIAL -2 /* the message does not end with a line feed */

void message_measure(remote *r);
int message_send(remote *r);

#endif
