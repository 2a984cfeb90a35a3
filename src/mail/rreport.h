/*
 * rreport.h - the report qmail-rspawn makes of one qmail-remote run (SPEC section 5):
 * from qmail-remote's output (recipient reports r/h/s, then a message report K/Z/D,
 * each a letter, text and NUL) and its wait status, the one status letter and text
 * that go to qmail-send. Beyond qmail, qmail-rspawn may give one run several recipients
 * (spawn.h): rreport_start reads the run once, and rreport_next then makes the report
 * of each of them in turn (rreport_rcpt of one of them alone).
 */
#ifndef RREPORT_H
#define RREPORT_H

#include <stddef.h>

#include "sa.h"

#define RREPORT_OUTMAX 65536 /* output of one run that qmail-rspawn keeps */

/* rreport - a run's output read once, handing out one recipient's report at a time */
typedef struct rreport_s {
	const char *out;  /* the output */
	size_t len;       /* its length */
	char own;         /* 0, or the status every recipient gets with text */
	const char *text; /* our own text: the run failed */
	int addout;       /* the output follows our own text */
	int single;       /* only a message report: it is every recipient's */
	char ml;          /* the message report: its letter, */
	const char *ms;   /* its text */
	size_t mn;        /* and the text's length */
	size_t next;      /* where the next recipient report starts */
	size_t left;      /* recipient reports not yet handed out */
} rreport;

void rreport_start(rreport *r, const char *out, size_t len, int wstat);
int rreport_next(rreport *r, sa *text, char *status);
int rreport_rcpt(sa *text, char *status, const char *out, size_t len, int wstat, size_t i);

#endif
