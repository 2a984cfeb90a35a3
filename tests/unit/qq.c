/* qq.c - tests for the common qmail-queue helper, with a fake queue program */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "file.h"
#include "harness.h"
#include "qq.h"

/* fake - a fake queue program: saves fd 0 in msg and fd 1 in env, then runs body
 * (a body starting with '#' is a whole script of its own) */
static void fake(const char *body)
{
	char text[1024];
	const char *prog;
	int n;
	if (body[0] == '#')
		n = snprintf(text, sizeof text, "%s\n", body);
	else
		n = snprintf(text, sizeof text, "#!/bin/sh\ncat > msg\ncat <&1 > env\n%s\n", body);
	T_OK(n > 0 && (size_t)n < sizeof text);
	prog = t_script("fakeqq", text);
	if (prog)
		setenv("QMAILQUEUE", prog, 1);
}

/* run - queue a small message to two recipients; returns qq_finish's text */
static const char *run(qq *q)
{
	static char text[300];
	T_OK(qq_start_at(q, t_tmpdir()));
	qq_puts(q, "Subject: test\n\nbody\n");
	qq_from(q, "sender@example.org");
	qq_to(q, "a@example.com");
	qq_to(q, "b@example.com");
	snprintf(text, sizeof text, "%s", qq_finish(q));
	return text;
}

static void t_success(void)
{
	static qq q;
	sa x = SA_ZERO;
	static const char env[] = "Fsender@example.org\0Ta@example.com\0Tb@example.com\0";
	signal(SIGPIPE, SIG_IGN); /* callers of qq ignore SIGPIPE, and so do these tests */
	fake("exit 0");
	T_EQ_S(run(&q), "");
	T_OK(qq_qp(&q) > 1);
	T_EQ_U(file_read(t_path("msg"), &x, 1000), 1);
	T_EQ_MEM(x.s, x.len, "Subject: test\n\nbody\n", 20);
	T_EQ_U(file_read(t_path("env"), &x, 1000), 1);
	T_EQ_MEM(x.s, x.len, env, sizeof env);
	sa_free(&x);
}

static void t_exit_codes(void)
{
	static const struct {
		const char *body; /* fake program's exit */
		const char *text; /* expected report */
	} t[] = {
		{"exit 11", "Denvelope address too long for qq (#5.1.3)"},
		{"exit 31", "Dmail server permanently rejected message (#5.3.0)"},
		{"exit 40", "Dqq permanent problem (#5.3.0)"},
		{"exit 41", "Zqq temporary problem (#4.3.0)"},
		{"exit 53", "Zqq write error or disk full (#4.3.0)"},
		{"exit 64", "Zqq trouble creating files in queue (#4.3.0)"},
		{"exit 74", "Zcommunication with mail server failed (#4.4.2)"},
		{"exit 91", "Zqq internal bug (#4.3.0)"},
		{"exit 75", "Zqq temporary problem (#4.3.0)"},
		{"kill -9 $$", "Zqq crashed (#4.3.0)"},
		{"echo 'Dspam is not welcome here (#5.7.1)' >&6; exit 82",
		 "Dspam is not welcome here (#5.7.1)"},
		{"printf 'Zcome back later\\r\\n550 injected' >&6; exit 82", "Zcome back later"},
		{"printf 'Xno' >&6; exit 82", "Zqq temporary problem (#4.3.0)"},
		{"printf 'D' >&6; exit 82", "Zqq temporary problem (#4.3.0)"},
	};
	size_t i;
	for (i = 0; i < sizeof t / sizeof t[0]; ++i) {
		static qq q;
		fake(t[i].body);
		T_EQ_S(run(&q), t[i].text);
	}
}

static void t_exec_fails(void)
{
	static qq q;
	setenv("QMAILQUEUE", "/nonexistent/qmail-queue", 1);
	T_EQ_S(run(&q), "Zunable to exec qq (#4.3.0)");
	unsetenv("QMAILQUEUE");
	T_OK(qq_start_at(&q, "/nonexistent-home"));
	T_EQ_S(qq_finish(&q), "Zqq trouble in home directory (#4.3.0)");
}

static void t_early_exit(void)
{
	/* the queue program exits without reading: our writes fail, never a crash */
	static qq q;
	size_t i;
	fake("#!/bin/sh\nexit 0");
	signal(SIGPIPE, SIG_IGN);
	T_OK(qq_start_at(&q, t_tmpdir()));
	for (i = 0; i < 3000; ++i)
		qq_puts(&q, "a line of the message that nobody reads............\n");
	qq_from(&q, "");
	qq_to(&q, "a@b");
	T_EQ_S(qq_finish(&q), "Zqq read error (#4.3.0)");
}

static void t_fail(void)
{
	/* after qq_fail no envelope is sent: a real qmail-queue then exits 54 */
	static qq q;
	fake("#!/bin/sh\ncat > /dev/null\nexec 3<&1\nif [ \"$(wc -c <&3)\" -eq 0 ]; then exit 54; "
	     "fi\nexit 0");
	T_OK(qq_start_at(&q, t_tmpdir()));
	qq_puts(&q, "partial message\n");
	qq_fail(&q);
	qq_from(&q, "a@b");
	qq_to(&q, "c@d");
	T_EQ_S(qq_finish(&q), "Zqq read error (#4.3.0)");
}

static void t_exittext(void)
{
	T_EQ_S(qq_exittext(0), "");
	T_EQ_S(qq_exittext(115 << 8), "Denvelope address too long for qq (#5.1.3)");
	T_EQ_S(qq_exittext(120 << 8), "Zunable to exec qq (#4.3.0)");
	T_EQ_S(qq_exittext(SIGSEGV), "Zqq crashed (#4.3.0)");
}

const t_case t_cases[] = {
	T_CASE(t_success),
	T_CASE(t_exit_codes),
	T_CASE(t_exec_fails),
	T_CASE(t_early_exit),
	T_CASE(t_fail),
	T_CASE(t_exittext),
	T_END,
};
