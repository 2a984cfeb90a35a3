/*
 * qmail-tcpok - empty the connect timeout table, queue/lock/tcpto (tcpto.h), so that
 * qmail-remote tries every address again at once: for instance after a network
 * outage made many hosts look dead. Run as root or qmailr.
 *
 * DIAGNOSTICS: exit 0 when the table is empty; 111 if it cannot be opened, locked or
 * written.
 */
#include <fcntl.h>
#include <unistd.h>

#include "auto.h"
#include "die.h"
#include "lock.h"
#include "tcpto.h"

int main(int argc, char **argv)
{
	int fd;
	(void)argc;
	die_init(argv[0]);
	if (chdir(auto_qmail) == -1)
		die_sys(111, "unable to switch to ", auto_qmail, (char *)0);
	fd = open(TCPTO_FILE, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		die_sys(111, "unable to open ", TCPTO_FILE, (char *)0);
	if (!lock_ex_timeout(fd, 10000))
		die_sys(111, "unable to lock ", TCPTO_FILE, (char *)0);
	if (!tcpto_zero(fd))
		die_sys(111, "unable to write ", TCPTO_FILE, (char *)0);
	if (close(fd) == -1)
		die_sys(111, "unable to write ", TCPTO_FILE, (char *)0);
	return 0;
}
