/*
 * bounce.c - tests for the failure notice: status code and remote reply extraction
 * (tables), QSBMF paragraphs written and read back (whole and one byte at a time),
 * whole notices compared byte for byte, the boundary search against originals built
 * to collide with it, and errors. With BOUNCE_SAMPLES=DIR in the environment it
 * also leaves sample notices there for tests/sys/bounce.py to parse with Python.
 */
#include "bounce.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "str.h"

/* T_EQ_SA - an sa holds exactly the string literal lit */
#define T_EQ_SA(x, lit) T_EQ_MEM((x).s, (x).len, lit, sizeof lit - 1)

/* ---- status codes ---- */

typedef struct code_case_s {
	const char *text; /* a report text */
	int found;        /* bounce_code's result */
	unsigned int cls; /* the code when found */
	unsigned int sub;
	unsigned int det;
} code_case;

static const code_case codes[] = {
	{"Sorry, no mailbox here by that name. (#5.1.1)\n", 1, 5, 1, 1},
	{"", 0, 0, 0, 0},
	{"no code at all\n", 0, 0, 0, 0},
	{"(#5.1.1", 0, 0, 0, 0},
	{"(#5.1.1)(#4.2.2)", 1, 4, 2, 2},
	{"(#4.2.2) and then (#bad)", 1, 4, 2, 2},
	{"(#6.1.1)", 0, 0, 0, 0},
	{"(#3.1.1)", 0, 0, 0, 0},
	{"(#55.1.1)", 0, 0, 0, 0},
	{"(#5.1000.1)", 0, 0, 0, 0},
	{"(#5.1.1000)", 0, 0, 0, 0},
	{"(#5..1)", 0, 0, 0, 0},
	{"(#5.1.)", 0, 0, 0, 0},
	{"(#5.1.1x)", 0, 0, 0, 0},
	{"( #5.1.1)", 0, 0, 0, 0},
	{"(# 5.1.1)", 0, 0, 0, 0},
	{"(#5.1.1 )", 0, 0, 0, 0},
	{"(#.1.1)", 0, 0, 0, 0},
	{"(#", 0, 0, 0, 0},
	{"(", 0, 0, 0, 0},
	{"(#5.999.999)", 1, 5, 999, 999},
	{"(#5.01.001)", 1, 5, 1, 1},
	{"(#2.0.0)", 1, 2, 0, 0},
	{"((#5.7.1))", 1, 5, 7, 1},
	{"x (#4.4.1)\nThis message has been in the queue too long.\n", 1, 4, 4, 1},
	{"Remote host said: 550 5.1.1 no\n", 0, 0, 0, 0},
};

/* t_code - the table, and every prefix of a text finds a code only once it is whole */
static void t_code(void)
{
	size_t i, k;
	const char *s = "oops (#5.2.1)";
	for (i = 0; i < sizeof codes / sizeof codes[0]; ++i) {
		bounce_st st = {9, 9, 9};
		int r = bounce_code(codes[i].text, strlen(codes[i].text), &st);
		if (!T_EQ_U(r, codes[i].found))
			printf("    text: %s\n", codes[i].text);
		if (r) {
			T_EQ_U(st.cls, codes[i].cls);
			T_EQ_U(st.sub, codes[i].sub);
			T_EQ_U(st.det, codes[i].det);
		} else {
			T_EQ_U(st.cls, 9); /* untouched */
		}
	}
	for (k = 0; k <= strlen(s); ++k) {
		bounce_st st;
		T_EQ_U(bounce_code(s, k, &st), k == strlen(s));
	}
	T_EQ_U(bounce_code(0, 0, 0), 0);
}

typedef struct reply_case_s {
	const char *text;  /* a report text */
	int found;         /* bounce_reply's result */
	unsigned int code; /* the reply code */
	const char *st;    /* its enhanced code, "" if none */
} reply_case;

static const reply_case replies[] = {
	{"Remote host said: 550 5.1.1 <x@y>... User unknown\n", 1, 550, "5.1.1"},
	{"Remote host said: 550 sorry\n", 1, 550, ""},
	{"Remote host said: 550-5.7.1 first\n550 5.7.1 second\n", 1, 550, "5.7.1"},
	{"Remote host said: 421", 1, 421, ""},
	{"Remote host said: 421\nmore\n", 1, 421, ""},
	{"Remote host said: 452 4.2.2 full", 1, 452, "4.2.2"},
	{"Remote host said: 550 5.1.1\r\n", 1, 550, "5.1.1"},
	{"Remote host said: 550 5.1.1x bad code\n", 1, 550, ""},
	{"Remote host said: 550 6.1.1 bad class\n", 1, 550, ""},
	{"Remote host said: 550 5.1\n", 1, 550, ""},
	{"Remote host said: abc\n", 0, 0, ""},
	{"Remote host said: 5500 x\n", 0, 0, ""},
	{"Remote host said: 55 x\n", 0, 0, ""},
	{"Remote host said: ", 0, 0, ""},
	{"Remote host said:550 x", 0, 0, ""},
	{"remote host said: 550 x", 0, 0, ""},
	{"no reply here", 0, 0, ""},
	{"", 0, 0, ""},
	{"Remote host said: 451 4.3.0 first\nRemote host said: 554 5.7.1 last\n", 1, 554, "5.7.1"},
	{"Remote host said: 554 5.7.1 first\nRemote host said: junk\n", 0, 0, ""},
};

/* t_reply - the table */
static void t_reply(void)
{
	size_t i;
	for (i = 0; i < sizeof replies / sizeof replies[0]; ++i) {
		const reply_case *c = replies + i;
		unsigned int code = 0;
		bounce_st st;
		char got[32];
		int r = bounce_reply(c->text, strlen(c->text), &code, &st);
		if (!T_EQ_U(r, c->found))
			printf("    text: %s\n", c->text);
		if (!r)
			continue;
		T_EQ_U(code, c->code);
		if (st.cls)
			snprintf(got, sizeof got, "%u.%u.%u", st.cls, st.sub, st.det);
		else
			got[0] = 0;
		T_EQ_S(got, c->st);
	}
}

typedef struct status_case_s {
	const char *text;   /* a report text */
	const char *status; /* bounce_status's result */
} status_case;

