/*
 * inject.c - the injection sequence. Each step leaves the queue in a state that
 * qmail-send and qmail-clean can recover from after a crash:
 *
 *  1. move a spare file from qpool/N (N is our pid mod the split) straight to
 *     mess/SPLIT/ID, ID being its inode number (spare.c); when the pool has none,
 *     create pid/PID.TIME.SEQ (O_EXCL), whose inode number becomes the ID, and
 *  2. link it to mess/SPLIT/ID and unlink the pid name;
 *  3. write the Received line and the message, and start its writeback (no
 *     fsync yet);
 *  4. create intd/ID (O_EXCL, or a spare moved there without replacing anything),
 *     write u, p and the envelope records, and start their writeback (no fsync
 *     yet);
 *  5. fsync the mess file, the intd file and mess/SPLIT, one after the other;
 *  6. link intd/ID to todo/ID and fsync todo/: only now is the message queued;
 *  7. pull the trigger so qmail-send looks at todo/ at once.
 *
 * Invariant: todo/ID exists only when mess/SPLIT/ID and intd/ID are complete and on
 * disk. A crash before step 6 leaves a mess (and maybe intd) file without todo;
 * qmail-send removes such files once they are older than this program's 24 h limit.
 * Any failure removes what this run created and exits with the SPEC 4 code.
 *
 * Step 5 (SPEC section 0 durability): todo/ID is the only name that makes the
 * message visible, and it is made in step 6, after all three fsyncs have returned
 * success; each makes its own object durable (the message's bytes, the envelope's
 * bytes, the mess/SPLIT entry), and the todo/ directory is synced after the link
 * and before exit 0. None relies on another fsync or on synchronous directories.
 * intd/ itself is never synced: the envelope is reached through todo/ID, a second
 * name for the same inode, and an intd/ID that vanished in a crash is only a
 * missing leftover. Starting each file's writeback as soon as it is written
 * (file_startsync: no metadata, no flush, so it changes no rule above) lets the
 * message's data go to the disk while the envelope is read and written, and the
 * envelope's while the message's fsync runs: about 10% more messages/s with one
 * SMTP client, 3% with ten (2000 messages, 5 runs each way). The three run one
 * after the other: issued together through
 * aio_fsync they cost this short-lived program two helper threads of the C
 * library per message, which took more CPU and more time (about 0.5 ms each per
 * message on the development machine) than the overlap of the flushes saved.
 */
#include "inject.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "auto.h"
#include "file.h"
#include "fmt.h"
#include "sa.h"
#include "tm.h"

/* fail - remove whatever this run created, then exit with code */
static int fail(inject *in, int code)
{
	if (in->made >= 1) {
		if (in->messfd != -1 && ftruncate(in->messfd, 0) == -1) {
			/* the unlink below frees the space once we exit */
		}
		unlink(in->messname);
	}
	if (in->made >= 2)
		unlink(in->intdname);
	if (in->made >= 3)
		unlink(in->todoname);
	return code;
}

/* invoked_by - the Received wording for the real uid: "by alias", "from network",
 * "for bounce", else "by uid N"; one look at the password file (the account of
 * uid, by name), not one per wording */
static int invoked_by(sa *line, uid_t uid)
{
	static const struct {
		const char *user; /* account name */
		const char *text; /* wording */
	} who[] = {
		{auto_usera, "by alias"},
		{auto_userd, "from network"},
		{auto_users, "for bounce"},
	};
	struct passwd *pw = getpwuid(uid);
	size_t i;
	for (i = 0; pw && i < sizeof who / sizeof who[0]; ++i)
		if (!strcmp(pw->pw_name, who[i].user))
			return sa_cats(line, who[i].text);
	return sa_cats(line, "by uid ") && sa_catu(line, uid);
}

/* pidname - "pid/PID.TIME.SEQ" into in->pidname */
static void pidname(inject *in, time_t start, unsigned seq)
{
	char *s = in->pidname;
	size_t n = 4;
	memcpy(s, "pid/", 4);
	n += fmt_u64(s + n, (uint64_t)in->pid);
	s[n++] = '.';
	n += fmt_u64(s + n, (uint64_t)start);
	s[n++] = '.';
	n += fmt_u64(s + n, seq);
	s[n] = 0;
}

/* mess_name - "mess/SPLIT/ID" for the message whose mess file is inode ino */
static void mess_name(char *dst, uint64_t ino)
{
	queue_name(dst, "mess", ino, 1);
}

/* make_pidfile - step 1 without a spare: a new file of our own, whose inode gives
 * the message ID */
static int make_pidfile(inject *in)
{
	struct stat st;
	time_t start = tm_now();
	unsigned seq;
	for (seq = 1; seq <= 9; ++seq) {
		pidname(in, start, seq);
		in->messfd = open(in->pidname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				  0644);
		if (in->messfd != -1)
			break;
		if (errno != EEXIST)
			return 0;
	}
	if (in->messfd == -1 || fstat(in->messfd, &st) == -1)
		return 0;
	in->id = (uint64_t)st.st_ino;
	return 1;
}

/* make_messfile - steps 1 and 2: mess/SPLIT/ID, ID being its inode, taken straight
 * from our part of queue/qpool when it has a file, else made under pid/ and
 * linked; returns 0 or an exit code */
static int make_messfile(inject *in)
{
	in->messfd = spare_take_named(&in->sp, mess_name, in->messname, 0644, &in->id);
	if (in->messfd != -1) {
		in->made = 1;
		return 0;
	}
	if (!make_pidfile(in))
		return 63;
	mess_name(in->messname, in->id);
	if (link(in->pidname, in->messname) == -1) {
		unlink(in->pidname);
		return 64;
	}
	in->made = 1;
	if (unlink(in->pidname) == -1)
		return fail(in, 63);
	return 0;
}

