/* bfile.c - tests for bounce/ID paragraphs: writing, reading, and cut-off files */
#include <errno.h>
#include <string.h>

#include "bfile.h"
#include "harness.h"

static const struct {
	const char *addr, *text; /* what is written */
	const char *para;        /* the paragraph */
	const char *back;        /* the text read back */
} paras[] = {
	{"joe@example.com", "Sorry, no mailbox here by that name. (#5.1.1)\n",
	 "<joe@example.com>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n",
	 "Sorry, no mailbox here by that name. (#5.1.1)\n"},
	{"a@b", "no newline", "<a@b>:\nno newline\n\n", "no newline\n"},
	{"a@b", "", "<a@b>:\n\n", ""},
	{"a\nb@c", "x\n\ny\n", "<a_b@c>:\nx\n/\ny\n\n", "x\n/\ny\n"},
	{"", "\n\n", "<>:\n/\n/\n\n", "/\n/\n"},
	{"q@r", "line1\nline2\n\n", "<q@r>:\nline1\nline2\n/\n\n", "line1\nline2\n/\n"},
};

static void t_write_read(void)
{
	sa all = SA_ZERO, addr = SA_ZERO, text = SA_ZERO;
	size_t i, pos = 0;
	for (i = 0; i < sizeof paras / sizeof paras[0]; ++i) {
		sa one = SA_ZERO;
		T_OK(bfile_para(&one, paras[i].addr, strlen(paras[i].addr), paras[i].text,
				strlen(paras[i].text)));
		T_EQ_MEM(one.s, one.len, paras[i].para, strlen(paras[i].para));
		T_OK(sa_cat(&all, &one));
		sa_free(&one);
	}
	for (i = 0; i < sizeof paras / sizeof paras[0]; ++i) {
		const char *a = paras[i].addr;
		T_EQ_U(bfile_next(all.s, all.len, &pos, &addr, &text), 1);
		if (strchr(a, '\n'))
			a = "a_b@c";
		T_EQ_MEM(addr.s, addr.len, a, strlen(a));
		T_EQ_MEM(text.s, text.len, paras[i].back, strlen(paras[i].back));
	}
	T_EQ_U(pos, all.len);
	T_EQ_U(bfile_next(all.s, all.len, &pos, &addr, &text), 0);
	T_EQ_U(bfile_next("", 0, &pos, &addr, &text), 0);

	/* every cut-off prefix reads some whole paragraphs, then 0 or an error */
	for (i = 0; i <= all.len; ++i) {
		size_t p = 0, got = 0;
		int r;
		while ((r = bfile_next(all.s, i, &p, &addr, &text)) == 1)
			++got;
		T_OK(p <= i);
		T_OK(r == 0 ? p == i : r == -1 && errno == EINVAL);
		T_OK(got <= sizeof paras / sizeof paras[0]);
	}
	sa_free(&all);
	sa_free(&addr);
	sa_free(&text);
}

static const char *const bad[] = {
	"joe>:\ntext\n\n", "<joe>\ntext\n\n", "<joe>:", "<joe>:\ntext\n",
	"<joe>:\ntext",    "<>\n\n",          ">:\n\n", "\n",
};

static void t_malformed(void)
{
	sa addr = SA_ZERO, text = SA_ZERO;
	size_t i;
	for (i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
		size_t pos = 0;
		errno = 0;
		T_EQ_U(bfile_next(bad[i], strlen(bad[i]), &pos, &addr, &text), -1);
		T_EQ_U(errno, EINVAL);
		T_EQ_U(pos, 0);
	}
	sa_free(&addr);
	sa_free(&text);
}

const t_case t_cases[] = {T_CASE(t_write_read), T_CASE(t_malformed), T_END};
