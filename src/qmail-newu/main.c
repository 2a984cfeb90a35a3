/*
 * qmail-newu - compile QMAILHOME/users/assign into QMAILHOME/users/cdb, the table
 * qmail-lspawn consults before asking qmail-getpw (SPEC section 7).
 *
 * Crash safety: the new table is written to users/cdb.tmp, fsynced, renamed over
 * users/cdb, and the users directory is fsynced. A reader therefore sees the old table
 * or the new one, never a half-written one; a crash leaves at worst a stale
 * users/cdb.tmp, which the next run truncates. Two runs at once are not guarded
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
#include "file.h"
#include "fmt.h"
#include "users.h"

#define ASSIGN "users/assign"
#define TMP    "users/cdb.tmp"
#define CDB    "users/cdb"

static struct {
	int tmp;     /* 1 once users/cdb.tmp may exist: remove it on failure */
	size_t line; /* number of the line being read */
} st;

/* cleanup - remove the half-made table before giving up */
static void cleanup(void)
{
	if (st.tmp)
		unlink(TMP);
}

/* die_nomem - out of memory: a temporary failure */
static _Noreturn void die_nomem(void)
{
	cleanup();
	die_x(111, "out of memory", NULL);
}

/* die_temp - a system call failed on what */
static _Noreturn void die_temp(const char *what, const char *name)
{
	int e = errno;
	cleanup();
	errno = e;
	die_sys(111, "unable to ", what, " ", name, NULL);
}

/* die_format - users/assign line st.line is wrong */
static _Noreturn void die_format(const char *why)
{
	char n[FMT_U64];
	n[fmt_u64(n, st.line)] = 0;
	cleanup();
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
	int fdin, fdout, r;

	fdin = open(ASSIGN, O_RDONLY | O_CLOEXEC);
	if (fdin < 0)
		die_temp("open", ASSIGN);
	buf_init(&in, fdin, space, sizeof space);
	st.tmp = 1;
	fdout = open(TMP, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fdout < 0 || fchmod(fdout, 0644) != 0)
		die_temp("create", TMP);
	if (!users_make_start(&u, fdout))
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
	if (fsync(fdout) != 0)
		die_temp("fsync", TMP);
	if (close(fdout) != 0)
		die_temp("close", TMP);
	if (rename(TMP, CDB) != 0)
		die_temp("rename to users/cdb:", TMP);
	st.tmp = 0;
	if (!file_syncdir("users"))
		die_sys(111, "unable to fsync users", NULL);
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
