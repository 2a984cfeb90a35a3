/*
 * replace.h - replace a file atomically: the new contents go to a temporary name in
 * the same directory, which is fsynced, renamed over the old name, and the directory
 * fsynced. A reader sees the whole old file or the whole new one; after a crash at
 * any step the old file is still there, beside at worst a stale temporary file that
 * the next replace_open truncates.
 */
#ifndef REPLACE_H
#define REPLACE_H

typedef struct replace_s {
	int fd;           /* the temporary file, open for writing, while pending */
	int pending;      /* 1 while the temporary file may exist: replace_abort removes it */
	const char *tmp;  /* borrowed: the temporary name, in the directory of dst */
	const char *dst;  /* borrowed: the name being replaced */
	const char *step; /* after a failure: what failed, a verb ("create", "fsync", ...) */
	const char *name; /* after a failure: the name it failed on (tmp or dst) */
} replace;

int replace_open(replace *r, const char *tmp, const char *dst, unsigned int mode);
int replace_commit(replace *r);
void replace_abort(replace *r);

#endif