static const status_case statuses[] = {
	{"Sorry, no mailbox here by that name. (#5.1.1)\n", "5.1.1"},
	{"", "5.0.0"},
	{"no code\n", "5.0.0"},
	{"Unable to connect. (#4.4.1)\n" BOUNCE_TOOLONG "\n", "5.4.1"},
	{"(#4.3.0)", "5.3.0"},
	{"(#2.0.0)", "5.0.0"},
	{"(#2.1.5)", "5.1.5"},
	{"(#5.999.999)", "5.999.999"},
	{"does not like recipient.\nRemote host said: 550 5.1.2 no\nGiving up.\n", "5.1.2"},
	{"Remote host said: 550 5.1.2 no\nGiving up. (#5.0.0)\n", "5.1.2"},
	{"Remote host said: 550 5.1.2 no\nGiving up. (#5.7.1)\n", "5.7.1"},
	{"Remote host said: 550 no such user\n", "5.0.0"},
	{"Remote host said: 550 no such user\n(#5.0.0)", "5.0.0"},
	{"Remote host said: 452 4.2.2 mailbox full\n", "5.2.2"},
	{"Remote host said: 550 5.1.1 a\nRemote host said: 554 5.7.1 b\n", "5.7.1"},
};

/* t_status - the table; the length returned is the string's */
static void t_status(void)
{
	size_t i;
	for (i = 0; i < sizeof statuses / sizeof statuses[0]; ++i) {
		char out[BOUNCE_STATUSLEN];
		size_t n;
		memset(out, 'x', sizeof out);
		n = bounce_status(out, statuses[i].text, strlen(statuses[i].text));
		if (!T_EQ_S(out, statuses[i].status))
			printf("    text: %s\n", statuses[i].text);
		T_EQ_U(n, strlen(statuses[i].status));
	}
}

typedef struct diag_case_s {
	const char *text; /* a report text */
	int found;        /* bounce_diag's result */
	const char *diag; /* what it copies */
} diag_case;

static const diag_case diags[] = {
	{"192.0.2.1 does not like recipient.\nRemote host said: 550 5.1.1 unknown\n"
	 "Giving up on 192.0.2.1.\n",
	 1, "550 5.1.1 unknown"},
	{"Remote host said: 550-first\n550-second\n550 third\nGiving up\n", 1,
	 "550-first\n550-second\n550 third"},
	{"Remote host said: 554 no\r\n", 1, "554 no"},
	{"Remote host said: 554 no\r\n554 more\r\n", 1, "554 no\n554 more"},
	{"Remote host said: 550 a\tb\001c\377d\n", 1, "550 a b_c_d"},
	{"Remote host said: 421", 1, "421"},
	{"Remote host said: 550 x\n\n550 not a continuation\n", 1, "550 x"},
	{"no reply", 0, ""},
	{"Remote host said: ", 0, ""},
	{"Remote host said: hello\n", 0, ""},
	{"", 0, ""},
};

/* t_diag - the table, and a long reply is cut at BOUNCE_DIAGMAX */
static void t_diag(void)
{
	int ok;
	sa out = SA_ZERO, t = SA_ZERO;
	size_t i;
	for (i = 0; i < sizeof diags / sizeof diags[0]; ++i) {
		const diag_case *c = diags + i;
		T_OK(sa_copys(&out, "stale"));
		T_EQ_U(bounce_diag(&out, c->text, strlen(c->text)), c->found);
		if (!T_EQ_MEM(out.s, out.len, c->diag, strlen(c->diag)))
			printf("    text: %s\n", c->text);
	}
	T_OK(sa_copys(&t, "Remote host said: 550 "));
	ok = 1;
	for (i = 0; i < 5000; ++i)
		ok &= sa_catc(&t, 'a' + (char)(i % 26));
	T_OK(ok);
	T_EQ_U(bounce_diag(&out, t.s, t.len), 1);
	T_EQ_U(out.len, BOUNCE_DIAGMAX);
	T_EQ_MEM(out.s, 6, "550 ab", 6);
	/* many continuation lines stop at the bound too */
	T_OK(sa_copys(&t, "Remote host said: 550-x\n"));
	ok = 1;
	for (i = 0; i < 1000; ++i)
		ok &= sa_cats(&t, "550-more text\n");
	T_OK(ok);
	T_EQ_U(bounce_diag(&out, t.s, t.len), 1);
	T_OK(out.len <= BOUNCE_DIAGMAX);
	T_OK(out.len > BOUNCE_DIAGMAX - 20);
	T_OK(out.s[out.len - 1] != '\n');
	sa_free(&out);
	sa_free(&t);
}

/* ---- paragraphs ---- */

/* t_para - the bounce/ID paragraph layout */
static void t_para(void)
{
	int ok;
	sa out = SA_ZERO, t = SA_ZERO;
	size_t i;
	T_OK(bounce_para(&out, "a@b", "line1\n\nline3\n", 13));
	T_EQ_MEM(out.s, out.len, "<a@b>:\nline1\n/\nline3\n\n",
		 strlen("<a@b>:\nline1\n/\nline3\n\n"));
	out.len = 0;
	T_OK(bounce_para(&out, "a\nb@c", "x", 1));
	T_EQ_SA(out, "<a_b@c>:\nx\n\n");
	out.len = 0;
	T_OK(bounce_para(&out, "a@b", "", 0));
	T_EQ_SA(out, "<a@b>:\n\n");
	out.len = 0;
	T_OK(bounce_para(&out, "a@b", "\n\n", 2));
	T_EQ_SA(out, "<a@b>:\n/\n/\n\n");
	out.len = 0;
	T_OK(bounce_para(&out, "", "\nx\n\n\ny", 6));
	T_EQ_SA(out, "<>:\n/\nx\n/\n/\ny\n\n");
	/* it appends */
	T_OK(bounce_para(&out, "c@d", "z\n", 2));
	T_EQ_MEM(out.s, out.len, "<>:\n/\nx\n/\n/\ny\n\n<c@d>:\nz\n\n",
		 strlen("<>:\n/\nx\n/\n/\ny\n\n<c@d>:\nz\n\n"));
	/* bounded address and text */
	ok = 1;
	for (i = 0; i < BOUNCE_TEXTMAX + 100; ++i)
		ok &= sa_catc(&t, i % 80 == 79 ? '\n' : 'x');
	T_OK(ok);
	T_OK(sa_0(&t));
	out.len = 0;
	T_OK(bounce_para(&out, t.s, t.s, t.len - 1));
	T_EQ_U(out.len, 1 + BOUNCE_ADDRMAX + 3 + BOUNCE_TEXTMAX + 1 + 1);
	sa_free(&out);
	sa_free(&t);
}

