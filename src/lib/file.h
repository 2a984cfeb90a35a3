/*
 * file.h - whole small files: read one into a string with a size limit, and make a
 * directory's entries durable.
 */
#ifndef FILE_H
#define FILE_H

#include <stddef.h>

#include "sa.h"

int file_read(const char *path, sa *out, size_t max);
int file_syncdir(const char *dir);

#endif
