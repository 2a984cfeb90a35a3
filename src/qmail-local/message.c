/*
 * message.c - the message on fd 0. It must be a seekable file: every delivery
 * rewinds it and reads it from byte 0. The loop check compares header lines with our
 * own Delivered-To line byte for byte, as they stream past: nothing is buffered, and
 * at most HEADER_SCAN_MAX bytes are looked at, so a huge header costs bounded time.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "local.h"

#define HEADER_SCAN_MAX (4 * 1024 * 1024) /* header bytes scanned for Delivered-To */

/* message_rewind - seek fd 0 back to byte 0, or give up temporarily */
void message_rewind(void)
{
	if (lseek(0, 0, SEEK_SET) != 0)
		quit_sys(EXIT_TEMP, "4.3.0", "Unable to rewind message", (char *)0);
}

/* message_looping - 1 if a header line (before the first empty line) equals dtline */
int message_looping(const sa *dtline)
{
	char space[8192];
	buf in;
	size_t want = dtline->len - 1; /* compare without the newline */
	size_t pos = 0;                /* bytes of the current line so far */
	int same = 1;                  /* the current line matches dtline so far */
	size_t scanned = 0;
	message_rewind();
	buf_init(&in, 0, space, sizeof space);
	while (scanned < HEADER_SCAN_MAX) {
		const char *s;
		size_t n, i;
		ssize_t r = buf_feed(&in);
		if (r < 0)
			quit_sys(EXIT_TEMP, "4.3.0", "Unable to read message", (char *)0);
		if (r == 0)
			return 0;
		s = buf_peek(&in, &n);
		if (n > HEADER_SCAN_MAX - scanned)
			n = HEADER_SCAN_MAX - scanned;
		for (i = 0; i < n; ++i) {
			if (s[i] == '\n') {
				if (pos == 0)
					return 0;
				if (same && pos == want)
					return 1;
				pos = 0;
				same = 1;
				continue;
			}
			if (same && (pos >= want || s[i] != dtline->s[pos]))
				same = 0;
			++pos;
		}
		buf_skip(&in, n);
		scanned += n;
	}
	return 0;
}
