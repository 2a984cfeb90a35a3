/*
 * run.c - qmail-local's whole run: deliver one message to one local recipient as a
 * .qmail file says. main.c calls it; qmail-lspawn calls it too, in its delivery child
 * after dropping to the recipient, instead of exec'ing bin/qmail-local.
 *
 *	qmail-local [-nN] [--] user homedir local dash ext domain sender defaultdelivery
 *
 * Runs as the recipient (qmail-lspawn has dropped to its uid and gid). Checks the
 * home directory, refuses a message that already carries our Delivered-To line,
 * finds the .qmail file (dotqmail_find), then carries out its lines in order: mbox
 * and maildir deliveries and programs at once, forwards all together at the end.
 * With -n it only prints what it would do.
 *
 * DIAGNOSTICS: everything goes to fd 1, which becomes the delivery report. Exit 0
 * after "did F+W+P" (and "qp N" if it forwarded), 100 for a permanent failure, 111
 * for a temporary one; each of our own texts ends with an RFC 3463 code (#x.y.z).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "auto.h"
#include "buf.h"
#include "die.h"
#include "dotqmail.h"
#include "error.h"
#include "fmt.h"
#include "local.h"
#include "run.h"
#include "sig.h"

extern char **environ;

static local l; /* the one state of this program */

/* opened - what the .qmail lookup callback found */
typedef struct {
	int fd;          /* the open .qmail file, -1 if none */
	struct stat st;  /* its status */
	const char *why; /* when the callback failed on purpose: what to report */
} opened;

/* usage - a malformed command line is the caller's bug: defer, never bounce */
static _Noreturn void usage(void)
{
	quit(EXIT_TEMP,
	     "qmail-local: usage: qmail-local [-nN] [--] user homedir local dash ext domain "
	     "sender defaultdelivery (#4.3.5)",
	     (char *)0);
}

/* check_home - chdir to the home directory and check that it is safe to use */
static void check_home(int doit)
{
	struct stat st;
	if (chdir(l.home) == -1)
		quit_sys(EXIT_TEMP, "4.3.0", "Unable to switch to ", l.home, (char *)0);
	if (stat(".", &st) == -1)
		quit_sys(EXIT_TEMP, "4.3.0", "Unable to stat home directory ", l.home, (char *)0);
	if (st.st_mode & AUTO_PATRN)
		quit(EXIT_TEMP, "Home directory ", l.home, " is writable by others. (#4.7.0)",
		     (char *)0);
	if (st.st_mode & S_ISVTX) {
		if (doit)
			quit(EXIT_TEMP,
			     "Home directory is sticky: user is editing his .qmail file. "
			     "(#4.2.1)",
			     (char *)0);
		report("Warning: home directory is sticky.", (char *)0);
	}
}

/* qmail_open - the dotqmail_find callback: open name if it is a regular file. A
 * symbolic link is followed only to a file the recipient owns. */
static int qmail_open(const char *name, void *ctx)
{
	opened *o = ctx;
	int linked = 0;
	int fd = open(name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1 && errno == ELOOP) {
		linked = 1;
		fd = open(name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	}
	if (fd == -1) {
		if (errno == EACCES || errno == EPERM || error_temp(errno))
			return -1;
		return 0;
	}
	if (fstat(fd, &o->st) == -1) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISREG(o->st.st_mode)) {
		close(fd);
		return 0;
	}
	if (linked && o->st.st_uid != geteuid()) {
		close(fd);
		o->why = " is a symbolic link to a file the recipient does not own. (#4.7.0)";
		return -1;
	}
	o->fd = fd;
	return 1;
}

/* owner_exists - the dotqmail_newsender callback: whether name exists at all */
static int owner_exists(const char *name, void *ctx)
{
	struct stat st;
	(void)ctx;
	if (stat(name, &st) == 0)
		return 1;
	return error_temp(errno) || errno == EACCES ? -1 : 0;
}

/* parse_error - report why the .qmail file (or defaultdelivery) was refused */
static _Noreturn void parse_error(const char *name)
{
	if (errno == E2BIG)
		quit(EXIT_TEMP, name, " has a line that is too long. (#4.7.0)", (char *)0);
	if (errno == EFBIG)
		quit(EXIT_TEMP, name, " is too large. (#4.7.0)", (char *)0);
	if (errno == EINVAL)
		quit(EXIT_TEMP, name, " contains a NUL byte. (#4.7.0)", (char *)0);
	quit_nomem();
}

/* read_qmail - find and parse the .qmail file (or defaultdelivery); returns 1 when
 * forward-only mode starts on (owner execute bit) */
static int read_qmail(dotqmail *d)
{
	opened o = {-1, {0}, 0};
	char space[4096];
	buf in;
	ssize_t r;
	size_t n;
	int found = dotqmail_find(&l.qmail, &l.defpos, l.dash, l.ext, qmail_open, &o);
	dotqmail_init(d, 0, 0);
	if (found == -1) {
		if (o.why)
			quit(EXIT_TEMP, l.qmail.s, o.why, (char *)0);
		if (errno == ENOMEM)
			quit_nomem();
		quit_sys(EXIT_TEMP, "4.3.0", "Unable to open ", l.qmail.s, (char *)0);
	}
	if (found == 0) {
		if (*l.dash)
			quit(EXIT_PERM, "Sorry, no mailbox here by that name. (#5.1.1)", (char *)0);
	} else {
		if (o.st.st_mode & AUTO_PATRN)
			quit(EXIT_TEMP, l.qmail.s, " is writable by others. (#4.7.0)", (char *)0);
		buf_init(&in, o.fd, space, sizeof space);
		while ((r = buf_feed(&in)) > 0) {
			const char *s = buf_peek(&in, &n);
			if (!dotqmail_feed(d, s, n))
				parse_error(l.qmail.s);
			buf_skip(&in, n);
		}
		if (r < 0)
			quit_sys(EXIT_TEMP, "4.3.0", "Unable to read ", l.qmail.s, (char *)0);
		close(o.fd);
		if (!dotqmail_end(d))
			parse_error(l.qmail.s);
		if (d->n)
			return (o.st.st_mode & S_IXUSR) != 0;
		/* an empty file means defaultdelivery, and no forward-only mode */
		dotqmail_free(d);
		dotqmail_init(d, 0, 0);
	}
	if (!sa_copys(&l.qmail, "defaultdelivery") || !sa_0(&l.qmail))
		quit_nomem();
	if (!dotqmail_parse(d, l.dflt, strlen(l.dflt)))
		parse_error("defaultdelivery");
	return 0;
}

