/*
 * qmail-showctl - print the configuration the programs would use.
 *
 * First the values fixed at build time, one "key: value" line each: conf-qmail (the
 * home), conf-split, conf-spawn, conf-patrn (octal), conf-break. Then each account
 * of conf-users with its ids, looked up now as every program does at startup:
 *     user alias: alias (uid 7790, gid 2108)
 *     group nofiles: nofiles (missing)
 * After an empty line, every control file SPEC section 10 knows, in a fixed order,
 * with its effective value: "control/NAME: VALUE" when the file gives it, VALUE
 * followed by "(default)" or "(from me)" when it does not, or "none" followed by
 * what having no value means. A list file is printed as "control/NAME:" and one
 * item per line, indented by two spaces; a cdb as its size. Last come the files in
 * control/ that no program reads, as "control/NAME: unknown". Bytes outside
 * 0x20..0x7e are printed as '_'.
 *
 * DIAGNOSTICS: 0 everything printed; 111 a file could not be read (the others are
 * still printed), or no home directory, or a write error.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "auto.h"
#include "bounce.h"
#include "buf.h"
#include "control.h"
#include "die.h"
#include "error.h"
#include "fmt.h"
#include "ids.h"
#include "sa.h"
#include "scan.h"
#include "size.h"

typedef enum ctl_kind_e {
	CTL_LINE, /* the first line is the value */
	CTL_INT,  /* a leading decimal number */
	CTL_LIST, /* one item per line; blank lines and # comments skipped */
	CTL_CDB   /* a constant database: only its presence and size are shown */
} ctl_kind;

typedef struct ctl_s {
	const char *name; /* under control/ */
	ctl_kind kind;    /* how it is read */
	int me;           /* when absent, control/me is the value if it exists */
	const char *def;  /* when absent (and no me): the default, or 0 for none */
	const char *none; /* what having no value (or the default) means, or 0 */
} ctl;

#define STR_(x) #x
#define STR(x)  STR_(x)

/* clang-format off */
static const ctl known[] = {
	{"me",                  CTL_LINE, 0, 0, "the defaults from me fall back further"},
	{"badmailfrom",         CTL_LIST, 0, 0, "every sender is accepted"},
	{"bouncefrom",          CTL_LINE, 0, "MAILER-DAEMON", 0},
	{"bouncehost",          CTL_LINE, 1, "bouncehost", 0},
	{"bouncemaxbytes",      CTL_INT,  0, STR(BOUNCE_MAXBYTES), 0},
	{"concurrencyincoming", CTL_INT,  0, 0, "read only by qmail-smtpd run scripts"},
	{"concurrencylocal",    CTL_INT,  0, "10", 0},
	{"concurrencyremote",   CTL_INT,  0, "20", 0},
	{"databytes",           CTL_INT,  0, "0", "no limit"},
	{"defaultdelivery",     CTL_LINE, 0, 0, "read only by qmail-start rc scripts"},
	{"defaultdomain",       CTL_LINE, 1, "defaultdomain", 0},
	{"defaulthost",         CTL_LINE, 1, "defaulthost", 0},
	{"doublebouncehost",    CTL_LINE, 1, "doublebouncehost", 0},
	{"doublebounceto",      CTL_LINE, 0, "postmaster", 0},
	{"envnoathost",         CTL_LINE, 1, "envnoathost", 0},
	{"helohost",            CTL_LINE, 1, 0, "qmail-remote refuses to run"},
	{"idhost",              CTL_LINE, 1, "idhost", 0},
	{"localiphost",         CTL_LINE, 1, 0, "qmail-smtpd refuses to run"},
	{"locals",              CTL_LIST, 1, 0, "qmail-send refuses to start"},
	{"morercpthosts",       CTL_LIST, 0, 0, 0},
	{"morercpthosts.cdb",   CTL_CDB,  0, 0, 0},
	{"percenthack",         CTL_LIST, 0, 0, 0},
	{"plusdomain",          CTL_LINE, 1, "plusdomain", 0},
	{"qmqpservers",         CTL_LIST, 0, 0, "qmail-qmqpc cannot queue"},
	{"qmtproutes",          CTL_LIST, 0, 0, "no domain is delivered by QMTP"},
	{"queuelifetime",       CTL_INT,  0, "604800", 0},
	{"rcpthosts",           CTL_LIST, 0, 0, "mail for every domain is accepted: an open relay"},
	{"recipients.cdb",      CTL_CDB,  0, 0, "recipients are not checked at RCPT time"},
	{"smtpdgreetdelay",     CTL_INT,  0, "1000", 0},
	{"smtpdminrate",        CTL_INT,  0, "256", 0},
	{"smtpgreeting",        CTL_LINE, 1, 0, "qmail-smtpd refuses to run"},
	{"smtproutes",          CTL_LIST, 0, 0, "each domain's MX hosts are used"},
	{"timeoutconnect",      CTL_INT,  0, "60", 0},
	{"timeoutremote",       CTL_INT,  0, "1200", 0},
	{"timeoutsmtpd",        CTL_INT,  0, "1200", 0},
	{"timeoutsmtpdsession", CTL_INT,  0, "3600", 0},
	{"virtualdomains",      CTL_LIST, 0, 0, 0},
};
/* clang-format on */

