/* buf.c - tests for buffered I/O: pipes, socketpairs, files, faulty ops, timeouts, limits */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "harness.h"
#include "sa.h"

/* mem - an in-memory peer for custom ops: a source to read from, a sink to write to */
typedef struct mem_s {
	const char *s; /* source bytes */
	size_t len;    /* source length */
	size_t pos;    /* bytes of source handed out */
	size_t chunk;  /* most bytes per call (reads and writes) */
	sa out;        /* what was written */
	size_t calls;  /* op calls, failed ones included */
	size_t fail;   /* fail the call with this number (1-based); 0 never */
	int err;       /* errno for the failing call */
	size_t zero;   /* return 0 from this call (1-based); 0 never */
} mem;

/* mem_read - a buf_op reading from m->s, chunk bytes at a time, failing as told */
static ssize_t mem_read(int fd, void *p, size_t n, void *ctx)
{
	mem *m = ctx;
	(void)fd;
	if (++m->calls == m->fail) {
		errno = m->err;
		return -1;
	}
	if (n > m->chunk)
		n = m->chunk;
	if (n > m->len - m->pos)
		n = m->len - m->pos;
	memcpy(p, m->s + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

/* mem_write - a buf_op appending to m->out, chunk bytes at a time, failing as told */
static ssize_t mem_write(int fd, void *p, size_t n, void *ctx)
{
	mem *m = ctx;
	(void)fd;
	if (++m->calls == m->fail) {
		errno = m->err;
		return -1;
	}
	if (m->calls == m->zero)
		return 0;
	if (n > m->chunk)
		n = m->chunk;
	if (!sa_catb(&m->out, p, n))
		return -1;
	return (ssize_t)n;
}

/* mem_src - a mem reading s in chunks of chunk bytes */
static mem mem_src(const char *s, size_t len, size_t chunk)
{
	mem m = {s, len, 0, chunk, SA_ZERO, 0, 0, 0, 0};
	return m;
}

/* now_ms - the monotonic clock in milliseconds */
static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* drain - read everything from fd (until EOF) into x */
static void drain(int fd, sa *x)
{
	char tmp[8192];
	ssize_t r;
	while ((r = read(fd, tmp, sizeof tmp)) > 0)
		sa_catb(x, tmp, (size_t)r);
}

/* pattern - fill x with n bytes that repeat only after a long period */
static void pattern(sa *x, size_t n)
{
	size_t i;
	uint32_t v = 12345;
	x->len = 0;
	sa_ready(x, n);
	for (i = 0; i < n; ++i) {
		v = v * 1103515245u + 12345u;
		x->s[i] = (char)(v >> 16);
	}
	x->len = n;
}

static void t_put_pipe(void)
{
	char space[16];
	buf b;
	int fd[2];
	char got[64];
	T_OK(pipe(fd) == 0);
	T_OK(fcntl(fd[0], F_SETFL, O_NONBLOCK) == 0);
	buf_init(&b, fd[1], space, sizeof space);
	T_OK(buf_puts(&b, "hello, "));
	T_OK(buf_put(&b, "world", 5));
	/* nothing reaches the pipe before a flush */
	T_OK(read(fd[0], got, sizeof got) == -1 && errno == EAGAIN);
	T_OK(buf_flush(&b));
	T_EQ_U(read(fd[0], got, sizeof got), 12);
	T_EQ_MEM(got, 12, "hello, world", 12);
	/* a put that does not fit flushes what is buffered first, keeping the order */
	T_OK(buf_puts(&b, "0123456789"));
	T_OK(buf_puts(&b, "abcdefghij"));
	T_EQ_U(read(fd[0], got, sizeof got), 10);
	T_OK(buf_putflush(&b, "!", 1));
	T_EQ_U(read(fd[0], got, sizeof got), 11);
	T_EQ_MEM(got, 11, "abcdefghij!", 11);
	T_OK(buf_flush(&b)); /* nothing pending: still fine */
	close(fd[0]);
	close(fd[1]);
}

static void t_putsa(void)
{
	char space[64];
	buf b;
	mem m = mem_src("", 0, SIZE_MAX);
	sa x = SA_ZERO;
	sa_catb(&x, "sa bytes\0with a NUL", 19);
	buf_init(&b, -1, space, sizeof space);
	buf_setop(&b, mem_write, &m);
	T_OK(buf_putsa(&b, &x));
	T_OK(buf_flush(&b));
	T_EQ_MEM(m.out.s, m.out.len, "sa bytes\0with a NUL", 19);
	sa_free(&x);
	sa_free(&m.out);
}

static void t_put_bypass(void)
{
	char space[8];
	char big[100];
	buf b;
	mem m = mem_src("", 0, SIZE_MAX);
	memset(big, 'x', sizeof big);
	buf_init(&b, -1, space, sizeof space);
	buf_setop(&b, mem_write, &m);
	T_OK(buf_put(&b, "abc", 3));
	T_EQ_U(m.calls, 0);
	/* flush "abc", then one direct write of all 100 bytes */
	T_OK(buf_put(&b, big, sizeof big));
	T_EQ_U(m.calls, 2);
	T_EQ_U(m.out.len, 103);
	T_EQ_U(b.n, 0);
	/* exactly the free space is buffered; one byte more goes direct */
	T_OK(buf_put(&b, big, sizeof space));
	T_EQ_U(m.calls, 2);
	T_EQ_U(b.n, sizeof space);
	T_OK(buf_flush(&b));
	T_OK(buf_put(&b, big, sizeof space + 1));
	T_EQ_U(m.calls, 4);
	T_EQ_U(b.n, 0);
	T_EQ_U(m.out.len, 103 + 2 * sizeof space + 1);
	sa_free(&m.out);
}

static void t_short_writes(void)
{
	char space[64];
	buf b;
	mem m = mem_src("", 0, 1);
	sa data = SA_ZERO;
	pattern(&data, 1000);
	buf_init(&b, -1, space, sizeof space);
	buf_setop(&b, mem_write, &m);
	T_OK(buf_put(&b, data.s, 10));
	T_OK(buf_put(&b, data.s + 10, 990));
	T_OK(buf_flush(&b));
	T_EQ_U(m.calls, 1000);
	T_EQ_MEM(m.out.s, m.out.len, data.s, data.len);
	sa_free(&data);
	sa_free(&m.out);
}

static void t_eintr(void)
{
	char space[16];
	char got[16];
	buf b;
	mem m = mem_src("ping\n", 5, SIZE_MAX);
	m.fail = 1;
	m.err = EINTR;
	buf_init(&b, -1, space, sizeof space);
	buf_setop(&b, mem_read, &m);
	T_EQ_U(buf_get(&b, got, sizeof got), 5);
	T_EQ_MEM(got, 5, "ping\n", 5);
	T_EQ_U(m.calls, 2);
	m = mem_src("", 0, SIZE_MAX);
	m.fail = 1;
	m.err = EINTR;
	buf_init(&b, -1, space, sizeof space);
	buf_setop(&b, mem_write, &m);
	T_OK(buf_putflush(&b, "pong\n", 5));
	T_EQ_MEM(m.out.s, m.out.len, "pong\n", 5);
	T_EQ_U(m.calls, 2);
	sa_free(&m.out);
}

static void t_write_errors(void)
{
	char space[16];
	buf b;
	mem m = mem_src("", 0, 3);
	m.fail = 2;
	m.err = EPIPE;
	buf_init(&b, -1, space, sizeof space);
	buf_setop(&b, mem_write, &m);
	T_OK(buf_put(&b, "abcdefgh", 8));
	errno = 0;
	T_OK(!buf_flush(&b));
	T_EQ_U(errno, EPIPE);
	/* the 3 written bytes are gone from the buffer, the other 5 wait for a retry */
	T_EQ_U(b.n, 5);
	T_OK(buf_put(&b, "ij", 2));
	T_OK(buf_flush(&b));
	T_EQ_MEM(m.out.s, m.out.len, "abcdefghij", 10);
	/* a write that makes no progress is an error, not a loop */
	m.zero = m.calls + 1;
	T_OK(buf_put(&b, "k", 1));
	errno = 0;
	T_OK(!buf_flush(&b));
	T_EQ_U(errno, EIO);
	sa_free(&m.out);
}

static void t_epipe(void)
{
	char space[16];
	buf b;
	int fd[2];
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	T_OK(pipe(fd) == 0);
	close(fd[0]);
	buf_init(&b, fd[1], space, sizeof space);
	T_OK(buf_puts(&b, "lost"));
	errno = 0;
	T_OK(!buf_flush(&b));
	T_EQ_U(errno, EPIPE);
	close(fd[1]);
	signal(SIGPIPE, old);
}

static void t_put_huge(void)
{
	char space[16];
	buf b;
	mem m = mem_src("", 0, SIZE_MAX);
	buf_init(&b, -1, space, sizeof space);
	buf_setop(&b, mem_write, &m);
	T_OK(buf_put(&b, "keep", 4));
	errno = 0;
	T_OK(!buf_put(&b, "x", SIZE_MAX));
	T_EQ_U(errno, EOVERFLOW);
	errno = 0;
	T_OK(!buf_put(&b, "x", SIZE_MAX - 3));
	T_EQ_U(errno, EOVERFLOW);
	T_OK(!buf_put(&b, "x", (size_t)PTRDIFF_MAX + 1));
	T_OK(!buf_putflush(&b, "x", SIZE_MAX));
	/* nothing was written and what was buffered is intact */
	T_EQ_U(m.calls, 0);
	T_EQ_U(b.n, 4);
	T_OK(buf_flush(&b));
	T_EQ_MEM(m.out.s, m.out.len, "keep", 4);
	sa_free(&m.out);
}

static void t_unbuffered(void)
{
	buf b;
	mem m = mem_src("", 0, SIZE_MAX);
	buf_init(&b, -1, 0, 0);
	buf_setop(&b, mem_write, &m);
	T_OK(buf_puts(&b, "at once"));
	T_EQ_MEM(m.out.s, m.out.len, "at once", 7);
	T_OK(buf_put(&b, "", 0));
	T_EQ_U(m.calls, 1);
	sa_free(&m.out);
}

static void t_timeout_read(void)
{
	char space[16];
	char c;
	buf b;
	int fd[2];
	long long t0, ms;
	T_OK(pipe(fd) == 0);
	buf_init(&b, fd[0], space, sizeof space);
	buf_settimeout(&b, 100);
	t0 = now_ms();
	errno = 0;
	T_EQ_U(buf_getc(&b, &c), (unsigned long long)-1);
	ms = now_ms() - t0;
	T_EQ_U(errno, ETIMEDOUT);
	T_OK(ms >= 95 && ms < 2000);
	/* data already waiting is read at once */
	T_EQ_U(write(fd[1], "z", 1), 1);
	T_EQ_U(buf_getc(&b, &c), 1);
	T_EQ_U(c, 'z');
	close(fd[0]);
	close(fd[1]);
}

static void t_timeout_write(void)
{
	char space[64];
	char fill[4096];
	buf b;
	int fd[2];
	long long t0, ms;
	T_OK(pipe(fd) == 0);
	T_OK(fcntl(fd[1], F_SETFL, O_NONBLOCK) == 0);
	memset(fill, 'f', sizeof fill);
	while (write(fd[1], fill, sizeof fill) > 0)
		;
	while (write(fd[1], fill, 1) > 0)
		;
	buf_init(&b, fd[1], space, sizeof space);
	buf_settimeout(&b, 100);
	T_OK(buf_puts(&b, "stuck"));
	t0 = now_ms();
	errno = 0;
	T_OK(!buf_flush(&b));
	ms = now_ms() - t0;
	T_EQ_U(errno, ETIMEDOUT);
	T_OK(ms >= 95 && ms < 2000);
	T_EQ_U(b.n, 5);
	close(fd[0]);
	close(fd[1]);
}

static volatile sig_atomic_t ticks; /* SIGALRM deliveries in t_timeout_eintr */

/* tick - count an alarm; stop the timer after 20 so a wrong wait cannot run forever */
static void tick(int sig)
{
	struct itimerval off = {{0, 0}, {0, 0}};
	(void)sig;
	if (++ticks >= 20)
		setitimer(ITIMER_REAL, &off, 0);
}

static void t_timeout_eintr(void)
{
	char space[16];
	char c;
	buf b;
	int fd[2];
	long long t0, ms;
	struct sigaction act, old;
	struct itimerval every = {{0, 20000}, {0, 20000}}, off = {{0, 0}, {0, 0}};
	memset(&act, 0, sizeof act);
	act.sa_handler = tick; /* no SA_RESTART: poll fails with EINTR */
	sigemptyset(&act.sa_mask);
	T_OK(sigaction(SIGALRM, &act, &old) == 0);
	T_OK(pipe(fd) == 0);
	buf_init(&b, fd[0], space, sizeof space);
	buf_settimeout(&b, 100);
	ticks = 0;
	T_OK(setitimer(ITIMER_REAL, &every, 0) == 0);
	t0 = now_ms();
	errno = 0;
	T_EQ_U(buf_getc(&b, &c), (unsigned long long)-1);
	ms = now_ms() - t0;
	setitimer(ITIMER_REAL, &off, 0);
	sigaction(SIGALRM, &old, 0);
	/* interrupted several times, yet the deadline is the first one */
	T_EQ_U(errno, ETIMEDOUT);
	T_OK(ticks >= 2);
	T_OK(ms >= 95 && ms < 450); /* a fresh 100 ms per interrupt: over 500 */
	close(fd[0]);
	close(fd[1]);
}

/* liar - a buf_op claiming to have moved more bytes than it was given */
static ssize_t liar(int fd, void *p, size_t n, void *ctx)
{
	(void)fd;
	(void)p;
	(void)ctx;
	return (ssize_t)n + 1;
}

static void t_liar(void)
{
	char space[16];
	buf b;
	char c;
	buf_init(&b, -1, space, sizeof space);
	buf_setop(&b, liar, 0);
	errno = 0;
	T_EQ_U(buf_getc(&b, &c), (unsigned long long)-1);
	T_EQ_U(errno, EIO);
	T_EQ_U(b.n, 0);
	T_OK(buf_puts(&b, "x"));
	errno = 0;
	T_OK(!buf_flush(&b));
	T_EQ_U(errno, EIO);
	T_EQ_U(b.n, 1);
}

/* late_writer - fork a child that writes s to fd after ms milliseconds */
static pid_t late_writer(int fd, const char *s, int ms)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec t = {0, (long)ms * 1000000};
		nanosleep(&t, 0);
		if (write(fd, s, strlen(s)) < 0)
			_exit(1);
		_exit(0);
	}
	return pid;
}

