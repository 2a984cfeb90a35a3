/*
 * lspawn.h - qmail-lspawn's delivery child: what the scheduler hands it, and the
 * function that gives up root for the user and becomes qmail-local.
 */
#ifndef LSPAWN_H
#define LSPAWN_H

#include <sys/types.h>

#include "users.h"

typedef struct lspawn_job_s {
	const char *local;           /* local part, original case, NUL-terminated */
	const char *domain;          /* domain part */
	const char *sender;          /* envelope sender */
	const char *defaultdelivery; /* qmail-lspawn's argument */
	int msgfd;                   /* the message, open for reading at offset 0 */
	int outfd;                   /* write end of the output pipe */
	const users_pw *pw;          /* the user, found by qmail-lspawn */
} lspawn_job;

_Noreturn void lspawn_child(const lspawn_job *j);

#endif
