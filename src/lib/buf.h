/*
 * buf.h - buffered input and output over a file descriptor, with an optional timeout
 * per system call for network peers. A buf is used either for reading or for writing,
 * never both. Its storage is fixed: supplied by the caller (buf_init) or allocated once
 * (buf_alloc); nothing here grows with the input, so no reader can be made to hold an
 * unbounded line. Every length is size_t; counts returned as ssize_t never exceed
 * SSIZE_MAX because requests are clamped to it.
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>
#include <sys/types.h>

#include "sa.h"

/* buf_op - read or write at most n bytes, like read(2)/write(2); ctx is the caller's */
typedef ssize_t (*buf_op)(int fd, void *p, size_t n, void *ctx);

typedef struct buf_s {
	char *x;              /* the storage; owned only when owned is set */
	size_t size;          /* bytes of storage */
	size_t p;             /* offset of the first buffered byte */
	size_t n;             /* buffered bytes: unread input or unwritten output */
	int fd;               /* the descriptor polled and passed to op */
	int owned;            /* 1 if buf_alloc allocated x and buf_free must free it */
	unsigned int timeout; /* milliseconds allowed per read or write; 0 waits forever */
	buf_op op;            /* 0 for plain read(2)/write(2) */
	void *ctx;            /* passed to op */
} buf;

/* buf_getline flags */
#define BUF_OVERLONG 1 /* longer than max: line got max bytes, the rest was discarded */
#define BUF_PARTIAL  2 /* end of input came before the terminator */

void buf_init(buf *b, int fd, char *space, size_t size);
int buf_alloc(buf *b, int fd, size_t size);
void buf_free(buf *b);
void buf_setop(buf *b, buf_op op, void *ctx);
void buf_settimeout(buf *b, unsigned int ms);

int buf_put(buf *b, const char *p, size_t n);
int buf_puts(buf *b, const char *s);
int buf_putsa(buf *b, const sa *x);
int buf_flush(buf *b);
int buf_putflush(buf *b, const char *p, size_t n);

ssize_t buf_get(buf *b, char *p, size_t n);
int buf_getc(buf *b, char *c);
ssize_t buf_feed(buf *b);
const char *buf_peek(const buf *b, size_t *n);
void buf_skip(buf *b, size_t k);
int buf_getline(buf *b, sa *line, size_t max, char term, unsigned int *flags);

int buf_copy(buf *out, buf *in);

#endif
