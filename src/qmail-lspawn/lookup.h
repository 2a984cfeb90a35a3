/*
 * lookup.h - qmail-lspawn finds the user of a delivery: users/cdb, else a question
 * to its long-lived lookup process (qmail-getpw's lookup as qmailp:nofiles).
 */
#ifndef LOOKUP_H
#define LOOKUP_H

#include <sys/types.h>

#include "sa.h"
#include "users.h"

#define LOOKUP_NONE (-1) /* lookup_answer: no answer yet */
#define LOOKUP_GONE (-2) /* lookup_answer: the process has ended */

typedef struct lookup_s {
	int fd;    /* our end of the socket, or -1 when no process runs */
	uid_t uid; /* it runs as this user (qmailp) */
	gid_t gid; /* and group (nofiles) */
	sa cdb;    /* QMAILHOME/users/cdb */
} lookup;

int lookup_init(lookup *l, uid_t uid, gid_t gid);
int lookup_cdb(const lookup *l, const char *local, users_pw *pw);
int lookup_ask(lookup *l, const char *local);
int lookup_answer(lookup *l, users_pw *pw, sa *why);
int lookup_fd(const lookup *l);
void lookup_end(lookup *l);

#endif
