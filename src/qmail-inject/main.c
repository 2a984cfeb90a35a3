/*
 * qmail-inject - fix up the header of a message from standard input and queue it
 * (SPEC section 14, qmail-inject(8)).
 *   qmail-inject [-nNaAhH] [-f sender] [recipient ...]
 * Control files and environment variables give the rewriting hosts and the From
 * and envelope sender; fix.c does the header work; the message goes to the queue
 * through qq.h, or with -n to standard output after a Return-Path line.
 *
 * DIAGNOSTICS: exit 0 when queued (or printed); 100 for bad usage, a hopeless header
 * or address, no recipients, or a permanent refusal by the queue; 111 for temporary
 * trouble (memory, reading, control files, the queue).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auto.h"
#include "control.h"
#include "die.h"
#include "env.h"
#include "inject.h"
#include "qq.h"
#include "sig.h"
#include "str.h"
#include "tm.h"

static inject s;

/* die_nomem - the one out-of-memory exit */
void die_nomem(void)
{
	die_x(111, "out of memory", NULL);
}

/* usage - bad command line */
static _Noreturn void usage(void)
{
	die_x(100, "usage: qmail-inject [-nNaAhH] [-f sender] [recipient ...]", NULL);
}

/* first_env - the value of the first of the variables that is set, or 0 */
static const char *first_env(const char *a, const char *b, const char *c, const char *d)
{
	const char *names[4];
	size_t i;
	names[0] = a;
	names[1] = b;
	names[2] = c;
	names[3] = d;
	for (i = 0; i < 4 && names[i]; ++i) {
		const char *v = env_get(names[i]);
		if (v)
			return v;
	}
	return 0;
}

/* setting - a host setting: the variable if set, else the control file, else me,
 * else the literal default; a line break in it could split a header line */
static void setting(sa *out, const char *var, const char *file, const char *def)
{
	const char *v = env_get(var);
	if (v) {
		if (!sa_copys(out, v))
			die_nomem();
	} else if (control_rldef(out, file, 1, def) != 1) {
		die_sys(111, "unable to read ", file, NULL);
	}
	if (byte_chr(out->s, out->len, 0) < out->len ||
	    byte_chr(out->s, out->len, '\n') < out->len ||
	    byte_chr(out->s, out->len, '\r') < out->len)
		die_x(100, "unusable ", v ? var : file, ": line break or NUL in it", NULL);
	if (!sa_0(out))
		die_nomem();
}

/* config - control files, then the environment */
static void config(void)
{
	const char *flags;
	if (chdir(auto_qmail) == -1)
		die_sys(111, "unable to switch to ", auto_qmail, NULL);
	if (control_init() == -1)
		die_sys(111, "unable to read control/me", NULL);
	setting(&s.defdomain, "QMAILDEFAULTDOMAIN", "control/defaultdomain", "defaultdomain");
	setting(&s.defhost, "QMAILDEFAULTHOST", "control/defaulthost", "defaulthost");
	setting(&s.idhost, "QMAILIDHOST", "control/idhost", "idhost");
	setting(&s.plusdomain, "QMAILPLUSDOMAIN", "control/plusdomain", "plusdomain");
	s.rw.defhost = s.defhost.s;
	s.rw.defdomain = s.defdomain.s;
	s.rw.plusdomain = s.plusdomain.s;
	s.user = first_env("QMAILUSER", "MAILUSER", "USER", "LOGNAME");
	if (!s.user)
		s.user = "anonymous";
	s.host = first_env("QMAILHOST", "MAILHOST", 0, 0);
	s.name = first_env("QMAILNAME", "MAILNAME", "NAME", 0);
	s.suser = env_get("QMAILSUSER");
	s.shost = env_get("QMAILSHOST");
	s.mftfile = env_get("QMAILMFTFILE");
	flags = env_get("QMAILINJECT");
	if (!flags)
		flags = "";
	s.flag_comment = strchr(flags, 'c') != 0;
	s.flag_skiprp = strchr(flags, 's') != 0;
	s.flag_delfrom = strchr(flags, 'f') != 0;
	s.flag_delmsgid = strchr(flags, 'i') != 0;
	s.flag_verprcpt = strchr(flags, 'r') != 0;
	s.flag_verpmsg = strchr(flags, 'm') != 0;
}

/* verp - the sender in VERP form: "-TIME.PID" after the user (m), and
 * "user-@host-@[]" (r), which qmail-send expands for each recipient */
static void verp(void)
{
	sa v = SA_ZERO;
	size_t at = byte_rchr(s.sender.s, s.sender.len, '@');
	int ok = sa_catb(&v, s.sender.s, at);
	if (s.flag_verpmsg)
		ok = ok && sa_catc(&v, '-') && sa_catu(&v, (uint64_t)tm_now()) &&
		     sa_catc(&v, '.') && sa_catu(&v, (uint64_t)getpid());
	if (s.flag_verprcpt)
		ok = ok && sa_catc(&v, '-');
	ok = ok && sa_catb(&v, s.sender.s + at, s.sender.len - at);
	if (s.flag_verprcpt)
		ok = ok && sa_cats(&v, "-@[]");
	if (!ok || !sa_copy(&s.sender, &v))
		die_nomem();
	sa_free(&v);
}

