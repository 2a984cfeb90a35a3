/*
 * fdpass.h - handing an open descriptor to another process over a Unix-domain stream
 * socket (SCM_RIGHTS). Each descriptor travels with one byte of data, so the two ends
 * stay in step; neither call ever blocks.
 */
#ifndef FDPASS_H
#define FDPASS_H

int fdpass_send(int sock, int fd);
int fdpass_recv(int sock, int *fd);

#endif