typedef struct mem_s {
	const char *s; /* the input */
	size_t n;      /* its length */
	size_t at;     /* bytes already read */
	size_t step;   /* most bytes per read; 0 unlimited */
	int fail;      /* 1: fail with EIO once the input is read */
} mem;

/* mem_read - a buf_op reading from memory, step bytes at a time */
static ssize_t mem_read(int fd, void *p, size_t n, void *ctx)
{
	mem *m = ctx;
	(void)fd;
	if (m->at == m->n && m->fail) {
		errno = EIO;
		return -1;
	}
	if (m->step && n > m->step)
		n = m->step;
	if (n > m->n - m->at)
		n = m->n - m->at;
	memcpy(p, m->s + m->at, n);
	m->at += n;
	return (ssize_t)n;
}

/* read_all - parse every paragraph of s, appending "ADDR|TEXT#" per paragraph to
 * got; returns the last bounce_para_get result */
static int read_all(const char *s, size_t n, size_t step, sa *got)
{
	char space[64];
	mem m = {s, n, 0, step, 0};
	buf b;
	sa addr = SA_ZERO, text = SA_ZERO;
	int r;
	buf_init(&b, -1, space, sizeof space);
	buf_setop(&b, mem_read, &m);
	got->len = 0;
	while ((r = bounce_para_get(&b, &addr, &text)) == 1)
		if (!sa_cat(got, &addr) || !sa_catc(got, '|') || !sa_cat(got, &text) ||
		    !sa_catc(got, '#'))
			return -1;
	sa_free(&addr);
	sa_free(&text);
	return r;
}

typedef struct get_case_s {
	const char *in;  /* a bounce/ID file */
	const char *got; /* its paragraphs as read_all shows them */
} get_case;

static const get_case gets[] = {
	{"<a@b>:\nline1\n/\nline3\n\n<c@d>:\nz\n\n", "a@b|line1\n/\nline3\n#c@d|z\n#"},
	{"", ""},
	{"\n\n\n", ""},
	{"\n\n<a@b>:\nx\n\n\n\n<c@d>:\ny\n\n", "a@b|x\n#c@d|y\n#"},
	{"<a@b>:\nx\n", "a@b|x\n#"},
	{"<a@b>:\nx", "a@b|x\n#"},
	{"<a@b>:", "a@b|#"},
	{"<a@b>:\n\n", "a@b|#"},
	{"plain line\ntext\n\n", "plain line|text\n#"},
	{"<>:\n/\n\n", "|/\n#"},
	{"<<a>>:\nt\n\n", "<a>|t\n#"},
	{"<a@b>\nt\n\n", "<a@b>|t\n#"},
	{">:\nt\n\n", ">:|t\n#"},
};

/* t_para_get - the table, fed whole and one byte at a time */
static void t_para_get(void)
{
	sa got = SA_ZERO;
	size_t i, step;
	for (i = 0; i < sizeof gets / sizeof gets[0]; ++i)
		for (step = 0; step < 3; ++step) {
			T_EQ_U(read_all(gets[i].in, strlen(gets[i].in), step, &got), 0);
			if (!T_EQ_MEM(got.s, got.len, gets[i].got, strlen(gets[i].got)))
				printf("    input: %s\n", gets[i].in);
		}
	sa_free(&got);
}

/* t_para_bounds - long addresses and texts are cut, the next paragraph survives */
static void t_para_bounds(void)
{
	int ok;
	sa in = SA_ZERO, addr = SA_ZERO, text = SA_ZERO, t = SA_ZERO;
	char space[512];
	size_t i, step;
	T_OK(sa_catc(&in, '<'));
	ok = 1;
	for (i = 0; i < BOUNCE_ADDRMAX + 500; ++i)
		ok &= sa_catc(&in, 'a');
	T_OK(ok);
	T_OK(sa_cats(&in, ">:\n"));
	ok = 1;
	for (i = 0; i < BOUNCE_TEXTMAX * 3; ++i)
		ok &= sa_catc(&in, i % 100 == 99 ? '\n' : 'x');
	T_OK(ok);
	T_OK(sa_cats(&in, "\n\n<next@host>:\nshort\n\n<huge@line>:\n"));
	ok = 1;
	for (i = 0; i < BOUNCE_TEXTMAX * 2; ++i)
		ok &= sa_catc(&in, 'y');
	T_OK(ok);
	T_OK(sa_cats(&in, "\n\n"));
	for (step = 0; step < 2; ++step) {
		mem m = {in.s, in.len, 0, step ? 1 : 0, 0};
		buf b;
		buf_init(&b, -1, space, sizeof space);
		buf_setop(&b, mem_read, &m);
		T_EQ_U(bounce_para_get(&b, &addr, &text), 1);
		T_EQ_U(addr.len, BOUNCE_ADDRMAX);
		T_OK(addr.s[0] == 'a' && addr.s[addr.len - 1] == 'a');
		T_OK(text.len <= BOUNCE_TEXTMAX + 64);
		T_OK(text.len >= BOUNCE_TEXTMAX);
		T_OK(text.s[text.len - 1] == '\n');
		T_OK(sa_copyb(&t, text.s + BOUNCE_TEXTMAX - 99, text.len - BOUNCE_TEXTMAX + 99));
		T_OK(sa_0(&t));
		T_OK(strstr(t.s, "[the rest of this report was cut]\n") != 0);
		T_EQ_U(bounce_para_get(&b, &addr, &text), 1);
		T_EQ_MEM(addr.s, addr.len, "next@host", 9);
		T_EQ_MEM(text.s, text.len, "short\n", 6);
		/* one line longer than the whole bound */
		T_EQ_U(bounce_para_get(&b, &addr, &text), 1);
		T_EQ_MEM(addr.s, addr.len, "huge@line", 9);
		T_EQ_U(text.len, BOUNCE_TEXTMAX + 1 + 34);
		T_EQ_U(bounce_para_get(&b, &addr, &text), 0);
	}
	/* an address of exactly BOUNCE_ADDRMAX bytes goes through whole */
	t.len = 0;
	ok = 1;
	for (i = 0; i < BOUNCE_ADDRMAX; ++i)
		ok &= sa_catc(&t, i == 500 ? '@' : 'b');
	T_OK(ok && sa_0(&t));
	in.len = 0;
	T_OK(bounce_para(&in, t.s, "x\n", 2));
	{
		mem m = {in.s, in.len, 0, 0, 0};
		buf b;
		buf_init(&b, -1, space, sizeof space);
		buf_setop(&b, mem_read, &m);
		T_EQ_U(bounce_para_get(&b, &addr, &text), 1);
		T_EQ_MEM(addr.s, addr.len, t.s, BOUNCE_ADDRMAX);
		T_EQ_SA(text, "x\n");
		T_EQ_U(bounce_para_get(&b, &addr, &text), 0);
	}
	/* a read error is reported */
	{
		mem m = {"<a@b>:\nx\n", 9, 0, 0, 1};
		buf b;
		buf_init(&b, -1, space, sizeof space);
		buf_setop(&b, mem_read, &m);
		errno = 0;
		T_EQ_U(bounce_para_get(&b, &addr, &text), -1);
		T_EQ_U(errno, EIO);
	}
	sa_free(&in);
	sa_free(&addr);
	sa_free(&text);
	sa_free(&t);
}

