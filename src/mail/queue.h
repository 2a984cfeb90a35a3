/*
 * queue.h - names in the queue directory (SPEC section 3). A message's number ID is
 * the inode number of its mess file; split directories are ID mod AUTO_SPLIT.
 */
#ifndef QUEUE_H
#define QUEUE_H

#include <stddef.h>
#include <stdint.h>

#define QUEUE_PATHMAX 64 /* longest "dir/split/ID" we ever form, with its NUL */

unsigned queue_split(uint64_t id);
size_t queue_name(char *s, const char *dir, uint64_t id, int split);
int queue_known(char *path, uint64_t id);
void queue_trigger(void);

#endif
