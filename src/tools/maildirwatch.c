/*
 * maildirwatch - show the new mail in a Maildir on a VT100 terminal.
 * usage: maildirwatch [-i SECONDS]
 *
 * Every SECONDS (default 30) it clears the screen (ESC [ H ESC [ 2 J) and prints
 * "N new messages in DIR", then for each new message, oldest first, its From and
 * Subject fields, one line each, and an empty line. A message is new when it is in
 * new/, or in cur/ without the S (seen) flag after ":2,". DIR is $MAILDIR, else
 * ./Maildir. Fields are unfolded; every byte that is not printable ASCII becomes
 * '?', so a message cannot send escape sequences to the terminal, and each line is
 * cut at 79 columns. Only the first HEADER_MAX bytes of a message are read.
 *
 * DIAGNOSTICS: runs until killed; 100 usage; 111 if DIR cannot be entered or the
 * output cannot be written.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "buf.h"
#include "die.h"
#include "env.h"
#include "fmt.h"
#include "sa.h"
#include "scan.h"

#define HEADER_MAX 16384 /* bytes of a message read for its header */
#define WIDTH      79    /* columns of a line */
#define FILES_MAX  10000 /* messages shown per screen */

static struct {
	buf out;               /* standard output */
	char outspace[8192];   /* storage for out */
	char head[HEADER_MAX]; /* the start of the message being read */
	sa names;              /* "new/NAME" or "cur/NAME", NUL-separated */
	sa from;               /* its From field */
	sa subject;            /* its Subject field */
	sa line;               /* an output line */
} g;

/* out - write s; a write error ends the program */
static void out(const char *s, size_t n)
{
	if (!buf_put(&g.out, s, n))
		die_sys(111, "unable to write output", NULL);
}

/* seen - whether a cur/ name carries the S flag */
static int seen(const char *name)
{
	const char *info = strstr(name, ":2,");
	return info && strchr(info + 3, 'S');
}

/* list - the names of the new messages of dir into g.names; their count */
static size_t list(const char *dir, size_t count)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	if (!d)
		return count;
	while ((e = readdir(d)) != 0 && count < FILES_MAX) {
		if (e->d_name[0] == '.' || (dir[0] == 'c' && seen(e->d_name)))
			continue;
		if (!sa_cats(&g.names, dir) || !sa_catc(&g.names, '/') ||
		    !sa_cats(&g.names, e->d_name) || !sa_0(&g.names))
			die_x(111, "out of memory", NULL);
		++count;
	}
	closedir(d);
	return count;
}

/* by_name - qsort order: the part after new/ or cur/, whose start is the time */
static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a + 4, *(const char *const *)b + 4);
}

/* field - append the value of a header field (head[0..n), after its colon) to x,
 * unfolded */
static void field(sa *x, const char *h, size_t n)
{
	size_t i;
	x->len = 0;
	for (i = 0; i < n; ++i) {
		char c = h[i];
		if (c == '\r')
			continue;
		if (c == '\n') {
			if (i + 1 < n && (h[i + 1] == ' ' || h[i + 1] == '\t'))
				c = ' ';
			else
				break;
		}
		if (c == '\t')
			c = ' ';
		if (!(c == ' ' && (!x->len || x->s[x->len - 1] == ' ')) && !sa_catc(x, c))
			die_x(111, "out of memory", NULL);
	}
}

/* header - read the From and Subject fields of one message */
static void header(const char *path)
{
	size_t n = 0, i = 0;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	g.from.len = g.subject.len = 0;
	if (fd == -1)
		return;
	while (n < sizeof g.head) {
		ssize_t r = read(fd, g.head + n, sizeof g.head - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	while (i < n && g.head[i] != '\n' &&
	       !(g.head[i] == '\r' && i + 1 < n && g.head[i + 1] == '\n')) {
		const char *h = g.head + i;
		size_t left = n - i, end = 0;
		if (left >= 5 && !strncasecmp(h, "from:", 5) && !g.from.len)
			field(&g.from, h + 5, left - 5);
		else if (left >= 8 && !strncasecmp(h, "subject:", 8) && !g.subject.len)
			field(&g.subject, h + 8, left - 8);
		while (end < left && !(h[end] == '\n' && (end + 1 >= left || (h[end + 1] != ' ' &&
									      h[end + 1] != '\t'))))
			++end;
		i += end + 1;
	}
}

/* show - one output line: label, then s[0..n) made printable, cut at WIDTH */
static void show(const char *label, const char *s, size_t n)
{
	size_t i;
	g.line.len = 0;
	if (!sa_cats(&g.line, label))
		die_x(111, "out of memory", NULL);
	for (i = 0; i < n && g.line.len < WIDTH; ++i) {
		unsigned char c = (unsigned char)s[i];
		if (!sa_catc(&g.line, c >= 0x20 && c < 0x7f ? (char)c : '?'))
			die_x(111, "out of memory", NULL);
	}
	out(g.line.s, g.line.len);
	out("\n", 1);
}

/* screen - clear the screen and show every new message */
static void screen(const char *dir)
{
	char num[FMT_U64];
	const char **v = 0;
	size_t count, i, off;
	g.names.len = 0;
	count = list("cur", list("new", 0));
	if (count && !(v = alloc_array(count, sizeof *v)))
		die_x(111, "out of memory", NULL);
	for (i = 0, off = 0; i < count; ++i) {
		v[i] = g.names.s + off;
		off += strlen(v[i]) + 1;
	}
	if (count)
		qsort(v, count, sizeof *v, by_name);
	out("\033[H\033[2J", 7);
	num[fmt_u64(num, count)] = 0;
	g.from.len = 0; /* the heading's label, in a scratch string */
	if (!sa_cats(&g.from, num) ||
	    !sa_cats(&g.from, count == 1 ? " new message in " : " new messages in ") ||
	    !sa_0(&g.from))
		die_x(111, "out of memory", NULL);
	show(g.from.s, dir, strlen(dir)); /* $MAILDIR made printable, like every field */
	out("\n", 1);
	for (i = 0; i < count; ++i) {
		header(v[i]);
		show("From: ", g.from.s, g.from.len);
		show("Subject: ", g.subject.s, g.subject.len);
		out("\n", 1);
	}
	alloc_free(v);
	if (!buf_flush(&g.out))
		die_sys(111, "unable to write output", NULL);
}

int main(int argc, char **argv)
{
	const char *dir = env_get("MAILDIR");
	uint64_t every = 30;
	die_init(argv[0]);
	if (argc == 3 && !strcmp(argv[1], "-i")) {
		if (!scan_u64_all(argv[2], strlen(argv[2]), &every) || !every || every > 86400)
			die_x(100, "usage: maildirwatch [-i SECONDS]", NULL);
	} else if (argc != 1)
		die_x(100, "usage: maildirwatch [-i SECONDS]", NULL);
	if (!dir || !*dir)
		dir = "./Maildir";
	if (chdir(dir) == -1)
		die_sys(111, "unable to switch to ", dir, NULL);
	buf_init(&g.out, 1, g.outspace, sizeof g.outspace);
	for (;;) {
		screen(dir);
		sleep((unsigned)every);
	}
}