#define NKNOWN (sizeof known / sizeof known[0])

static struct {
	buf out;          /* standard output */
	char space[8192]; /* storage for out */
	sa line;          /* the line being built */
	sa path;          /* control/NAME */
	sa val;           /* a file's contents */
	int bad;          /* a file could not be read: exit 111 */
} g;

/* die_nomem - the one out-of-memory exit */
static _Noreturn void die_nomem(void)
{
	die_x(111, "out of memory", NULL);
}

/* cats - append C string s to the line */
static void cats(const char *s)
{
	if (!sa_cats(&g.line, s))
		die_nomem();
}

/* cat_safe - append s[0..n) to the line, bytes outside 0x20..0x7e made '_' */
static void cat_safe(const char *s, size_t n)
{
	if (!sa_catvis(&g.line, s, n))
		die_nomem();
}

/* catu - append a number to the line */
static void catu(uint64_t u)
{
	if (!sa_catu(&g.line, u))
		die_nomem();
}

/* put - end the line and write it */
static void put(void)
{
	if (!sa_catc(&g.line, '\n'))
		die_nomem();
	if (!buf_putsa(&g.out, &g.line))
		die_sys(111, "unable to write output", NULL);
	g.line.len = 0;
}

/* show_id - "user ROLE: NAME (uid U, gid G)" or "group ROLE: NAME (gid G)" */
static void show_id(const char *what, const char *role, const char *name)
{
	uid_t uid;
	gid_t gid;
	int ok;
	cats(what);
	cats(" ");
	cats(role);
	cats(": ");
	cats(name);
	ok = *what == 'u' ? ids_user(name, &uid, &gid) : ids_group(name, &gid);
	if (!ok && errno == ENOENT)
		cats(" (missing)");
	else if (!ok) {
		cats(" (unable to look up: ");
		cats(error_str(errno));
		cats(")");
	} else {
		cats(" (");
		if (*what == 'u') {
			cats("uid ");
			catu(uid);
			cats(", ");
		}
		cats("gid ");
		catu(gid);
		cats(")");
	}
	put();
}

/* show_auto - the build-time values and the accounts */
static void show_auto(void)
{
	char patrn[FMT_U64O + 3];
	char brk[2] = {AUTO_BREAK, 0};
	size_t n = fmt_u64o(0, AUTO_PATRN);
	size_t pad = n < 3 ? 3 - n : 0;
	memset(patrn, '0', pad);
	fmt_u64o(patrn + pad, AUTO_PATRN);
	patrn[pad + n] = 0;
	cats("conf-qmail: ");
	cats(auto_qmail);
	put();
	cats("conf-split: ");
	catu(AUTO_SPLIT);
	put();
	cats("conf-spawn: ");
	catu(AUTO_SPAWN);
	put();
	cats("conf-patrn: ");
	cats(patrn);
	put();
	cats("conf-break: ");
	cats(brk);
	put();
	show_id("user", "alias", auto_usera);
	show_id("user", "daemon", auto_userd);
	show_id("user", "log", auto_userl);
	show_id("user", "owner", auto_usero);
	show_id("user", "passwd", auto_userp);
	show_id("user", "queue", auto_userq);
	show_id("user", "remote", auto_userr);
	show_id("user", "send", auto_users);
	show_id("group", "queue", auto_groupq);
	show_id("group", "nofiles", auto_groupn);
}

/* start - "control/NAME:" */
static void start(const char *name)
{
	cats("control/");
	cat_safe(name, strlen(name));
	cats(":");
}

/* unreadable - the file exists but could not be read */
static void unreadable(const ctl *c)
{
	int e = errno;
	start(c->name);
	cats(" unable to read: ");
	cats(error_str(e));
	put();
	g.bad = 1;
}

/* show_default - the value of a file that does not exist */
static void show_default(const ctl *c)
{
	const sa *me = control_me();
	start(c->name);
	if (c->me && me) {
		if (c->kind == CTL_LIST) {
			put();
			cats("  ");
		} else
			cats(" ");
		cat_safe(me->s, me->len);
		cats(" (from me)");
	} else if (c->def) {
		cats(" ");
		cats(c->def);
		cats(" (default");
		if (c->none) {
			cats(": ");
			cats(c->none);
		}
		cats(")");
	} else {
		cats(" none");
		if (c->none) {
			cats(" (");
			cats(c->none);
			cats(")");
		}
	}
	put();
}

