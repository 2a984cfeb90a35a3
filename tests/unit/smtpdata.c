/* smtpdata.c - tests for the DATA encoder: tables fed whole and byte by byte */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "smtpdata.h"

static const struct {
	const char *in;  /* the message */
	const char *out; /* what goes on the wire, final dot included; 0: partial line */
	unsigned size;   /* RFC 1870 size */
	int eightbit;    /* 8-bit content */
} cases[] = {
	{"", ".\r\n", 0, 0},
	{"\n", "\r\n.\r\n", 2, 0},
	{"a\n", "a\r\n.\r\n", 3, 0},
	{"a\nb\n", "a\r\nb\r\n.\r\n", 6, 0},
	{"a\r\nb\r\n", "a\r\nb\r\n.\r\n", 6, 0},
	{".\n", "..\r\n.\r\n", 3, 0},
	{"..\n", "...\r\n.\r\n", 4, 0},
	{"a\n.\nb\n", "a\r\n..\r\nb\r\n.\r\n", 9, 0},
	{"a\r\n.\r\n", "a\r\n..\r\n.\r\n", 6, 0},
	{"x.\n. .\n", "x.\r\n.. .\r\n.\r\n", 9, 0},
	/* a bare CR ends a line: CRLF, and the next line may need a dot */
	{"a\rb\n", "a\r\nb\r\n.\r\n", 6, 0},
	{"a\r.b\n", "a\r\n..b\r\n.\r\n", 7, 0},
	{"a\r\r\n", "a\r\n\r\n.\r\n", 5, 0},
	{"\r\n", "\r\n.\r\n", 2, 0},
	{"\r\r\n\n", "\r\n\r\n\r\n.\r\n", 6, 0},
	{"a\n\rb\n", "a\r\n\r\nb\r\n.\r\n", 8, 0},
	/* 8-bit bytes and NULs pass as they are */
	{"caf\xc3\xa9\n", "caf\xc3\xa9\r\n.\r\n", 7, 1},
	{"\x80\n", "\x80\r\n.\r\n", 3, 1},
	{"\x7f\t\n", "\x7f\t\r\n.\r\n", 4, 0},
	/* a message that does not end with LF */
	{"a", 0, 1, 0},
	{"a\nb", 0, 4, 0},
	{"a\r", 0, 1, 0},
	{".", 0, 1, 0},
};

/* encode - run the encoder over in, step bytes per call; 1 and out filled, 0 with
 * errno from smtpdata_end */
static int encode(const char *in, size_t n, size_t step, sa *out, smtpdata *d)
{
	size_t i = 0;
	out->len = 0;
	while (i < n) {
		size_t k = n - i < step ? n - i : step;
		if (!smtpdata_put(d, out, in + i, k))
			return -1;
		i += k;
	}
	return smtpdata_end(d, out);
}

static void t_table(void)
{
	size_t i, step;
	for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
		size_t n = strlen(cases[i].in);
		for (step = 1; step <= n + 1; ++step) {
			smtpdata d = SMTPDATA_ZERO;
			sa out = SA_ZERO;
			size_t before;
			int r;
			errno = 0;
			r = encode(cases[i].in, n, step, &out, &d);
			if (cases[i].out) {
				T_EQ_U(r, 1);
				T_EQ_MEM(out.s, out.len, cases[i].out, strlen(cases[i].out));
			} else {
				T_EQ_U(r, 0);
				T_EQ_U(errno, EPROTO);
				before = out.len;
				T_EQ_U(smtpdata_end(&d, &out), 0);
				T_EQ_U(out.len, before); /* nothing appended */
			}
			T_EQ_U(d.size, cases[i].size);
			T_EQ_U(d.eightbit, cases[i].eightbit);
			sa_free(&out);
		}
	}
}

/* t_wire - whatever the input, the output never has a lone CR or LF, and every line
 * that starts with a dot has a stuffed one */
static void t_wire(void)
{
	static const char alphabet[] = {'a', '.', '\r', '\n', 0, '\xff'};
	char in[8];
	unsigned long k, combos = 1;
	size_t i, len = sizeof in, bad = 0, tried = 0;
	for (i = 0; i < len; ++i)
		combos *= sizeof alphabet;
	for (k = 0; k < combos; k += 7) {
		smtpdata d = SMTPDATA_ZERO;
		sa out = SA_ZERO;
		unsigned long v = k;
		size_t j, lone = 0, stuffed = 0, dots = 0;
		for (i = 0; i < len; ++i) {
			in[i] = alphabet[v % sizeof alphabet];
			v /= sizeof alphabet;
		}
		in[len - 1] = '\n';
		if (encode(in, len, 3, &out, &d) != 1)
			++bad;
		for (j = 0; j < out.len; ++j) {
			if (out.s[j] == '\r' && (j + 1 == out.len || out.s[j + 1] != '\n'))
				++lone;
			if (out.s[j] == '\n' && (j == 0 || out.s[j - 1] != '\r'))
				++lone;
			if ((j == 0 || out.s[j - 1] == '\n') && out.s[j] == '.') {
				++dots;
				if (j + 1 < out.len && out.s[j + 1] == '.')
					++stuffed;
			}
		}
		/* every line with a leading dot is stuffed, except the final "." line */
		if (lone || stuffed + 1 != dots)
			++bad;
		++tried;
		sa_free(&out);
	}
	T_EQ_U(bad, 0);
	T_EQ_U(tried, (combos + 6) / 7);
}

const t_case t_cases[] = {
	T_CASE(t_table),
	T_CASE(t_wire),
	T_END,
};