/* write_message - step 3: Received line, then fd 0 to the end; returns 0 or a code */
static int write_message(inject *in)
{
	sa line = SA_ZERO;
	int r;
	buf_init(&in->out, in->messfd, in->outspace, sizeof in->outspace);
	buf_init(&in->in, 0, in->inspace, sizeof in->inspace);
	if (!sa_cats(&line, "Received: (qmail ") || !sa_catu(&line, (uint64_t)in->pid) ||
	    !sa_cats(&line, " invoked ") || !invoked_by(&line, in->uid) || !sa_cats(&line, "); ") ||
	    !date_utc822(&line, tm_now()) || !sa_catc(&line, '\n'))
		return 51;
	r = buf_putsa(&in->out, &line);
	sa_free(&line);
	if (!r)
		return 53;
	r = buf_copy(&in->out, &in->in);
	if (r == -1)
		return 54;
	if (r != 1 || !buf_flush(&in->out) || !spare_cut(in->messfd))
		return 53;
	(void)file_startsync(in->messfd); /* its fsync reports any error */
	return 0;
}

/* copy_addr - one envelope address from fd 1 up to and including its NUL;
 * returns 0 or an exit code (11 too long, 54 read error or early end, 53 write) */
static int copy_addr(inject *in)
{
	size_t len = 0;
	for (;;) {
		size_t n;
		const char *s, *nul;
		ssize_t r = buf_feed(&in->in);
		if (r <= 0)
			return 54;
		s = buf_peek(&in->in, &n);
		nul = memchr(s, 0, n);
		if (nul)
			n = (size_t)(nul - s) + 1;
		if (len + n - (nul ? 1 : 0) > INJECT_ADDRMAX)
			return 11;
		len += n;
		if (!buf_put(&in->out, s, n))
			return 53;
		buf_skip(&in->in, n);
		if (nul)
			return 0;
	}
}

/* write_envelope - step 4: u and p records, then the envelope from fd 1 */
static int write_envelope(inject *in)
{
	char c;
	int r, first = 1;
	sa head = SA_ZERO;
	in->intdfd = spare_take(&in->sp, in->intdname, 0644);
	if (in->intdfd == -1)
		in->intdfd = open(in->intdname,
				  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (in->intdfd == -1)
		return 65;
	in->made = 2;
	buf_init(&in->out, in->intdfd, in->outspace, sizeof in->outspace);
	buf_init(&in->in, 1, in->inspace, sizeof in->inspace);
	if (!sa_catc(&head, 'u') || !sa_catu(&head, in->uid) || !sa_0(&head) ||
	    !sa_catc(&head, 'p') || !sa_catu(&head, (uint64_t)in->pid) || !sa_0(&head))
		return 51;
	r = buf_putsa(&in->out, &head);
	sa_free(&head);
	if (!r)
		return 53;
	for (;;) {
		r = buf_getc(&in->in, &c);
		if (r <= 0)
			return 54;
		if (first && c != 'F')
			return 91;
		if (!first && c == 0)
			break;
		if (!first && c != 'T')
			return 91;
		first = 0;
		if (!buf_put(&in->out, &c, 1))
			return 53;
		r = copy_addr(in);
		if (r)
			return r;
	}
	if (!buf_flush(&in->out) || !spare_cut(in->intdfd))
		return 53;
	(void)file_startsync(in->intdfd); /* its fsync reports any error */
	return 0;
}

/* sync_all - step 5: the mess file, the intd file and mess/SPLIT on disk; then
 * close both files (a close error is a write error) */
static int sync_all(inject *in)
{
	int dir, ok;
	dir = open(in->messdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir == -1)
		return 53;
	ok = fsync(in->messfd) == 0 && fsync(in->intdfd) == 0 && fsync(dir) == 0;
	close(dir);
	if (close(in->messfd) == -1)
		ok = 0;
	in->messfd = -1;
	if (close(in->intdfd) == -1)
		ok = 0;
	in->intdfd = -1;
	return ok ? 0 : 53;
}

/* stand_in - whether descriptor fd was closed when we were started: it is not open,
 * or it is /dev/null open for reading and writing, which musl's start-up puts on a
 * closed 0, 1 or 2 of a setuid program (glibc's puts /dev/full, write-only, on a
 * closed 0, and /dev/null, read-only, on 1 and 2, which fail or end the reads) */
static int stand_in(int fd)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL);
	if (fl == -1)
		return 1;
	return (fl & O_ACCMODE) == O_RDWR && fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) &&
	       major(st.st_rdev) == 1 && minor(st.st_rdev) == 3;
}

/* inject_run - the whole sequence; returns the exit code */
int inject_run(inject *in)
{
	int code;
	in->messfd = in->intdfd = -1;
	in->made = 0;
	in->uid = getuid();
	in->pid = getpid();
	spare_part(&in->sp, "qpool", (uint64_t)in->pid, (unsigned)in->pid);
	if (stand_in(0) || stand_in(1))
		return 54;
	code = make_messfile(in);
	if (code)
		return code;
	queue_name(in->intdname, "intd", in->id, 0);
	queue_name(in->todoname, "todo", in->id, 0);
	memcpy(in->messdir, "mess/", 5);
	in->messdir[5 + fmt_u64(in->messdir + 5, queue_split(in->id))] = 0;
	code = write_message(in);
	if (code)
		return fail(in, code);
	code = write_envelope(in);
	if (!code)
		code = sync_all(in);
	if (code)
		return fail(in, code);
	if (link(in->intdname, in->todoname) == -1)
		return fail(in, 66);
	in->made = 3;
	if (!file_syncdir("todo"))
		return fail(in, 53);
	queue_trigger();
	return 0;
}
