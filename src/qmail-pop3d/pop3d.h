/*
 * pop3d.h - qmail-pop3d's view of the Maildir it serves (maildir.c): the messages of
 * cur/, oldest first, numbered from 1 on the wire and from 0 here.
 */
#ifndef POP3D_H
#define POP3D_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sa.h"

typedef struct msg_s {
	size_t name;      /* offset of its file name (in cur/) in box.names */
	const char *file; /* the same name, set once box.names stops growing */
	uint64_t size;    /* octets on the wire (CR LF lines) once sized, else the file size */
	int sized;        /* size is exact */
	int deleted;      /* marked by DELE */
	time_t mtime;     /* modification time: the listing's order */
} msg;

typedef struct box_s {
	msg *m;   /* the messages */
	size_t n; /* how many */
	size_t a; /* allocated */
	sa names; /* their file names, each ended by a NUL */
} box;

int box_scan(box *b);
int box_open(const box *b, size_t i);
uint64_t box_size(box *b, size_t i);
int box_uidl(const box *b, size_t i, sa *out);
int box_expunge(const box *b, size_t *failed);

#endif
