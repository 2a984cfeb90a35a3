/*
 * bfile.h - the paragraphs qmail-send accumulates in queue/bounce/ID, one per
 * permanently failed recipient, in the layout qmail has always used there:
 *	<address>:
 *	report text, one or more lines
 *	(empty line)
 * Newlines in the address become '_'; an empty line inside the text becomes a line
 * "/", so only the paragraph's end is an empty line. qmail-send writes them as
 * failures happen and reads them back to compose the bounce message.
 */
#ifndef BFILE_H
#define BFILE_H

#include <stddef.h>

#include "sa.h"

int bfile_para(sa *out, const char *addr, size_t alen, const char *text, size_t tlen);
int bfile_next(const char *s, size_t n, size_t *pos, sa *addr, sa *text);

#endif
