/*
 * qctl.h - queue control requests (qmail-qctl(8), qmail-ctl(5)): an administrator's
 * request that qmail-send hold, release, requeue or remove one message. A request is
 * a file queue/ctl/NAME whose NAME is "USEC.PID" (the time it was made in
 * microseconds, the maker's pid) and whose content is one line "VERB ID\n".
 * qmail-qctl is the one writer, qmail-send the one reader.
 */
#ifndef QCTL_H
#define QCTL_H

#include <stddef.h>
#include <stdint.h>

#define QCTL_HOLD    1 /* never start deliveries until released */
#define QCTL_RELEASE 2 /* undo a hold */
#define QCTL_REQUEUE 3 /* every pending recipient is due now */
#define QCTL_REMOVE  4 /* drop every pending recipient, no bounce */

#define QCTL_MAX  40 /* longest request line, with its newline */
#define QCTL_NAME 48 /* room for a request name and its NUL */

int qctl_verb(const char *s);
const char *qctl_word(int verb);
size_t qctl_format(char *s, int verb, uint64_t id);
int qctl_parse(const char *s, size_t n, int *verb, uint64_t *id);
size_t qctl_name(char *s, uint64_t usec, uint64_t pid);
int qctl_scan_name(const char *s, uint64_t *usec, uint64_t *pid);

#endif
