/*
 * qmail-newmrh - compile control/morercpthosts into control/morercpthosts.cdb.
 *
 *	qmail-newmrh
 *
 * Each useful line of control/morercpthosts (blank lines and # comments skipped,
 * trailing blanks removed) becomes a key in lower case with empty data, the form
 * qmail-smtpd looks up. The new cdb is written as control/morercpthosts.tmp, made
 * durable (fsync), renamed over control/morercpthosts.cdb and the control directory
 * fsynced: a reader sees either the whole old database or the whole new one, and a
 * crash at any step leaves the old one in place (at worst with a stray .tmp file
 * that the next run replaces).
 *
 * DIAGNOSTICS: exit 0 when the new database is in place; 111 with a message on fd 2
 * when anything fails (the old database is then unchanged).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auto.h"
#include "cdbmake.h"
#include "control.h"
#include "die.h"
#include "file.h"
#include "sa.h"
#include "str.h"

#define SRC "control/morercpthosts"
#define TMP "control/morercpthosts.tmp"
#define DST "control/morercpthosts.cdb"

/* fail - give up: remove the temporary file, keep errno for the message */
static _Noreturn void fail(const char *what, const char *name)
{
	int e = errno;
	unlink(TMP);
	errno = e;
	die_sys(111, what, name, NULL);
}

/* build - write the cdb of the NUL-terminated hosts in list to fd */
static void build(int fd, sa *list)
{
	cdbmake m;
	size_t i, n;
	if (!cdbmake_start(&m, fd))
		fail("unable to write ", TMP);
	case_lowerb(list->s, list->len);
	for (i = 0; i < list->len; i += n + 1) {
		n = strlen(list->s + i);
		if (!cdbmake_add(&m, list->s + i, n, "", 0))
			fail("unable to write ", TMP);
	}
	if (!cdbmake_finish(&m))
		fail("unable to write ", TMP);
	cdbmake_free(&m);
}

int main(int argc, char **argv)
{
	sa list = SA_ZERO;
	int fd;
	(void)argc;
	die_init(argv[0]);
	if (chdir(auto_qmail) == -1)
		die_sys(111, "unable to switch to ", auto_qmail, NULL);
	switch (control_readlist(&list, SRC)) {
	case 0:
		errno = ENOENT;
		/* fall through */
	case -1:
		die_sys(111, "unable to read ", SRC, NULL);
	}
	fd = open(TMP, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd == -1)
		die_sys(111, "unable to create ", TMP, NULL);
	if (fchmod(fd, 0644) == -1)
		fail("unable to set the mode of ", TMP);
	build(fd, &list);
	if (fsync(fd) == -1)
		fail("unable to write ", TMP);
	if (close(fd) == -1)
		fail("unable to write ", TMP);
	if (rename(TMP, DST) == -1)
		fail("unable to move the new database to ", DST);
	if (!file_syncdir("control"))
		die_sys(111, "unable to sync the control directory after renaming ", DST, NULL);
	sa_free(&list);
	return 0;
}
