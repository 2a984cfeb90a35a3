/*
 * sock.h - TCP sockets for both address families: connect with a timeout (optionally
 * from a chosen local address), listen, accept, the addresses of either end, and this
 * host's own addresses. Descriptors returned here are blocking and close-on-exec.
 */
#ifndef SOCK_H
#define SOCK_H

#include <stdint.h>
#include <sys/socket.h>

#include "ip.h"

int sock_connect(const ip_addr *to, uint16_t port, const ip_addr *from, unsigned timeout_ms);
int sock_listen(const ip_addr *ip, uint16_t *port, int backlog);
int sock_accept(int fd, ip_addr *ip, uint16_t *port);
int sock_local(int fd, ip_addr *ip, uint16_t *port);
int sock_remote(int fd, ip_addr *ip, uint16_t *port);
int sock_ipme(ip_list *me);
int sock_addr(const ip_addr *ip, uint16_t port, struct sockaddr_storage *ss, socklen_t *len);

#endif
