/*
 * bouncesaying - refuse the message with a text of one's own; a .qmail helper.
 *
 *	|bouncesaying MSG [prog [arg...]]
 *
 * Without prog, prints MSG and exits 100, so the delivery fails and the sender gets
 * MSG in the bounce. With prog, runs it with the message on its stdin first: exit 0
 * means bounce (as above), 111 or a crash means defer, any other code means let the
 * delivery go on with the next line of the .qmail file.
 *
 * DIAGNOSTICS: MSG on stdout and exit 100 when bouncing; 0 when prog declined; 111
 * for a temporary failure, and for a usage error, so no mail is lost.
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
		die_x(EXIT_TEMP, "usage: bouncesaying message [program [arg ...]]", (char *)0);
	if (argc > 2) {
		pid = run_start(argv + 2, -1);
		if (pid == -1)
			die_sys(EXIT_TEMP, "unable to run ", argv[2], (char *)0);
		if (wait_pid(pid, &status) == -1)
			die_sys(EXIT_TEMP, "unable to wait for ", argv[2], (char *)0);
		if (wait_crashed(status))
			die_x(EXIT_TEMP, argv[2], " crashed", (char *)0);
		if (wait_exitcode(status) == EXIT_TEMP)
			return EXIT_TEMP;
		if (wait_exitcode(status) != 0)
			return 0;
	}
	msg_put(1, argv[1], (char *)0);
	return EXIT_PERM;
}
