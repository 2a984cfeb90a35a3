/*
 * qmail-qread - list the messages in the queue with their senders and recipients.
 *
 * For each message, in order of message number, one line
 *     DATE GMT  #ID  SIZE  <SENDER> [ bouncing][ held]
 * then one line per recipient, "\tlocal\tADDR" or "\tremote\tADDR", each preceded by
 * "  done" when that delivery is finished. DATE is the message's birth (the mtime of
 * info/SPLIT/ID) in UTC as "29 Nov 2026 13:42:07 GMT", the day not padded; SIZE is
 * the length of mess/SPLIT/ID ("?" when it cannot be found). A message still only in
 * todo/ is shown from its envelope: the header line ends in " not yet preprocessed"
 * and its recipients are "\ttodo\tADDR" (qmail-send has not yet chosen a channel).
 * Bytes outside 0x20..0x7e are shown as '_'; addresses beyond 1024 bytes are cut
 * and end in "...". " held" means a hold marker queue/hold/ID exists (qmail-qctl(8)).
 * The queue files are untrusted input: every read is bounded and
 * every malformed entry is reported on stderr and shown as far as it can be.
 *
 * Runs as root (then gives up root for qmails and the queue group) or as qmails.
 *
 * DIAGNOSTICS: 0 every queue file read cleanly; 111 a warning was printed (corrupt
 * or unreadable entry) or a fatal error (wrong user, no queue, write error, memory).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "auto.h"
#include "buf.h"
#include "die.h"
#include "error.h"
#include "fmt.h"
#include "qtool.h"
#include "queue.h"
#include "sa.h"
#include "scan.h"
#include "size.h"
#include "tm.h"

#define ADDR_MAX 1024 /* address bytes shown; qmail-queue itself refuses 1003 and more */

typedef struct entry_s {
	uint64_t id; /* message number */
	int todo;    /* 1: found in todo/, 0: found in info/SPLIT/ */
} entry;

static struct {
	buf out;             /* standard output */
	char outspace[8192]; /* storage for out */
	buf in;              /* the queue file being read */
	char inspace[4096];  /* storage for in */
	const char *path;    /* its name, for warnings */
	uint64_t off;        /* offset of the record being read */
	uint64_t end;        /* offset just after it */
	sa rec;              /* the record: type letter, then the address, no NUL */
	sa line;             /* the output line being built */
	entry *list;         /* the messages found */
	size_t n;            /* entries used */
	size_t a;            /* entries allocated */
	int bad;             /* a warning was printed: exit 111 */
} g;

/* die_nomem - the one out-of-memory exit */
static _Noreturn void die_nomem(void)
{
	die_x(111, "out of memory", NULL);
}

/* flush - write what is buffered for stdout; a write error is fatal */
static void flush(void)
{
	if (!buf_flush(&g.out))
		die_sys(111, "unable to write output", NULL);
}

/* complain - a warning about path (after flushing stdout, so the two stay in order) */
static void complain(const char *path, const char *what, int e)
{
	flush();
	g.bad = 1;
	if (e) {
		errno = e;
		warn_sys(path, ": ", what, NULL);
	} else
		warn_x(path, ": ", what, NULL);
}

/* complain_at - a warning about the record at g.off of g.path */
static void complain_at(const char *what)
{
	char num[FMT_U64];
	flush();
	g.bad = 1;
	num[fmt_u64(num, g.off)] = 0;
	warn_x(g.path, ": record at byte ", num, ": ", what, NULL);
}

/* put_line - write g.line */
static void put_line(void)
{
	if (!buf_putsa(&g.out, &g.line))
		die_sys(111, "unable to write output", NULL);
}

/* cat_safe - append s[0..n) to the line, bytes outside 0x20..0x7e made '_' */
static void cat_safe(const char *s, size_t n)
{
	if (!sa_catvis(&g.line, s, n))
		die_nomem();
}

/* add - remember message id, found in todo/ or in info/ */
static void add(uint64_t id, int todo)
{
	if (g.n == g.a) {
		size_t a, bytes;
		void *p = g.list;
		if (!size_add(&a, g.a, g.a / 2 + 64) || !size_mul(&bytes, a, sizeof *g.list) ||
		    !alloc_resize(&p, bytes))
			die_nomem();
		g.list = p;
		g.a = a;
	}
	g.list[g.n].id = id;
	g.list[g.n].todo = todo;
	g.n++;
}

/* complain_entry - a warning about entry name of directory dir */
static void complain_entry(const char *dir, const char *name, const char *what)
{
	g.line.len = 0;
	if (!sa_cats(&g.line, dir) || !sa_catc(&g.line, '/'))
		die_nomem();
	cat_safe(name, strlen(name));
	if (!sa_0(&g.line))
		die_nomem();
	complain(g.line.s, what, 0);
}

