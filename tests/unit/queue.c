/* queue.c - tests for queue_known: a message is in the queue while its info/SPLIT/ID
 * or its todo/ID exists; a stat error other than ENOENT is an error */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "queue.h"

/* touch - create the empty file path */
static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	T_OK(fd != -1);
	if (fd != -1)
		close(fd);
}

/* to_queue - a fresh queue directory (info/17 and todo) as the current directory */
static void to_queue(const char *name)
{
	T_EQ_U(chdir(t_tmpdir()), 0);
	T_EQ_U(mkdir(name, 0700), 0);
	T_EQ_U(chdir(name), 0);
	T_EQ_U(mkdir("info", 0700), 0);
	T_EQ_U(mkdir("info/17", 0700), 0);
	T_EQ_U(mkdir("todo", 0700), 0);
}

static void t_known(void)
{
	char path[QUEUE_PATHMAX];
	to_queue("q1");
	T_EQ_U(queue_known(path, 12345), 0);
	T_EQ_S(path, "todo/12345");
	touch("todo/12345");
	T_EQ_U(queue_known(path, 12345), 1);
	T_EQ_S(path, "todo/12345");
	touch("info/17/12345");
	T_EQ_U(queue_known(path, 12345), 1);
	T_EQ_S(path, "info/17/12345");
	T_EQ_U(unlink("todo/12345"), 0);
	T_EQ_U(queue_known(path, 12345), 1);
	T_EQ_U(queue_known(path, 12346), 0); /* another message, another split */
	T_EQ_S(path, "todo/12346");
	T_EQ_U(queue_known(path, UINT64_MAX), 0);
}

static void t_errors(void)
{
	char path[QUEUE_PATHMAX];
	to_queue("q2");
	T_EQ_U(rmdir("info/17"), 0);
	touch("info/17"); /* info/17/ID: not a directory */
	errno = 0;
	T_EQ_U(queue_known(path, 12345), (unsigned long long)-1);
	T_EQ_U(errno, ENOTDIR);
	T_EQ_S(path, "info/17/12345");
	T_EQ_U(queue_known(path, 12346), 0); /* split 18: missing, not an error */
	T_EQ_U(rmdir("todo"), 0);
	touch("todo");
	errno = 0;
	T_EQ_U(queue_known(path, 12346), (unsigned long long)-1);
	T_EQ_U(errno, ENOTDIR);
	T_EQ_S(path, "todo/12346");
}

const t_case t_cases[] = {T_CASE(t_known), T_CASE(t_errors), T_END};