static void t_eagain(void)
{
	char space[16];
	char got[16];
	buf b;
	int sv[2];
	int status;
	pid_t pid;
	T_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	T_OK(fcntl(sv[0], F_SETFL, O_NONBLOCK) == 0);
	buf_init(&b, sv[0], space, sizeof space);
	/* no timeout: EAGAIN waits in poll until the data comes */
	pid = late_writer(sv[1], "late", 50);
	T_OK(pid > 0);
	T_EQ_U(buf_get(&b, got, sizeof got), 4);
	T_EQ_MEM(got, 4, "late", 4);
	T_OK(waitpid(pid, &status, 0) == pid && status == 0);
	/* with a timeout long enough */
	buf_settimeout(&b, 5000);
	pid = late_writer(sv[1], "later", 50);
	T_EQ_U(buf_get(&b, got, sizeof got), 5);
	T_EQ_MEM(got, 5, "later", 5);
	T_OK(waitpid(pid, &status, 0) == pid && status == 0);
	/* EOF when the peer shuts down */
	close(sv[1]);
	T_EQ_U(buf_get(&b, got, sizeof got), 0);
	close(sv[0]);
}

static void t_eof(void)
{
	char space[16];
	char got[16];
	char c = 0;
	buf b;
	int fd[2];
	T_OK(pipe(fd) == 0);
	T_EQ_U(write(fd[1], "abcd", 4), 4);
	close(fd[1]);
	buf_init(&b, fd[0], space, sizeof space);
	T_EQ_U(buf_getc(&b, &c), 1);
	T_EQ_U(c, 'a');
	T_EQ_U(buf_get(&b, got, 2), 2);
	T_EQ_MEM(got, 2, "bc", 2);
	T_EQ_U(buf_get(&b, got, sizeof got), 1);
	T_EQ_U(got[0], 'd');
	T_EQ_U(buf_get(&b, got, sizeof got), 0);
	T_EQ_U(buf_getc(&b, &c), 0);
	T_EQ_U(buf_feed(&b), 0);
	T_EQ_U(buf_get(&b, got, 0), 0);
	close(fd[0]);
	/* a closed descriptor is an error, not end of input */
	errno = 0;
	T_EQ_U(buf_getc(&b, &c), (unsigned long long)-1);
	T_EQ_U(errno, EBADF);
}