/* scan_dir - add every message of directory dir (split: the directory is info/N) */
static void scan_dir(const char *dir, int todo, int split)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d) {
		complain(dir, "unable to open directory", errno);
		return;
	}
	for (;;) {
		uint64_t id;
		errno = 0;
		e = readdir(d);
		if (!e)
			break;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!scan_u64_all(e->d_name, strlen(e->d_name), &id)) {
			complain_entry(dir, e->d_name, "not a message number; ignored");
			continue;
		}
		if (split >= 0 && queue_split(id) != (unsigned)split) {
			complain_entry(dir, e->d_name, "in the wrong split directory; ignored");
			continue;
		}
		add(id, todo);
	}
	if (errno)
		complain(dir, "unable to read directory", errno);
	closedir(d);
}

/* entry_cmp - qsort order: by number, and the todo/ entry of a number first */
static int entry_cmp(const void *a, const void *b)
{
	const entry *x = a;
	const entry *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return y->todo - x->todo;
}

/* open_file - open a queue file for reading into g.in; -1 (with a warning unless it
 * is simply gone), or the descriptor; *st gets its status */
static int open_file(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			complain(path, "unable to open", errno);
		return -1;
	}
	if (fstat(fd, st) < 0) {
		complain(path, "unable to stat", errno);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		complain(path, "not a regular file", 0);
		close(fd);
		return -1;
	}
	buf_init(&g.in, fd, g.inspace, sizeof g.inspace);
	g.path = path;
	g.off = g.end = 0;
	return fd;
}

/* next - read one record into g.rec (the NUL dropped, at most ADDR_MAX + 1 bytes kept);
 * 1 got one, 0 end of file, -1 read error (reported). A record cut short by the limit
 * (*cut set) or by the end of the file is reported and still returned. */
static int next(int *cut)
{
	int seen = 0;
	*cut = 0;
	g.off = g.end;
	g.rec.len = 0;
	for (;;) {
		const char *s, *nul;
		size_t n, k, take;
		ssize_t r = buf_feed(&g.in);
		if (r < 0) {
			complain(g.path, "unable to read", errno);
			return -1;
		}
		if (r == 0) {
			if (!seen)
				return 0;
			complain_at("no NUL at the end of the file");
			return 1;
		}
		s = buf_peek(&g.in, &n);
		nul = memchr(s, 0, n);
		k = nul ? (size_t)(nul - s) : n;
		take = k < ADDR_MAX + 1 - g.rec.len ? k : ADDR_MAX + 1 - g.rec.len;
		if (!sa_catb(&g.rec, s, take))
			die_nomem();
		if (take < k)
			*cut = 1;
		if (nul)
			++k;
		buf_skip(&g.in, k);
		g.end += k;
		seen = 1;
		if (nul)
			break;
	}
	if (*cut)
		complain_at("address longer than 1024 bytes; shown cut short");
	return 1;
}

/* cat_addr - append the address of g.rec, "..." when it was cut short */
static void cat_addr(int cut)
{
	cat_safe(g.rec.s + 1, g.rec.len - 1);
	if (cut && !sa_cats(&g.line, "..."))
		die_nomem();
}

/* header - "DATE GMT  #ID  SIZE  <SENDER> " into g.line; sender is g.rec when have is
 * set, else the entry is shown as having no readable sender */
static void header(uint64_t id, time_t born, int have, int cut)
{
	char path[QUEUE_PATHMAX];
	struct stat st;
	g.line.len = 0;
	if (date_utc822(&g.line, born) && g.line.len >= 5 &&
	    !memcmp(g.line.s + g.line.len - 5, "-0000", 5))
		g.line.len -= 5;
	else {
		g.line.len = 0;
		if (!sa_cats(&g.line, "? "))
			die_nomem();
	}
	if (!sa_cats(&g.line, "GMT  #") || !sa_catu(&g.line, id) || !sa_cats(&g.line, "  "))
		die_nomem();
	queue_name(path, "mess", id, 1);
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		if (!sa_catu(&g.line, (uint64_t)st.st_size))
			die_nomem();
	} else {
		complain(path, "missing", errno == ENOENT ? 0 : errno);
		if (!sa_catc(&g.line, '?'))
			die_nomem();
	}
	if (!sa_cats(&g.line, "  "))
		die_nomem();
	if (!have) {
		if (!sa_cats(&g.line, "(unreadable sender) "))
			die_nomem();
		return;
	}
	if (!sa_catc(&g.line, '<'))
		die_nomem();
	cat_addr(cut);
	if (!sa_cats(&g.line, "> "))
		die_nomem();
}

/* recipients - the T and D records of local/ or remote/ (channel) for message id */
static void recipients(uint64_t id, const char *channel)
{
	char path[QUEUE_PATHMAX];
	struct stat st;
	int fd, cut, r;
	queue_name(path, channel, id, 1);
	fd = open_file(path, &st);
	if (fd < 0)
		return;
	while ((r = next(&cut)) == 1) {
		if (!g.rec.len || (g.rec.s[0] != 'T' && g.rec.s[0] != 'D')) {
			complain_at(g.rec.len ? "unknown record type; skipped" : "empty record");
			continue;
		}
		g.line.len = 0;
		if ((g.rec.s[0] == 'D' && !sa_cats(&g.line, "  done")) || !sa_catc(&g.line, '\t') ||
		    !sa_cats(&g.line, channel) || !sa_catc(&g.line, '\t'))
			die_nomem();
		cat_addr(cut);
		if (!sa_catc(&g.line, '\n'))
			die_nomem();
		put_line();
	}
	close(fd);
}