/* ---- whole notices ---- */

/* put_file - write s to DIR/name; 1 or 0 */
static int put_file(const char *name, const char *s, size_t n)
{
	FILE *f = fopen(t_path(name), "wb");
	if (!f)
		return 0;
	if (n && fwrite(s, 1, n, f) != n) {
		fclose(f);
		return 0;
	}
	return fclose(f) == 0;
}

/* open_file - open DIR/name for reading */
static int open_file(const char *name)
{
	return open(t_path(name), O_RDONLY);
}

/* make - compose a notice into out from paragraphs and an original held in memory
 * (through files, as qmail-send has them); bounce_write's result */
static int make(sa *out, bounce_info *bi, const sa *paras, const char *orig, size_t olen)
{
	int pfd, mfd, r, e;
	out->len = 0;
	if (!put_file("para", paras->s, paras->len) || !put_file("mess", orig, olen))
		return -1;
	pfd = open_file("para");
	mfd = open_file("mess");
	bi->size = olen;
	r = bounce_write(bi, pfd, mfd, bounce_put_sa, out);
	e = errno;
	close(pfd);
	close(mfd);
	errno = e;
	return r;
}

static const char orig1[] = "Received: (qmail 1 invoked by uid 1000); 14 Nov 2023 19:26:40 -0000\n"
			    "Subject: hi\n"
			    "\n"
			    "hello\n";

static const char text_local[] = "Sorry, no mailbox here by that name. (#5.1.1)\n";
static const char text_remote[] = "192.0.2.1 does not like recipient.\n"
				  "Remote host said: 550 5.1.2 domain unknown\n"
				  "Giving up on 192.0.2.1.\n";

/* info1 - the inputs of the first golden notice */
static bounce_info info1(void)
{
	bounce_info bi = BOUNCE_INFO_ZERO;
	bi.from = "MAILER-DAEMON";
	bi.host = "example.org";
	bi.mta = "mx.example.org";
	bi.to = "alice@example.com";
	bi.sender = "alice@example.com";
	bi.id = 0x1234;
	bi.born = 1699990000;
	bi.now = 1700000000;
	return bi;
}

/* paras1 - two recipients, one local and one remote failure */
static int paras1(sa *p)
{
	p->len = 0;
	return bounce_para(p, "bob@example.net", text_local, strlen(text_local)) &&
	       bounce_para(p, "carol@example.com", text_remote, strlen(text_remote));
}

static const char golden1[] =
	"Date: 14 Nov 2023 22:13:20 -0000\n"
	"From: MAILER-DAEMON@example.org\n"
	"To: alice@example.com\n"
	"Subject: failure notice\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/report; report-type=delivery-status;\n"
	"\tboundary=\"qmail-bounce-1234-6553f100\"\n"
	"\n"
	"--qmail-bounce-1234-6553f100\n"
	"Content-Type: text/plain; charset=us-ascii\n"
	"\n"
	"Hi. This is the qmail-send program at example.org.\n"
	"Your message could not be delivered to the addresses below.\n"
	"The failure is permanent: no further attempts will be made.\n"
	"\n"
	"<bob@example.net>:\n"
	"Sorry, no mailbox here by that name. (#5.1.1)\n"
	"\n"
	"<carol@example.com>:\n"
	"192.0.2.1 does not like recipient.\n"
	"Remote host said: 550 5.1.2 domain unknown\n"
	"Giving up on 192.0.2.1.\n"
	"\n"
	"--- Below this line is a copy of the message.\n"
	"\n"
	"\n"
	"--qmail-bounce-1234-6553f100\n"
	"Content-Type: message/delivery-status\n"
	"\n"
	"Reporting-MTA: dns; mx.example.org\n"
	"Arrival-Date: 14 Nov 2023 19:26:40 -0000\n"
	"\n"
	"Final-Recipient: rfc822; bob@example.net\n"
	"Action: failed\n"
	"Status: 5.1.1\n"
	"\n"
	"Final-Recipient: rfc822; carol@example.com\n"
	"Action: failed\n"
	"Status: 5.1.2\n"
	"Diagnostic-Code: smtp; 550 5.1.2 domain unknown\n"
	"\n"
	"--qmail-bounce-1234-6553f100\n"
	"Content-Type: message/rfc822\n"
	"\n"
	"Return-Path: <alice@example.com>\n"
	"Received: (qmail 1 invoked by uid 1000); 14 Nov 2023 19:26:40 -0000\n"
	"Subject: hi\n"
	"\n"
	"hello\n"
	"\n"
	"--qmail-bounce-1234-6553f100--\n";

/* t_golden - a whole notice, byte for byte */
static void t_golden(void)
{
	sa out = SA_ZERO, p = SA_ZERO;
	bounce_info bi = info1();
	T_OK(paras1(&p));
	T_EQ_U(make(&out, &bi, &p, orig1, strlen(orig1)), 1);
	T_EQ_MEM(out.s, out.len, golden1, strlen(golden1));
	/* the same with mta unset: Reporting-MTA falls back to host; born 0 drops
	 * Arrival-Date */
	bi.mta = 0;
	bi.born = 0;
	T_EQ_U(make(&out, &bi, &p, orig1, strlen(orig1)), 1);
	T_OK(sa_0(&out));
	T_OK(strstr(out.s, "\nReporting-MTA: dns; example.org\n\nFinal-Recipient:") != 0);
	T_OK(strstr(out.s, "Arrival-Date") == 0);
	sa_free(&out);
	sa_free(&p);
}