static void t_feed_peek(void)
{
	char space[8];
	char got[32];
	buf b;
	const char *p;
	size_t n;
	mem m = mem_src("0123456789abcdefghij", 20, SIZE_MAX);
	buf_init(&b, -1, space, sizeof space);
	buf_setop(&b, mem_read, &m);
	p = buf_peek(&b, &n);
	T_EQ_U(n, 0);
	T_EQ_U(buf_feed(&b), 8);
	p = buf_peek(&b, &n);
	T_EQ_MEM(p, n, "01234567", 8);
	buf_skip(&b, 3);
	T_EQ_U(buf_feed(&b), 5); /* no read while bytes are buffered */
	T_EQ_U(m.calls, 1);
	p = buf_peek(&b, &n);
	T_EQ_MEM(p, n, "34567", 5);
	buf_skip(&b, 99); /* clamped */
	p = buf_peek(&b, &n);
	T_EQ_U(n, 0);
	/* a large get with an empty buffer reads straight into the caller's memory */
	T_EQ_U(buf_get(&b, got, sizeof got), 12);
	T_EQ_MEM(got, 12, "89abcdefghij", 12);
	T_EQ_U(b.n, 0);
	T_EQ_U(buf_feed(&b), 0);
}

static void t_read_error(void)
{
	char space[8];
	char c;
	buf b;
	sa line = SA_ZERO;
	unsigned int fl;
	mem m = mem_src("abc\n", 4, SIZE_MAX);
	m.fail = 1;
	m.err = ECONNRESET;
	buf_init(&b, -1, space, sizeof space);
	buf_setop(&b, mem_read, &m);
	errno = 0;
	T_EQ_U(buf_getc(&b, &c), (unsigned long long)-1);
	T_EQ_U(errno, ECONNRESET);
	m.fail = 3;
	T_EQ_U(buf_getline(&b, &line, 100, '\n', &fl), 1);
	T_EQ_MEM(line.s, line.len, "abc\n", 4);
	T_EQ_U(buf_getline(&b, &line, 100, '\n', &fl), (unsigned long long)-1);
	T_EQ_U(errno, ECONNRESET);
	sa_free(&line);
}

