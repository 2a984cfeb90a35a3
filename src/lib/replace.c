/*
 * replace.c - atomic replacement of a whole file, the step order the table builders
 * (qmail-newu, qmail-newrcpt, qmail-newmrh) rely on:
 *
 *   1. open tmp (created or truncated, never through a symbolic link), set its mode;
 *   2. the caller writes the new contents to fd;
 *   3. fsync tmp, so its data is on disk before any name points at it;
 *   4. close it (a late write error shows here on some file systems);
 *   5. rename tmp over dst: one step, so dst is always the old file or the new one;
 *   6. fsync the directory, so the rename itself survives a crash.
 *
 * Invariant that makes restart safe: dst never names a file whose data is not durable.
 * Any failure before step 5 removes tmp and leaves dst alone; replace_abort does the
 * same for the caller's own failures (a write in step 2, running out of memory).
 */
#include "replace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "sa.h"

/* fail - note what failed on name; before the rename, remove tmp; errno kept */
static int fail(replace *r, const char *step, const char *name)
{
	int e = errno;
	if (r->pending)
		replace_abort(r);
	r->step = step;
	r->name = name;
	errno = e;
	return 0;
}

/* replace_open - start replacing dst: tmp created (or truncated) with mode, open in r->fd */
int replace_open(replace *r, const char *tmp, const char *dst, unsigned int mode)
{
	r->tmp = tmp;
	r->dst = dst;
	r->step = 0;
	r->name = 0;
	r->pending = 0;
	r->fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, (mode_t)mode);
	if (r->fd == -1)
		return fail(r, "create", tmp);
	r->pending = 1;
	if (fchmod(r->fd, (mode_t)mode) == -1) /* the umask, or an older tmp, may differ */
		return fail(r, "create", tmp);
	return 1;
}

/* dir_of - the directory holding path, as a C string in d ("." for a bare name) */
static int dir_of(sa *d, const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return sa_copys(d, ".") && sa_0(d);
	if (slash == path)
		return sa_copys(d, "/") && sa_0(d);
	return sa_copyb(d, path, (size_t)(slash - path)) && sa_0(d);
}

/* replace_commit - make the written file durable and put it in place of dst */
int replace_commit(replace *r)
{
	sa dir = SA_ZERO;
	int ok;
	if (!r->pending) {
		errno = EINVAL;
		return fail(r, "replace", r->dst);
	}
	if (!dir_of(&dir, r->dst))
		return fail(r, "replace", r->dst);
	if (fsync(r->fd) == -1) {
		sa_free(&dir);
		return fail(r, "fsync", r->tmp);
	}
	ok = close(r->fd) == 0;
	r->fd = -1;
	if (!ok) {
		sa_free(&dir);
		return fail(r, "close", r->tmp);
	}
	if (rename(r->tmp, r->dst) == -1) {
		sa_free(&dir);
		return fail(r, "rename", r->tmp);
	}
	r->pending = 0;
	ok = file_syncdir(dir.s);
	sa_free(&dir);
	if (!ok)
		return fail(r, "fsync the directory of", r->dst);
	return 1;
}

/* replace_abort - give up: close and remove tmp if it may exist; errno kept */
void replace_abort(replace *r)
{
	int e = errno;
	if (r->pending) {
		if (r->fd != -1)
			close(r->fd);
		r->fd = -1;
		unlink(r->tmp);
		r->pending = 0;
	}
	errno = e;
}
