/* replace.c - tests for replacing a file atomically */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "harness.h"
#include "replace.h"
#include "sa.h"

/* put - write s whole to path */
static int put(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return 0;
	fputs(s, f);
	return fclose(f) == 0;
}

/* holds - path exists and holds exactly s */
static int holds(const char *path, const char *s)
{
	sa x = SA_ZERO;
	int ok = file_read(path, &x, 1 << 16) == 1 && x.len == strlen(s) && !memcmp(x.s, s, x.len);
	sa_free(&x);
	return ok;
}

/* missing - path does not exist */
static int missing(const char *path)
{
	struct stat sb;
	return lstat(path, &sb) == -1 && errno == ENOENT;
}

static void t_new(void)
{
	replace r;
	const char *tmp = t_path("new.tmp"), *dst = t_path("new");
	struct stat sb;
	mode_t old = umask(077);
	T_OK(replace_open(&r, tmp, dst, 0644));
	umask(old);
	T_OK(r.fd >= 0);
	T_OK(r.pending);
	T_OK(write(r.fd, "hello\n", 6) == 6);
	T_OK(missing(dst));
	T_OK(replace_commit(&r));
	T_OK(!r.pending);
	T_OK(r.fd == -1);
	T_OK(holds(dst, "hello\n"));
	T_OK(missing(tmp));
	T_OK(stat(dst, &sb) == 0);
	T_EQ_U(sb.st_mode & 07777, 0644); /* the mode asked for, whatever the umask */
	replace_abort(&r);                /* nothing pending: harmless */
	T_OK(holds(dst, "hello\n"));
}

/* t_old_kept - the old file is swapped, not rewritten: a link to it keeps it whole */
static void t_old_kept(void)
{
	replace r;
	const char *tmp = t_path("swap.tmp"), *dst = t_path("swap"), *keep = t_path("swap.old");
	T_OK(put(dst, "old contents\n"));
	T_OK(link(dst, keep) == 0);
	T_OK(put(tmp, "a stale and longer temporary file\n"));
	T_OK(replace_open(&r, tmp, dst, 0600));
	T_OK(write(r.fd, "new\n", 4) == 4);
	T_OK(holds(dst, "old contents\n"));
	T_OK(replace_commit(&r));
	T_OK(holds(dst, "new\n")); /* the stale tmp was truncated */
	T_OK(holds(keep, "old contents\n"));
}

static void t_abort(void)
{
	replace r;
	const char *tmp = t_path("ab.tmp"), *dst = t_path("ab");
	T_OK(put(dst, "keep\n"));
	T_OK(replace_open(&r, tmp, dst, 0644));
	T_OK(write(r.fd, "half", 4) == 4);
	errno = EIO;
	replace_abort(&r);
	T_EQ_U(errno, EIO); /* kept for the caller's message */
	T_OK(!r.pending);
	T_OK(missing(tmp));
	T_OK(holds(dst, "keep\n"));
	replace_abort(&r); /* twice: nothing more happens */
	T_OK(holds(dst, "keep\n"));
	errno = 0;
	T_OK(!replace_commit(&r)); /* nothing to commit any more */
	T_EQ_U(errno, EINVAL);
	T_OK(holds(dst, "keep\n"));
}

static void t_open_fails(void)
{
	replace r;
	const char *tmp = t_path("nodir/x.tmp"), *dst = t_path("nodir/x");
	const char *link_tmp = t_path("sym.tmp"), *target = t_path("sym.target");
	errno = 0;
	T_OK(!replace_open(&r, tmp, dst, 0644));
	T_EQ_U(errno, ENOENT);
	T_EQ_S(r.step, "create");
	T_EQ_S(r.name, tmp);
	T_OK(!r.pending);
	/* a symbolic link at the temporary name is not followed */
	T_OK(put(target, "untouched\n"));
	T_OK(symlink(target, link_tmp) == 0);
	errno = 0;
	T_OK(!replace_open(&r, link_tmp, t_path("sym"), 0644));
	T_EQ_U(errno, ELOOP);
	T_OK(holds(target, "untouched\n"));
	T_OK(missing(t_path("sym")));
}

static void t_rename_fails(void)
{
	replace r;
	const char *tmp = t_path("busy.tmp"), *dst = t_path("busy");
	T_OK(mkdir(dst, 0755) == 0);
	T_OK(put(t_path("busy/inside"), "x"));
	T_OK(replace_open(&r, tmp, dst, 0644));
	T_OK(write(r.fd, "data", 4) == 4);
	errno = 0;
	T_OK(!replace_commit(&r));
	T_OK(errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST);
	T_EQ_S(r.step, "rename");
	T_EQ_S(r.name, tmp);
	T_OK(!r.pending);
	T_OK(missing(tmp)); /* removed: the next run starts clean */
	T_OK(holds(t_path("busy/inside"), "x"));
}

/* t_relative - a bare name lives in the current directory */
static void t_relative(void)
{
	replace r;
	char cwd[PATH_MAX];
	T_OK(getcwd(cwd, sizeof cwd) != 0);
	T_OK(chdir(t_tmpdir()) == 0);
	T_OK(replace_open(&r, "rel.tmp", "rel", 0640));
	T_OK(write(r.fd, "r", 1) == 1);
	T_OK(replace_commit(&r));
	T_OK(holds("rel", "r"));
	T_OK(missing("rel.tmp"));
	T_OK(mkdir("sub", 0755) == 0);
	T_OK(replace_open(&r, "sub/rel.tmp", "sub/rel", 0640));
	T_OK(replace_commit(&r)); /* empty contents are fine */
	T_OK(holds("sub/rel", ""));
	T_OK(chdir(cwd) == 0);
}

const t_case t_cases[] = {
	T_CASE(t_new),          T_CASE(t_old_kept), T_CASE(t_abort), T_CASE(t_open_fails),
	T_CASE(t_rename_fails), T_CASE(t_relative), T_END,
};
