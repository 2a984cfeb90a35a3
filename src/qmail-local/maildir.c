/*
 * maildir.c - delivery into a Maildir, under a 24-hour alarm so that a hung file
 * system cannot hold the delivery forever. It runs in qmail-local's own process (no
 * fork: qmail-local is one process per delivery already); the alarm's handler
 * reports the timeout and exits, and the alarm is cancelled when the delivery is
 * done. A second delivery into the same Maildir by the same process in the same
 * second finds its name taken and tries again a second later, as any collision
 * does. All work is relative to descriptors of tmp/ and new/,
 * opened without following symbolic links and checked to be directories owned by the
 * recipient, so nobody can swap a directory for a link halfway through.
 *
 * Crash safety, step by step: write tmp/NAME (created O_EXCL), fsync it, close it
 * (checked), link it to new/NAME, fsync new/ so the link is on disk, and only then
 * report success; then unlink tmp/NAME. If we crash before the fsync of new/,
 * qmail-send still holds the message and delivers again: a duplicate is possible, a
 * loss is not. A tmp/ file left by a crash is harmless (readers clean tmp/ after 36
 * hours), but one that failed to be written, synced or linked is unlinked at once: on
 * a full disk each retry would otherwise leave another partial file behind and keep
 * the space it needs to succeed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "local.h"
#include "sig.h"
#include "tm.h"

#define MAILDIR_ALARM (24 * 60 * 60) /* seconds a maildir delivery may take */
#define NAME_TRIES    10             /* attempts to find an unused file name */

/* subdir - open dir/sub as a real directory owned by the recipient; exits otherwise */
static int subdir(int dir, const char *path, const char *sub)
{
	struct stat st;
	int fd = openat(dir, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ELOOP || errno == ENOTDIR)
			quit(EXIT_TEMP, "Maildir ", path, " has a ", sub,
			     " that is not a directory. (#4.7.0)", (char *)0);
		quit_sys(EXIT_TEMP, "4.7.0", "Unable to open ", sub, " in maildir ", path,
			 (char *)0);
	}
	if (fstat(fd, &st) == -1)
		quit_sys(EXIT_TEMP, "4.3.0", "Unable to stat ", sub, " in maildir ", path,
			 (char *)0);
	if (st.st_uid != geteuid())
		quit(EXIT_TEMP, "Maildir ", path, " has a ", sub,
		     " not owned by the recipient. (#4.7.0)", (char *)0);
	return fd;
}

/* unique - "TIME.PID.HOST", with '/' and ':' in HOST written as \057 and \072 */
static void unique(sa *name)
{
	char host[65];
	size_t i;
	if (gethostname(host, sizeof host) == -1)
		memcpy(host, "localhost", 10);
	host[sizeof host - 1] = 0;
	name->len = 0;
	if (!sa_catu(name, (uint64_t)tm_now()) || !sa_catc(name, '.') ||
	    !sa_catu(name, (uint64_t)getpid()) || !sa_catc(name, '.'))
		quit_nomem();
	for (i = 0; host[i]; ++i) {
		const char *c = host[i] == '/' ? "\\057" : host[i] == ':' ? "\\072" : 0;
		if (c ? !sa_cats(name, c) : !sa_catc(name, host[i]))
			quit_nomem();
	}
	if (!sa_0(name))
		quit_nomem();
}

/* give_up - unlink the partial tmp/name, then fail with errno's text */
static _Noreturn void give_up(int tmp, const char *name, const char *what, const char *path)
{
	int e = errno;
	unlinkat(tmp, name, 0);
	errno = e;
	quit_sys(EXIT_TEMP, "4.3.0", what, path, (char *)0);
}

/* write_file - Return-Path, Delivered-To and the message into tmp/name (open on fd);
 * fsync; close; on failure the file is removed again */
static void write_file(local *l, int fd, int tmp, const char *name, const char *path)
{
	char ispace[8192], ospace[8192];
	buf in, out;
	int r;
	buf_init(&out, fd, ospace, sizeof ospace);
	if (!buf_putsa(&out, &l->rpline) || !buf_putsa(&out, &l->dtline))
		give_up(tmp, name, "Unable to write to maildir ", path);
	message_rewind();
	buf_init(&in, 0, ispace, sizeof ispace);
	r = buf_copy(&out, &in);
	if (r == -1)
		give_up(tmp, name, "Unable to read message", "");
	if (r != 1 || !buf_flush(&out))
		give_up(tmp, name, "Unable to write to maildir ", path);
	if (fsync(fd) == -1)
		give_up(tmp, name, "Unable to sync file in maildir ", path);
	if (close(fd) == -1)
		give_up(tmp, name, "Unable to close file in maildir ", path);
}

/* deliver - the whole delivery; returns only on success */
static void deliver(local *l, const char *path)
{
	sa name = SA_ZERO;
	int dir, tmp, new, fd, tries;
	dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir == -1)
		quit_sys(EXIT_TEMP, "4.2.1", "Unable to open maildir ", path, (char *)0);
	tmp = subdir(dir, path, "tmp");
	new = subdir(dir, path, "new");
	close(subdir(dir, path, "cur"));
	for (tries = 0;; ++tries) {
		if (tries)
			sleep(1);
		if (tries == NAME_TRIES) {
			errno = EEXIST;
			quit_sys(EXIT_TEMP, "4.3.0", "Unable to find a unique name in maildir ",
				 path, (char *)0);
		}
		unique(&name);
		fd = openat(tmp, name.s, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0600);
		if (fd == -1 && errno == EEXIST)
			continue;
		if (fd == -1)
			quit_sys(EXIT_TEMP, "4.3.0", "Unable to create file in maildir ", path,
				 (char *)0);
		write_file(l, fd, tmp, name.s, path);
		if (linkat(tmp, name.s, new, name.s, 0) == 0)
			break;
		if (errno != EEXIST)
			give_up(tmp, name.s, "Unable to link file into new in maildir ", path);
		unlinkat(tmp, name.s, 0);
	}
	if (fsync(new) == -1) {
		int e = errno;
		unlinkat(new, name.s, 0);
		errno = e;
		quit_sys(EXIT_TEMP, "4.3.0", "Unable to sync new in maildir ", path, (char *)0);
	}
	unlinkat(tmp, name.s, 0);
	close(tmp);
	close(new);
	close(dir);
	sa_free(&name);
}

/* timeout - SIGALRM during a delivery: report it and exit (quit is safe here: it
 * builds the line on the stack and writes it with write(2)) */
static void timeout(int sig)
{
	(void)sig;
	quit(EXIT_TEMP, "Timeout on maildir delivery. (#4.3.0)", (char *)0);
}

/* maildir_deliver - deliver into the maildir at path; exits on failure */
void maildir_deliver(local *l, const char *path)
{
	if (!sig_catch(SIGALRM, timeout))
		quit_sys(EXIT_TEMP, "4.3.0", "Unable to set the maildir alarm", (char *)0);
	alarm(MAILDIR_ALARM);
	deliver(l, path);
	alarm(0);
	sig_default(SIGALRM);
}
