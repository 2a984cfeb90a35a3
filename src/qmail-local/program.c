/*
 * program.c - program deliveries: "/bin/sh -c LINE" in the home directory, with the
 * message on stdin from byte 0 (nothing added), stdout and stderr both going into the
 * delivery report, and the environment built by vars.c. The line is the user's own;
 * envelope data reaches the program only through environment variables.
 * Exit codes: 0 delivered; 99 delivered, skip the rest of the .qmail file; 64, 65,
 * 70, 76, 77, 78, 100 and 112 permanent failure; anything else, or a crash, temporary.
 */
#include <signal.h>
#include <unistd.h>

#include "local.h"
#include "sig.h"
#include "wait.h"

/* run - the child: stdin rewound, stderr into the report, SIGPIPE back to default */
static _Noreturn void run(local *l, const char *cmd)
{
	char *argv[4];
	argv[0] = (char *)"sh";
	argv[1] = (char *)"-c";
	argv[2] = (char *)cmd;
	argv[3] = 0;
	message_rewind();
	if (dup2(1, 2) == -1)
		quit_sys(EXIT_TEMP, "4.3.0", "Unable to set up program delivery", (char *)0);
	if (!sig_default(SIGPIPE))
		quit_sys(EXIT_TEMP, "4.3.0", "Unable to set up program delivery", (char *)0);
	execve("/bin/sh", argv, env_array(&l->env));
	quit_sys(EXIT_TEMP, "4.3.0", "Unable to run /bin/sh", (char *)0);
}

/* program_deliver - run cmd; 1 delivered, 99 delivered and stop; exits on failure */
int program_deliver(local *l, const char *cmd)
{
	int status;
	pid_t pid;
	if (!env_array(&l->env))
		quit_nomem();
	pid = fork();
	if (pid == -1)
		quit_sys(EXIT_TEMP, "4.3.0", "Unable to fork", (char *)0);
	if (pid == 0)
		run(l, cmd);
	if (wait_pid(pid, &status) == -1)
		quit_sys(EXIT_TEMP, "4.3.0", "Unable to wait for program", (char *)0);
	if (wait_crashed(status))
		quit(EXIT_TEMP, "Program crashed. (#4.3.0)", (char *)0);
	switch (wait_exitcode(status)) {
	case 0:
		return 1;
	case 99:
		return 99;
	case 64:
	case 65:
	case 70:
	case 76:
	case 77:
	case 78:
	case 100:
	case 112:
		_exit(EXIT_PERM);
	default:
		_exit(EXIT_TEMP);
	}
}
