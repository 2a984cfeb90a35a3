/*
 * run.h - running another program as a child. run_start reports a failed exec as its
 * own error (errno from execvp), never as an exit code the program could also use;
 * run_feed gives the child a prefix and then everything readable from a descriptor
 * on its stdin, the shape of predate, preline and mailsubj.
 */
#ifndef RUN_H
#define RUN_H

#include <stddef.h>
#include <sys/types.h>

pid_t run_start(char *const *argv, int fd0);
int run_feed(char *const *argv, const char *head, size_t n, int in, int *status);

#endif