/* show_info - a preprocessed message: info/SPLIT/ID, then local/ and remote/ */
static void show_info(uint64_t id)
{
	char path[QUEUE_PATHMAX];
	char bounce[QUEUE_PATHMAX];
	struct stat st;
	int fd, cut = 0, r, have = 0;
	queue_name(path, "info", id, 1);
	fd = open_file(path, &st);
	if (fd < 0)
		return;
	r = next(&cut);
	if (r == 0)
		complain(path, "empty; no sender record", 0);
	else if (r == 1 && (!g.rec.len || g.rec.s[0] != 'F'))
		complain(path, "does not start with a sender record", 0);
	else if (r == 1) {
		have = 1;
		header(id, st.st_mtime, 1, cut);
		if (next(&cut) == 1)
			complain_at("more data after the sender record");
	}
	close(fd);
	if (!have)
		header(id, st.st_mtime, 0, 0);
	queue_name(bounce, "bounce", id, 0);
	if (lstat(bounce, &st) == 0 && !sa_cats(&g.line, " bouncing"))
		die_nomem();
	queue_name(bounce, "hold", id, 0);
	if (lstat(bounce, &st) == 0 && !sa_cats(&g.line, " held"))
		die_nomem();
	if (!sa_catc(&g.line, '\n'))
		die_nomem();
	put_line();
	recipients(id, "local");
	recipients(id, "remote");
}

/* number - whether the record after its type letter is a decimal number */
static int number(void)
{
	uint64_t u;
	return g.rec.len > 1 && scan_u64_all(g.rec.s + 1, g.rec.len - 1, &u);
}

/* put_todo_header - end the header line built by header() the todo/ way, and write it */
static void put_todo_header(void)
{
	if (!sa_cats(&g.line, " not yet preprocessed\n"))
		die_nomem();
	put_line();
}

/* show_todo - a message not yet preprocessed, from its envelope in todo/ID:
 * u and p records (checked, not shown), the F record, then T records */
static void show_todo(uint64_t id)
{
	char path[QUEUE_PATHMAX];
	struct stat st;
	int fd, cut, r, sent = 0;
	queue_name(path, "todo", id, 0);
	fd = open_file(path, &st);
	if (fd < 0)
		return;
	while ((r = next(&cut)) == 1) {
		char type = g.rec.len ? g.rec.s[0] : 0;
		if ((type == 'u' || type == 'p') && !number())
			complain_at("u or p record is not a number");
		else if (type == 'u' || type == 'p')
			continue;
		else if (type == 'F' && !sent) {
			header(id, st.st_mtime, 1, cut);
			sent = 1;
		} else if (type == 'T') {
			if (!sent) {
				complain_at("recipient before the sender record");
				header(id, st.st_mtime, 0, 0);
				sent = 1;
			}
			if (sent == 1) {
				put_todo_header();
				sent = 2;
			}
			g.line.len = 0;
			if (!sa_cats(&g.line, "\ttodo\t"))
				die_nomem();
			cat_addr(cut);
			if (!sa_catc(&g.line, '\n'))
				die_nomem();
			put_line();
		} else
			complain_at(type == 'F' ? "second sender record; skipped"
				    : type      ? "unknown record type; skipped"
						: "empty record");
	}
	if (sent == 0) {
		complain(path, "no sender record", 0);
		header(id, st.st_mtime, 0, 0);
	}
	if (sent < 2) {
		put_todo_header();
	}
	close(fd);
}

/* run - list todo/ and info/, then show each message once */
static void run(void)
{
	char dir[QUEUE_PATHMAX];
	size_t i;
	unsigned s;
	scan_dir("todo", 1, -1);
	for (s = 0; s < AUTO_SPLIT; ++s) {
		queue_name(dir, "info", s, 0);
		scan_dir(dir, 0, (int)s);
	}
	if (g.n)
		qsort(g.list, g.n, sizeof *g.list, entry_cmp);
	for (i = 0; i < g.n; ++i) {
		if (i && g.list[i].id == g.list[i - 1].id)
			continue; /* todo/ID and info/SPLIT/ID: qmail-send will redo info */
		if (g.list[i].todo)
			show_todo(g.list[i].id);
		else
			show_info(g.list[i].id);
	}
	flush();
}

int main(int argc, char **argv)
{
	(void)argc;
	die_init(argv[0]);
	buf_init(&g.out, 1, g.outspace, sizeof g.outspace);
	qtool_become();
	if (chdir(auto_qmail) < 0)
		die_sys(111, "unable to switch to ", auto_qmail, NULL);
	if (chdir("queue") < 0)
		die_sys(111, "unable to switch to ", auto_qmail, "/queue", NULL);
	run();
	return g.bad ? 111 : 0;
}
