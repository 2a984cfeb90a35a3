/*
 * wait.c - waiting for children. Both waits retry EINTR, so a signal handled while
 * waiting (SIGCHLD, SIGALRM) never looks like a failure. The status helpers are
 * functions rather than the W* macros so a caller cannot misuse one on a status of
 * the wrong kind: each says what it returns when the status is not of its kind.
 */
#include "wait.h"

#include <errno.h>
#include <sys/wait.h>

/* wait_pid - wait for child pid (or any child, if pid is -1) to exit or be killed;
 * its pid, or -1 with errno set (ECHILD: no such child) */
pid_t wait_pid(pid_t pid, int *status)
{
	pid_t r;
	int st = 0;
	while ((r = waitpid(pid, &st, 0)) < 0)
		if (errno != EINTR)
			return -1;
	if (status)
		*status = st;
	return r;
}

/* wait_nohang - collect any child that has ended: its pid, 0 if children remain
 * but none has ended yet, -1 with errno set (ECHILD: no children at all) */
pid_t wait_nohang(int *status)
{
	pid_t r;
	int st = 0;
	while ((r = waitpid(-1, &st, WNOHANG)) < 0)
		if (errno != EINTR)
			return -1;
	if (r > 0 && status)
		*status = st;
	return r;
}

/* wait_exited - whether the child ended by calling exit */
int wait_exited(int status)
{
	return WIFEXITED(status) != 0;
}

/* wait_exitcode - the child's exit code 0..255, or -1 if it did not exit normally */
int wait_exitcode(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* wait_crashed - whether a signal killed the child */
int wait_crashed(int status)
{
	return WIFSIGNALED(status) != 0;
}

/* wait_termsig - the signal that killed the child, or 0 if none did */
int wait_termsig(int status)
{
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/* wait_stopsig - the signal that stopped the child (seen only by a waitpid with
 * WUNTRACED), or 0 if it is not stopped */
int wait_stopsig(int status)
{
	return WIFSTOPPED(status) ? WSTOPSIG(status) : 0;
}
