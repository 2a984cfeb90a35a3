/*
 * spawn.h - the pipe protocol between qmail-send and its spawners, qmail-lspawn and
 * qmail-rspawn (SPEC section 5). One reader and one writer for each direction:
 *   startup  spawner -> send   one byte: the spawner's concurrency limit
 *   command  send -> spawner   slot byte, "SPLIT/ID" NUL, sender NUL, recipient NUL
 *            send -> rspawn    (beyond qmail) slot byte, "SPLIT/ID" NUL, sender NUL,
 *                              1..SPAWN_RCPTMAX times recipient NUL, then one more NUL
 *   report   spawner -> send   slot byte, status letter (K, Z or D), text NUL; for a
 *                              command with n recipients, n reports in recipient order
 * The readers are incremental (bytes in, a complete record out) and strict: every
 * field has a length limit checked before it is stored, and a violation is sticky.
 */
#ifndef SPAWN_H
#define SPAWN_H

#include <stddef.h>

#include "sa.h"

#define SPAWN_PATHMAX   100   /* longest message path in a command */
#define SPAWN_ADDRMAX   4096  /* longest sender or recipient in a command */
#define SPAWN_REPORTMAX 10000 /* report text kept; the rest is read and dropped */
#define SPAWN_RCPTMAX   100   /* most recipients in one list command (RFC 5321 4.5.3.1.8) */

typedef struct spawn_cmd_s {
	unsigned slot; /* delivery slot, 0..255 */
	sa path;       /* "SPLIT/ID", NUL-terminated when complete */
	sa sender;     /* envelope sender, NUL-terminated when complete */
	sa rcpt;       /* the recipients, each NUL-terminated, when complete */
	size_t nrcpt;  /* recipients in rcpt */
	size_t at;     /* offset in rcpt of the recipient being read */
	int list;      /* set by the reader's owner: recipient lists (qmail-rspawn) */
	int field;     /* next field: 0 slot, 1 path, 2 sender, 3 recipient; -1 broken */
} spawn_cmd;

typedef struct spawn_rep_s {
	unsigned slot;  /* delivery slot */
	char status;    /* K, Z or D as sent (other letters are the caller's to judge) */
	sa text;        /* report text, NUL-terminated when complete */
	size_t dropped; /* bytes of text beyond SPAWN_REPORTMAX, not kept */
	int field;      /* next field: 0 slot, 1 status, 2 text; -1 broken */
} spawn_rep;

int spawn_cmd_feed(spawn_cmd *c, const char *s, size_t n, size_t *used);
int spawn_cmd_put(sa *out, unsigned slot, const char *path, const char *sender, const char *rcpt);
int spawn_cmd_putlist(sa *out, unsigned slot, const char *path, const char *sender,
		      const char *rcpts, size_t n);
int spawn_path_ok(const char *path);
void spawn_cmd_free(spawn_cmd *c);

int spawn_rep_feed(spawn_rep *r, const char *s, size_t n, size_t *used);
int spawn_rep_put(sa *out, unsigned slot, char status, const char *text, size_t len);
void spawn_rep_free(spawn_rep *r);

#endif