/* show_int - a number file that exists: its number, and what qmail-send makes of a
 * concurrency above conf-spawn */
static void show_int(const ctl *c)
{
	uint64_t u;
	size_t n = scan_u64(g.val.s, g.val.len, &u);
	start(c->name);
	cats(" ");
	if (!n) {
		cats("not a number: ");
		cat_safe(g.val.s, g.val.len);
	} else {
		catu(u);
		if (!strncmp(c->name, "concurrency", 11) &&
		    strcmp(c->name, "concurrencyincoming") && u > AUTO_SPAWN) {
			cats(" (above conf-spawn: ");
			catu(AUTO_SPAWN);
			cats(" is used)");
		}
	}
	put();
}

/* show_list - a list file that exists: one item per line */
static void show_list(const ctl *c)
{
	size_t i = 0;
	start(c->name);
	if (!g.val.len)
		cats(" empty");
	put();
	while (i < g.val.len) {
		size_t n = strlen(g.val.s + i);
		cats("  ");
		cat_safe(g.val.s + i, n);
		put();
		i += n + 1;
	}
}

/* show_cdb - a constant database: present and its size */
static void show_cdb(const ctl *c)
{
	struct stat st;
	if (stat(g.path.s, &st) < 0) {
		if (errno == ENOENT)
			show_default(c);
		else
			unreadable(c);
		return;
	}
	start(c->name);
	cats(" present, ");
	catu((uint64_t)st.st_size);
	cats(" bytes");
	put();
}

/* show_ctl - one known control file */
static void show_ctl(const ctl *c)
{
	int r;
	if (!sa_copys(&g.path, "control/") || !sa_cats(&g.path, c->name) || !sa_0(&g.path))
		die_nomem();
	if (c->kind == CTL_CDB) {
		show_cdb(c);
		return;
	}
	if (c->kind == CTL_LIST)
		r = control_readlist(&g.val, g.path.s);
	else
		r = control_readline(&g.val, g.path.s);
	if (r < 0 && errno == ENOMEM)
		die_nomem();
	if (r < 0)
		unreadable(c);
	else if (r == 0)
		show_default(c);
	else if (c->kind == CTL_LIST)
		show_list(c);
	else if (c->kind == CTL_INT)
		show_int(c);
	else {
		start(c->name);
		cats(" ");
		cat_safe(g.val.s, g.val.len);
		put();
	}
}

/* name_cmp - qsort order of the names in control/ */
static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* is_known - whether name is one of the known control files */
static int is_known(const char *name)
{
	size_t i;
	for (i = 0; i < NKNOWN; ++i)
		if (!strcmp(known[i].name, name))
			return 1;
	return 0;
}

/* show_unknown - every entry of control/ that no program reads, sorted */
static void show_unknown(void)
{
	sa names = SA_ZERO;
	const char **list = 0;
	size_t count = 0, i, off;
	struct dirent *e;
	DIR *d = opendir("control");
	if (!d) {
		warn_sys("unable to open control", NULL);
		g.bad = 1;
		return;
	}
	for (;;) {
		errno = 0;
		e = readdir(d);
		if (!e)
			break;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || is_known(e->d_name))
			continue;
		if (!sa_cats(&names, e->d_name) || !sa_0(&names))
			die_nomem();
		count++;
	}
	if (errno) {
		warn_sys("unable to read control", NULL);
		g.bad = 1;
	}
	closedir(d);
	if (count && !(list = alloc_array(count, sizeof *list)))
		die_nomem();
	for (i = 0, off = 0; i < count; ++i) {
		list[i] = names.s + off;
		off += strlen(list[i]) + 1;
	}
	if (count)
		qsort(list, count, sizeof *list, name_cmp);
	for (i = 0; i < count; ++i) {
		start(list[i]);
		cats(" unknown");
		put();
	}
	alloc_free(list);
	sa_free(&names);
}

int main(int argc, char **argv)
{
	size_t i;
	(void)argc;
	die_init(argv[0]);
	buf_init(&g.out, 1, g.space, sizeof g.space);
	show_auto();
	if (chdir(auto_qmail) < 0)
		die_sys(111, "unable to switch to ", auto_qmail, NULL);
	if (control_init() < 0)
		g.bad = 1; /* shown with control/me below */
	put();
	for (i = 0; i < NKNOWN; ++i)
		show_ctl(&known[i]);
	show_unknown();
	if (!buf_flush(&g.out))
		die_sys(111, "unable to write output", NULL);
	return g.bad ? 111 : 0;
}