/* section - the part of out between "\n\n" after marker and the next "\n--B" */
static int section(const sa *out, const char *marker, const char *bnd, sa *got)
{
	const char *s, *e;
	char delim[128];
	snprintf(delim, sizeof delim, "\n--%s", bnd);
	s = strstr(out->s, marker);
	if (!s)
		return 0;
	s = strstr(s, "\n\n");
	if (!s)
		return 0;
	s += 2;
	e = strstr(s, delim);
	if (!e)
		return 0;
	if (!sa_copyb(got, s, (size_t)(e - s)) || !sa_0(got))
		return 0;
	--got->len; /* a C string, its NUL not counted */
	return 1;
}

/* boundary - copy the boundary parameter of out into b */
static int boundary(const sa *out, char *b, size_t size)
{
	const char *s = strstr(out->s, "boundary=\""), *e;
	if (!s)
		return 0;
	s += 10;
	e = strchr(s, '"');
	if (!e || (size_t)(e - s) >= size)
		return 0;
	memcpy(b, s, (size_t)(e - s));
	b[e - s] = 0;
	return 1;
}

/* delims - lines of out that start with "--" and b: must be exactly 4 */
static unsigned delims(const sa *out, const char *b)
{
	size_t i, bl = strlen(b);
	unsigned k = 0;
	for (i = 0; i + 2 + bl <= out->len; ++i)
		if ((i == 0 || out->s[i - 1] == '\n' || out->s[i - 1] == '\r') &&
		    out->s[i] == '-' && out->s[i + 1] == '-' && !memcmp(out->s + i + 2, b, bl))
			++k;
	return k;
}

/* t_large - beyond maxbytes only the header goes, as text/rfc822-headers */
static void t_large(void)
{
	int ok;
	sa out = SA_ZERO, p = SA_ZERO, o = SA_ZERO, got = SA_ZERO;
	bounce_info bi = info1();
	char b[128];
	size_t i;
	T_OK(paras1(&p));
	T_OK(sa_copys(&o, "Subject: big\nX-Long: "));
	ok = 1;
	for (i = 0; i < 3000; ++i)
		ok &= sa_catc(&o, 'h');
	T_OK(ok);
	T_OK(sa_cats(&o, "\n\nbody line\n\nmore body\n"));
	bi.maxbytes = 100;
	T_EQ_U(make(&out, &bi, &p, o.s, o.len), 1);
	T_OK(sa_0(&out));
	T_OK(boundary(&out, b, sizeof b));
	T_EQ_U(delims(&out, b), 4);
	T_OK(strstr(out.s, "\nContent-Type: text/rfc822-headers\n\n") != 0);
	T_OK(strstr(out.s, "message/rfc822") == 0);
	T_OK(section(&out, "text/rfc822-headers", b, &got));
	T_EQ_U(got.len, 33 + 13 + 8 + 3000 + 1);
	T_OK(str_start(got.s, "Return-Path: <alice@example.com>\nSubject: big\nX-Long: hhh"));
	T_OK(strstr(got.s, "body") == 0);
	T_EQ_U(got.s[got.len - 1], '\n');
	/* exactly at maxbytes the whole message goes */
	bi.maxbytes = o.len;
	T_EQ_U(make(&out, &bi, &p, o.s, o.len), 1);
	T_OK(sa_0(&out));
	T_OK(section(&out, "message/rfc822", b, &got));
	T_EQ_U(got.len, 33 + o.len);
	T_EQ_MEM(got.s + 33, got.len - 33, o.s, o.len);
	/* sizes near UINT64_MAX: whole reads to the end of the file */
	bi.maxbytes = UINT64_MAX;
	T_EQ_U(make(&out, &bi, &p, o.s, o.len), 1);
	T_OK(sa_0(&out));
	T_OK(strstr(out.s, "message/rfc822") != 0);
	bi.maxbytes = 0;
	T_EQ_U(make(&out, &bi, &p, o.s, o.len), 1);
	T_OK(sa_0(&out));
	T_OK(strstr(out.s, "text/rfc822-headers") != 0);
	/* an original that is all header, and one with an empty header */
	T_EQ_U(make(&out, &bi, &p, "A: b\nC: d", 9), 1);
	T_OK(sa_0(&out));
	T_OK(section(&out, "text/rfc822-headers", b, &got));
	T_EQ_S(got.s, "Return-Path: <alice@example.com>\nA: b\nC: d");
	T_EQ_U(make(&out, &bi, &p, "\nbody only\n", 11), 1);
	T_OK(sa_0(&out));
	T_OK(section(&out, "text/rfc822-headers", b, &got));
	T_EQ_S(got.s, "Return-Path: <alice@example.com>\n");
	/* a header longer than BOUNCE_HEADMAX is cut there */
	o.len = 0;
	ok = 1;
	for (i = 0; i < BOUNCE_HEADMAX / 10 + 100; ++i)
		ok &= sa_cats(&o, "X-A: 1234\n");
	T_OK(ok);
	T_OK(sa_cats(&o, "\nbody\n"));
	T_EQ_U(make(&out, &bi, &p, o.s, o.len), 1);
	T_OK(sa_0(&out));
	T_OK(section(&out, "text/rfc822-headers", b, &got));
	T_EQ_U(got.len, 33 + BOUNCE_HEADMAX);
	sa_free(&out);
	sa_free(&p);
	sa_free(&o);
	sa_free(&got);
}

/* t_double - the double bounce wording and an empty Return-Path */
static void t_double(void)
{
	sa out = SA_ZERO, p = SA_ZERO, got = SA_ZERO;
	bounce_info bi = info1();
	char b[128];
	T_OK(paras1(&p));
	bi.dbl = 1;
	bi.sender = "";
	bi.to = "postmaster@example.org";
	T_EQ_U(make(&out, &bi, &p, orig1, strlen(orig1)), 1);
	T_OK(sa_0(&out));
	T_OK(boundary(&out, b, sizeof b));
	T_OK(strstr(out.s, "\nTo: postmaster@example.org\n") != 0);
	T_OK(section(&out, "text/plain", b, &got));
	T_OK(str_start(got.s, "Hi. This is the qmail-send program at example.org.\n"));
	T_OK(strstr(got.s, "empty envelope sender") != 0);
	T_OK(strstr(got.s, "\n--- Below this line is the original bounce.\n\n") != 0);
	T_OK(strstr(got.s, "copy of the message") == 0);
	T_OK(strstr(out.s, "\nReturn-Path: <>\nReceived:") != 0);
	sa_free(&out);
	sa_free(&p);
	sa_free(&got);
}

