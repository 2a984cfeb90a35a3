/*
 * fd.h - descriptor manipulation: moving and copying descriptors, and the
 * O_NONBLOCK and FD_CLOEXEC flags. Reading and writing belong to buf.h.
 */
#ifndef FD_H
#define FD_H

#include <stddef.h>

int fd_move(int to, int from);
int fd_copy(int to, int from);
int fd_nonblock(int fd);
int fd_block(int fd);
int fd_cloexec(int fd);
int fd_nocloexec(int fd);
int fd_close(int fd);
int fd_write_all(int fd, const char *s, size_t n);
int fd_pipe_high(int p[2], int low);
int fd_closefrom(int low);

#endif
