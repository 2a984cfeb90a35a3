/*
 * auto.h - values fixed at build time: the home directory (conf-qmail), the account
 * names (conf-users) and the queue constants. Only names are compiled in; ids are
 * looked up when a program starts (ids.h), so accounts may be created after the build.
 */
#ifndef AUTO_H
#define AUTO_H

extern const char auto_qmail[];  /* QMAILHOME, absolute */
extern const char auto_usera[];  /* alias user */
extern const char auto_userd[];  /* SMTP/QMTP/QMQP daemons */
extern const char auto_userl[];  /* logger */
extern const char auto_usero[];  /* owner of installed files */
extern const char auto_userp[];  /* passwd lookups (qmail-getpw) */
extern const char auto_userq[];  /* queue owner (qmail-queue, qmail-clean) */
extern const char auto_userr[];  /* remote delivery */
extern const char auto_users[];  /* queue manager (qmail-send) */
extern const char auto_groupq[]; /* group of the queue users */
extern const char auto_groupn[]; /* group that owns no files */

#define AUTO_SPLIT 23  /* queue subdirectories per split directory (conf-split) */
#define AUTO_SPAWN 120 /* cap on concurrent local and remote deliveries */
#define AUTO_PATRN 002 /* mode bits forbidden on ~ and ~/.qmail* (conf-patrn) */
#define AUTO_BREAK '-' /* user-extension delimiter (conf-break) */

#endif
