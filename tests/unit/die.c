/* die.c - tests for program messages and error texts */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "die.h"
#include "error.h"
#include "harness.h"

/* run - fork, let fn print to a pipe on fd 2, return its exit status and output */
static int run(void (*fn)(void), char *out, size_t max, size_t *len)
{
	int p[2], status = 0;
	pid_t pid;
	ssize_t r;
	*len = 0;
	if (pipe(p) == -1)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 2);
		fn();
		_exit(0);
	}
	close(p[1]);
	while (*len < max && (r = read(p[0], out + *len, max - *len)) > 0)
		*len += (size_t)r;
	close(p[0]);
	waitpid(pid, &status, 0);
	return status;
}

static void fatal_open(void)
{
	die_init("/var/qmail/bin/qmail-send");
	errno = EACCES;
	die_sys(111, "unable to open ", "control/me", NULL);
}

static void fatal_plain(void)
{
	die_init("qmail-queue");
	die_x(100, "usage: qmail-queue", NULL);
}

static void warning(void)
{
	die_init("qmail-send");
	errno = ENOSPC;
	warn_sys("trouble writing ", "info/3/1234", NULL);
	warn_x("delivery report out of range", NULL);
	msg_put(2, "status: ", "exiting", NULL);
}

static void overlong(void)
{
	static char big[5000];
	memset(big, 'x', sizeof big - 1);
	die_init("p");
	die_x(1, big, big, NULL);
}

static void t_fatal(void)
{
	char out[2048];
	size_t n;
	int st = run(fatal_open, out, sizeof out, &n);
	T_OK(WIFEXITED(st));
	T_EQ_U(WEXITSTATUS(st), 111);
	T_EQ_MEM(out, n, "qmail-send: fatal: unable to open control/me: access denied\n", 60);
	st = run(fatal_plain, out, sizeof out, &n);
	T_EQ_U(WEXITSTATUS(st), 100);
	T_EQ_MEM(out, n, "qmail-queue: fatal: usage: qmail-queue\n", 39);
}

static void t_warn(void)
{
	char out[2048];
	size_t n;
	static const char want[] =
		"qmail-send: warning: trouble writing info/3/1234: out of disk space\n"
		"qmail-send: warning: delivery report out of range\n"
		"status: exiting\n";
	int st = run(warning, out, sizeof out, &n);
	T_EQ_U(WEXITSTATUS(st), 0);
	T_EQ_MEM(out, n, want, sizeof want - 1);
}

static void t_overlong_cut(void)
{
	char out[8192];
	size_t n;
	int st = run(overlong, out, sizeof out, &n);
	T_EQ_U(WEXITSTATUS(st), 1);
	T_EQ_U(n, 1024);
	T_OK(n > 0 && out[n - 1] == '\n');
	T_OK(memcmp(out, "p: fatal: xxx", 13) == 0);
}

static void t_error_str(void)
{
	T_EQ_S(error_str(ENOENT), "file does not exist");
	T_EQ_S(error_str(EACCES), "access denied");
	T_EQ_S(error_str(ENOMEM), "out of memory");
	T_EQ_S(error_str(ETIMEDOUT), "timed out");
	T_EQ_S(error_str(-12345), "unknown error");
	T_OK(error_temp(ENOSPC));
	T_OK(error_temp(EAGAIN));
	T_OK(!error_temp(ENOENT));
	T_OK(!error_temp(EACCES));
}

const t_case t_cases[] = {
	T_CASE(t_fatal), T_CASE(t_warn), T_CASE(t_overlong_cut), T_CASE(t_error_str), T_END,
};