/* a getline case: input, limit, terminator, and the transcript of every call */
typedef struct gl_case_s {
	const char *in;  /* input */
	size_t inlen;    /* its length */
	size_t max;      /* limit per line */
	char term;       /* line terminator */
	const char *out; /* each line, then <O> if overlong, <P> if partial, then |; EOF */
	size_t outlen;   /* its length */
} gl_case;
/* clang-format off */
#define GL(in, max, term, out) {in, sizeof in - 1, max, term, out, sizeof out - 1}
/* clang-format on */

static const gl_case gl_cases[] = {
	GL("", 100, '\n', "EOF"),
	GL("a\nbc\n", 100, '\n', "a\n|bc\n|EOF"),
	GL("\n\n", 100, '\n', "\n|\n|EOF"),
	GL("abc", 100, '\n', "abc<P>|EOF"),
	GL("a\nlast", 100, '\n', "a\n|last<P>|EOF"),
	GL("abc\n", 4, '\n', "abc\n|EOF"),
	GL("abcd\n", 4, '\n', "abcd<O>|EOF"),
	GL("abcdefgh\nxy\n", 4, '\n', "abcd<O>|xy\n|EOF"),
	GL("abcdefgh", 4, '\n', "abcd<O><P>|EOF"),
	GL("abcd", 4, '\n', "abcd<P>|EOF"),
	GL("x\n", 0, '\n', "<O>|EOF"),
	GL("one\0two\0", 100, '\0', "one\0|two\0|EOF"),
	GL("no\0nul\n", 100, '\n', "no\0nul\n|EOF"),
	GL("a\r\nb\n", 100, '\n', "a\r\n|b\n|EOF"),
	GL("0123456789012345678901234567890123456789\nok\n", 10, '\n', "0123456789<O>|ok\n|EOF"),
	GL("0123456789\n0123456789\n", 11, '\n', "0123456789\n|0123456789\n|EOF"),
	GL("0123456789\n0123456789", 11, '\n', "0123456789\n|0123456789<P>|EOF"),
};

