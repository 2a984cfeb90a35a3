/*
 * qmail-newmrh - compile control/morercpthosts into control/morercpthosts.cdb.
 *
 *	qmail-newmrh
 *
 * Each useful line of control/morercpthosts (blank lines and # comments skipped,
 * trailing blanks removed) becomes a key in lower case with empty data, the form
 * qmail-smtpd looks up. The new cdb (replace(3)) is written as control/morercpthosts.tmp, made
 * durable (fsync), renamed over control/morercpthosts.cdb and the control directory
 * fsynced: a reader sees either the whole old database or the whole new one, and a
 * crash at any step leaves the old one in place (at worst with a stray .tmp file
 * that the next run replaces).
 *
 * DIAGNOSTICS: exit 0 when the new database is in place; 111 with a message on fd 2
 * when anything fails (the old database is then unchanged).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auto.h"
#include "cdbmake.h"
#include "control.h"
#include "die.h"
#include "replace.h"
#include "sa.h"
#include "str.h"

#define SRC "control/morercpthosts"
#define TMP "control/morercpthosts.tmp"
#define DST "control/morercpthosts.cdb"

static replace out; /* control/morercpthosts.tmp, becoming the .cdb */

/* fail - give up: remove the temporary file, keep errno for the message */
static _Noreturn void fail(const char *what, const char *name)
{
	replace_abort(&out);
	die_sys(111, "unable to ", what, " ", name, NULL);
}

/* build - write the cdb of the NUL-terminated hosts in list to fd */
static void build(int fd, sa *list)
{
	cdbmake m;
	size_t i, n;
	if (!cdbmake_start(&m, fd))
		fail("write", TMP);
	case_lowerb(list->s, list->len);
	for (i = 0; i < list->len; i += n + 1) {
		n = strlen(list->s + i);
		if (!cdbmake_add(&m, list->s + i, n, "", 0))
			fail("write", TMP);
	}
	if (!cdbmake_finish(&m))
		fail("write", TMP);
	cdbmake_free(&m);
}

int main(int argc, char **argv)
{
	sa list = SA_ZERO;
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
	if (!replace_open(&out, TMP, DST, 0644))
		fail(out.step, out.name);
	build(out.fd, &list);
	if (!replace_commit(&out))
		fail(out.step, out.name);
	sa_free(&list);
	return 0;
}
