/*
 * bfile.c - writing and reading bounce/ID paragraphs. The reader is strict about
 * the shape (a file from a crash may end in the middle of a paragraph) and never
 * reads outside s[0..n).
 */
#include "bfile.h"

#include <errno.h>
#include <string.h>

#include "str.h"

/* bfile_para - append one paragraph for addr with report text to out; 0 with errno
 * when memory runs out (out may then hold part of the paragraph) */
int bfile_para(sa *out, const char *addr, size_t alen, const char *text, size_t tlen)
{
	size_t i, start;
	int bol = 1; /* at the beginning of a line of the text */
	if (!sa_catc(out, '<'))
		return 0;
	start = out->len;
	if (!sa_catb(out, addr, alen))
		return 0;
	for (i = start; i < out->len; ++i)
		if (out->s[i] == '\n')
			out->s[i] = '_';
	if (!sa_cats(out, ">:\n"))
		return 0;
	for (i = 0; i < tlen; ++i) {
		if (bol && text[i] == '\n' && !sa_catc(out, '/'))
			return 0;
		if (!sa_catc(out, text[i]))
			return 0;
		bol = text[i] == '\n';
	}
	if (!bol && !sa_catc(out, '\n'))
		return 0;
	return sa_catc(out, '\n');
}

/* bfile_next - read the paragraph at *pos in s[0..n) into addr and text (replaced;
 * text keeps its newlines, neither gets a NUL) and advance *pos past it. Returns 1
 * for a paragraph, 0 at the end, -1 (errno EINVAL) for a malformed or cut-off one,
 * -1 (ENOMEM) when memory runs out. */
int bfile_next(const char *s, size_t n, size_t *pos, sa *addr, sa *text)
{
	size_t i = *pos, nl;
	if (i >= n)
		return 0;
	nl = i + byte_chr(s + i, n - i, '\n');
	if (nl == n || nl - i < 3 || s[i] != '<' || s[nl - 2] != '>' || s[nl - 1] != ':') {
		errno = EINVAL;
		return -1;
	}
	if (!sa_copyb(addr, s + i + 1, nl - i - 3))
		return -1;
	text->len = 0;
	for (i = nl + 1;; i = nl + 1) {
		if (i >= n) {
			errno = EINVAL;
			return -1;
		}
		nl = i + byte_chr(s + i, n - i, '\n');
		if (nl == n) {
			errno = EINVAL;
			return -1;
		}
		if (nl == i)
			break;
		if (!sa_catb(text, s + i, nl - i + 1))
			return -1;
	}
	*pos = nl + 1;
	return 1;
}
