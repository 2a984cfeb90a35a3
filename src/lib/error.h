/*
 * error.h - errno values as short lower-case text, for messages such as
 * "prog: fatal: unable to open control/me: permission denied".
 */
#ifndef ERROR_H
#define ERROR_H

const char *error_str(int e);
int error_temp(int e);

#endif
