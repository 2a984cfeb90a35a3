/*
 * local.h - qmail-local's state and its private modules. run.c reads the command
 * line into one struct local and hands it to the delivery modules; every module
 * reports failure by printing one report line on fd 1 and exiting (report.c).
 */
#ifndef LOCAL_H
#define LOCAL_H

#include <stddef.h>

#include "env.h"
#include "sa.h"

#define EXIT_OK   0   /* delivered */
#define EXIT_PERM 100 /* permanent failure: the message bounces */
#define EXIT_TEMP 111 /* temporary failure: qmail-send retries later */

typedef struct local_s {
	const char *user;    /* the recipient's account */
	const char *home;    /* its home directory */
	const char *local;   /* the local part of the recipient address */
	const char *dash;    /* "" or "-" (or whatever users/assign says) */
	const char *ext;     /* the extension after dash */
	const char *domain;  /* the domain of the recipient address */
	const char *sender;  /* the envelope sender, "" for a bounce */
	const char *dflt;    /* the default delivery instructions */
	sa recipient;        /* local@domain */
	sa dtline;           /* "Delivered-To: local@domain\n" */
	sa rpline;           /* "Return-Path: <sender>\n" */
	sa ufline;           /* "From sender date\n", the mbox separator */
	sa newsender;        /* envelope sender of forwards */
	sa qmail;            /* name of the .qmail file used, "" for defaultdelivery */
	size_t defpos;       /* DEFAULT is ext + defpos, or DOTQMAIL_NODEFAULT */
	env env;             /* environment for program deliveries */
	unsigned long nfile; /* mbox and maildir deliveries done */
	unsigned long nfwd;  /* forward addresses */
	unsigned long nprog; /* program deliveries done */
} local;

/* report.c */
void report(const char *s, ...) __attribute__((sentinel));
_Noreturn void quit(int code, const char *s, ...) __attribute__((sentinel));
_Noreturn void quit_sys(int code, const char *status, const char *s, ...) __attribute__((sentinel));
_Noreturn void quit_nomem(void);

/* vars.c */
void vars_lines(local *l);
void vars_env(local *l);

/* message.c */
void message_rewind(void);
int message_looping(const sa *dtline);

/* mbox.c, maildir.c, program.c, forward.c */
void mbox_deliver(local *l, const char *path);
void maildir_deliver(local *l, const char *path);
int program_deliver(local *l, const char *cmd);
unsigned long forward_send(local *l, char *const *rcpt, size_t n);

#endif
