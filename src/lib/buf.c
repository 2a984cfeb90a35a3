/*
 * buf.c - buffered input and output over a file descriptor.
 *
 * Every system call goes through io(): with a timeout set, it first polls the
 * descriptor for readiness against a deadline fixed when the call starts (a monotonic
 * clock, so EINTR and spurious wakeups only shorten the wait that is left, never extend
 * it); EINTR is retried, and EAGAIN from a non-blocking descriptor waits in poll rather
 * than spinning. Buffered bytes are always x[p .. p+n), for input and output alike, so
 * a failed flush leaves the unwritten tail in place and can be retried.
 */
#include "buf.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"

/* buf_init - use caller-owned storage; size 0 makes an unbuffered writer */
void buf_init(buf *b, int fd, char *space, size_t size)
{
	b->x = space;
	b->size = size > SSIZE_MAX ? SSIZE_MAX : size;
	b->p = 0;
	b->n = 0;
	b->fd = fd;
	b->owned = 0;
	b->timeout = 0;
	b->op = 0;
	b->ctx = 0;
}

/* buf_alloc - like buf_init with size bytes of storage owned by b */
int buf_alloc(buf *b, int fd, size_t size)
{
	char *x;
	if (!size || size > SSIZE_MAX) {
		errno = EINVAL;
		return 0;
	}
	x = alloc(size);
	if (!x)
		return 0;
	buf_init(b, fd, x, size);
	b->owned = 1;
	return 1;
}

/* buf_free - release storage from buf_alloc; buffered bytes are dropped, not flushed */
void buf_free(buf *b)
{
	if (b->owned)
		alloc_free(b->x);
	b->x = 0;
	b->size = b->p = b->n = 0;
	b->owned = 0;
}

/* buf_setop - replace read(2)/write(2) with op (0 restores them) */
void buf_setop(buf *b, buf_op op, void *ctx)
{
	b->op = op;
	b->ctx = ctx;
}

/* buf_settimeout - allow ms milliseconds per read or write; 0 waits forever */
void buf_settimeout(buf *b, unsigned int ms)
{
	b->timeout = ms;
}

/* left - milliseconds from now until deadline, rounded up, 0 if past, at most INT_MAX */
static int left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	     (deadline->tv_nsec - now.tv_nsec + 999999) / 1000000;
	if (ms <= 0)
		return 0;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* ready - wait until fd allows ev or deadline (0: none) passes; ETIMEDOUT then */
static int ready(int fd, short ev, const struct timespec *deadline)
{
	struct pollfd pf;
	int ms, r;
	for (;;) {
		ms = deadline ? left(deadline) : -1;
		pf.fd = fd;
		pf.events = ev;
		pf.revents = 0;
		r = poll(&pf, 1, ms);
		if (r > 0)
			return 1; /* POLLHUP, POLLERR too: the call itself reports them */
		if (r == 0 && ms == 0) {
			errno = ETIMEDOUT;
			return 0;
		}
		if (r < 0 && errno != EINTR)
			return 0;
	}
}

/* io - one read or write of at most n bytes, waiting, retrying EINTR and EAGAIN */
static ssize_t io(buf *b, char *p, size_t n, int wr)
{
	struct timespec dl;
	short ev = wr ? POLLOUT : POLLIN;
	ssize_t r;
	if (n > SSIZE_MAX)
		n = SSIZE_MAX;
	if (b->timeout) {
		clock_gettime(CLOCK_MONOTONIC, &dl);
		dl.tv_sec += b->timeout / 1000;
		dl.tv_nsec += (long)(b->timeout % 1000) * 1000000;
		if (dl.tv_nsec >= 1000000000) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000;
		}
	}
	for (;;) {
		if (b->timeout && !ready(b->fd, ev, &dl))
			return -1;
		if (b->op)
			r = b->op(b->fd, p, n, b->ctx);
		else
			r = wr ? write(b->fd, p, n) : read(b->fd, p, n);
		if (r >= 0 && (size_t)r <= n)
			return r;
		if (r >= 0) {
			errno = EIO; /* an op claiming more than it was given */
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (!b->timeout && !ready(b->fd, ev, 0))
			return -1;
	}
}

/* writeall - write n bytes directly, looping over short writes */
static int writeall(buf *b, const char *p, size_t n)
{
	ssize_t r;
	while (n) {
		r = io(b, (char *)p, n, 1);
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			return 0;
		}
		p += r;
		n -= (size_t)r;
	}
	return 1;
}

/* buf_flush - write out every buffered byte; on failure the unwritten ones remain */
int buf_flush(buf *b)
{
	ssize_t r;
	while (b->n) {
		r = io(b, b->x + b->p, b->n, 1);
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			return 0;
		}
		b->p += (size_t)r;
		b->n -= (size_t)r;
	}
	b->p = 0;
	return 1;
}

