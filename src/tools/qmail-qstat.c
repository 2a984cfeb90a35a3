/*
 * qmail-qstat - count the messages in the queue.
 *
 * Prints two lines:
 *     messages in queue: N
 *     messages in queue but not yet preprocessed: N
 * the first counting the regular files in the subdirectories of queue/mess (every
 * message has exactly one), the second the regular files in queue/todo. qmail's
 * qmail-qstat was a shell script; this is a C program so that it needs no find(1)
 * and gives the same answer whatever the split directories are called.
 *
 * Runs as root or as a member of the queue group (mess/ and todo/ are 0750).
 *
 * DIAGNOSTICS: 0 both numbers printed; 111 a directory could not be read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auto.h"
#include "die.h"
#include "fd.h"
#include "sa.h"

/* kind - the type of entry e of the directory open as fd: DT_REG, DT_DIR, ... */
static unsigned char kind(int fd, const struct dirent *e)
{
	struct stat st;
	if (e->d_type != DT_UNKNOWN)
		return e->d_type;
	if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return DT_UNKNOWN;
	if (S_ISREG(st.st_mode))
		return DT_REG;
	return S_ISDIR(st.st_mode) ? DT_DIR : DT_UNKNOWN;
}

/* count - regular files in directory path; with deep set, those in each of its
 * subdirectories instead */
static uint64_t count(const char *path, int deep)
{
	uint64_t n = 0;
	struct dirent *e;
	DIR *d;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd)))
		die_sys(111, "unable to open ", path, NULL);
	for (;;) {
		errno = 0;
		e = readdir(d);
		if (!e)
			break;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!deep && kind(fd, e) == DT_REG)
			n++;
		if (deep && kind(fd, e) == DT_DIR) {
			sa sub = SA_ZERO;
			if (!sa_copys(&sub, path) || !sa_catc(&sub, '/') ||
			    !sa_cats(&sub, e->d_name) || !sa_0(&sub))
				die_x(111, "out of memory", NULL);
			n += count(sub.s, 0);
			sa_free(&sub);
		}
	}
	if (errno)
		die_sys(111, "unable to read ", path, NULL);
	closedir(d);
	return n;
}

/* say - append "TEXT: N\n" to out */
static void say(sa *out, const char *text, uint64_t n)
{
	if (!sa_cats(out, text) || !sa_cats(out, ": ") || !sa_catu(out, n) || !sa_catc(out, '\n'))
		die_x(111, "out of memory", NULL);
}

int main(int argc, char **argv)
{
	sa out = SA_ZERO;
	uint64_t mess, todo;
	(void)argc;
	die_init(argv[0]);
	if (chdir(auto_qmail) < 0)
		die_sys(111, "unable to switch to ", auto_qmail, NULL);
	if (chdir("queue") < 0)
		die_sys(111, "unable to switch to ", auto_qmail, "/queue", NULL);
	mess = count("mess", 1);
	todo = count("todo", 0);
	say(&out, "messages in queue", mess);
	say(&out, "messages in queue but not yet preprocessed", todo);
	if (!fd_write_all(1, out.s, out.len))
		die_sys(111, "unable to write output", NULL);
	sa_free(&out);
	return 0;
}
