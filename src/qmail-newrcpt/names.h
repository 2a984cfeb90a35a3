/*
 * names.h - the local parts this host accepts, whatever the local domain: the
 * "namespace" qmail-newrcpt gathers from passwd, users/assign and the .qmail files,
 * kept in an rset whose keys are local parts (exact) or prefixes ending in the break
 * character (star; the empty prefix accepts every local part).
 */
#ifndef NAMES_H
#define NAMES_H

#include <stddef.h>

#include "rset.h"

int names_prefix(rset *ns, const char *a, size_t alen, const char *b, size_t blen);
int names_home(rset *ns, const char *dir, const char *l0, size_t l0len, const char *dash,
	       const char *base);

#endif
