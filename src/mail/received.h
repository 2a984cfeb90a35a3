/*
 * received.h - the Received line a network server puts above each message it
 * queues (SPEC sections 9 and 13):
 *
 *	Received: from REMOTEHOST (HELO helo) (INFO@IP)
 *	  by LOCALHOST with PROTO; 29 Nov 2026 13:42:07 -0000
 */
#ifndef RECEIVED_H
#define RECEIVED_H

#include <time.h>

#include "sa.h"

typedef struct received_s {
	const char *proto;      /* "SMTP", "QMTP", "QMQP" */
	const char *remotehost; /* TCPREMOTEHOST, else "unknown" */
	const char *helo;       /* HELO/EHLO argument, or 0 for no HELO part */
	const char *remoteinfo; /* TCPREMOTEINFO, or 0 */
	const char *remoteip;   /* TCPREMOTEIP, else "unknown" */
	const char *localhost;  /* TCPLOCALHOST, else TCPLOCALIP, else "unknown" */
} received;

void received_env(received *r, const char *proto);
int received_safe(sa *out, const char *s);
int received_line(sa *out, const received *r, time_t t);

#endif
