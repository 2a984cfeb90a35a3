/* nsread.c - netstring events through a buf: payload pieces, errors that stick,
 * end of input before and inside a netstring, and the connection deadline. Input
 * comes from a pipe, written whole before reading or one byte per buffer fill. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "nsread.h"
#include "tm.h"

/* collect - read one netstring of s (fed through a buf of bufsize bytes); the event
 * that stopped it, payload in out, errno in *e */
static int collect(const char *s, size_t n, size_t bufsize, size_t limit, sa *out, int *e, int *eof)
{
	int fd[2], ev;
	char space[64];
	buf in;
	nsread r;
	ns p;
	const char *piece;
	size_t len;
	if (pipe(fd) == -1)
		return -2;
	if (n && write(fd[1], s, n) != (ssize_t)n)
		return -2;
	close(fd[1]);
	buf_init(&in, fd[0], space, bufsize);
	nsread_init(&r, &in, tm_mono_ms() + 5000);
	ns_init(&p, limit);
	out->len = 0;
	*e = 0;
	while ((ev = nsread_next(&r, &p, &piece, &len)) == NS_LEN || ev == NS_DATA)
		if (ev == NS_DATA)
			sa_catb(out, piece, len);
	if (ev == NS_ERROR)
		*e = errno;
	*eof = r.eof;
	close(fd[0]);
	return ev;
}

static const struct {
	const char *in; /* input */
	size_t limit;   /* parser limit */
	int ev;         /* last event */
	const char *payload;
	int err; /* errno when ev is NS_ERROR */
	int eof; /* r.eof */
} cases[] = {
	{"0:,", 10, NS_END, "", 0, 0},
	{"5:hello,", 10, NS_END, "hello", 0, 0},
	{"5:hello,rest", 10, NS_END, "hello", 0, 0},
	{"10:0123456789,", 10, NS_END, "0123456789", 0, 0},
	{"11:01234567890,", 10, NS_ERROR, "", EMSGSIZE, 0},
	{"99999999999999999999999:", (size_t)-1, NS_ERROR, "", EMSGSIZE, 0},
	{"01:x,", 10, NS_ERROR, "", EPROTO, 0},
	{"+1:x,", 10, NS_ERROR, "", EPROTO, 0},
	{"-1:x,", 10, NS_ERROR, "", EPROTO, 0},
	{" 1:x,", 10, NS_ERROR, "", EPROTO, 0},
	{":x,", 10, NS_ERROR, "", EPROTO, 0},
	{"1:x;", 10, NS_ERROR, "x", EPROTO, 0},
	{"1:xy", 10, NS_ERROR, "x", EPROTO, 0},
	{"", 10, NS_ERROR, "", EPIPE, 1},
	{"3", 10, NS_ERROR, "", EPIPE, 0},
	{"3:ab", 10, NS_ERROR, "ab", EPIPE, 0},
	{"3:abc", 10, NS_ERROR, "abc", EPIPE, 0},
};

static void t_table(void)
{
	size_t i, sizes[] = {1, 2, 64};
	size_t k;
	sa out = SA_ZERO;
	for (k = 0; k < 3; ++k)
		for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
			int e = 0, eof = 0;
			int ev = collect(cases[i].in, strlen(cases[i].in), sizes[k], cases[i].limit,
					 &out, &e, &eof);
			if (!T_EQ_U(ev, cases[i].ev) ||
			    !T_EQ_MEM(out.s, out.len, cases[i].payload, strlen(cases[i].payload)) ||
			    !T_EQ_U(e, cases[i].err) || !T_EQ_U(eof, cases[i].eof))
				printf("    case \"%s\" buffer %zu\n", cases[i].in, sizes[k]);
		}
	sa_free(&out);
}

static void t_deadline(void)
{
	int fd[2];
	char space[16];
	buf in;
	nsread r;
	ns p;
	const char *piece;
	size_t len;
	uint64_t t0;
	T_OK(pipe(fd) == 0);
	T_OK(write(fd[1], "5:ab", 4) == 4);
	buf_init(&in, fd[0], space, sizeof space);
	t0 = tm_mono_ms();
	nsread_init(&r, &in, t0 + 200);
	ns_init(&p, 10);
	T_EQ_U(nsread_next(&r, &p, &piece, &len), NS_LEN);
	T_EQ_U(nsread_next(&r, &p, &piece, &len), NS_DATA);
	T_EQ_U(nsread_next(&r, &p, &piece, &len), NS_ERROR);
	T_EQ_U(errno, ETIMEDOUT);
	T_OK(tm_mono_ms() - t0 >= 190);
	T_OK(tm_mono_ms() - t0 < 3000);
	r.deadline = 0;
	T_EQ_U(nsread_left(&r), 1);
	close(fd[0]);
	close(fd[1]);
}

const t_case t_cases[] = {T_CASE(t_table), T_CASE(t_deadline), T_END};