/* gl_run - run buf_getline over c->in with a buffer of bsize and reads of chunk bytes */
static void gl_run(const gl_case *c, size_t bsize, size_t chunk)
{
	char space[4096];
	buf b;
	sa line = SA_ZERO;
	sa tr = SA_ZERO;
	unsigned int fl;
	int r, calls = 0;
	mem m = mem_src(c->in, c->inlen, chunk);
	buf_init(&b, -1, space, bsize);
	buf_setop(&b, mem_read, &m);
	while ((r = buf_getline(&b, &line, c->max, c->term, &fl)) == 1 && calls++ < 100) {
		sa_cat(&tr, &line);
		if (fl & BUF_OVERLONG)
			sa_cats(&tr, "<O>");
		if (fl & BUF_PARTIAL)
			sa_cats(&tr, "<P>");
		sa_catc(&tr, '|');
		line.len = 0;
	}
	if (r == 0)
		sa_cats(&tr, "EOF");
	T_EQ_MEM(tr.s, tr.len, c->out, c->outlen);
	sa_free(&line);
	sa_free(&tr);
}

static void t_getline_table(void)
{
	size_t i;
	for (i = 0; i < sizeof gl_cases / sizeof gl_cases[0]; ++i) {
		gl_run(&gl_cases[i], 4096, SIZE_MAX); /* fed whole */
		gl_run(&gl_cases[i], 4096, 1);        /* one byte at a time */
		gl_run(&gl_cases[i], 3, SIZE_MAX);    /* lines cross buffer refills */
	}
}

