/*
 * rreport.h - the report qmail-rspawn makes of one qmail-remote run (SPEC section 5):
 * from qmail-remote's output (recipient reports r/h/s, then a message report K/Z/D,
 * each a letter, text and NUL) and its wait status, the one status letter and text
 * that go to qmail-send. Beyond qmail, qmail-rspawn may give one run several recipients
 * (spawn.h): rreport_rcpt makes the report of the i-th of them.
 */
#ifndef RREPORT_H
#define RREPORT_H

#include <stddef.h>

#include "sa.h"

#define RREPORT_OUTMAX 65536 /* output of one run that qmail-rspawn keeps */

int rreport_make(sa *text, char *status, const char *out, size_t len, int wstat);
int rreport_rcpt(sa *text, char *status, const char *out, size_t len, int wstat, size_t i);

#endif
