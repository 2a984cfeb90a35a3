/*
 * mailsubj - send a message with a subject from the command line.
 *
 *	mailsubj SUBJECT RECIPIENT... < body
 *
 * Puts "Subject: SUBJECT" and "To: RECIPIENT, ..." (folded at about 78 columns) and
 * an empty line before the body read on stdin, and gives it all to
 * QMAILHOME/bin/qmail-inject, which takes the recipients from the To field and adds
 * the rest of the header. A CR or LF in an argument becomes a space, so no argument
 * can add a header field of its own.
 *
 * DIAGNOSTICS: qmail-inject's exit code (0 queued, 100 permanent, 111 temporary);
 * 100 for a usage error; 111 when qmail-inject crashes or cannot be run, or the body
 * cannot be read (qmail-inject is then killed before it could queue a part of it).
 */
#include <signal.h>
#include <string.h>

#include "auto.h"
#include "die.h"
#include "run.h"
#include "sa.h"
#include "sig.h"
#include "wait.h"

#define EXIT_PERM 100
#define EXIT_TEMP 111
#define FOLD      78 /* the To field goes on on a new line rather than pass this column */

/* nomem - out of memory is a temporary failure */
static _Noreturn void nomem(void)
{
	die_x(EXIT_TEMP, "out of memory", (char *)0);
}

/* cat_tame - append s with CR and LF replaced by spaces */
static void cat_tame(sa *x, const char *s)
{
	for (; *s; ++s)
		if (!sa_catc(x, *s == '\n' || *s == '\r' ? ' ' : *s))
			nomem();
}

/* header - the Subject and To fields and the empty line */
static void header(sa *h, const char *subject, char **rcpt)
{
	size_t col = 4, i, start;
	if (!sa_copys(h, "Subject: "))
		nomem();
	cat_tame(h, subject);
	if (!sa_cats(h, "\nTo: "))
		nomem();
	for (i = 0; rcpt[i]; ++i) {
		if (i && col + 2 + strlen(rcpt[i]) > FOLD) {
			if (!sa_cats(h, ",\n  "))
				nomem();
			col = 2;
		} else if (i) {
			if (!sa_cats(h, ", "))
				nomem();
			col += 2;
		}
		start = h->len;
		cat_tame(h, rcpt[i]);
		col += h->len - start;
	}
	if (!sa_cats(h, "\n\n"))
		nomem();
}

int main(int argc, char **argv)
{
	sa head = SA_ZERO, inject = SA_ZERO;
	char *args[2];
	int status, r;
	die_init(argv[0]);
	if (argc < 3)
		die_x(EXIT_PERM, "usage: mailsubj subject recipient ...", (char *)0);
	header(&head, argv[1], argv + 2);
	if (!sa_copys(&inject, auto_qmail) || !sa_cats(&inject, "/bin/qmail-inject") ||
	    !sa_0(&inject))
		nomem();
	args[0] = inject.s;
	args[1] = 0;
	if (!sig_ignore(SIGPIPE))
		die_sys(EXIT_TEMP, "unable to ignore SIGPIPE", (char *)0);
	r = run_feed(args, head.s, head.len, 0, &status);
	if (r == 0)
		die_sys(EXIT_TEMP, "unable to run ", args[0], (char *)0);
	if (r < 0)
		die_sys(EXIT_TEMP, "unable to read input", (char *)0);
	if (wait_crashed(status))
		die_x(EXIT_TEMP, args[0], " crashed", (char *)0);
	sa_free(&head);
	sa_free(&inject);
	return wait_exitcode(status);
}