static void t_getline_append(void)
{
	char space[64];
	buf b;
	sa line = SA_ZERO;
	unsigned int fl = 99;
	mem m = mem_src("tail\n", 5, SIZE_MAX);
	buf_init(&b, -1, space, sizeof space);
	buf_setop(&b, mem_read, &m);
	sa_cats(&line, "head:");
	T_EQ_U(buf_getline(&b, &line, 3, '\n', &fl), 1);
	/* max limits what this call appends, not the whole line */
	T_EQ_MEM(line.s, line.len, "head:tai", 8);
	T_EQ_U(fl, BUF_OVERLONG);
	T_EQ_U(buf_getline(&b, &line, 3, '\n', &fl), 0);
	T_EQ_U(fl, 0);
	sa_free(&line);
}

/* huge_line - a line of n bytes of 'x', a newline, then "next\n" */
static void huge_line(sa *x, size_t n)
{
	x->len = 0;
	sa_ready(x, n + 6);
	memset(x->s, 'x', n);
	memcpy(x->s + n, "\nnext\n", 6);
	x->len = n + 6;
}

static void t_getline_huge(void)
{
	char space[4096];
	buf b;
	sa in = SA_ZERO;
	sa line = SA_ZERO;
	unsigned int fl;
	size_t chunk[2] = {SIZE_MAX, 1};
	size_t i;
	mem m;
	huge_line(&in, 5 << 20);
	for (i = 0; i < 2; ++i) {
		m = mem_src(in.s, in.len, chunk[i]);
		buf_init(&b, -1, space, sizeof space);
		buf_setop(&b, mem_read, &m);
		line.len = 0;
		T_EQ_U(buf_getline(&b, &line, 512, '\n', &fl), 1);
		T_EQ_U(fl, BUF_OVERLONG);
		T_EQ_U(line.len, 512);
		T_OK(line.a <= 1024); /* memory stayed bounded */
		line.len = 0;
		T_EQ_U(buf_getline(&b, &line, 512, '\n', &fl), 1);
		T_EQ_MEM(line.s, line.len, "next\n", 5);
		T_EQ_U(fl, 0);
		T_EQ_U(buf_getline(&b, &line, 512, '\n', &fl), 0);
	}
	sa_free(&in);
	sa_free(&line);
}

