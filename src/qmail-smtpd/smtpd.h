/*
 * smtpd.h - qmail-smtpd's modules. The SMTP session (session.c, commands.c) is a
 * state machine with no I/O of its own: the driver (run.c) feeds it the bytes that
 * arrive and writes out the replies it collects; everything else the session needs
 * (policy lookups, the queue, the clock) it asks for through smtp_ops, so a test or
 * a fuzzer can drive it with fakes. Every bound on what a peer can make it hold is
 * in smtp_limits.
 */
#ifndef SMTPD_H
#define SMTPD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "data.h"
#include "ip.h"
#include "policy.h"
#include "sa.h"

#define SMTP_LINEMAX 2048 /* command line without CRLF: 512 of RFC 5321, room for params */
#define SMTP_ADDRMAX 1000 /* address after unquoting (SPEC 0); qmail-queue takes 1002 */
#define SMTP_RCPTMAX 1000 /* recipients per message; the next one gets 452 */
#define SMTP_HOPMAX  100  /* Received/Delivered-To lines that mean a mail loop */

typedef struct smtp_limits_s {
	size_t linemax;       /* longest command line, without its line end */
	size_t addrmax;       /* longest address */
	size_t rcptmax;       /* recipients accepted per message */
	uint64_t databytes;   /* largest message in stored bytes; 0 for no limit */
	unsigned long hopmax; /* hops that make the message a loop */
} smtp_limits;

typedef struct smtp_info_s {
	const char *greeting;    /* control/smtpgreeting */
	const char *localhost;   /* TCPLOCALHOST, else TCPLOCALIP, else "unknown" */
	const char *remotehost;  /* TCPREMOTEHOST, else "unknown" */
	const char *remoteip;    /* TCPREMOTEIP, else "unknown" */
	const char *remoteinfo;  /* TCPREMOTEINFO, or 0 */
	const char *relayclient; /* RELAYCLIENT (appended to recipients), or 0 */
	const char *liphost;     /* control/localiphost, or 0: no literal rewriting */
} smtp_info;

/* Callbacks. Lookups return 1 yes, 0 no, -1 temporary error. */
typedef struct smtp_ops_s {
	void *ctx;                                         /* passed to every callback */
	int (*badmailfrom)(void *ctx, const char *sender); /* sender is listed */
	int (*rcpthosts)(void *ctx, const char *rcpt);     /* domain is ours to accept */
	int (*rcptknown)(void *ctx, const char *rcpt);     /* recipient may exist */
	int (*qstart)(void *ctx);                          /* 1 started, 0 failed */
	void (*qput)(void *ctx, const char *s, size_t n);  /* message bytes */
	void (*qabort)(void *ctx);                         /* queue nothing */
	const char *(*qfinish)(void *ctx, const char *from, const sa *rcpts,
			       unsigned long *qp); /* "" or "D..."/"Z..." */
	time_t (*now)(void *ctx);                  /* the wall clock */
	const ip_list *(*ipme)(void *ctx);         /* this host's addresses, listed when first
						      asked for; 0 if they cannot be */
} smtp_ops;

/* session states */
#define SMTP_CMD    0 /* reading commands */
#define SMTP_DATA   1 /* reading the body of DATA */
#define SMTP_CLOSED 2 /* done: write what is in out, then close */

typedef struct smtp_s {
	smtp_limits lim;       /* bounds */
	const smtp_info *info; /* borrowed */
	const smtp_ops *ops;   /* borrowed */
	int state;             /* SMTP_CMD, SMTP_DATA or SMTP_CLOSED */
	sa out;                /* replies not yet written */
	int nomem;             /* memory ran out: send 421 after the replies in out */
	int quit;              /* the client said QUIT */
	sa line;               /* the command line so far, at most linemax + 1 bytes */
	int lastcr;            /* the last byte of the line so far was CR */
	int bad;               /* the line holds a NUL or a CR not before LF */
	int overlong;          /* the line is longer than linemax */
	sa helo;               /* HELO/EHLO argument, NUL-terminated; remotehost before */
	int mail;              /* MAIL was accepted: a transaction is open */
	sa from;               /* the envelope sender, NUL-terminated */
	sa rcpts;              /* accepted recipients, each NUL-terminated */
	size_t nrcpt;          /* recipients in rcpts */
	sa addr;               /* scratch: the address being parsed */
	data_dec dec;          /* DATA decoder */
	hops hop;              /* hop scanner */
	uint64_t bytes;        /* stored message bytes so far */
	int toobig;            /* bytes passed databytes */
	sa chunk;              /* scratch: decoded bytes of one feed */
} smtp;

/* session.c */
int smtp_init(smtp *s, const smtp_limits *lim, const smtp_info *info, const smtp_ops *ops);
void smtp_greet(smtp *s);
void smtp_early(smtp *s);
int smtp_feed(smtp *s, const char *p, size_t n);
void smtp_eof(smtp *s);
void smtp_timeout(smtp *s, int why);
void smtp_free(smtp *s);

/* session.c and commands.c, between themselves */
#define R_SIZE "552 5.3.4 sorry, that message size exceeds my databytes limit (#5.3.4)"
void smtp_reply(smtp *s, const char *text);
void smtp_reply3(smtp *s, const char *a, const char *b, const char *c);
void smtp_close(smtp *s, const char *text);
void smtp_oom(smtp *s);
int smtp_set0(sa *x, const char *p, size_t n);
void smtp_reset(smtp *s);
void smtp_command(smtp *s);

/* smtp_timeout reasons */
#define SMTP_TIMEOUT  0 /* a read or write took longer than timeoutsmtpd */
#define SMTP_DEADLINE 1 /* the session passed its deadline */
#define SMTP_SLOW     2 /* the body arrives slower than the minimum rate */

/* config.c, run.c: the program around the session */
#define SMTPD_TIMEOUT    1200 /* default control/timeoutsmtpd, seconds per read or write */
#define SMTPD_SESSION    3600 /* default control/timeoutsmtpdsession, seconds */
#define SMTPD_MINRATE    256  /* default control/smtpdminrate, bytes per second of DATA */
#define SMTPD_RATEGRACE  60   /* seconds of DATA before the minimum rate applies */
#define SMTPD_GREETDELAY 1000 /* default control/smtpdgreetdelay, milliseconds */

#define R_NOMEM    "421 4.3.0 out of memory (#4.3.0)"
#define R_CONTROLS "421 4.3.0 unable to read controls (#4.3.0)"
#define R_IPME     "451 4.3.0 unable to figure out my IP addresses (#4.3.0)"

typedef struct config_s {
	smtp_limits lim;     /* bounds for the session */
	smtp_info info;      /* strings for replies and the Received line */
	policy pol;          /* rcpthosts, badmailfrom, recipients */
	ip_list ipme;        /* this host's addresses, once ipme_listed */
	int ipme_listed;     /* ipme has been filled in */
	sa greeting;         /* control/smtpgreeting, NUL-terminated */
	sa liphost;          /* control/localiphost, NUL-terminated */
	unsigned timeout;    /* seconds per read or write */
	uint64_t session;    /* seconds a session may last; 0 for no limit */
	uint64_t minrate;    /* bytes per second of DATA; 0 for no minimum */
	uint64_t greetdelay; /* milliseconds to wait for early talkers */
	const char *why;     /* after config_load fails: the 421 reply */
} config;

int config_load(config *c);
_Noreturn void run_refuse(const char *reply);
_Noreturn void run(config *c);

#endif
