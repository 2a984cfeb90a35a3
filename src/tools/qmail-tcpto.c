/*
 * qmail-tcpto - print the connect timeout table, queue/lock/tcpto (tcpto.h): one
 * line per address with recent connect timeouts, IPv4 first, then IPv6:
 *	192.0.2.1 timed out 340 seconds ago; # recent timeouts: 2
 * qmail-remote skips an address with two or more recent timeouts for about an hour.
 *
 * DIAGNOSTICS: exit 0 after printing; 111 if the table cannot be read or printed.
 */
#include <fcntl.h>
#include <unistd.h>

#include "auto.h"
#include "buf.h"
#include "die.h"
#include "fmt.h"
#include "lock.h"
#include "tcpto.h"
#include "tm.h"

/* print - one line for a record in use */
static int print(buf *out, const tcpto_entry *e, uint64_t now)
{
	char ip[IP_FMT], num[FMT_U64];
	uint64_t ago = now >= e->when ? now - e->when : 0;
	return buf_put(out, ip, ip_fmt(ip, &e->ip)) && buf_puts(out, " timed out ") &&
	       buf_put(out, num, fmt_u64(num, ago)) &&
	       buf_puts(out, " seconds ago; # recent timeouts: ") &&
	       buf_put(out, num, fmt_u64(num, e->count)) && buf_puts(out, "\n");
}

int main(int argc, char **argv)
{
	static tcpto t;
	char space[4096];
	buf out;
	tcpto_entry e;
	uint64_t now;
	size_t i;
	int fd;
	(void)argc;
	die_init(argv[0]);
	if (chdir(auto_qmail) == -1)
		die_sys(111, "unable to switch to ", auto_qmail, (char *)0);
	fd = open(TCPTO_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		die_sys(111, "unable to open ", TCPTO_FILE, (char *)0);
	if (!lock_ex_timeout(fd, 10000))
		die_sys(111, "unable to lock ", TCPTO_FILE, (char *)0);
	if (!tcpto_load(fd, &t))
		die_sys(111, "unable to read ", TCPTO_FILE, (char *)0);
	close(fd);
	now = (uint64_t)tm_now();
	buf_init(&out, 1, space, sizeof space);
	for (i = 0; i < 2 * TCPTO_SLOTS; ++i)
		if (tcpto_get(&t, i, &e) && !print(&out, &e, now))
			die_sys(111, "unable to write output", (char *)0);
	if (!buf_flush(&out))
		die_sys(111, "unable to write output", (char *)0);
	return 0;
}
