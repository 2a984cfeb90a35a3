/* str.c - tests for byte-range helpers and ASCII case folding */
#include <string.h>

#include "harness.h"
#include "str.h"

static const struct {
	const char *s; /* bytes searched */
	size_t n;      /* how many of them */
	int c;         /* byte sought */
	size_t first;  /* byte_chr's answer */
	size_t last;   /* byte_rchr's answer */
} chr[] = {
	{"", 0, 'a', 0, 0},
	{"a", 1, 'a', 0, 0},
	{"abcabc", 6, 'b', 1, 4},
	{"abcabc", 6, 'z', 6, 6},
	{"abcabc", 3, 'c', 2, 2},
	{"abcabc", 2, 'c', 2, 2},        /* the length bounds the search */
	{"a\0b\0c", 5, 0, 1, 3},         /* NUL is an ordinary byte */
	{"x\xe9y\xe9", 4, 0xe9, 1, 3},   /* high bytes, given as an int */
	{"x\xe9y", 3, (char)0xe9, 1, 1}, /* the same byte, given as a negative char */
	{"user@host@x", 11, '@', 4, 9},
};

static void t_chr(void)
{
	size_t i;
	for (i = 0; i < sizeof chr / sizeof chr[0]; ++i) {
		T_EQ_U(byte_chr(chr[i].s, chr[i].n, chr[i].c), chr[i].first);
		T_EQ_U(byte_rchr(chr[i].s, chr[i].n, chr[i].c), chr[i].last);
	}
	/* a zero length never dereferences */
	T_EQ_U(byte_chr(0, 0, 'a'), 0);
	T_EQ_U(byte_rchr(0, 0, 'a'), 0);
}

static void t_equal(void)
{
	T_OK(byte_equal("abc", 3, "abd") == 0);
	T_OK(byte_equal("abc", 2, "abd"));
	T_OK(byte_equal(0, 0, 0));
	T_OK(byte_equal("a\0b", 3, "a\0b"));
	T_OK(!byte_equal("a\0b", 3, "a\0c"));
	T_OK(str_equal("", ""));
	T_OK(str_equal("abc", "abc"));
	T_OK(!str_equal("abc", "abcd"));
	T_OK(!str_equal("abcd", "abc"));
	T_OK(!str_equal("abc", "ABC"));
	T_OK(str_start("abc", ""));
	T_OK(str_start("abc", "ab"));
	T_OK(str_start("abc", "abc"));
	T_OK(!str_start("abc", "abcd"));
	T_OK(!str_start("", "a"));
	T_OK(!str_start("abc", "b"));
}

static const struct {
	const char *a; /* first string */
	const char *b; /* second string */
	int sign;      /* sign of case_diffs(a, b) */
} cases[] = {
	{"", "", 0},
	{"HELO", "helo", 0},
	{"MaIl FrOm:", "mail from:", 0},
	{"Example.COM", "example.com", 0},
	{"a", "b", -1},
	{"B", "a", 1},
	{"abc", "ab", 1},
	{"ab", "ABC", -1},
	{"[", "{", -1},       /* '[' is between 'Z' and 'a': never folded */
	{"@", "`", -1},       /* the bytes just outside 'A'..'Z' and 'a'..'z' */
	{"\xc9", "\xe9", -1}, /* Latin-1 E-acute: no folding outside ASCII */
	{"a\xff", "A", 1},    /* high bytes order after ASCII */
};

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static void t_case_table(void)
{
	size_t i;
	for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
		const char *a = cases[i].a;
		const char *b = cases[i].b;
		size_t n = strlen(a) < strlen(b) ? strlen(a) : strlen(b);
		T_EQ_U(sign(case_diffs(a, b)), sign(cases[i].sign));
		T_EQ_U(sign(case_diffs(b, a)), sign(-cases[i].sign));
		T_EQ_U(case_equals(a, b), cases[i].sign == 0);
		if (strlen(a) == strlen(b)) {
			T_EQ_U(sign(case_diffb(a, n, b)), sign(cases[i].sign));
			T_EQ_U(case_equalb(a, n, b), cases[i].sign == 0);
		}
	}
}

static void t_case_misc(void)
{
	char buf[] = "MiXeD-Case@EXAMPLE.com\xc9[Z]";
	int c;
	case_lowerb(buf, sizeof buf - 1);
	T_EQ_S(buf, "mixed-case@example.com\xc9[z]");
	/* only the given bytes change */
	memcpy(buf, "ABCD", 4);
	case_lowerb(buf, 2);
	T_EQ_MEM(buf, 4, "abCD", 4);
	case_lowerb(0, 0);
	for (c = 0; c < 256; ++c)
		if (case_lower(c) != (c >= 'A' && c <= 'Z' ? c + 32 : c))
			break;
	T_EQ_U(c, 256);
	T_EQ_U(case_lower(-1), (unsigned long long)-1);
	T_OK(case_equalb("HELO x", 4, "helo y"));
	T_OK(case_equalb(0, 0, 0));
	T_OK(!case_equalb("HELO", 4, "EHLO"));
	T_OK(case_starts("RCPT TO:<a@b>", "rcpt to:"));
	T_OK(case_starts("abc", ""));
	T_OK(case_starts("", ""));
	T_OK(!case_starts("RCPT", "rcpt to:"));
	T_OK(!case_starts("rcpt\xd4", "rcpt\xf4"));
}

const t_case t_cases[] = {
	T_CASE(t_chr), T_CASE(t_equal), T_CASE(t_case_table), T_CASE(t_case_misc), T_END,
};
