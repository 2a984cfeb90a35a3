/* env.c - tests for building environments for execve */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "env.h"
#include "harness.h"
#include "sa.h"

/* joined - the strings of e, each followed by '\n', as one C string in x */
static const char *joined(env *e, sa *x)
{
	char **v = env_array(e);
	x->len = 0;
	for (; v && *v; ++v)
		if (!sa_cats(x, *v) || !sa_catc(x, '\n'))
			return "(nomem)";
	if (!sa_0(x))
		return "(nomem)";
	return x->s;
}

static void t_set_replace_unset(void)
{
	env e = ENV_ZERO;
	sa x = SA_ZERO;
	char **v = env_array(&e);
	T_OK(v != 0 && v[0] == 0);
	T_EQ_U(e.n, 0);
	T_OK(env_set(&e, "PATH", "/bin"));
	T_OK(env_set(&e, "HOME", "/home/a"));
	T_OK(env_set(&e, "P", "x=y"));
	T_EQ_S(joined(&e, &x), "PATH=/bin\nHOME=/home/a\nP=x=y\n");
	/* replacing keeps the place; a prefix of a name is another name */
	T_OK(env_set(&e, "PATH", "/usr/bin:/bin"));
	T_EQ_S(joined(&e, &x), "PATH=/usr/bin:/bin\nHOME=/home/a\nP=x=y\n");
	T_EQ_S(env_find(&e, "P"), "x=y");
	T_EQ_S(env_find(&e, "PATH"), "/usr/bin:/bin");
	T_OK(env_find(&e, "PAT") == 0);
	T_OK(env_find(&e, "PATHS") == 0);
	/* empty values are values */
	T_OK(env_set(&e, "EMPTY", ""));
	T_EQ_S(env_find(&e, "EMPTY"), "");
	/* unsetting keeps the order of the rest */
	T_OK(env_unset(&e, "HOME"));
	T_EQ_S(joined(&e, &x), "PATH=/usr/bin:/bin\nP=x=y\nEMPTY=\n");
	T_OK(env_unset(&e, "HOME"));
	T_OK(env_unset(&e, "EMPTY"));
	T_EQ_S(joined(&e, &x), "PATH=/usr/bin:/bin\nP=x=y\n");
	T_OK(env_set(&e, "HOME", "/b"));
	T_EQ_S(joined(&e, &x), "PATH=/usr/bin:/bin\nP=x=y\nHOME=/b\n");
	env_clear(&e);
	T_EQ_U(e.n, 0);
	T_OK(env_array(&e)[0] == 0);
	T_OK(env_set(&e, "A", "1"));
	T_EQ_S(joined(&e, &x), "A=1\n");
	env_free(&e);
	T_OK(e.v == 0 && e.n == 0 && e.a == 0);
	sa_free(&x);
}

static void t_bad_names(void)
{
	env e = ENV_ZERO;
	const char *bad[] = {"", "A=B", "=", "=A", "A="};
	size_t i;
	T_OK(env_set(&e, "KEEP", "1"));
	for (i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
		errno = 0;
		T_OK(!env_set(&e, bad[i], "v"));
		T_EQ_U(errno, EINVAL);
		errno = 0;
		T_OK(!env_unset(&e, bad[i]));
		T_EQ_U(errno, EINVAL);
		errno = 0;
		T_OK(env_find(&e, bad[i]) == 0);
		T_EQ_U(errno, EINVAL);
	}
	errno = 0;
	T_OK(!env_set(&e, 0, "v"));
	T_EQ_U(errno, EINVAL);
	T_OK(!env_set(&e, "A", 0));
	T_EQ_U(errno, EINVAL);
	/* a failed call changes nothing */
	T_EQ_U(e.n, 1);
	T_EQ_S(e.v[0], "KEEP=1");
	env_free(&e);
}

