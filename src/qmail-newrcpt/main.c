/*
 * qmail-newrcpt - compile QMAILHOME/control/recipients.cdb, the addresses that exist
 * in the local and virtual domains (qmail-recipients(5)), so that qmail-smtpd can
 * refuse unknown recipients at RCPT time while it runs as qmaild with no access to
 * home directories. Runs as root, with no arguments, like qmail-newu.
 *
 * First it gathers the local parts this host accepts (names.h): every passwd account
 * qmail-getpw would choose (uid not 0, home owned by it, name in lower case and
 * shorter than 32 bytes) and the extensions its ~/.qmail-* files define; the '=' and
 * '+' lines of users/assign and the .qmail files of the '+' homes; the .qmail-* files
 * of the alias user (QMAILHOME/alias). Then each domain of control/locals (or
 * control/me) gets "@DOMAIN" and "LOCAL@DOMAIN" for every local part, and each domain
 * key of control/virtualdomains gets the local parts that begin with its prepend and
 * the break character, without that prefix: the addresses before rewriting. Domains
 * in control/percenthack are never checked.
 *
 * Crash safety (replace(3)): the table is written to control/recipients.cdb.tmp, fsynced, renamed
 * over control/recipients.cdb and the control directory fsynced; a reader sees the
 * old table or the new one. A crash leaves at worst a stale .tmp, replaced next run.
 *
 * DIAGNOSTICS
 *   0    control/recipients.cdb replaced
 *   100  usage, or users/assign is malformed (the line is named); nothing changed
 *   111  a system error (nothing changed)
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auto.h"
#include "buf.h"
#include "cdbmake.h"
#include "cmap.h"
#include "control.h"
#include "die.h"
#include "error.h"
#include "fmt.h"
#include "names.h"
#include "replace.h"
#include "rset.h"
#include "str.h"
#include "users.h"

#define TMP     "control/recipients.cdb.tmp"
#define CDB     "control/recipients.cdb"
#define ASSIGN  "users/assign"
#define NAMEMAX 32 /* passwd names qmail-getpw accepts are shorter than this */

static struct {
	replace cdb; /* control/recipients.cdb.tmp, becoming control/recipients.cdb */
	size_t line; /* users/assign line being read */
	rset names;  /* local parts accepted in every local domain */
	rset out;    /* the records to write */
	sa key;      /* scratch */
} st;

/* die_nomem - out of memory: a temporary failure; the half-made table is removed */
static _Noreturn void die_nomem(void)
{
	replace_abort(&st.cdb);
	die_x(111, "out of memory", NULL);
}

/* die_temp - a system call failed on name; ENOMEM is reported as such */
static _Noreturn void die_temp(const char *what, const char *name)
{
	if (errno == ENOMEM)
		die_nomem();
	replace_abort(&st.cdb);
	die_sys(111, "unable to ", what, " ", name, NULL);
}

/* die_format - users/assign line st.line is wrong */
static _Noreturn void die_format(const char *why)
{
	char n[FMT_U64];
	n[fmt_u64(n, st.line)] = 0;
	die_x(100, ASSIGN, " line ", n, ": ", why, NULL);
}

/* lower_only - whether s has no upper-case ASCII letter */
static int lower_only(const char *s)
{
	for (; *s; ++s)
		if (*s >= 'A' && *s <= 'Z')
			return 0;
	return 1;
}

/* from_passwd - every account qmail-getpw would deliver to, and its extensions */
static void from_passwd(void)
{
	struct passwd *pw;
	struct stat sb;
	size_t n;
	setpwent();
	for (;;) {
		errno = 0;
		pw = getpwent();
		if (!pw) {
			if (errno && error_temp(errno))
				die_temp("read", "the password database");
			break;
		}
		n = strlen(pw->pw_name);
		/* qmail-getpw lower-cases the local part before getpwnam: "Joe" never
		 * receives mail, so it is left out */
		if (pw->pw_uid == 0 || n == 0 || n >= NAMEMAX || !lower_only(pw->pw_name))
			continue;
		if (stat(pw->pw_dir, &sb) != 0) {
			if (error_temp(errno))
				die_temp("stat home directory of", pw->pw_name);
			continue;
		}
		if (sb.st_uid != pw->pw_uid)
			continue;
		if (!rset_add(&st.names, pw->pw_name, n, 0) || !sa_copyb(&st.key, pw->pw_name, n) ||
		    !sa_catc(&st.key, AUTO_BREAK))
			die_nomem();
		if (!names_home(&st.names, pw->pw_dir, st.key.s, st.key.len, "-", ""))
			die_temp("read home directory of", pw->pw_name);
	}
	endpwent();
}

