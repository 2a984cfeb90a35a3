/* qmtpreply.c - tests for the QMTP reply reader: tables fed whole and byte by byte */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "qmtpreply.h"
#include "sa.h"

/* feed - qmtpreply_feed for t_pieces */
static int feed(void *st, const char *s, size_t n, size_t *used)
{
	return qmtpreply_feed(st, s, n, used);
}

static const struct {
	const char *in;   /* input (NUL-free unless len is given) */
	size_t len;       /* 0: strlen(in) */
	int result;       /* 1 complete, 0 incomplete, -1 error */
	size_t used;      /* bytes consumed when complete */
	const char *text; /* the reply when complete */
	int err;          /* errno when -1 */
} cases[] = {
	{"1:K,", 0, 1, 4, "K", 0},
	{"3:Kok,", 0, 1, 6, "Kok", 0},
	{"20:Kok 1764412800 qp 42,", 0, 1, 24, "Kok 1764412800 qp 42", 0},
	{"1:Z,", 0, 1, 4, "Z", 0},
	{"1:D,", 0, 1, 4, "D", 0},
	{"8:Dno such,", 0, 1, 11, "Dno such", 0},
	{"5:Zbusy,2:Kx,", 0, 1, 8, "Zbusy", 0},
	{"4:Ka\nb,", 0, 1, 7, "Ka\nb", 0},
	{"4:Ka:,,", 0, 1, 7, "Ka:,", 0},
	{"3:Kok", 0, 0, 0, 0, 0},
	{"3:Kok,", 5, 0, 0, 0, 0},
	{"3", 0, 0, 0, 0, 0},
	{"", 0, 0, 0, 0, 0},
	{"0:,", 0, -1, 0, 0, EPROTO},
	{"1:X,", 0, -1, 0, 0, EPROTO},
	{"1:k,", 0, -1, 0, 0, EPROTO},
	{"3:K\0x,", 6, -1, 0, 0, EPROTO},
	{"2:K\0,", 5, -1, 0, 0, EPROTO},
	{"3:Kok;", 0, -1, 0, 0, EPROTO},
	{"3:Ko,", 0, 0, 0, 0, 0},
	{"3:Ko,x", 0, -1, 0, 0, EPROTO},
	{"03:Kok,", 0, -1, 0, 0, EPROTO},
	{" 3:Kok,", 0, -1, 0, 0, EPROTO},
	{"3 :Kok,", 0, -1, 0, 0, EPROTO},
	{"+3:Kok,", 0, -1, 0, 0, EPROTO},
	{"-3:Kok,", 0, -1, 0, 0, EPROTO},
	{":Kok,", 0, -1, 0, 0, EPROTO},
	{"3;Kok,", 0, -1, 0, 0, EPROTO},
	{"Kok\r\n", 0, -1, 0, 0, EPROTO},
	{"220 smtp server\r\n", 0, -1, 0, 0, EPROTO},
	{"4097:K", 0, -1, 0, 0, EMSGSIZE},
	{"99999999999999999999999999:K", 0, -1, 0, 0, EMSGSIZE},
	{"18446744073709551616:", 0, -1, 0, 0, EMSGSIZE},
};

/* t_table - every case, whole, byte by byte, and in pieces of 3 */
static void t_table(void)
{
	static const size_t steps[] = {SIZE_MAX, 1, 3};
	size_t i, k;
	for (i = 0; i < sizeof cases / sizeof cases[0]; ++i)
		for (k = 0; k < sizeof steps / sizeof steps[0]; ++k) {
			qmtpreply q = QMTPREPLY_ZERO;
			size_t n = cases[i].len ? cases[i].len : strlen(cases[i].in), used;
			int x;
			qmtpreply_init(&q);
			errno = 0;
			x = t_pieces(feed, &q, cases[i].in, n, steps[k], &used);
			if (!T_EQ_U((unsigned)(x + 2), (unsigned)(cases[i].result + 2)))
				t_eq_s(cases[i].in, "", __FILE__, __LINE__, "input");
			if (x == 1) {
				T_EQ_U(used, cases[i].used);
				T_EQ_MEM(q.text.s, q.text.len, cases[i].text,
					 strlen(cases[i].text));
			}
			if (x == -1) {
				T_EQ_U(errno, cases[i].err);
				T_EQ_U(q.err, cases[i].err);
			}
			qmtpreply_free(&q);
		}
}

/* t_sequence - several replies in one buffer, read one after another, and a reader
 * that is reused for a second connection */
static void t_sequence(void)
{
	static const char in[] = "3:Kok,13:Zdisk is full,18:Dno mailbox there.,";
	static const char *want[] = {"Kok", "Zdisk is full", "Dno mailbox there."};
	qmtpreply q = QMTPREPLY_ZERO;
	size_t off = 0, used, i;
	qmtpreply_init(&q);
	for (i = 0; i < 3; ++i) {
		T_EQ_U(t_pieces(feed, &q, in + off, sizeof in - 1 - off, SIZE_MAX, &used), 1);
		T_EQ_MEM(q.text.s, q.text.len, want[i], strlen(want[i]));
		off += used;
	}
	T_EQ_U(off, sizeof in - 1);
	/* byte by byte: the same three */
	qmtpreply_init(&q);
	for (off = 0, i = 0; i < 3; ++i) {
		T_EQ_U(t_pieces(feed, &q, in + off, sizeof in - 1 - off, 1, &used), 1);
		T_EQ_MEM(q.text.s, q.text.len, want[i], strlen(want[i]));
		off += used;
	}
	T_EQ_U(t_pieces(feed, &q, "", 0, 1, &used), 0);
	qmtpreply_free(&q);
}

/* t_limit - a reply of exactly QMTPREPLY_MAX bytes passes, one more fails before any
 * payload is read */
static void t_limit(void)
{
	sa in = SA_ZERO;
	qmtpreply q = QMTPREPLY_ZERO;
	size_t used, i;
	T_OK(sa_cats(&in, "4096:K"));
	for (i = 1; i < QMTPREPLY_MAX; ++i)
		T_OK(sa_catc(&in, 'x'));
	T_OK(sa_catc(&in, ','));
	qmtpreply_init(&q);
	T_EQ_U(t_pieces(feed, &q, in.s, in.len, SIZE_MAX, &used), 1);
	T_EQ_U(q.text.len, QMTPREPLY_MAX);
	T_EQ_U(used, in.len);
	qmtpreply_init(&q);
	T_EQ_U(t_pieces(feed, &q, "4097:", 5, 1, &used), -1);
	T_EQ_U(errno, EMSGSIZE);
	T_EQ_U(used, 3); /* the fourth digit made it too long */
	qmtpreply_free(&q);
	sa_free(&in);
}

/* t_sticky - after an error every feed fails the same way, even with good input */
static void t_sticky(void)
{
	qmtpreply q = QMTPREPLY_ZERO;
	size_t used;
	qmtpreply_init(&q);
	T_EQ_U(t_pieces(feed, &q, "1:Q,", 4, SIZE_MAX, &used), -1);
	errno = 0;
	T_OK(qmtpreply_feed(&q, "1:K,", 4, &used) == -1);
	T_EQ_U(errno, EPROTO);
	T_EQ_U(used, 0);
	qmtpreply_init(&q);
	T_EQ_U(t_pieces(feed, &q, "1:K,", 4, SIZE_MAX, &used), 1);
	qmtpreply_free(&q);
}

const t_case t_cases[] = {
	T_CASE(t_table), T_CASE(t_sequence), T_CASE(t_limit), T_CASE(t_sticky), T_END,
};