/* file_ok - forward-only mode forbids file and program deliveries */
static void file_ok(int fwdonly, const char *what)
{
	if (fwdonly)
		quit(EXIT_TEMP, l.qmail.s, " has ", what,
		     " delivery but is forward-only (+list or owner execute bit). (#4.7.0)",
		     (char *)0);
}

/* deliver - carry out the instructions; forwards are sent at the end, together */
static void deliver(const dotqmail *d, int fwdonly, int doit)
{
	char **rcpt = alloc_array(d->n ? d->n : 1, sizeof *rcpt);
	char num[FMT_U64 * 3 + 8];
	size_t i, n = 0, k;
	unsigned long qp = 0;
	if (!rcpt)
		quit_nomem();
	for (i = 0; i < d->n; ++i) {
		const char *arg = dotqmail_arg(d, i);
		switch (d->v[i].kind) {
		case DQ_BLANKFIRST:
			quit(EXIT_TEMP, "First line of ", l.qmail.s, " is blank. (#4.2.1)",
			     (char *)0);
		case DQ_LIST:
			fwdonly = 1;
			break;
		case DQ_MBOX:
		case DQ_MAILDIR:
			file_ok(fwdonly, "file");
			if (!doit)
				report(d->v[i].kind == DQ_MBOX ? "mbox " : "maildir ", arg,
				       (char *)0);
			else if (d->v[i].kind == DQ_MBOX)
				mbox_deliver(&l, arg);
			else
				maildir_deliver(&l, arg);
			l.nfile++;
			break;
		case DQ_PROGRAM:
			file_ok(fwdonly, "program");
			l.nprog++;
			if (!doit)
				report("program ", arg, (char *)0);
			else if (program_deliver(&l, arg) == 99)
				i = d->n - 1; /* skip the rest; forwards so far still go */
			break;
		case DQ_FORWARD:
			if (!doit)
				report("forward ", arg, (char *)0);
			rcpt[n++] = (char *)arg;
			l.nfwd++;
			break;
		default:
			break;
		}
	}
	if (!doit) {
		alloc_free(rcpt);
		return;
	}
	if (n)
		qp = forward_send(&l, rcpt, n);
	k = 0;
	memcpy(num + k, "did ", 4);
	k += 4;
	k += fmt_u64(num + k, l.nfile);
	num[k++] = '+';
	k += fmt_u64(num + k, l.nfwd);
	num[k++] = '+';
	k += fmt_u64(num + k, l.nprog);
	num[k] = 0;
	report(num, (char *)0);
	if (n) {
		num[fmt_u64(num, qp)] = 0;
		report("qp ", num, (char *)0);
	}
	alloc_free(rcpt);
}

/* options - read the command line into l; returns 0 for -n, 1 to deliver */
static int options(int argc, char **argv)
{
	int i = 1, doit = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; ++i) {
		const char *p = argv[i] + 1;
		if (!strcmp(argv[i], "--")) {
			++i;
			break;
		}
		for (; *p; ++p)
			if (*p == 'n')
				doit = 0;
			else if (*p == 'N')
				doit = 1;
			else
				usage();
	}
	if (argc - i != 8)
		usage();
	l.user = argv[i];
	l.home = argv[i + 1];
	l.local = argv[i + 2];
	l.dash = argv[i + 3];
	l.ext = argv[i + 4];
	l.domain = argv[i + 5];
	l.sender = argv[i + 6];
	l.dflt = argv[i + 7];
	return doit;
}

/* local_run - qmail-local with this command line; returns the exit code when it does
 * not exit itself */
int local_run(int argc, char **argv)
{
	dotqmail d;
	int doit, fwdonly;
	die_init(argv[0]);
	doit = options(argc, argv);
	umask(077);
	if (!sig_ignore(SIGPIPE))
		quit_sys(EXIT_TEMP, "4.3.0", "Unable to ignore SIGPIPE", (char *)0);
	if (!env_init_from(&l.env, environ))
		quit_nomem();
	vars_lines(&l);
	check_home(doit);
	if (doit && message_looping(&l.dtline))
		quit(EXIT_PERM,
		     "This message is looping: it already has my Delivered-To line. (#5.4.6)",
		     (char *)0);
	fwdonly = read_qmail(&d);
	if (doit) {
		if (!dotqmail_newsender(&l.newsender, l.sender, l.local, l.domain, l.dash, l.ext,
					owner_exists, 0)) {
			if (errno == ENOMEM)
				quit_nomem();
			quit_sys(EXIT_TEMP, "4.3.0", "Unable to look for the -owner file",
				 (char *)0);
		}
		vars_env(&l);
	}
	deliver(&d, fwdonly, doit);
	dotqmail_free(&d);
	return EXIT_OK;
}