/* field - the i-th colon-ended field of a users/assign record, NUL-terminated in out */
static const char *field(sa *out, const users_line *e, size_t i)
{
	size_t start = 0, len;
	for (;;) {
		len = byte_chr(e->data + start, e->datalen - start, ':');
		if (!i--)
			break;
		start += len + 1;
	}
	if (!sa_copyb(out, e->data + start, len) || !sa_0(out))
		die_nomem();
	return out->s;
}

/* assign_line - what one users/assign line accepts */
static void assign_line(const users_line *e)
{
	sa home = SA_ZERO, dash = SA_ZERO, ext = SA_ZERO;
	if (!sa_copyb(&st.key, e->key, e->keylen) || !sa_0(&st.key))
		die_nomem();
	case_lowerb(st.key.s, e->keylen);
	if (e->kind == '=') {
		if (e->keylen && !rset_add(&st.names, st.key.s, e->keylen, 0))
			die_nomem();
		return;
	}
	field(&home, e, 3);
	field(&dash, e, 4);
	field(&ext, e, 5);
	if (!*dash.s) { /* qmail-local reads .qmail for every extension */
		if (!names_prefix(&st.names, st.key.s, e->keylen, "", 0))
			die_nomem();
	} else if (!names_home(&st.names, home.s, st.key.s, e->keylen, dash.s, ext.s)) {
		die_temp("read home directory", home.s);
	}
	sa_free(&home);
	sa_free(&dash);
	sa_free(&ext);
}

/* from_assign - every line of users/assign up to its final dot, if it exists */
static void from_assign(void)
{
	char space[4096];
	buf in;
	sa line = SA_ZERO;
	users_line e;
	unsigned int flags;
	const char *why;
	int fd = open(ASSIGN, O_RDONLY | O_CLOEXEC), r;
	if (fd < 0) {
		if (errno == ENOENT)
			return;
		die_temp("open", ASSIGN);
	}
	buf_init(&in, fd, space, sizeof space);
	for (;;) {
		line.len = 0;
		++st.line;
		r = buf_getline(&in, &line, USERS_LINEMAX, '\n', &flags);
		if (r < 0)
			die_temp("read", ASSIGN);
		if (r == 0)
			die_format("end of file before the line holding a single dot");
		if (flags & BUF_OVERLONG)
			die_format("line too long");
		if (!(flags & BUF_PARTIAL))
			--line.len;
		if (!users_assign_parse(&e, line.s, line.len, &why))
			die_format(why);
		if (e.kind == '.')
			break;
		assign_line(&e);
	}
	close(fd);
	sa_free(&line);
}

/* add - the record local@domain (local may be empty: "@domain") */
static void add(const char *local, size_t llen, const char *dom, size_t dlen, int star)
{
	if (!sa_copyb(&st.key, local, llen) || !sa_catc(&st.key, '@') ||
	    !sa_catb(&st.key, dom, dlen) || !rset_add(&st.out, st.key.s, st.key.len, star))
		die_nomem();
}

/* local_domain - records for a domain of control/locals */
static void local_domain(const char *dom, size_t dlen)
{
	size_t i, len;
	int star, all = 0;
	for (i = 0; i < st.names.n; ++i) {
		const char *k = rset_key(&st.names, i, &len, &star);
		if (len)
			add(k, len, dom, dlen, star);
		else
			all = 1; /* the empty prefix: every local part */
	}
	add("", 0, dom, dlen, all);
	add("postmaster", 10, dom, dlen, 0);
}

/* virtual_domain - records for a virtualdomains domain whose local parts become
 * pre[0..plen) + break + local: those local parts, without the prefix */
static void virtual_domain(const char *dom, size_t dlen, const char *pre, size_t plen)
{
	size_t i, len;
	int star, all = 0;
	for (i = 0; i < st.names.n; ++i) {
		const char *k = rset_key(&st.names, i, &len, &star);
		if (star && len <= plen + 1 && !memcmp(k, pre, len < plen ? len : plen) &&
		    (len <= plen || k[plen] == AUTO_BREAK))
			all = 1; /* a prefix of "pre-": every local part */
		else if (len > plen + 1 && !memcmp(k, pre, plen) && k[plen] == AUTO_BREAK)
			add(k + plen + 1, len - plen - 1, dom, dlen, star);
	}
	add("", 0, dom, dlen, all);
	add("postmaster", 10, dom, dlen, 0);
}

