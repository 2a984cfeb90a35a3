/*
 * die.h - the messages a program prints when it gives up or warns:
 *   prog: fatal: unable to open control/me: permission denied
 *   prog: warning: trouble reading todo/1234: input/output error
 * This is the one library module that prints and exits; only programs call it.
 * The strings are a NULL-terminated list, joined without separators.
 */
#ifndef DIE_H
#define DIE_H

#define DIE_SENTINEL __attribute__((sentinel))

void die_init(const char *argv0);
const char *die_prog(void);
_Noreturn void die_x(int code, const char *s, ...) DIE_SENTINEL;
_Noreturn void die_sys(int code, const char *s, ...) DIE_SENTINEL;
void warn_x(const char *s, ...) DIE_SENTINEL;
void warn_sys(const char *s, ...) DIE_SENTINEL;
void msg_put(int fd, const char *s, ...) DIE_SENTINEL;

#endif
