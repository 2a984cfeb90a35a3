/*
 * except - turn a program's success into a bounce; a .qmail helper.
 *
 *	|except prog [arg...]
 *
 * Runs prog with the message on its stdin and inverts its verdict: exit 0 becomes
 * 100 (a permanent failure, the message bounces), 111 and a crash stay temporary,
 * and any other code becomes 0 (the delivery goes on with the next line). What prog
 * prints is the text of the bounce.
 *
 * DIAGNOSTICS: exit 100, 111 or 0 as above; 111 also when prog cannot be run and for
 * a usage error, so no mail is lost while the .qmail file is being fixed.
 */
#include "die.h"
#include "run.h"
#include "wait.h"

#define EXIT_PERM 100
#define EXIT_TEMP 111

int main(int argc, char **argv)
{
	int status;
	pid_t pid;
	die_init(argv[0]);
	if (argc < 2)
		die_x(EXIT_TEMP, "usage: except program [arg ...]", (char *)0);
	pid = run_start(argv + 1, -1);
	if (pid == -1)
		die_sys(EXIT_TEMP, "unable to run ", argv[1], (char *)0);
	if (wait_pid(pid, &status) == -1)
		die_sys(EXIT_TEMP, "unable to wait for ", argv[1], (char *)0);
	if (wait_crashed(status))
		die_x(EXIT_TEMP, argv[1], " crashed", (char *)0);
	switch (wait_exitcode(status)) {
	case 0:
		return EXIT_PERM;
	case EXIT_TEMP:
		return EXIT_TEMP;
	default:
		return 0;
	}
}
