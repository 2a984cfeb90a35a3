/*
 * file.h - whole small files: read one into a string with a size limit, make a
 * directory's entries durable, and fsync many descriptors at once.
 */
#ifndef FILE_H
#define FILE_H

#include <stddef.h>

#include "sa.h"

int file_read(const char *path, sa *out, size_t max);
int file_syncdir(const char *dir);
int file_syncall(const int *fd, size_t n, int *err);

#endif