/* to_line - the To: header of a notice for addr, without "To: " and LF */
static int to_line(const char *addr, sa *got)
{
	sa out = SA_ZERO, p = SA_ZERO;
	bounce_info bi = info1();
	const char *s, *e;
	int ok;
	bi.to = addr;
	ok = paras1(&p) && make(&out, &bi, &p, orig1, strlen(orig1)) == 1 && sa_0(&out);
	s = ok ? strstr(out.s, "\nTo: ") : 0;
	e = s ? strchr(s + 1, '\n') : 0;
	ok = e && sa_copyb(got, s + 5, (size_t)(e - s - 5)) && sa_0(got);
	sa_free(&out);
	sa_free(&p);
	return ok;
}

typedef struct quote_case_s {
	const char *addr; /* bounce recipient */
	const char *to;   /* its To: header value */
} quote_case;

static const quote_case quotes[] = {
	{"alice@example.com", "alice@example.com"},
	{"a.b.c@example.com", "a.b.c@example.com"},
	{"a+tag=x@example.com", "a+tag=x@example.com"},
	{"a b@example.com", "\"a b\"@example.com"},
	{"x\"y@c", "\"x\\\"y\"@c"},
	{"x\\y@c", "\"x\\\\y\"@c"},
	{".a@c", "\".a\"@c"},
	{"a.@c", "\"a.\"@c"},
	{"a..b@c", "\"a..b\"@c"},
	{"a@b@c", "\"a@b\"@c"},
	{"a(b)@c", "\"a(b)\"@c"},
	{"postmaster", "postmaster"},
	{"@c", "\"\"@c"},
	{"", "\"\""},
	{"a\nb@c", "a_b@c"},
	{"a\rb@c\n", "a_b@c_"},
	{"caf\303\251@c", "caf__@c"},
};

/* t_quote - the To: header quotes a local part that is not a dot-atom */
static void t_quote(void)
{
	sa got = SA_ZERO;
	size_t i;
	for (i = 0; i < sizeof quotes / sizeof quotes[0]; ++i) {
		T_OK(to_line(quotes[i].addr, &got));
		T_EQ_S(got.s, quotes[i].to);
	}
	sa_free(&got);
}

/* t_clean - header fields get only printable ASCII; 8-bit content is declared */
/* t_clean_bytes - bounce_clean keeps printable ASCII, makes a tab a space, else '_' */
static void t_clean_bytes(void)
{
	static const struct {
		const char *in; /* bytes */
		size_t n;       /* how many */
		const char *out;
	} rows[] = {
		{"", 0, ""},
		{"plain text ~!", 13, "plain text ~!"},
		{"a\tb", 3, "a b"},
		{"a\r\nb", 4, "a__b"},
		{"\0x\177\200\377", 5, "_x___"},
		{"\037 \176", 3, "_ ~"},
		{"cut here", 3, "cut"},
	};
	sa out = SA_ZERO;
	size_t i;
	for (i = 0; i < sizeof rows / sizeof rows[0]; ++i) {
		T_OK(sa_copys(&out, "<"));
		T_OK(bounce_clean(&out, rows[i].in, rows[i].n));
		T_EQ_U(out.len, 1 + strlen(rows[i].out));
		T_EQ_MEM(out.s + 1, out.len - 1, rows[i].out, strlen(rows[i].out));
	}
	sa_free(&out);
}

static void t_clean(void)
{
	sa out = SA_ZERO, p = SA_ZERO;
	bounce_info bi = info1();
	char b[128];
	bi.host = "ex\nample.org";
	bi.sender = "a\r\nb@c";
	T_OK(bounce_para(&p, "d\377@e", "caf\303\251 (#5.1.1)\n", 15));
	T_EQ_U(make(&out, &bi, &p, orig1, strlen(orig1)), 1);
	T_OK(sa_0(&out));
	T_OK(boundary(&out, b, sizeof b));
	T_EQ_U(delims(&out, b), 4);
	T_OK(strstr(out.s, "\nFrom: MAILER-DAEMON@ex_ample.org\n") != 0);
	T_OK(strstr(out.s, "program at ex_ample.org.\n") != 0);
	T_OK(strstr(out.s, "Return-Path: <a__b@c>\n") != 0);
	T_OK(strstr(out.s, "Final-Recipient: rfc822; d_@e\n") != 0);
	T_OK(strstr(out.s, "<d\377@e>:\ncaf\303\251 (#5.1.1)\n") != 0);
	T_OK(strstr(out.s, "\"\nContent-Transfer-Encoding: 8bit\n\n--") != 0);
	T_OK(strstr(out.s, "charset=unknown-8bit\nContent-Transfer-Encoding: 8bit\n\nHi.") != 0);
	T_OK(strstr(out.s, "message/rfc822\n\n") != 0); /* orig1 is 7-bit */
	/* an 8-bit original only */
	p.len = 0;
	T_OK(paras1(&p));
	T_EQ_U(make(&out, &bi, &p, "S: \351\n\nb\n", 8), 1);
	T_OK(sa_0(&out));
	T_OK(strstr(out.s, "us-ascii\n\nHi.") != 0);
	T_OK(strstr(out.s, "message/rfc822\nContent-Transfer-Encoding: 8bit\n\nReturn") != 0);
	T_OK(strstr(out.s, "\"\nContent-Transfer-Encoding: 8bit\n\n--") != 0);
	sa_free(&out);
	sa_free(&p);
}

