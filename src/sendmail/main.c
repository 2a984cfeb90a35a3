/*
 * sendmail - the sendmail command line over qmail's programs (SPEC section 14).
 *   sendmail [-t] [-f sender] [-F name] [-bm|-bp|-bs] [ignored flags] [recipient ...]
 * Mail is handed to QMAILHOME/bin/qmail-inject: with -t it takes recipients from the
 * header and the arguments (-H), else from the arguments only (-a). -bp (or the
 * name mailq) runs qmail-qread; -bs runs qmail-smtpd on standard input and output.
 * Every program runs with QMAILHOME as its working directory.
 *
 * DIAGNOSTICS: the exit code of the program run; 100 for bad usage or an unsupported
 * mode (-q, -bi and other -b modes, newaliases); 111 when the program cannot be run.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "auto.h"
#include "die.h"
#include "env.h"
#include "sa.h"
#include "size.h"
#include "str.h"

extern char **environ;

static struct {
	int header;       /* -t: recipients from the header as well */
	char mode;        /* 'm' mail (default), 'p' list the queue, 's' SMTP session */
	const char *from; /* -f sender, or 0 */
	const char *name; /* -F full name, or 0 */
	char **rcpts;     /* the arguments after the options */
	env e;            /* the environment for the program */
	sa path;          /* QMAILHOME/bin/PROGRAM */
	sa user;          /* the user part of -f */
} s;

/* die_nomem - the one out-of-memory exit */
static _Noreturn void die_nomem(void)
{
	die_x(111, "out of memory", NULL);
}

/* usage - bad command line */
static _Noreturn void usage(void)
{
	die_x(100, "usage: sendmail [-t] [-f sender] [-F name] [-bm|-bp|-bs] [recipient ...]",
	      NULL);
}

/* mode - the argument of -b */
static void mode(const char *m)
{
	if (str_equal(m, "m") || str_equal(m, "p") || str_equal(m, "s")) {
		s.mode = *m;
		return;
	}
	if (str_equal(m, "i"))
		die_x(100,
		      "sendmail -bi (newaliases) is not supported: qmail has no aliases "
		      "database; use fastforward",
		      NULL);
	die_x(100, "sendmail -b", m, " is not supported", NULL);
}

/* options - parse the flags; returns the first argument that is not one */
static char **options(char **argv)
{
	for (; *argv && (*argv)[0] == '-' && (*argv)[1]; ++argv) {
		const char *p = *argv + 1;
		if (str_equal(*argv, "--"))
			return argv + 1;
		while (*p) {
			char c = *p++;
			const char *arg;
			if (strchr("tivmx", c)) {
				if (c == 't')
					s.header = 1;
				continue;
			}
			if (c == 'E' || c == 'J')
				break; /* the rest of this word is ignored */
			if (c == 'q')
				die_x(100,
				      "sendmail -q is not supported: qmail-send delivers at once "
				      "and retries by itself",
				      NULL);
			if (!strchr("oBpefFb", c))
				usage();
			arg = *p ? p : *++argv; /* "-fx" or "-f x" */
			if (!arg)
				usage();
			if (c == 'b')
				mode(arg);
			else if (c == 'f')
				s.from = arg;
			else if (c == 'F')
				s.name = arg;
			break; /* o, B, p, e: accepted and ignored */
		}
	}
	return argv;
}

/* set - one variable of the program's environment */
static void set(const char *name, const char *value)
{
	if (!env_set(&s.e, name, value))
		die_nomem();
}

/* run - exec QMAILHOME/bin/prog with argv and the environment built */
static _Noreturn void run(const char *prog, char **argv)
{
	if (!sa_copys(&s.path, auto_qmail) || !sa_cats(&s.path, "/bin/") ||
	    !sa_cats(&s.path, prog) || !sa_0(&s.path))
		die_nomem();
	if (chdir(auto_qmail) == -1)
		die_sys(111, "unable to switch to ", auto_qmail, NULL);
	argv[0] = (char *)prog;
	execve(s.path.s, argv, env_array(&s.e));
	if (errno == ENOENT)
		die_x(111, prog, " is not installed (", s.path.s, ")", NULL);
	die_sys(111, "unable to run ", s.path.s, NULL);
}

/* from_env - a -f sender also gives the From user and host, replacing the other
 * variables that would name them ("" and "<>" give nothing) */
static void from_env(const char *from)
{
	size_t n = strlen(from), at;
	if (n >= 2 && from[0] == '<' && from[n - 1] == '>')
		++from, n -= 2;
	if (!n)
		return;
	at = byte_rchr(from, n, '@');
	env_unset(&s.e, "QMAILNAME");
	env_unset(&s.e, "MAILNAME");
	env_unset(&s.e, "NAME");
	env_unset(&s.e, "QMAILHOST");
	env_unset(&s.e, "MAILHOST");
	if (!sa_copyb(&s.user, from, at) || !sa_0(&s.user))
		die_nomem();
	set("QMAILUSER", s.user.s);
	if (at < n) {
		if (!sa_copyb(&s.user, from + at + 1, n - at - 1) || !sa_0(&s.user))
			die_nomem();
		set("QMAILHOST", s.user.s);
	}
}

/* inject - the argument list for qmail-inject, then run it */
static _Noreturn void inject(void)
{
	size_t n = 0, i = 0, slots;
	char **argv;
	while (s.rcpts[n])
		++n;
	if (!size_add(&slots, n, 6) || !(argv = alloc_array(slots, sizeof *argv)))
		die_nomem();
	argv[i++] = "qmail-inject";
	argv[i++] = s.header ? "-H" : "-a";
	if (s.from) {
		argv[i++] = "-f";
		argv[i++] = (char *)s.from;
		from_env(s.from);
	}
	if (s.name)
		set("MAILNAME", s.name);
	argv[i++] = "--";
	memcpy(argv + i, s.rcpts, (n + 1) * sizeof *argv);
	run("qmail-inject", argv);
}

/* smtp - -bs: qmail-smtpd on stdin and stdout, as if from localhost if no PROTO */
static _Noreturn void smtp(void)
{
	char *argv[2] = {0, 0};
	if (!env_find(&s.e, "PROTO")) {
		set("RELAYCLIENT", "");
		set("DATABYTES", "0");
		set("PROTO", "TCP");
		set("TCPLOCALIP", "127.0.0.1");
		set("TCPREMOTEIP", "127.0.0.1");
		set("TCPLOCALHOST", "localhost");
		set("TCPREMOTEHOST", "localhost");
		set("TCPREMOTEINFO", "sendmail-bs");
	}
	run("qmail-smtpd", argv);
}

int main(int argc, char **argv)
{
	char *qread[2] = {0, 0};
	const char *me = argc > 0 ? argv[0] : "sendmail";
	const char *base = strrchr(me, '/') ? strrchr(me, '/') + 1 : me;
	die_init(me);
	s.mode = 'm';
	if (str_equal(base, "newaliases"))
		mode("i");
	if (str_equal(base, "mailq"))
		s.mode = 'p';
	s.rcpts = options(argc > 0 ? argv + 1 : argv);
	if (!env_init_from(&s.e, environ))
		die_nomem();
	if (s.mode == 'p')
		run("qmail-qread", qread);
	if (s.mode == 's')
		smtp();
	inject();
}