static void t_getline_pipe(void)
{
	char space[512];
	buf b;
	sa line = SA_ZERO;
	unsigned int fl;
	int fd[2];
	int status;
	pid_t pid;
	T_OK(pipe(fd) == 0);
	pid = fork();
	if (pid == 0) {
		sa in = SA_ZERO;
		char out[8192];
		buf w;
		close(fd[0]);
		huge_line(&in, 4 << 20);
		buf_init(&w, fd[1], out, sizeof out);
		_exit(buf_putsa(&w, &in) && buf_putflush(&w, "end", 3) ? 0 : 1);
	}
	close(fd[1]);
	buf_init(&b, fd[0], space, sizeof space);
	buf_settimeout(&b, 10000);
	T_EQ_U(buf_getline(&b, &line, 512, '\n', &fl), 1);
	T_EQ_U(fl, BUF_OVERLONG);
	T_OK(line.len == 512 && line.a <= 1024);
	line.len = 0;
	T_EQ_U(buf_getline(&b, &line, 512, '\n', &fl), 1);
	T_EQ_MEM(line.s, line.len, "next\n", 5);
	line.len = 0;
	T_EQ_U(buf_getline(&b, &line, 512, '\n', &fl), 1);
	T_EQ_MEM(line.s, line.len, "end", 3);
	T_EQ_U(fl, BUF_PARTIAL);
	T_EQ_U(buf_getline(&b, &line, 512, '\n', &fl), 0);
	T_OK(waitpid(pid, &status, 0) == pid && status == 0);
	close(fd[0]);
	sa_free(&line);
}

static void t_copy_files(void)
{
	char a[4096], c[4096], path[256];
	buf in, out;
	sa data = SA_ZERO, back = SA_ZERO;
	int fd, fd2;
	pattern(&data, (6 << 20) + 123);
	snprintf(path, sizeof path, "%s/src", t_tmpdir());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	T_OK(fd >= 0);
	buf_init(&out, fd, c, sizeof c);
	T_OK(buf_putsa(&out, &data) && buf_flush(&out));
	T_OK(lseek(fd, 0, SEEK_SET) == 0);
	snprintf(path, sizeof path, "%s/dst", t_tmpdir());
	fd2 = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	T_OK(fd2 >= 0);
	buf_init(&in, fd, a, sizeof a);
	buf_init(&out, fd2, c, 1000); /* buffers of different sizes */
	T_EQ_U(buf_copy(&out, &in), 1);
	T_OK(buf_flush(&out));
	T_OK(lseek(fd2, 0, SEEK_SET) == 0);
	drain(fd2, &back);
	T_EQ_U(back.len, data.len);
	T_OK(back.len == data.len && memcmp(back.s, data.s, data.len) == 0);
	close(fd);
	close(fd2);
	sa_free(&data);
	sa_free(&back);
}