/* buf_put - buffer n bytes, writing directly what cannot fit after a flush */
int buf_put(buf *b, const char *p, size_t n)
{
	if (n > PTRDIFF_MAX) {
		errno = EOVERFLOW; /* no object is this large: a wrapped length */
		return 0;
	}
	if (n <= b->size - b->p - b->n) {
		if (n)
			memcpy(b->x + b->p + b->n, p, n);
		b->n += n;
		return 1;
	}
	if (!buf_flush(b))
		return 0;
	if (n < b->size) {
		memcpy(b->x, p, n);
		b->n = n;
		return 1;
	}
	return writeall(b, p, n);
}

/* buf_puts - buffer a C string without its NUL */
int buf_puts(buf *b, const char *s)
{
	return buf_put(b, s, strlen(s));
}

/* buf_putsa - buffer the bytes of x */
int buf_putsa(buf *b, const sa *x)
{
	return buf_put(b, x->s, x->len);
}

/* buf_putflush - buffer n bytes and flush, for a reply that must go out now */
int buf_putflush(buf *b, const char *p, size_t n)
{
	return buf_put(b, p, n) && buf_flush(b);
}

/* buf_feed - make sure input is buffered: the count, 0 at end of input, -1 on error */
ssize_t buf_feed(buf *b)
{
	ssize_t r;
	if (b->n)
		return (ssize_t)b->n;
	b->p = 0;
	if (!b->size) {
		errno = EINVAL;
		return -1;
	}
	r = io(b, b->x, b->size, 0);
	if (r > 0)
		b->n = (size_t)r;
	return r;
}

/* buf_peek - the buffered input, in place, and its count in *n; no I/O */
const char *buf_peek(const buf *b, size_t *n)
{
	*n = b->n;
	return b->n ? b->x + b->p : b->x;
}

/* buf_skip - consume k bytes of buffered input (at most what is buffered) */
void buf_skip(buf *b, size_t k)
{
	if (k > b->n)
		k = b->n;
	b->p += k;
	b->n -= k;
}

/* buf_get - up to n bytes into p: the count, 0 at end of input, -1 on error */
ssize_t buf_get(buf *b, char *p, size_t n)
{
	ssize_t r;
	if (n > SSIZE_MAX)
		n = SSIZE_MAX;
	if (!n)
		return 0;
	if (!b->n && n >= b->size)
		return io(b, p, n, 0); /* nothing gained by copying through the buffer */
	r = buf_feed(b);
	if (r <= 0)
		return r;
	if (n > b->n)
		n = b->n;
	memcpy(p, b->x + b->p, n);
	buf_skip(b, n);
	return (ssize_t)n;
}

/* buf_getc - one byte into *c: 1, 0 at end of input, -1 on error */
int buf_getc(buf *b, char *c)
{
	ssize_t r = buf_feed(b);
	if (r <= 0)
		return (int)r;
	*c = b->x[b->p];
	buf_skip(b, 1);
	return 1;
}

/*
 * buf_getline - append one line, through term, to line, but never more than max bytes:
 * the rest of an overlong line is read and discarded. 1 and *flags (BUF_OVERLONG,
 * BUF_PARTIAL) for a line, 0 at end of input before any byte, -1 on error.
 */
int buf_getline(buf *b, sa *line, size_t max, char term, unsigned int *flags)
{
	size_t got = 0; /* bytes appended so far, at most max */
	int seen = 0;   /* consumed any byte of this line */
	const char *s, *e;
	size_t n, k, take;
	ssize_t r;
	*flags = 0;
	for (;;) {
		r = buf_feed(b);
		if (r < 0)
			return -1;
		if (r == 0) {
			if (!seen)
				return 0;
			*flags |= BUF_PARTIAL;
			return 1;
		}
		s = buf_peek(b, &n);
		e = memchr(s, term, n);
		k = e ? (size_t)(e - s) + 1 : n;
		take = k < max - got ? k : max - got;
		if (take && !sa_catb(line, s, take))
			return -1;
		got += take;
		if (take < k)
			*flags |= BUF_OVERLONG;
		buf_skip(b, k);
		seen = 1;
		if (e)
			return 1;
	}
}

/* buf_copy - copy in to out until end of input: 1, -1 read error, -2 write error */
int buf_copy(buf *out, buf *in)
{
	const char *s;
	size_t n;
	ssize_t r;
	for (;;) {
		r = buf_feed(in);
		if (r < 0)
			return -1;
		if (r == 0)
			return 1;
		s = buf_peek(in, &n);
		if (!buf_put(out, s, n))
			return -2;
		buf_skip(in, n);
	}
}