/* make_sender - the envelope sender: -f, else an incoming Return-Path, else
 * QMAILSUSER@QMAILSHOST, else the From user and host; then VERP if asked */
static void make_sender(void)
{
	const sa *x = &s.sender;
	if (s.fsender) {
		const char *f = s.fsender;
		size_t n = strlen(f);
		if (n >= 2 && f[0] == '<' && f[n - 1] == '>')
			++f, n -= 2;
		if (n && !hdr_addr_rewrite(&s.sender, f, n, &s.rw))
			die_nomem();
	} else if (s.has_rp) {
		if (!sa_copy(&s.sender, &s.rp))
			die_nomem();
	} else {
		sa raw = SA_ZERO;
		const char *h = s.shost ? s.shost : s.host ? s.host : s.defhost.s;
		if (!sa_cats(&raw, s.suser ? s.suser : s.user) || !sa_catc(&raw, '@') ||
		    !sa_cats(&raw, h) || !hdr_addr_rewrite(&s.sender, raw.s, raw.len, &s.rw))
			die_nomem();
		sa_free(&raw);
	}
	if (x->len > HDR_ADDR_MAX || byte_chr(x->s, x->len, 0) < x->len ||
	    byte_chr(x->s, x->len, '\n') < x->len || byte_chr(x->s, x->len, '\r') < x->len)
		die_x(100, "unusable envelope sender: too long, or a line break or NUL in it",
		      NULL);
	if (x->len && (s.flag_verpmsg || s.flag_verprcpt))
		verp();
	if (!sa_0(&s.sender))
		die_nomem();
}

/* rest - hand each chunk of the body that is still unread to put; 0 on a read error */
static int rest(void (*put)(const char *, size_t))
{
	for (;;) {
		size_t n;
		const char *p;
		ssize_t r = buf_feed(&s.in);
		if (r < 0)
			return 0;
		if (r == 0)
			return 1;
		p = buf_peek(&s.in, &n);
		put(p, n);
		buf_skip(&s.in, n);
	}
}

/* put_out - bytes to standard output */
static void put_out(const char *p, size_t n)
{
	if (!buf_put(&s.so, p, n))
		die_sys(111, "unable to write output", NULL);
}

/* print - -n: the message as it would be queued, after a Return-Path line */
static void print(void)
{
	buf_init(&s.so, 1, s.sospace, sizeof s.sospace);
	put_out("Return-Path: <", 14);
	put_out(s.sender.s, s.sender.len - 1);
	put_out(">\n", 2);
	put_out(s.out.s, s.out.len);
	put_out("\n", 1);
	put_out(s.head.s + s.h.body, s.head.len - s.h.body);
	if (!rest(put_out))
		die_sys(111, "unable to read message", NULL);
	if (!buf_flush(&s.so))
		die_sys(111, "unable to write output", NULL);
}

/* put_qq - bytes to the queue */
static void put_qq(const char *p, size_t n)
{
	qq_put(&s.q, p, n);
}

/* queue - the message to qmail-queue, then one envelope recipient per address */
static void queue(const sa *a, const sa *b)
{
	const char *text;
	size_t i;
	if (!a->len && !b->len)
		die_x(100, "no recipients: name them as arguments or in To, Cc or Bcc (-t)", NULL);
	if (!qq_start(&s.q))
		die_sys(111, "unable to run qmail-queue", NULL);
	put_qq(s.out.s, s.out.len);
	put_qq("\n", 1);
	put_qq(s.head.s + s.h.body, s.head.len - s.h.body);
	if (!rest(put_qq)) {
		int e = errno;
		qq_fail(&s.q); /* nothing is queued */
		qq_finish(&s.q);
		errno = e;
		die_sys(111, "unable to read message", NULL);
	}
	qq_from(&s.q, s.sender.s);
	for (i = 0; i < a->len; i += strlen(a->s + i) + 1)
		qq_to(&s.q, a->s + i);
	for (i = 0; i < b->len; i += strlen(b->s + i) + 1)
		qq_to(&s.q, b->s + i);
	text = qq_finish(&s.q);
	if (*text)
		die_x(*text == 'D' ? 100 : 111, text + 1, NULL);
}

int main(int argc, char **argv)
{
	static const sa none = SA_ZERO;
	int opt;
	die_init("qmail-inject");
	s.mode = 'A';
	while ((opt = getopt(argc, argv, "+aAhHnNf:")) != -1)
		switch (opt) {
		case 'a':
		case 'A':
		case 'h':
		case 'H':
			s.mode = (char)opt;
			break;
		case 'n':
			s.print = 1;
			break;
		case 'N':
			s.print = 0;
			break;
		case 'f':
			s.fsender = optarg;
			break;
		default:
			usage();
		}
	argv += optind;
	argc -= optind;
	if (s.mode == 'A')
		s.mode = argc ? 'a' : 'h';
	sig_ignore(SIGPIPE);
	config();
	buf_init(&s.in, 0, s.inspace, sizeof s.inspace);
	fix_header(&s);
	fix_complete(&s);
	make_sender();
	if (s.mode != 'h')
		fix_args(&s, argv);
	if (s.print)
		print();
	else
		queue(s.mode == 'h' ? &none : &s.arcpt, s.mode == 'a' ? &none : &s.hrcpt);
	return 0;
}
