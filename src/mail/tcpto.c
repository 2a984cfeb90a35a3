/*
 * tcpto.c - the connect timeout table. Records are numbered 0..127: 0..63 IPv4 and
 * 64..127 IPv6. The decisions (busy, fail, ok) are pure functions of the table's bytes
 * and the time, so they are tested without files; load, store and zero are the only
 * I/O, and the callers hold the flock around a load and its stores.
 */
#include "tcpto.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "fd.h"

#define REC4 16 /* bytes of an IPv4 record */
#define REC6 32 /* bytes of an IPv6 record */

/* rec - where record i lives, its length, and the offsets of count and time in it */
static unsigned char *rec(const tcpto *t, size_t i, size_t *len, size_t *cnt, size_t *tm)
{
	if (i < TCPTO_SLOTS) {
		*len = REC4;
		*cnt = 4;
		*tm = 8;
		return (unsigned char *)t->t + i * REC4;
	}
	*len = REC6;
	*cnt = 16;
	*tm = 24;
	return (unsigned char *)t->t + TCPTO_SIZE4 + (i - TCPTO_SLOTS) * REC6;
}

/* get64 - a little-endian 64-bit number */
static uint64_t get64(const unsigned char *p)
{
	uint64_t u = 0;
	int i;
	for (i = 7; i >= 0; --i)
		u = u << 8 | p[i];
	return u;
}

/* put64 - store u little-endian */
static void put64(unsigned char *p, uint64_t u)
{
	int i;
	for (i = 0; i < 8; ++i, u >>= 8)
		p[i] = (unsigned char)(u & 0xff);
}

/* family - the records an address uses (first index, address bytes); 0 if none.
 * An IPv4-mapped IPv6 address is its IPv4 address. */
static int family(const ip_addr *in, ip_addr *ip, size_t *first, size_t *alen)
{
	*ip = *in;
	ip_unmap(ip);
	if (ip->family == 4) {
		*first = 0;
		*alen = 4;
		return 1;
	}
	if (ip->family == 6) {
		*first = TCPTO_SLOTS;
		*alen = 16;
		return 1;
	}
	return 0;
}

/* find - the record holding ip (in use or not), or TCPTO_NONE */
static size_t find(const tcpto *t, const ip_addr *in)
{
	ip_addr ip;
	size_t first, alen, i, len, cnt, tm;
	if (!family(in, &ip, &first, &alen))
		return TCPTO_NONE;
	for (i = first; i < first + TCPTO_SLOTS; ++i) {
		const unsigned char *r = rec(t, i, &len, &cnt, &tm);
		if (r[cnt] && !memcmp(r, ip.a, alen))
			return i;
	}
	return TCPTO_NONE;
}

/* tcpto_get - record i (0..2*TCPTO_SLOTS-1) into e; 1 if it is in use, else 0 */
int tcpto_get(const tcpto *t, size_t i, tcpto_entry *e)
{
	size_t len, cnt, tm;
	const unsigned char *r;
	if (i >= 2 * TCPTO_SLOTS)
		return 0;
	r = rec(t, i, &len, &cnt, &tm);
	if (i < TCPTO_SLOTS)
		ip_set4(&e->ip, r);
	else
		ip_set6(&e->ip, r);
	e->count = r[cnt];
	e->when = get64(r + tm);
	return e->count != 0;
}

/* tcpto_busy - whether to skip ip now: two or more failures, the last one younger
 * than (60 + pid mod 32) * 64 seconds (64 to 97 minutes, spread by pid so that not
 * every qmail-remote retries at once). A time far in the future (the clock was set
 * back) does not keep an address busy for longer than that. */
int tcpto_busy(const tcpto *t, const ip_addr *ip, uint64_t now, unsigned long pid)
{
	tcpto_entry e;
	uint64_t window = (60 + pid % 32) * 64;
	size_t i = find(t, ip);
	if (i == TCPTO_NONE || !tcpto_get(t, i, &e) || e.count < 2)
		return 0;
	if (e.when > now)
		return e.when - now < window;
	return now - e.when < window;
}

/* tcpto_fail - count a connect timeout of ip at now; the record changed, or
 * TCPTO_NONE when nothing changed (a repeat within TCPTO_GAP seconds) */
size_t tcpto_fail(tcpto *t, const ip_addr *in, uint64_t now)
{
	ip_addr ip;
	size_t first, alen, i, len, cnt, tm, best = TCPTO_NONE;
	uint64_t bestscore = UINT64_MAX;
	unsigned char *r;
	if (!family(in, &ip, &first, &alen))
		return TCPTO_NONE;
	i = find(t, &ip);
	if (i != TCPTO_NONE) {
		r = rec(t, i, &len, &cnt, &tm);
		if (now >= get64(r + tm) && now - get64(r + tm) < TCPTO_GAP)
			return TCPTO_NONE;
		if (r[cnt] < TCPTO_COUNTMAX)
			++r[cnt];
		put64(r + tm, now);
		return i;
	}
	/* a new record: a free one, else the oldest (time + count * 1024 smallest) */
	for (i = first; i < first + TCPTO_SLOTS; ++i) {
		uint64_t score;
		r = rec(t, i, &len, &cnt, &tm);
		if (!r[cnt]) {
			best = i;
			break;
		}
		score = get64(r + tm);
		score = score > UINT64_MAX - 10240 ? UINT64_MAX : score + (uint64_t)r[cnt] * 1024;
		if (score < bestscore) {
			bestscore = score;
			best = i;
		}
	}
	r = rec(t, best, &len, &cnt, &tm);
	memset(r, 0, len);
	memcpy(r, ip.a, alen);
	r[cnt] = 1;
	put64(r + tm, now);
	return best;
}

/* tcpto_ok - ip answered (or refused, which is an answer): forget its failures; the
 * record changed, or TCPTO_NONE */
size_t tcpto_ok(tcpto *t, const ip_addr *ip)
{
	size_t len, cnt, tm;
	size_t i = find(t, ip);
	unsigned char *r;
	if (i == TCPTO_NONE)
		return TCPTO_NONE;
	r = rec(t, i, &len, &cnt, &tm);
	r[cnt] = 0;
	return i;
}

/* tcpto_load - read the table from fd (any length; missing bytes are zeros) */
int tcpto_load(int fd, tcpto *t)
{
	size_t got = 0;
	memset(t->t, 0, sizeof t->t);
	while (got < sizeof t->t) {
		ssize_t r = pread(fd, t->t + got, sizeof t->t - got, (off_t)got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return 0;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return 1;
}

/* tcpto_store - write record i of t back to fd, in place */
int tcpto_store(int fd, const tcpto *t, size_t i)
{
	size_t len, cnt, tm, done = 0;
	const unsigned char *r;
	off_t off;
	if (i >= 2 * TCPTO_SLOTS) {
		errno = EINVAL;
		return 0;
	}
	r = rec(t, i, &len, &cnt, &tm);
	off = (off_t)(r - t->t);
	while (done < len) {
		ssize_t w = pwrite(fd, r + done, len - done, off + (off_t)done);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return 0;
		}
		done += (size_t)w;
	}
	return 1;
}

/* tcpto_zero - empty the table: TCPTO_SIZE4 zero bytes, and nothing after them */
int tcpto_zero(int fd)
{
	static const char zero[TCPTO_SIZE4];
	if (lseek(fd, 0, SEEK_SET) == -1 || !fd_write_all(fd, zero, sizeof zero))
		return 0;
	while (ftruncate(fd, TCPTO_SIZE4) == -1)
		if (errno != EINTR)
			return 0;
	return 1;
}