static void t_copy_socket(void)
{
	char a[1024];
	char c[4096];
	buf in, out;
	sa data = SA_ZERO;
	mem m = mem_src("", 0, 777);
	int sv[2], status;
	pid_t pid;
	pattern(&data, 3 << 20);
	T_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	pid = fork();
	if (pid == 0) {
		buf w;
		char o[3000];
		close(sv[0]);
		buf_init(&w, sv[1], o, sizeof o);
		_exit(buf_putsa(&w, &data) && buf_flush(&w) ? 0 : 1);
	}
	close(sv[1]);
	buf_init(&in, sv[0], a, sizeof a);
	buf_settimeout(&in, 10000);
	buf_init(&out, -1, c, sizeof c);
	buf_setop(&out, mem_write, &m); /* short writes of 777 bytes */
	T_EQ_U(buf_copy(&out, &in), 1);
	T_OK(buf_flush(&out));
	T_EQ_U(m.out.len, data.len);
	T_OK(m.out.len == data.len && memcmp(m.out.s, data.s, data.len) == 0);
	T_OK(waitpid(pid, &status, 0) == pid && status == 0);
	close(sv[0]);
	sa_free(&data);
	sa_free(&m.out);
}

static void t_copy_errors(void)
{
	char a[8], c[8];
	buf in, out;
	mem r = mem_src("0123456789abcdef", 16, SIZE_MAX);
	mem w = mem_src("", 0, SIZE_MAX);
	buf_init(&in, -1, a, sizeof a);
	buf_setop(&in, mem_read, &r);
	buf_init(&out, -1, c, sizeof c);
	buf_setop(&out, mem_write, &w);
	r.fail = 2;
	r.err = EIO;
	errno = 0;
	T_EQ_U(buf_copy(&out, &in), (unsigned long long)-1);
	T_EQ_U(errno, EIO);
	r = mem_src("0123456789abcdef", 16, SIZE_MAX);
	w.fail = 1;
	w.err = ENOSPC;
	errno = 0;
	T_EQ_U(buf_copy(&out, &in), (unsigned long long)-2);
	T_EQ_U(errno, ENOSPC);
	sa_free(&w.out);
}

static void t_alloc(void)
{
	buf b;
	mem m = mem_src("", 0, SIZE_MAX);
	errno = 0;
	T_OK(!buf_alloc(&b, 1, 0));
	T_EQ_U(errno, EINVAL);
	errno = 0;
	T_OK(!buf_alloc(&b, 1, SIZE_MAX));
	T_EQ_U(errno, EINVAL);
	T_OK(buf_alloc(&b, -1, 100));
	T_EQ_U(b.size, 100);
	buf_setop(&b, mem_write, &m);
	T_OK(buf_puts(&b, "owned"));
	T_OK(buf_flush(&b));
	T_EQ_MEM(m.out.s, m.out.len, "owned", 5);
	buf_free(&b);
	T_OK(b.x == 0 && b.size == 0);
	sa_free(&m.out);
}

/* clang-format off */
const t_case t_cases[] = {
	T_CASE(t_put_pipe),
	T_CASE(t_putsa),
	T_CASE(t_put_bypass),
	T_CASE(t_short_writes),
	T_CASE(t_eintr),
	T_CASE(t_write_errors),
	T_CASE(t_epipe),
	T_CASE(t_put_huge),
	T_CASE(t_unbuffered),
	T_CASE(t_timeout_read),
	T_CASE(t_timeout_write),
	T_CASE(t_timeout_eintr),
	T_CASE(t_liar),
	T_CASE(t_eagain),
	T_CASE(t_eof),
	T_CASE(t_feed_peek),
	T_CASE(t_read_error),
	T_CASE(t_getline_table),
	T_CASE(t_getline_append),
	T_CASE(t_getline_huge),
	T_CASE(t_getline_pipe),
	T_CASE(t_copy_files),
	T_CASE(t_copy_socket),
	T_CASE(t_copy_errors),
	T_CASE(t_alloc),
	T_END,
};
/* clang-format on */
