/*
 * tcpto.h - the table of remote addresses that recently timed out on connect
 * (queue/lock/tcpto, SPEC section 8), for IPv4 and IPv6. qmail-remote skips an
 * address that timed out twice or more within the last hour or so, instead of waiting
 * out the connect timeout again; qmail-rspawn and qmail-tcpok empty the table and
 * qmail-tcpto prints it.
 *
 * Layout (all numbers little-endian; every byte not named here is zero):
 *   bytes 0..1023     64 IPv4 records of 16 bytes, exactly qmail's file:
 *                     0-3 address, 4 failure count (0..10), 8-15 time of the last
 *                     failure (64 bits: qmail's readers see bytes 8-11, the same value
 *                     until 2106)
 *   bytes 1024..3071  64 IPv6 records of 32 bytes:
 *                     0-15 address, 16 failure count, 24-31 time of the last failure
 * The file is installed as 1024 zero bytes and grows when the first IPv6 record is
 * written; missing bytes read as zeros, so an IPv4-only file is a valid table and
 * qmail's own tools keep working on the first 1024 bytes. A record with count 0 is
 * free. The lock is flock on the file itself.
 */
#ifndef TCPTO_H
#define TCPTO_H

#include <stddef.h>
#include <stdint.h>

#include "ip.h"

#define TCPTO_FILE     "queue/lock/tcpto"
#define TCPTO_SLOTS    64   /* records per address family */
#define TCPTO_SIZE4    1024 /* the IPv4 records: the whole of qmail's file */
#define TCPTO_SIZE     3072 /* both tables */
#define TCPTO_COUNTMAX 10   /* failures counted at most */
#define TCPTO_GAP      120  /* seconds before another failure of one address counts */
#define TCPTO_NONE     ((size_t)-1)

typedef struct tcpto_s {
	unsigned char t[TCPTO_SIZE]; /* the file's bytes, zero beyond its end */
} tcpto;

typedef struct tcpto_entry_s {
	ip_addr ip;     /* the address */
	unsigned count; /* failures counted, 1..TCPTO_COUNTMAX */
	uint64_t when;  /* time of the last counted failure, seconds since the epoch */
} tcpto_entry;

int tcpto_get(const tcpto *t, size_t i, tcpto_entry *e);
int tcpto_busy(const tcpto *t, const ip_addr *ip, uint64_t now, unsigned long pid);
size_t tcpto_fail(tcpto *t, const ip_addr *ip, uint64_t now);
size_t tcpto_ok(tcpto *t, const ip_addr *ip);

int tcpto_load(int fd, tcpto *t);
int tcpto_store(int fd, const tcpto *t, size_t i);
int tcpto_zero(int fd);

#endif
