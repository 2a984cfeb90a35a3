/*
 * qtool.c - the start the queue tools that qmail-send's user may run share: root
 * gives up everything but that user and the queue group; anyone else must be that
 * user already. Any failure ends the tool with exit code 111.
 */
#include "qtool.h"

#include <errno.h>
#include <unistd.h>

#include "auto.h"
#include "die.h"
#include "ids.h"
#include "priv.h"

/* qtool_become - become qmails (auto_users) with the queue group alone, or die */
void qtool_become(void)
{
	ids x;
	const char *name;
	if (!ids_get(&x, IDS_SEND | IDS_GROUPQ, &name)) {
		if (errno == ENOENT)
			die_x(111, "no account ", name, NULL);
		die_sys(111, "unable to look up ", name, NULL);
	}
	if (geteuid() == 0) {
		if (!priv_drop(x.uids, x.gidq, &x.gidq, 1))
			die_sys(111, "unable to become ", auto_users, NULL);
	} else if (geteuid() != x.uids)
		die_x(111, "must be run by root or ", auto_users, NULL);
}
