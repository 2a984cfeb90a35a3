/*
 * hdr.h - the header of a mail message, split into fields (RFC 822 section 3.1).
 * hdr_split is a pure function of the bytes it is given: it records where each field
 * and its continuation lines lie, names the fields the suite cares about, and says
 * where the body begins. Nothing is copied; offsets index the caller's bytes.
 * Address lists inside fields are parsed by hdraddr.h.
 */
#ifndef HDR_H
#define HDR_H

#include <stddef.h>

/* errors, kept in hdr.err and hdr_alist.err (sticky: the first one stays) */
enum {
	HDR_OK,       /* no error */
	HDR_ENOMEM,   /* out of memory */
	HDR_ETOOBIG,  /* the header is longer than the limit */
	HDR_EMANY,    /* more fields than the limit */
	HDR_EBADNAME, /* a field name with an unprintable byte */
	HDR_ESYNTAX,  /* an address list that cannot be parsed */
	HDR_ELONG,    /* an address longer than HDR_ADDR_MAX */
	HDR_ENEST     /* comments nested deeper than HDR_NEST_MAX */
};

/* the fields that qmail-inject treats specially; everything else is HDR_OTHER */
enum {
	HDR_OTHER,
	HDR_SENDER,
	HDR_FROM,
	HDR_REPLYTO,
	HDR_RETURNPATH,
	HDR_RETURNRECEIPTTO,
	HDR_ERRORSTO,
	HDR_R_SENDER,
	HDR_R_FROM,
	HDR_R_REPLYTO,
	HDR_TO,
	HDR_CC,
	HDR_BCC,
	HDR_APPARENTLYTO,
	HDR_R_TO,
	HDR_R_CC,
	HDR_R_BCC,
	HDR_DATE,
	HDR_R_DATE,
	HDR_MESSAGEID,
	HDR_R_MESSAGEID,
	HDR_CONTENTLENGTH,
	HDR_MFT, /* Mail-Followup-To */
	HDR_NIDS
};

/* hdr_class bits */
#define HDR_C_SENDER 1 /* an address list naming senders */
#define HDR_C_RECIP  2 /* an address list naming recipients */
#define HDR_C_RESENT 4 /* one of the Resent- fields */

/* hdr_line answers */
enum {
	HDR_L_FIELD, /* "Name: value" (blanks allowed before the colon) */
	HDR_L_CONT,  /* starts with a space or tab: continues the field before it */
	HDR_L_END,   /* an empty line: the header ends, the body follows it */
	HDR_L_BODY,  /* not a header line: the body begins with this line */
	HDR_L_BAD    /* looks like a field, but the name has an unprintable byte */
};

#define HDR_BYTES_MAX  (4 * 1024 * 1024) /* default limit on a header's size */
#define HDR_FIELDS_MAX 100000            /* default limit on the number of fields */

typedef struct hdr_limits_s {
	size_t bytes;  /* longest header accepted, counting the line that ends it */
	size_t fields; /* most fields accepted */
} hdr_limits;

typedef struct hdr_field_s {
	size_t off;  /* offset of the field's name (the start of its first line) */
	size_t name; /* bytes in the name, without blanks before the colon */
	size_t val;  /* offset of the value: the byte after the colon */
	size_t end;  /* offset just past the field's last line, including its LF */
	int id;      /* HDR_OTHER, HDR_FROM, ... */
} hdr_field;

typedef struct hdr_s {
	hdr_field *f; /* the fields in order; owned */
	size_t n;     /* fields in use */
	size_t a;     /* slots allocated in f */
	size_t body;  /* offset where the body begins (== the input length if none) */
	int sep;      /* 1 when an empty line ended the header (it is not in the body) */
	int resent;   /* 1 when any field name starts with "Resent-" */
	int err;      /* HDR_OK, or why hdr_split failed */
	size_t errat; /* offset of the line that caused err */
} hdr;
/* clang-format off */
#define HDR_ZERO {0, 0, 0, 0, 0, 0, HDR_OK, 0}
/* clang-format on */

int hdr_line(const char *s, size_t n, size_t *name);
int hdr_split(hdr *h, const char *s, size_t n, const hdr_limits *lim);
void hdr_free(hdr *h);
int hdr_id(const char *name, size_t n);
unsigned int hdr_class(int id);
const char *hdr_errstr(int err);

#endif
