/*
 * maildirmake - create a Maildir: DIR and its tmp, new and cur subdirectories, each
 * with mode 0700 whatever the umask.
 *
 *	maildirmake DIR
 *
 * DIR must not exist yet. The subdirectories are made inside the directory just
 * created, opened without following a symbolic link, never through a name someone
 * could have swapped in between.
 *
 * DIAGNOSTICS: exit 0 on success; 100 for a usage error; 111 when a directory
 * cannot be made (the message names it and the reason).
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "die.h"

#define EXIT_USAGE 100
#define EXIT_TEMP  111

int main(int argc, char **argv)
{
	static const char *const subs[] = {"tmp", "new", "cur"};
	size_t i;
	int fd;
	die_init(argv[0]);
	if (argc != 2 || !argv[1][0])
		die_x(EXIT_USAGE, "usage: maildirmake directory", (char *)0);
	umask(077);
	if (mkdir(argv[1], 0700) == -1)
		die_sys(EXIT_TEMP, "unable to create ", argv[1], (char *)0);
	fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		die_sys(EXIT_TEMP, "unable to open ", argv[1], (char *)0);
	for (i = 0; i < sizeof subs / sizeof subs[0]; ++i)
		if (mkdirat(fd, subs[i], 0700) == -1)
			die_sys(EXIT_TEMP, "unable to create ", argv[1], "/", subs[i], (char *)0);
	if (fsync(fd) == -1)
		die_sys(EXIT_TEMP, "unable to sync ", argv[1], (char *)0);
	return 0;
}
