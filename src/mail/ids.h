/*
 * ids.h - user and group ids, looked up when a program starts from the account names
 * compiled in (auto.h, conf-users), so accounts may be made after the build. A program
 * asks for the ids it needs; a missing account is its fatal error (exit 111, SPEC 2):
 *     ids x;
 *     const char *name;
 *     if (!ids_get(&x, IDS_QUEUE | IDS_GROUPQ, &name))
 *             errno == ENOENT ? die_x(111, "no account ", name, NULL)
 *                             : die_sys(111, "unable to look up ", name, NULL);
 */
#ifndef IDS_H
#define IDS_H

#include <sys/types.h>

#define IDS_ALIAS  0x001u /* auto_usera: the alias user */
#define IDS_DAEMON 0x002u /* auto_userd: SMTP, QMTP and QMQP daemons */
#define IDS_LOG    0x004u /* auto_userl: the logger */
#define IDS_OWNER  0x008u /* auto_usero: owner of installed files */
#define IDS_PASSWD 0x010u /* auto_userp: passwd lookups */
#define IDS_QUEUE  0x020u /* auto_userq: the queue owner */
#define IDS_REMOTE 0x040u /* auto_userr: remote delivery */
#define IDS_SEND   0x080u /* auto_users: the queue manager */
#define IDS_GROUPQ 0x100u /* auto_groupq: the group of the queue users */
#define IDS_GROUPN 0x200u /* auto_groupn: the group that owns no files */
#define IDS_ALL    0x3ffu /* every account and group */

typedef struct ids_s {
	uid_t uida; /* alias */
	uid_t uidd; /* daemon */
	uid_t uidl; /* logger */
	uid_t uido; /* owner */
	uid_t uidp; /* passwd */
	uid_t uidq; /* queue */
	uid_t uidr; /* remote */
	uid_t uids; /* send */
	gid_t gidq; /* group of the queue users */
	gid_t gidn; /* group that owns no files */
} ids;

int ids_user(const char *name, uid_t *uid, gid_t *gid);
int ids_group(const char *name, gid_t *gid);
int ids_get(ids *x, unsigned want, const char **name);

#endif
