/* control.c - tests for control files and whole-file reads */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control.h"
#include "file.h"
#include "harness.h"

/* put - write a control file with the given bytes */
static void put(const char *name, const char *s, size_t n)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	T_OK(fd >= 0);
	T_EQ_U(write(fd, s, n), n);
	close(fd);
}

static void setup(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	T_OK(chdir(t_tmpdir()) == 0);
	T_OK(mkdir("control", 0755) == 0);
}

static void t_me_and_defaults(void)
{
	sa x = SA_ZERO;
	setup();
	T_EQ_U(control_init(), 1);
	T_OK(control_me() == 0);
	T_EQ_U(control_rldef(&x, "control/bouncefrom", 0, "MAILER-DAEMON"), 1);
	T_EQ_MEM(x.s, x.len, "MAILER-DAEMON", 13);
	T_EQ_U(control_rldef(&x, "control/helohost", 1, 0), -1);
	put("control/me", "mail.example.org \t\nsecond line\n", 31);
	T_EQ_U(control_init(), 1);
	T_OK(control_me() != 0);
	T_EQ_MEM(control_me()->s, control_me()->len, "mail.example.org", 16);
	T_EQ_U(control_rldef(&x, "control/helohost", 1, 0), 1);
	T_EQ_MEM(x.s, x.len, "mail.example.org", 16);
	T_EQ_U(control_rldef(&x, "control/bouncehost", 1, "bouncehost"), 1);
	T_EQ_MEM(x.s, x.len, "mail.example.org", 16);
	put("control/bouncehost", "b.example\r\n", 11);
	T_EQ_U(control_rldef(&x, "control/bouncehost", 1, "bouncehost"), 1);
	T_EQ_MEM(x.s, x.len, "b.example", 9);
	put("control/empty", "", 0);
	T_EQ_U(control_readline(&x, "control/empty"), 1);
	T_EQ_U(x.len, 0);
	sa_free(&x);
}

static void t_int(void)
{
	uint64_t u = 5;
	setup();
	T_EQ_U(control_readint(&u, "control/queuelifetime"), 0);
	T_EQ_U(u, 5);
	put("control/queuelifetime", "86400 seconds\n", 14);
	T_EQ_U(control_readint(&u, "control/queuelifetime"), 1);
	T_EQ_U(u, 86400);
	put("control/databytes", "lots\n", 5);
	T_EQ_U(control_readint(&u, "control/databytes"), -1);
	put("control/databytes", "99999999999999999999999\n", 24);
	T_EQ_U(control_readint(&u, "control/databytes"), -1);
	T_EQ_U(errno, ERANGE);
}

static void t_list(void)
{
	static const char in[] = "# comment\nexample.org\n\n  \n.example.net  \n#x\nlast";
	static const char want[] = "example.org\0.example.net\0last\0";
	sa x = SA_ZERO;
	setup();
	T_EQ_U(control_readlist(&x, "control/rcpthosts"), 0);
	T_EQ_U(x.len, 0);
	put("control/rcpthosts", in, sizeof in - 1);
	T_EQ_U(control_readlist(&x, "control/rcpthosts"), 1);
	T_EQ_MEM(x.s, x.len, want, sizeof want - 1);
	put("control/locals", "a\0b\n", 4);
	T_EQ_U(control_readlist(&x, "control/locals"), -1);
	T_EQ_U(errno, EINVAL);
	sa_free(&x);
}

static void t_file_read_limit(void)
{
	sa x = SA_ZERO;
	char big[10000];
	setup();
	memset(big, 'a', sizeof big);
	put("big", big, sizeof big);
	T_EQ_U(file_read("big", &x, sizeof big), 1);
	T_EQ_U(x.len, sizeof big);
	errno = 0;
	T_EQ_U(file_read("big", &x, sizeof big - 1), -1);
	T_EQ_U(errno, EFBIG);
	T_EQ_U(file_read("missing", &x, 10), 0);
	T_OK(mkdir("adir", 0700) == 0);
	T_EQ_U(file_read("adir", &x, 10), -1);
	T_OK(file_syncdir("."));
	T_OK(!file_syncdir("missing"));
	T_OK(!file_syncdir("big"));
	sa_free(&x);
}

const t_case t_cases[] = {
	T_CASE(t_me_and_defaults), T_CASE(t_int), T_CASE(t_list), T_CASE(t_file_read_limit), T_END,
};
