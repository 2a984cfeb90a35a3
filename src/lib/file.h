/*
 * file.h - whole small files: read one into a string with a size limit, make a
 * directory's entries durable, and start a file's writeback before its fsync.
 */
#ifndef FILE_H
#define FILE_H

#include <stddef.h>

#include "sa.h"

int file_read(const char *path, sa *out, size_t max);
int file_syncdir(const char *dir);
int file_startsync(int fd);

#endif
