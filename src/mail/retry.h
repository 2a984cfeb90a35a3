/*
 * retry.h - when qmail-send tries a message again (SPEC section 12). A message is
 * born at the mtime of its info file; after a delivery pass at time now, the next
 * pass is due at birth + (floor(sqrt(now - birth)) + skip)^2, skip being
 * RETRY_LOCAL or RETRY_REMOTE. Attempts therefore fall near birth + (skip k)^2.
 * A message older than the queue lifetime at the start of a pass is dying: it gets
 * that one last pass, and any temporary failure becomes permanent.
 */
#ifndef RETRY_H
#define RETRY_H

#include <stdint.h>

#define RETRY_LOCAL    10     /* skip for the local channel: 0, 100 s, 400 s, ... */
#define RETRY_REMOTE   20     /* skip for the remote channel: 0, 400 s, 1600 s, ... */
#define RETRY_TROUBLE  123    /* seconds to wait after failing to stat or open */
#define RETRY_LIFETIME 604800 /* default control/queuelifetime: one week */

uint64_t retry_isqrt(uint64_t x);
uint64_t retry_next(uint64_t birth, uint64_t now, uint64_t skip);
int retry_dying(uint64_t birth, uint64_t now, uint64_t lifetime);

#endif
