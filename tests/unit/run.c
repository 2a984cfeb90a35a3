/* run.c - tests for starting programs and feeding their stdin */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "harness.h"
#include "run.h"
#include "sa.h"
#include "wait.h"

/* sh - argv for /bin/sh -c script */
static void sh(char **argv, const char *script)
{
	argv[0] = (char *)"/bin/sh";
	argv[1] = (char *)"-c";
	argv[2] = (char *)script;
	argv[3] = 0;
}

/* no_children - nothing is left to reap */
static int no_children(void)
{
	int st;
	return wait_nohang(&st) == -1 && errno == ECHILD;
}

static void t_exit_code(void)
{
	char *argv[4];
	int st = -1;
	pid_t pid;
	sh(argv, "exit 7");
	pid = run_start(argv, -1);
	T_OK(pid > 0);
	T_EQ_U(wait_pid(pid, &st), pid);
	T_EQ_U(wait_exitcode(st), 7);
	T_OK(no_children());
}

static void t_path_search(void)
{
	char *argv[] = {(char *)"sh", (char *)"-c", (char *)"exit 3", 0};
	int st = -1;
	pid_t pid = run_start(argv, -1);
	T_OK(pid > 0);
	T_EQ_U(wait_pid(pid, &st), pid);
	T_EQ_U(wait_exitcode(st), 3);
}

static void t_exec_errors(void)
{
	const char *p = t_path("not-executable");
	char *missing[] = {(char *)"/nonexistent/program", 0};
	char *nopath[] = {(char *)"no-such-program-anywhere-here", 0};
	char *noexec[] = {(char *)p, 0};
	char *empty[] = {0};
	int fd;
	errno = 0;
	T_EQ_U(run_start(missing, -1), (pid_t)-1);
	T_EQ_U(errno, ENOENT);
	T_OK(no_children());
	errno = 0;
	T_EQ_U(run_start(nopath, -1), (pid_t)-1);
	T_EQ_U(errno, ENOENT);
	T_OK(no_children());
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	T_OK(fd >= 0);
	T_OK(write(fd, "#!/bin/sh\n", 10) == 10);
	close(fd);
	errno = 0;
	T_EQ_U(run_start(noexec, -1), (pid_t)-1);
	T_EQ_U(errno, EACCES);
	T_OK(no_children());
	errno = 0;
	T_EQ_U(run_start(empty, -1), (pid_t)-1);
	T_EQ_U(errno, EINVAL);
	T_EQ_U(run_start(0, -1), (pid_t)-1);
}

static void t_stdin(void)
{
	const char *in = t_path("stdin"), *out = t_path("stdout");
	char script[700];
	char *argv[4];
	sa x = SA_ZERO;
	int fd, st = -1;
	pid_t pid;
	fd = open(in, O_RDWR | O_CREAT | O_TRUNC, 0644);
	T_OK(fd >= 0);
	T_OK(write(fd, "hello\n", 6) == 6);
	T_OK(lseek(fd, 0, SEEK_SET) == 0);
	snprintf(script, sizeof script, "cat > '%s'", out);
	sh(argv, script);
	pid = run_start(argv, fd);
	close(fd);
	T_OK(pid > 0);
	T_EQ_U(wait_pid(pid, &st), pid);
	T_EQ_U(wait_exitcode(st), 0);
	T_EQ_U(file_read(out, &x, 100), 1);
	T_EQ_MEM(x.s, x.len, "hello\n", 6);
	sa_free(&x);
}

/* input - a file holding n bytes of a pattern, open for reading at offset 0 */
static int input(const char *name, size_t n)
{
	char b[4096];
	size_t i;
	int fd = open(t_path(name), O_RDWR | O_CREAT | O_TRUNC, 0644);
	for (i = 0; i < sizeof b; ++i)
		b[i] = (char)('a' + i % 26);
	while (n) {
		size_t k = n < sizeof b ? n : sizeof b;
		if (write(fd, b, k) != (ssize_t)k)
			break;
		n -= k;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static void t_feed(void)
{
	const char *out = t_path("feed-out");
	char script[700];
	char *argv[4];
	sa x = SA_ZERO;
	int st = -1, fd = input("feed-in", 100000);
	snprintf(script, sizeof script, "cat > '%s'; exit 5", out);
	sh(argv, script);
	T_EQ_U(run_feed(argv, "Date: x\n", 8, fd, &st), 1);
	T_EQ_U(wait_exitcode(st), 5);
	T_EQ_U(file_read(out, &x, 200000), 1);
	T_EQ_U(x.len, 100008);
	T_EQ_MEM(x.s, 8, "Date: x\n", 8);
	T_EQ_MEM(x.s + 8, 4, "abcd", 4);
	T_OK(x.s[100007] == 'a' + (99999 % 4096) % 26);
	close(fd);
	/* no head at all, empty input */
	fd = input("feed-empty", 0);
	st = -1;
	T_EQ_U(run_feed(argv, "", 0, fd, &st), 1);
	T_EQ_U(wait_exitcode(st), 5);
	x.len = 0;
	T_EQ_U(file_read(out, &x, 100), 1);
	T_EQ_U(x.len, 0);
	close(fd);
	sa_free(&x);
	T_OK(no_children());
}

static void t_feed_early_exit(void)
{
	char *argv[4];
	int st = -1, fd = input("feed-big", 4 * 1024 * 1024);
	sh(argv, "read line; exit 9");
	T_EQ_U(run_feed(argv, "first\n", 6, fd, &st), 1);
	T_EQ_U(wait_exitcode(st), 9);
	close(fd);
	T_OK(no_children());
}

static void t_feed_read_error(void)
{
	const char *flag = t_path("saw-eof");
	char script[700];
	char *argv[4];
	struct stat sb;
	int st = -1, fd = open(t_tmpdir(), O_RDONLY | O_DIRECTORY);
	unlink(flag);
	snprintf(script, sizeof script, "cat > /dev/null; touch '%s'", flag);
	sh(argv, script);
	errno = 0;
	T_OK(run_feed(argv, "head\n", 5, fd, &st) == -1);
	T_EQ_U(errno, EISDIR);
	T_OK(wait_crashed(st));
	T_EQ_U(wait_termsig(st), SIGKILL);
	T_OK(stat(flag, &sb) == -1 && errno == ENOENT);
	close(fd);
	T_OK(no_children());
}

static void t_feed_missing(void)
{
	char *argv[] = {(char *)"/nonexistent/program", 0};
	int st = -1;
	errno = 0;
	T_EQ_U(run_feed(argv, "x", 1, 0, &st), 0);
	T_EQ_U(errno, ENOENT);
	T_OK(no_children());
}

static void t_sigpipe_default(void)
{
	char *argv[4];
	int st = -1;
	pid_t pid;
	sh(argv, "kill -PIPE $$; exit 0");
	pid = run_start(argv, -1);
	T_OK(pid > 0);
	T_EQ_U(wait_pid(pid, &st), pid);
	T_OK(wait_crashed(st));
	T_EQ_U(wait_termsig(st), SIGPIPE);
}

/* setup - the callers of run_feed ignore SIGPIPE */
static void t_setup(void)
{
	T_OK(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
}

const t_case t_cases[] = {T_CASE(t_setup),
			  T_CASE(t_exit_code),
			  T_CASE(t_path_search),
			  T_CASE(t_exec_errors),
			  T_CASE(t_stdin),
			  T_CASE(t_feed),
			  T_CASE(t_feed_early_exit),
			  T_CASE(t_feed_read_error),
			  T_CASE(t_feed_missing),
			  T_CASE(t_sigpipe_default),
			  T_END};
