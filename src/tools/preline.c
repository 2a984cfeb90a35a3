/*
 * preline - give a program the message with the lines an mbox delivery would add;
 * a .qmail helper for programs that expect an mbox-style message (procmail, ...).
 *
 *	|preline [-frdFRD] prog [arg...]
 *
 * prog's stdin is $UFLINE (the mbox From_ line), $RPLINE (Return-Path), $DTLINE
 * (Delivered-To), then the message. -f, -r and -d leave out the From_ line, the
 * Return-Path and the Delivered-To line; -F, -R and -D put them back (the default).
 *
 * DIAGNOSTICS: prog's own exit code; 111 when prog crashes, cannot be run or the
 * message cannot be read (prog is then killed before it sees the end of its input),
 * and for a usage error, so no mail is lost while the .qmail file is being fixed.
 */
#include <signal.h>
#include <string.h>

#include "die.h"
#include "env.h"
#include "run.h"
#include "sa.h"
#include "sig.h"
#include "str.h"
#include "wait.h"

#define EXIT_TEMP 111

/* usage - a malformed command line */
static _Noreturn void usage(void)
{
	die_x(EXIT_TEMP, "usage: preline [-frdFRD] program [arg ...]", (char *)0);
}

/* add - append the line in the environment variable name, which must be set */
static void add(sa *head, const char *name)
{
	const char *v = env_get(name);
	if (!v)
		die_x(EXIT_TEMP, name, " not set", (char *)0);
	if (!sa_cats(head, v))
		die_x(EXIT_TEMP, "out of memory", (char *)0);
}

/* options - read the -frdFRD flags into want (From_, Return-Path, Delivered-To);
 * the program and its arguments that follow them */
static char **options(char **arg, int want[3])
{
	static const char letters[] = "frd"; /* the lines, in the order they are given */
	const char *o, *l;
	for (; *arg && (*arg)[0] == '-'; ++arg) {
		if ((*arg)[1] == '-' && !(*arg)[2])
			return arg + 1;
		if (!(*arg)[1])
			usage();
		for (o = *arg + 1; *o; ++o) {
			l = strchr(letters, case_lower((unsigned char)*o));
			if (!l || !*l)
				usage();
			want[l - letters] = *o >= 'A' && *o <= 'Z';
		}
	}
	return arg;
}

int main(int argc, char **argv)
{
	static const char *const vars[3] = {"UFLINE", "RPLINE", "DTLINE"};
	int want[3] = {1, 1, 1}, status, r, i;
	sa head = SA_ZERO;
	char **arg;
	(void)argc;
	die_init(argv[0]);
	arg = options(argv + 1, want);
	if (!*arg)
		usage();
	for (i = 0; i < 3; ++i)
		if (want[i])
			add(&head, vars[i]);
	if (!sig_ignore(SIGPIPE))
		die_sys(EXIT_TEMP, "unable to ignore SIGPIPE", (char *)0);
	r = run_feed(arg, head.s, head.len, 0, &status);
	if (r == 0)
		die_sys(EXIT_TEMP, "unable to run ", arg[0], (char *)0);
	if (r < 0)
		die_sys(EXIT_TEMP, "unable to read message", (char *)0);
	sa_free(&head);
	if (wait_crashed(status))
		die_x(EXIT_TEMP, arg[0], " crashed", (char *)0);
	return wait_exitcode(status);
}
