/*
 * control.h - reading QMAILHOME/control files (SPEC section 10). Paths are relative:
 * programs chdir to QMAILHOME first. Readers return -1 on error (errno set), 0 when
 * the file does not exist, 1 when it was read.
 */
#ifndef CONTROL_H
#define CONTROL_H

#include <stdint.h>

#include "sa.h"

#define CONTROL_MAX (64 * 1024 * 1024) /* largest control file we read */

int control_init(void);
const sa *control_me(void);
int control_readline(sa *out, const char *name);
int control_rldef(sa *out, const char *name, int use_me, const char *def);
int control_readint(uint64_t *u, const char *name);
int control_readlist(sa *out, const char *name);

#endif
