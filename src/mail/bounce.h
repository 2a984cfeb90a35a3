/*
 * bounce.h - failure notices (SPEC sections 0 and 12). qmail-send appends one
 * paragraph per failed recipient to bounce/ID (bounce_para) and, when the message is
 * done, composes the notice (bounce_write): an RFC 3464 multipart/report whose first
 * part keeps the QSBMF shape, whose second part is message/delivery-status and whose
 * third part is the original message (or only its header beyond bouncemaxbytes).
 * Nothing here opens files, allocates per recipient or holds the original in memory:
 * the paragraphs and the original are read from seekable descriptors the caller
 * opened, and the notice leaves through the caller's output function.
 *
 *	bounce_info bi = BOUNCE_INFO_ZERO;  (fill in, see the fields)
 *	qq_from(&q, ""); qq_to(&q, bi.to);
 *	if (!bounce_write(&bi, bouncefd, messfd, put_qq, &q)) ...
 */
#ifndef BOUNCE_H
#define BOUNCE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "sa.h"

#define BOUNCE_ADDRMAX   1024  /* longest address kept; longer ones are cut */
#define BOUNCE_HOSTMAX   255   /* longest host name written; longer ones are cut */
#define BOUNCE_TEXTMAX   16384 /* longest report text kept per recipient */
#define BOUNCE_DIAGMAX   1024  /* longest Diagnostic-Code text */
#define BOUNCE_HEADMAX   65536 /* most header bytes quoted when only the header is */
#define BOUNCE_MAXBYTES  50000 /* default control/bouncemaxbytes */
#define BOUNCE_STATUSLEN 10    /* "5.999.999" and its NUL */
#define BOUNCE_TOOLONG   "This message has been in the queue too long, so I am giving up."

/* bounce_put - write n bytes of the notice; 1 on success, 0 on failure with errno */
typedef int (*bounce_put)(void *ctx, const char *s, size_t n);

typedef struct bounce_info_s {
	const char *from;   /* control/bouncefrom, the From: user (MAILER-DAEMON) */
	const char *host;   /* control/bouncehost: the From: domain and the greeting's HOST */
	const char *mta;    /* Reporting-MTA name (control/me); 0 means host */
	const char *to;     /* who gets the notice: the original sender, or for a
			     * double bounce doublebounceto@doublebouncehost */
	const char *sender; /* the original envelope sender, for Return-Path ("" allowed) */
	int dbl;            /* 1 for a double bounce (the original was itself a bounce) */
	uint64_t id;        /* the original's queue ID; seeds the MIME boundary */
	time_t born;        /* Arrival-Date: the original's birth (info mtime); 0 omits it */
	time_t now;         /* the Date: header */
	uint64_t size;      /* the original's size in bytes (fstat of mess/N/ID) */
	uint64_t maxbytes;  /* control/bouncemaxbytes: larger originals give only the header */
} bounce_info;
/* clang-format off */
#define BOUNCE_INFO_ZERO {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, BOUNCE_MAXBYTES}
/* clang-format on */

typedef struct bounce_st_s {
	unsigned int cls; /* 2, 4 or 5 */
	unsigned int sub; /* subject, 0..999 */
	unsigned int det; /* detail, 0..999 */
} bounce_st;

int bounce_para(sa *out, const char *addr, const char *text, size_t n);
int bounce_para_get(buf *in, sa *addr, sa *text);
int bounce_code(const char *text, size_t n, bounce_st *st);
int bounce_reply(const char *text, size_t n, unsigned int *code, bounce_st *st);
size_t bounce_status(char *out, const char *text, size_t n);
int bounce_diag(sa *out, const char *text, size_t n);
int bounce_clean(sa *out, const char *s, size_t n);

int bounce_write(const bounce_info *bi, int parafd, int messfd, bounce_put put, void *ctx);
int bounce_put_sa(void *ctx, const char *s, size_t n);

#endif
