/*
 * predate - run a program with a Date: line in local time on top of its input.
 *
 *	predate prog [arg...]
 *
 * prog's stdin is "Date: Sun, 29 Nov 2026 14:42:07 +0100" (now, in the time zone
 * of TZ, with a numeric offset) and a newline, then everything on predate's stdin.
 * qmail-inject writes dates in UTC; predate is for those who want their own zone.
 *
 * DIAGNOSTICS: prog's exit code; 111 when prog crashes or cannot be run, when the
 * input cannot be read (prog is then killed before it sees the end of a truncated
 * message), or for a usage error.
 */
#include <signal.h>

#include "die.h"
#include "run.h"
#include "sa.h"
#include "sig.h"
#include "tm.h"
#include "wait.h"

#define EXIT_TEMP 111

int main(int argc, char **argv)
{
	sa head = SA_ZERO;
	int status, r;
	die_init(argv[0]);
	if (argc < 2)
		die_x(EXIT_TEMP, "usage: predate program [arg ...]", (char *)0);
	if (!sa_copys(&head, "Date: ") || !date_local822(&head, tm_now()) || !sa_catc(&head, '\n'))
		die_sys(EXIT_TEMP, "unable to make the Date line", (char *)0);
	if (!sig_ignore(SIGPIPE))
		die_sys(EXIT_TEMP, "unable to ignore SIGPIPE", (char *)0);
	r = run_feed(argv + 1, head.s, head.len, 0, &status);
	if (r == 0)
		die_sys(EXIT_TEMP, "unable to run ", argv[1], (char *)0);
	if (r < 0)
		die_sys(EXIT_TEMP, "unable to read input", (char *)0);
	sa_free(&head);
	if (wait_crashed(status))
		die_x(EXIT_TEMP, argv[1], " crashed", (char *)0);
	return wait_exitcode(status);
}
