/*
 * qmail-newu - compile QMAILHOME/users/assign into QMAILHOME/users/cdb, the table
 * qmail-lspawn consults before asking qmail-getpw (SPEC section 7).
 *
 * Crash safety (replace(3)): the new table is written to users/cdb.tmp, fsynced,
 * renamed over users/cdb, and the users directory is fsynced. A reader therefore sees
 * the old table or the new one, never a half-written one; a crash leaves at worst a
 * stale users/cdb.tmp, which the next run truncates. Two runs at once are not guarded
 * against (as in qmail): the last rename wins.
 *
 * DIAGNOSTICS
 *   0    users/cdb replaced
 *   100  usage, or users/assign is malformed (the line is named); users/cdb unchanged
 *   111  a system error (users/cdb unchanged)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auto.h"
#include "buf.h"
#include "die.h"
#include "fmt.h"
#include "replace.h"
#include "users.h"

#define ASSIGN "users/assign"
#define TMP    "users/cdb.tmp"
#define CDB    "users/cdb"

static struct {
	replace out; /* users/cdb.tmp, becoming users/cdb */
	size_t line; /* number of the line being read */
} st;

/* die_nomem - out of memory: a temporary failure; the half-made table is removed */
static _Noreturn void die_nomem(void)
{
	replace_abort(&st.out);
	die_x(111, "out of memory", NULL);
}

/* die_temp - a system call failed on what; the half-made table is removed */
static _Noreturn void die_temp(const char *what, const char *name)
{
	replace_abort(&st.out);
	die_sys(111, "unable to ", what, " ", name, NULL);
}

/* die_format - users/assign line st.line is wrong */
static _Noreturn void die_format(const char *why)
{
	char n[FMT_U64];
	n[fmt_u64(n, st.line)] = 0;
	replace_abort(&st.out);
	die_x(100, ASSIGN, " line ", n, ": ", why, NULL);
}

/* run - read every line up to the final dot and write the table */
static void run(void)
{
	char space[4096];
	buf in;
	sa line = SA_ZERO;
	users_make u;
	users_line e;
	unsigned int flags;
	const char *why;
	int fdin, r;

	fdin = open(ASSIGN, O_RDONLY | O_CLOEXEC);
	if (fdin < 0)
		die_temp("open", ASSIGN);
	buf_init(&in, fdin, space, sizeof space);
	if (!replace_open(&st.out, TMP, CDB, 0644))
		die_temp(st.out.step, st.out.name);
	if (!users_make_start(&u, st.out.fd))
		die_temp("write", TMP);
	for (;;) {
		line.len = 0;
		++st.line;
		r = buf_getline(&in, &line, USERS_LINEMAX, '\n', &flags);
		if (r < 0 && errno == ENOMEM)
			die_nomem();
		if (r < 0)
			die_temp("read", ASSIGN);
		if (r == 0)
			die_format("end of file before the line holding a single dot");
		if (flags & BUF_OVERLONG)
			die_format("line too long");
		if (!(flags & BUF_PARTIAL))
			--line.len; /* the newline */
		if (!users_assign_parse(&e, line.s, line.len, &why))
			die_format(why);
		if (e.kind == '.')
			break;
		if (flags & BUF_PARTIAL)
			die_format("last line has no newline: is the file complete?");
		if (!users_make_add(&u, &e))
			errno == ENOMEM ? die_nomem() : die_temp("write", TMP);
	}
	if (!users_make_finish(&u))
		errno == ENOMEM ? die_nomem() : die_temp("write", TMP);
	if (!replace_commit(&st.out))
		die_temp(st.out.step, st.out.name);
	close(fdin);
	sa_free(&line);
}

int main(int argc, char **argv)
{
	(void)argv;
	die_init("qmail-newu");
	if (argc > 1)
		die_x(100, "usage: qmail-newu", NULL);
	umask(022);
	if (chdir(auto_qmail) != 0)
		die_sys(111, "unable to chdir to ", auto_qmail, NULL);
	run();
	return 0;
}
