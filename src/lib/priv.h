/*
 * priv.h - giving up root for good: one call sets the supplementary groups, the
 * group and the user, and then proves the change cannot be undone.
 */
#ifndef PRIV_H
#define PRIV_H

#include <stddef.h>
#include <sys/types.h>

int priv_drop(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups);
int priv_groups(const char *user, gid_t gid, gid_t *groups, size_t max, size_t *n);

#endif
