/*
 * qmail-getpw - find the passwd account that receives mail for a local part (SPEC
 * section 7); the lookup itself is getpw.c. qmail-lspawn runs the same code as
 * qmailp:nofiles when users/cdb has no entry; this program is for people and scripts.
 * Output: six NUL-terminated fields on stdout: user, uid, gid, home, dash, ext.
 *
 * DIAGNOSTICS (qlx.h)
 *   0    the fields were printed
 *   112  usage                       115  a home directory could not be checked now
 *   116  no alias user               118  a system error (getpwnam, output)
 *   119  out of memory
 */
#include <stddef.h>

#include "die.h"
#include "getpw.h"
#include "qlx.h"

int main(int argc, char **argv)
{
	die_init("qmail-getpw");
	if (argc != 2)
		die_x(QLX_USAGE, "usage: qmail-getpw local", NULL);
	getpw_run(argv[1]);
	return 0;
}