/* t_boundary - originals and texts built to collide with the boundary */
static void t_boundary(void)
{
	int ok;
	static const char an[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	sa out = SA_ZERO, p = SA_ZERO, o = SA_ZERO, got = SA_ZERO;
	bounce_info bi = info1();
	const char *base = "qmail-bounce-1234-6553f100";
	char b[128];
	size_t i, j;
	/* the base boundary alone in the original */
	T_OK(paras1(&p));
	T_OK(sa_copys(&o, "Subject: x\n\n--qmail-bounce-1234-6553f100\nbody\n"));
	T_EQ_U(make(&out, &bi, &p, o.s, o.len), 1);
	T_OK(sa_0(&out));
	T_OK(boundary(&out, b, sizeof b));
	T_EQ_U(strlen(b), strlen(base) + 1);
	T_OK(!strncmp(b, base, strlen(base)));
	T_EQ_U(delims(&out, b), 4);
	T_OK(section(&out, "message/rfc822", b, &got));
	T_EQ_MEM(got.s + 33, got.len - 33, o.s, o.len);
	/* every letter and digit after it: one more pass and two characters */
	o.len = 0;
	T_OK(sa_cats(&o, "Subject: x\n\n"));
	ok = 1;
	for (i = 0; i < 62; ++i)
		ok &= sa_cats(&o, "--") && sa_cats(&o, base) && sa_catc(&o, an[i]) &&
		      sa_cats(&o, i % 2 ? "\n" : "--\r");
	T_OK(ok);
	T_EQ_U(make(&out, &bi, &p, o.s, o.len), 1);
	T_OK(sa_0(&out));
	T_OK(boundary(&out, b, sizeof b));
	T_EQ_U(strlen(b), strlen(base) + 2);
	T_EQ_U(delims(&out, b), 4);
	T_OK(section(&out, "message/rfc822", b, &got));
	T_EQ_MEM(got.s + 33, got.len - 33, o.s, o.len);
	/* every pair: three characters (a long original, so raise the limit) */
	bi.maxbytes = UINT64_MAX;
	o.len = 0;
	T_OK(sa_cats(&o, "Subject: x\n\n"));
	ok = 1;
	for (i = 0; i < 62; ++i)
		for (j = 0; j < 62; ++j)
			ok &= sa_cats(&o, "--") && sa_cats(&o, base) && sa_catc(&o, an[i]) &&
			      sa_catc(&o, an[j]) && sa_catc(&o, '\n');
	T_OK(ok);
	T_EQ_U(make(&out, &bi, &p, o.s, o.len), 1);
	T_OK(sa_0(&out));
	T_OK(boundary(&out, b, sizeof b));
	T_EQ_U(strlen(b), strlen(base) + 3);
	T_EQ_U(delims(&out, b), 4);
	/* a collision inside a report text, and a line that is exactly the base */
	bi.maxbytes = BOUNCE_MAXBYTES;
	p.len = 0;
	T_OK(bounce_para(&p, "x@y", "--qmail-bounce-1234-6553f100--\n(#5.1.1)\n", 40));
	T_EQ_U(make(&out, &bi, &p, "S: t\n\n--qmail-bounce-1234-6553f100", 34), 1);
	T_OK(sa_0(&out));
	T_OK(boundary(&out, b, sizeof b));
	T_EQ_U(strlen(b), strlen(base) + 1);
	T_EQ_U(delims(&out, b), 4);
	/* a near miss does not move the boundary */
	p.len = 0;
	T_OK(paras1(&p));
	T_EQ_U(make(&out, &bi, &p,
		    "S: t\n\n-qmail-bounce-1234-6553f100\n x--qmail-bounce-1234-6553f100\n", 65),
	       1);
	T_OK(sa_0(&out));
	T_OK(boundary(&out, b, sizeof b));
	T_EQ_S(b, base);
	sa_free(&out);
	sa_free(&p);
	sa_free(&o);
	sa_free(&got);
}

/* put_fail - a bounce_put that fails after ctx's count of calls */
static int put_fail(void *ctx, const char *s, size_t n)
{
	int *left = ctx;
	(void)s;
	(void)n;
	if (!*left) {
		errno = EPIPE;
		return 0;
	}
	--*left;
	return 1;
}

/* t_errors - missing fields, no paragraphs, bad descriptors, failing output */
static void t_errors(void)
{
	sa out = SA_ZERO, p = SA_ZERO;
	bounce_info bi = info1();
	int pfd, mfd, left, pipefd[2];
	T_OK(paras1(&p));
	errno = 0;
	T_EQ_U(bounce_write(0, 0, 0, bounce_put_sa, &out), 0);
	T_EQ_U(errno, EINVAL);
	bi.to = 0;
	errno = 0;
	T_EQ_U(make(&out, &bi, &p, orig1, strlen(orig1)), 0);
	T_EQ_U(errno, EINVAL);
	bi = info1();
	bi.host = 0;
	T_EQ_U(make(&out, &bi, &p, orig1, strlen(orig1)), 0);
	bi = info1();
	bi.from = 0;
	T_EQ_U(make(&out, &bi, &p, orig1, strlen(orig1)), 0);
	bi = info1();
	bi.sender = 0;
	T_EQ_U(make(&out, &bi, &p, orig1, strlen(orig1)), 0);
	bi = info1();
	T_EQ_U(bounce_write(&bi, 0, 0, 0, 0), 0);
	/* nothing to report */
	p.len = 0;
	T_OK(sa_cats(&p, "\n\n"));
	errno = 0;
	T_EQ_U(make(&out, &bi, &p, orig1, strlen(orig1)), 0);
	T_EQ_U(errno, EINVAL);
	T_EQ_U(out.len, 0);
	/* bad descriptors */
	T_OK(paras1(&p));
	T_OK(put_file("para", p.s, p.len) && put_file("mess", orig1, strlen(orig1)));
	pfd = open_file("para");
	mfd = open_file("mess");
	errno = 0;
	T_EQ_U(bounce_write(&bi, -1, mfd, bounce_put_sa, &out), 0);
	T_EQ_U(errno, EBADF);
	errno = 0;
	T_EQ_U(bounce_write(&bi, pfd, -1, bounce_put_sa, &out), 0);
	T_EQ_U(errno, EBADF);
	T_OK(pipe(pipefd) == 0);
	errno = 0;
	T_EQ_U(bounce_write(&bi, pfd, pipefd[0], bounce_put_sa, &out), 0);
	T_EQ_U(errno, ESPIPE);
	close(pipefd[0]);
	close(pipefd[1]);
	/* output failing at each point in turn, and nothing written after it */
	for (left = 0; left < 200; ++left) {
		int calls = left;
		errno = 0;
		if (bounce_write(&bi, pfd, mfd, put_fail, &calls)) {
			T_OK(left > 20);
			break;
		}
		T_EQ_U(errno, EPIPE);
		T_EQ_U(calls, 0);
	}
	T_OK(left < 200);
	/* the descriptors' offsets do not matter */
	T_OK(lseek(pfd, 5, SEEK_SET) == 5 && lseek(mfd, 0, SEEK_END) > 0);
	out.len = 0;
	bi.size = strlen(orig1);
	T_EQ_U(bounce_write(&bi, pfd, mfd, bounce_put_sa, &out), 1);
	T_EQ_MEM(out.s, out.len, golden1, strlen(golden1));
	close(pfd);
	close(mfd);
	sa_free(&out);
	sa_free(&p);
}

/* t_many - many recipients stream through; each is reported in both parts */
static void t_many(void)
{
	int ok = 1;
	sa out = SA_ZERO, p = SA_ZERO, a = SA_ZERO;
	bounce_info bi = info1();
	char b[128], *s;
	size_t i, n1 = 0, n2 = 0;
	for (i = 0; i < 3000; ++i) {
		a.len = 0;
		ok &= sa_cats(&a, "user") && sa_catu(&a, i) && sa_cats(&a, "@example.net") &&
		      sa_0(&a) && bounce_para(&p, a.s, text_local, strlen(text_local));
	}
	T_OK(ok);
	T_EQ_U(make(&out, &bi, &p, orig1, strlen(orig1)), 1);
	T_OK(sa_0(&out));
	T_OK(boundary(&out, b, sizeof b));
	T_EQ_U(delims(&out, b), 4);
	for (s = out.s; (s = strstr(s, "\n<user")) != 0; ++s)
		++n1;
	for (s = out.s; (s = strstr(s, "\nFinal-Recipient: rfc822; user")) != 0; ++s)
		++n2;
	T_EQ_U(n1, 3000);
	T_EQ_U(n2, 3000);
	T_OK(strstr(out.s, "rfc822; user2999@example.net\nAction: failed\nStatus: 5.1.1\n") != 0);
	sa_free(&out);
	sa_free(&p);
	sa_free(&a);
}

/* ---- samples for tests/sys/bounce.py ---- */

/* sample - write NAME.eml, NAME.orig and NAME.want into dir */
static void sample(const char *dir, const char *name, bounce_info *bi, const sa *p,
		   const char *orig, size_t olen, const char *want)
{
	sa out = SA_ZERO;
	char path[512];
	FILE *f;
	const char *ext[3] = {"eml", "orig", "want"};
	int i;
	T_EQ_U(make(&out, bi, p, orig, olen), 1);
	for (i = 0; i < 3; ++i) {
		const char *s = i == 0 ? out.s : i == 1 ? orig : want;
		size_t n = i == 0 ? out.len : i == 1 ? olen : strlen(want);
		snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext[i]);
		f = fopen(path, "wb");
		T_OK(f != 0);
		if (!f)
			continue;
		T_EQ_U(fwrite(s ? s : "", 1, n, f), n);
		T_OK(fclose(f) == 0);
	}
	sa_free(&out);
}

