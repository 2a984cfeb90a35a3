/*
 * datemail - sendmail with a Date: line in local time: predate QMAILHOME/bin/sendmail.
 *
 *	datemail [sendmail arguments]
 *
 * Runs QMAILHOME/bin/predate with QMAILHOME/bin/sendmail and the arguments given,
 * so the message gets a Date: field in the local time zone before qmail-inject sees
 * it (qmail-inject adds a UTC date only when there is none).
 *
 * DIAGNOSTICS: the exit code of predate, hence of sendmail; 111 when predate cannot
 * be run or memory runs out.
 */
#include <unistd.h>

#include "alloc.h"
#include "auto.h"
#include "die.h"
#include "sa.h"
#include "size.h"

#define EXIT_TEMP 111

/* nomem - out of memory is a temporary failure */
static _Noreturn void nomem(void)
{
	die_x(EXIT_TEMP, "out of memory", (char *)0);
}

/* path - QMAILHOME/bin/name as a C string */
static char *path(sa *x, const char *name)
{
	if (!sa_copys(x, auto_qmail) || !sa_cats(x, "/bin/") || !sa_cats(x, name) || !sa_0(x))
		nomem();
	return x->s;
}

int main(int argc, char **argv)
{
	sa predate = SA_ZERO, sendmail = SA_ZERO;
	char **args;
	size_t n, i;
	die_init(argv[0]);
	if (argc < 1 || !size_add(&n, (size_t)argc, 2))
		die_x(EXIT_TEMP, "usage: datemail [arg ...]", (char *)0);
	args = alloc_array(n, sizeof *args);
	if (!args)
		nomem();
	args[0] = path(&predate, "predate");
	args[1] = path(&sendmail, "sendmail");
	for (i = 1; i < (size_t)argc; ++i)
		args[i + 1] = argv[i];
	args[i + 1] = 0;
	execv(args[0], args);
	die_sys(EXIT_TEMP, "unable to run ", args[0], (char *)0);
}
