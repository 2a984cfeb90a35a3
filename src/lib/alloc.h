/*
 * alloc.h - allocation that reports failure. Callers decide what failure means
 * (a program's die_nomem, a temporary SMTP reply); the library never exits.
 */
#ifndef ALLOC_H
#define ALLOC_H

#include <stddef.h>

void *alloc(size_t n);
void *alloc_array(size_t count, size_t size);
int alloc_resize(void **p, size_t n);
void alloc_free(void *p);

#endif
