/* requeue.c - tests for queueing a message read from a descriptor, with a fake queue
 * program that records what it gets */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "harness.h"
#include "requeue.h"

/* fake - a queue program that saves fd 0 in msg and fd 1 in env, then runs body */
static void fake(const char *body)
{
	char text[1024];
	const char *prog;
	int n = snprintf(text, sizeof text, "#!/bin/sh\ncat > msg\ncat <&1 > env\n%s\n", body);
	T_OK(n > 0 && (size_t)n < sizeof text);
	prog = t_script("fakeqq", text);
	if (prog)
		setenv("QMAILQUEUE", prog, 1);
}

/* got - the contents of a file the fake wrote */
static void got(sa *x, const char *name)
{
	x->len = 0;
	T_EQ_U(file_read(t_path(name), x, 1 << 20), 1);
}

/* message - a file holding s, open for reading */
static int message(const char *s, size_t n)
{
	int fd = open(t_path("in"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	T_OK(fd >= 0);
	T_OK(write(fd, s, n) == (ssize_t)n);
	T_OK(lseek(fd, 0, SEEK_SET) == 0);
	return fd;
}

static void t_queued(void)
{
	static qq q;
	static const char env[] = "Fs@example.net\0Ta@example.com\0Tb@example.org\0";
	char *rcpt[] = {(char *)"a@example.com", (char *)"b@example.org"};
	sa x = SA_ZERO;
	int rerr = -1, fd = message("Subject: x\n\nbody\n", 17);
	fake("exit 0");
	T_OK(qq_start_at(&q, t_tmpdir()));
	T_EQ_S(requeue(&q, fd, "Delivered-To: u@h\n", 18, "s@example.net", rcpt, 2, &rerr), "");
	T_EQ_U(rerr, 0);
	T_OK(qq_qp(&q) > 1);
	got(&x, "msg");
	T_EQ_MEM(x.s, x.len, "Delivered-To: u@h\nSubject: x\n\nbody\n", 35);
	got(&x, "env");
	T_EQ_MEM(x.s, x.len, env, sizeof env);
	close(fd);
	sa_free(&x);
}

static void t_bounce_sender_no_head(void)
{
	static qq q;
	static const char env[] = "F\0Tr@x\0";
	char *rcpt[] = {(char *)"r@x"};
	sa x = SA_ZERO;
	int rerr = -1, fd = message("", 0);
	fake("exit 0");
	T_OK(qq_start_at(&q, t_tmpdir()));
	T_EQ_S(requeue(&q, fd, "", 0, "", rcpt, 1, &rerr), "");
	T_EQ_U(rerr, 0);
	got(&x, "msg");
	T_EQ_U(x.len, 0);
	got(&x, "env");
	T_EQ_MEM(x.s, x.len, env, sizeof env);
	close(fd);
	sa_free(&x);
}

static void t_big(void)
{
	static qq q;
	char *rcpt[] = {(char *)"r@x"};
	size_t n = 300000, i;
	char *s = malloc(n);
	sa x = SA_ZERO;
	int rerr = -1, fd;
	T_OK(s != 0);
	if (!s)
		return;
	for (i = 0; i < n; ++i)
		s[i] = i % 61 == 60 ? '\n' : (char)('a' + i % 26);
	fd = message(s, n);
	fake("exit 0");
	T_OK(qq_start_at(&q, t_tmpdir()));
	T_EQ_S(requeue(&q, fd, "H\n", 2, "s@x", rcpt, 1, &rerr), "");
	got(&x, "msg");
	T_EQ_U(x.len, n + 2);
	T_OK(x.len == n + 2 && !memcmp(x.s + 2, s, n));
	close(fd);
	free(s);
	sa_free(&x);
}

static void t_refused(void)
{
	static qq q;
	char *rcpt[] = {(char *)"r@x"};
	int rerr = -1, fd = message("m\n", 2);
	fake("exit 31");
	T_OK(qq_start_at(&q, t_tmpdir()));
	T_EQ_S(requeue(&q, fd, "", 0, "s@x", rcpt, 1, &rerr),
	       "Dmail server permanently rejected message (#5.3.0)");
	T_EQ_U(rerr, 0);
	close(fd);
	fd = message("m\n", 2);
	fake("exit 53");
	T_OK(qq_start_at(&q, t_tmpdir()));
	T_EQ_S(requeue(&q, fd, "", 0, "s@x", rcpt, 1, &rerr),
	       "Zqq write error or disk full (#4.3.0)");
	T_EQ_U(rerr, 0);
	close(fd);
}

static void t_read_error(void)
{
	/* nothing is queued: the fake sees no envelope at all */
	static qq q;
	char *rcpt[] = {(char *)"r@x"};
	sa x = SA_ZERO;
	int rerr = -1, fd = open(t_tmpdir(), O_RDONLY | O_DIRECTORY);
	fake("exit 0");
	T_OK(qq_start_at(&q, t_tmpdir()));
	errno = 0;
	T_EQ_S(requeue(&q, fd, "H\n", 2, "s@x", rcpt, 1, &rerr),
	       "Zunable to read message (#4.3.0)");
	T_EQ_U(rerr, 1);
	T_EQ_U(errno, EISDIR);
	got(&x, "env");
	T_EQ_U(x.len, 0);
	close(fd);
	sa_free(&x);
}

static void t_setup(void)
{
	T_OK(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
}

const t_case t_cases[] = {T_CASE(t_setup),
			  T_CASE(t_queued),
			  T_CASE(t_bounce_sender_no_head),
			  T_CASE(t_big),
			  T_CASE(t_refused),
			  T_CASE(t_read_error),
			  T_END};