static void t_init_from(void)
{
	char *in[] = {"A=1", "noequals", "=novalue", "B=2=3", "A=hidden", "C=", "B=x", 0};
	env e = ENV_ZERO;
	sa x = SA_ZERO;
	T_OK(env_set(&e, "OLD", "gone"));
	T_OK(env_init_from(&e, in));
	T_EQ_S(joined(&e, &x), "A=1\nB=2=3\nC=\n");
	/* a copy: the strings are not shared with the input */
	T_OK(e.v[0] != in[0]);
	T_OK(env_init_from(&e, 0));
	T_EQ_U(e.n, 0);
	T_OK(env_array(&e)[0] == 0);
	env_free(&e);
	sa_free(&x);
}

static void t_environ(void)
{
	extern char **environ;
	env e = ENV_ZERO;
	size_t n = 0;
	T_OK(setenv("ENV_TEST_VAR", "hello", 1) == 0);
	T_EQ_S(env_get("ENV_TEST_VAR"), "hello");
	T_OK(env_get("ENV_TEST_UNSET_VAR") == 0);
	T_OK(env_get("ENV_TEST_VAR=hello") == 0);
	T_OK(env_get("") == 0);
	T_OK(env_init_from(&e, environ));
	T_EQ_S(env_find(&e, "ENV_TEST_VAR"), "hello");
	while (environ[n])
		++n;
	T_OK(e.n <= n && e.n > 0);
	env_free(&e);
}

static void t_many(void)
{
	env e = ENV_ZERO;
	char name[32], value[32];
	size_t i, bad = 0;
	for (i = 0; i < 1000; ++i) {
		snprintf(name, sizeof name, "V%zu", i);
		snprintf(value, sizeof value, "v%zu", i * 7);
		if (!env_set(&e, name, value))
			++bad;
	}
	T_EQ_U(bad, 0);
	T_EQ_U(e.n, 1000);
	T_OK(e.v[1000] == 0);
	T_EQ_S(e.v[0], "V0=v0");
	T_EQ_S(e.v[999], "V999=v6993");
	T_EQ_S(env_find(&e, "V500"), "v3500");
	/* remove every even one; the odd ones stay in order */
	for (i = 0; i < 1000; i += 2) {
		snprintf(name, sizeof name, "V%zu", i);
		if (!env_unset(&e, name))
			++bad;
	}
	T_EQ_U(bad, 0);
	T_EQ_U(e.n, 500);
	for (i = 0; i < 500; ++i) {
		snprintf(name, sizeof name, "V%zu=v%zu", 2 * i + 1, 7 * (2 * i + 1));
		if (strcmp(e.v[i], name) != 0)
			++bad;
	}
	T_EQ_U(bad, 0);
	T_OK(e.v[500] == 0);
	env_free(&e);
}

static void t_execve(void)
{
	env e = ENV_ZERO;
	char *argv[] = {"env", 0};
	char buf[256];
	size_t got = 0;
	int p[2], status = -1;
	ssize_t r;
	pid_t pid;
	T_OK(env_set(&e, "B", "2"));
	T_OK(env_set(&e, "A", "one two"));
	T_OK(env_set(&e, "C", ""));
	T_OK(env_unset(&e, "B"));
	T_OK(env_set(&e, "B", "last"));
	T_OK(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		if (dup2(p[1], 1) < 0)
			_exit(90);
		execve("/usr/bin/env", argv, env_array(&e));
		_exit(91);
	}
	T_OK(pid > 0);
	close(p[1]);
	while (got < sizeof buf && (r = read(p[0], buf + got, sizeof buf - got)) > 0)
		got += (size_t)r;
	close(p[0]);
	T_OK(waitpid(pid, &status, 0) == pid);
	T_OK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	T_EQ_MEM(buf, got, "A=one two\nC=\nB=last\n", 20);
	env_free(&e);
}

const t_case t_cases[] = {
	T_CASE(t_set_replace_unset),
	T_CASE(t_bad_names),
	T_CASE(t_init_from),
	T_CASE(t_environ),
	T_CASE(t_many),
	T_CASE(t_execve),
	T_END,
};
