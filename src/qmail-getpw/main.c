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
#include "fd.h"
#include "getpw.h"
#include "qlx.h"
#include "sa.h"

int main(int argc, char **argv)
{
	sa out = SA_ZERO;
	int code;
	die_init("qmail-getpw");
	if (argc != 2)
		die_x(QLX_USAGE, "usage: qmail-getpw local", NULL);
	code = getpw_find(argv[1], &out);
	if (code)
		die_x(code, out.s ? out.s : "out of memory", NULL);
	if (!fd_write_all(1, out.s, out.len))
		die_sys(QLX_SYS, "unable to write output", NULL);
	return 0;
}