/* domains - the records of every checked domain */
static void domains(void)
{
	sa loc = SA_ZERO, ph = SA_ZERO, vd = SA_ZERO, pre = SA_ZERO;
	cmap mloc = CMAP_ZERO, mph = CMAP_ZERO, mvd = CMAP_ZERO;
	size_t i, n, vlen;
	int r;
	if (control_init() == -1)
		die_temp("read", "control/me");
	r = control_readlist(&loc, "control/locals");
	if (r == 0 && control_me() && (!sa_copy(&loc, control_me()) || !sa_0(&loc)))
		die_nomem();
	if (r == -1)
		die_temp("read", "control/locals");
	if (control_readlist(&ph, "control/percenthack") == -1)
		die_temp("read", "control/percenthack");
	if (control_readlist(&vd, "control/virtualdomains") == -1)
		die_temp("read", "control/virtualdomains");
	case_lowerb(loc.s, loc.len);
	case_lowerb(vd.s, vd.len);
	if (!cmap_init(&mloc, loc.s, loc.len, 0) || !cmap_init(&mph, ph.s, ph.len, 0) ||
	    !cmap_init(&mvd, vd.s, vd.len, 1))
		die_nomem();
	for (i = 0; i < loc.len; i += n + 1) {
		n = strlen(loc.s + i);
		if (n && !cmap_get(&mph, loc.s + i, n, &vlen))
			local_domain(loc.s + i, n);
	}
	for (i = 0; i < vd.len; i += n + 1) {
		const char *item = vd.s + i, *v;
		size_t k, at, skip;
		n = strlen(item);
		k = byte_chr(item, n, ':');
		at = byte_rchr(item, k, '@');
		if (k == n || k == 0 || item[0] == '.')
			continue; /* no colon, the "" key or a ".suffix": nothing to list */
		if (at < k) {     /* an address key: that address exists, wherever it goes */
			add(item, at, item + at + 1, k - at - 1, 0);
			continue;
		}
		v = cmap_get(&mvd, item, k, &vlen); /* the line that wins for this key */
		if (!v || !vlen || cmap_get(&mloc, item, k, &skip) ||
		    cmap_get(&mph, item, k, &skip))
			continue; /* to a remote host, or locals comes first, or unchecked */
		if (!sa_copyb(&pre, v, vlen))
			die_nomem();
		virtual_domain(item, k, pre.s, pre.len);
	}
	cmap_free(&mloc);
	cmap_free(&mph);
	cmap_free(&mvd);
	sa_free(&loc);
	sa_free(&ph);
	sa_free(&vd);
	sa_free(&pre);
}

/* write_cdb - the records into .tmp, made durable, then renamed into place */
static void write_cdb(void)
{
	cdbmake m;
	size_t i, len;
	int star;
	if (!replace_open(&st.cdb, TMP, CDB, 0644))
		die_temp(st.cdb.step, st.cdb.name);
	if (!cdbmake_start(&m, st.cdb.fd))
		die_temp("write", TMP);
	for (i = 0; i < st.out.n; ++i) {
		const char *k = rset_key(&st.out, i, &len, &star);
		if (!cdbmake_add(&m, k, len, "*", star ? 1 : 0))
			die_temp("write", TMP);
	}
	if (!cdbmake_finish(&m))
		die_temp("write", TMP);
	cdbmake_free(&m);
	if (!replace_commit(&st.cdb))
		die_temp(st.cdb.step, st.cdb.name);
}

/* run - gather the local parts, expand them per domain, write the table */
static void run(void)
{
	from_passwd();
	from_assign();
	if (!names_home(&st.names, "alias", "", 0, "-", ""))
		die_temp("read", "alias");
	rset_sort(&st.names);
	domains();
	rset_sort(&st.out);
	write_cdb();
	rset_free(&st.names);
	rset_free(&st.out);
	sa_free(&st.key);
}

int main(int argc, char **argv)
{
	(void)argv;
	die_init("qmail-newrcpt");
	if (argc > 1)
		die_x(100, "usage: qmail-newrcpt", NULL);
	umask(022);
	if (chdir(auto_qmail) != 0)
		die_sys(111, "unable to chdir to ", auto_qmail, NULL);
	run();
	return 0;
}
