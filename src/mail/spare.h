/*
 * spare.h - pools of spare queue files: a finished queue file is cut to its first
 * block and kept in a pool directory instead of being unlinked, and the next queue
 * file is taken from the pool instead of being created, so the file system
 * allocates and frees no inode and no block per message (see spare.c for why, and
 * for the safety rules).
 */
#ifndef SPARE_H
#define SPARE_H

#include <stdint.h>
#include <sys/types.h>

#include "queue.h"

#define SPARE_SLOTS  1024 /* a pool holds at most this many files: POOL/0 .. POOL/1023 */
#define SPARE_PROBES 8    /* slots looked at per take or give without a map */
#define SPARE_KEEP   4096 /* bytes a file keeps in a pool: its first block stays */

typedef struct spare_s {
	char pool[QUEUE_PATHMAX];        /* the pool directory, relative to the queue */
	unsigned hint;                   /* slot to look at first */
	int mapped;                      /* full[] is known: this process owns the pool */
	uint64_t full[SPARE_SLOTS / 64]; /* with mapped: the slots holding a file */
	unsigned nlist;                  /* without a map: slots listed, not yet tried */
	unsigned list[2 * SPARE_PROBES]; /* those slots */
} spare;

/* spare_namer - the name a taken file gets, from its inode number, into dst
 * (QUEUE_PATHMAX bytes) */
typedef void spare_namer(char *dst, uint64_t ino);

void spare_init(spare *sp, const char *pool, unsigned hint);
void spare_part(spare *sp, const char *pool, uint64_t part, unsigned hint);
void spare_map(spare *sp);
int spare_take(spare *sp, const char *dst, mode_t mode);
int spare_take_named(spare *sp, spare_namer *name, char *dst, mode_t mode, uint64_t *ino);
int spare_cut(int fd);
int spare_give(spare *sp, const char *path);

#endif
