/*
 * norspawn.c - a remote spawner that delivers nothing: qmail-start runs it (as
 * qmailr, in place of the missing program) when QMAILHOME/bin/qmail-rspawn does not
 * exist. It speaks the spawn protocol like any spawner and answers every command at
 * once with a temporary failure, so remote mail stays queued and is retried (and
 * bounces only when it outlives queuelifetime, as any deferred mail does). Nothing is
 * ever reported delivered. Exits 0 when qmail-send closes the pipe, 100 on a
 * malformed command.
 */
#include <errno.h>
#include <unistd.h>

#include "auto.h"
#include "die.h"
#include "fd.h"
#include "sa.h"
#include "spawn.h"
#include "start.h"

#define TEXT "remote delivery is not available: qmail-rspawn is not installed (#4.3.0)\n"

/* norspawn - the stand-in's whole life */
void norspawn(void)
{
	spawn_cmd c = {0, SA_ZERO, SA_ZERO, SA_ZERO, 0};
	sa rep = SA_ZERO;
	char buf[4096], limit = (char)AUTO_SPAWN;
	long fd, max = sysconf(_SC_OPEN_MAX);
	die_init("qmail-rspawn");
	/* forked, not exec'd: drop every pipe end the other daemons must see close */
	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd < max; ++fd)
		close((int)fd);
	if (!fd_write_all(1, &limit, 1))
		_exit(111);
	for (;;) {
		size_t off = 0, used;
		ssize_t r = read(0, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			_exit(0);
		if (r < 0)
			die_sys(111, "unable to read commands", NULL);
		while (off < (size_t)r) {
			int k = spawn_cmd_feed(&c, buf + off, (size_t)r - off, &used);
			off += used;
			if (k < 0)
				die_x(100, "malformed command from qmail-send", NULL);
			if (k == 0)
				continue;
			rep.len = 0;
			if (!spawn_rep_put(&rep, c.slot, 'Z', TEXT, sizeof TEXT - 1))
				die_x(111, "out of memory", NULL);
			if (!fd_write_all(1, rep.s, rep.len))
				die_sys(111, "unable to write a report", NULL);
		}
	}
}