/* t_samples - notices of each kind, into $BOUNCE_SAMPLES (or the test directory) */
static void t_samples(void)
{
	int ok;
	const char *dir = getenv("BOUNCE_SAMPLES");
	sa p = SA_ZERO, o = SA_ZERO;
	bounce_info bi = info1();
	size_t i;
	static const char multi[] = "192.0.2.7 does not like recipient.\n"
				    "Remote host said: 550-5.7.1 first line\n"
				    "550 5.7.1 second line\n"
				    "Giving up on 192.0.2.7.\n";
	static const char expired[] = "Connection refused. (#4.4.1)\n" BOUNCE_TOOLONG "\n";
	if (!dir)
		dir = t_tmpdir();
	T_OK(paras1(&p));
	T_OK(bounce_para(&p, "dave@example.com", multi, strlen(multi)));
	T_OK(bounce_para(&p, "erin@example.com", expired, strlen(expired)));
	T_OK(bounce_para(&p, "frank@example.com", "no code\n\nafter a blank line\n", 28));
	sample(dir, "single", &bi, &p, orig1, strlen(orig1),
	       "rfc822\nsingle\nalice@example.com\n"
	       "bob@example.net\t5.1.1\t\n"
	       "carol@example.com\t5.1.2\tsmtp; 550 5.1.2 domain unknown\n"
	       "dave@example.com\t5.7.1\tsmtp; 550-5.7.1 first line 550 5.7.1 second line\n"
	       "erin@example.com\t5.4.1\t\n"
	       "frank@example.com\t5.0.0\t\n");
	T_OK(sa_copys(&o, "Subject: big one\nFrom: alice@example.com\n\n"));
	ok = 1;
	for (i = 0; i < 2000; ++i)
		ok &= sa_cats(&o, "a line of the big body, long enough to pass the limit\n");
	T_OK(ok);
	T_OK(paras1(&p));
	sample(dir, "large", &bi, &p, o.s, o.len,
	       "headers\nsingle\nalice@example.com\n"
	       "bob@example.net\t5.1.1\t\n"
	       "carol@example.com\t5.1.2\tsmtp; 550 5.1.2 domain unknown\n");
	bi.dbl = 1;
	bi.sender = "";
	bi.to = "postmaster@example.org";
	sample(dir, "double", &bi, &p, orig1, strlen(orig1),
	       "rfc822\ndouble\n\n"
	       "bob@example.net\t5.1.1\t\n"
	       "carol@example.com\t5.1.2\tsmtp; 550 5.1.2 domain unknown\n");
	bi = info1();
	T_OK(sa_copys(&o, "Subject: tricky\n\n--qmail-bounce-1234-6553f100\n"
			  "--qmail-bounce-1234-6553f100--\n--qmail-bounce-1234-6553f1000\n"
			  "--qmail-bounce-1234-6553f100a--\nno newline at the end"));
	sample(dir, "conflict", &bi, &p, o.s, o.len,
	       "rfc822\nsingle\nalice@example.com\n"
	       "bob@example.net\t5.1.1\t\n"
	       "carol@example.com\t5.1.2\tsmtp; 550 5.1.2 domain unknown\n");
	sa_free(&p);
	sa_free(&o);
}

const t_case t_cases[] = {
	T_CASE(t_code),        T_CASE(t_reply),    T_CASE(t_status),
	T_CASE(t_diag),        T_CASE(t_para),     T_CASE(t_para_get),
	T_CASE(t_para_bounds), T_CASE(t_golden),   T_CASE(t_large),
	T_CASE(t_double),      T_CASE(t_quote),    T_CASE(t_clean),
	T_CASE(t_clean_bytes), T_CASE(t_boundary), T_CASE(t_errors),
	T_CASE(t_many),        T_CASE(t_samples),  T_END,
};
