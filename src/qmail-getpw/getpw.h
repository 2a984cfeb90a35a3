/*
 * getpw.h - qmail-getpw's lookup, shared with qmail-lspawn's lookup process.
 */
#ifndef GETPW_H
#define GETPW_H

#include "sa.h"

int getpw_find(const char *local, sa *out);

#endif
