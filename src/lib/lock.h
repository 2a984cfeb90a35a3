/*
 * lock.h - exclusive advisory locks on whole files, with flock(2) semantics: a lock
 * belongs to the open file description, so two open() calls of one file conflict
 * even in one process, dup()ed descriptors share one lock, and the lock goes away
 * when the last descriptor of that description is closed.
 */
#ifndef LOCK_H
#define LOCK_H

#include <stdint.h>

int lock_ex(int fd);
int lock_exnb(int fd);
int lock_ex_timeout(int fd, uint64_t ms);
int lock_un(int fd);

#endif
