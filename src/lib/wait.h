/*
 * wait.h - waiting for children, and reading the status they leave. wait_pid and
 * wait_nohang return a pid (> 0), not the usual 1; -1 is an error with errno set.
 */
#ifndef WAIT_H
#define WAIT_H

#include <sys/types.h>

pid_t wait_pid(pid_t pid, int *status);
pid_t wait_nohang(int *status);
int wait_exited(int status);
int wait_exitcode(int status);
int wait_crashed(int status);
int wait_termsig(int status);
int wait_stopsig(int status);

#endif
