/*
 * smtpdata.h - a message made fit for the SMTP DATA command (RFC 5321 4.5.2): every
 * line ends in CRLF, a line that starts with '.' gets one more, and the end is
 * ".\r\n". Input lines end in LF; an input CRLF stays one CRLF and a CR on its own
 * becomes CRLF too, so no lone CR or LF ever reaches the wire. The encoder is
 * incremental (any chunking gives the same bytes) and also measures the message:
 * its size as RFC 1870 counts it and whether it has 8-bit bytes.
 */
#ifndef SMTPDATA_H
#define SMTPDATA_H

#include <stddef.h>
#include <stdint.h>

#include "sa.h"

typedef struct smtpdata_s {
	int state;     /* 0 at the start of a line, 1 inside a line, 2 after a CR */
	uint64_t size; /* bytes sent so far, without stuffed dots (RFC 1870 SIZE) */
	int eightbit;  /* a byte above 127 was seen */
} smtpdata;
/* clang-format off */
#define SMTPDATA_ZERO {0, 0, 0}
/* clang-format on */

int smtpdata_put(smtpdata *d, sa *out, const char *s, size_t n);
int smtpdata_end(smtpdata *d, sa *out);

#endif
