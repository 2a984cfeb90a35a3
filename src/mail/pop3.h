/*
 * pop3.h - the POP3 protocol (RFC 1939) as qmail-popup and qmail-pop3d speak it: a
 * command reader that frames and parses client lines under a fixed length limit, and
 * a message writer that turns a stored message into its CRLF, dot-stuffed wire form
 * (and counts its exact size). The parser and the writer do no I/O: callers feed bytes
 * and write out what comes back; pop3_read alone reads, from a buf the caller set up.
 */
#ifndef POP3_H
#define POP3_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "sa.h"

#define POP3_LINEMAX 512   /* bytes in a command line, CR and LF included */
#define POP3_SKIPMAX 65536 /* bytes of an overlong line discarded before giving up */

typedef enum {
	POP3_NONE, /* no command yet, or the line was not one */
	POP3_USER, /* USER name */
	POP3_PASS, /* PASS string */
	POP3_APOP, /* APOP name digest */
	POP3_QUIT, /* QUIT */
	POP3_STAT, /* STAT */
	POP3_LIST, /* LIST [msg] */
	POP3_RETR, /* RETR msg */
	POP3_DELE, /* DELE msg */
	POP3_NOOP, /* NOOP */
	POP3_RSET, /* RSET */
	POP3_TOP,  /* TOP msg n */
	POP3_UIDL, /* UIDL [msg] */
	POP3_LAST, /* LAST (RFC 1460) */
	POP3_CAPA  /* CAPA (RFC 2449) */
} pop3_verb;

/* pop3_feed results */
#define POP3_MORE    0 /* no whole line yet: feed more bytes */
#define POP3_CMD     1 /* a command: verb and arguments are set */
#define POP3_SYNTAX  2 /* a known keyword with bad arguments, a NUL or a bare CR */
#define POP3_UNKNOWN 3 /* a line whose keyword is no POP3 command */
#define POP3_LONG    4 /* a line over POP3_LINEMAX, discarded through its LF */
#define POP3_FLOOD   5 /* sticky: POP3_SKIPMAX bytes of an overlong line and no LF yet */

typedef struct pop3_cmd_s {
	char line[POP3_LINEMAX]; /* the line so far, without CR LF */
	size_t len;              /* bytes in line */
	size_t total;            /* bytes of this line consumed, CR and LF included */
	int cr;                  /* the last byte was a CR, held back until we see an LF */
	int bad;                 /* the line holds a NUL or a bare CR */
	int result;              /* the last result; POP3_FLOOD stays */
	pop3_verb verb;          /* the command, for POP3_CMD (and POP3_SYNTAX) */
	size_t nargs;            /* arguments given */
	size_t arg[2];           /* offsets of the arguments in line */
	size_t arglen[2];        /* their lengths */
	uint64_t num[2];         /* numeric arguments (LIST, RETR, DELE, TOP, UIDL) */
} pop3_cmd;

void pop3_cmd_init(pop3_cmd *c);
int pop3_feed(pop3_cmd *c, const char *s, size_t n, size_t *used);
const char *pop3_arg(const pop3_cmd *c, size_t i, size_t *len);
int pop3_read(pop3_cmd *c, buf *in);
const char *pop3_err(int result);

typedef struct pop3_msg_s {
	uint64_t lines;     /* body lines to write (TOP); UINT64_MAX for the whole message */
	int stuff;          /* double a leading dot (0: only count the octets) */
	int bol;            /* nothing of the current line seen yet */
	int cr;             /* a CR is held back: part of the line end if an LF follows */
	int body;           /* the empty line ending the header has been seen */
	size_t linelen;     /* bytes of the current line written so far */
	uint64_t bodylines; /* body lines written */
	uint64_t octets;    /* bytes written (or that would have been) */
	int done;           /* the TOP limit was reached: the rest is not wanted */
} pop3_msg;

void pop3_msg_init(pop3_msg *m, uint64_t lines, int stuff);
int pop3_msg_put(pop3_msg *m, const char *s, size_t n, sa *out, size_t *used);
int pop3_msg_end(pop3_msg *m, sa *out);

#endif
