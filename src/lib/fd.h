/*
 * fd.h - descriptor manipulation: moving and copying descriptors, and the
 * O_NONBLOCK and FD_CLOEXEC flags. Reading and writing belong to buf.h.
 */
#ifndef FD_H
#define FD_H

int fd_move(int to, int from);
int fd_copy(int to, int from);
int fd_nonblock(int fd);
int fd_block(int fd);
int fd_cloexec(int fd);
int fd_nocloexec(int fd);
int fd_close(int fd);

#endif
